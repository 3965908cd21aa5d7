import math
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged

from .common import BigCommerceOrderCase, open_wizard


@tagged("post_install", "-at_install")
class TestReconciliation(BigCommerceOrderCase):
    """Each kind of difference made on purpose against the sandbox is found, and its fix clears it
    on the next run. The orders made here are BigCommerce's of today: the seed's are of 2025, out
    of the range."""

    def setUp(self):
        super().setUp()
        self.workflow = self.add_workflow("captured", confirm_order=True, create_invoice=True, post_invoice=True,
                                          register_payment=True, journal_id=self.bank_journal.id)

    def new_order(self, **spec):
        """A new BigCommerce order (today, Awaiting Fulfillment, paid by card unless ``spec`` says
        otherwise); returns its id."""
        return self.sandbox.state.create_order(dict({"lines": [("MUG", 1)]}, **spec))["order"]["id"]

    def reconcile(self):
        today = fields.Date.context_today(self.instance)
        run = self.env["bc.reconciliation"].create({"instance_id": self.instance.id, "date_from": today - timedelta(days=1),
                                                    "date_to": today + timedelta(days=1)})
        run._reconcile()
        return run

    def differences(self, kind=None):
        domain = [("instance_id", "=", self.instance.id)] + ([("kind", "=", kind)] if kind else [])
        return self.env["bc.reconciliation.difference"].search(domain)

    def found(self, run):
        return sorted((difference.kind, difference.order_ref or difference.sku) for difference in run.difference_ids)

    def fix(self, differences):
        differences.action_fix()
        self.run_queue()

    def test_a_store_where_everything_agrees_gives_no_difference(self):
        order_ids = [self.new_order(), self.new_order(lines=[("KNIFE-8", 2), ("MUG", 1)])]
        self.import_orders(*order_ids)
        self.assertEqual(self.reconcile().difference_count, 0)
        run = self.reconcile()
        self.assertEqual((run.order_count, run.difference_count, run.new_difference_count), (2, 0, 0))

    def test_missing_in_odoo_is_imported_again(self):
        order_id = self.new_order()
        skipped = self.new_order(status_id=7, payment="bank_deposit")
        self.instance.import_status_ids = self.instance.order_status_ids.filtered(lambda status: status.bc_id == "11")
        run = self.reconcile()
        self.assertEqual(self.found(run), [("missing_in_odoo", str(order_id))],
                         "an order in a status the store does not import is not missing")
        self.assertNotIn(str(skipped), run.difference_ids.mapped("order_ref"))
        self.assertEqual(run.difference_ids.fix, "import_order")
        self.assertEqual(run.difference_ids.amount, float(self.bc_order(order_id)["total_inc_tax"]))
        self.fix(run.difference_ids)
        self.assertTrue(self.sale_order(order_id))
        self.assertEqual(self.reconcile().difference_count, 0)
        self.assertFalse(self.differences(), "solved differences disappear")

    def test_totals_differ_by_more_than_a_cent_but_a_cent_is_rounding(self):
        order_id = self.new_order()
        self.import_orders(order_id)
        order = self.bc_order(order_id)
        total_ex_tax = order["total_ex_tax"]
        order["total_ex_tax"] = "%.4f" % (float(total_ex_tax) + 0.01)
        self.assertEqual(self.reconcile().difference_count, 0, "one cent of rounding is never a difference")
        order["total_ex_tax"] = "%.4f" % (float(total_ex_tax) + 2.5)
        [difference] = self.reconcile().difference_ids
        self.assertEqual((difference.kind, difference.untaxed_difference, difference.amount), ("totals_differ", -2.5, 2.5))
        self.assertFalse(difference.fix)

    def test_not_invoiced_not_posted_and_unpaid_orders_get_their_workflow_run_again(self):
        steps = {"create_invoice": False, "post_invoice": False, "register_payment": False}
        order_ids = []
        for step in ("create_invoice", "post_invoice", "register_payment"):
            order_id = self.new_order()
            self.workflow.write(steps)
            self.import_orders(order_id)
            order_ids.append(order_id)
            steps[step] = True
        run = self.reconcile()
        self.assertEqual(self.found(run), sorted([("not_invoiced", str(order_ids[0])), ("invoice_not_posted", str(order_ids[1])),
                                                  ("paid_no_payment", str(order_ids[2]))]))
        self.assertEqual(set(run.difference_ids.mapped("fix")), {"run_workflow"})
        self.workflow.write(steps)
        self.fix(run.difference_ids)
        self.assertEqual(self.reconcile().difference_count, 0)

    def test_a_refund_without_credit_note_is_imported_and_a_credit_note_without_refund_found(self):
        refunded, credited = self.new_order(lines=[("MUG", 2)]), self.new_order()
        self.import_orders(refunded, credited)
        client = self.instance._bigcommerce_client()
        items = [{"item_type": "ORDER", "item_id": refunded, "amount": float(self.bc_order(refunded)["total_inc_tax"])}]
        quote = client.create_refund_quote(refunded, {"items": items})
        refund = client.create_refund(refunded, {"items": items, "payments": [
            {"provider_id": method["provider_id"], "amount": method["amount"], "offline": method["offline"]}
            for method in quote["refund_methods"][0]]})
        invoice = self.sale_order(credited).invoice_ids
        credit_note = invoice._reverse_moves()
        credit_note.action_post()
        run = self.reconcile()
        self.assertEqual(self.found(run), sorted([("refund_no_credit_note", str(refunded)),
                                                  ("credit_note_no_refund", str(credited))]))
        no_credit_note = run.difference_ids.filtered(lambda difference: difference.kind == "refund_no_credit_note")
        self.assertEqual((no_credit_note.refund_ref, no_credit_note.fix), (str(refund["id"]), "import_refund"))
        self.assertEqual(run.difference_ids.filtered("move_id").move_id, credit_note)
        no_credit_note.action_fix()
        self.assertTrue(self.sale_order(refunded).invoice_ids.filtered(lambda move: move.move_type == "out_refund"))
        self.assertEqual(self.found(self.reconcile()), [("credit_note_no_refund", str(credited))])

    def test_a_delivery_that_did_not_reach_bigcommerce_is_pushed(self):
        self.workflow.write({"validate_delivery": True})
        order_id = self.new_order()
        self.queue_orders(order_id)
        # The import validates the delivery and queues its shipment; only the import line runs.
        import_line = self.Line.search([("operation", "=", "bigcommerce_import_order"), ("external_id", "=", str(order_id))])
        import_line._process()
        self.assertEqual(self.sale_order(order_id).picking_ids.state, "done")
        [difference] = self.reconcile().difference_ids
        self.assertEqual((difference.kind, difference.fix, difference.bigcommerce_quantity, difference.odoo_quantity),
                         ("delivered_no_shipment", "push_shipment", 0, 1))
        self.fix(difference)
        self.assertTrue(self.sandbox.state.orders[order_id]["shipments"])
        self.assertEqual(self.reconcile().difference_count, 0)

    def test_cancelled_in_bigcommerce_only_is_imported_again_and_in_odoo_only_found(self):
        self.workflow.write({"create_invoice": False, "post_invoice": False, "register_payment": False,
                             "payment_status": "authorized"})
        cancelled_there, cancelled_here = self.new_order(payment="card_authorized"), self.new_order(payment="card_authorized")
        self.import_orders(cancelled_there, cancelled_here)
        self.sandbox.state.update_order(cancelled_there, {"status_id": 5})
        self.sale_order(cancelled_here)._action_cancel()
        run = self.reconcile()
        self.assertEqual(self.found(run), sorted([("cancelled_one_side", str(cancelled_there)),
                                                  ("cancelled_one_side", str(cancelled_here))]))
        there = run.difference_ids.filtered(lambda difference: difference.order_ref == str(cancelled_there))
        self.assertEqual((there.side, there.fix), ("bigcommerce", "import_order"))
        self.assertFalse((run.difference_ids - there).fix, "Cancel In BigCommerce is on the order")
        self.fix(there)
        self.assertEqual(self.sale_order(cancelled_there).state, "cancel")
        self.assertEqual(self.found(self.reconcile()), [("cancelled_one_side", str(cancelled_here))])

    def test_stock_that_differs_at_a_location_is_exported(self):
        location = self.instance.location_ids.filtered(lambda loc: loc.bc_id == "1")
        location.export_stock = True
        self.env["stock.quant"]._update_available_quantity(self.products["MUG"], self.instance.warehouse_id.lot_stock_id, 7)
        run = self.reconcile()
        mug = run.difference_ids.filtered(lambda difference: difference.sku == "MUG")
        self.assertEqual((mug.kind, mug.location_id, mug.odoo_quantity, mug.fix), ("stock_differs", location, 7, "export_stock"))
        self.assertEqual(mug.bigcommerce_quantity, self.sandbox.state.stock[(self.sku_variant("MUG"), 1)]["onhand"])
        self.fix(mug)
        self.assertEqual(self.sandbox.state.stock[(self.sku_variant("MUG"), 1)]["onhand"], 7)
        self.assertFalse(self.reconcile().difference_ids.filtered(lambda difference: difference.sku == "MUG"))

    def sku_variant(self, sku):
        return next(variant["id"] for variant in self.sandbox.state.variants.values() if variant["sku"] == sku)

    def test_the_calls_for_a_range_are_bounded_by_pages_not_orders(self):
        for _order in range(10):
            self.new_order()
        few = self.reconcile()
        for _order in range(250):
            self.new_order()
        many = self.reconcile()
        # Orders 250 a page (a short page ends the list), refunds one page: never a call per order.
        self.assertEqual(few.order_count, 10)
        self.assertEqual(few.call_count, 1 + 1)
        self.assertEqual(many.order_count, 260)
        self.assertEqual(many.call_count, math.ceil(260 / 250) + 1)

    def test_the_store_button_asks_for_the_range_and_the_daily_run_posts_an_activity(self):
        self.assertIn("reconcile", self.instance.scheduled_action_ids.mapped("action"))
        run = open_wizard(self.env, self.instance.action_reconcile())
        self.assertEqual(run.instance_id, self.instance)
        action = run.action_reconcile()
        self.assertEqual((run.state, action["res_model"]), ("done", "bc.reconciliation.difference"))
        user = self.env["res.users"].create({"name": "Accountant", "login": "bc.accountant"})
        self.instance.reconcile_user_id = user
        order_id = self.new_order()
        self.instance._cron_reconcile()
        daily = self.env["bc.reconciliation"].search([("instance_id", "=", self.instance.id), ("scheduled", "=", True)])
        self.assertEqual(daily.new_difference_count, 1)
        self.assertEqual(daily.activity_ids.user_id, user)
        self.assertIn("1 new", daily.activity_ids.summary)
        self.instance._cron_reconcile()
        second = self.env["bc.reconciliation"].search([("instance_id", "=", self.instance.id), ("scheduled", "=", True)],
                                                      limit=1)
        self.assertEqual((second.difference_count, second.new_difference_count), (1, 0))
        self.assertFalse(second.activity_ids, "no new difference, no activity")
        self.assertEqual(self.differences().order_ref, str(order_id))

    def test_the_daily_run_ends_on_the_stores_day(self):
        # 20:00 UTC on Jan 1 is already Jan 2 in Kiritimati (UTC+14): the store's day counts, not the server's.
        self.instance.store_timezone = "Pacific/Kiritimati"
        self.instance.reconcile_days = 2
        with freeze_time("2026-01-01 20:00:00"):
            run = self.env["bc.reconciliation"]._run_scheduled(self.instance)
        self.assertEqual((run.date_from, run.date_to), (date(2026, 1, 1), date(2026, 1, 2)))

    def test_a_bigcommerce_user_reconciles_and_another_company_sees_nothing(self):
        user = self.env["res.users"].create({
            "name": "BigCommerce User", "login": "bc.reconcile.user", "company_id": self.env.company.id,
            "company_ids": [Command.set(self.env.company.ids)],
            "groups_id": [Command.set([self.env.ref("bigcommerce_connector.group_bigcommerce_user").id])]})
        order_id = self.new_order()
        today = fields.Date.context_today(self.instance)
        run = self.env["bc.reconciliation"].with_user(user).create({
            "instance_id": self.instance.id, "date_from": today - timedelta(days=1), "date_to": today + timedelta(days=1)})
        run.action_reconcile()
        self.assertEqual(run.difference_ids.mapped("order_ref"), [str(order_id)])
        other_company = self.env["res.company"].create({"name": "Other Company"})
        outsider = self.env["res.users"].create({
            "name": "Other BigCommerce User", "login": "bc.reconcile.outsider", "company_id": other_company.id,
            "company_ids": [Command.set(other_company.ids)],
            "groups_id": [Command.set([self.env.ref("bigcommerce_connector.group_bigcommerce_user").id])]})
        self.assertFalse(self.env["bc.reconciliation.difference"].with_user(outsider).search([]))
        self.assertFalse(self.env["bc.reconciliation"].with_user(outsider).search([]))
