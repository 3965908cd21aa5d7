from odoo import Command, _, fields, models

from ..bigcommerce.refunds import ZERO, discount_share


class AccountMove(models.Model):
    _inherit = "account.move"

    bigcommerce_refund_id = fields.Char(string="BigCommerce Refund", readonly=True, copy=False, index="btree_not_null",
                                        help="The BigCommerce refund this credit note records.")

    def _invoice_paid_hook(self):
        result = super()._invoice_paid_hook()
        # An accountant pays the invoice without the connector's rights: the queue is the connector's.
        self.filtered(lambda move: move.move_type == "out_invoice").line_ids.sale_line_ids.order_id.filtered(
            "bigcommerce_order_id").sudo()._bigcommerce_queue_mark_paid()
        return result

    def _bigcommerce_reduce_to_refund(self, credit_lines, refunded, instance):
        """Reduce this draft credit note, a reversal of a whole invoice, to what a BigCommerce refund
        gave back (``credit_lines``, see ``refund_credit_lines``; ``refunded`` tax included): its
        products by quantity, each address's shipping and handling by amount, order-level amounts
        and fees as one untaxed line (BigCommerce does not recalculate their tax), and the refunded
        products' share of the invoice's discounts. Returns whether it now equals the refund."""
        self.ensure_one()
        quantities, shipping, other = {}, {}, ZERO
        for line in credit_lines:
            if line.kind == "product":
                quantities[line.order_product_id] = quantities.get(line.order_product_id, ZERO) + line.quantity
            elif line.kind == "shipping":
                shipping[line.order_address_id] = shipping.get(line.order_address_id, ZERO) + line.amount
            else:
                other += line.amount
        discounts = self.invoice_line_ids.filtered(
            lambda line: line.product_id == instance.discount_product_id and line.price_subtotal < 0)
        discount_total = -sum(discounts.mapped("price_total"))
        # The lines added below take the analytic distribution the invoice's lines share (their channel's,
        # see order_routing); when they differ, Odoo's analytic distribution models decide.
        first = self.invoice_line_ids[:1].analytic_distribution
        analytic = {"analytic_distribution": first} if first and all(
            line.analytic_distribution == first for line in self.invoice_line_ids) else {}
        kept = self.env["account.move.line"]
        for line in self.invoice_line_ids:
            sale_line = line.sale_line_ids[:1]
            if sale_line.bigcommerce_order_product_id in quantities:
                line.quantity = float(quantities.pop(sale_line.bigcommerce_order_product_id))
                kept |= line
            elif line.product_id == instance.shipping_product_id and sale_line.bigcommerce_order_address_id in shipping:
                amount = shipping.pop(sale_line.bigcommerce_order_address_id)
                line.write({"quantity": 1, "price_unit": self._bigcommerce_price_unit(line.tax_ids, amount)})
                kept |= line
        if quantities or shipping:  # a product or an address the invoice does not have
            return False
        (self.invoice_line_ids - kept).unlink()

        def add_line(name, total, taxes):
            self.invoice_line_ids = [Command.create({
                "product_id": instance._bigcommerce_service_product("discount").id, "name": name, "quantity": 1,
                "price_unit": self._bigcommerce_price_unit(taxes, total), "tax_ids": [Command.set(taxes.ids)],
                **analytic})]
        if other:
            add_line(_("Amount refunded in BigCommerce"), other, self.env["account.tax"])
        share = discount_share(self.amount_total, refunded, discount_total)
        if share is None:
            return False
        if share:
            taxes = discounts.tax_ids if len(discounts.tax_ids) <= 1 else kept.tax_ids[:1]
            add_line(_("Discount on the refunded products"), share, taxes)
        return not self.currency_id.compare_amounts(self.amount_total, float(refunded))

    def _bigcommerce_price_unit(self, taxes, total):
        """The unit price of one unit whose total, tax included, is ``total`` with ``taxes``."""
        if all(taxes.mapped("price_include")):
            return float(total)
        details = taxes._get_tax_details(float(total), 1.0, precision_rounding=self.currency_id.rounding,
                                         special_mode="total_included")
        return self.currency_id.round(details["total_excluded"])
