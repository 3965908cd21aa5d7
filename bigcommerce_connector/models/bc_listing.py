from odoo import api, fields, models


class BigCommerceListing(models.Model):
    """One BigCommerce product of one store, and the Odoo product template it is.

    Its variants are the product mappings (``bc.product.binding``) that point to it. Catalog
    imports and exports create listings; order imports only create mappings, with no listing
    until the catalog is imported or exported.
    """

    _name = "bc.listing"
    _description = "BigCommerce Listing"
    _order = "instance_id, name, id"
    _check_company_auto = True

    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    product_tmpl_id = fields.Many2one("product.template", string="Product", required=True, index=True,
                                      ondelete="cascade", check_company=True)
    bc_product_id = fields.Integer(string="BigCommerce Product ID", required=True)
    name = fields.Char(required=True)
    sku = fields.Char(string="BigCommerce SKU")
    channel_ids = fields.Many2many("bc.channel", string="Sales Channels",
                                   domain="[('instance_id', '=', instance_id)]",
                                   help="The channels BigCommerce lists this product on, as the last sync saw them.")
    pending_channel_ids = fields.Many2many(
        "bc.channel", "bc_listing_pending_channel_rel", "listing_id", "channel_id", string="Waiting to Be Listed On",
        domain="[('instance_id', '=', instance_id)]", readonly=True,
        help="The channels Export Listings still has to list this product on: sent for all listings of the store "
             "at once at the end of the queue run, and retried by the next run should BigCommerce not take them.")
    brand_id = fields.Many2one("bc.brand", string="Brand", domain="[('instance_id', '=', instance_id)]")
    category_ids = fields.Many2many("bc.category", string="Categories", domain="[('instance_id', '=', instance_id)]")
    variant_ids = fields.One2many("bc.product.binding", "listing_id", string="Variants")
    variant_count = fields.Integer(compute="_compute_variant_count")
    last_sync = fields.Datetime(readonly=True, help="When this listing was last imported from or exported to BigCommerce.")
    control_panel_url = fields.Char(string="BigCommerce Link", compute="_compute_control_panel_url")

    _sql_constraints = [
        ("product_unique", "UNIQUE(instance_id, bc_product_id)",
         "This BigCommerce product is already listed for the store."),
        ("template_unique", "UNIQUE(instance_id, product_tmpl_id)",
         "This product already has a listing for the store."),
    ]

    @api.depends("variant_ids")
    def _compute_variant_count(self):
        for listing in self:
            listing.variant_count = len(listing.variant_ids)

    @api.depends("instance_id.store_hash", "bc_product_id")
    def _compute_control_panel_url(self):
        for listing in self:
            store_hash = listing.instance_id.store_hash
            listing.control_panel_url = (
                f"https://store-{store_hash}.mybigcommerce.com/manage/products/edit/{listing.bc_product_id}"
                if store_hash and listing.bc_product_id else False)
