from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import BigCommerceOrderCase


@tagged("post_install", "-at_install")
class TestOrderImport(BigCommerceOrderCase):

    def test_tax_exclusive_order_matches_bigcommerce_totals(self):
        sale_order = self.import_orders(103)
        self.assertEqual(len(sale_order), 1)
        self.assertTotalsEqualBigCommerce(sale_order, 103)
        self.assertEqual(sale_order.partner_id.name, "John Smith")
        self.assertEqual(sale_order.partner_id.state_id.code, "TX")  # BigCommerce sends "Texas"
        products = sale_order.order_line.product_id
        self.assertIn(self.products["TSHIRT-M"], products)
        self.assertIn(self.products["SKILLET-10"], products)
        taxes = sale_order.order_line.tax_id
        self.assertEqual(set(taxes.mapped("amount")), {8.25})
        self.assertFalse(any(taxes.mapped("price_include")))

    def test_tax_inclusive_order_matches_bigcommerce_totals(self):
        sale_order = self.import_orders(114)
        self.assertTotalsEqualBigCommerce(sale_order, 114)
        taxes = sale_order.order_line.tax_id
        self.assertEqual(set(taxes.mapped("amount")), {20.0})
        self.assertTrue(all(taxes.mapped("price_include")))

    def test_discounted_order_matches_bigcommerce_totals(self):
        sale_order = self.import_orders(116)
        self.assertTotalsEqualBigCommerce(sale_order, 116)
        self.assertTrue(sale_order.order_line.filtered(lambda line: line.price_unit < 0), "discount line")

    def test_second_currency_order_matches_bigcommerce_totals(self):
        sale_order = self.import_orders(115)
        self.assertEqual(sale_order.currency_id.name, "EUR")
        self.assertEqual(sale_order.pricelist_id.currency_id.name, "EUR")
        self.assertTrue(sale_order.currency_id.active)
        self.assertTotalsEqualBigCommerce(sale_order, 115)
        self.assertEqual(sale_order.bigcommerce_channel_id, 2)

    def test_guest_order_gets_the_guest_customer(self):
        guest = self.env["res.partner"].create({"name": "BigCommerce Guests"})
        self.instance.guest_partner_id = guest
        sale_order = self.import_orders(101)
        self.assertEqual(sale_order.partner_id, guest)
        self.assertEqual(sale_order.partner_invoice_id.name, "Alex Guest")
        self.assertEqual(sale_order.partner_invoice_id.parent_id, guest)
        self.assertFalse(self.env["bc.customer.binding"].search([("instance_id", "=", self.instance.id)]))

    def test_registered_customer_is_found_again(self):
        first, second = self.import_orders(103), self.import_orders(105)
        self.assertEqual(first.partner_id, second.partner_id, "customer 1 is one contact")

    def test_two_addresses_give_two_deliveries(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(112)
        self.assertEqual(sale_order.state, "sale")
        pickings = sale_order.picking_ids
        self.assertEqual(len(pickings), 2)
        by_city = {picking.partner_id.city: picking for picking in pickings}
        self.assertEqual(set(by_city), {"Austin", "Dallas"})
        self.assertEqual(set(by_city["Austin"].move_ids.product_id.mapped("default_code")), {"TSHIRT-M", "MUG"})
        self.assertEqual(set(by_city["Dallas"].move_ids.product_id.mapped("default_code")), {"SKILLET-10", "KNIFE-8"})
        self.assertTotalsEqualBigCommerce(sale_order, 112)

    def test_partially_shipped_order_is_partially_delivered(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(105)
        shirt = sale_order.order_line.filtered(lambda line: line.product_id == self.products["TSHIRT-S"])
        knife = sale_order.order_line.filtered(lambda line: line.product_id == self.products["KNIFE-8"])
        self.assertEqual(shirt.qty_delivered, 2)
        self.assertEqual(knife.qty_delivered, 0)
        done = sale_order.picking_ids.filtered(lambda picking: picking.state == "done")
        backorder = sale_order.picking_ids - done
        self.assertEqual(len(done), 1)
        self.assertEqual(len(backorder), 1)
        self.assertEqual(backorder.backorder_id, done)
        self.assertEqual(sorted(backorder.move_ids.mapped("product_uom_qty")), [1.0, 1.0])

    def test_shipped_order_arrives_delivered_without_odoo_email(self):
        self.env.company.stock_move_email_validation = True
        self.add_workflow("paid", confirm_order=True)
        sale_order = self.import_orders(106)
        self.assertEqual(sale_order.picking_ids.mapped("state"), ["done"])
        self.assertEqual(sale_order.order_line.filtered("bigcommerce_order_product_id").qty_delivered, 2)
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "stock.picking"),
                                                       ("res_id", "in", sale_order.picking_ids.ids)]))

    def test_full_workflow_invoices_and_registers_payment(self):
        self.add_workflow("captured", confirm_order=True, create_invoice=True, post_invoice=True,
                          register_payment=True, journal_id=self.bank_journal.id)
        sale_order = self.import_orders(103)
        invoice = sale_order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.amount_total, sale_order.amount_total)

    def test_unknown_gateway_is_created_and_its_order_waits_for_a_workflow(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(102)  # Bank Deposit, payment pending
        gateway = self.env["bc.payment.gateway"].search([("instance_id", "=", self.instance.id),
                                                         ("code", "=", "bank_deposit")])
        self.assertEqual(gateway.name, "Bank Deposit")
        self.assertEqual(sale_order.state, "draft")
        log = self.env["marketplace.log"].search([("res_model", "=", "sale.order"), ("res_id", "=", sale_order.id),
                                                  ("level", "=", "warning")])
        self.assertEqual(log.action_label, "Configure Workflow")
        self.assertEqual(log.action_data["res_model"], "bc.financial.workflow")
        self.assertEqual(log.action_data["context"]["default_gateway_id"], gateway.id)
        self.assertEqual(log.action_data["context"]["default_payment_status"], "pending")
        # The merchant configures it from the shortcut; the next import of the order confirms it.
        self.env["bc.financial.workflow"].with_context(**log.action_data["context"]).create({"confirm_order": True})
        self.import_orders(102)
        self.assertEqual(sale_order.state, "sale")

    def test_missing_sku_fails_naming_it_then_retry_succeeds(self):
        self.products["MUG"].active = False
        self.queue_orders(103)
        self.run_queue()
        line = self.Line.search([("operation", "=", "bigcommerce_import_order"), ("external_id", "=", "103")])
        self.assertEqual(line.state, "failed")
        self.assertIn("“MUG”", line.last_error)
        self.assertFalse(self.sale_order(103))
        self.products["MUG"].active = True
        line.action_retry()
        self.run_queue()
        self.assertEqual(line.state, "done")
        self.assertTotalsEqualBigCommerce(self.sale_order(103), 103)

    def test_products_are_found_by_their_bigcommerce_ids_once_mapped(self):
        self.import_orders(103)
        binding = self.env["bc.product.binding"].search([
            ("instance_id", "=", self.instance.id), ("product_id", "=", self.products["MUG"].id)])
        self.assertEqual((binding.bc_product_id, binding.bc_variant_id, binding.sku), (76, 179, "MUG"),
                         "a SKU match is remembered as a mapping")
        # The merchant changes the Internal Reference in Odoo: later orders still find the mug.
        self.products["MUG"].default_code = "MUG-OLD-REF"
        sale_order = self.import_orders(112)
        self.assertIn(self.products["MUG"], sale_order.order_line.product_id)
        self.assertTotalsEqualBigCommerce(sale_order, 112)

    def test_poll_queues_orders_in_import_statuses_and_advances_the_watermark(self):
        self.instance.import_status_ids = self.instance.order_status_ids.filtered(lambda s: s.bc_id == "11")
        self.instance._cron_import_orders()
        lines = self.Line.search([("operation", "=", "bigcommerce_import_order")])
        self.assertEqual(sorted(map(int, lines.mapped("external_id"))), [103, 112, 113, 114, 115, 116, 117])
        self.assertTrue(self.instance.last_order_import_at)
        self.run_queue()
        self.assertEqual(len(self.sale_order(103, 112, 113, 114, 115, 116, 117)), 7)
        # The next poll sees the same orders again (overlap) and updates them: still one sale order each.
        self.instance._cron_import_orders()
        self.run_queue()
        self.assertEqual(len(self.sale_order(103, 112, 113, 114, 115, 116, 117)), 7)

    def test_import_orders_operation_reports_invalid_numbers(self):
        wizard = self.env["marketplace.operation.wizard"].create({
            "instance_ids": [self.instance.marketplace_instance_id.id],
            "operation": "bigcommerce_import_orders",
            "bigcommerce_order_ids": "103, abc,#104",
        })
        notification = wizard.action_run()
        self.assertIn("abc", notification["params"]["message"])
        lines = self.Line.search([("operation", "=", "bigcommerce_import_order")])
        self.assertEqual(sorted(lines.mapped("external_id")), ["103", "104"])

    @mute_logger("odoo.addons.base_marketplace.models.marketplace_queue_line")
    def test_deleted_order_fails_with_a_sentence(self):
        self.queue_orders(999)
        self.run_queue()
        line = self.Line.search([("operation", "=", "bigcommerce_import_order"), ("external_id", "=", "999")])
        self.assertEqual(line.state, "failed")
        self.assertIn("does not exist in BigCommerce", line.last_error)

    def test_totals_differing_from_bigcommerce_are_flagged_and_block_confirmation(self):
        # A merchant maps BigCommerce's Shipping tax class to a wrong Odoo tax.
        wrong_tax = self.env["account.tax"].create({
            "name": "Wrong shipping tax", "amount": 20, "amount_type": "percent", "type_tax_use": "sale",
            "price_include_override": "tax_excluded"})
        self.instance.tax_class_ids.filtered(lambda tax_class: tax_class.bc_id == "2").tax_ids = wrong_tax
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(103)
        self.assertIn("taxes", sale_order.bigcommerce_totals_mismatch)
        self.assertEqual(sale_order.state, "draft", "an order whose totals differ is not confirmed")
        self.assertTrue(self.env["marketplace.log"].search([
            ("res_model", "=", "sale.order"), ("res_id", "=", sale_order.id), ("level", "=", "warning"),
            ("message", "ilike", "differ from BigCommerce")]))
        self.assertTrue(sale_order.message_ids.filtered(lambda message: "differ from BigCommerce" in str(message.body)))
