"""Cancel In BigCommerce: an order cancelled in Odoo is cancelled in BigCommerce too, its
authorisation voided or, when asked, its captured money refunded; and the refunds BigCommerce
holds for an order are recorded in Odoo once each (a credit note where there is an invoice).
The rules are the pure core's (``bigcommerce/refunds.py``)."""
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount

from ..bigcommerce.errors import BigCommerceError
from ..bigcommerce.refunds import (
    declined_payments, full_refund_items, plan_cancellation, refund_credit_lines, refund_methods, refund_total,
)
from ..bigcommerce.workflows import PAYMENT_STATUSES, normalize_payment_status
from ..const import STATUS_CANCELLED
from .bc_translate import translate


class SaleOrder(models.Model):
    _inherit = "sale.order"

    bigcommerce_can_cancel_in_store = fields.Boolean(compute="_compute_bigcommerce_can_cancel_in_store")
    bigcommerce_recorded_refund_ids = fields.Json(
        readonly=True, copy=False, help="Technical: the BigCommerce refunds of this order already recorded in Odoo.")

    @api.depends("state", "bigcommerce_status_id", "bigcommerce_instance_id.order_status_ids.allow_cancellation")
    def _compute_bigcommerce_can_cancel_in_store(self):
        statuses = self.env["bc.order.status"].sudo().search([
            ("instance_id", "in", self.bigcommerce_instance_id.ids), ("allow_cancellation", "=", True)])
        allowed = {(status.instance_id.id, status.bc_id) for status in statuses}
        for order in self:
            order.bigcommerce_can_cancel_in_store = bool(order.bigcommerce_order_id) and order.state == "cancel" and (
                order.bigcommerce_instance_id.id, str(order.bigcommerce_status_id)) in allowed

    def _get_invoiced(self):
        result = super()._get_invoiced()
        # A credit note of a BigCommerce refund may keep no line of the order (an order-level amount):
        # it is the order's all the same.
        for order in self.filtered("bigcommerce_order_id"):
            refunds = order.invoice_ids.reversal_move_ids.filtered("bigcommerce_refund_id") - order.invoice_ids
            if refunds:
                order.invoice_ids |= refunds
                order.invoice_count = len(order.invoice_ids)
        return result

    def action_bigcommerce_cancel_in_store(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "res_model": "bc.order.cancel.wizard", "view_mode": "form",
            "views": [[False, "form"]], "target": "new", "name": _("Cancel In BigCommerce"),
            "context": {"default_sale_order_id": self.id},
        }

    def _bigcommerce_lock_for_store_change(self):
        """Only one person at a time changes this order in BigCommerce: a second one is told at
        once instead of sending the same cancellation or refund again."""
        self.flush_recordset()
        # SKIP LOCKED: a lock someone else holds returns no row, instead of an error (and an ERROR
        # line in the server log) that NOWAIT would raise.
        self.env.cr.execute(SQL("SELECT id FROM sale_order WHERE id = %s FOR UPDATE SKIP LOCKED", self.id))
        if not self.env.cr.fetchone():
            raise UserError(_("Someone else is changing %(order)s in BigCommerce right now. Wait a moment, then "
                              "reload the order: it shows what they did.", order=self.name))

    def _bigcommerce_cancel_in_store(self, reason, refund_payments):
        """Cancel the BigCommerce order after reading it again: void its authorisation, refund what
        its gateway took when ``refund_payments``, set it Cancelled; ``reason`` goes to the chatter
        (BigCommerce's API takes none). Returns the notification saying what happened."""
        self.ensure_one()
        self._bigcommerce_lock_for_store_change()
        instance = self.bigcommerce_instance_id
        allowed = instance.order_status_ids.filtered("allow_cancellation").mapped("bc_id")
        order_id = self.bigcommerce_order_id
        done = []
        with instance._user_errors(), instance._bigcommerce_client() as client:
            order = client.get_order(order_id, include=None)
            # A refund BigCommerce made and Odoo never recorded (a run cut short) is recorded first.
            self._bigcommerce_record_refunds(client.iter_order_refunds(order_id))
            plan = plan_cancellation(order["status_id"], allowed, client.iter_order_transactions(order_id),
                                     refund_payments, order.get("payment_status"))
            if plan.blocker == "already_cancelled":
                self._bigcommerce_write_store_status(order)
                message = _("BigCommerce order #%(id)s was already cancelled in BigCommerce: nothing more to do.",
                            id=order_id)
                self.message_post(body=message)
                instance._log(message, record=self)
                return self.env["marketplace.queue.job"]._notification(
                    _("Already cancelled in BigCommerce"), message, notification_type="info")
            if plan.blocker:
                raise UserError(_(
                    "BigCommerce order #%(id)s is “%(status)s” now, a status this store does not cancel from (see "
                    "Allow Cancellation on the store's Store Data tab). Nothing was changed in BigCommerce.",
                    id=order_id, status=order.get("status") or order["status_id"]))
            if plan.void:
                client.void_payment(order_id)
                done.append(_("its payment authorisation voided"))
            if plan.refund_amount:
                refund = self._bigcommerce_push_refund(client, full_refund_items(order_id, plan.refund_amount), reason)
                declined = declined_payments(refund)
                if declined:
                    raise UserError(_(
                        "The gateway declined the refund of BigCommerce order #%(id)s: %(messages)s. The order was "
                        "not cancelled in BigCommerce; try again, or cancel without Refund Payments.", id=order_id,
                        messages="; ".join(message or provider for provider, message in declined)))
                self._bigcommerce_record_refunds([refund])
                done.append(_("%(amount)s refunded", amount=format_amount(self.env, float(plan.refund_amount),
                                                                        self.currency_id)))
            try:
                order = client.update_order(order_id, {"status_id": STATUS_CANCELLED})
            except BigCommerceError as error:
                if not done:
                    raise
                # The money part happened and is recorded: keep it, and say what is left to do.
                self._bigcommerce_write_store_status(client.get_order(order_id, include=None))
                message = _("BigCommerce order #%(id)s: %(done)s, but BigCommerce did not set it Cancelled: %(error)s "
                            "Set it Cancelled in BigCommerce's control panel.", id=order_id, done=", ".join(done),
                            error=translate(self.env, error.user_message))
                self.message_post(body=message)
                instance._log(message, level="error", record=self)
                return self.env["marketplace.queue.job"]._notification(
                    _("Not cancelled in BigCommerce"), message, notification_type="danger")
        self._bigcommerce_write_store_status(order)
        summary = _("BigCommerce order #%(id)s cancelled in BigCommerce", id=order_id)
        if done:
            summary += ", " + ", ".join(done)
        self.message_post(body=Markup("%s.<br/>%s %s") % (summary, _("Reason:"), reason or _("none given")))
        instance._log(summary + ".", record=self)
        return self.env["marketplace.queue.job"]._notification(_("Cancelled in BigCommerce"), summary + ".")

    def _bigcommerce_push_refund(self, client, items, reason):
        """Quote ``items``, then refund them through the first way the quote offers (the order's own
        gateway first, as BigCommerce lists them). The client creates a refund at most once."""
        if reason:
            items = [dict(item, reason=reason[:1000]) for item in items]
        quote = client.create_refund_quote(self.bigcommerce_order_id, {"items": items})
        methods = refund_methods(quote)
        if not methods:
            raise UserError(_("BigCommerce offers no way to refund order #%(id)s (its quote lists no refund method).",
                              id=self.bigcommerce_order_id))
        return client.create_refund(self.bigcommerce_order_id, {"items": items, "payments": methods[0][1]})

    def _bigcommerce_write_store_status(self, order):
        payment_status = normalize_payment_status(order.get("payment_status"))
        self.write({
            "bigcommerce_status": order.get("status"), "bigcommerce_status_id": order["status_id"],
            "bigcommerce_payment_status": payment_status if payment_status in dict(PAYMENT_STATUSES) else False,
        })

    def _bigcommerce_record_refunds(self, refunds):
        """Record each BigCommerce refund of this order in Odoo once, as a posted credit note of its
        invoice where Odoo can make one that equals the refund (``_bigcommerce_credit_note``).
        Otherwise the chatter says so and, with an invoice, an activity asks for the credit note.
        Refunds whose payments the gateway all declined gave nothing back: not recorded."""
        self.ensure_one()
        recorded = list(self.bigcommerce_recorded_refund_ids or [])
        instance = self.bigcommerce_instance_id
        for refund in refunds:
            payments = refund.get("payments") or []
            if refund["id"] in recorded or (payments and len(declined_payments(refund)) == len(payments)):
                continue
            recorded.append(refund["id"])
            shown = format_amount(self.env, float(refund_total(refund)), self.currency_id)
            invoices = self.invoice_ids.filtered(lambda move: move.move_type == "out_invoice" and move.state == "posted")
            credit_note = self._bigcommerce_credit_note(invoices, refund) if len(invoices) == 1 else None
            if credit_note:
                message = _("BigCommerce refund %(refund)s (%(amount)s) recorded as credit note %(move)s.",
                            refund=refund["id"], amount=shown, move=credit_note.name)
                instance._log(message, record=credit_note)
            elif invoices:
                message = _("BigCommerce refund %(refund)s gave back %(amount)s, part of the invoiced amount: make the "
                            "credit note for it from the invoice.", refund=refund["id"], amount=shown)
                self.activity_schedule("mail.mail_activity_data_todo", summary=_("Credit note for a BigCommerce refund"),
                                       note=message, user_id=(self.user_id or instance.user_id or self.env.user).id)
                instance._log(message, level="warning", record=self)
            else:
                message = _("BigCommerce refund %(refund)s gave back %(amount)s. The order has no invoice, so no "
                            "credit note was made.", refund=refund["id"], amount=shown)
                instance._log(message, record=self)
            self.message_post(body=message)
        self.bigcommerce_recorded_refund_ids = recorded

    def _bigcommerce_credit_note(self, invoice, refund):
        """The posted credit note of ``invoice`` that equals ``refund``: the whole invoice reversed, or
        the refund's lines (``account.move._bigcommerce_reduce_to_refund``). None when Odoo cannot make
        one by itself (an item the refund does not price, a total that differs)."""
        amount = refund_total(refund)
        credited = self.invoice_ids.filtered(lambda move: move.move_type == "out_refund" and move.state != "cancel")
        whole = not credited and not invoice.currency_id.compare_amounts(float(amount), invoice.amount_total)
        lines = [] if whole else refund_credit_lines(
            refund, set(self.order_line.mapped("bigcommerce_order_product_id")) - {0})
        if not whole and (not lines or any(line.kind == "unpriced" for line in lines)):
            return None
        with self.env.cr.savepoint() as savepoint:
            credit_note = invoice._reverse_moves([{
                "ref": _("BigCommerce refund %(refund)s", refund=refund["id"]),
                "bigcommerce_refund_id": str(refund["id"]),
            }])
            if lines and not credit_note._bigcommerce_reduce_to_refund(lines, amount, self.bigcommerce_instance_id):
                savepoint.rollback()
                return None
            credit_note.action_post()
        # The money went back the way it came in: paid invoice, paid credit note, same journal.
        journal = invoice._get_reconciled_payments().journal_id[:1]
        if journal:
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=credit_note.ids,
            ).create({"journal_id": journal.id})._create_payments()
        return credit_note
