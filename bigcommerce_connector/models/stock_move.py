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

    def _search_picking_for_assignation(self):
        # A BigCommerce order has a delivery per shipping address, all of one procurement group: a
        # new move of a line (the one sale_stock makes to lower its quantity) goes to that line's
        # delivery, not to whichever delivery of the order comes first.
        order = self.sale_line_id.order_id
        if order.bigcommerce_order_id and len(order.picking_ids) > 1:
            pickings = self.sale_line_id.move_ids.picking_id.filtered_domain(self._search_picking_for_assignation_domain())
            if pickings:
                return pickings[:1]
        return super()._search_picking_for_assignation()
