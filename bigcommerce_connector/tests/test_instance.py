from unittest.mock import patch

import responses

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import BigCommerceSandboxCase, sandbox_instance_vals, start_sandbox
from sandbox import seed


@tagged("post_install", "-at_install")
class TestInstanceConnection(BigCommerceSandboxCase):

    def test_test_connection_shows_the_store(self):
        action = self.instance.action_test_connection()
        params = action["params"]
        self.assertEqual(params["type"], "success")
        self.assertIn(self.instance.store_name, params["title"])
        self.assertIn("USD", params["message"])
        self.assertTrue(self.instance.store_timezone)
        self.assertIn(self.instance.store_timezone, params["message"])

    def test_bad_token_says_what_to_fix_without_revealing_it(self):
        self.instance.access_token = "wrong-token-123"
        with self.assertRaises(UserError) as caught:
            self.instance.action_test_connection()
        message = str(caught.exception)
        self.assertIn("token", message.lower())
        self.assertNotIn("wrong-token-123", message)
        logged = self.env["marketplace.log"].search([("instance_id", "=", self.instance.marketplace_instance_id.id)])
        self.assertFalse(any("wrong-token-123" in log.message for log in logged))

    @responses.activate
    def test_missing_scope_is_named(self):
        responses.add(responses.GET, f"{self.sandbox.url}/stores/{self.sandbox.store_hash}/v2/store", status=403,
                      json=[{"status": 403, "message": "You don't have a required scope to access the endpoint"}])
        with self.assertRaises(UserError) as caught:
            self.instance.action_test_connection()
        self.assertIn("store_v2_information", str(caught.exception))

    def test_unreachable_store_says_to_check_the_address(self):
        self.instance.api_url = "http://127.0.0.1:9"  # discard port: nothing listens
        with self.assertRaises(UserError) as caught:
            self.instance.action_test_connection()
        self.assertIn("could not be reached", str(caught.exception))

    def test_pasted_control_panel_address_gives_the_store_hash(self):
        other = self.env["bc.instance"].create({
            "name": "Pasted", "store_hash": "https://store-abc123.mybigcommerce.com/manage", "access_token": "x"})
        self.assertEqual(other.store_hash, "abc123")
        with self.assertRaises(ValidationError) as caught:
            self.env["bc.instance"].create({"name": "Wrong", "store_hash": "https://example.com/shop"})
        self.assertIn("store-abc123.mybigcommerce.com", str(caught.exception))

    def test_one_record_per_store_refused_without_a_server_error(self):
        self.instance.action_archive()
        with self.assertNoLogs("odoo.sql_db", level="ERROR"), self.assertRaisesRegex(
                ValidationError, f"store {self.instance.store_hash} is already connected"):
            self.env["bc.instance"].create({"name": "Twice", "store_hash": self.instance.store_hash})
        other = self.env["bc.instance"].create({"name": "Other", "store_hash": "other1"})
        with self.assertNoLogs("odoo.sql_db", level="ERROR"), self.assertRaises(ValidationError):
            other.store_hash = f"https://store-{self.instance.store_hash}.mybigcommerce.com/manage"
        self.instance.name = "Renamed"  # saving a store keeps its own hash


