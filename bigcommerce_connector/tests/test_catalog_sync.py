import json

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import BigCommerceSandboxCase


@tagged("post_install", "-at_install")
class TestStockAndPriceExport(BigCommerceSandboxCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.action_confirm()
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.main_location = cls.instance.location_ids.filtered(lambda location: location.bc_id == "1")
        cls.main_location.write({"export_stock": True, "stock_location_ids": [(6, 0, cls.warehouse.lot_stock_id.ids)]})
        Product = cls.env["product.product"]
        cls.shirt_s = Product.create({"name": "T-Shirt S", "default_code": "TSHIRT-S", "is_storable": True, "list_price": 20.0})
        cls.shirt_m = Product.create({"name": "T-Shirt M", "default_code": "TSHIRT-M", "is_storable": True, "list_price": 20.0})
        cls.skillet = Product.create({"name": "Skillet", "default_code": "SKILLET-10", "is_storable": True, "list_price": 39.9})
        for product, quantity in ((cls.shirt_s, 25), (cls.shirt_m, 12)):
            cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, quantity)

    def _stock(self, variant_id, location_id=1):
        return self.sandbox.state.stock[(variant_id, location_id)]["onhand"]

    def _run_queue(self):
        self.env["marketplace.queue.line"]._cron_process_queue()

    def test_changed_stock_is_published_to_the_mapped_location_only(self):
        self.instance._cron_export_stock()
        self._run_queue()
        self.assertEqual(self._stock(172), 12)  # TSHIRT-M: Odoo has 12, BigCommerce had 40
        self.assertEqual(self._stock(171), 25)
        self.assertEqual(self._stock(172, location_id=2), 12, "the East location is not exported")
        transactions = self.sandbox.state.inventory_transactions
        self.assertEqual(self._stock(175), 0, "Odoo has no skillet in stock: BigCommerce must not sell it")
        self.assertEqual(self._stock(179), 100, "products Odoo does not know are left alone")
        self.assertEqual(len(transactions), 1)
        self.assertEqual(sorted(transactions[0]["changes"]), ["172@1", "175@1"], "unchanged items are not sent")
        log = self.env["marketplace.log"].search([("operation", "=", "bigcommerce_export_stock")], limit=1)
        self.assertIn("2 of 3 products updated", log.message)

    def test_percentage_export_keeps_a_reserve(self):
        self.instance.write({"export_qty_type": "percentage", "export_qty_value": 50})
        self.instance._cron_export_stock()
        self._run_queue()
        self.assertEqual(self._stock(171), 12)  # half of 25, rounded down
        self.assertEqual(self._stock(172), 6)

    @mute_logger("odoo.addons.base_marketplace.models.marketplace_queue_line")
    def test_location_without_warehouse_fails_with_what_to_do(self):
        self.main_location.stock_location_ids = False
        self.instance.warehouse_id = False
        self.instance._cron_export_stock()
        self._run_queue()
        line = self.env["marketplace.queue.line"].search([("operation", "=", "bigcommerce_export_stock")])
        self.assertEqual(line.state, "failed")
        self.assertIn("Choose the Odoo locations of the BigCommerce location Main Warehouse", line.last_error)
        self.assertEqual(self.sandbox.state.inventory_transactions, [])

    def test_prices_from_the_pricelist_are_published_where_they_differ(self):
        self.instance.pricelist_id = self.env["product.pricelist"].create({
            "name": "Store USD", "currency_id": self.env.ref("base.USD").id})
        self.instance._cron_export_prices()
        self._run_queue()
        self.assertEqual(self.sandbox.state.variants[175]["price"], 39.9)  # SKILLET-10 was 35.50
        self.assertEqual(self.sandbox.state.variants[171]["price"], 20.0)
        line = self.env["marketplace.queue.line"].search([("operation", "=", "bigcommerce_export_prices")])
        self.assertEqual(line.state, "done")
        self.assertIn("1 of 3 variants updated", line.log_ids.message)

    def test_stock_imported_from_a_location_into_its_warehouse(self):
        east = self.instance.location_ids.filtered(lambda location: location.bc_id == "2")
        east.write({"import_stock": True, "stock_location_ids": [(6, 0, self.warehouse.lot_stock_id.ids)]})
        self.env["marketplace.operation.wizard"].create({
            "instance_ids": [(6, 0, self.instance.marketplace_instance_id.ids)], "operation": "bigcommerce_import_stock",
        }).action_run()
        self._run_queue()
        stock = self.warehouse.lot_stock_id
        self.assertEqual(self.shirt_s.with_context(location=stock.id).qty_available, 10)  # BigCommerce East: 10
        self.assertEqual(self.shirt_m.with_context(location=stock.id).qty_available, 12)
        self.assertEqual(self.skillet.with_context(location=stock.id).qty_available, 6)
        line = self.env["marketplace.queue.line"].search([("operation", "=", "bigcommerce_import_stock")])
        self.assertEqual(line.state, "done")
        self.assertIn("2 of 3 products adjusted", line.log_ids.message)
        self.assertEqual(self.sandbox.state.inventory_transactions, [], "importing changes nothing in BigCommerce")

    def test_import_adjusts_the_first_linked_location(self):
        shelf = self.env["stock.location"].create({"name": "Shelf", "location_id": self.warehouse.view_location_id.id})
        east = self.instance.location_ids.filtered(lambda location: location.bc_id == "2")
        east.write({"import_stock": True, "stock_location_ids": [(6, 0, [self.warehouse.lot_stock_id.id, shelf.id])]})
        first, second = east.stock_location_ids  # as the list shows them: WH/Shelf, WH/Stock
        self.instance._queue_stock_import()
        self._run_queue()
        self.assertEqual(self.skillet.with_context(location=first.id).qty_available, 6)  # BigCommerce East: 6
        self.assertEqual(self.skillet.with_context(location=second.id).qty_available, 0)

    def test_archived_store_exports_nothing(self):
        self.instance.action_archive()
        self.instance._cron_export_stock()
        self.assertFalse(self.env["marketplace.queue.line"].search([("operation", "=", "bigcommerce_export_stock")]))
        self.assertFalse(self.instance._cron("export_stock").active)


