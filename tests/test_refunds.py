"""Cancellation and refund rules: which orders may be cancelled, what a credit note refunds
in BigCommerce's terms, which payments a quote allows, what a BigCommerce refund gives back.
The items and payments built here go to the sandbox's quote and refund, and to the spec."""
from decimal import Decimal

import pytest

from bigcommerce.refunds import (
    CreditLine, RefundRefused, allows_cancellation_by_default, cancellation_blocker, credit_line, declined_payments,
    discount_share,
    full_refund_items, fully_declined, may_allow_cancellation, payment_state, plan_cancellation, quantities_left,
    quote_excess, quote_refusal, quote_shortfall, refund_credit_lines, refund_for_reference, refund_items,
    with_deduction,
    refund_method_key, refund_methods, refund_reason,
)
from contract import specs_available, validate_request

D = Decimal


# ---------------------------------------------------------------- cancelling

@pytest.mark.parametrize("status_id, allowed", [(1, True), (7, True), (8, True), (9, True), (11, True), (13, True),
                                                (2, False), (3, False), (10, False), (12, False), (5, False),
                                                (4, False), (14, False)])
def test_statuses_that_allow_cancellation_by_default(status_id, allowed):
    assert allows_cancellation_by_default(status_id) is allowed


@pytest.mark.parametrize("status_id, possible", [(2, False), (10, False), (12, False), (3, True), (14, True), (11, True)])
def test_shipped_completed_and_manual_verification_can_never_be_allowed(status_id, possible):
    assert may_allow_cancellation(status_id) is possible


def test_why_an_order_cannot_be_cancelled():
    allowed = {"9", "11"}
    assert cancellation_blocker(11, allowed) == ""
    assert cancellation_blocker(5, allowed) == "already_cancelled"
    assert cancellation_blocker(7, allowed) == "not_allowed"  # the merchant unticked Awaiting Payment
    assert cancellation_blocker(2, {"2"}) == "not_allowed"  # shipped, whatever the flags say


def test_cancelling_voids_an_authorisation_and_refunds_captured_money_only_when_asked(client):
    allowed = {"11"}
    captured = list(client.iter_order_transactions(103))
    total = D(client.get_order(103, include=None)["total_inc_tax"]).quantize(D("0.01"))
    assert plan_cancellation(11, allowed, captured, refund_payments=True).refund_amount == total
    assert plan_cancellation(11, allowed, captured, refund_payments=False).refund_amount == D(0)
    authorised = list(client.iter_order_transactions(104))
    plan = plan_cancellation(11, allowed, authorised, refund_payments=True)
    assert (plan.void, plan.refund_amount) == (True, D(0))
    # Asked already, the gateway has not answered: not voided twice.
    assert not plan_cancellation(11, allowed, authorised, True, payment_status="void pending").void
    assert plan_cancellation(5, allowed, captured, True).blocker == "already_cancelled"
    assert plan_cancellation(2, allowed, captured, True) == plan_cancellation(2, allowed, [], False)


def test_a_cancellation_refunds_the_whole_order_through_its_gateway(client):
    total = D(client.get_order(103, include=None)["total_inc_tax"])
    items = full_refund_items(103, total)
    quote = client.create_refund_quote(103, {"items": items})
    _label, payments = refund_methods(quote)[0]
    body = {"items": items, "payments": payments}
    if specs_available():
        validate_request("POST", "/stores/sandbox/v3/orders/103/payment_actions/refunds", body=body)
    client.create_refund(103, body)
    assert client.get_order(103, include=None)["payment_status"] == "refunded"
    assert payment_state(client.iter_order_transactions(103)).refundable == D(0)


def test_a_void_is_sent_as_the_spec_says(client):
    if specs_available():
        validate_request("POST", "/stores/sandbox/v3/orders/104/payment_actions/void")
    client.void_payment(104)
    assert client.get_order(104, include=None)["payment_status"] == "void"


# ---------------------------------------------------------------- payments

def test_payment_state_of_captured_authorised_voided_and_refunded_orders(client):
    captured = payment_state(client.iter_order_transactions(103))
    total = D(client.get_order(103, include=None)["total_inc_tax"]).quantize(D("0.01"))
    assert (captured.captured, captured.refundable, captured.authorized_only) == (total, total, False)
    authorised = payment_state(client.iter_order_transactions(104))
    assert (authorised.refundable, authorised.authorized_only) == (D(0), True)
    voided = payment_state(client.iter_order_transactions(108))
    assert (voided.refundable, voided.authorized_only) == (D(0), False)
    refunded = payment_state(client.iter_order_transactions(109))
    assert refunded.refundable == D(0)
    assert payment_state([]).refundable == D(0)


