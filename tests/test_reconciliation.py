"""Reconciliation rule: each kind of difference between BigCommerce's lists and Odoo's records,
the one-cent tolerance per order, and agreement giving none. Orders and refunds are the
sandbox's own, as the list endpoints return them."""
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from bigcommerce.reconciliation import (
    KINDS, CreditNote, OdooOrder, credit_note_differences, order_differences, reconcile, should_be_in_odoo,
    stock_differences,
)

D = Decimal


def listed(client, order_id):
    return next(order for order in client.iter_orders(include=None) if order["id"] == order_id)


def agreeing(order, **changes):
    """The OdooOrder that agrees with a listed BigCommerce order: same totals, invoiced and paid
    when BigCommerce took the money, delivered what BigCommerce shipped."""
    tax = D(order["total_tax"]).quantize(D("0.01"))
    untaxed = (D(order["total_inc_tax"]) if order["is_tax_inclusive_pricing"] else D(order["total_ex_tax"]) + tax) - tax
    values = dict(sale_order_id=1, state="sale", untaxed=untaxed.quantize(D("0.01")), tax=tax, posted_invoices=1,
                  delivered=D(order["items_shipped"]))
    values.update(changes)
    return OdooOrder(**values)


def kinds(differences):
    return [difference.kind for difference in differences]


def test_kinds_are_those_the_issue_lists():
    assert [code for code, _label in KINDS] == [
        "missing_in_odoo", "totals_differ", "not_invoiced", "invoice_not_posted", "paid_no_payment",
        "refund_no_credit_note", "credit_note_no_refund", "delivered_no_shipment", "cancelled_one_side",
        "stock_differs"]


def test_an_order_odoo_agrees_with_gives_no_difference(client):
    order = listed(client, 103)
    assert order_differences(order, agreeing(order)) == []


def test_a_store_where_everything_agrees_gives_none(client):
    orders = [order for order in client.iter_orders(include=None) if order["status_id"] not in (5,)]
    odoo = {str(order["id"]): agreeing(order, delivered=D(0)) for order in orders}
    refunds = list(client.iter_refunds())
    odoo.update({str(refund["order_id"]): agreeing(listed(client, refund["order_id"]), delivered=D(0),
                                                   credit_note_refund_ids=frozenset({str(refund["id"])}))
                 for refund in refunds})
    assert reconcile(orders, refunds, odoo, imported_status_ids={order["status_id"] for order in orders}) == []


def test_missing_in_odoo_only_for_orders_the_store_imports(client):
    order = listed(client, 103)
    [missing] = order_differences(order, None)
    assert (missing.kind, missing.order_ref, missing.amount) == ("missing_in_odoo", "103", D("142.89"))
    assert missing.date == datetime(2025, 1, 6, 15, 0, tzinfo=timezone.utc)
    assert should_be_in_odoo(order, {"11"})
    assert not should_be_in_odoo(order, {"7"})  # a status the store does not import
    assert not should_be_in_odoo(order, {11}, imported_after=datetime(2025, 2, 1, tzinfo=timezone.utc))
    assert kinds(reconcile([order], [], {}, imported_status_ids={"7"})) == []
    assert kinds(reconcile([order], [], {}, imported_status_ids={"11"})) == ["missing_in_odoo"]


@pytest.mark.parametrize("untaxed_gap, tax_gap, differs", [
    ("0.01", "0", False), ("0", "-0.01", False), ("0.01", "-0.01", False),  # a cent of rounding, either side
    ("0.02", "0", True), ("0", "0.02", True), ("0.01", "0.01", True),  # a cent each is two for the order
    ("-5.00", "0", True),
])
def test_one_cent_per_order_is_never_a_difference_anything_more_always_is(client, untaxed_gap, tax_gap, differs):
    order = listed(client, 103)
    base = agreeing(order)
    odoo = agreeing(order, untaxed=base.untaxed + D(untaxed_gap), tax=base.tax + D(tax_gap))
    found = order_differences(order, odoo)
    assert kinds(found) == (["totals_differ"] if differs else [])
    if differs:
        assert (found[0].untaxed_difference, found[0].tax_difference) == (D(untaxed_gap), D(tax_gap))
        assert found[0].amount == max(abs(D(untaxed_gap)), abs(D(tax_gap)), abs(D(untaxed_gap) + D(tax_gap)))


def test_tax_inclusive_orders_compare_their_exact_side(client):
    order = listed(client, 114)  # VAT included
    assert order_differences(order, agreeing(order)) == []
    assert kinds(order_differences(order, agreeing(order, tax=agreeing(order).tax + D("0.05")))) == ["totals_differ"]


def test_a_currency_without_cents_tolerates_one_unit(client):
    order = dict(listed(client, 103), total_ex_tax="100.0000", total_tax="0.0000", total_inc_tax="100.0000")
    odoo = OdooOrder(1, "sale", D("101"), D("0"), currency_decimals=0, posted_invoices=1)
    assert order_differences(order, odoo) == []
    assert kinds(order_differences(order, OdooOrder(1, "sale", D("102"), D("0"), currency_decimals=0,
                                                    posted_invoices=1))) == ["totals_differ"]


