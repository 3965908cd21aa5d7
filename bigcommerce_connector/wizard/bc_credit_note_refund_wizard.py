from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..bigcommerce.money import to_decimal
from ..bigcommerce.refunds import refund_for_reference, refund_method_key, refund_methods, refund_total


class BigCommerceCreditNoteRefundWizard(models.TransientModel):
    """Refund In BigCommerce, asked from a posted credit note: BigCommerce's quote for its lines."""

    _name = "bc.credit.note.refund.wizard"
    _description = "Refund In BigCommerce"

    move_id = fields.Many2one("account.move", string="Credit Note", required=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="move_id.currency_id")
    requested_amount = fields.Monetary(string="Credit Note Total", readonly=True, help="Tax included.")
    refundable_amount = fields.Monetary(readonly=True,
                                        help="What BigCommerce's quote refunds for the credit note's lines, tax included.")
    method_ids = fields.One2many("bc.credit.note.refund.method", "wizard_id", readonly=True)
    method_id = fields.Many2one("bc.credit.note.refund.method", string="Refund Method",
                                domain="[('wizard_id', '=', id)]",
                                help="How the money goes back, among the alternatives BigCommerce's quote offers.")
    description = fields.Text(string="Refund Description",
                              help="Sent to BigCommerce as the reason of the refund, after the credit note's number.")
    refusal = fields.Text(readonly=True, help="Why BigCommerce cannot refund this credit note as it is.")
    existing_refund_id = fields.Char(string="Refund Already Made", readonly=True,
                                     help="A BigCommerce refund made for this credit note whose answer never reached Odoo.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        move = self.env["account.move"].browse(values.get("move_id")).exists()
        if not move or not move.bigcommerce_can_refund_in_store:
            raise UserError(move._bigcommerce_refund_blocker() if move else _("Open this from a credit note."))
        instance = move._bigcommerce_refund_sale_order().bigcommerce_instance_id
        # Read when the wizard opens, and quoted again when it is confirmed.
        with instance._user_errors(), instance._bigcommerce_client() as client:
            order_id = move._bigcommerce_refund_sale_order().bigcommerce_order_id
            existing = refund_for_reference(client.iter_order_refunds(order_id), move.name)
            if existing:  # made already, its answer lost: confirming records it
                values.update(requested_amount=move.amount_total, existing_refund_id=str(existing["id"]),
                              refundable_amount=float(refund_total(existing)))
                return values
            _items, quote, refusal = move._bigcommerce_refund_quote(client)
        values.update(requested_amount=move.amount_total, refusal=refusal or False,
                      refundable_amount=float(to_decimal(str(quote.get("total_refund_amount") or 0))))
        values["method_ids"] = [(0, 0, {"name": label, "key": refund_method_key(payments), "sequence": index})
                                for index, (label, payments) in enumerate(refund_methods(quote))]
        return values

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards.filtered(lambda w: not w.method_id and w.method_ids):
            wizard.method_id = wizard.method_ids[:1]  # the order's own gateway comes first
        return wizards

    def action_refund(self):
        self.ensure_one()
        if self.refusal:
            raise UserError(self.refusal)
        if not self.method_id and not self.existing_refund_id:
            raise UserError(_("Choose how BigCommerce gives the money back (Refund Method)."))
        return self.move_id._bigcommerce_refund_in_store(self.description, self.method_id.key)


class BigCommerceCreditNoteRefundMethod(models.TransientModel):
    """One alternative of a refund quote's ``refund_methods``."""

    _name = "bc.credit.note.refund.method"
    _description = "BigCommerce Refund Method"
    _order = "sequence, id"

    wizard_id = fields.Many2one("bc.credit.note.refund.wizard", required=True, ondelete="cascade")
    sequence = fields.Integer()
    name = fields.Char(required=True, readonly=True)
    key = fields.Char(required=True, readonly=True)
