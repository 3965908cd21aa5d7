"""Order import core: BigCommerce order JSON -> sale order lines whose Odoo totals equal
BigCommerce's to the cent.

Fixtures are v2 orders as GET /v2/orders returns them with
``include=consignments.line_items,fees&consignment_structure=object`` (money as 4-decimal
strings, consignment costs as JSON numbers), plus the order's coupons when it has some.
Their amounts follow BigCommerce's documented arithmetic: product ``total_tax`` after the
product's discounts (O2 §orderProducts), order totals = subtotal + charges - discounts.
``test_fixtures_follow_the_spec`` validates them against O2.
"""
import copy
import json
import os
from datetime import datetime, timezone
from decimal import Decimal

import pytest
import yaml
from contract import SPEC_DIR

from bigcommerce.orders import (
    can_cancel_in_odoo, store_outcome,
    gateway_needs_transactions,
    can_update_addresses, delivery_groups, derive_tax_rate, expected_totals, map_order,
    order_changes, order_snapshot, parse_datetime, parse_order_ids, quantity_changes, simulate_odoo_totals,
    totals_difference,
)

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "orders")
FIXTURE_NAMES = sorted(os.listdir(FIXTURES))
D = Decimal


def load(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return json.load(handle, parse_float=Decimal)  # as the client parses JSON: never float


def mapped(name, **kwargs):
    data = load(name)
    return map_order(data["order"], coupons=data.get("coupons"), **kwargs)


def lines_of(order, *kinds):
    return [line for line in order.lines if line.kind in kinds]


def cents(value):
    return Decimal(value).quantize(Decimal("0.01"))


# ---------------------------------------------------------------- totals to the cent

@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_odoo_totals_equal_bigcommerce_totals_to_the_cent(name):
    raw = load(name)["order"]
    order = mapped(name)
    odoo = simulate_odoo_totals(order.lines, order.tax_inclusive)
    assert (odoo.untaxed, odoo.tax, odoo.total) == (
        cents(raw["total_ex_tax"]), cents(raw["total_tax"]), cents(raw["total_inc_tax"]))
    assert totals_difference(order, odoo.untaxed, odoo.tax, odoo.total) == {}


def test_totals_difference_flags_what_odoo_got_wrong():
    order = mapped("tax_exclusive.json")
    # Odoo hands over floats; a 2-cent gap on the tax is reported, both ways round.
    assert totals_difference(order, 94.91, 7.85, 102.76) == {
        "tax": (D("7.83"), D("7.85")), "total": (D("102.74"), D("102.76"))}
    assert totals_difference(order, 94.91, 7.84, 102.75) == {}


def test_bigcommerce_rounding_odoo_cannot_reproduce_becomes_explicit_lines():
    # Dutch VAT included, 15% promotion: BigCommerce taxes each discounted product once,
    # Odoo taxes product and discount lines apart, and ends a cent short on the tax.
    order = mapped("multi_currency.json")
    rounding = lines_of(order, "rounding")
    without = simulate_odoo_totals([ln for ln in order.lines if ln.kind != "rounding"], True)
    assert (without.tax, without.total) == (D("9.67"), D("55.73"))
    assert [(line.price_unit, line.tax_rate) for line in rounding] == [(D("0.03"), D("21")), (D("-0.03"), D("0"))]
    assert simulate_odoo_totals(order.lines, True) == expected_totals(order)
    assert not any(lines_of(mapped(name), "rounding") for name in FIXTURE_NAMES if name != "multi_currency.json")


def test_a_real_disagreement_is_flagged_not_absorbed():
    data = load("tax_exclusive.json")
    data["order"]["total_ex_tax"] = "95.9100"  # one dollar nobody can find in the lines
    data["order"]["total_inc_tax"] = "103.7400"
    order = map_order(data["order"])
    assert not lines_of(order, "rounding")
    odoo = simulate_odoo_totals(order.lines, order.tax_inclusive)
    assert totals_difference(order, odoo.untaxed, odoo.tax, odoo.total) == {
        "untaxed": (D("95.91"), D("94.91")), "total": (D("103.74"), D("102.74"))}


# ---------------------------------------------------------------- what the order says

def test_tax_exclusive_order():
    order = mapped("tax_exclusive.json", transactions=[
        {"event": "purchase", "status": "ok", "gateway": "stripe", "method": "credit_card",
         "amount": 102.74, "currency": "USD", "order_id": "101"}])
    assert (order.order_id, order.status_id, order.status) == (101, 11, "Awaiting Fulfillment")
    assert (order.payment_status, order.gateway, order.gateway_name) == ("captured", "stripe", "Credit Card (Stripe)")
    assert order.payment_provider_id == "ch_3QxYz7Lkd2"
    assert (order.customer_id, order.is_guest, order.currency_code) == (12, False, "USD")
    assert order.date_created == datetime(2025, 3, 4, 15, 42, 10, tzinfo=timezone.utc)
    assert order.billing_address.email == "jane.doe@example.com"
    assert order.customer_message == "Please leave at the back door"
    mug, kettle = lines_of(order, "product")
    assert (mug.name, mug.sku, mug.product_id, mug.variant_id, mug.order_product_id) == (
        "Ceramic Mug - Blue", "MUG-BL", 111, 501, 201)
    assert (mug.quantity, mug.price_unit, mug.tax_rate, mug.options) == (3, D("14.99"), D("8.25"), "Color: Blue")
    assert kettle.tax_rate == D("8.25")
    [shipping] = lines_of(order, "shipping")
    assert (shipping.name, shipping.price_unit, shipping.tax_rate, shipping.order_address_id) == (
        "Shipping: UPS® Ground", D("9.99"), D("8.25"), 301)


def test_tax_inclusive_order_keeps_tax_included_prices():
    order = mapped("tax_inclusive.json")
    assert order.tax_inclusive and order.currency_code == "GBP"
    assert [(ln.name, ln.price_unit, ln.tax_rate) for ln in lines_of(order, "product", "shipping")] == [
        ("Tea Towel", D("12.00"), D("20")), ("Linen Apron", D("24.99"), D("20")),
        ("The Baker's Cookbook", D("15.00"), D("0")), ("Shipping: Royal Mail 1st Class", D("4.95"), D("20"))]
    # Cash on delivery: nothing paid yet, gateway named after the payment method.
    assert (order.payment_status, order.gateway, order.gateway_name) == ("", "cash_on_delivery", "Cash on Delivery")


def test_the_transactional_currency_is_the_order_currency():
    raw = load("multi_currency.json")["order"]
    assert (raw["currency_code"], raw["default_currency_code"]) == ("GBP", "EUR")
    assert mapped("multi_currency.json").currency_code == "EUR"


def test_discounts_are_one_line_per_tax_rate_and_not_counted_twice():
    order = mapped("discounted.json")
    assert (order.discount_amount, order.coupon_discount) == (D("5.00"), D("12.14"))
    mug, beans, kettle = lines_of(order, "product")
    assert (mug.price_unit * mug.quantity, mug.discount) == (D("37.50"), D("8.25"))  # undiscounted price
    discounts = lines_of(order, "discount")
    assert [(ln.price_unit, ln.tax_rate) for ln in discounts] == [(D("-12.24"), D("8.25")), (D("-4.90"), D("0"))]
    # The promotion and the coupon, each counted once: exactly what BigCommerce took off.
    assert -sum(ln.price_unit for ln in discounts) == order.discount_amount + order.coupon_discount
    assert discounts[0].name == "Discount: Buy 3 mugs, save $5, SAVE10"
    [coupon] = order.coupons
    assert (coupon.code, coupon.type_name, coupon.amount, coupon.discount) == (
        "SAVE10", "percentage_discount", D("10"), D("12.14"))


def test_two_shipping_addresses_give_two_deliveries_with_what_is_left_to_ship():
    order = mapped("two_addresses.json")
    groups = delivery_groups(order)
    assert [(g.order_address_id, g.address.city, g.address.first_name, g.shipping_method) for g in groups] == [
        (401, "Austin", "Maria", "UPS® Ground"), (402, "Boston", "Tom", "USPS Priority Mail")]
    assert [[(i.order_product_id, i.quantity, i.quantity_shipped) for i in g.lines] for g in groups] == [
        [(251, 2, 2), (252, 1, 1)], [(253, 3, 1), (254, 1, 0)]]
    # Each address pays its own shipping and handling, at its own state's rate.
    charges = lines_of(order, "shipping", "handling")
    assert [(ln.kind, ln.order_address_id, ln.price_unit, ln.tax_rate) for ln in charges] == [
        ("shipping", 401, D("8.50"), D("8.25")), ("shipping", 402, D("12.00"), D("0")),
        ("handling", 401, D("2.00"), D("8.25")), ("handling", 402, D("2.00"), D("0"))]
    assert [ln.tax_rate for ln in lines_of(order, "product") if ln.sku == "MUG-BL"] == [D("8.25"), D("6.25")]


def test_guest_order_with_gift_certificate_custom_item_wrapping_fee_and_shipping_coupon():
    order = mapped("guest_gift_wrap_fee.json")
    assert (order.is_guest, order.customer_id) == (True, 0)
    assert (order.billing_address.company, order.billing_address.email) == ("Chen Design", "alex.chen@example.com")
    kinds = {line.kind: line for line in order.lines}
    assert (kinds["custom"].name, kinds["custom"].product_id, kinds["custom"].sku) == (
        "Engraved nameplate", None, "CUSTOM-ENGRAVE")
    assert (kinds["gift_certificate"].price_unit, kinds["gift_certificate"].tax_rate) == (D("50.00"), 0)
    assert (kinds["wrapping"].name, kinds["wrapping"].price_unit, kinds["wrapping"].tax_rate) == (
        "Gift wrapping: Holiday paper", D("4.00"), D("8.625"))
    assert (kinds["fee"].name, kinds["fee"].price_unit, kinds["fee"].tax_rate, kinds["fee"].tax_class_id) == (
        "Package protection", D("2.50"), D("8.625"), 4)
    # The $5-off-shipping coupon is on no product: it comes off as its own line.
    assert (kinds["discount"].name, kinds["discount"].price_unit) == ("Discount: SHIP5", D("-5.00"))
    # The gift certificate is e-mailed: it is in no delivery.
    [group] = delivery_groups(order)
    assert [item.order_product_id for item in group.lines] == [262, 263]


def test_gateway_comes_from_the_first_successful_paying_transaction():
    transactions = [
        {"event": "purchase", "status": "error", "gateway": "authorizenet", "amount": 102.74},
        {"event": "purchase", "status": "ok", "gateway": "giftcertificate", "amount": 20},
        {"event": "purchase", "status": "ok", "gateway": "cheque", "amount": 82.74,
         "offline": {"display_name": "Pay by cheque"}},
    ]
    order = mapped("tax_exclusive.json", transactions=transactions)
    assert (order.gateway, order.gateway_name) == ("cheque", "Pay by cheque")
    assert mapped("tax_exclusive.json").gateway == "credit_card"


@pytest.mark.parametrize("method, needs", [("Credit Card", True), ("credit card", True), ("Card", True),
                                           ("Cash on Delivery", False), ("Bank Deposit", False), ("PayPal", False),
                                           ("", False)])
def test_only_a_generic_card_payment_method_needs_the_transactions_to_name_its_gateway(method, needs):
    assert gateway_needs_transactions({"payment_method": method, "payment_provider_id": "ch_3QxYz7Lkd2"}) is needs


@pytest.mark.parametrize("gateway, code, name", [("braintree", "braintree", "Credit Card (Braintree)"),
                                                 ("authorizenet", "authorizenet", "Credit Card (Authorize.Net)"),
                                                 ("adyenv2", "adyenv2", "Credit Card (Adyen)"),
                                                 ("newpay", "newpay", "Credit Card (newpay)")])
def test_card_orders_of_different_processors_get_different_gateways(gateway, code, name):
    order = mapped("tax_exclusive.json", transactions=[
        {"event": "purchase", "status": "ok", "gateway": gateway, "method": "credit_card", "amount": 102.74}])
    assert (order.gateway, order.gateway_name) == (code, name)


# ---------------------------------------------------------------- where the lines come from

def _as_separate_calls(order):
    """The order as GET /orders/{id} returns it without include, with its
    GET .../products and GET .../shipping_addresses (costs as strings there)."""
    order = copy.deepcopy(order)
    shipping = order.pop("consignments")["shipping"]
    order["consignments"] = {"url": "https://api.bigcommerce.com/stores/abc123/v2/orders/105/consignments",
                             "resource": "/orders/105/consignments"}
    products = [item for consignment in shipping for item in consignment.pop("line_items")]
    for address in shipping:
        for key, value in address.items():
            if key.startswith(("base_", "cost_", "handling_cost_")) and not key.endswith("class_id"):
                address[key] = f"{value:.4f}"
    return order, products, shipping


def test_separately_fetched_products_and_addresses_give_the_same_order():
    raw = load("two_addresses.json")["order"]
    order, products, addresses = _as_separate_calls(raw)
    assert map_order(order, products=products, shipping_addresses=addresses) == map_order(raw)


def test_an_order_fetched_without_its_products_is_refused():
    raw = load("two_addresses.json")["order"]
    order, _, _ = _as_separate_calls(raw)
    with pytest.raises(ValueError, match="include=consignments.line_items"):
        map_order(order)
    linked = copy.deepcopy(raw)  # include=consignments without .line_items: links only
    for consignment in linked["consignments"]["shipping"]:
        consignment["line_items"] = [{"url": "https://...", "resource": "/orders/105/products/251"}]
    with pytest.raises(ValueError, match="not embedded"):
        map_order(linked)


def test_address_ids_come_from_the_products_not_the_consignment_id():
    raw = load("two_addresses.json")["order"]
    for consignment, other_id in zip(raw["consignments"]["shipping"], (9001, 9002), strict=True):
        consignment["id"] = other_id  # O2 does not promise consignment id == order_address_id
    assert [g.order_address_id for g in delivery_groups(map_order(raw))] == [401, 402]


# ---------------------------------------------------------------- small rules

@pytest.mark.parametrize("amount, tax, inclusive, candidates, rate", [
    ("9.99", "0.82", False, (), "8.25"),  # cents-rounded tax: 8.208..% is really 8.25%
    ("14.99", "1.2367", False, (), "8.25"),
    ("18.00", "1.5525", False, (), "8.625"),
    ("11.26", "1.00", False, (), "8.875"),
    ("10.00", "2.00", False, (), "20"),
    ("24.99", "4.1650", True, (), "20"),
    ("2.00", "0.17", False, (), "8.5"),  # alone, 0.17 on 2.00 fits 8.5% as well as 8.25%...
    ("2.00", "0.17", False, (D("8.25"),), "8.25"),  # ...so the order's own rates go first
    ("2.00", "0.17", False, (D("6.25"),), "8.5"),  # but only if they reproduce the amount
    ("15.00", "0", False, (), "0"),
])
def test_tax_rate_derived_from_bigcommerce_amounts(amount, tax, inclusive, candidates, rate):
    assert derive_tax_rate(D(amount), D(tax), inclusive, candidates) == D(rate)


def test_dates_are_aware_utc():
    assert parse_datetime("Thu, 20 Apr 2017 11:32:00 -0400") == datetime(2017, 4, 20, 15, 32, tzinfo=timezone.utc)
    assert parse_datetime("Tue, 20 Nov 2012 00:00:00 -0000").tzinfo == timezone.utc
    assert parse_datetime("") is None


@pytest.mark.parametrize("text, ids, invalid", [
    ("1, 2 ,x,  3", [1, 2, 3], ["x"]),
    ("100,100, 101 ,100", [100, 101], []),
    ("#100; 101\n102", [100, 101, 102], []),
    ("0, -5, 1.5, abc, abc", [], ["0", "-5", "1.5", "abc"]),
    (" , ", [], []),
])
def test_parse_order_ids(text, ids, invalid):
    assert parse_order_ids(text) == (ids, invalid)


def test_reimport_reports_status_payment_and_address_changes():
    raw = load("two_addresses.json")["order"]
    previous = json.loads(json.dumps(order_snapshot(map_order(raw))))  # as stored by Odoo
    assert order_changes(previous, map_order(raw)) == {}
    raw.update(status_id=2, status="Shipped", payment_status="partially refunded")
    raw["consignments"]["shipping"][1]["street_1"] = "80 Beacon Street"
    assert order_changes(previous, map_order(raw)) == {
        "status": ("Partially Shipped", "Shipped"),
        "payment_status": ("captured", "partially refunded"),
        "shipping_address/402": ("Tom Garcia, 77 Beacon Street, 02108 Boston, Massachusetts, US",
                                 "Tom Garcia, 80 Beacon Street, 02108 Boston, Massachusetts, US"),
    }
    assert can_update_addresses(any_delivery_done=False)
    assert not can_update_addresses(any_delivery_done=True)


def test_quantities_lowered_in_bigcommerce_never_cancel_what_was_delivered():
    D = Decimal
    changes = quantity_changes([
        # (order product, ordered, delivered, invoiced) in Odoo
        (1, 3.0, 0.0, 0.0),  # one of three cancelled, nothing delivered
        (2, 3.0, 2.0, 3.0),  # BigCommerce asks for one, but two left already: down to two
        (3, 2.0, 2.0, 0.0),  # BigCommerce asks for one, both left already: stays
        (4, 2.0, 0.0, 0.0),  # unchanged
        (5, 2.0, 0.0, 2.0),  # removed in BigCommerce (no longer listed), invoiced
    ], {1: 2, 2: 1, 3: 1, 4: 2, 6: 4})
    assert [(c.order_product_id, c.ordered, c.quantity, c.requested) for c in changes] == [
        (1, D(3), D(2), D(2)), (2, D(3), D(2), D(1)), (3, D(2), D(2), D(1)), (5, D(2), D(0), D(0))]
    assert [c.lowered for c in changes] == [True, True, False, True]
    assert [c.below_delivered for c in changes] == [False, True, True, False]
    assert [c.needs_credit_note for c in changes] == [False, True, False, True]


def test_only_quantities_bigcommerce_changed_since_the_last_import_are_applied():
    raw = load("two_addresses.json")["order"]
    previous = json.loads(json.dumps(order_snapshot(map_order(raw))))["quantities"]  # as stored by Odoo
    first, second = (line.order_product_id for line in map_order(raw).lines[:2])
    lowered = [{**item, "quantity": 1} if item["id"] == first else item
               for item in raw["consignments"]["shipping"][0]["line_items"]]
    raw["consignments"]["shipping"][0]["line_items"] = lowered
    now = {line.order_product_id: line.quantity for line in map_order(raw).lines if line.order_product_id}
    # The second line was raised in Odoo since: BigCommerce did not change it, so it stays.
    odoo_lines = [(first, 2, 0, 0), (second, now[second] + 3, 0, 0)]
    assert [c.order_product_id for c in quantity_changes(odoo_lines, now, previous)] == [first]
    assert [c.order_product_id for c in quantity_changes(odoo_lines, now)] == [first, second]
    assert quantity_changes(odoo_lines, now, {**previous, str(first): "1"}) == [], "told once"


def test_quantities_raised_in_bigcommerce_are_not_applied():
    assert quantity_changes([(1, 2.0, 0.0, 0.0)], {1: 5}) == []


# ---------------------------------------------------------------- the fixtures themselves

@pytest.mark.skipif(not os.path.isdir(SPEC_DIR), reason=f"OpenAPI specs not found in {SPEC_DIR}")
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixtures_follow_the_spec(name):
    from openapi_schema_validator import OAS30Validator

    with open(os.path.join(SPEC_DIR, "orders.v2.oas2.yml")) as handle:
        components = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["components"]

    def check(instance, schema):
        OAS30Validator({"$ref": f"#/components/schemas/{schema}", "components": components}).validate(instance)

    with open(os.path.join(FIXTURES, name)) as handle:
        data = json.load(handle)
    order = copy.deepcopy(data["order"])
    consignments, fees = order.pop("consignments"), order.pop("fees")
    check(order, "order_Resp")
    for consignment in consignments["shipping"]:
        check({k: v for k, v in consignment.items() if k != "line_items"}, "shippingConsignment_Get")
    groups = consignments["shipping"] + consignments["email"]["gift_certificates"]
    for product in (item for group in groups for item in group["line_items"]):
        check(product, "orderProducts")
    for fee in fees if isinstance(fees, list) else ():
        check(fee, "orderFees_Resp")
    for coupon in data.get("coupons", ()):
        check(coupon, "orderCoupons_Base")


@pytest.mark.parametrize("status_id, outcome", [(5, "cancelled"), (4, "refunded"), (14, "partially_refunded"),
                                                (2, "shipped"), (10, "shipped"), (11, ""), (3, ""), (7, ""), (1, "")])
def test_what_bigcommerce_already_did_with_an_order(status_id, outcome):
    assert store_outcome(status_id) == outcome


def test_an_order_cancelled_in_bigcommerce_is_cancelled_in_odoo_only_while_nothing_left_or_was_invoiced():
    assert can_cancel_in_odoo(any_delivery_done=False, any_invoice_posted=False)
    assert not can_cancel_in_odoo(any_delivery_done=True, any_invoice_posted=False)
    assert not can_cancel_in_odoo(any_delivery_done=False, any_invoice_posted=True)