def test_store_credit_and_gift_certificates_are_not_refundable_through_the_gateway():
    state = payment_state([
        {"event": "purchase", "status": "ok", "method": "credit_card", "amount": 80},
        {"event": "purchase", "status": "ok", "method": "gift_certificate", "amount": 20},
        {"event": "purchase", "status": "error", "method": "credit_card", "amount": 80},
    ])
    assert state.refundable == D(80)


# ---------------------------------------------------------------- credit note -> refund

def products_of(client, order_id):
    return {p["id"]: p for p in client.iter_order_products(order_id)}


def test_a_partial_credit_note_is_quoted_and_refunded_by_quantity_and_shipping(client):
    products = products_of(client, 103)
    shirt = next(p for p in products.values() if p["sku"] == "TSHIRT-M")
    address_id = next(iter(client.iter_order_shipping_addresses(103)))["id"]
    lines = [CreditLine("product", quantity=D(1), order_product_id=shirt["id"], name="T-Shirt M"),
             CreditLine("shipping", amount=D("5.00"), order_address_id=address_id, name="Shipping")]
    left = {p["id"]: p["quantity"] - p["quantity_refunded"] for p in products.values()}
    items = refund_items(103, lines, left, reason="Too small")
    assert items == [{"item_type": "PRODUCT", "item_id": shirt["id"], "quantity": 1, "reason": "Too small"},
                     {"item_type": "SHIPPING", "item_id": address_id, "amount": 5.0, "reason": "Too small"}]
    quote = client.create_refund_quote(103, {"items": items})
    assert quote_excess(quote, quote["total_refund_amount"]) == 0
    label, payments = refund_methods(quote)[0]
    assert label.startswith("Credit Card")
    body = {"items": items, "payments": payments}
    if specs_available():
        validate_request("POST", "/stores/sandbox/v3/orders/103/payment_actions/refunds", body=body)
    refund = client.create_refund(103, body)
    assert not declined_payments(refund)
    after = products_of(client, 103)
    assert after[shirt["id"]]["quantity_refunded"] == 1
    assert client.get_order(103, include=None)["payment_status"] == "partially refunded"


def test_an_amount_only_credit_note_is_an_order_level_refund(client):
    items = refund_items(103, [CreditLine("amount", amount=D("10.004"), name="Goodwill")], {})
    assert items == [{"item_type": "ORDER", "item_id": 103, "amount": 10.0}]
    quote = client.create_refund_quote(103, {"items": items})
    assert Decimal(str(quote["total_refund_amount"])) == D("10.00")


def test_refunding_more_than_is_left_is_refused_with_a_sentence(client):
    products = products_of(client, 110)  # one of two shirts already refunded
    shirt = next(p for p in products.values() if p["sku"] == "TSHIRT-M")
    left = {p["id"]: p["quantity"] - p["quantity_refunded"] for p in products.values()}
    with pytest.raises(RefundRefused, match="the credit note refunds 2, BigCommerce can refund 1 more"):
        refund_items(110, [CreditLine("product", quantity=D(2), order_product_id=shirt["id"], name="T-Shirt M")], left)
    with pytest.raises(RefundRefused, match="whole quantities"):
        refund_items(110, [CreditLine("product", quantity=D("0.5"), order_product_id=shirt["id"], name="T-Shirt M")],
                     left)
    with pytest.raises(RefundRefused, match="refunds nothing"):
        refund_items(110, [], left)


def test_a_credit_note_asking_more_than_the_quote_allows_says_by_how_much():
    assert quote_excess({"total_refund_amount": 45.0}, D("50.00")) == D("5.00")
    assert quote_excess({"total_refund_amount": 45.0}, D("45.004")) == 0


