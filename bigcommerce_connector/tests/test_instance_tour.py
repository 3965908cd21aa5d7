from odoo.tests import HttpCase, new_test_user, tagged

from .common import start_sandbox


@tagged("post_install", "-at_install")
class TestInstanceSetupTour(HttpCase):
    """A connector manager connects a store from the browser, as on day one."""

    def test_manager_connects_and_confirms_a_store(self):
        sandbox = start_sandbox(port=0, store_hash="abc123", access_token="tour-token", quota=10000)
        self.addCleanup(sandbox.stop)
        # The API address field is technical; the merchant never types it.
        self.env["ir.default"].set("bc.instance", "api_url", sandbox.url)
        new_test_user(self.env, login="bc_manager", password="bc_manager_pw12",
                      groups="base.group_user,bigcommerce_connector.group_bigcommerce_manager")
        self.start_tour("/odoo/bigcommerce-stores", "bigcommerce_instance_setup", login="bc_manager")
        instance = self.env["bc.instance"].search([("name", "=", "Tour Store")])
        self.assertEqual(instance.store_hash, "abc123")
        self.assertEqual(instance.state, "confirmed")
        self.assertEqual(instance.store_name, "Sandbox Outfitters")
        self.assertIn("East Coast Store", instance.location_ids.mapped("name"))