@tagged("post_install", "-at_install")
class TestInstanceConfirm(BigCommerceSandboxCase):

    def _counts(self):
        return {model: self.env[model].search_count([("instance_id", "=", self.instance.id)]) for model in (
            "bc.order.status", "bc.channel", "bc.location", "bc.tax.class", "bc.category", "bc.brand", "bc.currency")}

    def test_confirm_imports_store_data_and_twice_gives_the_same_records(self):
        self.instance.action_confirm()
        self.assertEqual(self.instance.state, "confirmed")
        first = self._counts()
        self.assertEqual(first["bc.channel"], len(seed.CHANNELS))
        self.assertEqual(first["bc.location"], len(seed.LOCATIONS))
        self.assertEqual(first["bc.category"], len(seed.CATEGORIES))
        self.assertEqual(first["bc.brand"], len(seed.BRANDS))
        self.assertGreaterEqual(first["bc.order.status"], 14)
        self.assertEqual(self.instance.import_status_ids.mapped("name"), ["Awaiting Fulfillment"])
        channel_ids = self.instance.channel_ids.ids
        renamed = [dict(channel) for channel in seed.CHANNELS]
        renamed[1]["name"] = "Amazon EU"
        with patch.object(seed, "CHANNELS", renamed):
            self.instance.action_confirm()
        self.assertEqual(self._counts(), first)
        self.assertEqual(self.instance.channel_ids.ids, channel_ids)
        self.assertIn("Amazon EU", self.instance.channel_ids.mapped("name"))

    def test_category_tree_is_preserved(self):
        self.instance.action_confirm()
        by_id = {category.bc_id: category for category in self.instance.category_ids}
        for category_id, _tree, parent_id, name in seed.CATEGORIES:
            category = by_id[str(category_id)]
            self.assertEqual(category.name, name)
            self.assertEqual(category.parent_id.bc_id or 0, str(parent_id) if parent_id else 0)
        self.assertEqual(by_id["13"].complete_name, "Apparel / Men / Shirts")

    def test_confirm_without_location_says_what_to_do(self):
        with patch.object(seed, "LOCATIONS", []), self.assertRaises(UserError) as caught:
            self.instance.action_confirm()
        self.assertIn("no inventory location", str(caught.exception))
        self.assertEqual(self.instance.state, "draft")

    def test_scheduled_actions_are_per_instance_and_stop_with_it(self):
        other_sandbox = start_sandbox(port=0, store_hash="secondstore", quota=10000)
        self.addCleanup(other_sandbox.stop)
        other = self.env["bc.instance"].create(sandbox_instance_vals(other_sandbox, name="Second Store"))
        (self.instance | other).write({"start_import_now": True})
        (self.instance | other).action_confirm()
        crons = self.instance._cron("import_orders") | other._cron("import_orders")
        self.assertEqual(len(crons), 2)
        self.assertEqual(len(self.instance._crons()), 7,
                         "import orders, export stock, export prices, update order status, import customers and products, reconcile")
        self.assertTrue(all(crons.mapped("active")))
        self.assertEqual((crons[0].interval_number, crons[0].interval_type), (15, "minutes"))
        self.instance.scheduled_action_ids.filtered(lambda row: row.action == "import_orders").write(
            {"interval_number": 5, "interval_type": "minutes"})
        self.assertEqual(self.instance._cron("import_orders").interval_number, 5)
        self.assertEqual(other._cron("import_orders").interval_number, 15)
        self.instance.action_archive()
        self.assertFalse(any(self.instance._crons().mapped("active")))
        self.assertTrue(other._cron("import_orders").active)
        self.instance.action_confirm()  # confirming again creates no second action
        crons = self.env["ir.cron"].with_context(active_test=False).search([("code", "like", f"model.browse({self.instance.id})")])
        self.assertEqual(crons, self.instance._crons())

    def test_operations_wizard_queues_reference_import(self):
        wizard = self.env["marketplace.operation.wizard"].create({
            "instance_ids": [(6, 0, self.instance.marketplace_instance_id.ids)],
            "operation": "bigcommerce_import_brands",
        })
        action = wizard.action_run()
        job = self.env["marketplace.queue.job"].search([("instance_id", "=", self.instance.marketplace_instance_id.id)])
        self.assertEqual(len(job), 1)
        self.assertIn(f"/odoo/marketplace-jobs/{job.id}", action["params"]["links"][0]["url"])
        self.env["marketplace.queue.line"]._cron_process_queue()
        self.assertEqual(job.state, "done")
        self.assertEqual(job.operation_label, "Import Store Data")
        self.assertEqual(job.line_ids.log_ids.mapped("message"), [f"Brands imported: {len(seed.BRANDS)}."])
        self.assertEqual(sorted(self.instance.brand_ids.mapped("name")), sorted(b["name"] for b in seed.BRANDS))

    def test_the_generic_store_leads_back_to_the_bigcommerce_store_even_archived(self):
        generic = self.instance.marketplace_instance_id
        self.assertEqual(generic._connector_record(), self.instance)
        self.instance.active = False
        self.assertEqual(generic._connector_record(), self.instance)
        self.assertFalse(self.env["marketplace.instance"].create({"name": "No connector"})._connector_record())


@tagged("post_install", "-at_install")
class TestInstanceSecrets(BigCommerceSandboxCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marketplace_user = cls.env["res.users"].create({
            "name": "Marketplace User", "login": "mp_user", "password": "mp_user_pw12",
            "groups_id": [(6, 0, [cls.env.ref("bigcommerce_connector.group_bigcommerce_user").id])],
        })

    def test_marketplace_user_cannot_read_secrets(self):
        instance = self.instance.with_user(self.marketplace_user)
        self.assertEqual(instance.name, "Sandbox Store")
        for secret in ("access_token", "client_secret"):
            with self.assertRaises(AccessError):
                instance.read([secret])
            self.assertNotIn(secret, instance.fields_get())

    def test_neutralized_copy_has_no_secrets(self):
        import os
        sql_path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "neutralize.sql")
        with open(sql_path) as sql:
            self.env.cr.execute(sql.read())
        self.instance.invalidate_recordset()
        self.assertFalse(self.instance.access_token)
        self.assertFalse(self.instance.client_secret)


