import functools
import logging
import os
import threading
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models, tools
from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION
from odoo.sql_db import connection_info_for
from odoo.tools import SQL, frozendict

from ..bigcommerce.webhooks import webhook_kind
from ..const import IMPORT_CUSTOMER, IMPORT_ORDER, IMPORT_PRODUCT

_logger = logging.getLogger(__name__)

# The queue operation that imports what a delivery is about (``webhook_kind``).
KIND_OPERATIONS = {"order": IMPORT_ORDER, "customer": IMPORT_CUSTOMER, "product": IMPORT_PRODUCT}
RETENTION_DAYS = 7  # BigCommerce stops retrying a delivery after about 48 hours
# A delivery for an order or customer whose line is being processed waits for that line: look again soon.
BUSY_LINE_RECHECK = timedelta(seconds=30)
QUEUE_CRON = "base_marketplace.ir_cron_process_queue"


class _CronWaker:
    """Wakes Odoo's cron workers the way ``ir.cron._notifydb`` does (a NOTIFY on the
    ``postgres`` database, where they listen), on one connection kept by each process.
    ``_notifydb`` opens a new connection every time: a few milliseconds and a new PostgreSQL
    backend for each webhook delivery, more than the rest of its receipt."""

    def __init__(self):
        self._lock = threading.Lock()
        self._connection = None
        self._pid = None

    def _connect(self):
        if self._connection is None or self._connection.closed or self._pid != os.getpid():
            # After a fork (prefork workers), the parent's connection is not ours to use.
            _dbname, connection_info = connection_info_for("postgres")
            self._connection = psycopg2.connect(**connection_info)
            self._connection.autocommit = True
            self._pid = os.getpid()
        return self._connection

    def notify(self, dbname):
        """Best effort: without it the trigger waits for the cron workers' next wake-up (a minute)."""
        query = SQL("SELECT %s('cron_trigger', %s)", SQL.identifier(ODOO_NOTIFY_FUNCTION), dbname)
        with self._lock:
            for attempt in (1, 2):  # a kept connection may have been closed by the server
                try:
                    with self._connect().cursor() as cr:
                        cr.execute(query.code, query.params)
                    return
                except psycopg2.Error as error:
                    if self._connection is not None and not self._connection.closed:
                        self._connection.close()
                    if attempt == 2:
                        _logger.warning("Cron workers not woken for webhook deliveries: %s", error)


_cron_waker = _CronWaker()


