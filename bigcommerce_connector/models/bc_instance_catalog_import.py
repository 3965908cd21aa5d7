"""How BigCommerce products arrive: the Import Products operation and the schedule list them a
page at a time (a queue line a page), webhooks name them; each product is a queue line of its
own (processing it is ``bc.listing._bigcommerce_import``)."""
from datetime import timezone

from odoo import _, fields, models
from odoo.tools import format_datetime

from ..const import IMPORT_PRODUCT
from .bc_instance_order_arrival import POLL_OVERLAP


class BigCommerceInstance(models.Model):
    _inherit = "bc.instance"

    last_product_import_at = fields.Datetime(
        string="Products Imported Until", readonly=True, copy=False,
        help="Products modified after this moment are imported by the next scheduled run.")

    def _cron_import_products(self):
        for instance in self._syncing_instances():
            instance._bigcommerce_poll_products()

    def _bigcommerce_poll_products(self):
        """Queue the listing of the products modified since the last run (all of them the first
        time). The listing's pages are sorted by id, so the watermark cannot follow them as the
        customers' does: it moves to when this run began, and a page that fails stays in the
        queue, retried, until it is listed."""
        self.ensure_one()
        started = fields.Datetime.now()
        since = self.last_product_import_at and self.last_product_import_at - POLL_OVERLAP
        job = self._bigcommerce_queue_product_import(since, update_existing=True)
        self.last_product_import_at = started
        return job

    def _bigcommerce_queue_product_import(self, since, update_existing):
        """Queue the listing of the store's products (modified since ``since``, if given), a page
        a line: each page then queues its products to import."""
        self.ensure_one()
        filters = {}
        if since:
            filters["date_modified:min"] = since.replace(tzinfo=timezone.utc).isoformat()
            job_name = _("Import products modified since %(start)s from %(store)s", store=self.name,
                         start=format_datetime(self.env, since))
        else:
            job_name = _("Import all products from %(store)s", store=self.name)
        return self.env["marketplace.queue.line"]._bigcommerce_queue_product_listing(
            self, filters, job_name, update_existing)

    def _bigcommerce_enqueue_products(self, products, job_name, update_existing, job=None, reuse_job=False):
        """Queue the listed ``products`` (PR JSON with variants and images), one line each."""
        self.ensure_one()
        items = [{"external_id": str(product["id"]),
                  "payload": {"product_id": product["id"], "product": product, "update_existing": update_existing},
                  "name": self.env._("Product #%(id)s %(name)s", id=product["id"], name=product.get("name") or "")}
                 for product in products]
        if not items:
            return self.env["marketplace.queue.job"]
        job, _lines = self.env["marketplace.queue.line"]._enqueue(
            self.marketplace_instance_id, IMPORT_PRODUCT, items, job_name=job_name, job=job, reuse_job=reuse_job)
        return job

    def _bigcommerce_enqueue_product_ids(self, product_ids, job_name, update_existing=True, reuse_job=False):
        """Queue products by id; processing fetches each. A line still waiting with a listing's
        JSON fetches the product instead: the newer news wins."""
        self.ensure_one()
        items = [{"external_id": str(product_id), "name": self.env._("Product #%(id)s", id=product_id),
                  "payload": {"product_id": product_id, "update_existing": update_existing}}
                 for product_id in product_ids]
        job, lines = self.env["marketplace.queue.line"]._enqueue(
            self.marketplace_instance_id, IMPORT_PRODUCT, items, job_name=job_name, reuse_job=reuse_job, refresh=True)
        return job or lines.job_id
