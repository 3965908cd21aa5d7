from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from . import test_order_cancel
from .common import BigCommerceOrderCase

STOREFRONT, MARKETPLACE = "1", "2"  # the sandbox's channels: order 115 is the marketplace's, the others the storefront's


@tagged("post_install", "-at_install")
class TestChannelRouting(BigCommerceOrderCase):
    """Each channel gives its orders its sales team, warehouse and analytic distribution; what it
    leaves empty is the store's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.channels = {channel.bc_id: channel for channel in cls.instance.channel_ids}
        cls.web_team = cls.env["crm.team"].create({"name": "Web Shop"})
        cls.marketplace_team = cls.env["crm.team"].create({"name": "Marketplaces"})
        cls.marketplace_warehouse = cls.env["stock.warehouse"].create({"name": "Marketplace Hub", "code": "MKT"})
        cls.instance.team_id = cls.web_team
        cls.plan = cls.env["account.analytic.plan"].create({"name": "Sales Channels"})
        cls.web_account = cls.env["account.analytic.account"].create({"name": "Web Shop", "plan_id": cls.plan.id})
        cls.marketplace_account = cls.env["account.analytic.account"].create(
            {"name": "Marketplace", "plan_id": cls.plan.id, "company_id": cls.env.company.id})
        cls.instance.guest_partner_id = cls.env["res.partner"].create({"name": "Guests"})

    def test_an_order_of_a_configured_channel_gets_its_team_and_warehouse(self):
        self.channels[MARKETPLACE].write({"team_id": self.marketplace_team.id,
                                          "warehouse_id": self.marketplace_warehouse.id})
        sale_order = self.import_orders(115)
        self.assertEqual(sale_order.team_id, self.marketplace_team)
        self.assertEqual(sale_order.warehouse_id, self.marketplace_warehouse)
        sale_order.action_confirm()
        self.assertEqual(sale_order.picking_ids.picking_type_id.warehouse_id, self.marketplace_warehouse,
                         "the channel's warehouse delivers")

    def test_a_channel_without_settings_gets_the_store_settings(self):
        self.channels[MARKETPLACE].write({"team_id": self.marketplace_team.id,
                                          "warehouse_id": self.marketplace_warehouse.id})
        self.instance.analytic_distribution = {str(self.web_account.id): 100}
        sale_order = self.import_orders(103)  # storefront: nothing set on it
        self.assertEqual(sale_order.team_id, self.web_team)
        self.assertEqual(sale_order.warehouse_id, self.instance.warehouse_id)
        self.assertNotEqual(sale_order.warehouse_id, self.marketplace_warehouse)
        self.assertEqual(set(map(str, sale_order.order_line.mapped("analytic_distribution"))),
                         {str({str(self.web_account.id): 100.0})})

    def test_without_routing_orders_get_odoo_defaults_the_salesperson_team_and_distribution_models(self):
        # The import asks Odoo's defaults once a queue run: each order of the run must still get them.
        self.instance.team_id = False
        salesperson = self.env["res.users"].create({"name": "Web Seller", "login": "web.seller@example.com"})
        self.web_team.member_ids = salesperson
        self.instance.user_id = salesperson
        without_models = self.import_orders(101, 103)
        self.assertEqual(without_models.team_id, self.web_team)
        self.assertFalse(any(without_models.order_line.mapped("analytic_distribution")))
        self.env["account.analytic.distribution.model"].create(
            {"partner_id": False, "company_id": self.env.company.id,
             "analytic_distribution": {str(self.marketplace_account.id): 100}})
        with_model = self.import_orders(104, 105)
        self.assertEqual(with_model.team_id, self.web_team)
        for line in with_model.order_line:
            self.assertEqual(line.analytic_distribution, {str(self.marketplace_account.id): 100}, line.name)

    def test_a_channel_analytic_distribution_reaches_the_invoice_lines_of_its_orders(self):
        distribution = {str(self.web_account.id): 60.0, str(self.marketplace_account.id): 40.0}
        self.channels[STOREFRONT].analytic_distribution = distribution
        self.instance.analytic_distribution = {str(self.marketplace_account.id): 100}
        # An Odoo distribution model for the shipping product would give its lines another account.
        shipping = self.instance._bigcommerce_service_product("shipping")
        self.env["account.analytic.distribution.model"].create(
            {"product_id": shipping.id, "company_id": self.env.company.id,
             "analytic_distribution": {str(self.marketplace_account.id): 100}})
        # Shipping, handling and wrapping; a gift certificate; discounts; a fee.
        sale_orders = self.import_orders(103, 107, 116, 117)
        kinds = {self.instance.shipping_product_id, self.instance.wrapping_product_id,
                 self.instance.gift_certificate_product_id, self.instance.discount_product_id,
                 self.instance.custom_product_id}
        self.assertLessEqual(kinds, set(sale_orders.order_line.product_id), "every kind of line is there")
        # Each posts to the income account of its product, else of its product category (README).
        Account = self.env["account.account"]
        shipping_income = Account.create({"name": "Shipping Income", "code": "400910", "account_type": "income"})
        gift_certificates = Account.create(
            {"name": "Gift Certificates Sold", "code": "210910", "account_type": "liability_current"})
        fees = Account.create({"name": "Fees and Custom Items", "code": "400920", "account_type": "income"})
        shipping.property_account_income_id = shipping_income
        self.instance.gift_certificate_product_id.property_account_income_id = gift_certificates
        self.instance.custom_product_id.categ_id = self.env["product.category"].create(
            {"name": "BigCommerce Fees", "property_account_income_categ_id": fees.id})
        for line in sale_orders.order_line:
            self.assertEqual(line.analytic_distribution, distribution, line.name)
        sale_orders.action_confirm()
        invoices = sale_orders._create_invoices()
        invoices.action_post()
        invoice_lines = invoices.invoice_line_ids
        self.assertEqual(len(invoice_lines), len(sale_orders.order_line))
        for line in invoice_lines:
            self.assertEqual(line.analytic_distribution, distribution, line.name)
        accounts = {product: invoice_lines.filtered(lambda aml, product=product: aml.product_id == product).account_id
                    for product in kinds}
        self.assertEqual(accounts[shipping], shipping_income)
        self.assertEqual(accounts[self.instance.gift_certificate_product_id], gift_certificates)
        self.assertEqual(accounts[self.instance.custom_product_id], fees)
        self.assertNotIn(accounts[self.instance.discount_product_id], shipping_income | gift_certificates | fees)
        # The analytic report shows the orders' whole income under the channel's accounts.
        analytic_lines = self.env["account.analytic.line"].search([("move_line_id", "in", invoice_lines.ids)])
        income = sum(invoices.mapped("amount_untaxed_signed"))
        column = self.plan._column_name()
        by_account = {}
        for aal in analytic_lines:
            by_account[aal[column]] = by_account.get(aal[column], 0) + aal.amount
        self.assertAlmostEqual(by_account[self.web_account], income * 0.6, places=1)
        self.assertAlmostEqual(by_account[self.marketplace_account], income * 0.4, places=1)

    def test_a_refund_credit_note_keeps_the_channel_analytic_distribution(self):
        distribution = {str(self.web_account.id): 100.0}
        self.channels[STOREFRONT].analytic_distribution = distribution
        self.add_workflow(confirm_order=True, create_invoice=True, post_invoice=True)
        sale_order = self.import_orders(117)  # a custom fee
        fee = self.sandbox.state.orders[117]["fees"][0]
        test_order_cancel.TestRefundsFromBigCommerce.refund_in_bigcommerce(self, 117, [
            {"item_type": "ORDER", "item_id": 117, "amount": 5.0},
            {"item_type": "FEE", "item_id": fee["id"], "amount": float(fee["cost_inc_tax"])}])
        self.import_orders(117)
        credit_note = sale_order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.invoice_line_ids.mapped("name"), ["Amount refunded in BigCommerce"])
        self.assertEqual(credit_note.invoice_line_ids.analytic_distribution, distribution)

    def test_a_channel_takes_only_settings_of_its_store_company(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        channel = self.channels[MARKETPLACE]
        other_warehouse = self.env["stock.warehouse"].sudo().search([("company_id", "=", other.id)], limit=1)
        self.assertTrue(other_warehouse)
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            channel.warehouse_id = other_warehouse
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            channel.team_id = self.env["crm.team"].sudo().create({"name": "Other Team", "company_id": other.id})
        foreign = self.env["account.analytic.account"].sudo().create(
            {"name": "Other Marketplace", "plan_id": self.plan.id, "company_id": other.id})
        with self.assertRaisesRegex(ValidationError, "Other Marketplace"):
            channel.analytic_distribution = {str(foreign.id): 100}
        with self.assertRaisesRegex(ValidationError, "Other Marketplace"):
            self.instance.analytic_distribution = {str(foreign.id): 100}
        channel.analytic_distribution = {str(self.web_account.id): 100}  # shared by all companies
        self.assertEqual(channel.analytic_distribution, {str(self.web_account.id): 100.0})

    def test_connector_managers_set_them_in_the_store_form(self):
        manager = self.env["res.users"].create({
            "name": "Channel Manager", "login": "bc_channel_manager",
            "groups_id": [Command.set([self.env.ref("bigcommerce_connector.group_bigcommerce_manager").id,
                                       self.env.ref("analytic.group_analytic_accounting").id])]})
        form = Form(self.instance.with_user(manager))
        index = [channel.bc_id for channel in self.instance.channel_ids].index(MARKETPLACE)
        with form.channel_ids.edit(index) as row:
            row.team_id = self.marketplace_team
            row.warehouse_id = self.marketplace_warehouse
        form.save()
        self.assertEqual(self.channels[MARKETPLACE].team_id, self.marketplace_team)
        self.instance.action_confirm()  # Update Store Data keeps them
        self.assertEqual(self.channels[MARKETPLACE].warehouse_id, self.marketplace_warehouse)
        user = self.env["res.users"].create({
            "name": "Channel User", "login": "bc_channel_user",
            "groups_id": [Command.set([self.env.ref("bigcommerce_connector.group_bigcommerce_user").id])]})
        with self.assertRaises(AccessError):
            self.channels[MARKETPLACE].with_user(user).team_id = self.web_team
