from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from ..bigcommerce.client import BigCommerceClient
from .common import BigCommerceListingCase


@tagged("post_install", "-at_install")
class TestListingUpdate(BigCommerceListingCase):
    """Update Listing makes a listing's variants in BigCommerce follow the template's: renamed values and
    attributes, removed variants, against the sandbox store."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.storefront = cls.env["bc.channel"].search([("instance_id", "=", cls.instance.id), ("bc_id", "=", "1")])
        cls.size = cls.env["product.attribute"].create({"name": "Size", "value_ids": [
            Command.create({"name": name}) for name in ("S", "M", "L")]})
        cls.color = cls.env["product.attribute"].create({"name": "Color", "value_ids": [
            Command.create({"name": name}) for name in ("Red", "Blue")]})
        cls.tee = cls.env["product.template"].create({
            "name": "Ridge Tee", "is_storable": True, "list_price": 25.0, "attribute_line_ids": [
                Command.create({"attribute_id": cls.size.id, "value_ids": [Command.set(cls.size.value_ids.ids)]}),
                Command.create({"attribute_id": cls.color.id, "value_ids": [Command.set(cls.value(cls.color, "Red").ids)]}),
            ]})
        cls.name_variants()

    @classmethod
    def value(cls, attribute, name):
        return attribute.value_ids.filtered(lambda value: value.name == name)

    @classmethod
    def name_variants(cls):
        for variant in cls.tee.product_variant_ids.filtered(lambda variant: not variant.default_code):
            variant.write({"default_code": "RIDGE-" + "-".join(variant.product_template_attribute_value_ids.mapped("name")),
                           "weight": 0.25})

    def setUp(self):
        super().setUp()
        self.env["marketplace.operation.wizard"].create({
            "instance_ids": [Command.set(self.instance.marketplace_instance_id.ids)],
            "operation": "bigcommerce_export_listings",
            "bigcommerce_product_tmpl_ids": [Command.set(self.tee.ids)],
            "bigcommerce_channel_ids": [Command.set(self.storefront.ids)],
        }).action_run()
        self.run_queue()
        self.listing = self.env["bc.listing"].search([("instance_id", "=", self.instance.id),
                                                      ("product_tmpl_id", "=", self.tee.id)])

    def run_queue(self):
        self.env["marketplace.queue.line"]._cron_process_queue()

    def update_listing(self):
        """Update Listing through the queue; returns the BigCommerce calls it made, as (method, path)."""
        calls, request = [], BigCommerceClient.request

        def recorded(client, method, version, path, *args, **kwargs):
            calls.append((method, f"/{version}/{path}"))
            return request(client, method, version, path, *args, **kwargs)

        self.listing.action_bigcommerce_update_listing()
        with patch.object(BigCommerceClient, "request", recorded):
            self.run_queue()
        return calls

    def bc_variants(self):
        return sorted((variant for variant in self.sandbox.state.variants.values()
                       if variant["product_id"] == self.listing.bc_product_id), key=lambda variant: variant["sku"])

    def bc_options(self):
        return {option["display_name"]: sorted(value["label"] for value in option["option_values"])
                for option in self.sandbox.state.catalog_options.values() if option["product_id"] == self.listing.bc_product_id}

    def logs(self, level="info"):
        return " ".join(self.env["marketplace.log"].search([("res_model", "=", "bc.listing"), ("res_id", "=", self.listing.id),
                                                            ("level", "=", level)]).mapped("message"))

    def test_renamed_values_and_attributes_follow_and_a_new_variant_finds_the_new_label(self):
        self.assertEqual(self.bc_options(), {"Size": ["L", "M", "S"], "Color": ["Red"]})
        self.value(self.size, "S").name = "Small"
        self.color.name = "Colour"
        self.tee.attribute_line_ids.filtered(lambda line: line.attribute_id == self.color).value_ids += \
            self.value(self.color, "Blue")
        self.name_variants()
        self.update_listing()
        self.assertEqual(self.bc_options(), {"Size": ["L", "M", "Small"], "Colour": ["Blue", "Red"]},
                         "renamed in place: no second value Small for the new variant")
        by_sku = {variant["sku"]: [(value["option_display_name"], value["label"]) for value in variant["option_values"]]
                  for variant in self.bc_variants()}
        self.assertEqual(by_sku["RIDGE-S-Red"], [("Size", "Small"), ("Colour", "Red")], "the exported variant reads anew")
        self.assertEqual(by_sku["RIDGE-Small-Blue"], [("Size", "Small"), ("Colour", "Blue")])
        self.assertEqual(len(self.listing.variant_ids), 6)
        self.assertIn("renamed in BigCommerce as in Odoo: S → Small; Color → Colour", self.logs())

        self.assertEqual(self.update_listing(), [("GET", "/v2/store"), ("PUT", "/v3/catalog/products"),
                                                 ("PUT", "/v3/catalog/variants")], "the second run only pushes fields")

    def test_a_removed_value_deletes_exactly_its_variant_and_mapping(self):
        with self.instance._bigcommerce_client() as client:  # the merchant's own variant, which Odoo does not map
            size = next(option for option in client.iter_product_options(self.listing.bc_product_id)
                        if option["display_name"] == "Size")
            xs = client.create_option_value(self.listing.bc_product_id, size["id"], "XS", 3)
            client.create_variant(self.listing.bc_product_id, {"sku": "OWN-XS", "option_values": [
                {"option_id": size["id"], "id": xs["id"]},
                {"option_display_name": "Color", "label": "Red"}]})
        medium = self.tee.product_variant_ids.filtered(lambda variant: variant.default_code == "RIDGE-M-Red")
        bc_medium = self.listing.variant_ids.filtered(lambda binding: binding.product_id == medium).bc_variant_id
        self.tee.attribute_line_ids.filtered(lambda line: line.attribute_id == self.size).value_ids -= \
            self.value(self.size, "M")
        self.assertFalse(medium.active, "archived, not deleted: its mapping is kept for Update Listing")

        calls = self.update_listing()
        self.assertEqual([variant["sku"] for variant in self.bc_variants()], ["OWN-XS", "RIDGE-L-Red", "RIDGE-S-Red"])
        self.assertNotIn(bc_medium, self.sandbox.state.variants)
        self.assertEqual(sorted(self.listing.variant_ids.mapped("sku")), ["RIDGE-L-Red", "RIDGE-S-Red"])
        self.assertEqual(self.bc_options()["Size"], ["L", "S", "XS"], "M, which no variant uses any more, goes too")
        self.assertIn("1 variant(s) removed in Odoo deleted in BigCommerce, and their mappings removed: RIDGE-M-Red",
                      self.logs())
        self.assertEqual(calls.count(("GET", "/v3/catalog/variants")), 1, "the product's variants read once")

        self.assertEqual(self.update_listing(), [("GET", "/v2/store"), ("PUT", "/v3/catalog/products"),
                                                 ("PUT", "/v3/catalog/variants")], "nothing is deleted twice")

    def test_a_variant_deleted_in_bigcommerce_already_only_loses_its_mapping(self):
        large = self.tee.product_variant_ids.filtered(lambda variant: variant.default_code == "RIDGE-L-Red")
        del self.sandbox.state.variants[self.listing.variant_ids.filtered(lambda b: b.product_id == large).bc_variant_id]
        self.tee.attribute_line_ids.filtered(lambda line: line.attribute_id == self.size).value_ids -= \
            self.value(self.size, "L")
        calls = self.update_listing()
        self.assertNotIn("DELETE", {method for method, _path in calls})
        self.assertEqual(sorted(self.listing.variant_ids.mapped("sku")), ["RIDGE-M-Red", "RIDGE-S-Red"])
        self.assertIn("mappings removed: RIDGE-L-Red", self.logs())

    def test_the_last_variant_goes_only_once_its_replacements_exist(self):
        line = self.tee.attribute_line_ids.filtered(lambda line: line.attribute_id == self.size)
        line.value_ids = [Command.set(self.value(self.size, "S").ids)]
        line.value_ids += self.env["product.attribute.value"].create({"name": "XL", "attribute_id": self.size.id})
        line.value_ids -= self.value(self.size, "S")  # every exported variant removed, one added
        self.name_variants()
        self.update_listing()
        self.assertEqual([variant["sku"] for variant in self.bc_variants()], ["RIDGE-XL-Red"])
        self.assertEqual(self.listing.variant_ids.mapped("sku"), ["RIDGE-XL-Red"])
        self.assertEqual(self.bc_options()["Size"], ["XL"])
