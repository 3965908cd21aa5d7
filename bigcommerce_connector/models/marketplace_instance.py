from odoo import fields, models


class MarketplaceInstance(models.Model):
    _inherit = "marketplace.instance"

    marketplace = fields.Selection(selection_add=[("bigcommerce", "BigCommerce")], ondelete={"bigcommerce": "cascade"})

    def write(self, vals):
        result = super().write(vals)
        if {"active", "company_id"} & vals.keys():  # read by webhook receipts, which cache them
            self.env["bc.instance"]._clear_receiver_cache()
        return result