class BigCommerceWebhookEvent(models.Model):
    """Every webhook delivery accepted, keyed by its ``webhook-id`` header: BigCommerce retries
    a delivery with the same id, while two changes of one order are two ids (their payload
    ``hash`` may be the same). Receiving is one insert (``_record_delivery``); the queue's
    cron turns the received deliveries into order or customer lines (``_queue_received``),
    telling them apart by their scope."""

    _name = "bc.webhook.event"
    _description = "BigCommerce Webhook Delivery"
    _order = "id desc"

    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    delivery_id = fields.Char(string="Delivery ID", required=True, help="The webhook-id header of the delivery.")
    scope = fields.Char()
    resource_id = fields.Char(help="The order, customer or product the delivery is about.")
    queued = fields.Boolean(help="The order, customer or product of this delivery is in the queue.")

    _sql_constraints = [
        ("delivery_id_unique", "UNIQUE(instance_id, delivery_id)", "This webhook delivery was already received."),
    ]

    def init(self):
        self.env.cr.execute(SQL("""
            CREATE INDEX IF NOT EXISTS bc_webhook_event_received_index ON bc_webhook_event (id) WHERE NOT queued
        """))

    @api.model
    @tools.ormcache()
    def _receivers(self):
        """``{store id: (client secret, company id)}`` of the stores that receive webhooks: not
        a draft one, which has no scheduled actions and no import settings yet, nor an archived
        one, which has them no more (the stores of ``bc.instance._syncing_instances``).

        Cached in each worker, so that a delivery costs the server no query before its insert;
        a store change that matters here clears the cache (``bc.instance._clear_receiver_cache``),
        and every request checks first whether another worker cleared it. All stores in one
        entry: a delivery for an unknown store is refused without a query, and a flood of them
        cannot push Odoo's other cached values out. No ORM: no prefetch of the stores' other
        fields, no access rules (the route runs as superuser)."""
        self.env.cr.execute(SQL("""
            SELECT store.id, store.client_secret, marketplace.company_id
              FROM bc_instance store JOIN marketplace_instance marketplace ON marketplace.id = store.marketplace_instance_id
             WHERE store.active AND store.state = 'confirmed'
        """))
        return frozendict((store_id, (secret, company_id)) for store_id, secret, company_id in self.env.cr.fetchall())

    @api.model
    def _record_delivery(self, instance_id, company_id, delivery_id, scope, resource_id, wake=None):
        """Record a verified delivery and wake the queue; False for a redelivery. One statement:
        an insert that cannot fail on a duplicate (concurrent deliveries never wait on each
        other, a redelivery waits only for the delivery it repeats), and, for a new delivery,
        a trigger of the queue's cron, as ``ir.cron._trigger`` would create it (none while the
        cron is inactive). Odoo's cron workers are then woken once the transaction is committed:
        ``wake`` registers the function that wakes them (by default the cursor's postcommit; the
        route passes its answer's ``call_on_close``, so that BigCommerce does not wait for it).

        At READ COMMITTED: Odoo's transactions are REPEATABLE READ, where an ``INSERT … ON
        CONFLICT DO NOTHING`` that meets a redelivery committed since the transaction began
        raises a serialization failure, and Odoo replays the whole request. The request wrote
        nothing before: committing (nothing at all, unless ``_receivers`` or ``_xmlid_to_res_id``
        just read) only ends its snapshot, so that the insert begins a transaction of its own."""
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(QUEUE_CRON)  # cached: a query only once per worker
        isolation = SQL()
        if self.env["marketplace.queue.line"]._can_commit():
            self.env.cr.commit()  # pylint: disable=invalid-commit
            isolation = SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED;")
        self.env.cr.execute(SQL("""%(isolation)s
            WITH received AS (
                INSERT INTO bc_webhook_event (instance_id, company_id, delivery_id, scope, resource_id, queued,
                                              create_uid, write_uid, create_date, write_date)
                VALUES (%(instance)s, %(company)s, %(delivery)s, %(scope)s, %(resource)s, false,
                        %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC')
                ON CONFLICT (instance_id, delivery_id) DO NOTHING
                RETURNING id
            ), triggered AS (
                INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid, create_date, write_date)
                SELECT cron.id, date_trunc('second', NOW() AT TIME ZONE 'UTC'), %(uid)s, %(uid)s,
                       NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                  FROM ir_cron cron
                 WHERE cron.id = %(cron)s AND cron.active AND EXISTS (SELECT FROM received)
                RETURNING id
            )
            SELECT EXISTS (SELECT FROM received), EXISTS (SELECT FROM triggered)
        """, isolation=isolation, instance=instance_id, company=company_id, delivery=delivery_id, scope=scope,
            resource=str(resource_id), uid=self.env.uid, cron=cron_id))
        received, triggered = self.env.cr.fetchone()
        if triggered:
            (wake or self.env.cr.postcommit.add)(functools.partial(_cron_waker.notify, self.env.cr.dbname))
        return received

    @api.model
    def _queue_received(self):
        """Queue the orders and customers of the deliveries received since the last run, one
        line each. A delivery for a record whose line is processing (it has read the record
        already) waits until that line is finished, then gets a line of its own: its change is
        never lost."""
        self.flush_model()
        self.env.cr.execute(SQL("""
            SELECT id, instance_id, scope, resource_id FROM bc_webhook_event WHERE NOT queued ORDER BY id
               FOR UPDATE SKIP LOCKED
        """))
        by_instance = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
        for event_id, instance_id, scope, resource_id in self.env.cr.fetchall():
            by_instance[instance_id][webhook_kind(scope or "")][resource_id].append(event_id)
        handled, waiting = [], False
        Line = self.env["marketplace.queue.line"]
        for instance_id, kinds in by_instance.items():
            instance = self.env["bc.instance"].browse(instance_id)
            # A store archived or reset to draft since: its deliveries are dropped.
            syncing = bool(instance._syncing_instances())
            for kind, events in kinds.items():
                if syncing:
                    operation = KIND_OPERATIONS[kind]
                    busy = set(Line._open_lines(instance.marketplace_instance_id, operation, list(events))
                               .filtered(lambda line: line.state == "processing").mapped("external_id"))
                    resource_ids = [resource_id for resource_id in events if resource_id not in busy]
                    waiting = waiting or bool(busy)
                    if resource_ids:
                        self._queue_resources(instance, kind, [int(resource_id) for resource_id in resource_ids])
                    events = {resource_id: events[resource_id] for resource_id in resource_ids}
                handled += [event_id for event_ids in events.values() for event_id in event_ids]
        if handled:
            self.env.cr.execute(SQL("UPDATE bc_webhook_event SET queued = true WHERE id IN %s", tuple(handled)))
        if waiting:
            Line._trigger_processing(fields.Datetime.now() + BUSY_LINE_RECHECK)

    @api.model
    def _queue_resources(self, instance, kind, resource_ids):
        # One job a day gathers the webhooks of a store, not one job per delivery.
        day = fields.Date.context_today(self)
        if kind == "product":
            instance._bigcommerce_enqueue_product_ids(
                resource_ids, _("Product webhooks from %(store)s, %(day)s", store=instance.name, day=day),
                reuse_job=True)
        elif kind == "customer":
            instance._bigcommerce_enqueue_customer_ids(
                resource_ids, _("Customer webhooks from %(store)s, %(day)s", store=instance.name, day=day),
                reuse_job=True)
        else:
            instance._bigcommerce_enqueue_order_ids(
                resource_ids, _("Order webhooks from %(store)s, %(day)s", store=instance.name, day=day),
                reuse_job=True)

    @api.autovacuum
    def _gc_webhook_events(self):
        self.search([("create_date", "<", fields.Datetime.now() - timedelta(days=RETENTION_DAYS))]).unlink()
