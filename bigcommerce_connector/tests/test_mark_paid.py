from odoo.tests import tagged

from .common import BigCommerceOrderCase

AWAITING_PAYMENT, AWAITING_FULFILLMENT = 7, 11


@tagged("post_install", "-at_install")
class TestMarkAsPaid(BigCommerceOrderCase):
    """An order paid offline (bank deposit) is marked paid in BigCommerce when its invoice is paid in Odoo."""

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        self.add_workflow("pending", confirm_order=True, create_invoice=True, post_invoice=True)

    def pay(self, sale_order):
        invoice = sale_order.invoice_ids
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"journal_id": self.bank_journal.id})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_paid_invoice_marks_the_order_paid_in_bigcommerce(self):
        self.instance.mark_order_paid = True
        sale_order = self.import_orders(102)
        self.assertEqual(self.bc_order(102)["status_id"], AWAITING_PAYMENT)
        self.pay(sale_order)
        self.run_queue()
        self.assertEqual(self.bc_order(102)["status_id"], AWAITING_FULFILLMENT)
        self.assertEqual(sale_order.bigcommerce_status, "Awaiting Fulfillment")
        self.assertIn("marked as paid", sale_order.message_ids[0].body)

    def test_without_the_option_nothing_is_sent(self):
        self.instance.mark_order_paid = False
        sale_order = self.import_orders(102)
        self.pay(sale_order)
        self.run_queue()
        self.assertFalse(self.Line.search([("operation", "=", "bigcommerce_mark_paid")]))
        self.assertEqual(self.bc_order(102)["status_id"], AWAITING_PAYMENT)

    def test_an_order_already_past_awaiting_payment_is_left_alone(self):
        self.instance.mark_order_paid = True
        sale_order = self.import_orders(102)
        self.bc_order(102)["status_id"] = 9  # the merchant moved it on in BigCommerce meanwhile
        self.pay(sale_order)
        self.run_queue()
        self.assertEqual(self.bc_order(102)["status_id"], 9)
        line = self.Line.search([("operation", "=", "bigcommerce_mark_paid")])
        self.assertEqual(line.state, "done")
        self.assertIn("not awaiting payment", line.log_ids.message)
