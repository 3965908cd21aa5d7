from odoo import _, api, fields, models

from ..bigcommerce.orders import store_outcome
from ..bigcommerce.workflows import PAYMENT_STATUSES


class SaleOrder(models.Model):
    _inherit = "sale.order"

    bigcommerce_instance_id = fields.Many2one("bc.instance", string="BigCommerce Store", index="btree_not_null",
                                              readonly=True, copy=False, check_company=True)
    bigcommerce_order_id = fields.Char(string="BigCommerce Order", index="btree_not_null", readonly=True, copy=False)
    bigcommerce_status = fields.Char(string="BigCommerce Status", readonly=True, copy=False)
    bigcommerce_status_id = fields.Integer(string="BigCommerce Status ID", readonly=True, copy=False)
    bigcommerce_notice = fields.Char(compute="_compute_bigcommerce_notice",
                                     help="What BigCommerce already did with this order that Odoo does not show.")
    bigcommerce_workflow_state = fields.Selection(
        [("waiting", "Waiting for a Workflow"), ("failed", "Workflow Step Failed"), ("done", "Workflow Done")],
        string="BigCommerce Workflow", readonly=True, copy=False,
        help="Whether the financial workflow of the order's gateway and payment status has run.")
    bigcommerce_can_run_workflow = fields.Boolean(compute="_compute_bigcommerce_can_run_workflow")
    bigcommerce_payment_status = fields.Selection(list(PAYMENT_STATUSES), string="BigCommerce Payment Status",
                                                  readonly=True, copy=False)
    bigcommerce_gateway_id = fields.Many2one("bc.payment.gateway", string="BigCommerce Payment Gateway",
                                             readonly=True, copy=False)
    bigcommerce_channel_id = fields.Integer(string="BigCommerce Channel ID", readonly=True, copy=False)
    bigcommerce_channel_name = fields.Char(string="BigCommerce Channel", compute="_compute_bigcommerce_channel_name")
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


    @api.depends("bigcommerce_status_id", "state", "bigcommerce_workflow_state")
    def _compute_bigcommerce_notice(self):
        payment_labels = dict(self._fields["bigcommerce_payment_status"]._description_selection(self.env))
        for order in self:
            outcome = store_outcome(order.bigcommerce_status_id) if order.bigcommerce_order_id else ""
            if outcome == "cancelled" and order.state != "cancel":
                notice = _("Cancelled in BigCommerce: this order has done deliveries or posted invoices, so Odoo did "
                           "not cancel it. Decide on a return or a credit note.")
            elif outcome == "refunded":
                notice = _("Refunded in BigCommerce.")
            elif outcome == "partially_refunded":
                notice = _("Partially refunded in BigCommerce.")
            elif outcome == "shipped" and order.state in ("draft", "sent"):
                notice = _("BigCommerce already shipped this order. Configure a workflow that confirms it, or "
                           "confirm it by hand, then click Run Workflow Again: its deliveries are validated as shipped.")
            elif order.bigcommerce_workflow_state == "waiting" and order.state in ("draft", "sent"):
                notice = _("No financial workflow applies to gateway “%(gateway)s” and payment status “%(status)s”, so "
                           "this order stays a quotation. Configure one (the store's log has a shortcut), then click "
                           "Run Workflow Again.", gateway=order.bigcommerce_gateway_id.name,
                           status=payment_labels.get(order.bigcommerce_payment_status) or _("none"))
            elif order.bigcommerce_workflow_state == "failed":
                notice = _("A step of this order's financial workflow failed: the chatter says why. Fix it, then "
                           "click Run Workflow Again.")
            else:
                notice = False
            order.bigcommerce_notice = notice

    @api.depends("bigcommerce_workflow_state", "bigcommerce_status_id", "state", "picking_ids.state")
    def _compute_bigcommerce_can_run_workflow(self):
        for order in self:
            shipped_not_delivered = store_outcome(order.bigcommerce_status_id) == "shipped" and any(
                picking.picking_type_code == "outgoing" and picking.state not in ("done", "cancel")
                for picking in order.picking_ids)
            order.bigcommerce_can_run_workflow = bool(order.bigcommerce_order_id) and order.state != "cancel" and (
                order.state in ("draft", "sent") or order.bigcommerce_workflow_state == "failed"
                or shipped_not_delivered)

    def _prepare_confirmation_values(self):
        values = super()._prepare_confirmation_values()
        if all(self.mapped("bigcommerce_order_id")):
            # The order date is when the customer ordered in BigCommerce, not when Odoo confirmed it.
            values.pop("date_order", None)
        return values

    def action_confirm(self):
        bigcommerce = self.filtered("bigcommerce_order_id")
        if bigcommerce and bigcommerce != self:
            # Confirmed apart, so that each keeps its own kind of order date.
            super(SaleOrder, self - bigcommerce).action_confirm()
            return super(SaleOrder, bigcommerce).action_confirm()
        return super().action_confirm()

    def action_bigcommerce_run_workflow(self):
        """Import the order again from BigCommerce, which runs its financial workflow: after the
        merchant configured the missing workflow or fixed what made a step fail."""
        jobs = self.env["marketplace.queue.job"]
        for order in self.filtered(lambda order: order.bigcommerce_order_id and order.state != "cancel"):
            jobs |= order.bigcommerce_instance_id._bigcommerce_enqueue_order_ids(
                [int(order.bigcommerce_order_id)], _("Run the workflow of %(order)s again", order=order.name),
                requested=True)
        return jobs._notify_queued(_("A cancelled order has no workflow to run."))

    @api.depends("bigcommerce_instance_id", "bigcommerce_channel_id")
    def _compute_bigcommerce_channel_name(self):
        # Salespeople read the order without the connector's rights: the name is all they see of the channel.
        channels = self.env["bc.channel"].sudo().search([("instance_id", "in", self.bigcommerce_instance_id.ids)])
        names = {(channel.instance_id.id, channel.bc_id): channel.name for channel in channels}
        for order in self:
            channel_id = str(order.bigcommerce_channel_id)
            order.bigcommerce_channel_name = names.get((order.bigcommerce_instance_id.id, channel_id), channel_id) \
                if order.bigcommerce_channel_id else False

    @api.depends("picking_ids.state", "picking_ids.bigcommerce_shipment_ids")
    def _compute_bigcommerce_shipments_pending(self):
        for order in self:
            order.bigcommerce_shipments_pending = bool(order.picking_ids._bigcommerce_shipments_to_send())

    def action_bigcommerce_update_order_status(self):
        """Send the done deliveries to BigCommerce as shipments now (and again after a failure)."""
        return self.picking_ids.action_bigcommerce_update_order_status()


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    bigcommerce_order_product_id = fields.Integer(string="BigCommerce Order Product", readonly=True, copy=False)
    bigcommerce_order_address_id = fields.Integer(string="BigCommerce Shipping Address", readonly=True, copy=False)
    bigcommerce_quantity_shipped = fields.Float(string="Shipped in BigCommerce", readonly=True, copy=False,
                                                digits="Product Unit of Measure")
