"""Order import: the scheduled poll and webhooks queue one line per order; processing a line
maps the order with the pure core (``bigcommerce/orders.py``) and creates or updates one
sale order, then runs the financial workflow of its gateway and payment status."""
import logging
from datetime import timedelta, timezone
from urllib.parse import urlsplit

from markupsafe import Markup

from odoo import Command, _, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, escape_psql, float_is_zero, format_amount

from odoo.addons.base_marketplace.exceptions import ShortcutError

from ..bigcommerce.client import DEFAULT_API_URL
from ..bigcommerce.errors import BigCommerceError, NotFoundError, PermissionDeniedError
from ..bigcommerce.orders import (
    DELIVERED_STATUS_IDS,
    can_cancel_in_odoo, can_update_addresses, delivery_groups, gateway_needs_transactions, map_order, order_changes,
    order_snapshot, parse_datetime, store_outcome, totals_difference,
)
from ..bigcommerce.partners import address_match_key, display_name, match_state
from ..bigcommerce.workflows import PAYMENT_STATUSES, normalize_payment_status
from .bc_translate import translate

_logger = logging.getLogger(__name__)

IMPORT_ORDER_OPERATION = "bigcommerce_import_order"
# Orders modified while the previous poll was paging through the list are caught by the next one.
POLL_OVERLAP = timedelta(minutes=10)
ORDER_WEBHOOK_SCOPES = ("store/order/created", "store/order/updated", "store/order/statusUpdated")
WEBHOOK_ROUTE = "/bigcommerce/webhook/%s"
# Order line kind -> (instance field holding its product, name of the product created when empty).
SERVICE_PRODUCTS = {
    "gift_certificate": ("gift_certificate_product_id", "BigCommerce Gift Certificate"),
    "custom": ("custom_product_id", "BigCommerce Custom Item"),
    "wrapping": ("wrapping_product_id", "BigCommerce Gift Wrapping"),
    "fee": ("custom_product_id", "BigCommerce Custom Item"),
    "shipping": ("shipping_product_id", "BigCommerce Shipping"),
    "handling": ("shipping_product_id", "BigCommerce Shipping"),
    "discount": ("discount_product_id", "BigCommerce Discount"),
    "rounding": ("discount_product_id", "BigCommerce Discount"),
}


def _to_naive_utc(moment):
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment else False


def _percent(rate):
    return format(rate.normalize(), "f")


def _new_record_action(name, model, defaults):
    """A log shortcut: the form of a new ``model`` record, filled with ``defaults`` (context keys)."""
    return {"type": "ir.actions.act_window", "name": name, "res_model": model, "views": [[False, "form"]],
            "target": "current", "context": defaults}


