"""Refund In BigCommerce: a posted credit note reversing the invoice of one BigCommerce order
is refunded in BigCommerce, once: quoted first, its lines as refund items, then refunded
through a method the quote offers. The rules are the pure core's (``bigcommerce/refunds.py``)."""
from decimal import Decimal

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_repr, format_amount

from ..bigcommerce.errors import BigCommerceError, ValidationError
from ..bigcommerce.refunds import (
    RefundRefused, credit_line, declined_payments, fully_declined, quantities_left, quote_refusal, quote_shortfall,
    refund_for_reference, refund_items, refund_method_key, refund_methods, refund_reason, refund_total, with_deduction,
)
from .bc_translate import translate


class AccountMove(models.Model):
    _inherit = "account.move"

    bigcommerce_can_refund_in_store = fields.Boolean(compute="_compute_bigcommerce_can_refund_in_store")
    bigcommerce_refund_declined = fields.Boolean(
        string="BigCommerce Refund Declined", readonly=True, copy=False,
        help="The payment gateway declined the BigCommerce refund of this credit note: it gave nothing back.")
    bigcommerce_refund_declined_message = fields.Char(
        string="BigCommerce Decline Message", readonly=True, copy=False,
        help="What the payment gateway said when it declined the refund.")

    def _bigcommerce_refund_sale_order(self):
        """The sale orders this credit note credits: those of its lines and of the invoice it reverses."""
        return (self.invoice_line_ids.sale_line_ids | self.reversed_entry_id.invoice_line_ids.sale_line_ids).order_id

    def _bigcommerce_refund_blocker(self):
        """Why this credit note cannot be refunded in BigCommerce now (a sentence), or ""."""
        self.ensure_one()
        if self.move_type != "out_refund" or self.state != "posted":
            return _("Only a posted credit note can be refunded in BigCommerce.")
        if not self.reversed_entry_id:
            return _("Credit note %(move)s does not reverse an invoice: only a credit note made from the invoice of a "
                     "BigCommerce order can be refunded in BigCommerce.", move=self.name)
        orders = self._bigcommerce_refund_sale_order()
        if len(orders) != 1 or not orders.bigcommerce_order_id:
            return _("Credit note %(move)s must credit the invoice of exactly one BigCommerce order to be refunded in "
                     "BigCommerce.", move=self.name)
        if self.bigcommerce_refund_id and not self.bigcommerce_refund_declined:
            return _("Credit note %(move)s is already refunded in BigCommerce (refund %(refund)s).",
                     move=self.name, refund=self.bigcommerce_refund_id)
        return ""

    @api.depends("move_type", "state", "reversed_entry_id", "bigcommerce_refund_id", "bigcommerce_refund_declined",
                 "invoice_line_ids.sale_line_ids.order_id.bigcommerce_order_id")
    def _compute_bigcommerce_can_refund_in_store(self):
        for move in self:
            move.bigcommerce_can_refund_in_store = move.move_type == "out_refund" and not move._bigcommerce_refund_blocker()

    def action_bigcommerce_refund_in_store(self):
        self.ensure_one()
        # Made before it is shown: its Refund Method offers the quote's methods, records of the wizard.
        wizard = self.env["bc.credit.note.refund.wizard"].with_context(default_move_id=self.id).create({})
        return {
            "type": "ir.actions.act_window", "res_model": wizard._name, "res_id": wizard.id, "view_mode": "form",
            "views": [[False, "form"]], "target": "new", "name": _("Refund In BigCommerce"),
        }

    def action_bigcommerce_check_refund(self):
        """Read the credit note's BigCommerce refund again: the gateway may have declined it since."""
        self.ensure_one()
        order = self._bigcommerce_refund_sale_order()[:1]
        instance = order.bigcommerce_instance_id
        if not self.bigcommerce_refund_id or not instance:
            raise UserError(_("Credit note %(move)s has no BigCommerce refund to check.", move=self.name))
        with instance._user_errors(), instance._bigcommerce_client() as client:
            self._bigcommerce_update_refund_states(client.iter_order_refunds(order.bigcommerce_order_id))
            order._bigcommerce_write_store_status(client.get_order(order.bigcommerce_order_id, include=None))
        if self.bigcommerce_refund_declined:
            return self.env["marketplace.queue.job"]._notification(
                _("Refund declined"), self.bigcommerce_refund_declined_message, notification_type="warning")
        return self.env["marketplace.queue.job"]._notification(
            _("Refund accepted"), _("BigCommerce refund %(refund)s was not declined.", refund=self.bigcommerce_refund_id))

    # ------------------------------------------------------------------ the refund
    def _bigcommerce_credit_lines(self):
        """The credit note's lines as the pure core's CreditLine, amounts tax included, in Decimal."""
        instance = self._bigcommerce_refund_sale_order().bigcommerce_instance_id
        not_order_products = instance.wrapping_product_id | instance.discount_product_id | instance.shipping_product_id
        digits = self.currency_id.decimal_places
        lines = []
        for line in self.invoice_line_ids.filtered(lambda aml: aml.display_type == "product"):
            sale_line = line.sale_line_ids[:1]
            lines.append(credit_line(
                line.name or line.product_id.display_name, Decimal(float_repr(line.quantity, 6)),
                Decimal(float_repr(line.price_total, digits)),
                order_product_id=sale_line.bigcommerce_order_product_id,
                order_address_id=sale_line.bigcommerce_order_address_id,
                shipping=bool(line.product_id) and line.product_id == instance.shipping_product_id,
                service=line.product_id in not_order_products))
        return lines

    def _bigcommerce_refund_quote(self, client, description=""):
        """(items, quote, refusal): the refund items of this credit note, BigCommerce's quote for
        them, and why it must not be sent ("" when it may). A refusal comes with no quote when the
        credit note asks for what BigCommerce does not have, or BigCommerce refused to quote it."""
        order = self._bigcommerce_refund_sale_order()
        order_id = order.bigcommerce_order_id
        try:
            items = refund_items(order_id, self._bigcommerce_credit_lines(),
                                 quantities_left(client.iter_order_products(order_id)),
                                 refund_reason(self.name, description),
                                 shipping_costs={address["id"]: address.get("cost_inc_tax")
                                                 for address in client.iter_order_shipping_addresses(order_id)})
        except RefundRefused as refused:
            return [], {}, translate(self.env, refused.args[0])
        requested = Decimal(float_repr(self.amount_total, self.currency_id.decimal_places))
        try:
            quote = client.create_refund_quote(order_id, {"items": items})
            # Less than the products' price (a goodwill or restocking deduction): BigCommerce refunds
            # the items minus that deduction.
            shortfall = quote_shortfall(quote, requested, len(items))
            deducted = shortfall and with_deduction(
                items, shortfall, _("Credit note %(move)s gives back less than the price", move=self.name))
            if deducted:
                items, quote = deducted, client.create_refund_quote(order_id, {"items": deducted})
        except ValidationError as error:  # 422: e.g. more shipping than the address cost, or than is left
            return items, {}, _("BigCommerce will not refund what credit note %(move)s asks for: %(details)s",
                                move=self.name, details="; ".join(map(str, error.details)) or error)
        refusal = quote_refusal(quote, requested, len(items))
        return items, quote, translate(self.env, refusal) if refusal else ""

    def _bigcommerce_refund_in_store(self, description, method_key):
        """Refund this credit note in BigCommerce through the quote's alternative ``method_key``
        (see refunds.refund_method_key), after checking again, under the order's lock, that it is
        refundable and that BigCommerce holds no refund made for it already. Returns a notification."""
        self.ensure_one()
        blocker = self._bigcommerce_refund_blocker()
        if blocker:
            raise UserError(blocker)
        order = self._bigcommerce_refund_sale_order()
        # One refund of an order at a time (BigCommerce forbids concurrent ones), and never twice:
        # a second user or click waits for nothing and is told; then what the first did is read.
        order._bigcommerce_lock_for_store_change()
        self.invalidate_recordset(["bigcommerce_refund_id", "bigcommerce_refund_declined", "state"])
        blocker = self._bigcommerce_refund_blocker()
        if blocker:
            raise UserError(blocker)
        instance, order_id = order.bigcommerce_instance_id, order.bigcommerce_order_id
        with instance._user_errors(), instance._bigcommerce_client() as client:
            refunds = list(client.iter_order_refunds(order_id))
            self._bigcommerce_update_refund_states(refunds)
            # A refund made for this credit note whose answer never reached Odoo (a timeout, a
            # transaction rolled back) is recorded, not made again.
            refund = refund_for_reference(refunds, self.name)
            if not refund:
                items, quote, refusal = self._bigcommerce_refund_quote(client, description)
                if refusal:
                    raise UserError(refusal)
                payments = next((payments for _label, payments in refund_methods(quote)
                                 if refund_method_key(payments) == method_key), None)
                if payments is None:
                    raise UserError(_("BigCommerce no longer offers the refund method you chose for order #%(id)s. "
                                      "Open Refund In BigCommerce again to see what it offers now.", id=order_id))
                refund = client.create_refund(order_id, {"items": items, "payments": payments})
            self._bigcommerce_record_pushed_refund(refund, order, found=refund in refunds, description=description)
            try:
                order._bigcommerce_write_store_status(client.get_order(order_id, include=None))
            except BigCommerceError as error:  # the refund is made and recorded: keep it
                instance._log(_("Refund %(refund)s is recorded, but order #%(id)s could not be read back: %(error)s",
                                refund=refund["id"], id=order_id, error=translate(self.env, error.user_message)),
                              level="warning", record=self)
        if self.bigcommerce_refund_declined:
            return self.env["marketplace.queue.job"]._notification(
                _("Refund declined"), self.bigcommerce_refund_declined_message, notification_type="warning")
        return self.env["marketplace.queue.job"]._notification(
            _("Refunded in BigCommerce"), _("Credit note %(move)s refunded in BigCommerce (refund %(refund)s).",
                                            move=self.name, refund=refund["id"]))

    def _bigcommerce_record_pushed_refund(self, refund, order, found=False, description=""):
        """Store ``refund`` on the credit note and on its order's recorded refunds, so that it is
        never recorded again as another credit note; the chatter and the store's log say so."""
        recorded = list(order.bigcommerce_recorded_refund_ids or [])
        if refund["id"] not in recorded:
            order.bigcommerce_recorded_refund_ids = [*recorded, refund["id"]]
        self.write({"bigcommerce_refund_id": str(refund["id"]), **self._bigcommerce_declined_values(refund)})
        amount = format_amount(self.env, float(refund_total(refund)), self.currency_id)
        if found:
            message = _("BigCommerce refund %(refund)s (%(amount)s) of order #%(id)s was already made for this credit "
                        "note: recorded, not sent again.", refund=refund["id"], amount=amount,
                        id=order.bigcommerce_order_id)
        else:
            message = _("Refunded in BigCommerce by %(user)s: refund %(refund)s of order #%(id)s, %(amount)s.",
                        user=self.env.user.name, refund=refund["id"], id=order.bigcommerce_order_id, amount=amount)
        body = Markup("%s<br/>%s %s") % (message, _("Refund Description:"), description or _("none given"))
        if self.bigcommerce_refund_declined_message:
            body += Markup("<br/>%s") % self.bigcommerce_refund_declined_message
        self.message_post(body=body)
        order.message_post(body=body)
        instance = order.bigcommerce_instance_id
        instance._log(message, record=self)
        if self.bigcommerce_refund_declined:
            instance._log(self.bigcommerce_refund_declined_message, level="warning", record=self)

    def _bigcommerce_declined_values(self, refund):
        declined = declined_payments(refund)
        message = False
        if declined:
            message = _("The payment gateway declined BigCommerce refund %(refund)s: %(messages)s.", refund=refund["id"],
                        messages="; ".join(text or provider for provider, text in declined))
            if fully_declined(refund):
                message += " " + _("Nothing was given back: refund the credit note in BigCommerce again.")
        return {"bigcommerce_refund_declined": fully_declined(refund), "bigcommerce_refund_declined_message": message}

    @api.model
    def _bigcommerce_update_refund_states(self, refunds):
        """What the gateway did since with the refunds of these BigCommerce ``refunds`` (O3 §Refund)
        that credit notes hold: a decline shown on the credit note, its chatter and the log."""
        by_id = {str(refund["id"]): refund for refund in refunds}
        if not by_id:
            return
        moves = self.search([("bigcommerce_refund_id", "in", list(by_id)), ("move_type", "=", "out_refund")])
        for move in moves:
            values = move._bigcommerce_declined_values(by_id[move.bigcommerce_refund_id])
            if values["bigcommerce_refund_declined_message"] == (move.bigcommerce_refund_declined_message or False):
                continue
            move.write(values)
            if values["bigcommerce_refund_declined_message"]:
                move.message_post(body=values["bigcommerce_refund_declined_message"])
                move._bigcommerce_refund_sale_order()[:1].bigcommerce_instance_id._log(
                    values["bigcommerce_refund_declined_message"], level="warning", record=move)
