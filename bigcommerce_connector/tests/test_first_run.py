from datetime import datetime

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import format_amount

from .common import BigCommerceOrderCase, BigCommerceSandboxCase


def notification(action):
    return action["params"]


@tagged("post_install", "-at_install")
class TestFirstRun(BigCommerceSandboxCase):
    """A merchant's first hour with a new store: what the buttons answer and what the form asks for."""

    def test_confirm_creates_the_scheduled_actions_switched_off(self):
        params = notification(self.instance.action_confirm())
        self.assertEqual(params["title"], "Store confirmed")
        self.assertIn("switched off", params["message"])
        self.assertIn(f"{len(self.instance.location_ids)} locations", params["message"])
        self.assertEqual(len(self.instance._crons()), 7)
        self.assertFalse(any(self.instance._crons().mapped("active")), "nothing runs before the store is ready")
        params = notification(self.instance.action_confirm())
        self.assertEqual(params["title"], "Store data updated")

    def test_start_importing_now_switches_on_import_orders_only(self):
        self.instance.start_import_now = True
        params = notification(self.instance.action_confirm())
        self.assertIn("Import Orders is switched on", params["message"])
        self.assertTrue(self.instance._cron("import_orders").active)
        others = self.instance._crons() - self.instance._cron("import_orders")
        self.assertEqual(len(others), 6)
        self.assertFalse(any(others.mapped("active")))

    def test_checklist_names_what_is_still_missing(self):
        self.instance.action_confirm()
        self.assertEqual(
            [self.instance[f"setup_missing_{step}"] for step in ("products", "workflow", "pricelist", "webhooks")],
            [True, True, True, True])
        self.assertFalse(self.instance.setup_done)
        arch = self.instance.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="setup_checklist"', arch)
        self.env["product.product"].create({"name": "Mug", "default_code": "MUG"})
        self.env["bc.financial.workflow"].create({"instance_id": self.instance.id, "payment_status": "captured",
                                                  "confirm_order": True})
        self.instance.pricelist_id = self.env["product.pricelist"].create({
            "name": "Store prices", "currency_id": self.env.ref("base.EUR").id})
        self.assertTrue(self.instance.setup_missing_pricelist, "a pricelist in another currency does not count")
        self.instance.pricelist_id.currency_id = self.env.ref("base.USD")
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "http://odoo.example.com")
        self.instance.client_secret = "secret"
        self.instance.action_register_webhooks()
        self.assertTrue(self.instance.setup_done)

    def test_test_connection_reloads_the_form_to_show_the_store(self):
        action = self.instance.action_test_connection()
        self.assertEqual(notification(action)["next"], {"type": "ir.actions.act_window_close"})

    def test_webhook_buttons_say_what_they_found(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "http://odoo.example.com")
        self.instance.action_confirm()
        params = notification(self.instance.action_check_webhooks())
        self.assertEqual((params["title"], params["type"]), ("Webhooks need attention", "warning"))
        self.assertIn("store/order/created: missing (use Register Webhooks)", params["message"])
        params = notification(self.instance.action_register_webhooks())
        self.assertEqual((params["title"], params["type"]), ("Webhooks active", "success"))
        self.assertIn("store/order/created: created", params["message"])

    def test_export_stock_now_says_which_box_to_tick(self):
        self.instance.action_confirm()
        params = notification(self.instance.action_export_stock())
        self.assertEqual(params["type"], "info")
        self.assertIn("tick Enable Export Stock? on a location of Sandbox Store", params["message"])
        self.instance.location_ids[0].export_stock = True
        params = notification(self.instance.action_export_stock())
        job = self.env["marketplace.queue.job"].search([("operation", "=", "bigcommerce_export_stock")])
        self.assertEqual(params["links"][0]["url"], f"/odoo/marketplace-jobs/{job.id}")
        params = notification(self.instance.action_export_stock())
        self.assertIn("already queued", params["message"])

    def test_import_stock_operation_says_which_box_to_tick(self):
        self.instance.action_confirm()
        wizard = self.env["marketplace.operation.wizard"].create({
            "instance_ids": self.instance.marketplace_instance_id.ids, "operation": "bigcommerce_import_stock"})
        self.assertIn("tick Enable Import Stock?", notification(wizard.action_run())["message"])

    # ------------------------------------------------------------------ inputs checked when saved
    def test_api_address_without_https_is_refused_with_a_sentence(self):
        with self.assertRaisesRegex(ValidationError, "must start with https://"):
            self.instance.api_url = "api.bigcommerce.com"
        with self.assertRaisesRegex(ValidationError, "must start with https://"):
            self.env["bc.instance"].create({"name": "Plain", "store_hash": "plain1", "api_url": "http://api.bigcommerce.com"})

    def test_wrong_store_hash_is_named(self):
        self.instance.store_hash = "abc123"
        with self.assertRaises(UserError) as caught:
            self.instance.action_test_connection()
        self.assertEqual(str(caught.exception), "No BigCommerce store has the hash abc123: check the store hash.")

    def test_a_store_cannot_be_duplicated_from_its_form_or_the_list(self):
        views = self.instance.get_views([(False, "form"), (False, "list")])["views"]
        self.assertIn('duplicate="0"', views["form"]["arch"])
        self.assertIn('duplicate="0"', views["list"]["arch"])

    def test_calls_after_a_short_pacing_wait_stay_out_of_the_store_log(self):
        def api_logs():
            return self.env["marketplace.log"].search_count([("operation", "=", "api_call")])

        call = {"method": "PUT", "path": "/v3/inventory/adjustments/absolute", "status": 200, "duration_ms": 80,
                "attempts": 1, "waits": [0.7], "error": None}
        self.instance._log_api_call(call)
        self.assertEqual(api_logs(), 0)
        self.instance._log_api_call(dict(call, attempts=2, waits=[0.7, 1.0]))
        self.assertEqual(api_logs(), 1, "a retried call is worth the log")


