from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..bigcommerce.refunds import payment_state


class BigCommerceOrderCancelWizard(models.TransientModel):
    """Cancel In BigCommerce, asked from a sale order cancelled in Odoo."""

    _name = "bc.order.cancel.wizard"
    _description = "Cancel In BigCommerce"

    sale_order_id = fields.Many2one("sale.order", required=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="sale_order_id.currency_id")
    reason = fields.Text(string="Cancel Reason", help="Recorded in the order's chatter: BigCommerce's API takes no reason.")
    refund_payments = fields.Boolean(help="Refund to the customer, through the order's gateway, what it captured.")
    refundable_amount = fields.Monetary(readonly=True, help="What the order's gateway captured and has not refunded.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        order = self.env["sale.order"].browse(values.get("sale_order_id")).exists()
        if not order.bigcommerce_can_cancel_in_store:
            raise UserError(_("Only a BigCommerce order cancelled in Odoo, in a status its store may cancel from, can "
                              "be cancelled in BigCommerce."))
        # Read when the wizard opens: Refund Payments is offered only when there is money to give back.
        instance = order.bigcommerce_instance_id
        with instance._user_errors(), instance._bigcommerce_client() as client:
            state = payment_state(client.iter_order_transactions(order.bigcommerce_order_id))
        values["refundable_amount"] = float(state.refundable)
        return values

    def action_cancel_order(self):
        self.ensure_one()
        return self.sale_order_id._bigcommerce_cancel_in_store(
            self.reason, self.refund_payments and self.refundable_amount > 0)
