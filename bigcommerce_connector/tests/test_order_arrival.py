"""Orders as they arrive in a real merchant database (not Odoo's test mode), and the loop
of fixing what stopped an order and running its workflow again."""
import threading
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.modules.registry import Registry
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.stock.models.stock_picking import Picking

from ..bigcommerce.client import BigCommerceClient
from .common import BigCommerceOrderCase, seed

QUEUE_LOGGER = "odoo.addons.base_marketplace.models.marketplace_queue_line"


@contextmanager
def outside_test_mode():
    """What a production database does where Odoo's test mode takes shortcuts: stock_sms
    asks its one-time SMS question only when neither the registry nor the thread is testing."""
    thread = threading.current_thread()
    with patch.object(Registry, "in_test_mode", lambda self: False), \
            patch.object(thread, "testing", False, create=True):
        yield


@tagged("post_install", "-at_install")
class TestOrderArrival(BigCommerceOrderCase):

    def lines(self, order_id):
        return self.Line.search([("operation", "=", "bigcommerce_import_order"), ("external_id", "=", str(order_id))])

    def logs(self, sale_order, level=None):
        domain = [("res_model", "=", "sale.order"), ("res_id", "=", sale_order.id)]
        return self.env["marketplace.log"].search(domain + ([("level", "=", level)] if level else []))

    # ------------------------------------------------------------------ deliveries
    def test_shipped_order_is_delivered_in_a_company_that_never_answered_the_sms_prompt(self):
        company = self.env.company
        company.write({"stock_move_sms_validation": True, "has_received_warning_stock_sms": False})
        self.add_workflow("paid", confirm_order=True)
        with outside_test_mode():
            sale_order = self.import_orders(106)  # shipped, to Jane who has a phone number
        self.assertTrue(sale_order.partner_shipping_id.phone)
        self.assertEqual(sale_order.picking_ids.mapped("state"), ["done"])
        self.assertEqual(sale_order.order_line.filtered("bigcommerce_order_product_id").qty_delivered, 2)
        self.assertFalse(self.sms_sent(sale_order), "BigCommerce tells the customer; Odoo sends no SMS")
        self.assertFalse(company.has_received_warning_stock_sms, "the prompt was not answered on the merchant's behalf")

    def sms_sent(self, sale_order):
        return self.env["sms.sms"].search([]) or sale_order.picking_ids.message_ids.filtered(
            lambda message: message.message_type == "sms")

    def test_a_bigcommerce_delivery_validated_by_hand_sends_no_sms(self):
        self.env.company.write({"stock_move_sms_validation": True, "has_received_warning_stock_sms": True})
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(113)  # Jane's order, not shipped yet
        picking = sale_order.picking_ids
        picking.move_ids.write({"quantity": 1, "picked": True})
        with outside_test_mode(), patch("odoo.addons.sms.models.sms_sms.SmsSms._send") as send:
            picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertFalse(send.called or self.sms_sent(sale_order))

    def test_partially_shipped_order_leaves_a_backorder_outside_test_mode(self):
        self.env.company.write({"stock_move_sms_validation": True, "has_received_warning_stock_sms": False})
        self.add_workflow("captured", confirm_order=True)
        with outside_test_mode():
            sale_order = self.import_orders(105)
        done = sale_order.picking_ids.filtered(lambda picking: picking.state == "done")
        self.assertEqual(len(done), 1)
        self.assertEqual(len(sale_order.picking_ids - done), 1, "the unshipped quantities wait in a backorder")

    @mute_logger(QUEUE_LOGGER)
    def test_a_delivery_odoo_did_not_validate_is_never_logged_as_delivered(self):
        self.add_workflow("paid", confirm_order=True)
        unknown_dialog = {"type": "ir.actions.act_window", "name": "Quality Check", "res_model": "quality.check.wizard"}
        with patch.object(Picking, "button_validate", lambda pickings: unknown_dialog):
            self.queue_orders(106)
            self.run_queue()
        sale_order = self.sale_order(106)
        self.assertEqual(sale_order.state, "draft", "the confirmation step was rolled back with its deliveries")
        self.assertFalse(self.logs(sale_order).filtered(lambda log: "delivered" in log.message))
        error = self.logs(sale_order, "error")
        self.assertIn("did not validate", error.message)
        self.assertIn("Quality Check", error.message)
        self.assertEqual(sale_order.bigcommerce_workflow_state, "failed")
        self.assertTrue(sale_order.bigcommerce_can_run_workflow)

    def test_validate_delivery_step_on_an_order_without_deliveries_completes_the_workflow(self):
        self.add_workflow("captured", confirm_order=True, validate_delivery=True)
        sale_order = self.import_orders(107)  # an e-book and a gift certificate: nothing to deliver
        self.assertEqual((sale_order.state, sale_order.bigcommerce_workflow_state), ("sale", "done"))

    # ------------------------------------------------------------------ what the order carries
    def test_order_fees_are_imported_and_the_totals_match(self):
        self.add_workflow("captured", confirm_order=True)
        self.instance.import_status_ids = self.instance.order_status_ids.filtered(lambda s: s.bc_id == "11")
        self.instance._cron_import_orders()  # the poll: orders as listed, not fetched one by one
        self.run_queue()
        sale_order = self.sale_order(117)
        fee = sale_order.order_line.filtered(lambda line: line.name == "Eco packaging fee")
        self.assertEqual(fee.price_unit, 2.5)
        self.assertTotalsEqualBigCommerce(sale_order, 117)
        self.assertEqual(sale_order.state, "sale")

    def test_confirmed_order_keeps_the_date_the_customer_ordered(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(103)
        self.assertEqual(sale_order.state, "sale")
        created = parsedate_to_datetime(self.bc_order(103)["date_created"]).replace(tzinfo=None)
        self.assertEqual(sale_order.date_order, created)

    def test_order_confirmed_by_hand_with_an_odoo_quotation_keeps_its_date(self):
        sale_order = self.import_orders(103)
        quotation = self.SaleOrder.create({"partner_id": sale_order.partner_id.id})
        (sale_order | quotation).action_confirm()
        created = parsedate_to_datetime(self.bc_order(103)["date_created"]).replace(tzinfo=None)
        self.assertEqual(sale_order.date_order, created)
        self.assertGreater(quotation.date_order, created)

    def test_scheduled_import_leaves_the_salesperson_to_the_store(self):
        self.assertEqual(self.env.user, self.env.ref("base.user_root"), "the queue runs as OdooBot")
        self.assertFalse(self.import_orders(103).user_id, "OdooBot is nobody's salesperson")
        seller = self.env["res.users"].create({"name": "Sam Seller", "login": "sam.seller"})
        self.instance.user_id = seller
        self.assertEqual(self.import_orders(105).user_id, seller)

    def test_orders_done_in_bigcommerce_arrive_as_what_they_are(self):
        cancelled, refunded, shipped = self.import_orders(108), self.import_orders(109), self.import_orders(106)
        self.assertEqual(cancelled.state, "cancel")
        self.assertFalse(cancelled.bigcommerce_notice, "a cancelled order needs no banner: it is cancelled")
        self.assertIn("Refunded in BigCommerce", refunded.bigcommerce_notice)
        self.assertEqual(shipped.state, "draft", "no workflow confirms it")
        self.assertIn("already shipped", shipped.bigcommerce_notice)
        self.assertTrue(shipped.bigcommerce_can_run_workflow)

    def test_order_cancelled_in_bigcommerce_later_is_cancelled_in_odoo_while_nothing_left(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(103)
        self.assertEqual(sale_order.state, "sale")
        seed.set_status(self.bc_order(103), 5)
        self.import_orders(103)
        self.assertEqual(sale_order.state, "cancel")
        self.assertEqual(sale_order.picking_ids.mapped("state"), ["cancel"])

    def test_order_cancelled_in_bigcommerce_after_delivery_asks_a_person(self):
        self.add_workflow("paid", confirm_order=True)
        sale_order = self.import_orders(106)
        self.assertEqual(sale_order.picking_ids.mapped("state"), ["done"])
        seed.set_status(self.bc_order(106), 5)
        self.import_orders(106)
        self.assertEqual(sale_order.state, "sale")
        activity = sale_order.activity_ids
        self.assertEqual(activity.summary, "Cancelled in BigCommerce")
        self.assertIn("Cancelled in BigCommerce", sale_order.bigcommerce_notice)
        self.assertIn("not cancelled in Odoo", self.logs(sale_order, "warning").message)
        activity.action_done()
        self.import_orders(106)  # the next poll sees the same cancellation: the person was told once
        self.assertFalse(sale_order.activity_ids)

    # ------------------------------------------------------------------ products
    @mute_logger(QUEUE_LOGGER)
    def test_a_mapping_to_an_archived_product_fails_the_line_with_a_sentence(self):
        self.import_orders(103)  # remembers the mug's mapping
        self.products["MUG"].active = False
        self.queue_orders(112)
        self.run_queue()
        line = self.lines(112)
        self.assertEqual(line.state, "failed")
        self.assertIn("archived", line.last_error)
        self.assertIn("“MUG”", line.last_error)
        self.assertFalse(self.sale_order(112))

    @mute_logger(QUEUE_LOGGER)
    def test_missing_product_log_offers_a_prefilled_create_product_shortcut(self):
        self.products["MUG"].default_code = "MUG-RETIRED"
        self.queue_orders(101)
        self.run_queue()
        log = self.lines(101).log_ids.filtered(lambda log: log.level == "error")
        self.assertEqual(log.action_label, "Create Product")
        action = log.action_open_shortcut()
        self.assertEqual(action["res_model"], "product.product")
        product = self.env["product.product"].with_context(**action["context"]).create({})
        self.assertEqual((product.default_code, product.name), ("MUG", "Coffee Mug"))
        self.lines(101).action_retry()
        self.run_queue()
        self.assertIn(product, self.sale_order(101).order_line.product_id)

    # ------------------------------------------------------------------ gateways
    def test_card_orders_of_each_processor_get_their_own_gateway(self):
        calls = []
        original = BigCommerceClient.iter_order_transactions

        def counting(client, order_id):
            calls.append(order_id)
            return original(client, order_id)

        with patch.object(BigCommerceClient, "iter_order_transactions", counting):
            orders = {order_id: self.import_orders(order_id) for order_id in (103, 104, 105, 115, 102, 106)}
        gateways = {order_id: order.bigcommerce_gateway_id.code for order_id, order in orders.items()}
        self.assertEqual(gateways, {103: "braintree", 104: "authorizenet", 105: "stripe", 115: "adyen",
                                    102: "bank_deposit", 106: "cash_on_delivery"})
        self.assertEqual(orders[103].bigcommerce_gateway_id.name, "Credit Card (Braintree)")
        self.assertEqual(sorted(calls), [103, 104, 105, 115], "offline methods name their gateway: no extra call")
        self.import_orders(103)
        self.assertEqual(len(calls), 4, "the gateway is chosen once, when the order is created")

    # ------------------------------------------------------------------ fix and run again
    def test_configure_workflow_then_run_workflow_again_confirms_the_waiting_order(self):
        sale_order = self.import_orders(102)  # Bank Deposit, payment pending: no workflow
        self.assertEqual((sale_order.state, sale_order.bigcommerce_workflow_state), ("draft", "waiting"))
        self.assertIn("No financial workflow applies to gateway “Bank Deposit” and payment status “Pending”",
                      sale_order.bigcommerce_notice)
        log = self.logs(sale_order, "warning")
        self.assertIn("Run Workflow Again", log.message)
        line = self.lines(102)
        self.assertEqual(line.state, "done")
        self.assertTrue(line.bigcommerce_can_run_workflow)
        self.env["bc.financial.workflow"].with_context(**log.action_data["context"]).create({"confirm_order": True})
        notification = sale_order.action_bigcommerce_run_workflow()
        self.assertEqual(notification["params"]["type"], "success")
        self.assertTrue(notification["params"]["links"], "the notification links to the queued job")
        self.run_queue()
        self.assertEqual((sale_order.state, sale_order.bigcommerce_workflow_state), ("sale", "done"))
        self.assertFalse(sale_order.bigcommerce_can_run_workflow)
        line.invalidate_recordset()
        self.assertFalse(line.bigcommerce_can_run_workflow)

    def test_run_workflow_again_from_the_done_queue_line(self):
        sale_order = self.import_orders(102)
        self.add_workflow("pending", confirm_order=True)
        self.lines(102).action_bigcommerce_run_workflow()
        self.run_queue()
        self.assertEqual(sale_order.state, "sale")

    @mute_logger(QUEUE_LOGGER)
    def test_a_later_success_supersedes_the_failed_lines_of_the_same_order(self):
        self.products["MUG"].active = False
        self.queue_orders(103)
        self.run_queue()
        failed = self.lines(103)
        self.assertEqual(failed.state, "failed")
        self.assertEqual(failed.job_id.state, "failed")
        self.assertLess(failed.job_id.progress, 100)
        self.products["MUG"].active = True
        self.instance._bigcommerce_enqueue_order_ids([103], "Order webhooks", requested=True)  # a later webhook
        self.run_queue()
        later = self.lines(103) - failed
        self.assertEqual(later.state, "done")
        self.assertEqual(failed.state, "superseded")
        self.assertIn(f"queue line {later.id}", failed.log_ids[:1].message)
        self.assertEqual(failed.job_id.state, "done", "the job no longer shows red for work done since")
        self.assertEqual(failed.job_id.progress, 100)

    def test_a_second_any_gateway_workflow_for_a_status_is_refused_with_a_sentence(self):
        Workflow = self.env["bc.financial.workflow"]
        # As the form saves it: no gateway key at all.
        first = Workflow.create({"instance_id": self.instance.id, "payment_status": "captured", "confirm_order": True})
        self.assertFalse(first.gateway_id)
        with self.assertRaisesRegex(ValidationError, "already exists: edit that one"):
            self.add_workflow("captured", confirm_order=True, create_invoice=True)
        other = self.add_workflow("paid", confirm_order=True)
        with self.assertRaisesRegex(ValidationError, "already exists: edit that one"):
            other.payment_status = "captured"


@tagged("post_install", "-at_install")
class TestTransientFailuresInQueueLines(BigCommerceOrderCase):
    """A 503 or a rate limit that outlasts the client's own retries is the queue's to retry:
    the line waits, pending, and is not failed."""

    @contextmanager
    def store_unavailable(self, kind):
        original = type(self.instance)._bigcommerce_client

        def no_retries(instance, **options):
            return original(instance, **{**options, "max_retries": 0})  # the client's own retries are spent

        self.sandbox.configure(fault_rate=1.0, fault_kinds=[kind])
        try:
            with patch.object(type(self.instance), "_bigcommerce_client", no_retries):
                yield
        finally:
            self.sandbox.configure(fault_rate=0.0)

    def assertWaitsForRetry(self, line):
        self.assertEqual(line.state, "pending")
        self.assertTrue(line.next_retry_at)
        self.assertFalse(line.log_ids.filtered(lambda log: log.level == "error"))

    def test_a_503_during_a_reference_import_leaves_the_line_pending(self):
        wizard = self.env["marketplace.operation.wizard"].create({
            "instance_ids": [self.instance.marketplace_instance_id.id], "operation": "bigcommerce_import_brands"})
        wizard.action_run()
        with self.store_unavailable("503"):
            self.Line._cron_process_queue()
        line = self.Line.search([("operation", "=", "bigcommerce_import_reference")])
        self.assertWaitsForRetry(line)
        self.assertEqual(line.attempts, 1)

    def test_a_rate_limit_during_an_order_import_leaves_the_line_pending(self):
        self.queue_orders(103)
        with self.store_unavailable("429"):
            self.Line._cron_process_queue()
        self.assertWaitsForRetry(self.Line.search([("operation", "=", "bigcommerce_import_order")]))
        self.assertFalse(self.sale_order(103))

    def test_a_503_during_a_shipment_export_leaves_the_line_pending(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(113)
        picking = sale_order.picking_ids
        picking.move_ids.write({"quantity": 1, "picked": True})
        picking._bigcommerce_validate(backorder=False)
        with self.store_unavailable("503"):
            self.Line._cron_process_queue()
        self.assertWaitsForRetry(self.Line.search([("operation", "=", "bigcommerce_export_shipment")]))
