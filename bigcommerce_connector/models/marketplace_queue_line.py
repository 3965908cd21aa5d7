from odoo import models

from odoo.addons.base_marketplace.queue_core import requires_keys


class MarketplaceQueueLine(models.Model):
    _inherit = "marketplace.queue.line"

    def _bigcommerce_instance(self):
        return self.env["bc.instance"].search([("marketplace_instance_id", "=", self.instance_id.id)], limit=1)

    @requires_keys("kind")
    def _process_bigcommerce_import_reference(self, payload):
        self._bigcommerce_instance()._import_reference(payload["kind"])
