from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..bigcommerce.client import BigCommerceClient
from .common import BigCommerceOrderCase, open_wizard, refund_created_then_lost


@tagged("post_install", "-at_install")
class TestRefundInBigCommerce(BigCommerceOrderCase):
    """Refund In BigCommerce from a posted credit note, against the sandbox store (order 103 is
    captured by card: two T-shirts M, a skillet with gift wrapping, three mugs, shipping and handling)."""

    def setUp(self):
        super().setUp()
        self.add_workflow(confirm_order=True, create_invoice=True, post_invoice=True)
        self.order = self.import_orders(103)
        self.invoice = self.order.invoice_ids
        self.assertEqual(self.invoice.state, "posted")

    def credit_note(self, keep, post=True):
        """A credit note of the invoice keeping the lines ``keep`` names, {name part: quantity or None}."""
        credit_note = self.invoice._reverse_moves()
        for line in credit_note.invoice_line_ids:
            wanted = next((quantity for part, quantity in keep.items() if part in line.name), False)
            if wanted is False:
                line.unlink()
            elif wanted is not None:
                line.quantity = wanted
        if post:
            credit_note.action_post()
        return credit_note

    def partial(self):
        return self.credit_note({"TSHIRT-M": 1, "UPS Ground": None})

    def wizard(self, credit_note, **values):
        return open_wizard(self.env, credit_note.action_bigcommerce_refund_in_store(), **values)

    def refunds(self):
        return self.sandbox.state.orders[103]["refunds"]

    def product(self, sku):
        return next(p for p in self.sandbox.state.orders[103]["products"] if p["sku"] == sku)

    def test_the_button_shows_only_on_a_posted_credit_note_of_one_bigcommerce_order_not_refunded_yet(self):
        self.assertFalse(self.invoice.bigcommerce_can_refund_in_store, "an invoice")
        credit_note = self.credit_note({"TSHIRT-M": 1}, post=False)
        self.assertFalse(credit_note.bigcommerce_can_refund_in_store, "a draft")
        credit_note.action_post()
        self.assertTrue(credit_note.bigcommerce_can_refund_in_store)
        credit_note.bigcommerce_refund_id = "999"
        self.assertFalse(credit_note.bigcommerce_can_refund_in_store, "already refunded")
        credit_note.bigcommerce_refund_declined = True
        self.assertTrue(credit_note.bigcommerce_can_refund_in_store, "declined: may be tried again")
        # A credit note of no invoice, or of two orders, is not one BigCommerce can refund.
        loose = self.env["account.move"].create({
            "move_type": "out_refund", "partner_id": self.order.partner_id.id,
            "invoice_line_ids": [Command.create({"name": "Goodwill", "price_unit": 5, "quantity": 1,
                                                 "tax_ids": [Command.clear()]})]})
        loose.action_post()
        self.assertFalse(loose.bigcommerce_can_refund_in_store)
        with self.assertRaisesRegex(UserError, "does not reverse an invoice"):
            loose._bigcommerce_refund_in_store("", "braintree")
        other = self.import_orders(112)
        two_orders = self.credit_note({"TSHIRT-M": 1}, post=False)
        two_orders.invoice_line_ids[:1].sale_line_ids |= other.order_line[:1]
        two_orders.action_post()
        self.assertFalse(two_orders.bigcommerce_can_refund_in_store)
        with self.assertRaisesRegex(UserError, "exactly one BigCommerce order"):
            Form(self.env["bc.credit.note.refund.wizard"].with_context(default_move_id=two_orders.id))
        # The button is for BigCommerce users, in the credit note's header.
        arch = self.env.ref("bigcommerce_connector.account_move_view_form").arch
        self.assertIn('groups="bigcommerce_connector.group_bigcommerce_user"', arch)

    def test_a_partial_credit_note_refunds_one_quantity_and_the_shipping(self):
        credit_note = self.partial()
        shirt = self.product("TSHIRT-M")
        address = self.sandbox.state.orders[103]["addresses"][0]
        wizard = self.wizard(credit_note, description="Too small")
        self.assertFalse(wizard.refusal)
        self.assertAlmostEqual(wizard.refundable_amount, credit_note.amount_total, delta=0.02)
        self.assertEqual(wizard.method_id, wizard.method_ids[:1])
        self.assertIn("Credit Card", wizard.method_id.name)
        self.assertGreater(len(wizard.method_ids), 1, "store credit and custom are offered too")
        notification = wizard.action_refund()
        self.assertEqual(notification["params"]["type"], "success")
        [refund] = self.refunds()
        self.assertEqual(sorted((i["item_type"], i["item_id"], i.get("quantity"), i.get("requested_amount"))
                                for i in refund["items"]),
                         [("PRODUCT", shirt["id"], 1, None), ("SHIPPING", address["id"], None,
                                                              float(address["cost_inc_tax"]))])
        self.assertTrue(all(i["reason"] == f"{credit_note.name}: Too small" for i in refund["items"]))
        self.assertEqual(shirt["quantity_refunded"], 1)
        self.assertAlmostEqual(refund["total_amount"], credit_note.amount_total, delta=0.02)
        self.assertEqual(credit_note.bigcommerce_refund_id, str(refund["id"]))
        self.assertFalse(credit_note.bigcommerce_can_refund_in_store, "the button is gone")
        self.assertEqual(self.order.bigcommerce_payment_status, "partially_refunded")
        self.assertEqual(self.order.bigcommerce_status_id, 14)
        self.assertIn(refund["id"], self.order.bigcommerce_recorded_refund_ids)
        self.assertIn("Too small", credit_note.message_ids[:1].body)
        self.assertEqual(credit_note.message_ids[:1].author_id, self.env.user.partner_id)
        log = self.env["marketplace.log"].search([("res_model", "=", "account.move"), ("res_id", "=", credit_note.id)])
        self.assertTrue(log and "Refunded in BigCommerce" in log[0].message)
        # BigCommerce's refunds read again (webhook, poll, Cancel In BigCommerce) record nothing twice.
        credit_notes = self.order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")
        with self.instance._bigcommerce_client() as client:
            self.order._bigcommerce_record_refunds(client.iter_order_refunds(103))
        self.assertEqual(self.order.invoice_ids.filtered(lambda move: move.move_type == "out_refund"),
                         credit_notes)

    def test_a_full_credit_note_refunds_everything_shipping_and_handling_included(self):
        credit_note = self.credit_note({"": None})
        self.wizard(credit_note).action_refund()
        [refund] = self.refunds()
        kinds = sorted(item["item_type"] for item in refund["items"])
        self.assertEqual(kinds, ["HANDLING", "ORDER", "PRODUCT", "PRODUCT", "PRODUCT", "SHIPPING"],
                         "the gift wrapping is given back as an amount")
        self.assertAlmostEqual(refund["total_amount"], self.invoice.amount_total, delta=0.02)
        self.assertEqual(self.order.bigcommerce_payment_status, "refunded")

    def test_an_amount_only_credit_note_is_an_order_level_refund(self):
        credit_note = self.env["account.move"].create({
            "move_type": "out_refund", "partner_id": self.order.partner_id.id,
            "reversed_entry_id": self.invoice.id,
            "invoice_line_ids": [Command.create({"name": "Goodwill", "price_unit": 10, "quantity": 1,
                                                 "tax_ids": [Command.clear()]})]})
        credit_note.action_post()
        self.assertTrue(credit_note.bigcommerce_can_refund_in_store, "its order is the reversed invoice's")
        self.wizard(credit_note).action_refund()
        [refund] = self.refunds()
        self.assertEqual([(i["item_type"], i["item_id"], i["requested_amount"]) for i in refund["items"]],
                         [("ORDER", 103, 10.0)])

    def test_an_over_refund_is_refused_with_a_sentence(self):
        dearer = self.credit_note({"TSHIRT-M": 1}, post=False)
        dearer.invoice_line_ids.price_unit *= 3
        dearer.action_post()
        wizard = self.wizard(dearer)
        self.assertIn("more than BigCommerce allows", wizard.refusal)
        with self.assertRaisesRegex(UserError, "more than BigCommerce allows"):
            wizard.action_refund()
        with self.assertRaisesRegex(UserError, "more than BigCommerce allows"):
            dearer._bigcommerce_refund_in_store("", "braintree")
        self.product("TSHIRT-M")["quantity_refunded"] = 1  # one refunded in BigCommerce meanwhile
        too_many = self.credit_note({"TSHIRT-M": 2})
        self.assertIn("BigCommerce can refund 1 more", self.wizard(too_many).refusal)
        self.assertFalse(self.refunds())
        self.assertFalse(dearer.bigcommerce_refund_id or too_many.bigcommerce_refund_id)

    def test_a_credit_note_below_the_price_refunds_its_items_less_a_deduction(self):
        goodwill = self.credit_note({"TSHIRT-M": 1}, post=False)  # half the price, for a stained shirt
        goodwill.invoice_line_ids.price_unit /= 2
        goodwill.action_post()
        wizard = self.wizard(goodwill)
        self.assertFalse(wizard.refusal)
        self.assertAlmostEqual(wizard.refundable_amount, goodwill.amount_total, delta=0.01)
        wizard.action_refund()
        [refund] = self.refunds()
        self.assertAlmostEqual(refund["total_amount"], goodwill.amount_total, delta=0.01)
        self.assertEqual(self.product("TSHIRT-M")["quantity_refunded"], 1)
        self.assertEqual(goodwill.bigcommerce_refund_id, str(refund["id"]))

    def test_two_confirmations_send_one_refund(self):
        credit_note = self.partial()
        first, second = self.wizard(credit_note), self.wizard(credit_note)  # two users, or a double click
        with patch.object(type(self.order), "_bigcommerce_lock_for_store_change", autospec=True,
                          side_effect=type(self.order)._bigcommerce_lock_for_store_change) as lock:
            first.action_refund()
        lock.assert_called_once()
        with self.assertRaisesRegex(UserError, "already refunded in BigCommerce"):
            second.action_refund()
        self.assertEqual(len(self.refunds()), 1)
        # The second one's transaction did not see the first's (it committed after the second read):
        # BigCommerce's refunds say what was done, and nothing is sent again.
        credit_note.bigcommerce_refund_id = False
        self.order.bigcommerce_recorded_refund_ids = []
        notification = self.wizard(credit_note).action_refund()
        self.assertEqual(len(self.refunds()), 1)
        self.assertEqual(credit_note.bigcommerce_refund_id, str(self.refunds()[0]["id"]))
        self.assertIn("not sent again", credit_note.message_ids[:1].body)
        self.assertEqual(notification["params"]["type"], "success")

    def test_a_timeout_after_bigcommerce_created_the_refund_does_not_create_a_second(self):
        credit_note = self.partial()
        wizard = self.wizard(credit_note)
        with refund_created_then_lost(), self.assertRaisesRegex(UserError, "did not answer"):
            wizard.action_refund()
        self.assertEqual(len(self.refunds()), 1)
        self.assertFalse(credit_note.bigcommerce_refund_id, "Odoo claims nothing it did not hear")
        self.assertTrue(credit_note.bigcommerce_can_refund_in_store)
        again = self.wizard(credit_note)
        self.assertEqual(again.existing_refund_id, str(self.refunds()[0]["id"]))
        self.assertFalse(again.refusal)
        with patch.object(BigCommerceClient, "create_refund", side_effect=AssertionError("sent twice")):
            again.action_refund()
        self.assertEqual(len(self.refunds()), 1)
        self.assertEqual(credit_note.bigcommerce_refund_id, str(self.refunds()[0]["id"]))
        self.assertEqual(self.order.bigcommerce_payment_status, "partially_refunded")

    def test_a_decline_is_shown_when_the_order_comes_back_by_webhook(self):
        credit_note = self.partial()
        self.wizard(credit_note).action_refund()
        [refund] = self.refunds()
        self.sandbox.state.decline_refund(103, refund["id"], "Card expired")
        self.import_orders(103)  # the order's update webhook, or the poll
        self.assertIn("Card expired", credit_note.bigcommerce_refund_declined_message)
        self.assertTrue(credit_note.bigcommerce_can_refund_in_store, "the refund can be tried again")
        self.assertEqual(len(self.order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")), 1,
                         "the refund Odoo sent is not recorded a second time")

    def test_a_declined_refund_is_shown_and_can_be_tried_again(self):
        credit_note = self.partial()
        self.wizard(credit_note).action_refund()
        [refund] = self.refunds()
        self.sandbox.state.decline_refund(103, refund["id"], "Card expired")  # the gateway, later
        notification = credit_note.action_bigcommerce_check_refund()
        self.assertEqual(notification["params"]["type"], "warning")
        self.assertTrue(credit_note.bigcommerce_refund_declined)
        self.assertIn("Card expired", credit_note.bigcommerce_refund_declined_message)
        self.assertIn("Card expired", credit_note.message_ids[:1].body)
        self.assertTrue(credit_note.bigcommerce_can_refund_in_store, "the button is back")
        self.assertEqual(self.order.bigcommerce_payment_status, "captured")
        self.wizard(credit_note).action_refund()
        self.assertEqual(len(self.refunds()), 2)
        self.assertEqual(credit_note.bigcommerce_refund_id, str(self.refunds()[1]["id"]))
        self.assertFalse(credit_note.bigcommerce_refund_declined or credit_note.bigcommerce_refund_declined_message)
        self.assertFalse(credit_note.bigcommerce_can_refund_in_store)
        self.assertEqual(self.order.bigcommerce_payment_status, "partially_refunded")
