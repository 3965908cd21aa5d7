from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    bigcommerce_refund_id = fields.Char(string="BigCommerce Refund", readonly=True, copy=False, index="btree_not_null",
                                        help="The BigCommerce refund this credit note records.")

    def _invoice_paid_hook(self):
        result = super()._invoice_paid_hook()
        self.filtered(lambda move: move.move_type == "out_invoice").line_ids.sale_line_ids.order_id.filtered(
            "bigcommerce_order_id")._bigcommerce_queue_mark_paid()
        return result