@tagged("post_install", "-at_install")
class TestStockExportAtScale(BigCommerceSandboxCase):
    """Several Odoo locations per BigCommerce location, per-product quantities, and exports that
    send only what changed, in batches, past items BigCommerce refuses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.action_confirm()
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.backroom = cls.env["stock.location"].create({"name": "Backroom", "location_id": cls.warehouse.view_location_id.id})
        cls.main_location = cls.instance.location_ids.filtered(lambda location: location.bc_id == "1")
        cls.main_location.write({"export_stock": True,
                                 "stock_location_ids": [(6, 0, [cls.warehouse.lot_stock_id.id, cls.backroom.id])]})
        Product = cls.env["product.product"]
        cls.shirt_s, cls.shirt_m, cls.skillet = (Product.create({"name": sku, "default_code": sku, "is_storable": True})
                                                 for sku in ("TSHIRT-S", "TSHIRT-M", "SKILLET-10"))
        for product, location, quantity in ((cls.shirt_s, cls.warehouse.lot_stock_id, 20), (cls.shirt_s, cls.backroom, 7),
                                            (cls.shirt_m, cls.backroom, 12), (cls.skillet, cls.warehouse.lot_stock_id, 18)):
            cls.env["stock.quant"]._update_available_quantity(product, location, quantity)

    def _stock(self, variant_id):
        return self.sandbox.state.stock.get((variant_id, 1), {}).get("onhand", 0)

    def _export(self, full=False):
        self.instance._queue_stock_export(full=full)
        self.env["marketplace.queue.line"]._cron_process_queue()

    def _add(self, product, quantity, location=None):
        self.env["stock.quant"]._update_available_quantity(product, location or self.warehouse.lot_stock_id, quantity)

    def test_two_odoo_locations_are_summed_into_one_bigcommerce_location(self):
        self._export()
        self.assertEqual(self._stock(171), 27)  # TSHIRT-S: 20 in WH/Stock + 7 in the backroom
        self.assertEqual(self._stock(172), 12)

    def test_a_product_s_own_export_qty_overrides_the_store_s(self):
        self.shirt_s.product_tmpl_id.write({"bc_export_qty_type": "fixed", "bc_export_qty_value": 5})
        self.instance.write({"export_qty_type": "percentage", "export_qty_value": 50})
        self._export()
        self.assertEqual(self._stock(171), 5, "the product's buffer: at most 5")
        self.assertEqual(self._stock(172), 6, "the store's: half of 12")

    def test_the_second_run_sends_only_the_changed_quantities_and_reads_nothing(self):
        self._export()
        self.assertTrue(self.main_location.stock_full_export_date)
        self._add(self.shirt_m, 3)
        requests_before = self.sandbox.stats()["requests"]
        self._export()
        transactions = self.sandbox.state.inventory_transactions
        self.assertEqual(list(transactions[-1]["changes"]), ["172@1"])
        self.assertEqual(self.sandbox.stats()["requests"] - requests_before, 1, "one adjustment, no read")
        self.assertEqual(self._stock(172), 15)
        line = self.env["marketplace.queue.line"].search([("operation", "=", "bigcommerce_export_stock")], order="id desc", limit=1)
        self.assertIn("1 of 3 products changed since the last export", line.log_ids.message)
        self._export()
        self.assertEqual(len(self.sandbox.state.inventory_transactions), len(transactions), "nothing changed: nothing sent")

    def test_a_full_export_asked_for_while_an_export_waits_makes_it_full(self):
        self.main_location.stock_full_export_date = "2026-01-01 00:00:00"
        self.instance._queue_stock_export()
        self.env["marketplace.operation.wizard"].create({
            "instance_ids": [(6, 0, self.instance.marketplace_instance_id.ids)], "operation": "bigcommerce_export_stock_full",
        }).action_run()
        self.instance._queue_stock_export()  # the next scheduled run does not make it incremental again
        line = self.env["marketplace.queue.line"].search([("operation", "=", "bigcommerce_export_stock")])
        self.assertEqual(len(line), 1)
        self.assertTrue(json.loads(line.payload)["full"])

    def test_the_full_export_sends_every_quantity_that_differs_in_bigcommerce(self):
        self._export()
        self.sandbox.state.stock[(171, 1)]["onhand"] = 3  # changed by hand in BigCommerce
        self._export()
        self.assertEqual(self._stock(171), 3, "the incremental export does not read BigCommerce")
        self._export(full=True)
        self.assertEqual(self._stock(171), 27)

    def test_a_product_bigcommerce_does_not_track_is_skipped_with_a_log_line(self):
        ebook = self.env["product.product"].create({"name": "E-Book", "default_code": "EBOOK-COOK", "is_storable": True})
        self._add(ebook, 4)
        self.env["bc.product.binding"].create({"instance_id": self.instance.id, "product_id": ebook.id,
                                               "bc_product_id": 75, "bc_variant_id": 178, "sku": "EBOOK-COOK"})
        self._export()
        log = self.env["marketplace.log"].search([("message", "ilike", "BigCommerce does not track")])
        self.assertIn("EBOOK-COOK", log.message)
        self.assertFalse(any("178@1" in t["changes"] for t in self.sandbox.state.inventory_transactions))
        self.assertNotIn("EBOOK-COOK", self.main_location.exported_stock)

    @mute_logger("odoo.addons.base_marketplace.models.marketplace_queue_line")
    def test_an_item_bigcommerce_refuses_does_not_block_the_others(self):
        self._export()
        self.sandbox.state.products[73]["inventory_tracking"] = "none"  # changed in BigCommerce since
        self._add(self.skillet, 1)
        self._add(self.shirt_m, 1)
        self._export()
        self.assertEqual(self._stock(172), 13, "TSHIRT-M is sent although SKILLET-10, in the same batch, is refused")
        self.assertEqual(self._stock(175), 18)
        error = self.env["marketplace.log"].search([("level", "=", "error"), ("message", "ilike", "SKILLET-10")])
        self.assertIn("[Item with sku SKILLET-10 is not tracked", error.message)
        line = self.env["marketplace.queue.line"].search([("operation", "=", "bigcommerce_export_stock")], order="id desc", limit=1)
        self.assertEqual(line.state, "done")
        self.assertNotIn("SKILLET-10", self.main_location.exported_stock, "not sent again until a full export")

    def test_2500_items_go_in_two_adjustment_calls(self):
        state = self.sandbox.state
        state.extra_variants = 2500
        self.addCleanup(setattr, state, "extra_variants", 0)
        self.sandbox.reset()
        for variant_id in range(100001, 102501):  # BigCommerce has 1 of each, Odoo none
            state.stock[(variant_id, 1)] = {"onhand": 1, "safety": 0, "warning": 0, "bin": ""}
        self.env["product.product"].with_context(tracking_disable=True).create([
            {"name": f"SYN-{n:05d}", "default_code": f"SYN-{n:05d}", "is_storable": True} for n in range(1, 2501)])
        self._export()
        # The seed's TSHIRT-S and TSHIRT-M differ too: 2,502 items.
        self.assertEqual([len(t["changes"]) for t in state.inventory_transactions], [2000, 502])
        self.assertEqual(self._stock(102500), 0)
