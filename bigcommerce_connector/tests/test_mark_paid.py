from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from ..bigcommerce.client import BigCommerceClient
from .common import BigCommerceOrderCase

AWAITING_PAYMENT, AWAITING_SHIPMENT, AWAITING_FULFILLMENT = 7, 9, 11


@tagged("post_install", "-at_install")
class TestMarkAsPaid(BigCommerceOrderCase):
    """Mark as Paid in BigCommerce, by the button on the order or by itself once its invoice is
    paid in Odoo: an authorised card payment is captured, an offline one (bank deposit) moves the
    order out of Awaiting Payment."""

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
        self.instance.mark_order_paid = True
        # Order 102: bank deposit, awaiting payment. Order 104: card authorised, awaiting shipment.
        self.add_workflow("pending", confirm_order=True, create_invoice=True, post_invoice=True)
        self.add_workflow("authorized", confirm_order=True, create_invoice=True, post_invoice=True)

    def pay(self, sale_order):
        invoice = sale_order.invoice_ids
        sale_order.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"journal_id": self.bank_journal.id})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def click(self, sale_order):
        sale_order.invalidate_recordset(["bigcommerce_can_mark_paid"])
        self.assertTrue(sale_order.bigcommerce_can_mark_paid, "the button is shown")
        return sale_order.action_bigcommerce_mark_paid()["params"]

    def capture_calls(self):
        return patch.object(BigCommerceClient, "capture_payment", autospec=True,
                            side_effect=BigCommerceClient.capture_payment)

    # ------------------------------------------------------------ automatic mode
    def test_paid_invoice_marks_the_order_paid_in_bigcommerce(self):
        sale_order = self.import_orders(102)
        self.assertEqual(self.bc_order(102)["status_id"], AWAITING_PAYMENT)
        self.pay(sale_order)
        self.run_queue()
        self.assertEqual(self.bc_order(102)["status_id"], AWAITING_FULFILLMENT)
        self.assertEqual(sale_order.bigcommerce_status, "Awaiting Fulfillment")
        self.assertIn("marked as paid", sale_order.message_ids[0].body)

    def test_an_accountant_without_the_connector_rights_pays_the_invoice(self):
        sale_order = self.import_orders(102)
        accountant = self.env["res.users"].create({
            "name": "Accountant", "login": "wtm_accountant", "email": "accountant@example.com",
            "groups_id": [Command.set([self.env.ref("account.group_account_invoice").id])]})
        self.pay(sale_order.with_user(accountant))
        self.run_queue()
        self.assertEqual(self.bc_order(102)["status_id"], AWAITING_FULFILLMENT)

    def test_without_the_option_nothing_is_sent(self):
        self.instance.mark_order_paid = False
        sale_order = self.import_orders(102)
        self.pay(sale_order)
        self.run_queue()
        self.assertFalse(self.Line.search([("operation", "=", "bigcommerce_mark_paid")]))
        self.assertEqual(self.bc_order(102)["status_id"], AWAITING_PAYMENT)
        self.assertFalse(sale_order.bigcommerce_can_mark_paid, "no button either")

    def test_an_order_already_past_awaiting_payment_is_left_alone(self):
        sale_order = self.import_orders(102)
        self.bc_order(102)["status_id"] = 9  # the merchant moved it on in BigCommerce meanwhile
        self.pay(sale_order)
        self.run_queue()
        self.assertEqual(self.bc_order(102)["status_id"], 9)
        line = self.Line.search([("operation", "=", "bigcommerce_mark_paid")])
        self.assertEqual(line.state, "done")
        self.assertIn("not awaiting payment", line.log_ids.message)

    def test_paying_an_authorised_order_captures_it_once(self):
        sale_order = self.import_orders(104)
        self.pay(sale_order)
        with self.capture_calls() as capture:
            self.run_queue()
            self.run_queue()
        self.assertEqual(capture.call_count, 1)
        self.assertEqual(self.bc_order(104)["payment_status"], "captured")
        self.assertEqual(sale_order.bigcommerce_payment_status, "captured")
        self.assertIn("authorised card payment of BigCommerce order #104 is captured", sale_order.message_ids[0].body)

    # ------------------------------------------------------------ the button
    def test_the_button_shows_only_when_the_order_is_paid_in_odoo_and_not_in_bigcommerce(self):
        sale_order = self.import_orders(102)
        self.assertEqual(sale_order.invoice_status, "invoiced")
        self.assertFalse(sale_order.bigcommerce_can_mark_paid, "the invoice is not paid yet")
        self.pay(sale_order)
        self.assertTrue(sale_order.bigcommerce_can_mark_paid)
        self.instance.mark_order_paid = False
        self.assertFalse(sale_order.bigcommerce_can_mark_paid, "the store does not mark orders paid")
        self.instance.mark_order_paid = True
        self.assertTrue(sale_order.bigcommerce_can_mark_paid)
        for payment_status in ("captured", "paid", "refunded", "partially_refunded"):
            sale_order.bigcommerce_payment_status = payment_status
            self.assertFalse(sale_order.bigcommerce_can_mark_paid, payment_status)
        sale_order.bigcommerce_payment_status = "pending"
        self.assertTrue(sale_order.bigcommerce_can_mark_paid)
        salesperson = self.env["res.users"].create({
            "name": "Salesperson", "login": "wtm_salesperson",
            "groups_id": [Command.set([self.env.ref("sales_team.group_sale_salesman_all_leads").id])]})
        self.assertTrue(sale_order.with_user(salesperson).bigcommerce_can_mark_paid, "their form opens")
        # Not a BigCommerce order: nothing to mark.
        self.assertFalse(self.SaleOrder.new({"partner_id": sale_order.partner_id.id}).bigcommerce_can_mark_paid)

    def test_the_button_needs_every_invoice_paid_and_the_order_fully_invoiced(self):
        sale_order = self.import_orders(104)
        self.pay(sale_order)
        self.assertTrue(sale_order.bigcommerce_can_mark_paid)
        line = sale_order.order_line.filtered(lambda line: line.product_id.type == "consu")[:1]
        line.product_uom_qty += 1  # one more to invoice
        self.assertNotEqual(sale_order.invoice_status, "invoiced")
        self.assertFalse(sale_order.bigcommerce_can_mark_paid, "not fully invoiced")
        second = sale_order._create_invoices()
        second.action_post()
        self.assertEqual(sale_order.invoice_status, "invoiced")
        self.assertFalse(sale_order.bigcommerce_can_mark_paid, "the second invoice is not paid")
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=second.ids).create(
            {"journal_id": self.bank_journal.id})._create_payments()
        self.assertTrue(sale_order.bigcommerce_can_mark_paid)

    def test_the_button_captures_an_authorised_order_which_shows_captured_once_the_gateway_answered(self):
        self.sandbox.configure(async_payment_actions=True)
        self.addCleanup(self.sandbox.configure, async_payment_actions=False)
        sale_order = self.import_orders(104)
        self.assertEqual(sale_order.bigcommerce_payment_status, "authorized")
        self.pay(sale_order)  # queues the automatic mode too
        with self.capture_calls() as capture:
            notification = self.click(sale_order)
            self.assertEqual(notification["type"], "success")
            self.assertEqual(self.bc_order(104)["payment_status"], "capture pending")
            self.assertEqual(sale_order.bigcommerce_payment_status, "capture_pending")
            self.assertIn("Capture pending", notification["message"])
            self.assertIn("capture of the authorised card payment", sale_order.message_ids[0].body)
            # A second click, then the queued automatic mode, read the capture pending: nothing sent again.
            notification = self.click(sale_order)
            self.assertEqual(notification["type"], "info")
            self.assertIn("already asked for", notification["message"])
            self.run_queue()
        self.assertEqual(capture.call_count, 1)
        self.assertEqual(self.Line.search([("operation", "=", "bigcommerce_mark_paid")]).state, "done")
        self.sandbox.state.settle_all()  # the gateway answers
        self.import_orders(104)
        self.assertEqual(sale_order.bigcommerce_payment_status, "captured")
        self.assertFalse(sale_order.bigcommerce_can_mark_paid)
        self.assertEqual([tx["event"] for tx in self.sandbox.state.orders[104]["transactions"]],
                         ["authorization", "capture"])

    def test_a_capture_the_gateway_settles_at_once_says_captured(self):
        """A gateway that answers at once: the order is captured by the time it is read back, and the
        user is not told to wait for an answer already given (found on a real server)."""
        sale_order = self.import_orders(104)
        self.pay(sale_order)
        notification = self.click(sale_order)
        self.assertEqual(self.bc_order(104)["payment_status"], "captured")
        self.assertEqual(notification["title"], "Captured in BigCommerce")
        self.assertNotIn("answers later", notification["message"])
        self.assertIn("is captured", sale_order.message_ids[0].body)
        self.assertFalse(sale_order.bigcommerce_can_mark_paid)

    def test_the_button_moves_an_offline_order_to_awaiting_fulfillment(self):
        sale_order = self.import_orders(102)
        self.pay(sale_order)
        notification = self.click(sale_order)
        self.assertEqual(notification["title"], "Marked as paid in BigCommerce")
        self.assertEqual(self.bc_order(102)["status_id"], AWAITING_FULFILLMENT)
        self.assertEqual(sale_order.bigcommerce_status_id, AWAITING_FULFILLMENT)
        self.assertIn("offline payment is recorded", sale_order.message_ids[0].body)
        self.assertIn("offline payment is recorded", self.log_messages(sale_order)[0])
        self.assertFalse(sale_order.bigcommerce_can_mark_paid, "nothing left to mark")
        self.run_queue()  # the automatic mode, queued by the payment, finds it done
        self.assertEqual(self.bc_order(102)["status_id"], AWAITING_FULFILLMENT)

    def test_a_payment_held_for_review_is_not_marked_paid(self):
        sale_order = self.import_orders(102)
        self.pay(sale_order)
        self.bc_order(102)["payment_status"] = "held for review"  # changed in BigCommerce since the import
        notification = self.click(sale_order)
        self.assertEqual(notification["type"], "warning")
        self.assertEqual(self.bc_order(102)["status_id"], AWAITING_PAYMENT)
        self.assertEqual(sale_order.bigcommerce_payment_status, "held_for_review", "refreshed from BigCommerce")
