from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

RETENTION_DAYS = 7  # BigCommerce stops retrying a delivery after about 48 hours
# A delivery for an order whose line is being processed waits for that line: look again soon.
BUSY_ORDER_RECHECK = timedelta(seconds=30)


class BigCommerceWebhookEvent(models.Model):
    """Every webhook delivery accepted, keyed by its ``webhook-id`` header: BigCommerce retries
    a delivery with the same id, while two changes of one order are two ids (their payload
    ``hash`` may be the same). Receiving is one insert; the queue's cron turns the received
    deliveries into order lines (``_queue_received``)."""

    _name = "bc.webhook.event"
    _description = "BigCommerce Webhook Delivery"
    _order = "id desc"

    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    delivery_id = fields.Char(string="Delivery ID", required=True, help="The webhook-id header of the delivery.")
    scope = fields.Char()
    resource_id = fields.Char()
    queued = fields.Boolean(help="The order of this delivery is in the queue.")

    _sql_constraints = [
        ("delivery_id_unique", "UNIQUE(instance_id, delivery_id)", "This webhook delivery was already received."),
    ]

    def init(self):
        self.env.cr.execute(SQL("""
            CREATE INDEX IF NOT EXISTS bc_webhook_event_received_index ON bc_webhook_event (id) WHERE NOT queued
        """))

    @api.model
    def _record_delivery(self, instance, delivery_id, scope, order_id):
        """Record a verified delivery and wake the queue; False for a redelivery. One insert
        that cannot fail on a duplicate: concurrent deliveries never wait on each other."""
        self.env.cr.execute(SQL("""
            INSERT INTO bc_webhook_event (instance_id, company_id, delivery_id, scope, resource_id, queued,
                                          create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, false, %s, %s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC')
            ON CONFLICT (instance_id, delivery_id) DO NOTHING
            RETURNING id
        """, instance.id, instance.company_id.id, delivery_id, scope, str(order_id), self.env.uid, self.env.uid))
        if not self.env.cr.fetchone():
            return False
        self.env["marketplace.queue.line"]._trigger_processing()
        return True

    @api.model
    def _queue_received(self):
        """Queue the orders of the deliveries received since the last run, one line per order.
        A delivery for an order whose line is processing (it has read the order already) waits
        until that line is finished, then gets a line of its own: its change is never lost."""
        self.flush_model()
        self.env.cr.execute(SQL("""
            SELECT id, instance_id, resource_id FROM bc_webhook_event WHERE NOT queued ORDER BY id
               FOR UPDATE SKIP LOCKED
        """))
        by_instance = defaultdict(lambda: defaultdict(list))
        for event_id, instance_id, order_id in self.env.cr.fetchall():
            by_instance[instance_id][order_id].append(event_id)
        handled, waiting = [], False
        Line = self.env["marketplace.queue.line"]
        for instance_id, events in by_instance.items():
            instance = self.env["bc.instance"].browse(instance_id)
            # A store archived or reset to draft since: its deliveries are dropped.
            if instance._syncing_instances():
                busy = set(Line._open_lines(instance.marketplace_instance_id, "bigcommerce_import_order", list(events))
                           .filtered(lambda line: line.state == "processing").mapped("external_id"))
                order_ids = [order_id for order_id in events if order_id not in busy]
                waiting = waiting or bool(busy)
                if order_ids:
                    # One job a day gathers the webhooks of a store, not one job per delivery.
                    instance._bigcommerce_enqueue_order_ids(
                        [int(order_id) for order_id in order_ids],
                        _("Order webhooks from %(store)s, %(day)s", store=instance.name,
                          day=fields.Date.context_today(self)), reuse_job=True)
                events = {order_id: events[order_id] for order_id in order_ids}
            handled += [event_id for event_ids in events.values() for event_id in event_ids]
        if handled:
            self.env.cr.execute(SQL("UPDATE bc_webhook_event SET queued = true WHERE id IN %s", tuple(handled)))
        if waiting:
            Line._trigger_processing(fields.Datetime.now() + BUSY_ORDER_RECHECK)

    @api.autovacuum
    def _gc_webhook_events(self):
        self.search([("create_date", "<", fields.Datetime.now() - timedelta(days=RETENTION_DAYS))]).unlink()
