"""Exporting Odoo products to BigCommerce as listings (Export Listings), and pushing listings
again (Update Listing). What to send is decided by ``bigcommerce/catalog_export.py``; here Odoo
records become its plain values and its answers become listings and mappings."""
import base64
from decimal import Decimal

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, plaintext2html

from ..bigcommerce.catalog_export import (
    MAX_PRODUCT_BATCH, ExportProduct, ExportVariant, channel_assignments, export_problems, image_key, image_mimetype,
    inventory_tracking, listing_update, missing_option_values, new_variants, option_renames, option_update,
    option_value_refs, option_value_update, pending_assignments, product_body, removed_variants, unused_option_values,
    variant_images, variant_links, variant_updates, with_base_variant,
)
from ..bigcommerce.errors import BigCommerceError, ValidationError
from ..const import EXPORT_LISTING, MANAGE_CHANNELS, UPDATE_LISTING
from .bc_translate import translate

DEFAULT_LOCATION_ID = "1"  # the catalog's inventory_level is the default location's (API-NOTES §8)


class BigCommerceInstance(models.Model):
    _inherit = "bc.instance"

    # ------------------------------------------------------------------ queueing

    def _queue_listing_export(self, templates, channels, brand=None, categories=None):
        """One Export Listing line per product template; returns the job (empty when nothing was new)."""
        self.ensure_one()
        channels = channels.filtered(lambda channel: channel.instance_id == self)
        if not channels:
            raise UserError(_("Choose the sales channels of %(store)s to list the products on.", store=self.name))
        self._check_pricelist()  # said now, not by each product's line
        listed = self.env["bc.listing"].search([("instance_id", "=", self.id), ("product_tmpl_id", "in", templates.ids)])
        items = [{
            "external_id": str(template.id), "name": template.display_name,
            "payload": {"template_id": template.id, "channel_ids": channels.ids,
                        "brand_id": brand.id if brand else False, "category_ids": categories.ids if categories else []},
        } for template in templates - listed.product_tmpl_id]
        if not items:
            return self.env["marketplace.queue.job"]
        job, _lines = self.env["marketplace.queue.line"]._enqueue(
            self.marketplace_instance_id, EXPORT_LISTING, items, refresh=True,
            job_name=_("Export listings to %(store)s", store=self.name))
        return job

    def _queue_listing_update(self, listings):
        """Update Listing lines of at most 10 listings each (a product batch of PR#updateProducts)."""
        self.ensure_one()
        ids = sorted(listings.ids)
        items = [{"external_id": ",".join(map(str, chunk)), "payload": {"listing_ids": chunk},
                  "name": _("%(count)s listing(s) from %(first)s", count=len(chunk),
                            first=self.env["bc.listing"].browse(chunk[0]).name)}
                 for chunk in (ids[start:start + MAX_PRODUCT_BATCH] for start in range(0, len(ids), MAX_PRODUCT_BATCH))]
        job, _lines = self.env["marketplace.queue.line"]._enqueue(
            self.marketplace_instance_id, UPDATE_LISTING, items, job_name=_("Update listings in %(store)s", store=self.name))
        return job

    # ------------------------------------------------------------------ Odoo products as plain values

    def _store_info(self, client):
        """The store information, read once per queue run (weight unit, currency, prices with tax)."""
        line = self.env["marketplace.queue.line"]
        return line._run_cached(("bigcommerce_store_info", self.id), client.store_information)

    def _export_product(self, template, store, with_prices=True, brand=None, categories=None):
        """``template`` as the core's ExportProduct: its active variants with SKU, price from the
        store's pricelist, weight, options and the stock BigCommerce's default location publishes."""
        variants = template.product_variant_ids
        currency = self.pricelist_id.currency_id
        levels = self._default_location_quantities(variants) if template.is_storable else {}
        has_options = any(variant.product_template_attribute_value_ids for variant in variants)
        return ExportProduct(
            name=template.name,
            description=self._export_description(template),
            variants=tuple(ExportVariant(
                key=variant.id, sku=variant.default_code or "",
                price=Decimal(self._store_price(variant, store.get("is_price_entered_with_tax"))) if with_prices else Decimal(0),
                weight=Decimal(str(variant.weight or 0)), inventory_level=levels.get(variant.id, 0),
                options=tuple((value.attribute_id.name, value.name) for value in variant.product_template_attribute_value_ids),
            ) for variant in variants),
            tracking=inventory_tracking(template.is_storable, has_options),
            categories=tuple(int(category.bc_id) for category in categories or ()),
            brand_id=int(brand.bc_id) if brand else None,
            weight_unit=store.get("weight_units") or "LBS",
            decimals=currency.decimal_places if with_prices else 2,
        )

    @staticmethod
    def _export_description(template):
        if template.description and str(template.description).strip():
            return str(template.description)
        return str(plaintext2html(template.description_sale)) if template.description_sale else ""

    def _default_location_quantities(self, products):
        """What the stock export would publish at BigCommerce's default location, by product id."""
        location = self.location_ids.filtered(lambda location: location.bc_id == DEFAULT_LOCATION_ID)[:1]
        stock_locations = location.stock_location_ids or self.warehouse_id.lot_stock_id
        return self._export_quantities(stock_locations, products) if stock_locations else {}

    # ------------------------------------------------------------------ Export Listing

    def _export_listing(self, template, channels, brand=None, categories=None):
        """Create ``template`` in BigCommerce with its variants and images, and record the listing,
        waiting to be listed on ``channels`` (``_send_pending_channels``, at the end of the queue
        run), and one mapping per variant. Exactly once: BigCommerce refuses to create a product
        whose name or a SKU another product has (409), so that a second create of ours (after a lost
        answer or transaction, a killed worker) is refused; the product refused for is then found by
        our first SKU, else by its name, and linked when it holds our SKUs. A lost answer is read
        back by the client (``create_product``). One create a product, and no lookup before it."""
        self.ensure_one()
        listing = self.env["bc.listing"].search([("instance_id", "=", self.id), ("product_tmpl_id", "=", template.id)])
        if listing:
            self._log(_("%(product)s is already listed as BigCommerce product #%(id)s: use Update Listing to push "
                        "changes.", product=template.display_name, id=listing.bc_product_id), record=listing)
            return listing
        self._check_pricelist()
        with self._bigcommerce_client() as client:
            store = self._store_info(client)
            self._check_pricelist(store)
            product = self._export_product(template, store, brand=brand, categories=categories)
            problems = export_problems(product)
            if problems:
                raise UserError(" ".join(translate(self.env, problem) for problem in problems))
            sku = product.variants[0].sku
            body = product_body(product)
            try:
                bc_product, created = client.create_product(body, sku), True
            except ValidationError:
                # Ours when it holds our SKUs: created by an earlier attempt (whose first SKU may differ
                # since, a variant added in Odoo), or the merchant's own. Else BigCommerce's reason stands.
                bc_product = self._product_holding(client, product, body["name"])
                if bc_product is None:
                    raise
                created = False
                self._check_not_listed(template, bc_product)
            bc_product = with_base_variant(bc_product) or client.get_product(bc_product["id"])
            links, missing = variant_links(product, bc_product)
            images = self._export_images(client, template, bc_product, links, created)
            listed = self.env["bc.channel"] if created else self._listed_channels(client, bc_product["id"])
        listing = self._record_listing(template, bc_product, links, listed, channels - listed, brand, categories)
        if created:
            message = _("%(product)s: created in BigCommerce as product #%(id)s with %(variants)s variant(s) and "
                        "%(images)s image(s).", product=template.display_name, id=bc_product["id"],
                        variants=len(links), images=images)
        else:
            message = _("%(product)s: BigCommerce already had product #%(id)s with the SKU %(sku)s, so it was linked "
                        "rather than created again (%(variants)s variant(s) mapped, %(images)s image(s) added).",
                        product=template.display_name, id=bc_product["id"], sku=sku, variants=len(links),
                        images=images)
            if listed:
                message += " " + _("BigCommerce lists it on %(channels)s.", channels=", ".join(listed.mapped("name")))
        if listing.pending_channel_ids:
            message += " " + _("Its listing on %(channels)s is sent with the others' at the end of this queue run.",
                               channels=", ".join(listing.pending_channel_ids.mapped("name")))
        self._log(message, record=listing)
        if missing:
            self._log(_("%(product)s: BigCommerce product #%(id)s has no variant with the SKU(s) %(skus)s; add them "
                        "there, they are not mapped.", product=template.display_name, id=bc_product["id"],
                        skus=", ".join(variant.sku for variant in missing)), level="warning", record=listing)
        return listing

    def _check_not_listed(self, template, bc_product):
        """A product another template's listing holds is not this one's: two Odoo products share SKUs."""
        other = self.env["bc.listing"].search([("instance_id", "=", self.id), ("bc_product_id", "=", bc_product["id"])])
        if other:
            raise UserError(_("%(product)s has SKUs of BigCommerce product #%(id)s, which is already the listing of "
                              "%(other)s. Give the variants of %(product)s Internal References of their own, then "
                              "use Retry.", product=template.display_name, id=bc_product["id"],
                              other=other.product_tmpl_id.display_name))

    @staticmethod
    def _product_holding(client, product, name):
        """The BigCommerce product holding SKUs of ``product``: the one with its first SKU, else the one
        named ``name``; None when neither holds any."""
        for find, key in ((client.find_product_by_sku, product.variants[0].sku), (client.find_product_by_name, name)):
            found = find(key)
            if found and variant_links(product, found)[0]:
                return found
        return None

    def _export_images(self, client, template, bc_product, links, created):
        """The template's image as the product's thumbnail, then each variant's own image (the
        first that matches it: BigCommerce keeps one per variant). Returns how many were sent."""
        sent = 0
        existing = [] if created else None  # a product just created has no image to look for
        if template.image_1920:
            data = base64.b64decode(template.image_1920)
            client.create_product_image(bc_product["id"], image_key(data), data, image_mimetype(data),
                                        is_thumbnail=True, existing=existing)
            sent += 1
        by_key = {variant.key: bc_variant for variant, bc_variant in links}
        own_images = [(variant, base64.b64decode(variant.image_variant_1024))
                      for variant in template.product_variant_ids if variant.image_variant_1920]
        keys = {image_key(data): data for _variant, data in own_images}
        chosen = variant_images([(image_key(data), {variant.id}) for variant, data in own_images], set(by_key))
        for variant_id, key in chosen.items():
            data = keys[key]
            client.set_variant_image(bc_product["id"], by_key[variant_id]["id"], key, data, image_mimetype(data))
            sent += 1
        return sent

    def _listed_channels(self, client, bc_product_id):
        channel_ids = {str(row["channel_id"]) for row in client.iter_channel_assignments([bc_product_id])}
        return self.env["bc.channel"].search([("instance_id", "=", self.id), ("bc_id", "in", list(channel_ids))])

    # ------------------------------------------------------------------ channel listing, batched

    def _send_pending_channels(self):
        """List the store's listings on the channels they wait for (``pending_channel_ids``, left by
        Export Listing), all in as few PR#createProductsChannelAssignments as the client sends, then
        record them as listed. The listings are locked, and those another worker holds skipped: two
        workers never send the same. A failure leaves them waiting for the next queue run. The
        queue calls it at the end of each run (``marketplace.queue.line._after_run``); a PUT, so that
        sending again what a killed worker sent does no harm."""
        self.ensure_one()
        Listing = self.env["bc.listing"].sudo()
        Listing.flush_model(["instance_id", "pending_channel_ids"])
        self.env.cr.execute(SQL("""
            SELECT listing.id FROM bc_listing listing
             WHERE listing.instance_id = %s
               AND EXISTS (SELECT 1 FROM %s pending WHERE pending.listing_id = listing.id)
             ORDER BY listing.id
               FOR UPDATE OF listing SKIP LOCKED
        """, self.id, SQL.identifier(Listing._fields["pending_channel_ids"].relation)))
        listings = Listing.browse(row[0] for row in self.env.cr.fetchall())
        listings.invalidate_recordset(["pending_channel_ids"])  # as committed when locked
        listings = listings.filtered("pending_channel_ids")
        if not listings:
            return listings
        pending = {listing: listing.pending_channel_ids for listing in listings}
        try:
            with self._bigcommerce_client() as client:
                client.assign_channels(pending_assignments(
                    {listing.bc_product_id: channels.mapped("bc_id") for listing, channels in pending.items()}))
        except (BigCommerceError, UserError) as error:
            self._log(_("%(count)s listing(s) are not listed on their sales channels yet: %(error)s The next queue "
                        "run tries again.", count=len(listings),
                        error=translate(self.env, getattr(error, "user_message", None) or error.args[0])),
                      level="warning", operation=EXPORT_LISTING, **self._listings_pointer(listings))
            return Listing
        now = fields.Datetime.now()
        for listing, channels in pending.items():
            listing.write({"channel_ids": [fields.Command.link(channel.id) for channel in channels],
                           "pending_channel_ids": [fields.Command.clear()], "last_sync": now})
        names = ", ".join(sorted(set().union(*(channels.mapped("name") for channels in pending.values()))))
        self._log(_("%(count)s listing(s) listed on %(channels)s.", count=len(listings), channels=names),
                  operation=EXPORT_LISTING, **self._listings_pointer(listings))
        return listings

    def _listings_pointer(self, listings):
        """What a log about ``listings`` opens: the listing, or the list of them."""
        if len(listings) == 1:
            return {"record": listings}
        return {"action_label": _("Listings"), "action_data": {
            "type": "ir.actions.act_window", "name": _("Listings"), "res_model": "bc.listing",
            "views": [[False, "list"], [False, "form"]], "domain": [("id", "in", listings.ids)]}}

    def _record_listing(self, template, bc_product, links, channels, pending_channels, brand, categories):
        listing = self.env["bc.listing"].create({
            "instance_id": self.id, "product_tmpl_id": template.id, "bc_product_id": bc_product["id"],
            "name": bc_product.get("name") or template.name,
            "sku": bc_product.get("sku") or False,  # a product with options has its SKUs on its variants
            "channel_ids": [fields.Command.set(channels.ids)],
            "pending_channel_ids": [fields.Command.set(pending_channels.ids)],
            "brand_id": brand.id if brand else False,
            "category_ids": [fields.Command.set(categories.ids if categories else [])],
            "last_sync": fields.Datetime.now(),
        })
        self._bind_variants(listing, links)
        return listing

    def _bind_variants(self, listing, links):
        """One mapping of ``listing`` per ``(ExportVariant, BigCommerce variant)``; a mapping of that
        BigCommerce variant that already exists (e.g. from a catalog import) joins the listing."""
        Binding = self.env["bc.product.binding"]
        existing = {(binding.bc_variant_id): binding for binding in Binding.search(
            [("instance_id", "=", self.id), ("bc_product_id", "=", listing.bc_product_id)])}
        for variant, bc_variant in links:
            binding = existing.get(bc_variant["id"])
            vals = {"listing_id": listing.id, "sku": bc_variant.get("sku") or variant.sku}
            if binding:
                binding.write(vals)
            else:
                Binding.create(dict(vals, instance_id=self.id, product_id=variant.key,
                                    bc_product_id=listing.bc_product_id, bc_variant_id=bc_variant["id"]))

    # ------------------------------------------------------------------ Update Listing

    def _update_listings(self, listings):
        """Push the name, description, weight, SKU and inventory tracking of ``listings`` and the SKU
        and weight of their mapped variants, in batches; then make their variants follow Odoo's:
        options and values renamed, variants removed deleted, variants added created. A product
        BigCommerce refuses does not stop the others. Returns (updated listings, {refused listing:
        sentence saying why})."""
        self.ensure_one()
        with self._bigcommerce_client() as client:
            store = self._store_info(client)
            products = {listing: self._export_product(listing.product_tmpl_id, store, with_prices=False)
                        for listing in listings}
            refused = self._send_in_batches(
                client.update_products, listings,
                lambda listing: [listing_update(listing.bc_product_id, products[listing])])
            updated = listings.filtered(lambda listing: listing not in refused)
            answered = {}  # the mapped variants as the batch update answered: their option values cost no read

            def update_variants(variants):
                answered.update((variant["id"], variant) for variant in client.update_variants(variants))

            refused.update(self._send_in_batches(
                update_variants, updated,
                lambda listing: variant_updates(products[listing], {binding.product_id.id: binding.bc_variant_id
                                                                    for binding in listing.variant_ids})))
            updated = listings.filtered(lambda listing: listing not in refused)
            # Renamed first, so that the variants added below find their values by their new labels.
            renamed = {listing: self._rename_options(client, listing, products[listing], answered) for listing in updated}
            changed = updated.filtered(lambda listing: self._variants_change(listing, products[listing]))
            catalog = self._product_variants(client, changed)
            synced = {listing: self._sync_variants(client, listing, products[listing], catalog[listing.bc_product_id])
                      for listing in changed if listing.bc_product_id in catalog}
        now = fields.Datetime.now()
        for listing in updated:
            product = products[listing]
            listing.write({"name": product.name, "last_sync": now,
                           "sku": product.variants[0].sku if not product.has_options else listing.sku})
            skus = {variant.key: variant.sku for variant in product.variants}
            for binding in listing.variant_ids:
                if binding.product_id.id in skus and binding.sku != skus[binding.product_id.id]:
                    binding.sku = skus[binding.product_id.id]
            removed, added = synced.get(listing, ([], []))
            if renamed[listing]:
                self._log(_("%(listing)s: renamed in BigCommerce as in Odoo: %(renames)s.", listing=listing.name,
                            renames="; ".join(renamed[listing])), record=listing)
            if removed:
                self._log(_("%(listing)s: %(count)s variant(s) removed in Odoo deleted in BigCommerce, and their "
                            "mappings removed: %(skus)s.", listing=listing.name, count=len(removed),
                            skus=", ".join(removed)), record=listing)
            if added:
                self._log(_("%(listing)s: %(count)s new variant(s) mapped to BigCommerce: %(skus)s.",
                            listing=listing.name, count=len(added), skus=", ".join(added)), record=listing)
            unmapped = [sku for key, sku in skus.items() if key not in set(listing.variant_ids.product_id.ids)]
            if unmapped and self._is_simple(catalog.get(listing.bc_product_id)):
                self._log(_("%(listing)s: the variant(s) %(skus)s have no BigCommerce variant and were not sent: the "
                            "product was exported without attributes, and BigCommerce documents no way to give such "
                            "a product variants through its API. Add the options and variants to it in BigCommerce "
                            "(Update Listing then maps them by SKU), or delete it there and this listing here, then "
                            "Export Listings again.", listing=listing.name, skus=", ".join(unmapped)),
                          level="warning", record=listing)
            elif unmapped:
                self._log(_("%(listing)s: the variant(s) %(skus)s have no BigCommerce variant. Add them to the "
                            "product there (Update Listing then maps them by SKU) or fix what the log says "
                            "BigCommerce refused, then run Update Listing again.", listing=listing.name,
                            skus=", ".join(unmapped)), level="warning", record=listing)
        for listing, reason in refused.items():
            self._log(reason, level="error", record=listing)
        return updated, refused

    def _sync_variants(self, client, listing, product, bc_variants):
        """The listing's variants in BigCommerce as the template's: those removed in Odoo deleted first
        (freeing their SKUs), those added created, then the option values no variant uses any more
        deleted. ``bc_variants``: the product's, as BigCommerce has them. Returns (SKUs removed, SKUs added)."""
        removed, kept, deleted = self._remove_variants(client, listing, bc_variants)
        bc_variants = [variant for variant in bc_variants if variant not in deleted]
        added, created = self._add_new_variants(client, listing, product, bc_variants)
        bc_variants += created
        if kept and created:  # the product has other variants now: the one kept back can go too
            more, _kept, also = self._remove_variants(client, listing, bc_variants)
            removed += more
            deleted += also
        elif kept:
            self._log(_("%(listing)s: the variant %(sku)s was removed in Odoo but is the last variant of BigCommerce "
                        "product #%(id)s, which cannot be left without variants: it is kept, and still mapped. Delete "
                        "the product in BigCommerce if it should go.", listing=listing.name, sku=kept.sku,
                        id=listing.bc_product_id), level="warning", record=listing)
        self._delete_unused_option_values(client, listing, deleted, bc_variants)
        return removed, added

    @staticmethod
    def _is_simple(bc_variants):
        """Whether a product is one without options: its one variant, the base variant, has no option values."""
        return any(not variant.get("option_values") for variant in bc_variants or ())

    @staticmethod
    def _variants_change(listing, product):
        """Whether the listing's variants differ from the template's: some to add or some to remove."""
        keys = {variant.key for variant in product.variants}
        return keys != set(listing.variant_ids.product_id.ids)

    def _product_variants(self, client, listings):
        """{BigCommerce product id: its variants} of ``listings``, read together (VA#getVariants,
        ``product_id:in``, 250 a page); a product BigCommerce no longer has is absent."""
        catalog = {}
        if listings:
            for variant in client.iter_variants(**{"product_id:in": sorted(set(listings.mapped("bc_product_id")))}):
                catalog.setdefault(variant["product_id"], []).append(variant)
        for listing in listings:
            if listing.bc_product_id not in catalog:
                self._log(_("%(listing)s: BigCommerce product #%(id)s no longer exists; its variants were not "
                            "changed.", listing=listing.name, id=listing.bc_product_id), level="error", record=listing)
        return catalog

    def _rename_options(self, client, listing, product, answered):
        """Rename in BigCommerce the option values and options of the listing's mapped variants whose
        Odoo value or attribute was renamed (VO, values first). Only what differs is sent; one
        BigCommerce refuses (a label the option has already) is logged. Returns what was renamed."""
        bc_variant_ids = {binding.product_id.id: binding.bc_variant_id for binding in listing.variant_ids}
        names, labels = option_renames(product, bc_variant_ids, [answered[bc_id] for bc_id in bc_variant_ids.values()
                                                                  if bc_id in answered])
        if not names and not labels:
            return []
        options = {option["id"]: option for option in client.iter_product_options(listing.bc_product_id)}
        done = []
        for (option_id, value_id), label in labels.items():
            value = next((value for value in options.get(option_id, {}).get("option_values") or ()
                          if value["id"] == value_id), None)
            if value and self._renamed(client.update_option_value, listing, value["label"], label,
                                       listing.bc_product_id, option_id, option_value_update(value, label)):
                done.append(f"{value['label']} → {label}")
                value["label"] = label  # the option's body below carries its values as they now are
        for option_id, name in names.items():
            option = options.get(option_id)
            if option and self._renamed(client.update_option, listing, option["display_name"], name,
                                        listing.bc_product_id, option_update(option, name)):
                done.append(f"{option['display_name']} → {name}")
        return done

    def _renamed(self, send, listing, old, new, *args):
        try:
            send(*args)
            return True
        except ValidationError as error:
            self._log(_("%(listing)s: %(old)s was not renamed %(new)s in BigCommerce: %(error)s", listing=listing.name,
                        old=old, new=new, error=translate(self.env, error.user_message)), level="error", record=listing)
            return False

    def _remove_variants(self, client, listing, bc_variants):
        """Delete in BigCommerce the variants of mappings whose Odoo variant is no longer active on the
        template, and remove those mappings (also of variants BigCommerce no longer has). Returns
        (SKUs removed, the mapping kept as the product's last variant or an empty recordset, the
        BigCommerce variants deleted)."""
        bindings = {binding.bc_variant_id: binding for binding in listing.variant_ids}
        active = set(listing.product_tmpl_id.product_variant_ids.ids)
        to_delete, gone, kept = removed_variants(
            {bc_id: binding.product_id.id for bc_id, binding in bindings.items()}, active, bc_variants)
        by_id = {variant["id"]: variant for variant in bc_variants}
        deleted = []
        for bc_id in to_delete:
            try:
                if client.delete_variant(listing.bc_product_id, bc_id):
                    deleted.append(by_id[bc_id])
                gone.append(bc_id)  # deleted now, or already (404): the mapping goes either way
            except ValidationError as error:
                self._log(_("%(listing)s: the variant %(sku)s removed in Odoo was not deleted in BigCommerce: "
                            "%(error)s", listing=listing.name, sku=bindings[bc_id].sku,
                            error=translate(self.env, error.user_message)), level="error", record=listing)
        forgotten = self.env["bc.product.binding"].concat(*(bindings[bc_id] for bc_id in gone))
        skus = forgotten.mapped("sku")
        forgotten.unlink()
        return skus, bindings[kept] if kept else self.env["bc.product.binding"], deleted

    @staticmethod
    def _delete_unused_option_values(client, listing, deleted, remaining):
        """Delete the option values only the deleted variants used (BigCommerce would go on offering them)."""
        remaining = [variant for variant in remaining if variant not in deleted]
        for option_id, value_id in unused_option_values(deleted, remaining):
            client.delete_option_value(listing.bc_product_id, option_id, value_id)

    def _add_new_variants(self, client, listing, product, bc_variants):
        """Create in BigCommerce the listing's Odoo variants that have no mapping yet (a value added to
        an attribute line), with the option values they need first (VA#createProductVariant takes
        existing ones only), and map them. ``bc_variants``: the product's variants as BigCommerce has
        them. Exactly once: a variant BigCommerce already has by SKU is mapped, not created. One
        BigCommerce refuses is logged and does not stop the others. Returns (the SKUs mapped, the
        BigCommerce variants created)."""
        bound = set(listing.variant_ids.product_id.ids)
        if not product.has_options or not set(variant.key for variant in product.variants) - bound:
            return [], []
        if self._is_simple(bc_variants):
            # Exported without attributes: its one variant is the product itself, and BigCommerce documents
            # no way to turn it into a product with variants (logged by the caller).
            return [], []
        to_link, to_create = new_variants(product, {"variants": bc_variants}, bound)
        options = list(client.iter_product_options(listing.bc_product_id)) if to_create else []
        created = []
        for variant, body in to_create:
            try:
                refs = option_value_refs(options, body["option_values"])
                if refs is None:
                    options = self._add_option_values(client, listing.bc_product_id, options, body["option_values"])
                    refs = option_value_refs(options, body["option_values"])
                # Without the ids (should the values still not be listed), BigCommerce matches by name and label.
                body = dict(body, option_values=refs or body["option_values"])
                created.append(client.create_variant(listing.bc_product_id, body))
                to_link.append((variant, created[-1]))
            except ValidationError as error:
                self._log(_("%(listing)s: the variant %(sku)s was not created in BigCommerce: %(error)s",
                            listing=listing.name, sku=variant.sku, error=translate(self.env, error.user_message)),
                          level="error", record=listing)
        self._bind_variants(listing, to_link)
        return [variant.sku for variant, _bc_variant in to_link], created

    @staticmethod
    def _add_option_values(client, bc_product_id, options, option_values):
        """Create the options and option values ``option_values`` needs; returns the product's options."""
        new_options, new_values = missing_option_values(options, option_values)
        for name, labels in new_options.items():
            client.create_product_option(bc_product_id, name, labels)
        for option_id, label in new_values:
            option = next(option for option in options if option["id"] == option_id)
            client.create_option_value(bc_product_id, option_id, label, len(option.get("option_values") or ()))
        return list(client.iter_product_options(bc_product_id))

    def _send_in_batches(self, send, listings, bodies):
        """``send(bodies of all listings)``; when BigCommerce refuses, each listing again on its own,
        so that one refused product neither blocks nor hides the others. Returns {refused listing: why}."""
        payload = [body for listing in listings for body in bodies(listing)]
        if not payload:
            return {}
        try:
            send(payload)
            return {}
        except ValidationError as error:
            if len(listings) == 1:
                return {listings: self._refusal(listings, error)}
        refused = {}
        for listing in listings:
            try:
                if bodies(listing):
                    send(bodies(listing))
            except ValidationError as error:
                refused[listing] = self._refusal(listing, error)
        return refused

    def _refusal(self, listing, error):
        return _("%(listing)s (BigCommerce product #%(id)s) was not updated: %(error)s", listing=listing.name,
                 id=listing.bc_product_id, error=translate(self.env, error.user_message))

    # ------------------------------------------------------------------ Manage Sales Channels

    def _publish_listings(self, listings, channels, publish):
        """Publish (add ``channels``, keep the others) or unpublish (remove only ``channels``) the
        listings in BigCommerce, then record it on them once BigCommerce confirmed."""
        self.ensure_one()
        product_ids = listings.mapped("bc_product_id")
        with self._bigcommerce_client() as client:
            if publish:
                client.assign_channels(channel_assignments(product_ids, channels.mapped("bc_id")))
            else:
                client.unassign_channels(product_ids, channels.mapped("bc_id"))
        # What BigCommerce now lists, recorded for whoever may ask for it (listings are otherwise
        # written by the queue only).
        for listing in listings.sudo():
            listing.channel_ids = listing.channel_ids | channels if publish else listing.channel_ids - channels
            # Published now, or unpublished: either way no longer for Export Listings to list.
            listing.pending_channel_ids -= channels
        listings.sudo().last_sync = fields.Datetime.now()
        names = ", ".join(channels.mapped("name"))
        if publish:
            message = _("%(count)s listing(s) published on %(channels)s; their other channels are kept.",
                        count=len(listings), channels=names)
        else:
            message = _("%(count)s listing(s) unpublished from %(channels)s; their other channels are kept.",
                        count=len(listings), channels=names)
        self._log(message, operation=MANAGE_CHANNELS)
        return message
