from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import sandbox_instance_vals, start_sandbox


@tagged("post_install", "-at_install")
class TestExportListingsTour(HttpCase):
    """A user exports a product with variants to one sales channel from the Operations wizard."""

    def test_export_listings_from_the_operations_wizard(self):
        sandbox = start_sandbox(port=0, quota=10000)
        self.addCleanup(sandbox.stop)
        instance = self.env["bc.instance"].create(sandbox_instance_vals(sandbox))
        instance.action_confirm()
        instance.pricelist_id = self.env["product.pricelist"].create(
            {"name": "Store USD", "currency_id": self.env.ref("base.USD").id})
        color = self.env["product.attribute"].create({"name": "Color", "value_ids": [
            Command.create({"name": name}) for name in ("Sand", "Moss")]})
        tee = self.env["product.template"].create({"name": "Tour Tee", "list_price": 19.0, "attribute_line_ids": [
            Command.create({"attribute_id": color.id, "value_ids": [Command.set(color.value_ids.ids)]})]})
        for variant in tee.product_variant_ids:
            variant.default_code = "TOUR-" + variant.product_template_attribute_value_ids.name.upper()

        self.start_tour("/odoo/action-bigcommerce_connector.bc_operation_wizard_action", "bigcommerce_export_listings",
                        login="admin")
        self.env["marketplace.queue.line"]._cron_process_queue()

        [product] = [p for p in sandbox.state.products.values() if p["name"] == "Tour Tee"]
        self.assertEqual(product["channels"], [1])
        skus = sorted(v["sku"] for v in sandbox.state.variants.values() if v["product_id"] == product["id"])
        self.assertEqual(skus, ["TOUR-MOSS", "TOUR-SAND"])
        listing = self.env["bc.listing"].search([("product_tmpl_id", "=", tee.id)])
        self.assertEqual(listing.bc_product_id, product["id"])
