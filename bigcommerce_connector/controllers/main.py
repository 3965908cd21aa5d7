import json
import logging

from odoo import http
from odoo.http import request

from ..bigcommerce.webhooks import WebhookVerificationError, verify_webhook

_logger = logging.getLogger(__name__)


class BigCommerceWebhookController(http.Controller):

    @http.route("/bigcommerce/webhook/<int:instance_id>", type="http", auth="public", methods=["POST"],
                csrf=False, save_session=False)
    def bigcommerce_webhook(self, instance_id):
        """Verify, record, answer: BigCommerce wants a 2xx fast, so the order itself is
        fetched later by the queue, never during this request."""
        raw_body = request.httprequest.get_data()
        instance = request.env["bc.instance"].sudo().browse(instance_id).exists()
        if not instance or not instance.active:
            return request.make_response("", status=404)
        try:
            verify_webhook(raw_body, request.httprequest.headers, instance.client_secret)
        except WebhookVerificationError as error:
            _logger.info("BigCommerce webhook for store %s rejected: %s", instance_id, error.reason)
            return request.make_response("", status=401)
        try:
            payload = json.loads(raw_body)
        except ValueError:
            return request.make_response("", status=400)
        if isinstance(payload, dict):
            instance._bigcommerce_receive_webhook(payload)
        return request.make_response("", status=200)
