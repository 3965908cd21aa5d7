from odoo.tests import tagged

from .common import BigCommerceOrderCase


@tagged("post_install", "-at_install")
class TestPartialCancellation(BigCommerceOrderCase):
    """Quantities a merchant lowers in BigCommerce on lines not yet fulfilled lower the Odoo line and
    its open delivery; what was delivered is never cancelled, and a cancelled quantity never delivered."""

    def lower_in_bigcommerce(self, order_id, **quantities):
        """The merchant edits the order's products in BigCommerce (O2#updateOrder): ``quantities``
        by SKU, 0 removing the product."""
        client = self.instance._bigcommerce_client()
        ids = {product["sku"]: product["id"] for product in client.iter_order_products(order_id)}
        client.update_order(order_id, {"products": [{"id": ids[sku], "quantity": quantity}
                                                    for sku, quantity in quantities.items()]})

    def line(self, sale_order, sku):
        return sale_order.order_line.filtered(lambda line: line.product_id == self.products[sku])

    def open_moves(self, line):
        return line.move_ids.filtered(lambda move: move.state not in ("done", "cancel"))

    def reimport(self, order_id):
        """The connector's re-import of the order (what the queue line of a webhook or the poll runs),
        leaving the rest of the queue alone: a shipment export queued meanwhile stays pending."""
        return self.SaleOrder._bigcommerce_import(self.instance, {"order_id": order_id})

    def quantity_notes(self, sale_order):
        return sale_order.message_ids.filtered(lambda message: "Quantities lowered in BigCommerce" in str(message.body))

    def test_a_quantity_lowered_before_delivery_lowers_the_line_and_its_delivery(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(103)
        picking = sale_order.picking_ids
        self.lower_in_bigcommerce(103, **{"TSHIRT-M": 1})
        self.import_orders(103)
        shirt = self.line(sale_order, "TSHIRT-M")
        self.assertEqual(shirt.product_uom_qty, 1)
        self.assertEqual(self.open_moves(shirt).mapped("product_uom_qty"), [1.0])
        self.assertEqual(self.line(sale_order, "MUG").product_uom_qty, 3, "the other lines stay")
        self.assertEqual(sale_order.picking_ids, picking, "the same delivery, with one T-shirt less")
        self.assertTotalsEqualBigCommerce(sale_order, 103)
        note = self.quantity_notes(sale_order)
        self.assertEqual(len(note), 1)
        self.assertIn("[TSHIRT-M] Classic T-Shirt (Size: M)", str(note.body))
        self.assertIn("2 → 1", str(note.body))
        self.assertTrue(any("quantities lowered in BigCommerce" in message and "from 2 to 1" in message
                            for message in self.log_messages(sale_order, "info")), self.log_messages(sale_order))
        self.assertFalse(self.log_messages(sale_order, "warning"))

    def test_after_a_partial_delivery_the_backorder_goes_down_never_what_was_delivered(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(103)
        # The warehouse ships both T-shirts; BigCommerce does not know yet when the merchant edits the order.
        picking = sale_order.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty if move.product_id == self.products["TSHIRT-M"] else 0
            move.picked = move.product_id == self.products["TSHIRT-M"]
        picking._bigcommerce_validate(backorder=True)
        backorder = sale_order.picking_ids - picking
        self.lower_in_bigcommerce(103, **{"TSHIRT-M": 1, "MUG": 1})
        self.reimport(103)
        shirt, mug = self.line(sale_order, "TSHIRT-M"), self.line(sale_order, "MUG")
        self.assertEqual((shirt.product_uom_qty, shirt.qty_delivered), (2, 2), "down to what was delivered at most")
        self.assertFalse(self.open_moves(shirt))
        self.assertEqual(mug.product_uom_qty, 1)
        self.assertEqual(self.open_moves(mug).mapped("product_uom_qty"), [1.0])
        self.assertEqual(self.open_moves(mug).picking_id, backorder)
        warnings = self.log_messages(sale_order, "warning")
        self.assertEqual(len([message for message in warnings if "to 1, but 2 were already delivered" in message]), 1,
                         warnings)
        self.assertTrue(sale_order.bigcommerce_totals_mismatch, "Odoo keeps a T-shirt BigCommerce no longer bills")
        self.reimport(103)
        self.assertEqual(self.log_messages(sale_order, "warning"), warnings, "told once")

    def test_a_line_lowered_to_what_was_shipped_leaves_nothing_to_deliver(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(105)  # 2 of 3 T-shirts shipped, the rest and a knife in a backorder
        self.lower_in_bigcommerce(105, **{"TSHIRT-S": 2})
        self.import_orders(105)
        shirt = self.line(sale_order, "TSHIRT-S")
        self.assertEqual((shirt.product_uom_qty, shirt.qty_delivered), (2, 2))
        self.assertFalse(self.open_moves(shirt))
        self.assertEqual(self.open_moves(self.line(sale_order, "KNIFE-8")).mapped("product_uom_qty"), [1.0])
        self.assertFalse(self.log_messages(sale_order, "warning"), "BigCommerce asked for no less than was delivered")

    def test_a_line_removed_in_bigcommerce_cancels_its_open_move(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(103)
        self.lower_in_bigcommerce(103, **{"SKILLET-10": 0})
        self.import_orders(103)
        skillet = self.line(sale_order, "SKILLET-10")
        self.assertEqual((skillet.product_uom_qty, skillet.qty_to_deliver), (0, 0))
        self.assertEqual(skillet.move_ids.mapped("state"), ["cancel"])
        self.assertEqual(self.open_moves(self.line(sale_order, "MUG")).mapped("product_uom_qty"), [3.0])
        self.assertIn("1 → 0", str(self.quantity_notes(sale_order).body))

    def test_an_order_with_two_addresses_lowers_the_delivery_of_the_line(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(112)  # one delivery per shipping address; the mugs go to the first
        deliveries = sale_order.picking_ids
        self.lower_in_bigcommerce(112, MUG=1)
        self.import_orders(112)
        mug = self.line(sale_order, "MUG")
        self.assertEqual(sale_order.picking_ids, deliveries, "no other transfer, such as a receipt of the mug")
        self.assertEqual(self.open_moves(mug).mapped("product_uom_qty"), [1.0])
        self.assertEqual(self.open_moves(mug).picking_id.partner_id.city, "Austin")

    def test_a_picked_line_removed_in_bigcommerce_leaves_nothing_on_the_delivery(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(103)
        picking = sale_order.picking_ids
        for move in picking.move_ids:  # the warehouse picked everything, not validated yet
            move.quantity = move.product_uom_qty
            move.picked = True
        self.lower_in_bigcommerce(103, **{"SKILLET-10": 0, "MUG": 1})
        self.import_orders(103)
        skillet, mug = self.line(sale_order, "SKILLET-10"), self.line(sale_order, "MUG")
        self.assertEqual(skillet.move_ids.mapped("state"), ["cancel"], "a picked move left with nothing to deliver")
        self.assertEqual(self.open_moves(mug).mapped("product_uom_qty"), [1.0])
        self.assertEqual(self.open_moves(mug).mapped("quantity"), [1.0], "picked down to the new quantity")
        picking._bigcommerce_validate(backorder=False)  # as the warehouse picked it
        self.assertEqual((skillet.qty_delivered, mug.qty_delivered, self.line(sale_order, "TSHIRT-M").qty_delivered),
                         (0, 1, 2))

    def test_a_locked_order_is_lowered_and_stays_locked(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(103)
        sale_order.action_lock()  # as "Lock Confirmed Sales" does at confirmation
        self.lower_in_bigcommerce(103, **{"TSHIRT-M": 1})
        self.import_orders(103)
        shirt = self.line(sale_order, "TSHIRT-M")
        self.assertEqual(shirt.product_uom_qty, 1)
        self.assertEqual(self.open_moves(shirt).mapped("product_uom_qty"), [1.0])
        self.assertTrue(sale_order.locked)

    def test_a_quotation_just_gets_the_lower_quantity(self):
        sale_order = self.import_orders(101)  # no workflow: stays a quotation
        self.lower_in_bigcommerce(101, MUG=1)
        self.import_orders(101)
        self.assertEqual(sale_order.state, "draft")
        self.assertEqual(self.line(sale_order, "MUG").product_uom_qty, 1)
        self.assertFalse(sale_order.picking_ids)
        self.assertTotalsEqualBigCommerce(sale_order, 101)

    def test_a_quantity_invoiced_beyond_the_new_one_asks_for_a_credit_note(self):
        self.add_workflow("captured", confirm_order=True, create_invoice=True, post_invoice=True)
        sale_order = self.import_orders(103)
        self.lower_in_bigcommerce(103, **{"TSHIRT-M": 1})
        self.import_orders(103)
        self.assertEqual(self.line(sale_order, "TSHIRT-M").product_uom_qty, 1)
        self.assertFalse(sale_order.invoice_ids.filtered(lambda move: move.move_type == "out_refund"),
                         "no credit note made by itself: a refund made in BigCommerce brings one")
        self.assertEqual(sale_order.bigcommerce_workflow_state, "done", "nothing left to invoice is no failure")
        warnings = self.log_messages(sale_order, "warning")
        self.assertTrue(any("a credit note is needed" in message for message in warnings), warnings)

    def test_a_discount_bigcommerce_drops_with_the_line_it_lowered_is_flagged(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(116)  # a coupon and a manual discount on the lines
        self.assertTotalsEqualBigCommerce(sale_order, 116)
        self.lower_in_bigcommerce(116, **{"TSHIRT-S": 1})  # BigCommerce drops the line's 4.00 coupon discount
        self.import_orders(116)
        self.assertEqual(self.line(sale_order, "TSHIRT-S").product_uom_qty, 1)
        self.assertIn("total", sale_order.bigcommerce_totals_mismatch)
        self.assertTrue(any("differ from BigCommerce" in message for message in self.log_messages(sale_order, "warning")))

    def test_unchanged_quantities_change_nothing(self):
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(103)
        self.lower_in_bigcommerce(103, **{"TSHIRT-M": 1})
        self.import_orders(103)
        messages = sale_order.message_ids
        moves = sale_order.picking_ids.move_ids.read(["product_uom_qty", "quantity", "state"])
        self.bc_order(103)["staff_notes"] = "Called the customer"  # changed again, but not its quantities
        self.sandbox.state.touch(self.bc_order(103))
        self.import_orders(103)
        self.assertEqual(len(self.quantity_notes(sale_order)), 1, "the lowering is told once")
        self.assertEqual(sale_order.message_ids, messages, "no new note in the chatter")
        self.assertEqual(len([message for message in self.log_messages(sale_order) if "quantities" in message]), 1)
        self.assertEqual(sale_order.picking_ids.move_ids.read(["product_uom_qty", "quantity", "state"]), moves)

    def test_with_pick_and_ship_the_open_pick_goes_down(self):
        self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)]).delivery_steps = "pick_ship"
        self.add_workflow("captured", confirm_order=True)
        sale_order = self.import_orders(103)
        self.lower_in_bigcommerce(103, **{"TSHIRT-M": 1, "SKILLET-10": 0})
        self.import_orders(103)
        shirt, skillet = self.line(sale_order, "TSHIRT-M"), self.line(sale_order, "SKILLET-10")
        self.assertEqual(self.open_moves(shirt).mapped("product_uom_qty"), [1.0])
        self.assertEqual(self.open_moves(shirt).picking_type_id, sale_order.warehouse_id.pick_type_id)
        self.assertFalse(self.open_moves(skillet))
