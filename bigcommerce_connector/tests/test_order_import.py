from datetime import datetime
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import BigCommerceOrderCase, seed


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
        # The order's totals show the tax by group: the group must name the rate charged.
        self.assertEqual(taxes.tax_group_id.mapped("name"), ["Tax 8.25%"])

    def test_tax_inclusive_order_matches_bigcommerce_totals(self):
        sale_order = self.import_orders(114)
        self.assertTotalsEqualBigCommerce(sale_order, 114)
        taxes = sale_order.order_line.tax_id
        self.assertEqual(set(taxes.mapped("amount")), {20.0})
        self.assertTrue(all(taxes.mapped("price_include")))

    def test_a_tax_archived_in_odoo_is_not_used_by_the_next_run(self):
        tax = self.import_orders(103).order_line.tax_id
        self.assertEqual(tax.mapped("amount"), [8.25])
        tax.active = False
        taxes = self.import_orders(105).order_line.tax_id
        self.assertEqual(taxes.mapped("amount"), [8.25])
        self.assertNotEqual(taxes, tax, "the next run looks the taxes up again")

    def test_what_a_failed_line_created_is_not_used_by_the_next_line_of_its_run(self):
        check_totals = type(self.SaleOrder)._bigcommerce_check_totals

        def fail_first_order(sale_order, bc_order):
            if bc_order.order_id == 103:
                raise UserError(sale_order.env._("Order 103 fails after creating its tax."))
            return check_totals(sale_order, bc_order)

        self.queue_orders(103, 105)
        with patch.object(type(self.SaleOrder), "_bigcommerce_check_totals", fail_first_order):
            self.Line._cron_process_queue(batch_size=50)  # one run for both lines
        lines = self.Line.search([("operation", "=", "bigcommerce_import_order")])
        self.assertEqual({line.external_id: line.state for line in lines}, {"103": "failed", "105": "done"})
        # The tax 103 created was rolled back with it: 105 has a tax of its own, not a remembered id.
        self.assertEqual(self.sale_order(105).order_line.tax_id.mapped("amount"), [8.25])

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

    def test_a_reimport_keeps_what_the_warehouse_picked(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(103)
        delivery = sale_order.picking_ids
        shirt = delivery.move_ids.filtered(lambda move: move.product_id == self.products["TSHIRT-M"])
        shirt.write({"quantity": 1, "picked": True})  # half of it picked, the delivery not validated yet
        self.sandbox.state.update_order(103, {"staff_notes": "Call before delivery"})  # a change elsewhere
        self.import_orders(103)
        self.assertEqual((shirt.quantity, shirt.picked), (1.0, True))
        self.assertNotEqual(delivery.state, "done")

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

    # ------------------------------------------------------------------ operations wizard
    def run_import_operation(self, **vals):
        wizard = self.env["marketplace.operation.wizard"].create({
            "instance_ids": [self.instance.marketplace_instance_id.id],
            "operation": "bigcommerce_import_orders", **vals})
        return wizard.action_run()

    def queued_order_ids(self):
        return sorted(map(int, self.Line.search([("operation", "=", "bigcommerce_import_order")]).mapped("external_id")))

    def test_import_orders_operation_by_date_range(self):
        # Seed orders are created three hours apart from 2025-01-06 09:00 UTC: 103 at 15:00, 105 at 21:00.
        self.instance.import_status_ids = self.instance.order_status_ids.filtered(lambda s: s.bc_id != "9")
        self.run_import_operation(bigcommerce_date_from=datetime(2025, 1, 6, 15, 0),
                                  bigcommerce_date_to=datetime(2025, 1, 6, 21, 0))
        self.run_queue()  # lists the period's orders, then imports them
        # 104 was created in the range, but Awaiting Shipment is not a status the store imports.
        self.assertEqual(self.queued_order_ids(), [103, 105])
        self.assertEqual(sorted(map(int, self.sale_order(103, 104, 105).mapped("bigcommerce_order_id"))), [103, 105])
        with self.assertRaisesRegex(UserError, "before its start"):
            self.run_import_operation(bigcommerce_date_from=datetime(2025, 1, 6, 15, 0),
                                      bigcommerce_date_to=datetime(2025, 1, 6, 9, 0))

    def test_import_orders_operation_reports_each_invalid_token(self):
        notification = self.run_import_operation(bigcommerce_order_ids=" 101 , 1o2,103,, -5 ;  #104 ,abc ")
        message = notification["params"]["message"]
        self.assertEqual(notification["params"]["type"], "warning")
        for token in ("1o2", "-5", "abc"):
            self.assertIn(token, message)
        self.assertEqual(self.queued_order_ids(), [101, 103, 104])
        self.run_queue()
        self.assertEqual(len(self.sale_order(101, 103, 104)), 3, "typed numbers are imported whatever their status")
        with self.assertRaisesRegex(UserError, "contains no BigCommerce order number"):
            self.run_import_operation(bigcommerce_order_ids="abc, x1")

    # ------------------------------------------------------------------ customers
    def test_create_company_contact_gives_the_person_a_company_parent(self):
        self.instance.create_company_contact = True
        sale_order = self.import_orders(115)  # billed to Hans Müller, Müller GmbH, Berlin
        person = sale_order.partner_id
        self.assertEqual(person.name, "Hans Müller")
        self.assertTrue(person.parent_id.is_company)
        self.assertEqual(person.parent_id.name, "Müller GmbH")
        self.assertEqual(person.country_id.code, "DE")
        self.assertEqual(person.state_id, self.env.ref("base.state_de_be"))
        self.assertEqual(sale_order.partner_invoice_id.commercial_partner_id, person.parent_id)

    def test_without_company_contact_no_company_partner_is_created(self):
        self.instance.create_company_contact = False
        sale_order = self.import_orders(115)
        self.assertEqual(sale_order.partner_id.name, "Hans Müller")
        self.assertFalse(sale_order.partner_id.parent_id)
        self.assertEqual(sale_order.partner_id.country_id.code, "DE")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Müller GmbH")]))

    def test_us_order_states_are_mapped_by_iso_code(self):
        sale_order = self.import_orders(102)  # Jane Doe, "New York"
        self.assertEqual(sale_order.partner_id.country_id, self.env.ref("base.us"))
        self.assertEqual(sale_order.partner_id.state_id.code, "NY")

    def test_second_order_of_a_customer_reuses_the_contact_and_its_addresses(self):
        first = self.import_orders(103)
        contacts = self.env["res.partner"].search_count([])
        second = self.import_orders(105)  # customer 1 again, same billing and shipping address
        self.assertEqual(second.partner_id, first.partner_id)
        self.assertEqual(second.partner_shipping_id, first.partner_shipping_id)
        self.assertEqual(self.env["res.partner"].search_count([]), contacts, "no contact created")
        self.assertEqual(self.env["bc.customer.binding"].search([("instance_id", "=", self.instance.id)]).mapped(
            "bigcommerce_customer_id"), [1])

    def test_contact_entered_in_odoo_is_reused_when_email_name_and_address_match(self):
        jane = self.env["res.partner"].create({
            "name": "jane doe", "email": "Jane.Doe@example.com", "street": "77 Broadway", "city": "New York",
            "zip": "10006", "country_id": self.env.ref("base.us").id})
        namesake = self.env["res.partner"].create({  # same person elsewhere: not the same contact
            "name": "Jane Doe", "email": "jane.doe@example.com", "street": "1 Other Road", "city": "New York",
            "zip": "10006", "country_id": self.env.ref("base.us").id})
        sale_order = self.import_orders(102)  # registered customer 2: Jane Doe, 77 Broadway
        self.assertEqual(sale_order.partner_id, jane)
        self.assertNotEqual(sale_order.partner_id, namesake)
        self.assertEqual(sale_order.partner_shipping_id, jane, "shipped to her own address")
        self.assertEqual(self.env["bc.customer.binding"].search([("bigcommerce_customer_id", "=", 2)]).partner_id, jane)

    def test_guest_matching_an_existing_contact_reuses_it(self):
        self.instance.guest_partner_id = False
        alex = self.env["res.partner"].create({
            "name": "Alex Guest", "email": "alex.guest@example.net", "street": "500 Pine St", "city": "Portland",
            "zip": "97204", "country_id": self.env.ref("base.us").id})
        sale_order = self.import_orders(101)
        self.assertEqual(sale_order.partner_id, alex)
        self.assertEqual(sale_order.partner_invoice_id, alex)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Alex Guest"), ("id", "!=", alex.id)]))

    def test_billing_and_shipping_addresses_are_child_contacts(self):
        first = self.import_orders(103)  # customer 1 billed and shipped to John's home
        customer = first.partner_id
        sale_order = self.import_orders(111)  # customer 1, shipped to John's office in Dallas
        self.assertEqual(sale_order.partner_id, customer)
        shipping = sale_order.partner_shipping_id
        self.assertEqual(shipping.parent_id, customer)
        self.assertEqual(shipping.type, "delivery")
        self.assertEqual((shipping.street, shipping.city), ("400 Elm St", "Dallas"))
        # John is billed at another address on a later order: an invoice contact under him.
        order = self.bc_order(104)
        order["customer_id"] = 1
        order["billing_address"].update(first_name="John", last_name="Smith", street_1="9 Billing Road",
                                        email="john.smith@example.com")
        billed = self.import_orders(104)
        self.assertEqual(billed.partner_id, customer)
        self.assertEqual(billed.partner_invoice_id.parent_id, customer)
        self.assertEqual(billed.partner_invoice_id.type, "invoice")
        self.assertEqual(billed.partner_invoice_id.street, "9 Billing Road")

    # ------------------------------------------------------------------ re-import
    def edit_in_bigcommerce(self, order_id, status_id=None, payment_status=None, street=None):
        """What a merchant does in the BigCommerce control panel; ``date_modified`` moves on."""
        record = self.sandbox.state.orders[order_id]
        order = record["order"]
        if status_id:
            seed.set_status(order, status_id)
        if payment_status:
            order["payment_status"] = payment_status
        if street:
            record["addresses"][0]["street_1"] = street
        self.sandbox.state.touch(order)

    def test_reimport_updates_status_payment_and_address_before_delivery(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(103)
        picking = sale_order.picking_ids
        self.assertIn(picking.state, ("confirmed", "assigned"), "not delivered yet")
        lines = sale_order.order_line
        old_shipping = sale_order.partner_shipping_id
        self.edit_in_bigcommerce(103, status_id=9, payment_status="authorized", street="1 New Street")
        self.import_orders(103)
        self.assertEqual(sale_order.bigcommerce_status, "Awaiting Shipment")
        self.assertEqual(sale_order.bigcommerce_payment_status, "authorized")
        self.assertEqual(sale_order.partner_shipping_id.street, "1 New Street")
        self.assertNotEqual(sale_order.partner_shipping_id, old_shipping)
        self.assertEqual(picking.partner_id, sale_order.partner_shipping_id, "the open delivery goes to the new address")
        self.assertFalse(picking.activity_ids, "nobody is asked to fix the delivery address by hand")
        self.assertEqual(sale_order.order_line, lines, "no line added or replaced")
        self.assertEqual(sale_order.picking_ids, picking)
        self.assertTrue(any("updated: status, payment status, shipping address " in message
                            for message in self.log_messages(sale_order)), self.log_messages(sale_order))
        note = sale_order.message_ids.filtered(lambda message: "Changed in BigCommerce" in str(message.body))
        self.assertIn("1 New Street", str(note.body))
        self.assertIn("Awaiting Shipment", str(note.body))
        self.assertTotalsEqualBigCommerce(sale_order, 103)

    def test_reimport_moves_each_open_delivery_to_its_own_new_address(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(112)  # Austin and Dallas, one delivery each
        by_city = {picking.partner_id.city: picking for picking in sale_order.picking_ids}
        self.sandbox.state.orders[112]["addresses"][1]["street_1"] = "500 Main St"  # the Dallas one
        self.sandbox.state.touch(self.bc_order(112))
        self.import_orders(112)
        self.assertEqual(by_city["Dallas"].partner_id.street, "500 Main St")
        self.assertEqual(by_city["Austin"].partner_id.street, "12 Congress Ave", "the other delivery keeps its address")
        self.assertEqual(len(sale_order.picking_ids), 2)

    def test_reimport_after_delivery_keeps_the_delivered_address(self):
        self.add_workflow("paid", confirm_order=True)
        sale_order = self.import_orders(106)  # shipped: arrives delivered
        self.assertEqual(sale_order.picking_ids.state, "done")
        shipping, lines = sale_order.partner_shipping_id, sale_order.order_line
        self.edit_in_bigcommerce(106, status_id=10, street="1 New Street")
        self.import_orders(106)
        self.assertEqual(sale_order.bigcommerce_status, "Completed")
        self.assertEqual(sale_order.partner_shipping_id, shipping)
        self.assertEqual(sale_order.picking_ids.partner_id, shipping)
        self.assertEqual(sale_order.order_line, lines)
        self.assertTrue(any("not applied" in message for message in self.log_messages(sale_order, "warning")),
                        "the queue's log says the address change was not applied")
        self.assertTrue(sale_order.message_ids.filtered(lambda message: "not applied" in str(message.body)))
