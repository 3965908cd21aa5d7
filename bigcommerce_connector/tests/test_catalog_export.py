import base64
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..bigcommerce.catalog_export import product_body
from ..bigcommerce.client import BigCommerceClient
from ..bigcommerce.errors import ServerError
from .common import BigCommerceListingCase, sandbox_instance_vals, start_sandbox

# The smallest valid PNGs, told apart by one byte: an image is recognised by its content.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")
RED_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==")
QUEUE_LOGGER = "odoo.addons.base_marketplace.models.marketplace_queue_line"


def refuse_assignments(client, assignments):
    raise ServerError("PUT channel-assignments: 503", status=503, user_message="BigCommerce had a server error.")


@tagged("post_install", "-at_install")
class TestCatalogExport(BigCommerceListingCase):
    """Export Listings, Update Listing and Manage Sales Channels against the sandbox store."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.instance.warehouse_id = cls.warehouse
        cls.storefront = cls.channel("1")
        cls.marketplace = cls.channel("2")
        size = cls.env["product.attribute"].create({"name": "Size", "value_ids": [
            Command.create({"name": name}) for name in ("S", "M", "L")]})
        cls.tee = cls.env["product.template"].create({
            "name": "Trail Tee", "is_storable": True, "list_price": 25.0,
            "description_sale": "Soft organic cotton.", "image_1920": base64.b64encode(PNG),
            "attribute_line_ids": [Command.create({"attribute_id": size.id, "value_ids": [Command.set(size.value_ids.ids)]})],
        })
        for variant in cls.tee.product_variant_ids:
            label = variant.product_template_attribute_value_ids.name
            variant.write({"default_code": f"TRAIL-{label}", "weight": 0.25})
        cls.tee_l = cls.tee.product_variant_ids.filtered(lambda variant: variant.default_code == "TRAIL-L")
        cls.tee_l.image_variant_1920 = base64.b64encode(RED_PNG)
        cls.env["stock.quant"]._update_available_quantity(
            cls.tee.product_variant_ids.filtered(lambda variant: variant.default_code == "TRAIL-S"),
            cls.warehouse.lot_stock_id, 7)

    @classmethod
    def channel(cls, bc_id):
        return cls.env["bc.channel"].search([("instance_id", "=", cls.instance.id), ("bc_id", "=", bc_id)])

    def export(self, templates, channels, **values):
        action = self.env["marketplace.operation.wizard"].create({
            "instance_ids": [Command.set(self.instance.marketplace_instance_id.ids)],
            "operation": "bigcommerce_export_listings",
            "bigcommerce_product_tmpl_ids": [Command.set(templates.ids)],
            "bigcommerce_channel_ids": [Command.set(channels.ids)], **values,
        }).action_run()
        self.run_queue()
        return action

    def run_queue(self):
        self.env["marketplace.queue.line"]._cron_process_queue()

    def bc_products(self, name):
        return [product for product in self.sandbox.state.products.values() if product["name"] == name]

    def bc_variants(self, product_id):
        return sorted((v for v in self.sandbox.state.variants.values() if v["product_id"] == product_id),
                      key=lambda v: v["sku"])

    def listing(self, template):
        return self.env["bc.listing"].search([("instance_id", "=", self.instance.id), ("product_tmpl_id", "=", template.id)])

    def lines(self):
        return self.env["marketplace.queue.line"].search([("operation", "=", "bigcommerce_export_listing")])

    def test_export_creates_the_product_with_its_variants_images_and_channel(self):
        shirts = self.env["bc.category"].search([("instance_id", "=", self.instance.id), ("bc_id", "=", "13")])
        acme = self.env["bc.brand"].search([("instance_id", "=", self.instance.id), ("bc_id", "=", "41")])
        action = self.export(self.tee, self.storefront, bigcommerce_brand_id=acme.id,
                             bigcommerce_category_ids=[Command.set(shirts.ids)])
        self.assertEqual(action["params"]["title"], "Operation queued")

        [product] = self.bc_products("Trail Tee")
        self.assertEqual((product["price"], product["weight"], product["inventory_tracking"]), (25.0, 0.5512, "variant"))
        self.assertEqual((product["categories"], product["brand_id"], product["channels"]), ([13], 41, [1]))
        self.assertIn("Soft organic cotton.", product["description"])
        variants = self.bc_variants(product["id"])
        self.assertEqual([(v["sku"], v["option_values"][0]["option_display_name"], v["option_values"][0]["label"])
                          for v in variants], [("TRAIL-L", "Size", "L"), ("TRAIL-M", "Size", "M"), ("TRAIL-S", "Size", "S")])
        self.assertEqual([v["inventory_level"] for v in variants], [0, 0, 7], "the default location's free stock")
        images = [i for i in self.sandbox.state.catalog_images.values() if i["product_id"] == product["id"]]
        self.assertEqual([i["is_thumbnail"] for i in images], [True], "the template's image is the thumbnail")
        self.assertEqual([bool(v["image_url"]) for v in variants], [True, False, False], "only L has its own image")

        listing = self.listing(self.tee)
        self.assertEqual((listing.bc_product_id, listing.channel_ids, listing.brand_id, listing.category_ids),
                         (product["id"], self.storefront, acme, shirts))
        self.assertEqual(sorted(listing.variant_ids.mapped("sku")), ["TRAIL-L", "TRAIL-M", "TRAIL-S"])
        self.assertEqual(listing.variant_ids.filtered(lambda b: b.sku == "TRAIL-L").product_id, self.tee_l,
                         "an order line for TRAIL-L finds its variant")
        self.assertIn("created in BigCommerce as product", self.lines().log_ids.message)

    def test_without_a_pricelist_the_wizard_says_so_and_queues_nothing(self):
        self.instance.pricelist_id = False
        with self.assertRaisesRegex(UserError, "Choose the pricelist of the store"):
            self.export(self.tee, self.storefront)
        self.assertFalse(self.lines())
        self.assertFalse(self.bc_products("Trail Tee"))

    @mute_logger(QUEUE_LOGGER)
    def test_a_retry_after_a_variant_was_added_links_rather_than_creates_again(self):
        # Found on a real server: the first attempt created the product, then its transaction was lost; a
        # variant added before the retry (TRAIL-2XL sorts first) made the SKU looked up one BigCommerce lacks.
        record = type(self.instance)._record_listing
        attempts = []

        def lost_once(instance, *args, **kwargs):
            attempts.append(1)
            if len(attempts) == 1:
                raise ServerError("serialization failure", status=503, user_message="Odoo was busy.")
            return record(instance, *args, **kwargs)

        with patch.object(type(self.instance), "_record_listing", lost_once):
            self.export(self.tee, self.storefront)
            line = self.lines()
            self.assertEqual(line.state, "pending")
            size = self.tee.attribute_line_ids
            size.value_ids += self.env["product.attribute.value"].create({"name": "2XL", "attribute_id": size.attribute_id.id})
            self.tee.product_variant_ids.filtered(lambda variant: not variant.default_code).default_code = "TRAIL-2XL"
            self.env.invalidate_all()  # the retry's worker reads the variants afresh, in their order (SKU first)
            line.action_retry()
            self.run_queue()
        self.assertEqual(line.state, "done", line.last_error)
        [product] = self.bc_products("Trail Tee")
        self.assertEqual(self.listing(self.tee).bc_product_id, product["id"])
        self.assertEqual(sorted(self.listing(self.tee).variant_ids.mapped("sku")), ["TRAIL-L", "TRAIL-M", "TRAIL-S"])

    @mute_logger(QUEUE_LOGGER)
    def test_a_retry_after_bigcommerce_acted_links_rather_than_creates_again(self):
        set_image = BigCommerceClient.set_variant_image
        calls = []

        def lost_once(client, *args):
            calls.append(args)
            if len(calls) == 1:
                raise ServerError("POST variant image: 503", status=503, user_message="BigCommerce had a server error.")
            return set_image(client, *args)

        with patch.object(BigCommerceClient, "set_variant_image", lost_once):
            self.export(self.tee, self.storefront)
            line = self.lines()
            self.assertEqual((line.state, self.listing(self.tee)), ("pending", self.env["bc.listing"]))
            line.action_retry()
            self.run_queue()
        self.assertEqual(line.state, "done")
        [product] = self.bc_products("Trail Tee")
        self.assertEqual(self.listing(self.tee).bc_product_id, product["id"])
        self.assertEqual(product["channels"], [1])
        images = [i for i in self.sandbox.state.catalog_images.values() if i["product_id"] == product["id"]]
        self.assertEqual(len(images), 1, "the image uploaded before the failure is not uploaded again")
        self.assertIn("linked rather than created again", " ".join(line.log_ids.mapped("message")))

    def test_a_product_a_killed_worker_created_is_linked_and_listed(self):
        # The worker created the product in BigCommerce, then died before Odoo committed its listing.
        with self.instance._bigcommerce_client() as client:
            store = self.instance._store_info(client)
            product = self.instance._export_product(self.tee, store)
            created = client.create_product(product_body(product), product.variants[0].sku)
        self.assertEqual(self.sandbox.state.products[created["id"]]["channels"], [])
        self.export(self.tee, self.storefront)
        line = self.lines()
        self.assertEqual(line.state, "done", line.last_error)
        self.assertEqual([p["id"] for p in self.bc_products("Trail Tee")], [created["id"]], "not created twice")
        listing = self.listing(self.tee)
        self.assertEqual((listing.bc_product_id, len(listing.variant_ids)), (created["id"], 3))
        self.assertEqual((listing.channel_ids, listing.pending_channel_ids), (self.storefront, self.env["bc.channel"]))
        self.assertEqual(self.sandbox.state.products[created["id"]]["channels"], [1], "listed by the run's end")
        self.assertIn("linked rather than created again", " ".join(line.log_ids.mapped("message")))

    def count_requests(self):
        """(method, path) of every request the client sends, while the context lasts."""
        sent = []
        request = BigCommerceClient.request

        def counted(client, method, version, path, *args, **kwargs):
            sent.append((method, f"/{version}/{path}"))
            return request(client, method, version, path, *args, **kwargs)

        return sent, patch.object(BigCommerceClient, "request", counted)

    def test_export_listings_lists_every_product_in_one_channel_assignment(self):
        mugs = self.env["product.template"].create([
            {"name": f"Camp Mug {n}", "list_price": 8.0, "default_code": f"CAMP-MUG-{n}"} for n in range(3)])
        sent, counting = self.count_requests()
        with counting:
            self.export(self.tee | mugs, self.storefront | self.marketplace)
        self.assertEqual(set(self.lines().mapped("state")), {"done"})
        self.assertEqual([call for call in sent if call[1] == "/v3/catalog/products/channel-assignments"],
                         [("PUT", "/v3/catalog/products/channel-assignments")], "one PUT for the 4 products")
        self.assertEqual(len([call for call in sent if call == ("POST", "/v3/catalog/products")]), 4)
        self.assertFalse([call for call in sent if call[0] == "GET" and "catalog" in call[1]],
                         "no lookup before a create, no read after one")
        listings = self.env["bc.listing"].search([("product_tmpl_id", "in", (self.tee | mugs).ids)])
        self.assertEqual(len(listings), 4)
        for listing in listings:
            self.assertEqual(sorted(self.sandbox.state.products[listing.bc_product_id]["channels"]), [1, 2])
            self.assertEqual((listing.channel_ids, listing.pending_channel_ids),
                             (self.storefront | self.marketplace, self.env["bc.channel"]))
        log = self.env["marketplace.log"].search([("instance_id", "=", self.instance.marketplace_instance_id.id),
                                                  ("message", "like", "listing(s) listed on")])
        self.assertEqual(log.message, "4 listing(s) listed on Sandbox Marketplace, Sandbox Outfitters.")
        self.assertEqual(log.action_open_shortcut()["domain"], [["id", "in", listings.sorted("id").ids]])

    @mute_logger(QUEUE_LOGGER)
    def test_a_failed_channel_assignment_waits_for_the_next_run(self):
        with patch.object(BigCommerceClient, "assign_channels", refuse_assignments):
            self.export(self.tee, self.storefront)
        line = self.lines()
        self.assertEqual(line.state, "done", "the product is created and recorded all the same")
        listing = self.listing(self.tee)
        self.assertEqual((listing.channel_ids, listing.pending_channel_ids), (self.env["bc.channel"], self.storefront))
        self.assertEqual(self.sandbox.state.products[listing.bc_product_id]["channels"], [])
        self.assertIn("is sent with the others' at the end of this queue run", " ".join(line.log_ids.mapped("message")))
        warning = self.env["marketplace.log"].search([("res_model", "=", "bc.listing"), ("res_id", "=", listing.id),
                                                      ("level", "=", "warning")])
        self.assertEqual(warning.message, "1 listing(s) are not listed on their sales channels yet: BigCommerce had a "
                                          "server error. The next queue run tries again.")

        self.run_queue()  # nothing queued: the run's end sends what waits
        self.assertEqual(self.sandbox.state.products[listing.bc_product_id]["channels"], [1])
        self.assertEqual((listing.channel_ids, listing.pending_channel_ids), (self.storefront, self.env["bc.channel"]))
        self.run_queue()
        self.assertEqual(self.env["marketplace.log"].search_count([("message", "like", "listing(s) listed on")]), 1,
                         "sent once")

    def test_a_product_already_in_bigcommerce_is_linked_not_duplicated(self):
        mug = self.env["product.template"].create({"name": "Our Mug", "list_price": 12.5, "default_code": "mug"})
        self.export(mug, self.marketplace)
        self.assertEqual(self.lines().state, "done")
        listing = self.listing(mug)
        self.assertEqual((listing.bc_product_id, listing.variant_ids.bc_variant_id), (76, 179))
        self.assertEqual(listing.channel_ids, self.storefront | self.marketplace, "its channels as BigCommerce has them")
        self.assertFalse(self.bc_products("Our Mug"))

    def test_a_product_sharing_skus_with_an_exported_one_fails_with_a_sentence_naming_it(self):
        self.export(self.tee, self.storefront)
        twin = self.env["product.template"].create({"name": "Trail Tee Copy", "list_price": 25.0,
                                                    "default_code": "TRAIL-M"})
        self.export(twin, self.storefront)
        line = self.lines().filtered(lambda line: line.external_id == str(twin.id))
        self.assertEqual(line.state, "failed", "not retried as a conflict between two workers")
        self.assertIn("already the listing of Trail Tee", line.last_error)
        self.assertFalse(self.listing(twin))
        self.assertEqual(len(self.bc_products("Trail Tee")), 1)
        self.assertFalse(self.bc_products("Trail Tee Copy"))

    @mute_logger(QUEUE_LOGGER)
    def test_a_duplicate_sku_among_the_variants_fails_that_line_only(self):
        self.tee_l.default_code = "TSHIRT-S"  # product 71's variant in the seed store
        mug = self.env["product.template"].create({"name": "Camp Mug", "list_price": 8.0, "default_code": "CAMP-MUG"})
        self.export(self.tee | mug, self.storefront)
        by_template = {line.external_id: line for line in self.lines()}
        refused = by_template[str(self.tee.id)]
        self.assertEqual(refused.state, "failed")
        self.assertIn("Sku 'TSHIRT-S' is not unique", refused.last_error)
        self.assertFalse(self.bc_products("Trail Tee"))
        self.assertEqual(by_template[str(mug.id)].state, "done")
        self.assertEqual(len(self.bc_products("Camp Mug")), 1)

    @mute_logger(QUEUE_LOGGER)
    def test_a_channel_unpublished_while_waiting_is_not_listed_later(self):
        with patch.object(BigCommerceClient, "assign_channels", refuse_assignments):
            self.export(self.tee, self.storefront | self.marketplace)
        listing = self.listing(self.tee)
        self.env["bc.listing.channel.wizard"].with_context(default_listing_ids=listing.ids).create(
            {"channel_ids": [Command.set(self.storefront.ids)]}).action_unpublish()
        self.assertEqual(listing.pending_channel_ids, self.marketplace)
        self.run_queue()
        self.assertEqual(self.sandbox.state.products[listing.bc_product_id]["channels"], [2])
        self.assertEqual((listing.channel_ids, listing.pending_channel_ids), (self.marketplace, self.env["bc.channel"]))

    def test_update_listing_pushes_the_changed_fields(self):
        mug = self.env["product.template"].create({"name": "Camp Mug", "list_price": 8.0, "default_code": "CAMP-MUG"})
        self.export(self.tee | mug, self.storefront)
        listing = self.listing(self.tee)
        self.tee.write({"name": "Trail Tee II", "description_sale": "Now with pockets."})
        self.tee_l.write({"default_code": "TRAIL-LG", "weight": 0.5})
        mug.default_code = "CAMP-MUG-2"
        action = (listing | self.listing(mug)).action_bigcommerce_update_listing()
        self.assertEqual(action["params"]["title"], "Operation queued")
        self.run_queue()
        product = self.sandbox.state.products[listing.bc_product_id]
        self.assertEqual(product["name"], "Trail Tee II")
        self.assertIn("Now with pockets.", product["description"])
        variant = self.sandbox.state.variants[listing.variant_ids.filtered(lambda b: b.product_id == self.tee_l).bc_variant_id]
        self.assertEqual((variant["sku"], variant["weight"]), ("TRAIL-LG", 1.1023))
        self.assertEqual(listing.name, "Trail Tee II")
        self.assertIn("TRAIL-LG", listing.variant_ids.mapped("sku"))
        self.assertEqual(product["price"], 25.0, "Update Listing leaves prices to Export Prices")
        mug_product = self.sandbox.state.products[self.listing(mug).bc_product_id]
        self.assertEqual((mug_product["sku"], self.listing(mug).sku), ("CAMP-MUG-2", "CAMP-MUG-2"))

    def test_update_listing_creates_the_variants_added_in_odoo_once(self):
        self.export(self.tee, self.storefront)
        listing = self.listing(self.tee)
        line = self.tee.attribute_line_ids
        xl = self.env["product.attribute.value"].create({"name": "XL", "attribute_id": line.attribute_id.id})
        line.value_ids = [Command.link(xl.id)]
        tee_xl = self.tee.product_variant_ids.filtered(lambda variant: variant.product_template_attribute_value_ids.name == "XL")
        tee_xl.write({"default_code": "TRAIL-XL", "weight": 0.3})
        listing.action_bigcommerce_update_listing()
        self.run_queue()
        created = [v for v in self.bc_variants(listing.bc_product_id) if v["sku"] == "TRAIL-XL"]
        self.assertEqual(len(created), 1)
        self.assertEqual([(value["option_display_name"], value["label"]) for value in created[0]["option_values"]],
                         [("Size", "XL")])
        self.assertEqual(len(listing.variant_ids), 4)
        self.assertEqual(listing.variant_ids.filtered(lambda b: b.product_id == tee_xl).bc_variant_id, created[0]["id"])
        listing.action_bigcommerce_update_listing()
        self.run_queue()
        self.assertEqual(len(self.bc_variants(listing.bc_product_id)), 4, "a second update creates nothing more")
        self.assertEqual(len(listing.variant_ids), 4)
        options = [o for o in self.sandbox.state.catalog_options.values() if o["product_id"] == listing.bc_product_id]
        self.assertEqual([len(o["option_values"]) for o in options], [4], "XL joined the Size option")

    def test_a_new_variant_bigcommerce_refuses_is_logged_and_the_others_are_created(self):
        self.export(self.tee, self.storefront)
        listing = self.listing(self.tee)
        line = self.tee.attribute_line_ids
        values = self.env["product.attribute.value"].create(
            [{"name": name, "attribute_id": line.attribute_id.id} for name in ("XL", "XXL")])
        line.value_ids = [Command.link(value.id) for value in values]
        for variant in self.tee.product_variant_ids:
            label = variant.product_template_attribute_value_ids.name
            if label in ("XL", "XXL"):
                variant.default_code = "MUG" if label == "XL" else "TRAIL-XXL"  # MUG: a seeded product's SKU
        listing.action_bigcommerce_update_listing()
        self.run_queue()
        self.assertEqual([v["sku"] for v in self.bc_variants(listing.bc_product_id)],
                         ["TRAIL-L", "TRAIL-M", "TRAIL-S", "TRAIL-XXL"])
        self.assertEqual(len(listing.variant_ids), 4)
        log = self.env["marketplace.log"].search([("res_model", "=", "bc.listing"), ("res_id", "=", listing.id),
                                                  ("level", "=", "error")])
        self.assertIn("the variant MUG was not created in BigCommerce", log.message)
        self.assertIn("not unique", log.message, "with BigCommerce's reason")

    def test_a_product_exported_without_attributes_gets_no_variants_later(self):
        mug = self.env["product.template"].create({"name": "Camp Mug", "list_price": 8.0, "default_code": "CAMP-MUG"})
        self.export(mug, self.storefront)
        listing = self.listing(mug)
        color = self.env["product.attribute"].create({"name": "Color", "value_ids": [
            Command.create({"name": name}) for name in ("Red", "Blue")]})
        mug.attribute_line_ids = [Command.create({"attribute_id": color.id, "value_ids": [Command.set(color.value_ids.ids)]})]
        for variant in mug.product_variant_ids:
            variant.default_code = "CAMP-" + variant.product_template_attribute_value_ids.name.upper()
        listing.action_bigcommerce_update_listing()
        self.run_queue()
        self.assertEqual(len(self.bc_variants(listing.bc_product_id)), 1, "no variant added to a simple product")
        warning = self.env["marketplace.log"].search([("res_model", "=", "bc.listing"), ("res_id", "=", listing.id),
                                                      ("level", "=", "warning")], limit=1)
        self.assertIn("have no BigCommerce variant", warning.message)

    def test_publish_and_unpublish_keep_the_other_channels(self):
        self.export(self.tee, self.storefront)
        listing = self.listing(self.tee)
        wizard = self.env["bc.listing.channel.wizard"].with_context(default_listing_ids=listing.ids).create(
            {"channel_ids": [Command.set(self.marketplace.ids)]})
        wizard.action_publish()
        product = self.sandbox.state.products[listing.bc_product_id]
        self.assertEqual(sorted(product["channels"]), [1, 2])
        self.assertEqual(listing.channel_ids, self.storefront | self.marketplace)

        wizard = self.env["bc.listing.channel.wizard"].with_context(default_listing_ids=listing.ids).create(
            {"channel_ids": [Command.set(self.storefront.ids)]})
        result = wizard.action_unpublish()
        self.assertEqual(product["channels"], [2])
        self.assertEqual(listing.channel_ids, self.marketplace)
        self.assertIn("unpublished from Sandbox Outfitters", result["params"]["message"])
        self.assertEqual(sorted(self.sandbox.state.products[71]["channels"]), [1, 2], "other products are untouched")

    def test_a_connector_user_updates_and_publishes_listings(self):
        self.export(self.tee, self.storefront)
        user = new_test_user(self.env, login="bc_export_user", groups="base.group_user,bigcommerce_connector.group_bigcommerce_user")
        listing = self.listing(self.tee).with_user(user)
        self.assertEqual(listing.action_bigcommerce_update_listing()["params"]["title"], "Operation queued")
        action = listing.action_bigcommerce_manage_channels()
        wizard = self.env[action["res_model"]].with_user(user).with_context(**action["context"]).create(
            {"channel_ids": [Command.set(self.marketplace.ids)]})
        wizard.action_publish()
        self.assertEqual(sorted(self.sandbox.state.products[listing.bc_product_id]["channels"]), [1, 2])
        self.assertEqual(listing.channel_ids, self.storefront | self.marketplace)


@tagged("post_install", "-at_install")
class TestPendingChannelsConcurrency(TransactionCase):
    """Two workers ending their runs at once, on their own connections: a listing's channels are sent by
    one of them. The data is committed through a connection of its own and removed afterwards."""

    def setUp(self):
        super().setUp()
        self.sandbox = start_sandbox(port=0, quota=10000)
        self.addCleanup(self.sandbox.stop)
        with self.connection() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            instance = env["bc.instance"].create(sandbox_instance_vals(self.sandbox, name="Lock Store"))
            instance.action_confirm()
            marketplace = env["bc.channel"].search([("instance_id", "=", instance.id), ("bc_id", "=", "2")])
            template = env["product.template"].create({"name": "Lock E-Book", "default_code": "EBOOK-COOK"})
            self.created = {"instance": instance.id, "marketplace": instance.marketplace_instance_id.id,
                        "template": template.id}
            self.listing_id = env["bc.listing"].create({
                "instance_id": instance.id, "product_tmpl_id": template.id, "bc_product_id": 75, "name": "E-Book",
                "pending_channel_ids": [Command.set(marketplace.ids)]}).id
        self.addCleanup(self._cleanup)

    def connection(self):
        return db_connect(self.env.cr.dbname).cursor()

    def _cleanup(self):
        with self.connection() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["bc.instance"].browse(self.created["instance"]).unlink()
            env["marketplace.instance"].browse(self.created["marketplace"]).unlink()
            env["product.template"].browse(self.created["template"]).unlink()

    def end_of_run(self):
        with self.connection() as cr:
            cr.execute("SET lock_timeout = '5s'")  # should it wait for the other worker, fail instead of hanging
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["marketplace.queue.line"]._after_run(env["marketplace.queue.line"])
            return env["bc.listing"].browse(self.listing_id).pending_channel_ids.mapped("bc_id")

    def test_a_listing_another_worker_holds_is_left_to_it(self):
        with self.connection() as other_worker:
            other_worker.execute("SELECT id FROM bc_listing WHERE id = %s FOR UPDATE", [self.listing_id])
            self.assertEqual(self.end_of_run(), ["2"], "skipped, not waited for")
            self.assertEqual(self.sandbox.state.products[75]["channels"], [1], "nothing sent")
            other_worker.rollback()
        self.assertEqual(self.end_of_run(), [])
        self.assertEqual(sorted(self.sandbox.state.products[75]["channels"]), [1, 2])
