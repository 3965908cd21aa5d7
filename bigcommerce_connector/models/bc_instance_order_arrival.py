"""How orders arrive: the scheduled poll and webhooks queue one line per order (processing
it is ``sale.order._bigcommerce_import``), and the order webhooks are checked, registered and
repaired from the store."""
from datetime import timedelta, timezone

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..bigcommerce.errors import BigCommerceError, NotFoundError, PermissionDeniedError
from ..bigcommerce.orders import gateway_needs_transactions, parse_datetime, to_naive_utc
from ..const import IMPORT_ORDER
from .bc_translate import translate

# Orders modified while the previous poll was paging through the list are caught by the next one.
POLL_OVERLAP = timedelta(minutes=10)


class BigCommerceInstance(models.Model):
    _inherit = "bc.instance"

    workflow_ids = fields.One2many("bc.financial.workflow", "instance_id", string="Financial Workflows")
    gateway_ids = fields.One2many("bc.payment.gateway", "instance_id", string="Payment Gateways")
    webhook_ids = fields.One2many("bc.webhook", "instance_id", string="Webhooks", readonly=True)
    sale_order_count = fields.Integer(compute="_compute_sale_order_count")

    def _compute_sale_order_count(self):
        counts = dict(self.env["sale.order"]._read_group(
            [("bigcommerce_instance_id", "in", self.ids)], ["bigcommerce_instance_id"], ["__count"]))
        for instance in self:
            instance.sale_order_count = counts.get(instance, 0)

    def action_open_sale_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action.update(domain=[("bigcommerce_instance_id", "=", self.id)], context={"create": False})
        return action

    # ------------------------------------------------------------------ queueing
    def _cron_import_orders(self):
        for instance in self._syncing_instances():
            instance._bigcommerce_poll_orders()

    def _bigcommerce_poll_orders(self):
        """Queue the orders modified since the watermark, a page at a time: each page is queued,
        the watermark moved to the newest modification it holds, and both committed, so that a
        failure or a crash resumes after the last page committed, and memory holds one page."""
        self.ensure_one()
        since = self.last_order_import_at and self.last_order_import_at - POLL_OVERLAP or self.import_orders_after
        filters = {"sort": "date_modified:asc"}
        if since:
            filters["min_date_modified"] = since.replace(tzinfo=timezone.utc).isoformat()
        job = self.env["marketplace.queue.job"]
        with self._bigcommerce_client() as client:
            try:
                for orders in client.iter_order_pages(**filters):
                    job = self._bigcommerce_enqueue_orders(orders, _("Import orders from %(store)s", store=self.name),
                                                           job=job) or job
                    newest = max((parse_datetime(order.get("date_modified")) for order in orders
                                  if order.get("date_modified")), default=None)
                    if newest and (not self.last_order_import_at or to_naive_utc(newest) > self.last_order_import_at):
                        self.last_order_import_at = to_naive_utc(newest)
                    self.env["marketplace.queue.line"]._commit_if_allowed()
                self._bigcommerce_enqueue_refunded_orders(client, filters.get("min_date_modified"))
            except BigCommerceError as error:
                self._log(
                    _("Listing the orders modified in BigCommerce failed: %(error)s The next scheduled run tries again.",
                      error=translate(self.env, error.user_message)), level="error", operation=IMPORT_ORDER)
        return job

    def _bigcommerce_enqueue_refunded_orders(self, client, since):
        """The safety net for a missed refund webhook: the imported orders refunded since ``since``
        are imported again, which records their refunds."""
        if not since:
            return
        order_ids = {str(refund["order_id"]) for refund in client.iter_refunds(created_min=since)}
        imported = self.env["sale.order"].search([("bigcommerce_instance_id", "=", self.id),
                                                  ("bigcommerce_order_id", "in", list(order_ids))])
        if imported:
            self._bigcommerce_enqueue_order_ids(
                [int(order_id) for order_id in imported.mapped("bigcommerce_order_id")],
                _("Import orders from %(store)s", store=self.name), reuse_job=True)

    def _bigcommerce_enqueue_orders(self, orders, job_name, job=None, reuse_job=False):
        """Queue the listed ``orders`` (their JSON, line items embedded) that are in a status
        to import, or were imported before (their changes are followed whatever the status)."""
        self.ensure_one()
        imported = set(self.env["sale.order"].search([
            ("bigcommerce_instance_id", "=", self.id),
            ("bigcommerce_order_id", "in", [str(order["id"]) for order in orders]),
        ]).mapped("bigcommerce_order_id"))
        items = [{"external_id": str(order["id"]), "name": self.env._("Order #%(id)s", id=order["id"]), "payload": order}
                 for order in orders if str(order["id"]) in imported or self._bigcommerce_wants(order)]
        if not items:
            return self.env["marketplace.queue.job"]
        job, _lines = self.env["marketplace.queue.line"]._enqueue(
            self.marketplace_instance_id, IMPORT_ORDER, items, job_name=job_name, job=job,
            reuse_job=reuse_job)
        return job

    def _bigcommerce_enqueue_order_ids(self, order_ids, job_name, requested=False, reuse_job=False):
        """Queue orders by id; processing fetches each. ``requested``: the user asked for these
        orders by number, so they are imported whatever their status."""
        self.ensure_one()
        items = [{"external_id": str(order_id), "name": self.env._("Order #%(id)s", id=order_id),
                  "payload": {"order_id": order_id, "requested": requested}} for order_id in order_ids]
        # An order already waiting with the listing's JSON is fetched instead: the new request is newer.
        job, lines = self.env["marketplace.queue.line"]._enqueue(
            self.marketplace_instance_id, IMPORT_ORDER, items, job_name=job_name, reuse_job=reuse_job, refresh=True)
        return job or lines.job_id

    def _bigcommerce_wants(self, order):
        """Whether a BigCommerce order (raw dict) not imported yet is one this store imports."""
        statuses = self.env["marketplace.queue.line"]._run_cached(
            ("bigcommerce_import_statuses", self.id), lambda: set(self.import_status_ids.mapped("bc_id")))
        if str(order.get("status_id")) not in statuses:
            return False
        created = parse_datetime(order.get("date_created"))
        return not (self.import_orders_after and created and to_naive_utc(created) < self.import_orders_after)

    # ------------------------------------------------------------------ fetching
    def _bigcommerce_fetch_order(self, order_id):
        with self._bigcommerce_client() as client:
            try:
                return client.get_order(order_id)
            except NotFoundError:
                raise UserError(_("Order #%(id)s does not exist in BigCommerce (deleted, or another store's number). "
                                  "Cancel this queue line.", id=order_id)) from None

    def _bigcommerce_order_refunds(self, order_id):
        with self._bigcommerce_client() as client:
            return list(client.iter_order_refunds(order_id))

    def _bigcommerce_gateway_transactions(self, order):
        """The order's transactions when only they tell which gateway took the money (card
        orders all say "Credit Card"), else None: no call for the orders that name theirs."""
        if not gateway_needs_transactions(order):
            return None
        with self._bigcommerce_client() as client:
            try:
                return list(client.iter_order_transactions(order["id"]))
            except PermissionDeniedError as error:
                self._log(_("The gateway of order #%(id)s is the generic “%(method)s”: %(error)s Until then, card "
                            "orders of every processor share one gateway and one workflow.",
                            id=order["id"], method=order.get("payment_method"),
                            error=translate(self.env, error.user_message)),
                          level="warning")
                return None

    # ------------------------------------------------------------------ webhooks
    def action_check_webhooks(self):
        return self.env["bc.webhook"]._bigcommerce_sync(self, reactivate=False, create=False)

    def action_register_webhooks(self):
        return self.env["bc.webhook"]._bigcommerce_sync(self, reactivate=False)

    def action_repair_webhooks(self):
        return self.env["bc.webhook"]._bigcommerce_sync(self, reactivate=True)
