from odoo import api, models

from ..bigcommerce.i18n import Text
from .bc_translate import translate


class MarketplaceQueueLine(models.Model):
    _inherit = "marketplace.queue.line"

    @api.model
    def _error_message(self, error):
        # The base reads a failure's user_message (or first argument) by duck typing and knows
        # nothing of the connector's translations: a BigCommerce error or a core rule's refusal
        # is translated here, in the language of whoever runs the queue (bc_translate.py).
        message = getattr(error, "user_message", None) or (error.args[0] if error.args else None)
        if isinstance(message, Text):
            return translate(self.env, message)
        return super()._error_message(error)
