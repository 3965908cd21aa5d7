from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..bigcommerce.client import BigCommerceClient
from ..bigcommerce.errors import ServerError
from .common import BigCommerceOrderCase, open_wizard, refund_created_then_lost


@tagged("post_install", "-at_install")
class TestCancelInBigCommerce(BigCommerceOrderCase):
    """Cancel In BigCommerce on an order cancelled in Odoo, against the sandbox store."""

    def cancelled_in_odoo(self, order_id):
        sale_order = self.import_orders(order_id)
        sale_order.with_context(disable_cancel_warning=True).action_cancel()
        return sale_order

    def wizard(self, sale_order, **values):
        return open_wizard(self.env, sale_order.action_bigcommerce_cancel_in_store(), **values)

    def refunds(self, order_id):
        return self.sandbox.state.orders[order_id]["refunds"]

    def test_the_button_shows_only_for_a_cancelled_order_in_a_status_that_allows_it(self):
        sale_order = self.import_orders(103)
        self.assertFalse(sale_order.bigcommerce_can_cancel_in_store, "not cancelled in Odoo")
        sale_order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertTrue(sale_order.bigcommerce_can_cancel_in_store)
        awaiting_fulfillment = self.instance.order_status_ids.filtered(lambda status: status.bc_id == "11")
        awaiting_fulfillment.allow_cancellation = False
        self.assertFalse(sale_order.bigcommerce_can_cancel_in_store, "the store's policy says no")
        awaiting_fulfillment.allow_cancellation = True
        shipped = self.cancelled_in_odoo(106)
        self.assertFalse(shipped.bigcommerce_can_cancel_in_store, "shipped orders are never cancelled from Odoo")
        self.assertFalse(self.cancelled_in_odoo(108).bigcommerce_can_cancel_in_store, "already cancelled there")

    def test_default_policy_and_statuses_that_can_never_allow_cancellation(self):
        flags = {status.bc_id: status.allow_cancellation for status in self.instance.order_status_ids}
        self.assertTrue(flags["11"] and flags["7"] and flags["9"])
        self.assertFalse(flags["2"] or flags["3"] or flags["10"] or flags["12"] or flags["5"] or flags["4"])
        completed = self.instance.order_status_ids.filtered(lambda status: status.bc_id == "10")
        with self.assertRaises(ValidationError):
            completed.allow_cancellation = True
        # Confirming the store again (Update Store Data) keeps the merchant's choice.
        awaiting_payment = self.instance.order_status_ids.filtered(lambda status: status.bc_id == "7")
        awaiting_payment.allow_cancellation = False
        self.instance.action_confirm()
        self.assertFalse(awaiting_payment.allow_cancellation)

    def test_cancel_without_refund_records_who_and_why(self):
        sale_order = self.cancelled_in_odoo(103)
        wizard = self.wizard(sale_order, reason="Customer changed their mind")
        self.assertGreater(wizard.refundable_amount, 0, "a captured order offers Refund Payments")
        notification = wizard.action_cancel_order()
        self.assertEqual(notification["params"]["type"], "success")
        self.assertEqual(self.bc_order(103)["status_id"], 5)
        self.assertEqual(self.bc_order(103)["payment_status"], "captured", "no refund was asked for")
        self.assertFalse(self.refunds(103))
        self.assertEqual(sale_order.bigcommerce_status_id, 5)
        self.assertFalse(sale_order.bigcommerce_can_cancel_in_store, "the button is gone")
        body = sale_order.message_ids[:1].body
        self.assertIn("Customer changed their mind", body)
        self.assertEqual(sale_order.message_ids[:1].author_id, self.env.user.partner_id)
        log = self.env["marketplace.log"].search([("res_model", "=", "sale.order"), ("res_id", "=", sale_order.id)],
                                                 limit=1)
        self.assertIn("cancelled in BigCommerce", log.message)

    def test_cancel_with_refund_gives_the_money_back_and_credits_the_invoice(self):
        self.add_workflow(confirm_order=True, create_invoice=True, post_invoice=True, register_payment=True,
                          journal_id=self.bank_journal.id)
        sale_order = self.cancelled_in_odoo(103)
        invoice = sale_order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.wizard(sale_order, reason="Out of stock", refund_payments=True).action_cancel_order()
        order = self.bc_order(103)
        self.assertEqual((order["status_id"], order["payment_status"]), (5, "refunded"))
        self.assertEqual(len(self.refunds(103)), 1)
        credit_note = sale_order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.amount_total, invoice.amount_total)
        self.assertEqual(credit_note.bigcommerce_refund_id, str(self.refunds(103)[0]["id"]))
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"), "paid back through the invoice's journal")
        self.assertEqual(sale_order.bigcommerce_payment_status, "refunded")
        # A second confirmation (a second user, a double click) sends nothing again.
        notification = sale_order._bigcommerce_cancel_in_store("again", True)
        self.assertEqual(notification["params"]["type"], "info")
        self.assertEqual(len(self.refunds(103)), 1)
        self.assertEqual(len(sale_order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")), 1)

    def test_an_order_without_invoice_records_its_refund_without_a_credit_note(self):
        sale_order = self.cancelled_in_odoo(103)
        self.wizard(sale_order, refund_payments=True).action_cancel_order()
        self.assertEqual(self.bc_order(103)["payment_status"], "refunded")
        self.assertFalse(sale_order.invoice_ids)
        self.assertIn("no invoice, so no credit note", sale_order.message_ids.mapped("body")[1])

    def test_an_authorised_payment_is_voided_and_no_refund_is_offered(self):
        sale_order = self.cancelled_in_odoo(104)
        wizard = self.wizard(sale_order)
        self.assertFalse(wizard.refundable_amount, "nothing was captured: Refund Payments is hidden")
        wizard.action_cancel_order()
        self.assertEqual((self.bc_order(104)["status_id"], self.bc_order(104)["payment_status"]), (5, "void"))
        self.assertIn("voided", sale_order.message_ids[:1].body)

    def test_an_order_cancelled_in_bigcommerce_meanwhile_gets_a_friendly_notice(self):
        sale_order = self.cancelled_in_odoo(103)
        wizard = self.wizard(sale_order, refund_payments=True)
        self.sandbox.state.update_order(103, {"status_id": 5})  # someone did it in the control panel
        notification = wizard.action_cancel_order()
        self.assertEqual(notification["params"]["type"], "info")
        self.assertEqual(sale_order.bigcommerce_status_id, 5)
        self.assertFalse(self.refunds(103), "nothing more was done")

    def test_an_order_that_moved_on_is_not_cancelled_and_odoo_claims_nothing(self):
        sale_order = self.cancelled_in_odoo(103)
        wizard = self.wizard(sale_order, refund_payments=True)
        self.sandbox.state.update_order(103, {"status_id": 2})  # shipped meanwhile
        messages = len(sale_order.message_ids)
        with self.assertRaisesRegex(UserError, "Shipped.*Nothing was changed in BigCommerce"):
            wizard.action_cancel_order()
        self.assertEqual(self.bc_order(103)["status_id"], 2)
        self.assertFalse(self.refunds(103))
        self.assertEqual(sale_order.bigcommerce_status_id, 11)
        self.assertEqual(len(sale_order.message_ids), messages)

    def test_a_failure_after_the_refund_keeps_the_refund_and_says_what_is_left(self):
        self.add_workflow(confirm_order=True, create_invoice=True, post_invoice=True)
        sale_order = self.cancelled_in_odoo(103)
        wizard = self.wizard(sale_order, refund_payments=True)
        unavailable = ServerError("PUT /v2/orders/103: 503", status=503, user_message="BigCommerce is unavailable.")
        with patch.object(BigCommerceClient, "update_order", side_effect=unavailable):
            notification = wizard.action_cancel_order()
        self.assertEqual(notification["params"]["type"], "danger")
        self.assertIn("control panel", notification["params"]["message"])
        self.assertEqual(len(self.refunds(103)), 1)
        self.assertNotEqual(self.bc_order(103)["status_id"], 5)
        self.assertNotEqual(sale_order.bigcommerce_status_id, 5, "Odoo does not claim the cancellation")
        credit_notes = sale_order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")
        self.assertEqual(len(credit_notes), 1, "the refund BigCommerce made is recorded")
        self.assertEqual(sale_order.bigcommerce_status_id, 4, "Odoo shows what BigCommerce says now: Refunded")
        self.assertFalse(sale_order.bigcommerce_can_cancel_in_store, "Refunded is not a status to cancel from")

    def test_a_refund_lost_in_a_timeout_is_found_and_recorded_not_sent_again(self):
        sale_order = self.cancelled_in_odoo(103)
        wizard = self.wizard(sale_order, refund_payments=True)
        with refund_created_then_lost(), self.assertRaisesRegex(UserError, "did not answer"):
            wizard.action_cancel_order()
        self.assertEqual(len(self.refunds(103)), 1)
        # BigCommerce set the order Refunded; the merchant allows cancelling from there and tries again.
        self.instance.order_status_ids.filtered(lambda status: status.bc_id == "4").allow_cancellation = True
        sale_order.bigcommerce_status_id = 4
        self.wizard(sale_order).action_cancel_order()
        self.assertEqual(len(self.refunds(103)), 1)
        self.assertEqual(self.bc_order(103)["status_id"], 5)
        self.assertIn(str(self.refunds(103)[0]["id"]), " ".join(sale_order.message_ids.mapped("body")))


@tagged("post_install", "-at_install")
class TestRefundsFromBigCommerce(BigCommerceOrderCase):
    """Refunds made in BigCommerce's control panel reach Odoo by webhook or by the poll, once each."""

    def refund_in_bigcommerce(self, order_id, items=None):
        """A refund made in BigCommerce's control panel: of ``items``, else of the whole order."""
        client = self.instance._bigcommerce_client()
        items = items or [{"item_type": "ORDER", "item_id": order_id, "amount": float(self.bc_order(order_id)["total_inc_tax"])}]
        quote = client.create_refund_quote(order_id, {"items": items})
        payments = [{"provider_id": method["provider_id"], "amount": method["amount"], "offline": method["offline"]}
                    for method in quote["refund_methods"][0]]
        return client.create_refund(order_id, {"items": items, "payments": payments})

    def order_product(self, order_id, sku):
        return next(line for line in self.sandbox.state.orders[order_id]["products"] if line["sku"] == sku)

    def credit_note_of(self, sale_order):
        return sale_order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")

    def test_a_full_refund_becomes_one_credit_note_whichever_way_it_arrives(self):
        self.add_workflow(confirm_order=True, create_invoice=True, post_invoice=True)
        sale_order = self.import_orders(103)
        invoice = sale_order.invoice_ids
        refund = self.refund_in_bigcommerce(103)
        self.import_orders(103)  # the refund webhook queues the order again
        credit_note = sale_order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")
        self.assertEqual((credit_note.state, credit_note.reversed_entry_id), ("posted", invoice))
        self.assertEqual(credit_note.bigcommerce_refund_id, str(refund["id"]))
        self.assertEqual(sale_order.bigcommerce_payment_status, "refunded")
        # The poll lists the refund too: the order is imported again, and nothing is recorded twice.
        self.instance.last_order_import_at = False
        self.instance.import_orders_after = "2020-01-01"
        self.instance._bigcommerce_poll_orders()
        self.run_queue()
        self.assertEqual(len(sale_order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")), 1)

    def test_a_refund_of_an_order_without_invoice_makes_no_credit_note(self):
        sale_order = self.import_orders(103)
        self.refund_in_bigcommerce(103)
        self.import_orders(103)
        self.assertFalse(sale_order.invoice_ids)
        self.assertTrue(any("no credit note was made" in body for body in sale_order.message_ids.mapped("body")))

    def test_a_refund_of_products_becomes_a_credit_note_of_those_quantities(self):
        self.add_workflow(confirm_order=True, create_invoice=True, post_invoice=True)
        sale_order = self.import_orders(103)
        shirt = self.order_product(103, "TSHIRT-M")
        refund = self.refund_in_bigcommerce(103, [{"item_type": "PRODUCT", "item_id": shirt["id"], "quantity": 1}])
        self.import_orders(103)
        credit_note = self.credit_note_of(sale_order)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.invoice_line_ids.mapped("quantity"), [1.0])
        self.assertEqual(credit_note.invoice_line_ids.product_id, self.products["TSHIRT-M"])
        self.assertEqual(credit_note.amount_total, float(refund["total_amount"]))
        self.assertEqual(sale_order.bigcommerce_payment_status, "partially_refunded")

    def test_a_refund_of_a_product_and_one_address_shipping_credits_those_lines(self):
        self.add_workflow(confirm_order=True, create_invoice=True, post_invoice=True)
        sale_order = self.import_orders(112)  # two shipping addresses, the second with handling
        work = self.sandbox.state.orders[112]["addresses"][1]
        mug = self.order_product(112, "MUG")
        refund = self.refund_in_bigcommerce(112, [
            {"item_type": "PRODUCT", "item_id": mug["id"], "quantity": 1},
            {"item_type": "SHIPPING", "item_id": work["id"], "amount": float(work["cost_inc_tax"])},
            {"item_type": "HANDLING", "item_id": work["id"], "amount": float(work["handling_cost_inc_tax"])}])
        self.import_orders(112)
        credit_note = self.credit_note_of(sale_order)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.amount_total, float(refund["total_amount"]))
        mug_line = credit_note.invoice_line_ids.filtered(lambda line: line.product_id == self.products["MUG"])
        shipping = credit_note.invoice_line_ids - mug_line
        self.assertEqual(mug_line.quantity, 1.0)
        self.assertEqual(shipping.product_id, self.instance.shipping_product_id)
        self.assertEqual(shipping.sale_line_ids.bigcommerce_order_address_id, work["id"])
        self.assertEqual(shipping.price_total, float(work["cost_inc_tax"]) + float(work["handling_cost_inc_tax"]))

    def test_an_order_level_amount_or_a_fee_becomes_an_untaxed_line_of_that_amount(self):
        self.add_workflow(confirm_order=True, create_invoice=True, post_invoice=True)
        sale_order = self.import_orders(117)  # a custom fee
        fee = self.sandbox.state.orders[117]["fees"][0]
        refund = self.refund_in_bigcommerce(117, [
            {"item_type": "ORDER", "item_id": 117, "amount": 5.0},
            {"item_type": "FEE", "item_id": fee["id"], "amount": float(fee["cost_inc_tax"])}])
        self.import_orders(117)
        credit_note = self.credit_note_of(sale_order)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.invoice_line_ids.mapped("name"), ["Amount refunded in BigCommerce"])
        self.assertFalse(credit_note.invoice_line_ids.tax_ids)
        self.assertEqual(credit_note.amount_total, 5.0 + float(fee["cost_inc_tax"]))
        self.assertEqual(credit_note.amount_total, float(refund["total_amount"]))

    def test_a_discounted_product_is_credited_at_the_price_bigcommerce_refunded(self):
        self.add_workflow(confirm_order=True, create_invoice=True, post_invoice=True)
        sale_order = self.import_orders(116)  # coupon and manual discounts on both products
        dress = self.order_product(116, "DRESS-RED")
        refund = self.refund_in_bigcommerce(116, [{"item_type": "PRODUCT", "item_id": dress["id"], "quantity": 1}])
        self.import_orders(116)
        credit_note = self.credit_note_of(sale_order)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.amount_total, float(refund["total_amount"]))
        discount = credit_note.invoice_line_ids.filtered(lambda line: line.name == "Discount on the refunded products")
        self.assertEqual(discount.price_total, -11.0)  # its coupon and manual discounts

    def test_a_refund_odoo_cannot_price_asks_a_person_for_the_credit_note(self):
        self.add_workflow(confirm_order=True, create_invoice=True, post_invoice=True)
        sale_order = self.import_orders(103)
        skillet = self.order_product(103, "SKILLET-10")  # gift wrapped: refunded by quantity, no amount given
        self.refund_in_bigcommerce(103, [{"item_type": "GIFT_WRAPPING", "item_id": skillet["id"], "quantity": 1}])
        self.import_orders(103)
        self.assertFalse(self.credit_note_of(sale_order))
        self.assertEqual(sale_order.activity_ids.summary, "Credit note for a BigCommerce refund")
