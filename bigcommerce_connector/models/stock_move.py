from odoo import models
from odoo.tools import float_is_zero


class StockMove(models.Model):
    _inherit = "stock.move"

    def _bigcommerce_cancel_emptied(self):
        """Cancel those of these moves whose demand went down to nothing (a quantity cancelled in
        BigCommerce). sale_stock cancels them itself unless they were picked: those would stay on
        the open delivery, where a cancelled quantity could still be delivered."""
        self.filtered(lambda move: move.state not in ("done", "cancel")
                      and float_is_zero(move.product_uom_qty, precision_rounding=move.product_uom.rounding))._action_cancel()
