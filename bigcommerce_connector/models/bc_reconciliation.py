"""Reconciliation of a store for a date range: what BigCommerce's list endpoints say against
what Odoo holds, each disagreement a ``bc.reconciliation.difference`` with the action that fixes
it. The rule is the pure core's (``bigcommerce/reconciliation.py``); this reads both sides in
bulk, never a BigCommerce call per order, and replaces the store's differences of the range."""
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_repr

from ..bigcommerce.reconciliation import (
    KINDS, CreditNote, OdooOrder, reconcile, stock_differences,
)

# Where a difference's fix lives: fix code -> the method of bc.reconciliation.difference running it.
FIXES = {
    "missing_in_odoo": "import_order",
    "not_invoiced": "run_workflow",
    "invoice_not_posted": "run_workflow",
    "paid_no_payment": "run_workflow",
    "delivered_no_shipment": "push_shipment",
    "refund_no_credit_note": "import_refund",
    "stock_differs": "export_stock",
}


def _decimal(value, digits):
    return Decimal(float_repr(value or 0.0, digits))


class BigCommerceReconciliation(models.Model):
    _name = "bc.reconciliation"
    _description = "BigCommerce Reconciliation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade",
                                  check_company=True)
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    date_from = fields.Date(string="From", required=True, default=lambda self: fields.Date.context_today(self).replace(day=1))
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft", required=True, readonly=True)
    run_at = fields.Datetime(string="Reconciled On", readonly=True)
    scheduled = fields.Boolean(readonly=True, help="Run by the store's daily scheduled action.")
    order_count = fields.Integer(string="BigCommerce Orders", readonly=True)
    refund_count = fields.Integer(string="BigCommerce Refunds", readonly=True)
    sku_count = fields.Integer(string="SKUs Compared", readonly=True)
    call_count = fields.Integer(string="BigCommerce Calls", readonly=True)
    difference_count = fields.Integer(string="Differences", readonly=True)
    new_difference_count = fields.Integer(string="New Differences", readonly=True,
                                          help="Differences the store's previous runs over these days had not found.")
    difference_ids = fields.One2many("bc.reconciliation.difference", "reconciliation_id", string="Difference Records")

    _sql_constraints = [("dates", "CHECK(date_from <= date_to)", "The range must end on or after its first day.")]

    @api.depends("instance_id", "date_from", "date_to")
    def _compute_display_name(self):
        for run in self:
            run.display_name = _("%(store)s, %(start)s to %(end)s", store=run.instance_id.name,
                                 start=run.date_from, end=run.date_to)

    def action_reconcile(self):
        """The Reconcile button: compare, then show what differs."""
        self.ensure_one()
        with self.instance_id._user_errors():
            self._reconcile()
        return self.action_open_differences()

    def action_open_differences(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("bigcommerce_connector.bc_reconciliation_difference_action")
        action["domain"] = [("instance_id", "=", self.instance_id.id)]
        action["context"] = {"search_default_group_kind": 1}
        return action

    # ------------------------------------------------------------------ the run
    def _zone(self):
        """The store's timezone (UTC when BigCommerce gave none): the range's days are the store's."""
        try:
            return ZoneInfo(self.instance_id.store_timezone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return timezone.utc

    def _bounds(self):
        """The range as aware UTC datetimes: its first day's start to its last day's end."""
        zone = self._zone()
        start = datetime.combine(self.date_from, time.min, tzinfo=zone)
        end = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=zone) - timedelta(seconds=1)
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)

    def _reconcile(self):
        """Read both sides, then replace the store's differences of the range (and its stock
        differences) with those found now: solved ones disappear. Returns the new ones."""
        self.ensure_one()
        instance = self.instance_id
        start, end = self._bounds()
        calls = []
        with instance._bigcommerce_client(on_call=calls.append) as client:
            orders = [order for page in client.iter_order_pages(include=None, min_date_created=start,
                                                                max_date_created=end) for order in page]
            refunds = list(client.iter_refunds(created_min=start, created_max=end))
            stock, sku_count = self._stock_differences(client)
        credit_notes = self._credit_notes()
        odoo_orders = self._odoo_orders({str(order["id"]) for order in orders}
                                        | {str(refund.get("order_id")) for refund in refunds}
                                        | {note.order_ref for note in credit_notes})
        imported_after = instance.import_orders_after
        found = reconcile(orders, refunds, odoo_orders, credit_notes,
                          imported_status_ids=instance.import_status_ids.mapped("bc_id"),
                          imported_after=imported_after and imported_after.replace(tzinfo=timezone.utc)) + stock
        Difference = self.env["bc.reconciliation.difference"]
        previous = Difference.search([("instance_id", "=", instance.id), "|", ("kind", "=", "stock_differs"),
                                      "&", ("date", ">=", start.replace(tzinfo=None)),
                                      ("date", "<=", end.replace(tzinfo=None))])
        known = {difference._key() for difference in previous}
        previous.unlink()
        differences = Difference.create([self._difference_vals(difference) for difference in found])
        new = differences.filtered(lambda difference: difference._key() not in known)
        self.write({
            "state": "done", "run_at": fields.Datetime.now(), "order_count": len(orders), "refund_count": len(refunds),
            "sku_count": sku_count, "call_count": len(calls), "difference_count": len(differences),
            "new_difference_count": len(new),
        })
        instance._log(_("Reconciliation of %(run)s: %(count)s differences (%(new)s new) in %(orders)s orders, "
                        "%(refunds)s refunds and %(skus)s SKUs, read in %(calls)s BigCommerce calls.",
                        run=self.display_name, count=len(differences), new=len(new), orders=len(orders),
                        refunds=len(refunds), skus=sku_count, calls=len(calls)),
                      level="warning" if differences else "info", record=self)
        return new

    def _stock_differences(self, client):
        """The stock differences of every location whose stock Odoo exports, and the SKUs compared."""
        instance = self.instance_id
        differences, compared = [], 0
        for location in instance.location_ids.filtered("export_stock"):
            items = list(client.iter_location_inventory(location.bc_id))
            products = instance._products_by_sku((item.get("identity") or {}).get("sku") for item in items)
            quantities = instance._export_quantities(
                instance._odoo_stock_locations(location),
                self.env["product.product"].browse([product.id for product in products.values()]))
            differences += stock_differences(location.bc_id, items,
                                             {sku: quantities[product.id] for sku, product in products.items()})
            compared += len(products)
        return differences, compared

    def _odoo_orders(self, order_refs):
        """{BigCommerce order id: OdooOrder} of the store's sale orders among ``order_refs``, read in
        a few grouped queries whatever their number."""
        SaleOrder = self.env["sale.order"]
        orders = SaleOrder.search_fetch(
            [("bigcommerce_instance_id", "=", self.instance_id.id), ("bigcommerce_order_id", "in", list(order_refs))],
            ["bigcommerce_order_id", "state", "amount_untaxed", "amount_tax", "currency_id",
             "bigcommerce_recorded_refund_ids"])
        if not orders:
            return {}
        moves = self._order_moves(orders)
        delivered = dict(self.env["sale.order.line"]._read_group(
            [("order_id", "in", orders.ids), ("bigcommerce_order_product_id", "!=", 0)],
            ["order_id"], ["qty_delivered:sum"]))
        result = {}
        for order in orders:
            digits = order.currency_id.decimal_places
            invoices = [move for move in moves.get(order.id, ()) if move.move_type == "out_invoice"]
            posted = [move for move in invoices if move.state == "posted"]
            drafts = [move for move in invoices if move.state == "draft"]
            result[order.bigcommerce_order_id] = OdooOrder(
                sale_order_id=order.id, state=order.state, currency_decimals=digits,
                untaxed=_decimal(order.amount_untaxed, digits), tax=_decimal(order.amount_tax, digits),
                posted_invoices=len(posted), draft_invoices=len(drafts),
                draft_amount=sum((_decimal(move.amount_total, digits) for move in drafts), Decimal(0)),
                unpaid_amount=sum((_decimal(move.amount_residual, digits) for move in posted
                                   if move.payment_state not in ("paid", "in_payment", "reversed")), Decimal(0)),
                delivered=Decimal(float_repr(delivered.get(order, 0.0), 4)).normalize(),
                credit_note_refund_ids=frozenset(
                    move.bigcommerce_refund_id for move in moves.get(order.id, ())
                    if move.move_type == "out_refund" and move.state == "posted" and move.bigcommerce_refund_id
                    and not move.bigcommerce_refund_declined),
                recorded_refund_ids=frozenset(str(ref) for ref in order.bigcommerce_recorded_refund_ids or ()),
            )
        return result

    def _order_moves(self, orders):
        """{sale order id: [account.move]}: the invoices and credit notes of each order's lines,
        and the BigCommerce refunds' credit notes of its invoices that keep none of its lines."""
        self.env["account.move.line"].flush_model(["move_id"])
        self.env.cr.execute(SQL(
            """SELECT DISTINCT sol.order_id, aml.move_id
                 FROM sale_order_line sol
                 JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                 JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                WHERE sol.order_id = ANY(%s)""", orders.ids))
        pairs = self.env.cr.fetchall()
        fields_read = ["move_type", "state", "payment_state", "amount_total", "amount_residual",
                       "bigcommerce_refund_id", "bigcommerce_refund_declined", "reversed_entry_id"]
        Move = self.env["account.move"]
        moves = Move.browse({move_id for _order_id, move_id in pairs})
        moves.fetch(fields_read)
        by_move = {}
        for order_id, move_id in pairs:
            by_move.setdefault(move_id, set()).add(order_id)
        for refund in Move.search_fetch([("reversed_entry_id", "in", moves.ids), ("bigcommerce_refund_id", "!=", False),
                                         ("id", "not in", moves.ids)], fields_read):
            by_move[refund.id] = by_move[refund.reversed_entry_id.id]
            moves |= refund
        result = {}
        for move in moves:
            for order_id in by_move[move.id]:
                result.setdefault(order_id, []).append(move)
        return result

    def _credit_notes(self):
        """The posted credit notes of the store's orders dated in the range, as CreditNotes."""
        instance = self.instance_id
        self.env["account.move.line"].flush_model(["move_id"])
        self.env["account.move"].flush_model(["move_type", "state", "invoice_date"])
        self.env.cr.execute(SQL(
            """SELECT DISTINCT am.id, so.id, so.bigcommerce_order_id
                 FROM account_move am
                 JOIN account_move_line aml ON aml.move_id = am.id
                 JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
                 JOIN sale_order_line sol ON sol.id = rel.order_line_id
                 JOIN sale_order so ON so.id = sol.order_id
                WHERE so.bigcommerce_instance_id = %s AND am.move_type = 'out_refund' AND am.state = 'posted'
                  AND am.invoice_date BETWEEN %s AND %s""",
            instance.id, self.date_from, self.date_to))
        rows = self.env.cr.fetchall()
        moves = self.env["account.move"].browse([move_id for move_id, _order, _ref in rows])
        moves.fetch(["amount_total", "bigcommerce_refund_id", "bigcommerce_refund_declined", "invoice_date",
                     "currency_id"])
        zone, notes = self._zone(), []
        for move_id, order_id, order_ref in rows:
            move = moves.browse(move_id)
            notes.append(CreditNote(
                move_id, order_ref, order_id, _decimal(move.amount_total, move.currency_id.decimal_places),
                refund_id=move.bigcommerce_refund_id or "", refund_declined=move.bigcommerce_refund_declined,
                date=datetime.combine(move.invoice_date, time(12), tzinfo=zone)))
        return notes

    def _difference_vals(self, difference):
        instance = self.instance_id
        location = instance.location_ids.filtered(lambda loc: loc.bc_id == difference.location_id)[:1]
        order = self.env["sale.order"].browse(difference.sale_order_id)
        currency = order.currency_id if difference.sale_order_id else instance.company_id.currency_id
        return {
            "reconciliation_id": self.id, "instance_id": instance.id, "kind": difference.kind,
            "order_ref": difference.order_ref or False, "sale_order_id": difference.sale_order_id or False,
            "move_id": difference.move_id or False, "refund_ref": difference.refund_id or False,
            "sku": difference.sku or False, "location_id": location.id, "currency_id": currency.id,
            "untaxed_difference": float(difference.untaxed_difference), "tax_difference": float(difference.tax_difference),
            "amount": float(difference.amount),
            "bigcommerce_quantity": float(difference.bigcommerce_quantity or 0),
            "odoo_quantity": float(difference.odoo_quantity or 0),
            "date": (difference.date.astimezone(timezone.utc).replace(tzinfo=None) if difference.date
                     else fields.Datetime.now()),
            "side": difference.extra.get("side") or False,
            "refund_recorded": bool(difference.extra.get("recorded")),
        }

    # ------------------------------------------------------------------ schedule
    @api.model
    def _run_scheduled(self, instance):
        """The daily run: the store's last ``reconcile_days`` days; new differences become an
        activity of the store's responsible user on the run."""
        today = datetime.now(self.new({"instance_id": instance.id})._zone()).date()  # the store's day, as the range's
        run = self.create({"instance_id": instance.id, "scheduled": True, "date_to": today,
                           "date_from": today - timedelta(days=max(instance.reconcile_days, 1) - 1)})
        new = run._reconcile()
        if new:
            user = instance.reconcile_user_id or instance.user_id or instance.create_uid
            run.activity_schedule(
                "mail.mail_activity_data_todo", user_id=user.id,
                summary=_("%(count)s new BigCommerce differences", count=len(new)),
                note=_("The daily reconciliation of %(store)s found %(count)s differences between BigCommerce and "
                       "Odoo that were not there before. Open the run, then its differences: each offers the action "
                       "that fixes it where one exists.", store=instance.name, count=len(new)))
        return run


