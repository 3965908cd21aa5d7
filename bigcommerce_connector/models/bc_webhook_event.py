from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

RETENTION_DAYS = 7  # BigCommerce stops retrying a delivery after about 48 hours


class BigCommerceWebhookEvent(models.Model):
    """The ``hash`` of every webhook accepted: BigCommerce delivers the same event more
    than once, and a redelivery must not queue the work again."""

    _name = "bc.webhook.event"
    _description = "BigCommerce Webhook Delivery"
    _order = "id desc"

    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    event_hash = fields.Char(required=True)
    scope = fields.Char()
    resource_id = fields.Char()

    _sql_constraints = [
        ("event_hash_unique", "UNIQUE(instance_id, event_hash)", "This webhook delivery was already received."),
    ]

    @api.model
    def _record_first_delivery(self, instance, event_hash, scope, resource_id):
        """True when this is the first delivery of the event; False for a redelivery.
        ``ON CONFLICT`` keeps concurrent deliveries of one event from failing a request."""
        self.flush_model()
        self.env.cr.execute(SQL("""
            INSERT INTO bc_webhook_event (instance_id, company_id, event_hash, scope, resource_id,
                                          create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, %s, %s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC')
            ON CONFLICT (instance_id, event_hash) DO NOTHING
            RETURNING id
        """, instance.id, instance.company_id.id, event_hash, scope, resource_id, self.env.uid, self.env.uid))
        return bool(self.env.cr.fetchone())

    @api.autovacuum
    def _gc_webhook_events(self):
        self.search([("create_date", "<", fields.Datetime.now() - timedelta(days=RETENTION_DAYS))]).unlink()
