"""Mark as Paid in BigCommerce: once an order is fully invoiced and paid in Odoo, its authorised
card payment is captured in BigCommerce, or its offline payment recorded by moving the order to
Awaiting Fulfillment. By the button, or by itself when an invoice is paid (the store's Mark Order
as Paid?). The rule is the pure core's (``bigcommerce/mark_paid.py``)."""
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..bigcommerce.mark_paid import (
    ALREADY_PAID, AWAITING_FULFILLMENT, CAPTURE, CAPTURE_PENDING, NOT_OFFLINE, ORDER_CLOSED, can_mark_paid,
    plan_mark_paid,
)
from ..const import MARK_PAID, STATUS_AWAITING_FULFILLMENT


class SaleOrder(models.Model):
    _inherit = "sale.order"

    bigcommerce_can_mark_paid = fields.Boolean(compute="_compute_bigcommerce_can_mark_paid")

    @api.depends("bigcommerce_order_id", "bigcommerce_instance_id.mark_order_paid", "bigcommerce_status_id",
                 "bigcommerce_payment_status", "invoice_status", "invoice_ids.state", "invoice_ids.payment_state")
    def _compute_bigcommerce_can_mark_paid(self):
        # Salespeople read the order without the connector's rights (the button is not theirs).
        for order in self:
            order.bigcommerce_can_mark_paid = bool(order.bigcommerce_order_id) \
                and order.bigcommerce_instance_id.sudo().mark_order_paid and order.sudo()._bigcommerce_paid_in_odoo() \
                and can_mark_paid(order.bigcommerce_status_id, order.bigcommerce_payment_status)

    def _bigcommerce_paid_in_odoo(self):
        """Fully invoiced, and every customer invoice paid (or in payment) in Odoo."""
        self.ensure_one()
        invoices = self.invoice_ids.filtered(lambda move: move.move_type == "out_invoice" and move.state != "cancel")
        return self.invoice_status == "invoiced" and bool(invoices) and all(
            move.state == "posted" and move.payment_state in ("paid", "in_payment") for move in invoices)

    def action_bigcommerce_mark_paid(self):
        """Mark the order paid in BigCommerce now and say what happened."""
        self.ensure_one()
        if not (self.bigcommerce_order_id and self.bigcommerce_instance_id.mark_order_paid
                and self._bigcommerce_paid_in_odoo()):
            raise UserError(_("%(order)s can be marked as paid in BigCommerce once it is fully invoiced and its "
                              "invoices are paid, on a store with Mark Order as Paid? on.", order=self.name))
        self._bigcommerce_lock_for_store_change()
        with self.bigcommerce_instance_id._user_errors():
            plan, message = self._bigcommerce_mark_paid()
        jobs = self.env["marketplace.queue.job"]
        if plan.action == CAPTURE and self.bigcommerce_payment_status == "captured":
            return jobs._notification(_("Captured in BigCommerce"), message)
        if plan.action == CAPTURE:
            return jobs._notification(_("Capture asked in BigCommerce"), message)
        if plan.action:
            return jobs._notification(_("Marked as paid in BigCommerce"), message)
        return jobs._notification(_("Nothing sent to BigCommerce"), message, notification_type=(
            "warning" if plan.reason in (NOT_OFFLINE, ORDER_CLOSED) else "info"))

    def _bigcommerce_queue_mark_paid(self):
        """The automatic mode: queue the orders whose last invoice payment made them paid in Odoo."""
        for order in self.filtered(lambda order: order.bigcommerce_instance_id.mark_order_paid
                                   and order._bigcommerce_paid_in_odoo()):
            self.env["marketplace.queue.line"]._enqueue(
                order.bigcommerce_instance_id.marketplace_instance_id, MARK_PAID,
                [{"external_id": order.bigcommerce_order_id, "name": order.name, "payload": {"sale_order_id": order.id}}],
                job_name=_("Paid orders to %(store)s, %(day)s", store=order.bigcommerce_instance_id.name,
                           day=fields.Date.context_today(self)),
                reuse_job=True,
            )

    def _bigcommerce_lock_for_mark_paid(self):
        """The queue waits for a Mark as Paid clicked meanwhile, then reads what it did."""
        self.flush_recordset()
        self.env.cr.execute(SQL("SELECT id FROM sale_order WHERE id = %s FOR UPDATE", self.id))

    def _bigcommerce_mark_paid(self):
        """Read the BigCommerce order again and do what ``plan_mark_paid`` says: capture its
        authorised payment, or move it from Awaiting Payment to Awaiting Fulfillment. Its
        BigCommerce status and payment status are refreshed; the store's log (and the chatter,
        when something was sent) says which. Returns the plan and that message.

        Exactly once: a capture already asked for shows as ``capture pending`` on the next read,
        and the client reads it back when an answer is lost (``capture_payment``)."""
        self.ensure_one()
        instance, order_id = self.bigcommerce_instance_id, self.bigcommerce_order_id
        with instance._bigcommerce_client() as client:
            order = client.get_order(order_id, include=None)
            plan = plan_mark_paid(order["status_id"], order.get("payment_status"),
                                  client.iter_order_transactions(order_id))
            if plan.action == CAPTURE:
                client.capture_payment(order_id)
                order = client.get_order(order_id, include=None)
            elif plan.action == AWAITING_FULFILLMENT:
                order = client.update_order(order_id, {"status_id": STATUS_AWAITING_FULFILLMENT})
        self._bigcommerce_write_store_status(order)
        payment = dict(self._fields["bigcommerce_payment_status"]._description_selection(self.env)).get(
            self.bigcommerce_payment_status) or order.get("payment_status") or _("none")
        values = {"order": self.name, "id": order_id, "status": order.get("status"), "payment": payment}
        if plan.action == CAPTURE and self.bigcommerce_payment_status == "captured":
            message = _("%(order)s: the authorised card payment of BigCommerce order #%(id)s is captured.", **values)
        elif plan.action == CAPTURE:
            message = _("%(order)s: the capture of the authorised card payment of BigCommerce order #%(id)s was asked "
                        "for (payment now “%(payment)s”; the gateway answers later, the next import shows it).",
                        **values)
        elif plan.action == AWAITING_FULFILLMENT:
            message = _("%(order)s: BigCommerce order #%(id)s marked as paid: its offline payment is recorded and the "
                        "order is now “%(status)s”.", **values)
        elif plan.reason == CAPTURE_PENDING:
            message = _("%(order)s: the capture of BigCommerce order #%(id)s was already asked for and the gateway "
                        "has not answered yet (payment “%(payment)s”): nothing sent again.", **values)
        elif plan.reason == ALREADY_PAID:
            message = _("%(order)s: BigCommerce order #%(id)s is already paid in BigCommerce (payment "
                        "“%(payment)s”): nothing to do.", **values)
        elif plan.reason == ORDER_CLOSED:
            message = _("%(order)s: BigCommerce order #%(id)s is “%(status)s”, so its authorised payment is not "
                        "captured. Check the order in BigCommerce.", **values)
        elif plan.reason == NOT_OFFLINE:
            message = _("%(order)s: BigCommerce order #%(id)s awaits a payment its gateway has not settled (payment "
                        "“%(payment)s”), so Odoo does not mark it paid. Check the payment in BigCommerce.", **values)
        else:
            message = _("%(order)s: BigCommerce order #%(id)s is “%(status)s”, not awaiting payment: left as it is.",
                        **values)
        if plan.action:
            self.message_post(body=message)
        instance._log(message, level="warning" if plan.reason in (NOT_OFFLINE, ORDER_CLOSED) else "info",
                      record=self)
        return plan, message
