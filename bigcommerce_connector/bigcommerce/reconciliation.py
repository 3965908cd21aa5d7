"""Reconciliation rule: where Odoo disagrees with BigCommerce, order by order and SKU by SKU.

The BigCommerce side is what list endpoints give, never a call per order: orders as listed
(O2#getOrders, 250 a page), refunds listed by creation date (O3#getOrdersRefunds) and one
location's inventory items (IN#get-location-inventory-items, 1,000 a page). The Odoo side is
plain data the models read in bulk (``OdooOrder``, ``CreditNote``, quantities by SKU).

Each disagreement is a ``Difference`` of one of ``KINDS``. Tolerance: one unit of the currency
(a cent) of rounding per order is never a difference, anything more always is.
"""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .money import to_decimal
from .orders import DELIVERED_STATUS_IDS, STATUS_CANCELLED, STATUS_REFUNDED, order_totals, parse_datetime
from .refunds import fully_declined, refund_total
from .workflows import normalize_payment_status

ZERO = Decimal(0)

# (code, label) for an Odoo selection, in the order the issue lists them.
KINDS = (
    ("missing_in_odoo", "Missing in Odoo"),
    ("totals_differ", "Totals differ"),
    ("not_invoiced", "Not invoiced"),
    ("invoice_not_posted", "Invoice not posted"),
    ("paid_no_payment", "Paid in BigCommerce, no payment in Odoo"),
    ("refund_no_credit_note", "Refund without a credit note"),
    ("credit_note_no_refund", "Credit note without a refund"),
    ("delivered_no_shipment", "Delivered in Odoo, no shipment in BigCommerce"),
    ("cancelled_one_side", "Cancelled on one side only"),
    ("stock_differs", "Stock differs at a location"),
)
# BigCommerce took the money: Odoo should hold a posted, paid invoice.
PAID_STATUSES = frozenset({"captured", "paid", "partially_refunded", "refunded"})
# An order cancelled in Odoo agrees with these BigCommerce statuses: nothing is owed either way.
_CLOSED_STATUS_IDS = frozenset({STATUS_CANCELLED, STATUS_REFUNDED, 6})  # 6: Declined


@dataclass(frozen=True)
class OdooOrder:
    """What Odoo holds for one BigCommerce order. Amounts are Decimal in the order's currency;
    invoices are the customer invoices of the order, credit notes apart."""
    sale_order_id: int
    state: str  # sale.order state: draft, sent, sale, cancel
    untaxed: Decimal
    tax: Decimal
    currency_decimals: int = 2
    posted_invoices: int = 0
    draft_invoices: int = 0
    draft_amount: Decimal = ZERO  # total of the draft invoices
    unpaid_amount: Decimal = ZERO  # what the posted invoices still wait for
    delivered: Decimal = ZERO  # quantity delivered on the order's BigCommerce lines
    credit_note_refund_ids: frozenset = frozenset()  # BigCommerce refunds (str ids) of posted credit notes
    recorded_refund_ids: frozenset = frozenset()  # BigCommerce refunds the import already recorded


@dataclass(frozen=True)
class CreditNote:
    """A posted credit note of a BigCommerce order."""
    move_id: int
    order_ref: str  # the BigCommerce order id
    sale_order_id: int | None
    amount: Decimal  # tax included
    refund_id: str = ""  # the BigCommerce refund it records or made, "" for none
    refund_declined: bool = False  # the gateway declined that refund: nothing went back
    date: datetime | None = None


@dataclass(frozen=True)
class Difference:
    kind: str  # one of KINDS
    order_ref: str = ""  # the BigCommerce order id
    sale_order_id: int | None = None
    sku: str = ""
    location_id: str = ""  # the BigCommerce location id
    refund_id: str = ""
    move_id: int | None = None
    untaxed_difference: Decimal = ZERO  # Odoo's minus BigCommerce's
    tax_difference: Decimal = ZERO
    amount: Decimal = ZERO  # the money at stake, positive
    bigcommerce_quantity: Decimal | None = None
    odoo_quantity: Decimal | None = None
    date: datetime | None = None  # when the order or refund was made in BigCommerce
    extra: dict = field(default_factory=dict, compare=False)


def _unit(decimals):
    return Decimal(1).scaleb(-decimals)


def _decimal(value):
    amount = to_decimal(value)
    return ZERO if amount is None else amount


