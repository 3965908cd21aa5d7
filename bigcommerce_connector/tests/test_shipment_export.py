import threading
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..bigcommerce.client import BigCommerceClient
from .common import BigCommerceOrderCase

SHIPPED, PARTIALLY_SHIPPED = 2, 3
UPS_LINK = "https://www.ups.com/track?tracknum=%s"


@tagged("post_install", "-at_install")
class TestShipmentExport(BigCommerceOrderCase):
    """Deliveries validated in Odoo become BigCommerce shipments, once each."""

    def setUp(self):
        super().setUp()
        self.sandbox.reset()  # each test ships the same seed orders
        self.add_workflow("captured", confirm_order=True)

    def deliver(self, picking, quantities=None, tracking=None):
        """Validate ``picking``; ``quantities`` {sku: qty} delivers part and leaves a backorder."""
        picking.carrier_tracking_ref = tracking
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(move.product_id.default_code, move.product_uom_qty)
            move.picked = True
        picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=[]).button_validate()

    def shipments(self, order_id):
        return self.sandbox.state.orders[order_id]["shipments"]

    def export_lines(self):
        return self.Line.search([("operation", "=", "bigcommerce_export_shipment")])

    def carrier(self, name, **mapping):
        product = self.env["product.product"].create({"name": name, "type": "service"})
        return self.env["delivery.carrier"].create({"name": name, "product_id": product.id, **mapping})

    def return_of(self, picking):
        """Validate a return of all of ``picking``; returns the return."""
        wizard = self.env["stock.return.picking"].with_context(
            active_id=picking.id, active_ids=picking.ids, active_model="stock.picking").create({})
        for line in wizard.product_return_moves:
            line.quantity = line.move_id.quantity
        returned = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        self.deliver(returned)
        return returned

    def test_validated_delivery_becomes_a_shipment_with_its_tracking(self):
        sale_order = self.import_orders(103)
        picking = sale_order.picking_ids
        self.deliver(picking, tracking="1Z999AA10123456784")
        self.assertEqual(self.shipments(103), [], "nothing is sent inside the validation's transaction")
        self.run_queue()
        [shipment] = self.shipments(103)
        self.assertEqual(shipment["tracking_number"], "1Z999AA10123456784")
        bc_lines = sale_order.order_line.filtered("bigcommerce_order_product_id")
        self.assertEqual(sorted((item["order_product_id"], item["quantity"]) for item in shipment["items"]),
                         sorted((line.bigcommerce_order_product_id, int(line.product_uom_qty)) for line in bc_lines))
        self.assertEqual(self.bc_order(103)["status_id"], SHIPPED)
        self.assertEqual(picking.bigcommerce_shipment_ids, str(shipment["id"]))
        self.assertIn("sent to BigCommerce as shipment", sale_order.message_ids[0].body)
        self.assertFalse(sale_order.bigcommerce_shipments_pending)

    def test_partial_delivery_ships_part_then_the_backorder_the_rest(self):
        sale_order = self.import_orders(103)
        self.deliver(sale_order.picking_ids, quantities={"MUG": 1})
        self.run_queue()
        self.assertEqual(self.bc_order(103)["status_id"], PARTIALLY_SHIPPED)
        [first] = self.shipments(103)
        mug = sale_order.order_line.filtered(lambda line: line.product_id == self.products["MUG"])
        self.assertIn({"order_product_id": mug.bigcommerce_order_product_id, "quantity": 1},
                      [{key: item[key] for key in ("order_product_id", "quantity")} for item in first["items"]])
        backorder = sale_order.picking_ids.filtered(lambda picking: picking.state != "done")
        self.deliver(backorder)
        self.run_queue()
        self.assertEqual(len(self.shipments(103)), 2)
        self.assertEqual(self.bc_order(103)["status_id"], SHIPPED)

    def test_each_address_gets_its_own_shipment(self):
        sale_order = self.import_orders(112)
        for picking in sale_order.picking_ids:
            self.deliver(picking)
        self.run_queue()
        shipments = self.shipments(112)
        self.assertEqual(len(shipments), 2)
        addresses = {address["id"] for address in self.sandbox.state.orders[112]["addresses"]}
        self.assertEqual({shipment["order_address_id"] for shipment in shipments}, addresses)

    def test_orders_shipped_in_bigcommerce_are_not_sent_back(self):
        self.add_workflow("paid", confirm_order=True)
        before = len(self.shipments(106))
        sale_order = self.import_orders(106)
        self.assertTrue(sale_order.picking_ids.bigcommerce_shipped_in_store)
        self.assertFalse(sale_order.picking_ids.bigcommerce_can_update_order_status)
        self.instance._cron_update_order_status()
        self.run_queue()
        self.assertFalse(self.export_lines())
        self.assertEqual(len(self.shipments(106)), before)

    def test_a_retry_after_a_lost_answer_does_not_ship_twice(self):
        sale_order = self.import_orders(103)
        picking = sale_order.picking_ids
        self.deliver(picking)
        self.run_queue()
        # As if the worker had died after BigCommerce created the shipment: Odoo does not know
        # the shipment exists and the line is processed again.
        picking.bigcommerce_shipment_ids = False
        self.export_lines()._as_queue().write({"state": "pending", "next_retry_at": False})
        self.run_queue()
        self.assertEqual(len(self.shipments(103)), 1)
        self.assertEqual(picking.bigcommerce_shipment_ids, str(self.shipments(103)[0]["id"]))

    @mute_logger("odoo.addons.base_marketplace.models.marketplace_queue_line")
    def test_a_refused_delivery_says_why_and_update_order_status_sends_it_once_fixed(self):
        sale_order = self.import_orders(103)
        picking = sale_order.picking_ids
        self.deliver(picking, tracking="T" * 51)
        self.run_queue()
        line = self.export_lines()
        self.assertEqual(line.state, "failed")
        self.assertIn("BigCommerce accepts at most 50", line.last_error)
        self.assertTrue(sale_order.bigcommerce_shipments_pending)
        picking.carrier_tracking_ref = "1Z999"
        sale_order.action_bigcommerce_update_order_status()
        self.run_queue()
        self.assertEqual(line.state, "done")
        self.assertEqual(self.shipments(103)[0]["tracking_number"], "1Z999")

    def test_update_order_status_action_queues_deliveries_that_missed_the_queue(self):
        sale_order = self.import_orders(103)
        self.deliver(sale_order.picking_ids)
        self.export_lines().unlink()  # e.g. validated before the connector was installed
        self.instance._cron_update_order_status()
        self.run_queue()
        self.assertEqual(len(self.shipments(103)), 1)

    def test_a_mapped_carrier_sends_its_provider_and_bigcommerce_s_link_is_kept(self):
        sale_order = self.import_orders(103)
        picking = sale_order.picking_ids
        picking.carrier_id = self.carrier("UPS by Odoo", bigcommerce_shipping_provider="ups")
        self.deliver(picking, tracking="1Z999AA10123456784")
        self.run_queue()
        [shipment] = self.shipments(103)
        self.assertEqual((shipment["shipping_provider"], shipment["tracking_carrier"]), ("ups", ""))
        self.assertNotEqual(shipment["shipping_method"], "UPS by Odoo", "a provider is sent instead of the name")
        self.assertEqual(picking.bigcommerce_tracking_link, UPS_LINK % "1Z999AA10123456784")

    def test_an_aftership_carrier_sends_its_slug_and_an_unmapped_one_its_name(self):
        sale_order = self.import_orders(112)
        dhl, van = sale_order.picking_ids.sorted("id")
        dhl.carrier_id = self.carrier("DHL Express", bigcommerce_tracking_carrier="dhl")
        van.carrier_id = self.carrier("Our van")
        self.deliver(dhl, tracking="JD014600006281230704")
        self.deliver(van, tracking="VAN-7")
        self.run_queue()
        by_tracking = {shipment["tracking_number"]: shipment for shipment in self.shipments(112)}
        self.assertEqual(by_tracking["JD014600006281230704"]["tracking_carrier"], "dhl")
        self.assertEqual(dhl.bigcommerce_tracking_link, "https://track.aftership.com/dhl/JD014600006281230704")
        self.assertEqual((by_tracking["VAN-7"]["shipping_method"], by_tracking["VAN-7"]["shipping_provider"],
                          by_tracking["VAN-7"]["tracking_carrier"]), ("Our van", "", ""))
        self.assertFalse(van.bigcommerce_tracking_link)

    def test_a_mapping_bigcommerce_would_refuse_cannot_be_saved(self):
        with self.assertRaisesRegex(ValidationError, "give its BigCommerce carrier id"):
            self.carrier("Parcel app", bigcommerce_shipping_provider="carrier", bigcommerce_provider_carrier_id="abc")
        with self.assertRaisesRegex(ValidationError, "not an AfterShip courier slug"):
            self.carrier("DHL", bigcommerce_tracking_carrier="DHL Express")
        carrier = self.carrier("Parcel app", bigcommerce_shipping_provider="carrier", bigcommerce_provider_carrier_id="42")
        self.assertEqual(carrier._bigcommerce_shipment_fields(), {"shipping_provider": "carrier_42"})

    def test_the_delivery_button_shows_until_the_delivery_reached_bigcommerce_and_queues_it(self):
        sale_order = self.import_orders(103)
        picking = sale_order.picking_ids
        self.assertFalse(picking.bigcommerce_can_update_order_status, "not done yet")
        self.deliver(picking)
        self.export_lines().unlink()  # e.g. validated while the connector was not installed
        self.assertTrue(picking.bigcommerce_can_update_order_status)
        params = picking.action_bigcommerce_update_order_status()["params"]
        self.assertEqual((params["type"], params["title"]), ("success", "Operation queued"))
        self.assertEqual(self.export_lines().mapped("external_id"), [str(picking.id)])
        self.assertEqual(self.shipments(103), [], "queued, not sent from the button")
        self.run_queue()
        self.assertEqual(len(self.shipments(103)), 1)
        self.assertFalse(picking.bigcommerce_can_update_order_status)
        params = picking.action_bigcommerce_update_order_status()["params"]
        self.assertEqual(params["type"], "info")
        self.assertEqual(len(self.export_lines()), 1)

    def test_a_return_and_what_is_sent_again_after_it_are_not_shipments(self):
        sale_order = self.import_orders(103)
        delivery = sale_order.picking_ids
        self.deliver(delivery)
        self.run_queue()
        returned = self.return_of(delivery)
        self.assertEqual((returned.picking_type_code, returned.sale_id), ("incoming", sale_order))
        sent_again = self.return_of(returned)
        self.assertEqual((sent_again.picking_type_code, sent_again.state), ("outgoing", "done"))
        self.instance._cron_update_order_status()
        self.run_queue()
        self.assertEqual(self.export_lines().mapped("external_id"), [str(delivery.id)])
        self.assertEqual(len(self.shipments(103)), 1)
        self.assertFalse((returned | sent_again).filtered("bigcommerce_can_update_order_status"))
        self.assertFalse(sale_order.bigcommerce_shipments_pending)

    def test_a_tracking_number_added_later_updates_the_shipment_once(self):
        sale_order = self.import_orders(103)
        picking = sale_order.picking_ids
        picking.carrier_id = self.carrier("UPS Ground", bigcommerce_shipping_provider="ups")
        self.deliver(picking)
        self.run_queue()
        [shipment] = self.shipments(103)
        self.assertEqual(shipment["tracking_number"], "")
        self.assertFalse(picking.bigcommerce_tracking_link)
        picking.carrier_tracking_ref = "1Z999AA10123456784"
        self.assertEqual(self.shipments(103)[0]["tracking_number"], "", "sent by the queue, not while saving")
        with patch.object(BigCommerceClient, "update_shipment", autospec=True,
                          side_effect=BigCommerceClient.update_shipment) as update, \
             patch.object(BigCommerceClient, "create_shipment", autospec=True) as create:
            self.run_queue()
            [shipment] = self.shipments(103)
            self.assertEqual((shipment["tracking_number"], shipment["shipping_provider"]), ("1Z999AA10123456784", "ups"))
            self.assertEqual(picking.bigcommerce_shipment_ids, str(shipment["id"]))
            self.assertEqual(picking.bigcommerce_tracking_link, UPS_LINK % "1Z999AA10123456784")
            self.assertIn("Tracking number 1Z999AA10123456784 of delivery", sale_order.message_ids[0].body)
            # Saved again unchanged, or the line run again (a retry): nothing more is sent.
            picking.carrier_tracking_ref = "1Z999AA10123456784"
            self.export_lines().sorted("id")[-1]._as_queue().write({"state": "pending", "next_retry_at": False})
            self.run_queue()
            self.assertEqual(update.call_count, 1)
            create.assert_not_called()
        self.assertEqual(self.export_lines().mapped("state"), ["done", "done"])

    def test_validating_a_delivery_does_not_offer_to_text_a_bigcommerce_customer(self):
        """Outside test mode stock_sms stops the first validation with "confirm this delivery by SMS?".
        BigCommerce texts and emails the customer itself, so Odoo does not, and must not ask."""
        self.env.company.write({"stock_move_sms_validation": True, "has_received_warning_stock_sms": False})
        sale_order = self.import_orders(103)
        sale_order.partner_shipping_id.phone = "+1 555 0100"
        other = self.env["stock.picking"].create({
            "picking_type_id": sale_order.picking_ids.picking_type_id.id, "partner_id": sale_order.partner_shipping_id.id,
            "move_ids": [Command.create({"name": "Mug", "product_id": sale_order.order_line[0].product_id.id,
                                         "product_uom_qty": 1, "location_id": sale_order.picking_ids.location_id.id,
                                         "location_dest_id": sale_order.picking_ids.location_dest_id.id})]})
        other.action_confirm()
        other.move_ids.write({"quantity": 1, "picked": True})
        for move in sale_order.picking_ids.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        with patch.object(threading.current_thread(), "testing", False), \
                patch.object(type(self.env.registry), "in_test_mode", lambda registry: False):
            asked = other.button_validate()
            result = sale_order.picking_ids.button_validate()
        self.assertEqual(asked.get("res_model"), "confirm.stock.sms", "Odoo's own deliveries are still asked about")
        self.assertIs(result, True)
        self.assertEqual(sale_order.picking_ids.state, "done")
