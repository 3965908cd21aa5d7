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
        cls.main_location.write({"export_stock": True, "warehouse_id": cls.warehouse.id})
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
        self.main_location.warehouse_id = False
        self.instance.warehouse_id = False
        self.instance._cron_export_stock()
        self._run_queue()
        line = self.env["marketplace.queue.line"].search([("operation", "=", "bigcommerce_export_stock")])
        self.assertEqual(line.state, "failed")
        self.assertIn("Choose the Odoo warehouse of the BigCommerce location Main Warehouse", line.last_error)
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
        east.write({"import_stock": True, "warehouse_id": self.warehouse.id})
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

    def test_archived_store_exports_nothing(self):
        self.instance.action_archive()
        self.instance._cron_export_stock()
        self.assertFalse(self.env["marketplace.queue.line"].search([("operation", "=", "bigcommerce_export_stock")]))
        self.assertFalse(self.instance._cron("export_stock").active)
