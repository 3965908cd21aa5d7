from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

from ..hooks import FORMER_BASE_USER_IMPLIED, adopt_marketplace_group_members
from .common import BigCommerceOrderCase


def _user(env, login, *groups):
    return env["res.users"].create({"name": login, "login": login,
                                    "groups_id": [Command.set([env.ref(group).id for group in groups])]})


@tagged("post_install", "-at_install")
class TestConnectorGroups(BigCommerceOrderCase):
    """The connector's own groups carry the sales, stock and invoicing rights its users need;
    the base Marketplace groups are as base_marketplace defines them."""

    def test_a_bigcommerce_user_opens_the_store_orders(self):
        self.instance.guest_partner_id = self.env["res.partner"].create({"name": "Guests"})
        sale_order = self.import_orders(101)
        user = _user(self.env, "bc_only_user", "bigcommerce_connector.group_bigcommerce_user")
        action = self.env.ref("bigcommerce_connector.bigcommerce_sale_order_action")
        orders = self.env["sale.order"].with_user(user).search(safe_eval(action.domain))
        self.assertIn(sale_order, orders)
        self.assertEqual(orders.filtered(lambda order: order == sale_order).read(["name"])[0]["name"], sale_order.name)
        self.assertEqual(sale_order.with_user(user).bigcommerce_instance_id.name, "Sandbox Store")
        sale_order.with_user(user).picking_ids.check_access("read")
        menus = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        self.assertIn(self.env.ref("bigcommerce_connector.menu_bigcommerce_sale_orders").id, menus)
        self.assertNotIn(self.env.ref("bigcommerce_connector.menu_bigcommerce_stores").id, menus, "managers only")

    def test_a_base_marketplace_user_gets_no_sales_rights_from_the_connector(self):
        user = _user(self.env, "mp_only_user", "base_marketplace.group_marketplace_user")
        for group in FORMER_BASE_USER_IMPLIED + ("bigcommerce_connector.group_bigcommerce_user",):
            self.assertFalse(user.has_group(group), group)
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(user).search([])
        with self.assertRaises(AccessError):
            self.env["bc.instance"].with_user(user).search([])
        self.assertNotIn(self.env.ref("bigcommerce_connector.menu_bigcommerce_root").id,
                         self.env["ir.ui.menu"].with_user(user)._visible_menu_ids())
        self.assertEqual(self.env.ref("base_marketplace.group_marketplace_user").implied_ids,
                         self.env.ref("base.group_user"))

    def test_a_bigcommerce_manager_is_a_marketplace_manager(self):
        manager = _user(self.env, "bc_manager", "bigcommerce_connector.group_bigcommerce_manager")
        for group in ("base_marketplace.group_marketplace_manager", "bigcommerce_connector.group_bigcommerce_user",
                      "sales_team.group_sale_salesman_all_leads"):
            self.assertTrue(manager.has_group(group), group)
        self.assertTrue(self.env.ref("base.user_admin").has_group("bigcommerce_connector.group_bigcommerce_manager"))


@tagged("post_install", "-at_install")
class TestGroupMigration(TransactionCase):

    def test_members_of_the_base_groups_get_the_connector_groups_and_the_base_group_is_restored(self):
        base_user = self.env.ref("base_marketplace.group_marketplace_user")
        # As 18.0.1.0.x left a database: the base group widened, its members given the rights.
        base_user.implied_ids = [Command.link(self.env.ref(xmlid).id) for xmlid in FORMER_BASE_USER_IMPLIED]
        user = _user(self.env, "old_mp_user", "base_marketplace.group_marketplace_user")
        manager = _user(self.env, "old_mp_manager", "base_marketplace.group_marketplace_manager")
        self.assertTrue(user.has_group("sales_team.group_sale_salesman_all_leads"))
        adopt_marketplace_group_members(self.env)
        self.assertEqual(base_user.implied_ids, self.env.ref("base.group_user"))
        self.assertTrue(user.has_group("bigcommerce_connector.group_bigcommerce_user"))
        self.assertFalse(user.has_group("bigcommerce_connector.group_bigcommerce_manager"))
        self.assertTrue(manager.has_group("bigcommerce_connector.group_bigcommerce_manager"))
        self.assertTrue(user.has_group("sales_team.group_sale_salesman_all_leads"), "rights they had are kept")
        adopt_marketplace_group_members(self.env)  # running it again changes nothing
        self.assertEqual(base_user.implied_ids, self.env.ref("base.group_user"))
