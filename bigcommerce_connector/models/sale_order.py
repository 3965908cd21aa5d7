from odoo import fields, models

from ..bigcommerce.workflows import PAYMENT_STATUSES


class SaleOrder(models.Model):
    _inherit = "sale.order"

    bigcommerce_instance_id = fields.Many2one("bc.instance", string="BigCommerce Store", index="btree_not_null",
                                              readonly=True, copy=False, check_company=True)
    bigcommerce_order_id = fields.Char(string="BigCommerce Order", index="btree_not_null", readonly=True, copy=False)
    bigcommerce_status = fields.Char(string="BigCommerce Status", readonly=True, copy=False)
    bigcommerce_payment_status = fields.Selection(list(PAYMENT_STATUSES), string="BigCommerce Payment Status",
                                                  readonly=True, copy=False)
    bigcommerce_gateway_id = fields.Many2one("bc.payment.gateway", string="BigCommerce Payment Gateway",
                                             readonly=True, copy=False)
    bigcommerce_channel_id = fields.Integer(string="BigCommerce Channel", readonly=True, copy=False)
    bigcommerce_snapshot = fields.Json(readonly=True, copy=False,
                                       help="Technical: what the last import saw, to report what changed since.")
    bigcommerce_totals_mismatch = fields.Text(
        string="Totals Differ from BigCommerce", readonly=True, copy=False,
        help="Set when Odoo's totals differ from BigCommerce's by more than rounding: check taxes and prices.")

    _sql_constraints = [
        ("bigcommerce_order_unique", "UNIQUE(bigcommerce_instance_id, bigcommerce_order_id)",
         "This BigCommerce order is already imported for the store."),
    ]


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    bigcommerce_order_product_id = fields.Integer(string="BigCommerce Order Product", readonly=True, copy=False)
    bigcommerce_order_address_id = fields.Integer(string="BigCommerce Shipping Address", readonly=True, copy=False)
    bigcommerce_quantity_shipped = fields.Float(string="Shipped in BigCommerce", readonly=True, copy=False,
                                                digits="Product Unit of Measure")