@tagged("post_install", "-at_install")
class TestMultiStore(BigCommerceSandboxCase):

    @mute_logger("odoo.addons.base_marketplace.models.marketplace_queue_line")
    def test_a_failing_store_never_blocks_another(self):
        other_sandbox = start_sandbox(port=0, store_hash="secondstore", quota=10000)
        self.addCleanup(other_sandbox.stop)
        other = self.env["bc.instance"].create(sandbox_instance_vals(other_sandbox, name="Second Store"))
        (self.instance | other).action_confirm()
        other.access_token = "revoked-token"
        wizard = self.env["marketplace.operation.wizard"].create({
            "instance_ids": [(6, 0, (self.instance | other).marketplace_instance_id.ids)],
            "operation": "bigcommerce_import_brands",
        })
        wizard.action_run()
        self.env["marketplace.queue.line"]._cron_process_queue()
        lines = self.env["marketplace.queue.line"].search([("operation", "=", "bigcommerce_import_reference")])
        by_store = {line.instance_id.name: line for line in lines}
        self.assertEqual(by_store["Sandbox Store"].state, "done")
        self.assertEqual(by_store["Second Store"].state, "failed")
        self.assertIn("access token", by_store["Second Store"].last_error)

    def test_stores_of_another_company_are_invisible(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        user = self.env["res.users"].create({
            "name": "Other Co Manager", "login": "other_co_manager", "password": "other_co_pw12",
            "company_id": other_company.id, "company_ids": [(6, 0, other_company.ids)],
            "groups_id": [(6, 0, [self.env.ref("bigcommerce_connector.group_bigcommerce_manager").id])],
        })
        self.env["marketplace.log"]._log(self.instance.marketplace_instance_id, "Imported order 101")
        as_other = self.env(user=user)
        self.assertFalse(as_other["bc.instance"].search([]))
        self.assertFalse(as_other["marketplace.log"].search([]))
        self.assertFalse(as_other["marketplace.instance"].search([]))


@tagged("post_install", "-at_install")
class TestScheduledActions(BigCommerceSandboxCase):

    def test_a_connector_manager_tunes_the_store_schedule_and_the_cron_follows(self):
        self.instance.action_confirm()
        manager = self.env["res.users"].create({
            "name": "Connector Manager", "login": "bc.manager",
            "groups_id": [Command.set([self.env.ref("bigcommerce_connector.group_bigcommerce_manager").id,
                                       self.env.ref("base.group_user").id])]})
        self.assertFalse(manager.has_group("base.group_system"), "not an administrator")
        rows = self.instance.with_user(manager).scheduled_action_ids
        self.assertEqual(rows.mapped("action"), ["import_orders", "export_stock", "export_prices", "update_order_status",
                                                 "import_customers", "import_products", "reconcile"])
        stock = rows.filtered(lambda row: row.action == "export_stock")
        stock.write({"interval_number": 2, "interval_type": "hours", "enabled": True})
        cron = self.instance._cron("export_stock")
        self.assertEqual((cron.interval_number, cron.interval_type, cron.active), (2, "hours", True))
        self.assertEqual((stock.interval_number, stock.enabled), (2, True), "the row reads its cron")
        with self.assertRaises(ValidationError):
            stock.interval_number = 0

    def test_archiving_a_store_switches_its_scheduled_actions_off(self):
        self.instance.start_import_now = True
        self.instance.action_confirm()
        self.assertTrue(self.instance._cron("import_orders").active)
        self.instance.action_archive()
        self.assertFalse(any(self.instance._crons().mapped("active")))
        row = self.instance.scheduled_action_ids.filtered(lambda row: row.action == "import_orders")
        row.enabled = True  # an archived store's actions stay off
        self.assertFalse(self.instance._cron("import_orders").active)

    def test_a_store_migrated_from_cron_columns_keeps_its_intervals(self):
        self.instance.action_confirm()
        old_crons = {row.action: row.cron_id for row in self.instance.scheduled_action_ids}
        old_crons["import_orders"].sudo().write({"interval_number": 7, "interval_type": "minutes", "active": True})
        # The 18.0.1.0.0 layout: a column per action on bc_instance, no rows.
        self.instance.scheduled_action_ids.sudo().unlink()
        for key, cron in old_crons.items():
            self.env.cr.execute(SQL("ALTER TABLE bc_instance ADD COLUMN %s integer", SQL.identifier(f"cron_{key}_id")))
            self.env.cr.execute(SQL("UPDATE bc_instance SET %s = %s WHERE id = %s",
                                    SQL.identifier(f"cron_{key}_id"), cron.id, self.instance.id))
        self.env["bc.scheduled.action"]._adopt_old_cron_columns()
        self.instance.invalidate_recordset(["scheduled_action_ids"])
        row = self.instance.scheduled_action_ids.filtered(lambda row: row.action == "import_orders")
        self.assertEqual((row.interval_number, row.interval_type, row.enabled), (7, "minutes", True))
        self.assertEqual({r.action: r.cron_id for r in self.instance.scheduled_action_ids}, old_crons)
        self.env.cr.execute("SELECT column_name FROM information_schema.columns "
                            "WHERE table_name = 'bc_instance' AND column_name LIKE 'cron\\_%'")
        self.assertFalse(self.env.cr.fetchall(), "the old columns are gone")
