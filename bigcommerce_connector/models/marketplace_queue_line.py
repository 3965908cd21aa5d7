import json

from odoo import models

from odoo.addons.base_marketplace.queue_core import requires_keys

from .bc_order_import import IMPORT_ORDER_OPERATION


class MarketplaceQueueLine(models.Model):
    _inherit = "marketplace.queue.line"

    def _bigcommerce_instance(self):
        return self.env["bc.instance"].search([("marketplace_instance_id", "=", self.instance_id.id)], limit=1)

    @requires_keys("kind")
    def _process_bigcommerce_import_reference(self, payload):
        self._bigcommerce_instance()._import_reference(payload["kind"])

    def _process_bigcommerce_import_order(self, payload):
        return self._bigcommerce_instance()._bigcommerce_import_order(payload, self)

    def _prepare_retry(self):
        # The stored listing may predate the fix (a product created, a workflow configured,
        # the order edited): a retry fetches the order again.
        super()._prepare_retry()
        self.filtered(lambda line: line.operation == IMPORT_ORDER_OPERATION)._bigcommerce_refetch_payload()

    def _bigcommerce_refetch_payload(self, requested=False):
        """Make the lines fetch their order when processed, instead of using the stored JSON.
        A line the user asked for by number stays requested."""
        for line in self:
            try:
                previous = json.loads(line.payload or "{}")
            except ValueError:
                previous = {}
            was_requested = isinstance(previous, dict) and bool(previous.get("requested"))
            line.payload = json.dumps({"order_id": int(line.external_id), "requested": requested or was_requested})
