from odoo import _, api, fields, models

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

    bigcommerce_shipments_pending = fields.Boolean(
        compute="_compute_bigcommerce_shipments_pending",
        help="Some done deliveries have not reached BigCommerce yet.")

    _sql_constraints = [
        ("bigcommerce_order_unique", "UNIQUE(bigcommerce_instance_id, bigcommerce_order_id)",
         "This BigCommerce order is already imported for the store."),
    ]


    @api.depends("picking_ids.state", "picking_ids.bigcommerce_shipment_ids")
    def _compute_bigcommerce_shipments_pending(self):
        for order in self:
            order.bigcommerce_shipments_pending = bool(order.picking_ids._bigcommerce_shipments_to_send())

    def action_bigcommerce_update_order_status(self):
        """Send the done deliveries to BigCommerce as shipments now (and again after a failure)."""
        pickings = self.picking_ids._bigcommerce_shipments_to_send()
        lines = self.env["marketplace.queue.line"].search([
            ("operation", "=", "bigcommerce_export_shipment"), ("state", "=", "failed"),
            ("external_id", "in", [str(picking_id) for picking_id in pickings.ids])])
        lines.action_retry()
        jobs = pickings._bigcommerce_queue_shipments() | lines.job_id
        return self.env["marketplace.operation.wizard"]._notify_jobs(jobs)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    bigcommerce_order_product_id = fields.Integer(string="BigCommerce Order Product", readonly=True, copy=False)
    bigcommerce_order_address_id = fields.Integer(string="BigCommerce Shipping Address", readonly=True, copy=False)
    bigcommerce_quantity_shipped = fields.Float(string="Shipped in BigCommerce", readonly=True, copy=False,
                                                digits="Product Unit of Measure")
