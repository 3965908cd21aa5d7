from datetime import timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from ..bigcommerce.orders import parse_order_ids
from ..const import EXPORT_PRICES, EXPORT_STOCK, IMPORT_REFERENCE, IMPORT_STOCK, REFERENCE_KINDS

# The wizard's own choices: one per kind of store data, then orders and the store's jobs.
REFERENCE_OPERATIONS = {f"bigcommerce_import_{kind}": kind for kind in REFERENCE_KINDS}
IMPORT_ORDERS = "bigcommerce_import_orders"
EXPORT_STOCK_FULL = "bigcommerce_export_stock_full"  # queues EXPORT_STOCK lines that send every quantity
IMPORT_CUSTOMERS = "bigcommerce_import_customers"
IMPORT_PRODUCTS = "bigcommerce_import_products"
EXPORT_LISTINGS = "bigcommerce_export_listings"  # queues one EXPORT_LISTING line per product
# Operations that queue the store's own job: operation -> what the store queues.
STORE_OPERATIONS = {
    IMPORT_STOCK: lambda instance: instance._queue_stock_import(),
    EXPORT_STOCK: lambda instance: instance._queue_stock_export(),
    EXPORT_STOCK_FULL: lambda instance: instance._queue_stock_export(full=True),
    EXPORT_PRICES: lambda instance: instance._queue_price_export(),
}
# Stock operations: operation -> the bc.location flag that picks the locations they work on.
LOCATION_FLAGS = {IMPORT_STOCK: "import_stock", EXPORT_STOCK: "export_stock", EXPORT_STOCK_FULL: "export_stock"}


