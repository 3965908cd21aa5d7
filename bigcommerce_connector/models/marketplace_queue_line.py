import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_marketplace.queue_core import requires_keys

from ..bigcommerce.client import MAX_PAGE_SIZE
from ..bigcommerce.customers import needs_address_fetch, parse_customer
from ..bigcommerce.errors import NotFoundError
from ..const import EXPORT_STOCK, IMPORT_CUSTOMER, IMPORT_ORDER, IMPORT_PRODUCT, LIST_CUSTOMERS, LIST_ORDERS, LIST_PRODUCTS

_logger = logging.getLogger(__name__)


class MarketplaceQueueLine(models.Model):
    _inherit = "marketplace.queue.line"

    bigcommerce_can_run_workflow = fields.Boolean(
        compute="_compute_bigcommerce_can_run_workflow",
        help="The order this line imported waits for its financial workflow.")

    def _compute_bigcommerce_can_run_workflow(self):
        for line in self:
            order = line._bigcommerce_imported_order()
            line.bigcommerce_can_run_workflow = bool(order) and order.bigcommerce_can_run_workflow

    def _bigcommerce_imported_order(self):
        self.ensure_one()
        if self.operation != IMPORT_ORDER or self.state != "done" or self.res_model != "sale.order":
            return self.env["sale.order"]
        return self.env["sale.order"].browse(self.res_id).exists()

    def action_bigcommerce_run_workflow(self):
        orders = self.env["sale.order"]
        for line in self:
            orders |= line._bigcommerce_imported_order()
        return orders.action_bigcommerce_run_workflow()

    def _bigcommerce_instance(self):
        return self.instance_id._connector_record()

    @requires_keys("kind")
    def _process_bigcommerce_import_reference(self, payload):
        self._bigcommerce_instance()._import_reference(payload["kind"])

    def _bigcommerce_record(self, model, record_id, what):
        """The record a line works on, or a failure saying it is gone."""
        record = self.env[model].browse(record_id).exists()
        if not record:
            raise UserError(_("This %(what)s no longer exists in Odoo; cancel the line.", what=what))
        return record

    @requires_keys("location_id")
    def _process_bigcommerce_export_stock(self, payload):
        location = self._bigcommerce_record("bc.location", payload["location_id"], _("BigCommerce location"))
        full = bool(payload.get("full")) or location._stock_full_export_due()
        adjusted, known = self._bigcommerce_instance()._export_stock(location, full=full)
        if full:
            message = _("Stock of %(location)s (full export): %(adjusted)s of %(known)s products updated in BigCommerce.",
                        location=location.name, adjusted=adjusted, known=known)
        else:
            message = _("Stock of %(location)s: %(adjusted)s of %(known)s products changed since the last export, "
                        "sent to BigCommerce.", location=location.name, adjusted=adjusted, known=known)
        self._log(message)
        return location

    def _process_bigcommerce_export_prices(self, payload):
        updated, known = self._bigcommerce_instance()._export_prices()
        self._log(_("Prices: %(updated)s of %(known)s variants updated in BigCommerce.", updated=updated, known=known))

    @api.model
    def _bigcommerce_queue_order_listing(self, instance, filters, job_name, page=1, job=None):
        """Queue one page of an import by date range (``filters`` of O2#getOrders): each page is
        a line of its own, which queues its orders, then the next page, so that memory holds
        one page and a failure or a crash resumes at the page it stopped at."""
        key = ",".join(f"{name}={value}" for name, value in sorted(filters.items()))
        job, _lines = self._enqueue(instance.marketplace_instance_id, LIST_ORDERS, [{
            "external_id": f"{key} page {page}", "name": self.env._("Orders page %(page)s", page=page),
            "payload": {"filters": filters, "page": page, "job_name": job_name},
        }], job_name=job_name, job=job)
        return job

    @requires_keys("filters", "page", "job_name")
    def _process_bigcommerce_list_orders(self, payload):
        instance = self._bigcommerce_instance()
        with instance._bigcommerce_client() as client:
            orders = next(client.iter_order_pages(first_page=payload["page"], **payload["filters"]), [])
        job = instance._bigcommerce_enqueue_orders(orders, payload["job_name"], reuse_job=True)
        if len(orders) == MAX_PAGE_SIZE:
            self._bigcommerce_queue_order_listing(instance, payload["filters"], payload["job_name"],
                                                  page=payload["page"] + 1, job=self.job_id)
        listed = {str(order["id"]) for order in orders}
        queued = len(job.line_ids.filtered(lambda line: line.external_id in listed))
        self._log(_("Page %(page)s: %(listed)s orders created in this period, %(queued)s queued to import (the "
                    "others are in no status this store imports, or already queued).",
                    page=payload["page"], listed=len(orders), queued=queued), record=job or None)
        return job

    @api.model
    def _bigcommerce_queue_customer_listing(self, instance, filters, job_name, page=1, after=None, job=None):
        """Queue one page of a customer import (``filters`` of CU3#getCustomers), as orders are
        listed: the line queues its customers, then the next page, whose cursor it carries."""
        key = ",".join(f"{name}={value}" for name, value in sorted(filters.items()))
        job, _lines = self._enqueue(instance.marketplace_instance_id, LIST_CUSTOMERS, [{
            "external_id": f"{key} page {page}", "name": self.env._("Customers page %(page)s", page=page),
            "payload": {"filters": filters, "page": page, "after": after, "job_name": job_name},
        }], job_name=job_name, job=job)
        return job

    @requires_keys("filters", "page", "job_name")
    def _process_bigcommerce_list_customers(self, payload):
        instance = self._bigcommerce_instance()
        with instance._bigcommerce_client() as client:
            customers, after = next(client.iter_customer_pages(after=payload.get("after"), **payload["filters"]),
                                    ([], None))
        job = instance._bigcommerce_enqueue_customers(customers, payload["job_name"], reuse_job=True)
        if after:
            self._bigcommerce_queue_customer_listing(instance, payload["filters"], payload["job_name"],
                                                     page=payload["page"] + 1, after=after, job=self.job_id)
        listed = {str(customer["id"]) for customer in customers}
        queued = len(job.line_ids.filtered(lambda line: line.external_id in listed))
        self._log(_("Page %(page)s: %(listed)s customers listed, %(queued)s queued to import (the others are "
                    "already queued).", page=payload["page"], listed=len(customers), queued=queued),
                  record=job or None)
        return job

    @requires_keys("customer_id")
    def _process_bigcommerce_import_customer(self, payload):
        instance = self._bigcommerce_instance()
        with instance._bigcommerce_client() as client:
            data = payload.get("customer") or client.get_customer(payload["customer_id"])
            if not data:
                self._log(_("Customer #%(id)s no longer exists in BigCommerce: nothing to import.",
                            id=payload["customer_id"]), level="warning")
                return None
            addresses = list(client.iter_customer_addresses(data["id"])) if needs_address_fetch(data) else None
            customer = parse_customer(data, addresses)

            def group_name(group_id):
                return self._run_cached(("bigcommerce_customer_group", instance.id, group_id),
                                        lambda: self._bigcommerce_group_name(client, group_id))

            partner, summary = self.env["res.partner"]._bigcommerce_import_customer(instance, customer, group_name)
        self._log(_("Customer #%(id)s: %(summary)s", id=customer.id, summary=summary), record=partner)
        return partner

    @staticmethod
    def _bigcommerce_group_name(client, group_id):
        try:
            return (client.get_customer_group(group_id) or {}).get("name") or False
        except NotFoundError:  # deleted since: the customer keeps the group's id
            return False

    @api.model
    def _bigcommerce_queue_product_listing(self, instance, filters, job_name, update_existing, page=1, job=None):
        """Queue one page of a product import (``filters`` of PR#getProducts), as orders are
        listed: the line queues its products (250 a page, with their variants and images), then
        the next page."""
        key = ",".join(f"{name}={value}" for name, value in sorted(filters.items()))
        job, _lines = self._enqueue(instance.marketplace_instance_id, LIST_PRODUCTS, [{
            "external_id": f"{key} update={bool(update_existing)} page {page}",
            "name": self.env._("Products page %(page)s", page=page),
            "payload": {"filters": filters, "page": page, "job_name": job_name, "update_existing": update_existing},
        }], job_name=job_name, job=job)
        return job

    @requires_keys("filters", "page", "job_name")
    def _process_bigcommerce_list_products(self, payload):
        instance = self._bigcommerce_instance()
        update_existing = payload.get("update_existing", True)
        with instance._bigcommerce_client() as client:
            products, next_page = next(client.iter_product_pages(first_page=payload["page"], **payload["filters"]),
                                       ([], None))
        job = instance._bigcommerce_enqueue_products(products, payload["job_name"], update_existing, reuse_job=True)
        if next_page:
            self._bigcommerce_queue_product_listing(instance, payload["filters"], payload["job_name"], update_existing,
                                                    page=next_page, job=self.job_id)
        listed = {str(product["id"]) for product in products}
        queued = len(job.line_ids.filtered(lambda line: line.external_id in listed))
        self._log(_("Page %(page)s: %(listed)s products listed, %(queued)s queued to import (the others are "
                    "already queued).", page=payload["page"], listed=len(products), queued=queued), record=job or None)
        return job

    @requires_keys("product_id")
    def _process_bigcommerce_import_product(self, payload):
        instance = self._bigcommerce_instance()
        with instance._bigcommerce_client() as client:
            data = payload.get("product") or client.get_product(payload["product_id"])
            if not data:
                listing = self.env["bc.listing"].search([("instance_id", "=", instance.id),
                                                         ("bc_product_id", "=", int(payload["product_id"]))])
                self._log(_("Product #%(id)s no longer exists in BigCommerce: nothing to import.",
                            id=payload["product_id"]) + (" " + _(
                                "Its listing %(listing)s stays in Odoo; delete it, or archive the product, if it "
                                "is no longer sold.", listing=listing.name) if listing else ""),
                          level="warning", record=listing or None)
                return listing
            return self.env["bc.listing"]._bigcommerce_import(instance, data, payload.get("update_existing", True),
                                                               client)

    def _process_bigcommerce_import_order(self, payload):
        return self.env["sale.order"]._bigcommerce_import(self._bigcommerce_instance(), payload)

    def _prepare_retry(self):
        # The stored listing may predate the fix (a product created, a workflow configured,
        # the order edited): a retry fetches the order again.
        result = super()._prepare_retry()
        self.filtered(lambda line: line.operation == IMPORT_ORDER)._bigcommerce_refetch_payload()
        for line in self.filtered(lambda line: line.operation == IMPORT_CUSTOMER):
            line._as_queue().payload = json.dumps({"customer_id": int(line.external_id)})
        for line in self.filtered(lambda line: line.operation == IMPORT_PRODUCT):
            previous = line._bigcommerce_payload()
            line._as_queue().payload = json.dumps({"product_id": int(line.external_id),
                                                   "update_existing": previous.get("update_existing", True)})
        return result

    def _bigcommerce_refetch_payload(self):
        """Make these order lines fetch their order when processed, instead of using the stored JSON."""
        for line in self:
            line._as_queue().payload = json.dumps(line._refreshed_payload({"order_id": int(line.external_id)}))

    def _bigcommerce_payload(self):
        """The line's payload as a dict, {} when it is not one."""
        try:
            payload = json.loads(self.payload or "{}")
        except ValueError:
            return {}
        return payload if isinstance(payload, dict) else {}

    def _refreshed_payload(self, payload):
        if self.operation not in (IMPORT_ORDER, EXPORT_STOCK):
            return super()._refreshed_payload(payload)
        previous = self._bigcommerce_payload()
        if self.operation == EXPORT_STOCK:
            # A full stock export asked for while the location's export waits keeps it full.
            return dict(payload, full=bool(payload.get("full") or previous.get("full")))
        # A line the user asked for by number stays requested: imported whatever its status.
        requested = bool(payload.get("requested") or previous.get("requested"))
        return {"order_id": payload["order_id"], "requested": requested}

    @requires_keys("picking_id")
    def _process_bigcommerce_export_shipment(self, payload):
        picking = self._bigcommerce_record("stock.picking", payload["picking_id"], _("delivery"))
        if not picking._bigcommerce_deliveries():
            self._log(_("%(delivery)s is not a done delivery BigCommerce hears of (it is a return, not done, or was "
                        "shipped in BigCommerce): nothing sent.", delivery=picking.name), record=picking)
            return picking
        picking._bigcommerce_export_shipment()
        self._log(_("%(delivery)s: BigCommerce shipment(s) %(shipments)s.", delivery=picking.name,
                    shipments=picking.bigcommerce_shipment_ids or _("none (nothing delivered on BigCommerce lines)")),
                  record=picking)
        return picking

    @requires_keys("template_id", "channel_ids")
    def _process_bigcommerce_export_listing(self, payload):
        template = self._bigcommerce_record("product.template", payload["template_id"], _("product"))
        return self._bigcommerce_instance()._export_listing(
            template, self.env["bc.channel"].browse(payload["channel_ids"]).exists(),
            brand=self.env["bc.brand"].browse(payload.get("brand_id") or []).exists(),
            categories=self.env["bc.category"].browse(payload.get("category_ids") or []).exists())

    @requires_keys("listing_ids")
    def _process_bigcommerce_update_listing(self, payload):
        listings = self.env["bc.listing"].browse(payload["listing_ids"]).exists()
        updated, refused = self._bigcommerce_instance()._update_listings(listings)
        if refused and not updated:  # nothing done: the line fails with BigCommerce's reasons, for Retry
            raise UserError(" ".join(refused.values()))
        self._log(_("Update Listing: %(updated)s listing(s) updated in BigCommerce, %(refused)s refused (see the "
                    "error lines).", updated=len(updated), refused=len(refused)),
                  level="warning" if refused else "info")
        return updated if len(updated) == 1 else None

    @requires_keys("location_id")
    def _process_bigcommerce_import_stock(self, payload):
        location = self._bigcommerce_record("bc.location", payload["location_id"], _("BigCommerce location"))
        adjusted, known = self._bigcommerce_instance()._import_stock(location)
        self._log(_("Stock from %(location)s: %(adjusted)s of %(known)s products adjusted in Odoo.",
                    location=location.name, adjusted=adjusted, known=known))
        return location

    @requires_keys("sale_order_id")
    def _process_bigcommerce_mark_paid(self, payload):
        sale_order = self._bigcommerce_record("sale.order", payload["sale_order_id"], _("sale order"))
        sale_order._bigcommerce_lock_for_mark_paid()
        sale_order._bigcommerce_mark_paid()
        return sale_order

    @api.model
    def _after_run(self, lines):
        result = super()._after_run(lines)
        # Every store with listings waiting for their channels, whichever run left them: each in a
        # transaction of its own, where its listings are locked (see ``_begin_claim``).
        for instance in self.env["bc.listing"].sudo().search([("pending_channel_ids", "!=", False)]).instance_id:
            self._begin_claim()
            try:
                with self._undone_on_failure():
                    instance._send_pending_channels()
            except Exception:  # noqa: BLE001 - one store's failure must not keep the others' listings waiting
                _logger.exception("Channel assignments of %s failed; the next queue run tries again", instance.name)
            self._commit_if_allowed()
        return result

    @api.model
    def _enqueue_received(self):
        result = super()._enqueue_received()
        self.env["bc.webhook.event"]._queue_received()
        return result
