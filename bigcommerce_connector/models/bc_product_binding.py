from odoo import fields, models


class BigCommerceProductBinding(models.Model):
    """Which Odoo product a BigCommerce product variant of one store is.

    Orders find their products through it first, so renaming a SKU on either side does
    not break the import; it is created the first time a SKU match is made.
    """

    _name = "bc.product.binding"
    _description = "BigCommerce Product Mapping"
    _order = "instance_id, bc_product_id, bc_variant_id"
    _check_company_auto = True

    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    product_id = fields.Many2one("product.product", required=True, index=True, ondelete="cascade", check_company=True)
    bc_product_id = fields.Integer(string="BigCommerce Product ID", required=True)
    bc_variant_id = fields.Integer(string="BigCommerce Variant ID", required=True)
    sku = fields.Char(string="BigCommerce SKU")
    listing_id = fields.Many2one("bc.listing", index="btree_not_null", ondelete="cascade",
                                 help="The BigCommerce product this variant belongs to, once the catalog is imported or exported.")

    _sql_constraints = [
        ("variant_unique", "UNIQUE(instance_id, bc_product_id, bc_variant_id)",
         "This BigCommerce variant is already mapped to a product for the store."),
    ]