class BigCommerceReconciliationDifference(models.Model):
    _name = "bc.reconciliation.difference"
    _description = "BigCommerce Reconciliation Difference"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_name = "kind"

    reconciliation_id = fields.Many2one("bc.reconciliation", string="Found By", index=True, ondelete="set null",
                                        readonly=True)
    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade",
                                  readonly=True)
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    kind = fields.Selection(list(KINDS), required=True, readonly=True)
    side = fields.Selection([("bigcommerce", "Cancelled in BigCommerce"), ("odoo", "Cancelled in Odoo")],
                            string="Cancelled Where", readonly=True)
    date = fields.Datetime(required=True, readonly=True, index=True,
                           help="When BigCommerce made the order or refund; the credit note's date; the run's for stock.")
    order_ref = fields.Char(string="BigCommerce Order", readonly=True, index=True)
    sale_order_id = fields.Many2one("sale.order", string="Sale Order", readonly=True, ondelete="set null")
    move_id = fields.Many2one("account.move", string="Credit Note", readonly=True, ondelete="set null")
    refund_ref = fields.Char(string="BigCommerce Refund", readonly=True)
    refund_recorded = fields.Boolean(readonly=True, help="Odoo recorded the refund, without a credit note.")
    sku = fields.Char(string="SKU", readonly=True)
    location_id = fields.Many2one("bc.location", string="Location", readonly=True, ondelete="set null")
    currency_id = fields.Many2one("res.currency", readonly=True)
    untaxed_difference = fields.Monetary(string="Untaxed Difference", readonly=True,
                                         help="Odoo's untaxed amount minus BigCommerce's.")
    tax_difference = fields.Monetary(readonly=True, help="Odoo's taxes minus BigCommerce's.")
    amount = fields.Monetary(string="Amount at Stake", readonly=True)
    bigcommerce_quantity = fields.Float(string="BigCommerce Quantity", readonly=True, digits="Product Unit of Measure")
    odoo_quantity = fields.Float(string="Odoo Quantity", readonly=True, digits="Product Unit of Measure")
    fix = fields.Selection([("import_order", "Import Again"), ("run_workflow", "Run Workflow Again"),
                            ("push_shipment", "Push the Shipment"), ("import_refund", "Import the Refund"),
                            ("export_stock", "Export Stock")], compute="_compute_fix",
                           help="The action that fixes this difference, when there is one.")

    def _key(self):
        return (self.kind, self.order_ref or "", self.refund_ref or "", self.move_id.id, self.sku or "",
                self.location_id.id)

    @api.depends("kind", "side", "sale_order_id", "refund_recorded")
    def _compute_fix(self):
        for difference in self:
            fix = FIXES.get(difference.kind, False)
            if difference.kind == "cancelled_one_side" and difference.side == "bigcommerce":
                fix = "import_order"  # the import applies a cancellation it has not seen
            if fix in ("run_workflow", "push_shipment", "import_refund") and not difference.sale_order_id:
                fix = False
            if fix == "import_refund" and difference.refund_recorded:
                fix = False  # recorded without credit note: the order's activity asks for one
            difference.fix = fix

    def action_fix(self):
        """Run each difference's fix; queued fixes say what they queued."""
        jobs = self.env["marketplace.queue.job"]
        done = []
        for difference in self.filtered("fix"):
            result = getattr(difference, f"_fix_{difference.fix}")()
            if isinstance(result, models.Model):
                jobs |= result
            elif result:
                done.append(result)
        if done:
            return jobs._notification(_("Done"), " ".join(done))
        return jobs._notify_queued(_("Nothing to do: these differences have no action that fixes them. Open the "
                                     "order or credit note to decide."))

    def _fix_import_order(self):
        return self.instance_id._bigcommerce_enqueue_order_ids(
            [int(self.order_ref)], _("Reconciliation: import order #%(id)s again", id=self.order_ref), requested=True)

    def _fix_run_workflow(self):
        order = self.sale_order_id
        if order.state == "cancel":
            return self.env["marketplace.queue.job"]
        return self.instance_id._bigcommerce_enqueue_order_ids(
            [int(order.bigcommerce_order_id)], _("Run the workflow of %(order)s again", order=order.name), requested=True)

    def _fix_push_shipment(self):
        pickings = self.sale_order_id.picking_ids._bigcommerce_shipments_to_send()
        failed = self.env["marketplace.queue.line"].search([
            ("operation", "=", "bigcommerce_export_shipment"), ("state", "=", "failed"),
            ("external_id", "in", [str(picking_id) for picking_id in pickings.ids])])
        failed.action_retry()
        return pickings._bigcommerce_queue_shipments() | failed.job_id

    def _fix_import_refund(self):
        """Record the order's BigCommerce refunds Odoo lacks, as the import does (a credit note where
        Odoo can make it), under the order's lock so that an import running meanwhile waits."""
        order, instance = self.sale_order_id, self.instance_id
        self.env["sale.order"]._bigcommerce_locked(instance, order.bigcommerce_order_id)
        with instance._user_errors(), instance._bigcommerce_client() as client:
            refunds = list(client.iter_order_refunds(order.bigcommerce_order_id))
        order._bigcommerce_record_refunds(refunds)
        self.env["account.move"]._bigcommerce_update_refund_states(refunds)
        return _("BigCommerce refund %(refund)s of order #%(id)s recorded (see %(order)s).",
                 refund=self.refund_ref, id=order.bigcommerce_order_id, order=order.name)

    def _fix_export_stock(self):
        return self.instance_id._queue_stock_export(full=True)

    def action_open_record(self):
        self.ensure_one()
        record = self.move_id or self.sale_order_id
        if not record:
            raise UserError(_("This difference has no Odoo record: BigCommerce order #%(id)s is not in Odoo.",
                              id=self.order_ref))
        return {"type": "ir.actions.act_window", "res_model": record._name, "res_id": record.id,
                "views": [[False, "form"]], "target": "current"}
