from odoo.tests import HttpCase, tagged

from .common import BigCommerceOrderMixin


@tagged("post_install", "-at_install")
class TestCreditNoteRefundTour(BigCommerceOrderMixin, HttpCase):
    """A back-office user refunds a credit note in BigCommerce from the browser, choosing how."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpBigCommerce()

    def test_refund_in_bigcommerce_through_the_method_the_user_chooses(self):
        self.add_workflow(confirm_order=True, create_invoice=True, post_invoice=True)
        sale_order = self.import_orders(103)
        credit_note = sale_order.invoice_ids._reverse_moves()
        credit_note.invoice_line_ids.filtered(lambda line: "TSHIRT-M" not in line.name).unlink()
        credit_note.invoice_line_ids.quantity = 1
        credit_note.action_post()
        self.start_tour(f"/odoo/action-account.action_move_out_refund_type/{credit_note.id}",
                        "bigcommerce_credit_note_refund", login="admin")
        [refund] = self.sandbox.state.orders[103]["refunds"]
        self.assertEqual([payment["provider_id"] for payment in refund["payments"]], ["storecredit"])
        self.assertEqual(refund["items"][0]["reason"], f"{credit_note.name}: Too small")
        self.assertEqual(credit_note.bigcommerce_refund_id, str(refund["id"]))
