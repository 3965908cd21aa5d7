from collections import defaultdict

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..bigcommerce.shipments import ShipmentError, existing_shipments, shipment_payloads
from ..const import EXPORT_SHIPMENT
from .bc_translate import translate


class StockPicking(models.Model):
    _inherit = "stock.picking"

    bigcommerce_shipment_ids = fields.Char(string="BigCommerce Shipments", readonly=True, copy=False,
                                           help="Ids of the BigCommerce shipments made for this delivery.")
    bigcommerce_shipped_in_store = fields.Boolean(
        string="Shipped in BigCommerce", readonly=True, copy=False,
        help="Delivered in Odoo because BigCommerce reported it shipped: nothing to send back.")

    def _send_confirmation_email(self):
        # BigCommerce tells the customer when it ships; a second email or SMS from Odoo would confuse them.
        return super(StockPicking, self.filtered(lambda picking: not picking.sale_id.bigcommerce_order_id))._send_confirmation_email()

    def _bigcommerce_validate(self, backorder):
        """Validate these deliveries with the quantities set on their moves, past every dialog
        validation can open (the one-time SMS prompt, backorder; Odoo 18 has no immediate-transfer
        dialog any more): nobody is there to answer. ``backorder``: what is left goes to a
        backorder, else it is dropped. Raises UserError unless every delivery is done."""
        if not self:
            return
        result = self.with_context(
            skip_sms=True, skip_backorder=True,
            picking_ids_not_to_backorder=[] if backorder else self.ids,
        ).button_validate()
        not_done = self.filtered(lambda picking: picking.state != "done")
        if not_done:
            dialog = (result.get("name") or result.get("res_model")) if isinstance(result, dict) else None
            raise UserError(_("Odoo did not validate %(deliveries)s%(dialog)s: validate it from the delivery to see "
                              "what Odoo asks for, then run the workflow again.",
                              deliveries=", ".join(not_done.mapped("name")),
                              dialog=_(" (it opened the dialog “%s”)", dialog) if dialog else ""))

    def _action_done(self):
        result = super()._action_done()
        bigcommerce_deliveries = self.filtered(lambda picking: picking.sale_id.bigcommerce_order_id)
        if self.env.context.get("bigcommerce_shipped_in_store"):
            bigcommerce_deliveries.bigcommerce_shipped_in_store = True
        else:
            bigcommerce_deliveries._bigcommerce_queue_shipments()
        return result

    def _bigcommerce_shipments_to_send(self):
        return self.filtered(lambda picking: picking.state == "done" and picking.picking_type_code == "outgoing"
                             and picking.sale_id.bigcommerce_order_id and not picking.bigcommerce_shipped_in_store
                             and not picking.bigcommerce_shipment_ids)

    def _bigcommerce_queue_shipments(self):
        """Queue a shipment export per delivery: a BigCommerce failure then shows on the queue and can be
        retried, instead of rolling back the validation in Odoo."""
        jobs = self.env["marketplace.queue.job"]
        by_store = defaultdict(lambda: self.browse())
        for picking in self._bigcommerce_shipments_to_send():
            by_store[picking.sale_id.bigcommerce_instance_id] |= picking
        for instance, pickings in by_store.items():
            job, _lines = self.env["marketplace.queue.line"]._enqueue(
                instance.marketplace_instance_id, EXPORT_SHIPMENT,
                [{"external_id": str(picking.id), "name": picking.name, "payload": {"picking_id": picking.id}}
                 for picking in pickings],
                job_name=_("Shipments to %(store)s, %(day)s", store=instance.name, day=fields.Date.context_today(self)),
                reuse_job=True,
            )
            jobs |= job
        return jobs

    def _bigcommerce_export_shipment(self):
        """Create this delivery's shipments in BigCommerce (one per shipping address), unless a
        previous attempt already did. Returns the BigCommerce shipments."""
        self.ensure_one()
        order = self.sale_id
        items = defaultdict(list)
        for move in self.move_ids.filtered(lambda move: move.state == "done" and move.sale_line_id.bigcommerce_order_product_id):
            line = move.sale_line_id
            quantity = move.product_uom._compute_quantity(move.quantity, line.product_uom)
            items[line.bigcommerce_order_address_id].append((line.bigcommerce_order_product_id, quantity))
        try:
            payloads = shipment_payloads(items, self.name, tracking_number=self.carrier_tracking_ref or "",
                                         shipping_method=self.carrier_id.name or "")
        except ShipmentError as error:
            raise UserError(translate(self.env, error.args[0])) from None
        with order.bigcommerce_instance_id._bigcommerce_client() as client:
            on_order = list(client.iter_order_shipments(order.bigcommerce_order_id))
            done = existing_shipments(on_order, self.name)
            done_addresses = {shipment.get("order_address_id") for shipment in done}
            shipments = done + [client.create_shipment(order.bigcommerce_order_id, payload, existing=on_order)
                                for payload in payloads if payload["order_address_id"] not in done_addresses]
        self.bigcommerce_shipment_ids = ", ".join(str(shipment["id"]) for shipment in shipments)
        if shipments:
            order.message_post(body=_(
                "Delivery %(delivery)s sent to BigCommerce as shipment %(shipments)s%(tracking)s.",
                delivery=self.name, shipments=self.bigcommerce_shipment_ids,
                tracking=_(" (tracking %s)", self.carrier_tracking_ref) if self.carrier_tracking_ref else ""))
        return shipments
