from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    bc_export_qty_type = fields.Selection(
        [("fixed", "Fixed"), ("percentage", "Percentage")], string="BigCommerce Export Qty Type",
        help="How much of this product's free quantity the stock export publishes to BigCommerce. "
             "Empty: the store's Export Qty Type and value.")
    bc_export_qty_value = fields.Float(
        string="BigCommerce Export Qty Value", default=100.0,
        help="Percentage of the free quantity, or at most this many units (never more than is free).")
