from odoo.tests import HttpCase, tagged

from .common import BigCommerceOrderMixin


@tagged("post_install", "-at_install")
class TestCancelOrderTour(BigCommerceOrderMixin, HttpCase):
    """A back-office user cancels an invoiced BigCommerce order and refunds it, from the browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpBigCommerce()

    def test_cancel_in_bigcommerce_with_refund(self):
        self.add_workflow(confirm_order=True, create_invoice=True, post_invoice=True)
        sale_order = self.import_orders(103)
        self.start_tour(f"/odoo/action-sale.action_orders/{sale_order.id}", "bigcommerce_cancel_order", login="admin")
        order = self.bc_order(103)
        self.assertEqual((order["status_id"], order["payment_status"]), (5, "refunded"))
        credit_note = sale_order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")
        self.assertEqual((credit_note.state, credit_note.reversed_entry_id), ("posted", sale_order.invoice_ids - credit_note))
