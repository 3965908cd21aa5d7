from odoo.tests import tagged

from .common import BigCommerceOrderCase, BigCommerceWebhookCase


class CustomerImportMixin:

    def import_customers(self, since=None):
        wizard = self.env["marketplace.operation.wizard"].create({
            "instance_ids": [self.instance.marketplace_instance_id.id],
            "operation": "bigcommerce_import_customers", "bigcommerce_customers_since": since,
        })
        wizard.action_run()
        self.run_queue()
        failed = self.Line.search([("operation", "like", "bigcommerce_%_customer%"), ("state", "=", "failed")])
        self.assertFalse(failed, "\n".join(failed.mapped("last_error")))

    def binding(self, customer_id):
        return self.env["bc.customer.binding"].search([("instance_id", "=", self.instance.id),
                                                       ("bigcommerce_customer_id", "=", customer_id)])

    def snapshot(self):
        """What a user would see change: contacts, their values, their chatter."""
        partners = self.env["res.partner"].with_context(active_test=False).search([], order="id")
        return (partners.ids, [(p.write_date, p.name, p.email, p.phone, p.parent_id.id, p.street) for p in partners],
                self.env["mail.message"].search_count([("model", "=", "res.partner")]),
                [(b.partner_id.id, b.customer_group_id, b.customer_group_name, b.write_date)
                 for b in self.env["bc.customer.binding"].search([], order="id")])


@tagged("post_install", "-at_install")
class TestCustomerImport(CustomerImportMixin, BigCommerceOrderCase):

    def test_import_customers_creates_contacts_with_addresses_and_a_second_import_changes_nothing(self):
        self.import_customers()
        john = self.binding(1).partner_id
        self.assertEqual((john.name, john.email, john.phone), ("John Smith", "john.smith@example.com", "512-555-0101"))
        self.assertEqual(john.street, "12 Congress Ave", "the first saved address is the account's contact")
        self.assertEqual(john.child_ids.mapped("street"), ["400 Elm St"])
        self.assertEqual(john.child_ids.type, "delivery")
        self.assertEqual(john.child_ids.email, "john.smith@example.com")
        hans = self.binding(3)
        self.assertEqual((hans.customer_group_id, hans.customer_group_name), (1, "Wholesale"))
        self.assertEqual(hans.partner_id.company_name, "Müller GmbH")
        self.assertEqual(len(self.env["bc.customer.binding"].search([("instance_id", "=", self.instance.id)])), 4)
        before = self.snapshot()
        self.import_customers()
        self.assertEqual(self.snapshot(), before, "a second import writes nothing and creates nothing")
        log = self.env["marketplace.log"].search([("operation", "=", "bigcommerce_import_customer"),
                                                  ("external_id", "=", "1")], limit=1)
        self.assertIn("already up to date", log.message)

    def test_an_order_delivery_contact_and_the_imported_address_are_one_contact(self):
        sale_order = self.import_orders(111)  # John's, shipped to his work address
        johns = [("email", "=", "john.smith@example.com")]
        partners_before = self.env["res.partner"].search(johns)
        self.import_customers()
        john = self.binding(1).partner_id
        self.assertEqual(john, sale_order.partner_id, "the order's customer is the imported account")
        self.assertEqual(self.env["res.partner"].search(johns), partners_before, "no contact of his duplicated")
        work = john.child_ids.filtered(lambda contact: contact.street == "400 Elm St")
        self.assertEqual(len(work), 1)
        self.assertEqual(work, sale_order.partner_shipping_id, "the order's delivery contact is the saved address")

    def test_modified_since_imports_only_the_changed_customers(self):
        self.sandbox.state.update_customers([{"id": 2, "phone": "212-555-0199"}])
        self.import_customers(since="2026-01-01 00:00:00")
        self.assertTrue(self.binding(2))
        self.assertFalse(self.binding(1) | self.binding(3) | self.binding(4))
        self.assertEqual(self.binding(2).partner_id.phone, "212-555-0199")

    def test_a_page_of_250_queues_the_next_page(self):
        for number in range(260):
            self.sandbox.state.add_customer(email=f"bulk{number}@example.com")
        self.import_customers()
        pages = self.Line.search([("operation", "=", "bigcommerce_list_customers")])
        self.assertEqual(len(pages), 2)
        self.assertEqual(len(self.env["bc.customer.binding"].search([("instance_id", "=", self.instance.id)])), 264)

    def test_the_schedule_imports_the_customers_modified_since_its_last_run(self):
        self.instance._cron_import_customers()
        self.run_queue()
        self.assertEqual(len(self.env["bc.customer.binding"].search([("instance_id", "=", self.instance.id)])), 4)
        watermark = self.instance.last_customer_import_at
        self.assertTrue(watermark)
        self.sandbox.state.update_customers([{"id": 4, "last_name": "Browne"}])
        self.instance._cron_import_customers()
        lines = self.Line.search([("operation", "=", "bigcommerce_import_customer"), ("state", "=", "pending")])
        self.assertEqual(lines.mapped("external_id"), ["4"], "only the customer modified since")
        self.run_queue()
        self.assertEqual(self.binding(4).partner_id.name, "Emma Browne")
        self.assertGreater(self.instance.last_customer_import_at, watermark)

    def test_update_store_data_gives_an_older_store_the_customer_schedule_switched_off(self):
        row = self.instance.scheduled_action_ids.filtered(lambda row: row.action == "import_customers")
        row.cron_id.sudo().unlink()  # the row goes with its cron: a store confirmed before customers existed
        self.assertFalse(row.exists())
        self.instance.action_confirm()  # Update Store Data
        row = self.instance.scheduled_action_ids.filtered(lambda row: row.action == "import_customers")
        self.assertEqual((len(row), row.enabled), (1, False))
        self.assertEqual(row.cron_id.code, f"model.browse({self.instance.id})._cron_import_customers()")


@tagged("post_install", "-at_install")
class TestCustomerWebhooks(CustomerImportMixin, BigCommerceWebhookCase):

    def deliver(self):
        self.sandbox.dispatch_events()
        results = self.sandbox.deliver_pending()
        self.assertTrue(results)
        self.assertEqual({result["status"] for result in results}, {200})
        self.run_queue()

    def test_customer_webhooks_update_the_contact(self):
        self.import_customers()
        jane = self.binding(2).partner_id
        self.sandbox.state.update_customers([{"id": 2, "phone": "212-555-0199", "customer_group_id": 2}])
        self.deliver()
        self.assertEqual(jane.phone, "212-555-0199")
        self.assertEqual(self.binding(2).customer_group_name, "VIP")
        john = self.binding(1).partner_id
        work = john.child_ids
        self.assertEqual(work.street, "400 Elm St")
        self.sandbox.state.update_customer_addresses([{"id": 11, "phone": "214-555-0177"}])  # his work address
        self.deliver()
        self.assertEqual(john.child_ids, work, "the same address: no contact added")
        self.assertEqual(work.phone, "214-555-0177")
        created = self.sandbox.state.add_customer(first_name="Nora", last_name="Webb", email="nora@example.com")
        self.deliver()
        self.assertEqual(self.binding(created["id"]).partner_id.name, "Nora Webb")

    def test_customer_scopes_are_registered_with_the_order_ones(self):
        self.assertEqual(sorted(self.instance.webhook_ids.mapped("scope")), [
            "store/customer/address/*", "store/customer/created", "store/customer/updated", "store/order/created",
            "store/order/refund/created", "store/order/statusUpdated", "store/order/updated", "store/product/created",
            "store/product/deleted", "store/product/updated"])
