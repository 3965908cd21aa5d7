"""A BigCommerce order applied to its sale order: created at the first import, updated by the
next ones, cancelled with it when nothing left the warehouse, then its financial workflow run
(``sale_order_workflow.py``). The pure core (``bigcommerce/orders.py``) maps the order."""
from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.tools import SQL, format_amount

from ..bigcommerce.orders import (
    can_cancel_in_odoo, can_update_addresses, map_order, order_changes, order_snapshot, quantity_changes,
    store_outcome, to_naive_utc, totals_difference,
)
from ..bigcommerce.money import decimal_text
from ..bigcommerce.workflows import PAYMENT_STATUSES, normalize_payment_status
from .bc_translate import translate


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    def _bigcommerce_import(self, instance, payload):
        """Create or update the sale order of one BigCommerce order of ``instance``. ``payload``:
        the order as listed (line items embedded) or ``{"order_id", "requested"}``. Returns the
        sale order, or None when the order is not one the store imports."""
        order = payload if "consignments" in payload else instance._bigcommerce_fetch_order(payload["order_id"])
        sale_order = self._bigcommerce_locked(instance, order["id"])
        if not sale_order and not payload.get("requested") and not instance._bigcommerce_wants(order):
            instance._log(_("Order #%(id)s is in status “%(status)s”, which this store does not import: skipped.",
                            id=order["id"], status=order.get("status") or order.get("status_id")))
            return None
        currency = instance._bigcommerce_currency(order)
        # The gateway is chosen once, when the order is created.
        transactions = None if sale_order else instance._bigcommerce_gateway_transactions(order)
        try:
            bc_order = map_order(order, transactions=transactions, currency_decimals=currency.decimal_places)
        except ValueError:
            # Listed without its line items (an older payload): the order itself embeds them.
            order = instance._bigcommerce_fetch_order(order["id"])
            bc_order = map_order(order, transactions=transactions, currency_decimals=currency.decimal_places)
        # A cancellation is acted on once, when it is new: a person may have decided since.
        was_cancelled = store_outcome((sale_order.bigcommerce_snapshot or {}).get("status_id")) == "cancelled"
        imported = None
        if sale_order:
            contacts = sale_order._bigcommerce_update(bc_order)
        else:
            sale_order, contacts = self._bigcommerce_create(instance, bc_order, currency)
            imported = _("Order #%(id)s imported as %(order)s.", id=bc_order.order_id, order=sale_order.name)
        if store_outcome(bc_order.status_id) == "cancelled":
            if imported:
                instance._log(imported, record=sale_order)
            if not was_cancelled:
                sale_order._bigcommerce_apply_cancellation()
        elif sale_order.state != "cancel":
            # The import and its workflow run take one log row.
            sale_order._bigcommerce_run_workflow(bc_order, contacts, intro=imported)
        if normalize_payment_status(bc_order.payment_status) in ("refunded", "partially_refunded") \
                or sale_order.bigcommerce_recorded_refund_ids:
            # Refunds made in BigCommerce, each recorded once (those Odoo pushed are recorded already),
            # and what the gateway did since with those credit notes sent (a decline is shown there).
            refunds = instance._bigcommerce_order_refunds(bc_order.order_id)
            sale_order._bigcommerce_record_refunds(refunds)
            self.env["account.move"]._bigcommerce_update_refund_states(refunds)
        return sale_order

    @api.model
    def _bigcommerce_locked(self, instance, order_id):
        """The sale order of ``order_id``, locked until the end of the transaction: a second
        worker on the same order waits, then retries (the queue retries lock and unique errors)."""
        self.flush_model(["bigcommerce_instance_id", "bigcommerce_order_id"])
        self.env.cr.execute(SQL(
            "SELECT id FROM sale_order WHERE bigcommerce_instance_id = %s AND bigcommerce_order_id = %s FOR UPDATE",
            instance.id, str(order_id)))
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    @api.model
    def _bigcommerce_create(self, instance, bc_order, currency):
        """The new sale order, and the delivery contacts by BigCommerce shipping address."""
        customer, invoice_contact, shipping_contacts = self.env["res.partner"]._bigcommerce_partners(instance, bc_order)
        gateway = self.env["bc.payment.gateway"]._find_or_create(instance, bc_order.gateway, bc_order.gateway_name)
        products = instance._bigcommerce_products(bc_order)
        routing = instance._bigcommerce_routing(bc_order.channel_id)
        # Every line, shipping, discounts and fees included, so that the whole order's income is the channel's.
        analytic = {"analytic_distribution": routing["analytic_distribution"]} if "analytic_distribution" in routing \
            else {}
        taxes = {}
        order_lines = []
        for bc_line in bc_order.lines:
            key = (bc_line.tax_rate, bc_line.tax_class_id)
            if key not in taxes:
                taxes[key] = instance._bigcommerce_taxes(bc_line, bc_order.tax_inclusive)
            order_lines.append(Command.create(dict(self.order_line._bigcommerce_vals(
                instance, bc_line, products, taxes[key], lang=customer.lang), **analytic)))
        first_shipping = shipping_contacts[bc_order.shipping_addresses[0].id] if bc_order.shipping_addresses \
            else invoice_contact
        vals = {
            "partner_id": customer.id,
            "partner_invoice_id": invoice_contact.id,
            "partner_shipping_id": first_shipping.id,
            # BigCommerce computed the taxes: a fiscal position must not remap them.
            "fiscal_position_id": False,
            "pricelist_id": instance._bigcommerce_pricelist(currency).id,
            "company_id": instance.company_id.id,
            "date_order": to_naive_utc(bc_order.date_created) or fields.Datetime.now(),
            "origin": _("BigCommerce #%(id)s", id=bc_order.order_id),
            "note": bc_order.customer_message or False,
            "bigcommerce_instance_id": instance.id,
            "bigcommerce_order_id": str(bc_order.order_id),
            "bigcommerce_gateway_id": gateway.id,
            "order_line": order_lines,
            **self._bigcommerce_status_vals(bc_order),
        }
        vals.update({key: routing[key] for key in ("warehouse_id", "team_id") if key in routing})
        # Never the user running the import (OdooBot for scheduled ones): My Quotations would hide the order.
        vals["user_id"] = (instance.user_id or customer.user_id or customer.commercial_partner_id.user_id).id
        if "team_id" not in vals:
            vals["team_id"] = instance._bigcommerce_default_team(vals["user_id"]).id
        # The chatter's one note of the creation is the import's: Odoo's "Quotation created" would be a second one.
        sale_order = self.with_context(mail_create_nolog=True).create(vals).with_env(self.env)
        sale_order._message_log(body=_("Imported from BigCommerce order #%(id)s (%(status)s, payment: %(payment)s).",
                                       id=bc_order.order_id, status=bc_order.status,
                                       payment=bc_order.payment_status or _("none")))
        sale_order._bigcommerce_check_totals(bc_order)
        return sale_order, shipping_contacts

    @api.model
    def _bigcommerce_status_vals(self, bc_order):
        payment_status = normalize_payment_status(bc_order.payment_status)
        return {
            "bigcommerce_status": bc_order.status,
            "bigcommerce_status_id": bc_order.status_id,
            "bigcommerce_payment_status": payment_status if payment_status in dict(PAYMENT_STATUSES) else False,
            "bigcommerce_channel_id": bc_order.channel_id,
            "bigcommerce_snapshot": order_snapshot(bc_order),
        }

    def _bigcommerce_update(self, bc_order):
        """Apply what changed in BigCommerce since the last import. Returns the delivery contacts
        by BigCommerce shipping address when the addresses were applied again, else None."""
        self.ensure_one()
        instance = self.bigcommerce_instance_id
        previous = self.bigcommerce_snapshot or {}
        changes = order_changes(previous, bc_order)
        vals = self._bigcommerce_status_vals(bc_order)
        shipping_contacts = None
        if any(key == "billing_address" or key.startswith("shipping_address/") for key in changes):
            delivered = any(picking.state == "done" for picking in self.picking_ids)
            if can_update_addresses(delivered):
                _customer, invoice_contact, shipping_contacts = self.env["res.partner"]._bigcommerce_partners(
                    instance, bc_order)
                vals["partner_invoice_id"] = invoice_contact.id
                if bc_order.shipping_addresses:
                    vals["partner_shipping_id"] = shipping_contacts[bc_order.shipping_addresses[0].id].id
            else:
                self._bigcommerce_warn(_("%(order)s: the addresses changed in BigCommerce after a delivery was done, so "
                                         "they are not applied: the Odoo order keeps the addresses it was delivered "
                                         "to.", order=self.name))
        # The open deliveries follow the new address (sale_stock would only schedule an activity).
        self.with_context(update_delivery_shipping_partner=True).write(vals)
        if vals.get("partner_shipping_id"):
            for picking in self._bigcommerce_open_deliveries():
                address_id = picking.move_ids.sale_line_id[:1].bigcommerce_order_address_id
                picking.partner_id = shipping_contacts.get(address_id) or vals["partner_shipping_id"]
        shipped = {bc_line.order_product_id: bc_line.quantity_shipped for bc_line in bc_order.lines
                   if bc_line.order_product_id}
        for order_line in self.order_line.filtered("bigcommerce_order_product_id"):
            if order_line.bigcommerce_order_product_id in shipped:
                order_line.bigcommerce_quantity_shipped = float(shipped[order_line.bigcommerce_order_product_id])
        self._bigcommerce_apply_quantity_changes(bc_order, previous.get("quantities"))
        if changes:
            labels = {key: self._bigcommerce_change_label(key) for key in changes}
            items = Markup("").join(Markup("<li>%s: %s → %s</li>") % (labels[key], old or "-", new or "-")
                                    for key, (old, new) in changes.items())
            self._message_log(body=Markup("%s<ul>%s</ul>") % (_("Changed in BigCommerce:"), items))
            instance._log(_("Order #%(id)s updated: %(changes)s changed.", id=bc_order.order_id,
                            changes=", ".join(labels.values())), record=self)
        return shipping_contacts

    def _bigcommerce_apply_quantity_changes(self, bc_order, previous_quantities):
        """Lower the lines whose quantity BigCommerce lowered since the last import
        (``previous_quantities``), never below what was delivered; their open delivery moves go
        down with them. Told in the chatter and the log; asking below the delivered quantity, and
        a line invoiced beyond its new quantity, are warnings."""
        self.ensure_one()
        if self.state == "cancel":
            return
        lines = {line.bigcommerce_order_product_id: line for line in self.order_line.filtered("bigcommerce_order_product_id")}
        changes = quantity_changes(
            [(product_id, line.product_uom_qty, line.qty_delivered, line.qty_invoiced) for product_id, line in lines.items()],
            {bc_line.order_product_id: bc_line.quantity for bc_line in bc_order.lines if bc_line.order_product_id},
            previous_quantities)
        lowered = [change for change in changes if change.lowered]
        if lowered:
            self._bigcommerce_set_quantities({lines[change.order_product_id]: change.quantity for change in lowered})
            items = Markup("").join(Markup("<li>%s: %s → %s</li>") % (
                lines[change.order_product_id].name, decimal_text(change.ordered), decimal_text(change.quantity))
                for change in lowered)
            self._message_log(body=Markup("%s<ul>%s</ul>") % (_("Quantities lowered in BigCommerce:"), items))
            text = "; ".join(self.env._("%(line)s from %(old)s to %(new)s", line=lines[change.order_product_id].name,
                                        old=decimal_text(change.ordered), new=decimal_text(change.quantity))
                             for change in lowered)
            self.bigcommerce_instance_id._log(
                _("%(order)s: quantities lowered in BigCommerce: %(lines)s.", order=self.name, lines=text), record=self)
            # BigCommerce drops the discounts of a line it changes (O2#updateOrder): the totals may part.
            self._bigcommerce_check_totals(bc_order)
        for change in changes:
            line = lines[change.order_product_id].name
            if change.below_delivered:
                self._bigcommerce_warn(_(
                    "%(order)s: BigCommerce lowered %(line)s to %(requested)s, but %(delivered)s were already delivered, "
                    "which is never cancelled: the line keeps %(delivered)s. If goods come back, make a return in Odoo.",
                    order=self.name, line=line, requested=decimal_text(change.requested),
                    delivered=decimal_text(change.quantity)))
            if change.needs_credit_note:
                self._bigcommerce_warn(_(
                    "%(order)s: %(line)s was invoiced for %(invoiced)s, more than the %(quantity)s now ordered: a credit "
                    "note is needed. A refund made in BigCommerce brings one; otherwise make it in Odoo.",
                    order=self.name, line=line, invoiced=decimal_text(change.invoiced),
                    quantity=decimal_text(change.quantity)))

    def _bigcommerce_set_quantities(self, quantities):
        """Write {order line: quantity} at the price BigCommerce charged, also on a locked order;
        sale_stock lowers the open moves' demand, and ``stock.move._bigcommerce_fit_to_demand`` what
        was picked beyond it."""
        # "Lock Confirmed Sales" forbids changing quantities, and sale_stock leaves the moves of a
        # locked order alone: the customer no longer buys these, so the lock waits.
        locked, self.locked = self.locked, False
        for line, quantity in quantities.items():
            # With the price and discount written again, Odoo keeps them instead of the pricelist's.
            line.write({"product_uom_qty": float(quantity), "price_unit": line.price_unit, "discount": line.discount})
        self.locked = locked
        self.env["sale.order.line"].union(*quantities).move_ids._bigcommerce_fit_to_demand()

    def _bigcommerce_warn(self, message):
        """A warning about this order, in its chatter and in its store's log."""
        self._message_log(body=message)
        self.bigcommerce_instance_id._log(message, level="warning", record=self)

    @api.model
    def _bigcommerce_change_label(self, key):
        """What a person calls a field of ``order_changes``."""
        if key.startswith("shipping_address/"):
            return _("shipping address %(id)s", id=key.split("/", 1)[1])
        return {"status": _("status"), "payment_status": _("payment status"),
                "billing_address": _("billing address")}.get(key, key)

    def _bigcommerce_apply_cancellation(self):
        """The order was cancelled in BigCommerce: it is cancelled in Odoo while nothing left the
        warehouse and nothing was invoiced; otherwise a person decides, told by an activity."""
        self.ensure_one()
        if self.state == "cancel":
            return
        instance = self.bigcommerce_instance_id
        delivered = any(picking.state == "done" for picking in self.picking_ids)
        invoiced = any(move.state == "posted" for move in self.invoice_ids)
        if can_cancel_in_odoo(delivered, invoiced):
            self._action_cancel()
            message = _("%(order)s cancelled: BigCommerce order #%(id)s is cancelled.",
                        order=self.name, id=self.bigcommerce_order_id)
            self._message_log(body=message)
            instance._log(message, record=self)
            return
        user = self.user_id or instance.user_id or instance.create_uid
        self.activity_schedule(
            "mail.mail_activity_data_todo", summary=_("Cancelled in BigCommerce"), user_id=user.id,
            note=_("BigCommerce order #%(id)s was cancelled there, but this order already has done deliveries or "
                   "posted invoices. Decide on a return or a credit note, then cancel what is left.",
                   id=self.bigcommerce_order_id))
        instance._log(_("%(order)s: BigCommerce order #%(id)s is cancelled, but it has done deliveries or posted "
                        "invoices, so it was not cancelled in Odoo. An activity asks %(user)s to decide.",
                        order=self.name, id=self.bigcommerce_order_id, user=user.name),
                      level="warning", record=self)

    def _bigcommerce_check_totals(self, bc_order):
        """Flag the order when Odoo's totals differ from BigCommerce's by more than rounding."""
        self.ensure_one()
        differences = totals_difference(bc_order, self.amount_untaxed, self.amount_tax, self.amount_total)
        if not differences:
            return
        labels = {"untaxed": _("untaxed amount"), "tax": _("taxes"), "total": _("total")}
        # Decimals shown in the order's currency (float only for display, never for arithmetic).
        text = "; ".join(self.env._("%(what)s %(bigcommerce)s in BigCommerce, %(odoo)s in Odoo", what=labels[name],
                                    bigcommerce=format_amount(self.env, float(expected), self.currency_id),
                                    odoo=format_amount(self.env, float(actual), self.currency_id))
                         for name, (expected, actual) in differences.items())
        message = _("The totals of %(order)s differ from BigCommerce order #%(id)s: %(text)s. Check the taxes and "
                    "prices of its lines before confirming it.", order=self.name, id=bc_order.order_id, text=text)
        self.bigcommerce_totals_mismatch = text
        self._bigcommerce_warn(message)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model
    def _bigcommerce_vals(self, instance, bc_line, products, taxes, lang=None):
        """The values of the order line a BigCommerce line becomes."""
        product = products.get(bc_line.order_product_id) if bc_line.kind in ("product", "custom") else None
        if not product:
            product = instance._bigcommerce_service_product(bc_line.kind)
        # Printed on the customer's documents: in the customer's language (bc_translate.py).
        line_name = translate(self.env, bc_line.name, lang=lang)
        name = f"{line_name} ({bc_line.options})" if bc_line.options else line_name
        if bc_line.kind == "product" and bc_line.sku:
            name = f"[{bc_line.sku}] {name}"
        return {
            "product_id": product.id,
            "name": name,
            "product_uom_qty": float(bc_line.quantity),
            "price_unit": float(bc_line.price_unit),
            "tax_id": [Command.set(taxes.ids)],
            "bigcommerce_order_product_id": bc_line.order_product_id or 0,
            "bigcommerce_order_address_id": bc_line.order_address_id or 0,
            "bigcommerce_quantity_shipped": float(bc_line.quantity_shipped),
        }