def test_each_quote_alternative_becomes_the_payments_a_refund_sends():
    quote = {"refund_methods": [
        [{"provider_id": "braintree", "provider_description": "Credit Card", "amount": 45, "offline": False}],
        [{"provider_id": "braintree", "provider_description": "Credit Card", "amount": 40.5, "offline": False},
         {"provider_id": "storecredit", "provider_description": "Store Credit", "amount": 4.5, "offline": False}],
    ]}
    assert refund_methods(quote) == [
        ("Credit Card 45.00", [{"provider_id": "braintree", "amount": 45.0, "offline": False}]),
        ("Credit Card 40.50 + Store Credit 4.50", [{"provider_id": "braintree", "amount": 40.5, "offline": False},
                                                  {"provider_id": "storecredit", "amount": 4.5, "offline": False}]),
    ]


def test_declined_refund_payments_are_reported_with_their_message():
    refund = {"payments": [{"provider_id": "braintree", "is_declined": True, "declined_message": "Settlement pending"},
                           {"provider_id": "storecredit", "is_declined": False}]}
    assert declined_payments(refund) == [("braintree", "Settlement pending")]


def test_credit_note_lines_become_product_shipping_or_amount_lines():
    assert credit_line("Shirt", "2", "43.30", order_product_id=1003, order_address_id=503) == CreditLine(
        "product", quantity=D(2), amount=D("43.30"), order_product_id=1003, name="Shirt")
    assert credit_line("Shipping", 1, "12.99", order_address_id=503, shipping=True) == CreditLine(
        "shipping", amount=D("12.99"), order_address_id=503, name="Shipping")
    # Gift wrapping names its order product, but is no quantity of it; a line of no order is an amount.
    assert credit_line("Wrapping", 1, "4.33", order_product_id=1004, service=True).kind == "amount"
    assert credit_line("Goodwill", 1, "10").kind == "amount"
    assert credit_line("Shipping", 1, "5", shipping=True).kind == "amount", "shipping of no known address"


def test_refundable_quantities_are_what_bigcommerce_has_not_refunded(client):
    products = list(client.iter_order_products(110))  # one of two shirts refunded to store credit
    left = quantities_left(products)
    shirt = next(p for p in products if p["sku"] == "TSHIRT-M")
    assert left[shirt["id"]] == shirt["quantity"] - 1
    assert set(left) == {p["id"] for p in products}


def test_shipping_beyond_the_address_cost_is_its_handling_and_is_quoted(client):
    address = next(iter(client.iter_order_shipping_addresses(103)))
    lines = [CreditLine("shipping", amount=D(address["cost_inc_tax"]), order_address_id=address["id"]),
             CreditLine("shipping", amount=D(address["handling_cost_inc_tax"]), order_address_id=address["id"])]
    items = refund_items(103, lines, {}, shipping_costs={address["id"]: address["cost_inc_tax"]})
    assert items == [{"item_type": "SHIPPING", "item_id": address["id"], "amount": 12.99},
                     {"item_type": "HANDLING", "item_id": address["id"], "amount": 3.25}]
    quote = client.create_refund_quote(103, {"items": items})
    assert D(str(quote["total_refund_amount"])) == D("16.24")
    # Without the address costs every shipping line is shipping (the caller knows no better).
    assert [i["item_type"] for i in refund_items(103, lines, {})] == ["SHIPPING"]
    assert [i["item_type"] for i in refund_items(103, lines, {}, shipping_costs={})] == ["SHIPPING"]


def test_a_refund_made_for_a_credit_note_is_found_by_its_reference_unless_declined(client, sandbox):
    reason = refund_reason("RINV/2025/00007", "Too small")
    assert reason == "RINV/2025/00007: Too small"
    assert refund_reason("RINV/2025/00007", "  ") == "RINV/2025/00007"
    assert len(refund_reason("R", "x" * 2000)) == 1000
    items = refund_items(103, [CreditLine("amount", amount=D(10))], {}, reason=reason)
    quote = client.create_refund_quote(103, {"items": items})
    refund = client.create_refund(103, {"items": items, "payments": refund_methods(quote)[0][1]})
    refunds = list(client.iter_order_refunds(103))
    assert refund_for_reference(refunds, "RINV/2025/00007")["id"] == refund["id"]
    assert refund_for_reference(refunds, "RINV/2025/0000") is None, "another credit note's reference"
    assert refund_for_reference(list(client.iter_order_refunds(110)), "RINV/2025/00007") is None
    sandbox.state.decline_refund(103, refund["id"], "Card expired")
    declined = next(iter(client.iter_order_refunds(103)))
    assert fully_declined(declined) and declined_payments(declined) == [(declined["payments"][0]["provider_id"],
                                                                         "Card expired")]
    assert refund_for_reference([declined], "RINV/2025/00007") is None, "a declined refund may be made again"
    assert client.get_order(103, include=None)["payment_status"] == "captured", "nothing was given back"