class BigCommerceInstance(models.Model):
    _inherit = "bc.instance"

    workflow_ids = fields.One2many("bc.financial.workflow", "instance_id", string="Financial Workflows")
    gateway_ids = fields.One2many("bc.payment.gateway", "instance_id", string="Payment Gateways")
    webhook_ids = fields.One2many("bc.webhook", "instance_id", string="Webhooks", readonly=True)
    sale_order_count = fields.Integer(compute="_compute_sale_order_count")

    def _compute_sale_order_count(self):
        counts = dict(self.env["sale.order"]._read_group(
            [("bigcommerce_instance_id", "in", self.ids)], ["bigcommerce_instance_id"], ["__count"]))
        for instance in self:
            instance.sale_order_count = counts.get(instance, 0)

    def action_open_sale_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action.update(domain=[("bigcommerce_instance_id", "=", self.id)], context={"create": False})
        return action

    # ------------------------------------------------------------------ queueing
    def _cron_import_orders(self):
        for instance in self._syncing_instances():
            instance._bigcommerce_poll_orders()

    def _bigcommerce_poll_orders(self):
        """Queue the orders modified since the watermark, a page at a time: each page is queued,
        the watermark moved to the newest modification it holds, and both committed, so that a
        failure or a crash resumes after the last page committed, and memory holds one page."""
        self.ensure_one()
        since = self.last_order_import_at and self.last_order_import_at - POLL_OVERLAP or self.import_orders_after
        filters = {"sort": "date_modified:asc"}
        if since:
            filters["min_date_modified"] = since.replace(tzinfo=timezone.utc).isoformat()
        job = self.env["marketplace.queue.job"]
        with self._bigcommerce_client() as client:
            try:
                for orders in client.iter_order_pages(**filters):
                    job = self._bigcommerce_enqueue_orders(orders, _("Import orders from %(store)s", store=self.name),
                                                           job=job) or job
                    newest = max((parse_datetime(order.get("date_modified")) for order in orders
                                  if order.get("date_modified")), default=None)
                    if newest and (not self.last_order_import_at or _to_naive_utc(newest) > self.last_order_import_at):
                        self.last_order_import_at = _to_naive_utc(newest)
                    self.env["marketplace.queue.line"]._commit_if_allowed()
            except BigCommerceError as error:
                self.env["marketplace.log"]._log(
                    self.marketplace_instance_id,
                    _("Listing the orders modified in BigCommerce failed: %(error)s The next scheduled run tries again.",
                      error=translate(self.env, error.user_message)), level="error", operation=IMPORT_ORDER_OPERATION)
        return job

    def _bigcommerce_enqueue_orders(self, orders, job_name, job=None, reuse_job=False):
        """Queue the listed ``orders`` (their JSON, line items embedded) that are in a status
        to import, or were imported before (their changes are followed whatever the status)."""
        self.ensure_one()
        imported = set(self.env["sale.order"].search([
            ("bigcommerce_instance_id", "=", self.id),
            ("bigcommerce_order_id", "in", [str(order["id"]) for order in orders]),
        ]).mapped("bigcommerce_order_id"))
        items = [{"external_id": str(order["id"]), "name": self.env._("Order #%(id)s", id=order["id"]), "payload": order}
                 for order in orders if str(order["id"]) in imported or self._bigcommerce_wants(order)]
        if not items:
            return self.env["marketplace.queue.job"]
        job, _lines = self.env["marketplace.queue.line"]._enqueue(
            self.marketplace_instance_id, IMPORT_ORDER_OPERATION, items, job_name=job_name, job=job,
            reuse_job=reuse_job)
        return job

    def _bigcommerce_enqueue_order_ids(self, order_ids, job_name, requested=False, reuse_job=False):
        """Queue orders by id; processing fetches each. ``requested``: the user asked for these
        orders by number, so they are imported whatever their status."""
        self.ensure_one()
        items = [{"external_id": str(order_id), "name": self.env._("Order #%(id)s", id=order_id),
                  "payload": {"order_id": order_id, "requested": requested}} for order_id in order_ids]
        job, lines = self.env["marketplace.queue.line"]._enqueue(
            self.marketplace_instance_id, IMPORT_ORDER_OPERATION, items, job_name=job_name, reuse_job=reuse_job)
        # An order already waiting with the listing's JSON is fetched again: the new request is newer.
        lines.filtered(lambda line: line.state == "pending")._bigcommerce_refetch_payload(requested)
        return job or lines.job_id

    def _bigcommerce_wants(self, order):
        """Whether a BigCommerce order (raw dict) not imported yet is one this store imports."""
        if str(order.get("status_id")) not in self.import_status_ids.mapped("bc_id"):
            return False
        created = parse_datetime(order.get("date_created"))
        return not (self.import_orders_after and created and _to_naive_utc(created) < self.import_orders_after)

    # ------------------------------------------------------------------ processing
    def _bigcommerce_import_order(self, payload, line):
        """Create or update the sale order of one BigCommerce order. ``payload``: the order as
        listed (line items embedded) or ``{"order_id", "requested"}``. Returns the sale order,
        or None when the order is not one this store imports."""
        self.ensure_one()
        order = payload if "consignments" in payload else self._bigcommerce_fetch_order(payload["order_id"])
        sale_order = self._bigcommerce_lock_sale_order(order["id"])
        if not sale_order and not payload.get("requested") and not self._bigcommerce_wants(order):
            line._log(_("Order #%(id)s is in status “%(status)s”, which this store does not import: skipped.",
                        id=order["id"], status=order.get("status") or order.get("status_id")))
            return None
        currency = self._bigcommerce_currency(order)
        # The gateway is chosen once, when the order is created.
        transactions = None if sale_order else self._bigcommerce_gateway_transactions(order, line)
        try:
            bc_order = map_order(order, transactions=transactions, currency_decimals=currency.decimal_places)
        except ValueError:
            # Listed without its line items (an older payload): the order itself embeds them.
            order = self._bigcommerce_fetch_order(order["id"])
            bc_order = map_order(order, transactions=transactions, currency_decimals=currency.decimal_places)
        # A cancellation is acted on once, when it is new: a person may have decided since.
        was_cancelled = store_outcome((sale_order.bigcommerce_snapshot or {}).get("status_id")) == "cancelled"
        if sale_order:
            self._bigcommerce_update_sale_order(sale_order, bc_order, line)
        else:
            sale_order = self._bigcommerce_create_sale_order(bc_order, currency, line)
        if store_outcome(bc_order.status_id) == "cancelled":
            if not was_cancelled:
                self._bigcommerce_apply_cancellation(sale_order, line)
        elif sale_order.state != "cancel":
            self._bigcommerce_run_workflow(sale_order, bc_order, line)
        return sale_order

    def _bigcommerce_gateway_transactions(self, order, line):
        """The order's transactions when only they tell which gateway took the money (card
        orders all say "Credit Card"), else None: no call for the orders that name theirs."""
        if not gateway_needs_transactions(order):
            return None
        with self._bigcommerce_client() as client:
            try:
                return list(client.iter_order_transactions(order["id"]))
            except PermissionDeniedError as error:
                line._log(_("The gateway of order #%(id)s is the generic “%(method)s”: %(error)s Until then, card "
                            "orders of every processor share one gateway and one workflow.",
                            id=order["id"], method=order.get("payment_method"),
                            error=translate(self.env, error.user_message)),
                          level="warning")
                return None

    def _bigcommerce_apply_cancellation(self, sale_order, line):
        """An order cancelled in BigCommerce is cancelled in Odoo while nothing left the
        warehouse and nothing was invoiced; otherwise a person decides, told by an activity."""
        if sale_order.state == "cancel":
            return
        delivered = any(picking.state == "done" for picking in sale_order.picking_ids)
        invoiced = any(move.state == "posted" for move in sale_order.invoice_ids)
        if can_cancel_in_odoo(delivered, invoiced):
            sale_order._action_cancel()
            message = _("%(order)s cancelled: BigCommerce order #%(id)s is cancelled.",
                        order=sale_order.name, id=sale_order.bigcommerce_order_id)
            sale_order._message_log(body=message)
            line._log(message, record=sale_order)
            return
        user = sale_order.user_id or self.user_id or self.create_uid
        sale_order.activity_schedule(
            "mail.mail_activity_data_todo", summary=_("Cancelled in BigCommerce"), user_id=user.id,
            note=_("BigCommerce order #%(id)s was cancelled there, but this order already has done deliveries or "
                   "posted invoices. Decide on a return or a credit note, then cancel what is left.",
                   id=sale_order.bigcommerce_order_id))
        line._log(_("%(order)s: BigCommerce order #%(id)s is cancelled, but it has done deliveries or posted "
                    "invoices, so it was not cancelled in Odoo. An activity asks %(user)s to decide.",
                    order=sale_order.name, id=sale_order.bigcommerce_order_id, user=user.name),
                  level="warning", record=sale_order)

    def _bigcommerce_fetch_order(self, order_id):
        with self._bigcommerce_client() as client:
            try:
                return client.get_order(order_id)
            except NotFoundError:
                raise UserError(_("Order #%(id)s does not exist in BigCommerce (deleted, or another store's number). "
                                  "Cancel this queue line.", id=order_id)) from None

    def _bigcommerce_lock_sale_order(self, order_id):
        """The sale order of ``order_id``, locked until the end of the transaction: a second
        worker on the same order waits, then retries (the queue retries lock and unique errors)."""
        self.env["sale.order"].flush_model(["bigcommerce_instance_id", "bigcommerce_order_id"])
        self.env.cr.execute(SQL(
            "SELECT id FROM sale_order WHERE bigcommerce_instance_id = %s AND bigcommerce_order_id = %s FOR UPDATE",
            self.id, str(order_id)))
        row = self.env.cr.fetchone()
        return self.env["sale.order"].browse(row[0]) if row else self.env["sale.order"]

    def _bigcommerce_create_sale_order(self, bc_order, currency, line):
        customer, invoice_contact, shipping_contacts = self._bigcommerce_partners(bc_order)
        gateway = self.env["bc.payment.gateway"]._find_or_create(self, bc_order.gateway, bc_order.gateway_name)
        products = self._bigcommerce_products(bc_order)
        taxes = {}
        order_lines = []
        for bc_line in bc_order.lines:
            key = (bc_line.tax_rate, bc_line.tax_class_id)
            if key not in taxes:
                taxes[key] = self._bigcommerce_taxes(bc_line, bc_order.tax_inclusive)
            order_lines.append(Command.create(self._bigcommerce_line_vals(bc_line, products, taxes[key],
                                                                          lang=customer.lang)))
        first_shipping = shipping_contacts[bc_order.shipping_addresses[0].id] if bc_order.shipping_addresses else invoice_contact
        vals = {
            "partner_id": customer.id,
            "partner_invoice_id": invoice_contact.id,
            "partner_shipping_id": first_shipping.id,
            # BigCommerce computed the taxes: a fiscal position must not remap them.
            "fiscal_position_id": False,
            "pricelist_id": self._bigcommerce_pricelist(currency).id,
            "company_id": self.company_id.id,
            "date_order": _to_naive_utc(bc_order.date_created) or fields.Datetime.now(),
            "origin": _("BigCommerce #%(id)s", id=bc_order.order_id),
            "note": bc_order.customer_message or False,
            "bigcommerce_instance_id": self.id,
            "bigcommerce_order_id": str(bc_order.order_id),
            "bigcommerce_gateway_id": gateway.id,
            "order_line": order_lines,
            **self._bigcommerce_status_vals(bc_order),
        }
        if self.warehouse_id:
            vals["warehouse_id"] = self.warehouse_id.id
        if self.team_id:
            vals["team_id"] = self.team_id.id
        # Never the user running the import (OdooBot for scheduled ones): My Quotations would hide the order.
        vals["user_id"] = (self.user_id or customer.user_id or customer.commercial_partner_id.user_id).id
        sale_order = self.env["sale.order"].create(vals)
        sale_order._message_log(body=_("Imported from BigCommerce order #%(id)s (%(status)s, payment: %(payment)s).",
                                       id=bc_order.order_id, status=bc_order.status,
                                       payment=bc_order.payment_status or _("none")))
        line._log(_("Order #%(id)s imported as %(order)s.", id=bc_order.order_id, order=sale_order.name),
                  record=sale_order)
        self._bigcommerce_check_totals(sale_order, bc_order, line)
        return sale_order

    def _bigcommerce_status_vals(self, bc_order):
        return {
            "bigcommerce_status": bc_order.status,
            "bigcommerce_status_id": bc_order.status_id,
            "bigcommerce_payment_status": normalize_payment_status(bc_order.payment_status)
            if normalize_payment_status(bc_order.payment_status) in dict(PAYMENT_STATUSES) else False,
            "bigcommerce_channel_id": bc_order.channel_id,
            "bigcommerce_snapshot": order_snapshot(bc_order),
        }

    def _bigcommerce_update_sale_order(self, sale_order, bc_order, line):
        changes = order_changes(sale_order.bigcommerce_snapshot or {}, bc_order)
        vals = self._bigcommerce_status_vals(bc_order)
        if any(key == "billing_address" or key.startswith("shipping_address/") for key in changes):
            delivered = any(picking.state == "done" for picking in sale_order.picking_ids)
            if can_update_addresses(delivered):
                customer, invoice_contact, shipping_contacts = self._bigcommerce_partners(bc_order)
                vals["partner_invoice_id"] = invoice_contact.id
                if bc_order.shipping_addresses:
                    vals["partner_shipping_id"] = shipping_contacts[bc_order.shipping_addresses[0].id].id
            else:
                shipping_contacts = {}
                message = _("%(order)s: the addresses changed in BigCommerce after a delivery was done, so they are "
                            "not applied: the Odoo order keeps the addresses it was delivered to.",
                            order=sale_order.name)
                sale_order._message_log(body=message)
                line._log(message, level="warning", record=sale_order)
        # The open deliveries follow the new address (sale_stock would only schedule an activity).
        sale_order.with_context(update_delivery_shipping_partner=True).write(vals)
        if vals.get("partner_shipping_id"):
            for picking in self._bigcommerce_open_deliveries(sale_order):
                address_id = picking.move_ids.sale_line_id[:1].bigcommerce_order_address_id
                picking.partner_id = shipping_contacts.get(address_id) or vals["partner_shipping_id"]
        shipped = {bc_line.order_product_id: bc_line.quantity_shipped for bc_line in bc_order.lines if bc_line.order_product_id}
        for order_line in sale_order.order_line.filtered("bigcommerce_order_product_id"):
            if order_line.bigcommerce_order_product_id in shipped:
                order_line.bigcommerce_quantity_shipped = float(shipped[order_line.bigcommerce_order_product_id])
        if changes:
            items = Markup("").join(Markup("<li>%s: %s → %s</li>") % (name, old or "-", new or "-")
                                    for name, (old, new) in changes.items())
            sale_order._message_log(body=Markup("%s<ul>%s</ul>") % (_("Changed in BigCommerce:"), items))
            line._log(_("Order #%(id)s updated: %(changes)s changed.", id=bc_order.order_id,
                        changes=", ".join(changes)), record=sale_order)

    # ------------------------------------------------------------------ customers
    def _bigcommerce_partners(self, bc_order):
        """(customer, invoice contact, {order_address_id: delivery contact})."""
        billing = bc_order.billing_address
        if bc_order.is_guest:
            customer = self.guest_partner_id
            invoice_contact = self._bigcommerce_contact(billing, customer, "invoice" if customer else "contact")
            customer = customer or invoice_contact
        else:
            customer = self._bigcommerce_customer(bc_order.customer_id, billing)
            invoice_contact = self._bigcommerce_contact(billing, customer, "invoice")
        shipping_contacts = {shipping.id: self._bigcommerce_contact(shipping.address, customer, "delivery")
                             for shipping in bc_order.shipping_addresses}
        return customer, invoice_contact, shipping_contacts

    def _bigcommerce_customer(self, customer_id, billing):
        binding = self.env["bc.customer.binding"].search(
            [("instance_id", "=", self.id), ("bigcommerce_customer_id", "=", customer_id)], limit=1)
        if binding:
            return binding.partner_id
        partner = self._bigcommerce_find_contact(billing, [("type", "=", "contact")])
        if not partner:
            vals = self._bigcommerce_address_vals(billing)
            if self.create_company_contact and billing.company:
                vals["parent_id"] = self._bigcommerce_company(billing.company).id
            partner = self.env["res.partner"].create(vals)
        self.env["bc.customer.binding"].create(
            {"instance_id": self.id, "bigcommerce_customer_id": customer_id, "partner_id": partner.id})
        return partner

    def _bigcommerce_company(self, name):
        Partner = self.env["res.partner"]
        return (Partner.search([("is_company", "=", True), ("name", "=ilike", name),
                                ("company_id", "in", [False, self.company_id.id])], limit=1)
                or Partner.create({"name": name, "is_company": True}))

    def _bigcommerce_contact(self, address, parent, contact_type):
        """The contact for ``address`` under ``parent`` (or a top-level one), found by
        ``address_match_key`` or created."""
        if parent and parent.bigcommerce_address_key == address_match_key(address):
            return parent
        contact = self._bigcommerce_find_contact(address, [("parent_id", "=", parent.id or False)])
        if not contact:
            contact = self.env["res.partner"].create(dict(
                self._bigcommerce_address_vals(address), parent_id=parent.id or False, type=contact_type))
        return contact

    def _bigcommerce_find_contact(self, address, domain):
        """A contact within ``domain`` for ``address``: one created from the same BigCommerce
        address, else one entered in Odoo with the same email, name and postal address."""
        Partner = self.env["res.partner"]
        domain = [*domain, ("company_id", "in", [False, self.company_id.id])]
        contact = Partner.search([*domain, ("bigcommerce_address_key", "=", address_match_key(address))], limit=1)
        if contact or not address.email:
            return contact
        vals = self._bigcommerce_address_vals(address)
        for name in ("email", "name", "street", "street2", "city", "zip"):
            domain.append((name, "=ilike", escape_psql(vals[name])) if vals[name] else (name, "in", [False, ""]))
        contact = Partner.search([*domain, ("country_id", "=", vals["country_id"])], limit=1)
        if contact and not contact.bigcommerce_address_key:
            # Remembered, so that the same address on this order and the next ones is this contact.
            contact.bigcommerce_address_key = vals["bigcommerce_address_key"]
        return contact

    def _bigcommerce_address_vals(self, address):
        country = address.country_iso2 and self.env["res.country"].search(
            [("code", "=", address.country_iso2)], limit=1)
        state = self.env["res.country.state"]
        if country and address.state:
            code = match_state(address.state, [(s.code, s.name) for s in country.state_ids])
            state = country.state_ids.filtered(lambda s: s.code == code)[:1]
        return {
            "name": display_name(address) or _("BigCommerce customer"),
            "street": address.street_1 or False,
            "street2": address.street_2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id if country else False,
            "state_id": state.id or False,
            "phone": address.phone or False,
            "email": address.email or False,
            "bigcommerce_address_key": address_match_key(address),
        }

    # ------------------------------------------------------------------ lines
    def _bigcommerce_products(self, bc_order):
        """{order product id: Odoo product} for the catalog and custom lines.

        A product is found by its BigCommerce product and variant id (the store's product
        mappings), then by SKU (Internal Reference), and a SKU match is remembered as a
        mapping. A UserError names every catalog SKU Odoo lacks."""
        lines = [line for line in bc_order.lines if line.kind in ("product", "custom")]
        if any(line.kind == "product" and not line.sku for line in lines):
            raise UserError(_("BigCommerce order #%(id)s has a catalog product without SKU: give it a SKU in "
                              "BigCommerce, then use Retry on this queue line.", id=bc_order.order_id))
        Binding = self.env["bc.product.binding"]
        bindings = Binding.search([("instance_id", "=", self.id),
                                   ("bc_variant_id", "in", [line.variant_id for line in lines if line.variant_id])])
        by_variant = {(binding.bc_product_id, binding.bc_variant_id): binding.product_id for binding in bindings}
        found = {line.order_product_id: by_variant[line.product_id, line.variant_id]
                 for line in lines if (line.product_id, line.variant_id) in by_variant}
        archived = [(line, product) for line in lines if (product := found.get(line.order_product_id))
                    and not product.active]
        if archived:
            raise UserError(_(
                "BigCommerce order #%(id)s has %(lines)s, mapped to an archived Odoo product. Restore the product, "
                "or point its product mapping at the product now sold, then use Retry on this queue line.",
                id=bc_order.order_id, lines=", ".join(self.env._("“%(sku)s” (mapped to %(product)s)", sku=line.sku,
                                                        product=product.display_name) for line, product in archived)))
        unbound = [line for line in lines if line.order_product_id not in found and line.sku]
        by_sku = {}
        for product in self.env["product.product"].search([
                ("default_code", "in", list({line.sku for line in unbound})), ("active", "=", True),
                ("company_id", "in", [False, self.company_id.id])]):
            by_sku.setdefault(product.default_code, product)
        new_bindings = {}
        for line in unbound:
            product = by_sku.get(line.sku)
            if not product:
                continue
            found[line.order_product_id] = product
            if line.kind == "product" and line.product_id and line.variant_id:
                new_bindings[line.product_id, line.variant_id] = {
                    "instance_id": self.id, "product_id": product.id, "bc_product_id": line.product_id,
                    "bc_variant_id": line.variant_id, "sku": line.sku}
        Binding.create(list(new_bindings.values()))
        missing = [line for line in lines if line.kind == "product" and line.order_product_id not in found]
        if missing:
            raise ShortcutError(_(
                "No Odoo product has the SKU %(skus)s (BigCommerce order #%(id)s). Create the product with this "
                "Internal Reference (the Create Product shortcut fills it in), then use Retry on this queue line.",
                skus=", ".join(f"“{line.sku}” ({line.name})" for line in missing), id=bc_order.order_id),
                _("Create Product"), _new_record_action(_("Create Product"), "product.product", {
                    "default_name": missing[0].name, "default_default_code": missing[0].sku,
                    "default_type": "consu", "default_is_storable": True, "default_sale_ok": True}))
        return found

    def _bigcommerce_line_vals(self, bc_line, products, taxes, lang=None):
        product = products.get(bc_line.order_product_id) if bc_line.kind in ("product", "custom") else None
        if not product:
            product = self._bigcommerce_service_product(bc_line.kind)
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

    def _bigcommerce_service_product(self, kind):
        field, name = SERVICE_PRODUCTS[kind]
        product = self[field]
        if not product:
            product = self.env["product.product"].create({
                "name": name, "type": "service", "invoice_policy": "order", "sale_ok": True, "purchase_ok": False,
                "taxes_id": [Command.clear()], "company_id": self.company_id.id,
            })
            self.sudo()[field] = product
        return product

    def _bigcommerce_taxes(self, bc_line, tax_inclusive):
        """The Odoo sales taxes of a line: those mapped to its tax class, else the tax with
        BigCommerce's rate and the order's pricing, created when the company has none."""
        if bc_line.tax_class_id is not None:
            tax_class = self.tax_class_ids.filtered(lambda tax_class: tax_class.bc_id == str(bc_line.tax_class_id))
            if tax_class.tax_ids:
                return tax_class.tax_ids
        Tax = self.env["account.tax"]
        if not bc_line.tax_rate:
            return Tax
        tax = Tax.search([
            ("company_id", "=", self.company_id.id), ("type_tax_use", "=", "sale"), ("amount_type", "=", "percent"),
            ("amount", "=", float(bc_line.tax_rate)), ("price_include", "=", tax_inclusive),
        ], limit=1)
        if not tax:
            label = _("incl.") if tax_inclusive else _("excl.")
            vals = {
                "name": _("BigCommerce %(rate)s%% (%(pricing)s)", rate=_percent(bc_line.tax_rate), pricing=label),
                "amount": float(bc_line.tax_rate), "amount_type": "percent", "type_tax_use": "sale",
                "price_include_override": "tax_included" if tax_inclusive else "tax_excluded",
                "company_id": self.company_id.id,
            }
            country = self.company_id.account_fiscal_country_id or self.company_id.country_id
            if not country:
                raise UserError(_("Odoo needs a %(rate)s%% sales tax for BigCommerce's lines, and taxes need the "
                                  "country of the company %(company)s: set it, then use Retry on this queue line.",
                                  rate=_percent(bc_line.tax_rate), company=self.company_id.name))
            vals["country_id"] = country.id
            vals["tax_group_id"] = self._bigcommerce_tax_group(country, bc_line.tax_rate).id
            tax = Tax.sudo().create(vals).sudo(False)
        return tax

    def _bigcommerce_tax_group(self, country, rate):
        """The tax group named after the rate (the order's totals show tax per group, so another
        rate's group would print a wrong percentage), created when the company has none."""
        name = _("Tax %(rate)s%%", rate=_percent(rate))
        TaxGroup = self.env["account.tax.group"].sudo()
        domain = [("company_id", "=", self.company_id.id), ("country_id", "in", [False, country.id])]
        return TaxGroup.search(domain + [("name", "=", name)], limit=1) or TaxGroup.create({
            "name": name, "company_id": self.company_id.id, "country_id": country.id})

    def _bigcommerce_currency(self, order):
        code = order.get("default_currency_code") or order.get("currency_code") or self.company_id.currency_id.name
        currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
        if not currency:
            raise UserError(_("BigCommerce order #%(id)s is in %(code)s, a currency Odoo does not know. "
                              "Create the currency in Odoo, then use Retry on this queue line.",
                              id=order.get("id"), code=code))
        if not currency.active:
            currency.sudo().active = True
        return currency

    def _bigcommerce_pricelist(self, currency):
        if self.pricelist_id.currency_id == currency:
            return self.pricelist_id
        Pricelist = self.env["product.pricelist"]
        pricelist = Pricelist.search([("currency_id", "=", currency.id),
                                      ("company_id", "in", [False, self.company_id.id])], limit=1)
        return pricelist or Pricelist.create({
            "name": _("BigCommerce %(currency)s", currency=currency.name),
            "currency_id": currency.id, "company_id": self.company_id.id,
        })

    def _bigcommerce_check_totals(self, sale_order, bc_order, line):
        differences = totals_difference(bc_order, sale_order.amount_untaxed, sale_order.amount_tax,
                                        sale_order.amount_total)
        if not differences:
            return
        labels = {"untaxed": _("untaxed amount"), "tax": _("taxes"), "total": _("total")}
        # Decimals shown in the order's currency (float only for display, never for arithmetic).
        text = "; ".join(self.env._("%(what)s %(bigcommerce)s in BigCommerce, %(odoo)s in Odoo", what=labels[name],
                                    bigcommerce=format_amount(self.env, float(expected), sale_order.currency_id),
                                    odoo=format_amount(self.env, float(actual), sale_order.currency_id))
                         for name, (expected, actual) in differences.items())
        message = _("The totals of %(order)s differ from BigCommerce order #%(id)s: %(text)s. Check the taxes and "
                    "prices of its lines before confirming it.", order=sale_order.name, id=bc_order.order_id, text=text)
        sale_order.bigcommerce_totals_mismatch = text
        sale_order._message_log(body=message)
        line._log(message, level="warning", record=sale_order)

    # ------------------------------------------------------------------ workflow
    def _bigcommerce_run_workflow(self, sale_order, bc_order, line):
        """Run the steps of the workflow configured for the order's gateway and payment
        status, each logged. Without a workflow a quotation stays one, with a log line
        whose shortcut opens a pre-filled workflow form."""
        gateway = sale_order.bigcommerce_gateway_id
        status = normalize_payment_status(bc_order.payment_status)
        workflow = self.env["bc.financial.workflow"]._resolve(self, gateway, status)
        if not workflow:
            if sale_order.state in ("draft", "sent"):
                sale_order.bigcommerce_workflow_state = "waiting"
                line._log(
                    _("%(order)s stays a quotation: no financial workflow for gateway “%(gateway)s” and payment "
                      "status “%(status)s”. Configure one, then click Run Workflow Again on the order.",
                      order=sale_order.name, gateway=gateway.name, status=status),
                    level="warning", record=sale_order, action_label=_("Configure Workflow"),
                    action_data=self._bigcommerce_workflow_action(gateway, status))
            else:
                self._bigcommerce_apply_shipments(sale_order, bc_order, line)
            return
        steps = [
            ("confirm_order", self._bigcommerce_step_confirm),
            ("validate_delivery", self._bigcommerce_step_validate_delivery),
            ("create_invoice", self._bigcommerce_step_create_invoice),
            ("post_invoice", self._bigcommerce_step_post_invoice),
            ("register_payment", self._bigcommerce_step_register_payment),
        ]
        for step, run in steps:
            if not workflow[step]:
                continue
            try:
                with self.env.cr.savepoint():
                    done = run(sale_order, bc_order, workflow, line)
            except UserError as error:
                message = _("%(order)s: workflow step “%(step)s” failed: %(error)s Fix it in Odoo, then click Run "
                            "Workflow Again on the order (or finish the order by hand).", order=sale_order.name,
                            step=workflow._fields[step].string, error=error.args[0])
                sale_order.bigcommerce_workflow_state = "failed"
                sale_order._message_log(body=message)
                line._log(message, level="error", record=sale_order)
                return
            if done:
                line._log(_("%(order)s: %(step)s done (workflow %(workflow)s).", order=sale_order.name,
                            step=workflow._fields[step].string, workflow=workflow.display_name), record=sale_order)
        sale_order.bigcommerce_workflow_state = "done"
        if sale_order.state == "sale" and not workflow.confirm_order:
            self._bigcommerce_apply_shipments(sale_order, bc_order, line)

    def _bigcommerce_workflow_action(self, gateway, status):
        return _new_record_action(_("Configure Workflow"), "bc.financial.workflow", {
            "default_instance_id": self.id, "default_gateway_id": gateway.id, "default_payment_status": status})

    def _bigcommerce_step_confirm(self, sale_order, bc_order, workflow, line):
        confirmed = False
        if sale_order.state in ("draft", "sent"):
            if sale_order.bigcommerce_totals_mismatch:
                raise UserError(_("its totals differ from BigCommerce's (%(text)s), so it is not confirmed.",
                                  text=sale_order.bigcommerce_totals_mismatch))
            sale_order.action_confirm()
            self._bigcommerce_split_deliveries(sale_order, bc_order)
            confirmed = True
        self._bigcommerce_apply_shipments(sale_order, bc_order, line)
        return confirmed

    def _bigcommerce_open_deliveries(self, sale_order):
        return sale_order.picking_ids.filtered(
            lambda picking: picking.picking_type_code == "outgoing" and picking.state not in ("done", "cancel"))

    def _bigcommerce_split_deliveries(self, sale_order, bc_order):
        """One delivery per BigCommerce shipping address, to that address's contact."""
        groups = delivery_groups(bc_order)
        if len(groups) < 2:
            return
        _customer, _invoice, contacts = self._bigcommerce_partners(bc_order)
        for picking in self._bigcommerce_open_deliveries(sale_order):
            first = True
            for group in groups:
                moves = picking.move_ids.filtered(
                    lambda move, group=group: move.sale_line_id.bigcommerce_order_address_id == group.order_address_id)
                if not moves:
                    continue
                partner = contacts[group.order_address_id]
                if first:
                    picking.partner_id = partner
                    first = False
                    continue
                new_picking = picking.copy({"move_ids": [], "move_line_ids": [], "partner_id": partner.id})
                moves.write({"picking_id": new_picking.id, "partner_id": partner.id})
                moves.move_line_ids.write({"picking_id": new_picking.id})

    def _bigcommerce_apply_shipments(self, sale_order, bc_order, line):
        """Deliver in Odoo what BigCommerce shipped and Odoo has not delivered yet; the rest
        stays in a backorder. Returns the validated deliveries."""
        everything = bc_order.status_id in DELIVERED_STATUS_IDS
        shipped = {bc_line.order_product_id: bc_line.quantity if everything else bc_line.quantity_shipped
                   for bc_line in bc_order.lines if bc_line.order_product_id}
        validated = self.env["stock.picking"]
        for picking in self._bigcommerce_open_deliveries(sale_order):
            to_validate = False
            for move in picking.move_ids.filtered(lambda move: move.state not in ("done", "cancel")):
                order_line = move.sale_line_id
                rounding = move.product_uom.rounding
                left = float(shipped.get(order_line.bigcommerce_order_product_id, 0)) - order_line.qty_delivered
                quantity = min(max(left, 0.0), move.product_uom_qty)
                move.quantity = quantity
                move.picked = not float_is_zero(quantity, precision_rounding=rounding)
                to_validate = to_validate or move.picked
            if to_validate:
                picking.with_context(bigcommerce_shipped_in_store=True)._bigcommerce_validate(backorder=True)
                validated |= picking
        if validated:
            line._log(_("%(order)s: delivered %(pickings)s as shipped in BigCommerce.", order=sale_order.name,
                        pickings=", ".join(validated.mapped("name"))), record=sale_order)
        return validated

    def _bigcommerce_step_validate_delivery(self, sale_order, bc_order, workflow, line):
        pickings = self._bigcommerce_open_deliveries(sale_order)
        for move in pickings.move_ids.filtered(lambda move: move.state not in ("done", "cancel")):
            move.quantity = move.product_uom_qty
            move.picked = True
        pickings._bigcommerce_validate(backorder=False)
        return bool(pickings)

    def _bigcommerce_step_create_invoice(self, sale_order, bc_order, workflow, line):
        if sale_order.invoice_status != "to invoice":
            return False
        sale_order._create_invoices()
        return True

    def _bigcommerce_step_post_invoice(self, sale_order, bc_order, workflow, line):
        drafts = sale_order.invoice_ids.filtered(lambda move: move.state == "draft")
        drafts.action_post()
        return bool(drafts)

    def _bigcommerce_step_register_payment(self, sale_order, bc_order, workflow, line):
        unpaid = sale_order.invoice_ids.filtered(
            lambda move: move.state == "posted" and move.payment_state in ("not_paid", "partial"))
        if not unpaid:
            return False
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=unpaid.ids,
        ).create({"journal_id": workflow.journal_id.id})._create_payments()
        return True

    # ------------------------------------------------------------------ webhooks
    def _bigcommerce_webhook_url(self):
        base_url = (self.env["ir.config_parameter"].sudo().get_param("web.base.url") or "").rstrip("/")
        url = base_url + WEBHOOK_ROUTE % self.id
        parsed = urlsplit(url)
        # BigCommerce delivers only to HTTPS on port 443; the sandbox accepts any address.
        if self.api_url == DEFAULT_API_URL and (parsed.scheme != "https" or parsed.port not in (None, 443)):
            raise UserError(_(
                "BigCommerce sends webhooks only to an https address on port 443, and this database's address is "
                "%(url)s. Set the system parameter web.base.url to the public https address of this Odoo, then "
                "try again.", url=base_url or _("not set")))
        return url

    def action_check_webhooks(self):
        return self._bigcommerce_sync_webhooks(reactivate=False, create=False)

    def action_register_webhooks(self):
        return self._bigcommerce_sync_webhooks(reactivate=False)

    def action_repair_webhooks(self):
        return self._bigcommerce_sync_webhooks(reactivate=True)

    def _bigcommerce_sync_webhooks(self, reactivate, create=True):
        """Create the order webhooks BigCommerce lacks for this database (unless ``create`` is
        off: only check); with ``reactivate``, switch back on those BigCommerce deactivated
        (after 48 h of failures or 90 idle days). The store's webhook list shows the result."""
        self.ensure_one()
        if not self.sudo().client_secret:
            raise UserError(_("Enter the client secret of the store's API account first: BigCommerce signs "
                              "webhooks with it, and unsigned webhooks are refused."))
        destination = self._bigcommerce_webhook_url()
        with self._user_errors(), self._bigcommerce_client() as client:
            existing = {hook["scope"]: hook for hook in client.iter_webhooks()
                        if hook.get("destination") == destination}
            report = []
            webhooks = []
            for scope in ORDER_WEBHOOK_SCOPES:
                hook = existing.get(scope)
                if not hook and not create:
                    report.append(_("%(scope)s: missing (use Register Webhooks)", scope=scope))
                elif not hook:
                    hook = client.create_webhook(scope, destination)
                    report.append(_("%(scope)s: created", scope=scope))
                elif not hook.get("is_active") and reactivate:
                    hook = client.update_webhook(hook["id"], {"is_active": True})
                    report.append(_("%(scope)s: reactivated", scope=scope))
                elif not hook.get("is_active"):
                    report.append(_("%(scope)s: inactive (use Repair Webhooks)", scope=scope))
                else:
                    report.append(_("%(scope)s: active", scope=scope))
                webhooks.append(Command.create({
                    "scope": scope, "bigcommerce_id": hook and hook.get("id") or 0, "destination": destination,
                    "state": "missing" if not hook else "active" if hook.get("is_active") else "inactive",
                    "checked_at": fields.Datetime.now(),
                }))
        self.webhook_ids = [Command.clear(), *webhooks]
        summary = _("Destination: %(url)s", url=destination) + "\n" + "\n".join(report)
        self.env["marketplace.log"]._log(self.marketplace_instance_id, summary, operation="webhooks")
        all_active = all(webhook.state == "active" for webhook in self.webhook_ids)
        return self.env["marketplace.queue.job"]._notification(
            _("Webhooks active") if all_active else _("Webhooks need attention"), " · ".join(report),
            notification_type="success" if all_active else "warning")
