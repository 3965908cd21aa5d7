import logging

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..bigcommerce.webhooks import (
    MAX_WEBHOOK_BYTES, MalformedWebhookError, WebhookVerificationError, verify_webhook, webhook_event,
)
from ..const import WEBHOOK_SCOPES

_logger = logging.getLogger(__name__)


class BigCommerceWebhookController(http.Controller):
    ROUTE = "/bigcommerce/webhook/<int:instance_id>"

    @classmethod
    def webhook_path(cls, instance_id):
        """The path BigCommerce delivers a store's webhooks to (registered by bc.webhook)."""
        return cls.ROUTE.replace("<int:instance_id>", str(instance_id))

    # Larger bodies are refused (413) before they are read: BigCommerce's are a few hundred bytes.
    @http.route(ROUTE, type="http", auth="none", readonly=False, methods=["POST"],
                csrf=False, save_session=False, max_content_length=MAX_WEBHOOK_BYTES)
    def bigcommerce_webhook(self, instance_id):
        """Verify, record, answer: BigCommerce wants a 2xx fast, so the order (or customer)
        is fetched later by the queue, never during this request. Receiving is one query (the
        insert with the cron's trigger; the store is cached) in a READ COMMITTED transaction: no
        ORM, no row lock a concurrent delivery waits for, no serialization failure to replay.
        ``auth="none"``: the public user would cost a query, and the receipt needs no user."""
        events = request.env(user=SUPERUSER_ID)["bc.webhook.event"]
        store = events._receivers().get(instance_id)
        if not store:  # unknown, draft or archived
            return request.make_response("", status=404)
        client_secret, company_id = store
        raw_body = request.httprequest.get_data()
        headers = request.httprequest.headers
        try:
            verify_webhook(raw_body, headers, client_secret)
        except WebhookVerificationError as error:
            _logger.info("BigCommerce webhook for store %s rejected: %s", instance_id, error.reason)
            return request.make_response("", status=401)
        try:
            event = webhook_event(raw_body, WEBHOOK_SCOPES)
        except MalformedWebhookError as error:
            _logger.warning("BigCommerce webhook %s for store %s ignored: %s", headers.get("webhook-id"),
                            instance_id, error.reason)
            return request.make_response("", status=400)
        response = request.make_response("", status=200)
        if event:
            # The cron workers are woken once the receipt is committed and answered.
            events._record_delivery(instance_id, company_id, headers["webhook-id"], *event,
                                    wake=response.call_on_close)
        return response
