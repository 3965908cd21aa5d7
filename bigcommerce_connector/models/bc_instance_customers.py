"""How customers arrive: the Import Customers operation and the schedule list them a page at a
time, webhooks name them; each customer is a queue line of its own (processing it is
``res.partner._bigcommerce_import_customer``)."""
from datetime import timezone

from odoo import _, fields, models

from ..bigcommerce.customers import newest_modification
from ..bigcommerce.errors import BigCommerceError
from ..bigcommerce.orders import to_naive_utc
from ..const import IMPORT_CUSTOMER
from .bc_instance_order_arrival import POLL_OVERLAP
from .bc_translate import translate


class BigCommerceInstance(models.Model):
    _inherit = "bc.instance"

    last_customer_import_at = fields.Datetime(
        string="Customers Imported Until", readonly=True, copy=False,
        help="Customers modified after this moment are imported by the next scheduled run.")

    def _cron_import_customers(self):
        for instance in self._syncing_instances():
            instance._bigcommerce_poll_customers()

    def _bigcommerce_poll_customers(self):
        """Queue the customers modified since the watermark (all of them the first time), a page
        at a time: each page is queued, the watermark moved to the newest modification it holds,
        and both committed, so that a failure or a crash resumes after the last page committed."""
        self.ensure_one()
        filters = {}
        if self.last_customer_import_at:
            since = self.last_customer_import_at - POLL_OVERLAP
            filters["date_modified:min"] = since.replace(tzinfo=timezone.utc).isoformat()
        job = self.env["marketplace.queue.job"]
        with self._bigcommerce_client() as client:
            try:
                for customers, _after in client.iter_customer_pages(**filters):
                    job = self._bigcommerce_enqueue_customers(
                        customers, _("Import customers from %(store)s", store=self.name), job=job) or job
                    newest = to_naive_utc(newest_modification(customers))
                    if newest and (not self.last_customer_import_at or newest > self.last_customer_import_at):
                        self.last_customer_import_at = newest
                    self.env["marketplace.queue.line"]._commit_if_allowed()
            except BigCommerceError as error:
                self._log(_("Listing the customers modified in BigCommerce failed: %(error)s The next scheduled run "
                            "tries again.", error=translate(self.env, error.user_message)),
                          level="error", operation=IMPORT_CUSTOMER)
        return job

    def _bigcommerce_enqueue_customers(self, customers, job_name, job=None, reuse_job=False):
        """Queue the listed ``customers`` (CU3 JSON, addresses embedded), one line each."""
        self.ensure_one()
        items = [{"external_id": str(customer["id"]), "payload": {"customer_id": customer["id"], "customer": customer},
                  "name": self.env._("Customer #%(id)s %(email)s", id=customer["id"], email=customer.get("email") or "")}
                 for customer in customers]
        if not items:
            return self.env["marketplace.queue.job"]
        job, _lines = self.env["marketplace.queue.line"]._enqueue(
            self.marketplace_instance_id, IMPORT_CUSTOMER, items, job_name=job_name, job=job, reuse_job=reuse_job)
        return job

    def _bigcommerce_enqueue_customer_ids(self, customer_ids, job_name, reuse_job=False):
        """Queue customers by id; processing fetches each. A line still waiting with a listing's
        JSON fetches the customer instead: the newer news wins."""
        self.ensure_one()
        items = [{"external_id": str(customer_id), "name": self.env._("Customer #%(id)s", id=customer_id),
                  "payload": {"customer_id": customer_id}} for customer_id in customer_ids]
        job, lines = self.env["marketplace.queue.line"]._enqueue(
            self.marketplace_instance_id, IMPORT_CUSTOMER, items, job_name=job_name, reuse_job=reuse_job, refresh=True)
        return job or lines.job_id
