from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_repr

from ..bigcommerce.catalog_sync import price_updates, stock_adjustments
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
        jobs = self.env["marketplace.queue.job"]
        for instance in self:
            jobs |= instance._queue_stock_export()
        return jobs._notify_queued(self._location_jobs_reason("export_stock"))

    def _queue_stock_export(self):
        return self._queue_location_jobs(EXPORT_STOCK, "export_stock",
                                         _("Export stock to %(store)s", store=self.name))

    def _queue_stock_import(self):
        return self._queue_location_jobs(IMPORT_STOCK, "import_stock",
                                         _("Import stock from %(store)s", store=self.name))

    def _queue_location_jobs(self, operation, enabled_field, job_name):
        """One line per location whose ``enabled_field`` flag is set."""
        self.ensure_one()
        job, _lines = self.env["marketplace.queue.line"]._enqueue(
            self.marketplace_instance_id, operation,
            [{"external_id": location.bc_id, "name": location.name, "payload": {"location_id": location.id}}
             for location in self.location_ids.filtered(enabled_field)],
            job_name=job_name,
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
        products = self.env["product.product"].search([
            ("default_code", "in", list(skus)), ("company_id", "in", [False, self.company_id.id])])
        return {product.default_code: product for product in products}

    def _location_warehouse(self, location):
        warehouse = location.warehouse_id or self.warehouse_id
        if not warehouse:
            raise UserError(_("Choose the Odoo warehouse of the BigCommerce location %(location)s "
                              "(store %(store)s, Stock tab), then retry.", location=location.name, store=self.name))
        return warehouse

    def _export_stock(self, location):
        """Send this location's changed stock levels; returns (adjusted, known)."""
        warehouse = self._location_warehouse(location)
        with self._bigcommerce_client() as client:
            items = list(client.iter_location_inventory(location.bc_id))
            products = self._products_by_sku((item.get("identity") or {}).get("sku") for item in items)
            available = {sku: product.with_context(warehouse_id=warehouse.id).free_qty for sku, product in products.items()}
            adjustments = stock_adjustments(items, available, location.bc_id, self.export_qty_type, self.export_qty_value)
            if adjustments:
                client.set_inventory_absolute(adjustments, reason=_("Stock of Odoo warehouse %s", warehouse.name))
        return len(adjustments), len(products)

    def _import_stock(self, location):
        """Set the warehouse's on-hand quantity of each product BigCommerce tracks at ``location``
        (matched by SKU) to BigCommerce's, through inventory adjustments; returns (adjusted, known)."""
        warehouse = self._location_warehouse(location)
        with self._bigcommerce_client() as client:
            items = list(client.iter_location_inventory(location.bc_id))
        products = self._products_by_sku((item.get("identity") or {}).get("sku") for item in items)
        stock_location = warehouse.lot_stock_id
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
        if not self.pricelist_id:
            raise UserError(_("Choose the pricelist of the store %(store)s (General tab) to export prices.", store=self.name))
        with self._bigcommerce_client() as client:
            store = client.store_information()
            if self.pricelist_id.currency_id.name != store.get("currency"):
                raise UserError(_("The pricelist %(pricelist)s is in %(currency)s but the store sells in %(store_currency)s: "
                                  "choose a pricelist in %(store_currency)s.", pricelist=self.pricelist_id.name,
                                  currency=self.pricelist_id.currency_id.name, store_currency=store.get("currency")))
            variants = list(client.iter_variants())
            products = self._products_by_sku(variant.get("sku") for variant in variants)
            prices = {sku: self._store_price(product, store.get("is_price_entered_with_tax")) for sku, product in products.items()}
            updates = price_updates(variants, prices, decimals=self.pricelist_id.currency_id.decimal_places)
            if updates:
                client.update_variants(updates)
        return len(updates), len(products)

    def _store_price(self, product, price_includes_tax):
        price = self.pricelist_id._get_product_price(product, 1.0)
        if price_includes_tax:
            taxes = product.taxes_id.filtered(lambda tax: tax.company_id == self.company_id)
            price = taxes.compute_all(price, currency=self.pricelist_id.currency_id, product=product)["total_included"]
        # Rounded by Odoo's currency rules, then handed over as an exact decimal string.
        currency = self.pricelist_id.currency_id
        return float_repr(currency.round(price), currency.decimal_places)
