from odoo import api, fields, models


class BigCommerceInstance(models.Model):
    """One BigCommerce store. Name, company, active and log retention live on the
    delegated ``marketplace.instance`` so queues and logs are shared with other marketplaces."""

    _name = "bc.instance"
    _description = "BigCommerce Store"
    _inherits = {"marketplace.instance": "marketplace_instance_id"}
    _order = "name"
    _check_company_auto = True

    marketplace_instance_id = fields.Many2one(
        "marketplace.instance", required=True, ondelete="cascade", index=True, auto_join=True)
    active = fields.Boolean(related="marketplace_instance_id.active", store=True, readonly=False, default=True)
    store_hash = fields.Char(required=True, help="The store's permanent id, e.g. abc123 in store-abc123.mybigcommerce.com.")
    access_token = fields.Char(groups="base_marketplace.group_marketplace_manager", copy=False)

    _sql_constraints = [
        ("store_hash_unique", "UNIQUE(store_hash)", "This BigCommerce store is already connected: one instance per store."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals["marketplace"] = "bigcommerce"
        return super().create(vals_list)