@tagged("post_install", "-at_install")
class TestFirstRunOrders(BigCommerceOrderCase):

    def run_date_range_import(self, **vals):
        wizard = self.env["marketplace.operation.wizard"].create({
            "instance_ids": [self.instance.marketplace_instance_id.id], "operation": "bigcommerce_import_orders",
            "bigcommerce_date_from": datetime(2025, 1, 6, 15, 0), **vals})
        return notification(wizard.action_run())

    def test_import_by_date_range_answers_at_once_and_queues_the_listing(self):
        api_url = self.instance.api_url
        self.instance.api_url = "http://127.0.0.1:9"  # the store is down: the button does not wait for it
        params = self.run_date_range_import(bigcommerce_date_to=datetime(2025, 1, 6, 21, 0))
        listing = self.env["marketplace.queue.job"].search([("operation", "=", "bigcommerce_list_orders")])
        self.assertEqual(params["links"][0]["url"], f"/odoo/marketplace-jobs/{listing.id}")
        self.assertFalse(self.Line.search([("operation", "=", "bigcommerce_import_order")]))
        # The job's name states the whole period.
        self.assertIn("from Jan 6, 2025, 3:00:00 PM to Jan 6, 2025, 9:00:00 PM", listing.name)
        self.assertEqual(listing.operation_label, "List Orders")
        self.assertIn("already being listed", self.run_date_range_import(
            bigcommerce_date_to=datetime(2025, 1, 6, 21, 0))["message"])
        self.instance.api_url = api_url
        self.run_queue()
        line = listing.line_ids
        self.assertEqual(line.state, "done")
        orders_job = self.env["marketplace.queue.job"].search([("operation", "=", "bigcommerce_import_order")])
        self.assertEqual((line.res_model, line.res_id), ("marketplace.queue.job", orders_job.id))
        self.assertIn("Page 1: 3 orders created in this period, 3 queued to import", line.log_ids.message)
        self.assertEqual(len(self.sale_order(103, 104, 105)), 3)

    def test_gift_wrapping_has_its_own_product(self):
        sale_order = self.import_orders(103)
        wrapping = self.instance.wrapping_product_id
        self.assertEqual(wrapping.name, "BigCommerce Gift Wrapping")
        self.assertIn(wrapping, sale_order.order_line.product_id)
        self.assertNotEqual(wrapping, self.instance.custom_product_id)
        self.assertTotalsEqualBigCommerce(sale_order, 103)

    def test_order_shows_its_channel_by_name(self):
        sale_order = self.import_orders(115)
        self.assertEqual(sale_order.bigcommerce_channel_id, 2)
        self.assertEqual(sale_order.bigcommerce_channel_name, "Sandbox Marketplace")

    def test_totals_that_differ_are_shown_in_the_order_currency(self):
        wrong_tax = self.env["account.tax"].create({
            "name": "Wrong shipping tax", "amount": 20, "amount_type": "percent", "type_tax_use": "sale",
            "price_include_override": "tax_excluded"})
        self.instance.tax_class_ids.filtered(lambda tax_class: tax_class.bc_id == "2").tax_ids = wrong_tax
        sale_order = self.import_orders(103)
        self.assertIn(f"in BigCommerce, {format_amount(self.env, sale_order.amount_tax, sale_order.currency_id)} in Odoo",
                      sale_order.bigcommerce_totals_mismatch)

    def test_update_order_status_says_when_the_deliveries_are_already_queued(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(103)
        picking = sale_order.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=[]).button_validate()
        params = notification(sale_order.action_bigcommerce_update_order_status())
        self.assertEqual(params["type"], "info")
        self.assertIn("already on their way to BigCommerce", params["message"])
