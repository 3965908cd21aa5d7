from odoo import fields, models


class MarketplaceInstance(models.Model):
    _inherit = "marketplace.instance"

    marketplace = fields.Selection(selection_add=[("bigcommerce", "BigCommerce")], ondelete={"bigcommerce": "cascade"})
