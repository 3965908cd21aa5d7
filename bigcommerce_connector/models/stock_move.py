from odoo import models
from odoo.tools import float_compare, float_is_zero


class StockMove(models.Model):
    _inherit = "stock.move"

    def _bigcommerce_fit_to_demand(self):
        """After a quantity cancelled in BigCommerce lowered these moves' demand: cancel those left
        with nothing to deliver (sale_stock cancels them itself unless they were picked), and bring
        what was picked down to the demand, so that a cancelled quantity is never delivered."""
        open_moves = self.filtered(lambda move: move.state not in ("done", "cancel"))
        open_moves.filtered(lambda move: float_is_zero(
            move.product_uom_qty, precision_rounding=move.product_uom.rounding))._action_cancel()
        for move in open_moves.filtered(lambda move: move.state != "cancel" and float_compare(
                move.quantity, move.product_uom_qty, precision_rounding=move.product_uom.rounding) > 0):
            move.quantity = move.product_uom_qty
