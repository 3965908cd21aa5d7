from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_repr

from ..bigcommerce.catalog_sync import changed_adjustments, export_quantity, price_updates, stock_adjustments
from ..const import EXPORT_PRICES, EXPORT_STOCK, IMPORT_STOCK


class BigCommerceInstance(models.Model):
    """Publishing Odoo's stock per location and prices to the store, matched by SKU."""

    _inherit = "bc.instance"

    export_qty_type = fields.Selection(help="Percentage: that share of the free quantity, rounded down. "
                                            "Fixed: at most that many units, never more than is free.")

    def _cron_export_stock(self):
        for instance in self._syncing_instances():
            instance._queue_stock_export()

    def _cron_export_prices(self):
        for instance in self._syncing_instances():
            instance._queue_price_export()

    def action_export_stock(self):
        return self._action_export_stock(full=False)

    def action_export_stock_full(self):
        return self._action_export_stock(full=True)

    def _action_export_stock(self, full):
        jobs = self.env["marketplace.queue.job"]
        for instance in self:
            jobs |= instance._queue_stock_export(full=full)
        return jobs._notify_queued(self._location_jobs_reason("export_stock"))

    def _queue_stock_export(self, full=False):
        """``full``: send every quantity (and read BigCommerce's); otherwise only those changed since
        the last export, unless the location is due a full one (``bc.location._stock_full_export_due``)."""
        return self._queue_location_jobs(EXPORT_STOCK, "export_stock",
                                         _("Export stock to %(store)s", store=self.name), {"full": full})

    def _queue_stock_import(self):
        return self._queue_location_jobs(IMPORT_STOCK, "import_stock",
                                         _("Import stock from %(store)s", store=self.name))

    def _queue_location_jobs(self, operation, enabled_field, job_name, payload=None):
        """One line per location whose ``enabled_field`` flag is set; a line still pending takes
        the new ``payload`` (see ``marketplace.queue.line._refreshed_payload``)."""
        self.ensure_one()
        job, _lines = self.env["marketplace.queue.line"]._enqueue(
            self.marketplace_instance_id, operation,
            [{"external_id": location.bc_id, "name": location.name, "payload": {"location_id": location.id, **(payload or {})}}
             for location in self.location_ids.filtered(enabled_field)],
            job_name=job_name, refresh=bool(payload),
        )
        return job

    def _location_jobs_reason(self, enabled_field):
        """Why a stock operation of these stores queued nothing."""
        idle = self.filtered(lambda instance: not instance.location_ids.filtered(enabled_field))
        if idle:
            return _("Nothing to queue: tick %(flag)s on a location of %(stores)s (Stock tab).",
                     flag=self.env["bc.location"]._fields[enabled_field]._description_string(self.env),
                     stores=", ".join(idle.mapped("name")))
        return _("Nothing new to queue: the stock of these locations is already queued.")

    def _queue_price_export(self):
        self.ensure_one()
        job, _lines = self.env["marketplace.queue.line"]._enqueue(
            self.marketplace_instance_id, EXPORT_PRICES,
            [{"external_id": "prices", "name": _("All variant prices"), "payload": {}}],
            job_name=_("Export prices to %(store)s", store=self.name),
        )
        return job

    @api.model
    def _products_by_sku(self, skus):
        products = self.env["product.product"].search_fetch([
            ("default_code", "in", [sku for sku in skus if sku]), ("company_id", "in", [False, self.company_id.id])],
            ["default_code", "product_tmpl_id"])
        return {product.default_code: product for product in products}

    def _odoo_stock_locations(self, location):
        stock_locations = location.stock_location_ids or self.warehouse_id.lot_stock_id
        if not stock_locations:
            raise UserError(_("Choose the Odoo locations of the BigCommerce location %(location)s "
                              "(store %(store)s, Stock tab), then retry.", location=location.name, store=self.name))
        return stock_locations

    def _free_quantities(self, stock_locations, products):
        """Free quantity (on hand minus reserved, as ``free_qty``) of each product in ``stock_locations``
        and their sublocations, summed: one grouped query for all the products."""
        groups = self.env["stock.quant"]._read_group(
            [("product_id", "in", products.ids), ("location_id", "child_of", stock_locations.ids)],
            ["product_id"], ["quantity:sum", "reserved_quantity:sum"])
        return {product.id: quantity - reserved for product, quantity, reserved in groups}

    def _export_quantities(self, stock_locations, products):
        """The quantity to publish of each product (by id): its free quantity through the product's
        Export Qty Type and value, or the store's when the product sets none. In bulk: the few
        products with a rule of their own are found by one query, not read one by one."""
        free = self._free_quantities(stock_locations, products)
        own_rules = self.env["product.template"].search_fetch(
            [("bc_export_qty_type", "!=", False)], ["bc_export_qty_type", "bc_export_qty_value", "product_variant_ids"])
        rules = {}
        for template in own_rules:
            rules.update(dict.fromkeys(template.product_variant_ids.ids, (template.bc_export_qty_type, template.bc_export_qty_value)))
        store_rule = (self.export_qty_type, self.export_qty_value)
        return {product_id: export_quantity(free.get(product_id, 0.0), *rules.get(product_id, store_rule))
                for product_id in products.ids}

    def _export_stock(self, location, full=False):
        """Send this location's stock levels; returns (adjusted, known).

        Full: read what BigCommerce tracks there and send every quantity that differs from it, which
        also fixes drift. Otherwise, reading nothing, send only the quantities that differ from what was
        last sent. Either way BigCommerce's own items are what is adjusted: a product tracked as a whole
        by its SKU, a product tracked by variant by each variant's SKU.
        """
        stock_locations = self._odoo_stock_locations(location)
        with self._bigcommerce_client() as client:
            if full:
                items = list(client.iter_location_inventory(location.bc_id))
                products = self._products_by_sku((item.get("identity") or {}).get("sku") for item in items)
            else:
                sent = location._exported_stock()
                products = self._products_by_sku(sent)
            quantities = self._export_quantities(
                stock_locations, self.env["product.product"].browse([product.id for product in products.values()]))
            targets = {sku: quantities[product.id] for sku, product in products.items()}
            if full:
                adjustments = stock_adjustments(items, targets, location.bc_id)
                self._log_untracked_products(location, {(item.get("identity") or {}).get("sku") for item in items})
            else:
                adjustments = changed_adjustments(sent, targets, location.bc_id)
            rejected = client.set_inventory_absolute(
                adjustments, reason=_("Stock of Odoo %(locations)s", locations=", ".join(stock_locations.mapped("complete_name")))
            ) if adjustments else []
        for item, message in rejected:
            self._log(_("The stock of %(sku)s at %(location)s was not updated: BigCommerce refused it (%(message)s). "
                        "It is sent again after the next full stock export if BigCommerce tracks it then.",
                        sku=item["sku"], location=location.name, message=message), level="error")
            targets.pop(item["sku"], None)
        location._record_exported_stock(targets, full)
        return len(adjustments) - len(rejected), len(products)

    def _log_untracked_products(self, location, tracked_skus):
        """Products mapped to this store that BigCommerce does not track at ``location`` are skipped: say which."""
        tracked = {sku.casefold() for sku in tracked_skus if sku}
        bindings = self.env["bc.product.binding"].search_fetch([("instance_id", "=", self.id)], ["sku"])
        untracked = sorted({binding.sku for binding in bindings if binding.sku and binding.sku.casefold() not in tracked})
        if untracked:
            self._log(_("Stock of %(location)s: not sent for the products BigCommerce does not track there (no "
                        "tracking, or a variant of a product tracked as a whole), %(count)s in all: %(skus)s. "
                        "Turn inventory tracking on for them in BigCommerce to publish their stock.",
                        location=location.name, count=len(untracked),
                        skus=", ".join(untracked[:20]) + (" …" if len(untracked) > 20 else "")), level="warning")

    def _import_stock(self, location):
        """Set the on-hand quantity in the first Odoo location linked to ``location`` of each product
        BigCommerce tracks there (matched by SKU) to BigCommerce's, through inventory adjustments;
        returns (adjusted, known)."""
        stock_location = self._odoo_stock_locations(location)[:1]
        with self._bigcommerce_client() as client:
            items = list(client.iter_location_inventory(location.bc_id))
        products = self._products_by_sku((item.get("identity") or {}).get("sku") for item in items)
        Quant = self.env["stock.quant"].with_context(inventory_mode=True)
        adjusted = 0
        for item in items:
            product = products.get((item.get("identity") or {}).get("sku"))
            if not product or not product.is_storable:
                continue
            quantity = item.get("total_inventory_onhand") or 0
            on_hand = product.with_context(location=stock_location.id).qty_available
            if float_compare(on_hand, quantity, precision_rounding=product.uom_id.rounding) == 0:
                continue
            Quant.create({"product_id": product.id, "location_id": stock_location.id,
                          "inventory_quantity": quantity}).action_apply_inventory()
            adjusted += 1
        return adjusted, len(products)

    def _export_prices(self):
        """Send variant prices from the store's pricelist where they differ; returns the number updated."""
        self._check_pricelist()
        with self._bigcommerce_client() as client:
            store = client.store_information()
            self._check_pricelist(store)
            variants = list(client.iter_variants())
            products = self._products_by_sku(variant.get("sku") for variant in variants)
            prices = {sku: self._store_price(product, store.get("is_price_entered_with_tax")) for sku, product in products.items()}
            updates = price_updates(variants, prices, decimals=self.pricelist_id.currency_id.decimal_places)
            if updates:
                client.update_variants(updates)
        return len(updates), len(products)

    def _check_pricelist(self, store=None):
        """Prices can be exported: the store has a pricelist, in the currency BigCommerce sells in
        (``store``: its store information, when read)."""
        if not self.pricelist_id:
            raise UserError(_("Choose the pricelist of the store %(store)s (General tab): the prices sent to BigCommerce "
                              "come from it.", store=self.name))
        if store is not None and self.pricelist_id.currency_id.name != store.get("currency"):
            raise UserError(_("The pricelist %(pricelist)s is in %(currency)s but the store sells in %(store_currency)s: "
                              "choose a pricelist in %(store_currency)s.", pricelist=self.pricelist_id.name,
                              currency=self.pricelist_id.currency_id.name, store_currency=store.get("currency")))

    def _store_price(self, product, price_includes_tax):
        price = self.pricelist_id._get_product_price(product, 1.0)
        if price_includes_tax:
            taxes = product.taxes_id.filtered(lambda tax: tax.company_id == self.company_id)
            price = taxes.compute_all(price, currency=self.pricelist_id.currency_id, product=product)["total_included"]
        # Rounded by Odoo's currency rules, then handed over as an exact decimal string.
        currency = self.pricelist_id.currency_id
        return float_repr(currency.round(price), currency.decimal_places)