def test_paid_in_bigcommerce_needs_a_posted_paid_invoice(client):
    order = listed(client, 103)  # captured
    assert kinds(order_differences(order, agreeing(order, posted_invoices=0))) == ["not_invoiced"]
    [draft] = order_differences(order, agreeing(order, posted_invoices=0, draft_invoices=1, draft_amount=D("142.89")))
    assert (draft.kind, draft.amount) == ("invoice_not_posted", D("142.89"))
    [unpaid] = order_differences(order, agreeing(order, unpaid_amount=D("92.58")))
    assert (unpaid.kind, unpaid.amount) == ("paid_no_payment", D("92.58"))
    assert order_differences(order, agreeing(order, unpaid_amount=D("0.01"))) == []  # a cent of rounding


def test_unpaid_orders_need_no_invoice(client):
    order = listed(client, 102)  # bank deposit, awaiting payment
    assert order_differences(order, agreeing(order, posted_invoices=0)) == []


def test_delivered_in_odoo_beyond_what_bigcommerce_shipped(client):
    order = listed(client, 105)  # partially shipped: 2 of 4
    [unsent] = order_differences(order, agreeing(order, delivered=D(4)))
    assert (unsent.kind, unsent.bigcommerce_quantity, unsent.odoo_quantity) == ("delivered_no_shipment", D(2), D(4))
    assert order_differences(order, agreeing(order, delivered=D(2))) == []
    shipped = listed(client, 106)  # Shipped: every item left the store
    assert order_differences(shipped, agreeing(shipped, delivered=D(shipped["items_total"]))) == []


def test_cancelled_on_one_side_only(client):
    cancelled = listed(client, 108)
    [difference] = order_differences(cancelled, agreeing(cancelled, state="sale", posted_invoices=0))
    assert (difference.kind, difference.extra["side"]) == ("cancelled_one_side", "bigcommerce")
    assert order_differences(cancelled, agreeing(cancelled, state="cancel")) == []
    open_order = listed(client, 103)
    [difference] = order_differences(open_order, agreeing(open_order, state="cancel"))
    assert (difference.kind, difference.extra["side"]) == ("cancelled_one_side", "odoo")
    refunded = listed(client, 109)  # fully refunded: a cancelled Odoo order agrees
    assert order_differences(refunded, agreeing(refunded, state="cancel")) == []


def test_refund_without_credit_note(client):
    [refund] = [refund for refund in client.iter_refunds() if refund["order_id"] == 110]
    order = listed(client, 110)
    odoo = {"110": agreeing(order)}
    [difference] = reconcile([], [refund], odoo)
    assert (difference.kind, difference.order_ref, difference.refund_id) == ("refund_no_credit_note", "110", str(refund["id"]))
    assert difference.amount == D(str(refund["total_amount"])).quantize(D("0.01"))
    assert difference.extra == {"recorded": False}
    assert reconcile([], [refund], {"110": agreeing(order, recorded_refund_ids=frozenset({str(refund["id"])}))}
                     )[0].extra == {"recorded": True}
    assert reconcile([], [refund], {"110": agreeing(order, credit_note_refund_ids=frozenset({str(refund["id"])}))}) == []
    declined = dict(refund, payments=[dict(payment, is_declined=True) for payment in refund["payments"]])
    assert reconcile([], [declined], odoo) == []  # nothing went back
    assert reconcile([], [refund], {}) == []  # the order itself is missing: that is the difference


def test_credit_note_without_refund():
    note = CreditNote(7, "110", 3, D("21.65"))
    [difference] = credit_note_differences(note)
    assert (difference.kind, difference.move_id, difference.amount) == ("credit_note_no_refund", 7, D("21.65"))
    assert credit_note_differences(CreditNote(7, "110", 3, D("21.65"), refund_id="301")) == []
    assert kinds(credit_note_differences(CreditNote(7, "110", 3, D("21.65"), refund_id="301",
                                                    refund_declined=True))) == ["credit_note_no_refund"]


def test_stock_differs_per_sku_at_a_location(client):
    items = list(client.iter_location_inventory(1))
    targets = {(item["identity"]["sku"]): item["total_inventory_onhand"] for item in items}
    assert stock_differences(1, items, targets) == []
    sku = items[0]["identity"]["sku"]
    targets[sku.lower()] = items[0]["total_inventory_onhand"] + 3  # SKUs compare case-insensitively
    targets["NOT-IN-BIGCOMMERCE"] = 5
    [difference] = stock_differences(1, items, targets)
    assert (difference.kind, difference.sku, difference.location_id) == ("stock_differs", sku, "1")
    assert difference.odoo_quantity - difference.bigcommerce_quantity == 3
    assert stock_differences(1, items, {}) == []  # SKUs Odoo does not know are not compared
