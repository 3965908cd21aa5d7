from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import BigCommerceOrderCase

SHIPPED, PARTIALLY_SHIPPED = 2, 3


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
