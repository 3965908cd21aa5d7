from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _send_confirmation_email(self):
        # BigCommerce already told the customer when it shipped; a second email from Odoo would confuse them.
        return super(StockPicking, self.filtered(lambda picking: not picking.sale_id.bigcommerce_order_id))._send_confirmation_email()