def order_differences(order, odoo):
    """The differences of one BigCommerce order as listed (raw v2 dict) with ``odoo``, its
    OdooOrder (None: not in Odoo; the caller decides whether the store should have it)."""
    ref = str(order["id"])
    created = parse_datetime(order.get("date_created"))
    decimals = odoo.currency_decimals if odoo else 2
    unit = _unit(decimals)
    totals = order_totals(_decimal(order.get("total_ex_tax")), _decimal(order.get("total_inc_tax")),
                          _decimal(order.get("total_tax")), bool(order.get("is_tax_inclusive_pricing")), decimals)
    if odoo is None:
        return [Difference("missing_in_odoo", ref, amount=totals.total, date=created)]
    base = {"order_ref": ref, "sale_order_id": odoo.sale_order_id, "date": created}
    status_id = int(order.get("status_id") or 0)
    cancelled_in_odoo = odoo.state == "cancel"
    if (status_id == STATUS_CANCELLED) != cancelled_in_odoo and not (cancelled_in_odoo and status_id in _CLOSED_STATUS_IDS):
        side = "odoo" if cancelled_in_odoo else "bigcommerce"
        return [Difference("cancelled_one_side", amount=totals.total, extra={"side": side}, **base)]
    if cancelled_in_odoo:
        return []
    differences = []
    untaxed_gap = odoo.untaxed - totals.untaxed
    tax_gap = odoo.tax - totals.tax
    at_stake = max(abs(untaxed_gap), abs(tax_gap), abs(untaxed_gap + tax_gap))
    if at_stake > unit:
        differences.append(Difference("totals_differ", untaxed_difference=untaxed_gap, tax_difference=tax_gap,
                                      amount=at_stake, **base))
    if normalize_payment_status(order.get("payment_status")) in PAID_STATUSES:
        if odoo.draft_invoices:
            differences.append(Difference("invoice_not_posted", amount=odoo.draft_amount, **base))
        elif not odoo.posted_invoices:
            differences.append(Difference("not_invoiced", amount=totals.total, **base))
        elif odoo.unpaid_amount > unit:
            differences.append(Difference("paid_no_payment", amount=odoo.unpaid_amount, **base))
    shipped = _decimal(order.get("items_total") if status_id in DELIVERED_STATUS_IDS else order.get("items_shipped"))
    if odoo.delivered > shipped:
        differences.append(Difference("delivered_no_shipment", bigcommerce_quantity=shipped,
                                      odoo_quantity=odoo.delivered, **base))
    return differences


def should_be_in_odoo(order, imported_status_ids, imported_after=None):
    """Whether the store imports this BigCommerce order (its status, its date), so that its
    absence from Odoo is a difference. ``imported_after``: aware datetime or None."""
    if order.get("is_deleted") or str(order.get("status_id")) not in {str(sid) for sid in imported_status_ids}:
        return False
    created = parse_datetime(order.get("date_created"))
    return not (imported_after and created and created < imported_after)


def refund_differences(refund, odoo):
    """A BigCommerce refund (O3 §Refund) that no posted credit note of its order (``odoo``) records.
    Refunds whose payments the gateway all declined gave nothing back: never a difference."""
    if fully_declined(refund) or str(refund["id"]) in odoo.credit_note_refund_ids:
        return []
    created = refund.get("created")
    return [Difference(
        "refund_no_credit_note", str(refund.get("order_id") or ""), sale_order_id=odoo.sale_order_id,
        refund_id=str(refund["id"]), amount=refund_total(refund),
        date=datetime.fromisoformat(created.replace("Z", "+00:00")) if isinstance(created, str) and created else None,
        extra={"recorded": str(refund["id"]) in odoo.recorded_refund_ids})]


def credit_note_differences(credit_note):
    """A posted credit note that no BigCommerce refund gave back: none made, or declined."""
    if credit_note.refund_id and not credit_note.refund_declined:
        return []
    return [Difference("credit_note_no_refund", credit_note.order_ref, sale_order_id=credit_note.sale_order_id,
                       move_id=credit_note.move_id, refund_id=credit_note.refund_id, amount=credit_note.amount,
                       date=credit_note.date)]


def stock_differences(location_id, items, targets_by_sku):
    """The SKUs of one location whose BigCommerce level (``total_inventory_onhand``, what an
    export sets) differs from what Odoo would export (``targets_by_sku``). SKUs Odoo does not
    know are not compared: an export leaves them alone too."""
    known = {sku.casefold(): quantity for sku, quantity in targets_by_sku.items()}
    differences = []
    for item in items:
        sku = (item.get("identity") or {}).get("sku") or ""
        target = known.get(sku.casefold())
        level = _decimal(item.get("total_inventory_onhand"))
        if target is not None and level != Decimal(target):
            differences.append(Difference("stock_differs", sku=sku, location_id=str(location_id),
                                          bigcommerce_quantity=level, odoo_quantity=Decimal(target)))
    return differences


def reconcile(orders, refunds, odoo_orders, credit_notes=(), imported_status_ids=(), imported_after=None):
    """Every order and refund difference. ``orders``: BigCommerce orders as listed (a page or an
    iterable of pages' rows); ``refunds``: BigCommerce refunds; ``odoo_orders``: {BigCommerce
    order id (str): OdooOrder}; ``credit_notes``: CreditNotes of the range."""
    differences = []
    for order in orders:
        odoo = odoo_orders.get(str(order["id"]))
        if odoo is None and not should_be_in_odoo(order, imported_status_ids, imported_after):
            continue
        differences += order_differences(order, odoo)
    for refund in refunds:
        # A refund of an order Odoo lacks: the missing order is the difference (when it is the store's).
        odoo = odoo_orders.get(str(refund.get("order_id")))
        if odoo is not None:
            differences += refund_differences(refund, odoo)
    for credit_note in credit_notes:
        differences += credit_note_differences(credit_note)
    return differences
