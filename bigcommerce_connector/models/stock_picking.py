from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..bigcommerce.shipments import ShipmentError, existing_shipments, shipment_payloads, tracking_links, tracking_update
from ..const import EXPORT_SHIPMENT
from .bc_translate import translate


class StockPicking(models.Model):
    _inherit = "stock.picking"

    bigcommerce_shipment_ids = fields.Char(string="BigCommerce Shipments", readonly=True, copy=False,
                                           help="Ids of the BigCommerce shipments made for this delivery.")
    bigcommerce_shipped_in_store = fields.Boolean(
        string="Shipped in BigCommerce", readonly=True, copy=False,
        help="Delivered in Odoo because BigCommerce reported it shipped: nothing to send back.")
    bigcommerce_tracking_link = fields.Char(
        string="BigCommerce Tracking Link", readonly=True, copy=False,
        help="The link BigCommerce made from the tracking number and the carrier's BigCommerce mapping.")
    bigcommerce_can_update_order_status = fields.Boolean(compute="_compute_bigcommerce_can_update_order_status")

    def _send_confirmation_email(self):
        # BigCommerce tells the customer when it ships; a second email or SMS from Odoo would confuse them.
        return super(StockPicking, self.filtered(lambda picking: not picking.sale_id.bigcommerce_order_id))._send_confirmation_email()

    def _check_warn_sms(self):
        # stock_sms asks once whether deliveries should text the customer: not for BigCommerce ones,
        # which never do (above), whatever the answer.
        return super(StockPicking, self.filtered(lambda picking: not picking.sale_id.bigcommerce_order_id))._check_warn_sms()

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
            bigcommerce_deliveries._bigcommerce_shipments_to_send()._bigcommerce_queue_shipments()
        return result

    def write(self, vals):
        if "carrier_tracking_ref" not in vals:
            return super().write(vals)
        before = {picking.id: picking.carrier_tracking_ref for picking in self}
        result = super().write(vals)
        # Added or corrected once the shipment exists: the shipment in BigCommerce gets it too. Before
        # that, the export reads the tracking number when it runs.
        self.filtered(lambda picking: picking.bigcommerce_shipment_ids
                      and picking.carrier_tracking_ref != before[picking.id])._bigcommerce_queue_shipments()
        return result

    @api.depends("state", "picking_type_code", "return_id", "sale_id.bigcommerce_order_id",
                 "bigcommerce_shipped_in_store", "bigcommerce_shipment_ids")
    def _compute_bigcommerce_can_update_order_status(self):
        to_send = self._bigcommerce_shipments_to_send()
        for picking in self:
            picking.bigcommerce_can_update_order_status = picking in to_send

    def _bigcommerce_deliveries(self):
        """The done deliveries of BigCommerce orders that BigCommerce hears of as shipments. Not returns, nor
        what is sent again after a return: BigCommerce counts those items shipped already. Not deliveries
        validated because BigCommerce reported them shipped."""
        return self.filtered(lambda picking: picking.state == "done" and picking.picking_type_code == "outgoing"
                             and picking.sale_id.bigcommerce_order_id and not picking.bigcommerce_shipped_in_store
                             and not picking.return_id and not picking.move_ids.origin_returned_move_id)

    def _bigcommerce_shipments_to_send(self):
        return self._bigcommerce_deliveries().filtered(lambda picking: not picking.bigcommerce_shipment_ids)

    def _bigcommerce_queue_shipments(self):
        """Queue a shipment export per delivery: a BigCommerce failure then shows on the queue and can be
        retried, instead of rolling back the validation in Odoo. A delivery already queued is not queued
        again: its line reads the delivery when it runs."""
        jobs = self.env["marketplace.queue.job"]
        by_store = defaultdict(lambda: self.browse())
        for picking in self._bigcommerce_deliveries():
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

    def action_bigcommerce_update_order_status(self):
        """Send these done deliveries to BigCommerce as shipments now (and again after a failure)."""
        pickings = self._bigcommerce_shipments_to_send()
        lines = self.env["marketplace.queue.line"].search([
            ("operation", "=", EXPORT_SHIPMENT), ("state", "=", "failed"),
            ("external_id", "in", [str(picking_id) for picking_id in pickings.ids])])
        lines.action_retry()
        jobs = pickings._bigcommerce_queue_shipments() | lines.job_id
        return jobs._notify_queued(_("Nothing new to queue: the done deliveries are already on their way to BigCommerce."))

    def _bigcommerce_export_shipment(self):
        """Make BigCommerce's shipments of this delivery match it: create them (one per shipping address)
        unless a previous attempt already did, and give them the tracking number added or corrected since.
        Returns the delivery's BigCommerce shipments, none for what BigCommerce is not told of (a return)."""
        self.ensure_one()
        if not self._bigcommerce_deliveries():
            return []
        # A tracking number written meanwhile waits for this run to end, then queues its own update:
        # without the lock, this run could read the old number and the update line be taken for this one.
        self.env.cr.execute(SQL("SELECT id FROM stock_picking WHERE id = %s FOR UPDATE", self.id))
        order = self.sale_id
        items = defaultdict(list)
        for move in self.move_ids.filtered(lambda move: move.state == "done" and move.sale_line_id.bigcommerce_order_product_id):
            line = move.sale_line_id
            quantity = move.product_uom._compute_quantity(move.quantity, line.product_uom)
            items[line.bigcommerce_order_address_id].append((line.bigcommerce_order_product_id, quantity))
        tracking = self.carrier_tracking_ref or ""
        try:
            carrier = self.carrier_id._bigcommerce_shipment_fields()
            payloads = shipment_payloads(items, self.name, tracking_number=tracking, carrier=carrier)
        except ShipmentError as error:
            raise UserError(translate(self.env, error.args[0])) from None
        recorded = [part for part in (self.bigcommerce_shipment_ids or "").replace(" ", "").split(",") if part]
        with order.bigcommerce_instance_id._bigcommerce_client() as client:
            on_order = list(client.iter_order_shipments(order.bigcommerce_order_id))
            done, updated = [], []
            for shipment in existing_shipments(on_order, self.name, recorded):
                values = tracking_update(shipment, self.name, tracking, carrier)
                if values:
                    shipment = client.update_shipment(order.bigcommerce_order_id, shipment["id"], values)
                    updated.append(shipment)
                done.append(shipment)
            done_addresses = {shipment.get("order_address_id") for shipment in done}
            created = [client.create_shipment(order.bigcommerce_order_id, payload, existing=on_order)
                       for payload in payloads if payload["order_address_id"] not in done_addresses]
        shipments = done + created
        self.write({"bigcommerce_shipment_ids": ", ".join(str(shipment["id"]) for shipment in shipments),
                    "bigcommerce_tracking_link": " ".join(tracking_links(shipments)) or False})
        # Found again after a lost answer counts as sent: Odoo had not said so yet.
        new = [shipment for shipment in shipments if str(shipment["id"]) not in recorded]
        if new:
            order.message_post(body=_(
                "Delivery %(delivery)s sent to BigCommerce as shipment %(shipments)s%(tracking)s.",
                delivery=self.name, shipments=", ".join(str(shipment["id"]) for shipment in new),
                tracking=_(" (tracking %s)", tracking) if tracking else ""))
        if updated:
            order.message_post(body=_(
                "Tracking number %(tracking)s of delivery %(delivery)s sent to BigCommerce shipment %(shipments)s.",
                tracking=tracking, delivery=self.name, shipments=", ".join(str(shipment["id"]) for shipment in updated)))
        return shipments