def test_a_quote_is_refused_when_it_gives_more_or_less_than_the_credit_note():
    quote = {"total_refund_amount": 45.0}
    assert quote_refusal(quote, D("45.00")) == ""
    assert quote_refusal(quote, D("44.99"), item_count=2) == "", "a cent of rounding per item"
    assert quote_refusal(quote, D("45.01"), item_count=2) != "", "never more than BigCommerce allows"
    assert "0.05 more than BigCommerce allows" in quote_refusal(quote, D("45.05"))
    assert "more than the credit note's 40.00" in quote_refusal(quote, D("40.00"))


def test_a_quote_alternative_is_named_by_its_providers():
    assert refund_method_key([{"provider_id": "storecredit", "amount": 1}, {"provider_id": "braintree", "amount": 2}]) \
        == "braintree+storecredit"
    assert refund_method_key([{"provider_id": "custom", "offline": True}]) == "custom:offline"


# ---------------------------------------------------------------- BigCommerce -> Odoo

def test_a_refund_made_in_bigcommerce_becomes_credit_lines(client):
    refund = next(iter(client.iter_order_refunds(109)))  # the seed refund: both products and the shipping
    products = products_of(client, 109)
    lines = refund_credit_lines(refund, set(products))
    by_kind = {}
    for line in lines:
        by_kind.setdefault(line.kind, []).append(line)
    assert sorted((line.order_product_id, line.quantity) for line in by_kind["product"]) == sorted(
        (p["id"], D(p["quantity"])) for p in products.values())
    address = next(iter(client.iter_order_shipping_addresses(109)))
    assert [(line.order_address_id, line.amount) for line in by_kind["shipping"]] == [
        (address["id"], D(address["cost_inc_tax"]).quantize(D("0.01")))]
    assert "amount" not in by_kind


def test_order_level_and_unknown_items_become_amount_lines():
    lines = refund_credit_lines({"items": [{"item_type": "ORDER", "item_id": 5, "requested_amount": 7.5},
                                           {"item_type": "PRODUCT", "item_id": 999, "quantity": 1,
                                            "requested_amount": 3}]}, {1, 2})
    assert [(line.kind, line.amount) for line in lines] == [("amount", D("7.5")), ("amount", D("3"))]


def test_items_the_refund_gives_no_amount_for_are_unpriced():
    lines = refund_credit_lines({"items": [{"item_type": "GIFT_WRAPPING", "item_id": 1, "quantity": 1},
                                           {"item_type": "PRODUCT", "item_id": 999, "quantity": 2}]}, {1, 2})
    assert [(line.kind, line.name, line.quantity) for line in lines] == [
        ("unpriced", "GIFT_WRAPPING", D(1)), ("unpriced", "PRODUCT", D(2))]


def test_the_discount_share_makes_a_credit_note_equal_the_refund():
    assert discount_share("30.00", "28.00", "10.00") == D("-2.00")
    assert discount_share("30.00", "30.00", "0") == D(0)
    assert discount_share("30.001", "30.00", "0") == D(0)  # rounding
    assert discount_share("30.00", "18.00", "10.00") is None  # more than all the discounts
    assert discount_share("30.00", "31.00", "10.00") is None  # a refund above the credited lines


def test_a_credit_note_below_the_quote_is_refunded_less_a_deduction_on_its_first_product():
    quote = {"total_refund_amount": 30.0}
    assert quote_shortfall(quote, "30.01", 1) == D(0)  # a cent of rounding
    assert quote_shortfall(quote, "20.00", 2) == D("10.00")
    items = [{"item_type": "SHIPPING", "item_id": 9, "amount": 5.0}, {"item_type": "PRODUCT", "item_id": 1, "quantity": 1}]
    deducted = with_deduction(items, D("10.004"), "Credit note RINV/1 gives back less than the price")
    assert deducted[0] == items[0]
    assert deducted[1]["adjustments"] == [{"amount": -10.0, "description": "Credit note RINV/1 gives back less than the price"}]
    assert "adjustments" not in items[1]
    assert with_deduction(items[:1], D(1), "x") is None
    if specs_available():
        validate_request("POST", "/stores/sandbox/v3/orders/103/payment_actions/refund_quotes",
                         body={"items": deducted})