class MarketplaceOperationWizard(models.TransientModel):
    _inherit = "marketplace.operation.wizard"

    operation = fields.Selection(selection_add=[
        ("bigcommerce_import_order_statuses", "Import Order Statuses"),
        ("bigcommerce_import_channels", "Import Sales Channels"),
        ("bigcommerce_import_locations", "Import Locations"),
        ("bigcommerce_import_tax_classes", "Import Tax Classes"),
        ("bigcommerce_import_categories", "Import Categories"),
        ("bigcommerce_import_brands", "Import Brands"),
        ("bigcommerce_import_currencies", "Import Currencies"),
        ("bigcommerce_import_orders", "Import Orders"),
        ("bigcommerce_import_customers", "Import Customers"),
        ("bigcommerce_import_products", "Import Products"),
        ("bigcommerce_import_stock", "Import Stock"),
        ("bigcommerce_export_stock", "Export Stock"),
        ("bigcommerce_export_stock_full", "Export Stock (full)"),
        ("bigcommerce_export_prices", "Export Prices"),
        ("bigcommerce_export_listings", "Export Listings"),
    ], ondelete={key: "cascade" for key in (*REFERENCE_OPERATIONS, *STORE_OPERATIONS, IMPORT_ORDERS, IMPORT_CUSTOMERS,
                                            IMPORT_PRODUCTS, EXPORT_LISTINGS)})
    bigcommerce_date_from = fields.Datetime(string="Orders Created From")
    bigcommerce_date_to = fields.Datetime(string="Orders Created Until")
    bigcommerce_order_ids = fields.Char(string="Order Numbers",
                                        help="One BigCommerce order number, or several separated by commas: "
                                             "these orders are imported whatever their status.")
    bigcommerce_invalid_order_ids = fields.Char(compute="_compute_bigcommerce_invalid_order_ids")
    bigcommerce_customers_since = fields.Datetime(string="Customers Modified Since",
                                                  help="Leave empty to import every customer of the store.")

    bigcommerce_product_ids = fields.Char(string="Product IDs",
                                          help="One BigCommerce product ID, or several separated by commas. Leave "
                                               "empty to import every product (or those modified since the date).")
    bigcommerce_invalid_product_ids = fields.Char(compute="_compute_bigcommerce_invalid_product_ids")
    bigcommerce_products_since = fields.Datetime(string="Products Modified Since",
                                                 help="Leave empty to import every product of the store.")
    bigcommerce_update_existing = fields.Boolean(
        string="Update Existing Listing?",
        help="Products already in Odoo (imported before, or linked by SKU) take BigCommerce's name, price, "
             "attributes, SKUs, weights and images. Off: they are left as they are and only linked.")

    @api.depends("bigcommerce_product_ids")
    def _compute_bigcommerce_invalid_product_ids(self):
        for wizard in self:
            wizard.bigcommerce_invalid_product_ids = ", ".join(parse_order_ids(wizard.bigcommerce_product_ids)[1])
    bigcommerce_product_tmpl_ids = fields.Many2many(
        "product.template", string="Products", domain="[('sale_ok', '=', True)]",
        help="Each becomes a BigCommerce product, its variants becoming options and variants.")
    bigcommerce_channel_ids = fields.Many2many(
        "bc.channel", string="Sales Channels", domain="[('instance_id.marketplace_instance_id', 'in', instance_ids)]",
        help="The channels of each store the products are listed on, in the same run.")
    bigcommerce_brand_id = fields.Many2one("bc.brand", string="Brand",
                                           domain="[('instance_id.marketplace_instance_id', 'in', instance_ids)]")
    bigcommerce_category_ids = fields.Many2many(
        "bc.category", string="Categories", domain="[('instance_id.marketplace_instance_id', 'in', instance_ids)]",
        help="Stores using BigCommerce's V2 product experience need at least one.")

    @api.depends("bigcommerce_order_ids")
    def _compute_bigcommerce_invalid_order_ids(self):
        for wizard in self:
            wizard.bigcommerce_invalid_order_ids = ", ".join(parse_order_ids(wizard.bigcommerce_order_ids)[1])

    def _run_operation(self, instance):
        if self.operation in REFERENCE_OPERATIONS:
            return self._queue_reference_import(instance, REFERENCE_OPERATIONS[self.operation])
        bc_instance = instance._connector_record()
        if self.operation == IMPORT_ORDERS:
            return self._queue_order_import(bc_instance)
        if self.operation == IMPORT_CUSTOMERS:
            return self._queue_customer_import(bc_instance)
        if self.operation == IMPORT_PRODUCTS:
            return self._queue_product_import(bc_instance)
        if self.operation == EXPORT_LISTINGS:
            if not self.bigcommerce_product_tmpl_ids:
                raise UserError(_("Choose the products to export."))
            return bc_instance._queue_listing_export(
                self.bigcommerce_product_tmpl_ids, self.bigcommerce_channel_ids,
                brand=self.bigcommerce_brand_id.filtered(lambda brand: brand.instance_id == bc_instance),
                categories=self.bigcommerce_category_ids.filtered(lambda category: category.instance_id == bc_instance))
        if self.operation in STORE_OPERATIONS:
            return STORE_OPERATIONS[self.operation](bc_instance)
        return super()._run_operation(instance)

    def _queue_reference_import(self, instance, kind):
        job, _lines = self.env["marketplace.queue.line"]._enqueue(
            instance, IMPORT_REFERENCE,
            [{"external_id": kind, "name": str(REFERENCE_KINDS[kind].label), "payload": {"kind": kind}}],
            job_name=_("Import %(kind)s from %(store)s", kind=str(REFERENCE_KINDS[kind].label), store=instance.name),
        )
        return job

    @staticmethod
    def _typed_ids(typed, no_id_message):
        """The ids typed in ``typed`` (e.g. "101, 102"); when there is none, a UserError saying
        ``no_id_message(the tokens typed)``."""
        ids, invalid = parse_order_ids(typed)
        if not ids:
            raise UserError(no_id_message(", ".join(invalid)))
        return ids

    def _queue_order_import(self, bc_instance):
        """Queue the orders typed by number (fetched when processed), else those created in
        the date range that are in a status the store imports."""
        if self.bigcommerce_order_ids:
            order_ids = self._typed_ids(self.bigcommerce_order_ids, lambda tokens: self.env._(
                "“%(tokens)s” contains no BigCommerce order number. Type numbers such as 101, 102.", tokens=tokens))
            return bc_instance._bigcommerce_enqueue_order_ids(
                order_ids, _("Import orders %(ids)s from %(store)s", ids=", ".join(map(str, order_ids)),
                             store=bc_instance.name), requested=True)
        if not self.bigcommerce_date_from:
            raise UserError(_("Enter the order numbers to import, or the date from which to import orders."))
        if self.bigcommerce_date_to and self.bigcommerce_date_to < self.bigcommerce_date_from:
            raise UserError(_("The end of the date range is before its start."))
        filters = {"min_date_created": self.bigcommerce_date_from.replace(tzinfo=timezone.utc).isoformat()}
        if self.bigcommerce_date_to:
            filters["max_date_created"] = self.bigcommerce_date_to.replace(tzinfo=timezone.utc).isoformat()
            period = _("from %(start)s to %(end)s", start=format_datetime(self.env, self.bigcommerce_date_from),
                       end=format_datetime(self.env, self.bigcommerce_date_to))
        else:
            period = _("since %(start)s", start=format_datetime(self.env, self.bigcommerce_date_from))
        # Listing waits on BigCommerce, and a long range takes many pages: queue lines do it, a page
        # each, so the button answers at once; each page then queues its orders to import.
        return self.env["marketplace.queue.line"]._bigcommerce_queue_order_listing(
            bc_instance, filters, _("Import orders created %(period)s from %(store)s", period=period,
                                    store=bc_instance.name))

    def _queue_customer_import(self, bc_instance):
        """Queue the listing of the store's customers (modified since the date, if one is given),
        a page a line: each page then queues its customers to import."""
        filters = {}
        if self.bigcommerce_customers_since:
            filters["date_modified:min"] = self.bigcommerce_customers_since.replace(tzinfo=timezone.utc).isoformat()
            job_name = _("Import customers modified since %(start)s from %(store)s", store=bc_instance.name,
                         start=format_datetime(self.env, self.bigcommerce_customers_since))
        else:
            job_name = _("Import all customers from %(store)s", store=bc_instance.name)
        return self.env["marketplace.queue.line"]._bigcommerce_queue_customer_listing(bc_instance, filters, job_name)

    def _queue_product_import(self, bc_instance):
        """Queue the products typed by id (fetched when processed), else the listing of the
        store's products (modified since the date, if one is given), a page a line."""
        if self.bigcommerce_product_ids:
            product_ids = self._typed_ids(self.bigcommerce_product_ids, lambda tokens: self.env._(
                "“%(tokens)s” contains no BigCommerce product ID. Type IDs such as 77, 112.", tokens=tokens))
            return bc_instance._bigcommerce_enqueue_product_ids(
                product_ids, _("Import products %(ids)s from %(store)s", ids=", ".join(map(str, product_ids)),
                               store=bc_instance.name), update_existing=self.bigcommerce_update_existing)
        return bc_instance._bigcommerce_queue_product_import(self.bigcommerce_products_since,
                                                             self.bigcommerce_update_existing)

    def _nothing_queued_reason(self):
        if self.operation == IMPORT_ORDERS:
            return _("Nothing new to queue: these orders are already queued.") if self.bigcommerce_order_ids \
                else _("Nothing new to queue: the orders of this period are already being listed.")
        if self.operation == IMPORT_CUSTOMERS:
            return _("Nothing new to queue: these customers are already being listed.")
        if self.operation == IMPORT_PRODUCTS:
            return _("Nothing new to queue: these products are already queued.") if self.bigcommerce_product_ids \
                else _("Nothing new to queue: these products are already being listed.")
        if self.operation == EXPORT_LISTINGS:
            return _("Nothing new to queue: these products are already listed in the store (use Update Listing "
                     "from BigCommerce › Listings) or waiting to be exported.")
        if self.operation in LOCATION_FLAGS:
            bc_instances = self.env["bc.instance"].search([("marketplace_instance_id", "in", self.instance_ids.ids)])
            return bc_instances._location_jobs_reason(LOCATION_FLAGS[self.operation])
        return super()._nothing_queued_reason()

    def _notify_jobs(self, jobs):
        notification = super()._notify_jobs(jobs)
        if self.operation == IMPORT_ORDERS and self.bigcommerce_invalid_order_ids:
            params = notification["params"]
            params["message"] += " " + _("Not order numbers, ignored: %(tokens)s.",
                                         tokens=self.bigcommerce_invalid_order_ids)
            params["type"] = "warning"
        if self.operation == IMPORT_PRODUCTS and self.bigcommerce_product_ids and self.bigcommerce_invalid_product_ids:
            params = notification["params"]
            params["message"] += " " + _("Not product IDs, ignored: %(tokens)s.",
                                         tokens=self.bigcommerce_invalid_product_ids)
            params["type"] = "warning"
        return notification
