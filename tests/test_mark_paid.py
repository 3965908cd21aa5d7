"""Mark as Paid rule: capture an authorised card payment, or record an offline payment by moving
the order to Awaiting Fulfillment; nothing twice, nothing a gateway or a person still decides."""
import pytest

from bigcommerce.mark_paid import (
    ALREADY_PAID, AWAITING_FULFILLMENT, CAPTURE, CAPTURE_PENDING, NOT_AWAITING_PAYMENT, NOT_OFFLINE, ORDER_CLOSED,
    MarkPaidPlan, can_mark_paid, plan_mark_paid,
)

AWAITING_PAYMENT, AWAITING_SHIPMENT, AWAITING_FULFILLMENT_ID, CANCELLED = 7, 9, 11, 5


def tx(event, method="credit_card", status="ok", amount=50):
    return {"event": event, "method": method, "status": status, "amount": amount}


def test_an_authorised_card_payment_is_captured_whatever_the_order_status():
    for status_id in (AWAITING_PAYMENT, AWAITING_SHIPMENT, AWAITING_FULFILLMENT_ID):
        assert plan_mark_paid(status_id, "authorized", [tx("authorization")]) == MarkPaidPlan(action=CAPTURE)


def test_a_capture_asked_for_already_is_not_asked_again():
    assert plan_mark_paid(AWAITING_SHIPMENT, "capture pending", [tx("authorization")]).reason == CAPTURE_PENDING


def test_an_offline_payment_awaiting_payment_moves_to_awaiting_fulfillment():
    assert plan_mark_paid(AWAITING_PAYMENT, "pending", [tx("pending", method="offline")]).action == AWAITING_FULFILLMENT
    # A manual order (created in the control panel or by the API) has no payment recorded at all.
    assert plan_mark_paid(AWAITING_PAYMENT, "", []).action == AWAITING_FULFILLMENT
    assert plan_mark_paid(AWAITING_PAYMENT, None, [tx("purchase", method="custom", status="error")]).action \
        == AWAITING_FULFILLMENT


@pytest.mark.parametrize("payment_status", ["captured", "paid", "refunded", "partially refunded"])
def test_money_already_taken_is_left_alone(payment_status):
    assert plan_mark_paid(AWAITING_PAYMENT, payment_status).reason == ALREADY_PAID
    assert not can_mark_paid(AWAITING_PAYMENT, payment_status)


def test_a_capture_the_transactions_show_counts_even_if_the_payment_status_lags():
    transactions = [tx("authorization"), tx("capture")]
    assert plan_mark_paid(AWAITING_SHIPMENT, "authorized", transactions).reason == ALREADY_PAID
    # A failed capture took nothing: capture again.
    assert plan_mark_paid(AWAITING_SHIPMENT, "authorized", [tx("authorization"), tx("capture", status="error")]).action \
        == CAPTURE


def test_an_authorisation_on_a_cancelled_order_is_not_captured():
    assert plan_mark_paid(CANCELLED, "authorized", [tx("authorization")]).reason == ORDER_CLOSED


@pytest.mark.parametrize("payment_status, transactions", [
    ("held for review", [tx("authorization")]),  # a person at the gateway decides
    ("declined", [tx("purchase", status="error")]),
    ("void", [tx("authorization"), tx("void")]),
    ("pending", [tx("pending", method="electronic_wallet")]),  # the wallet's gateway settles it, not Odoo
])
def test_a_payment_a_gateway_still_holds_is_not_marked_paid(payment_status, transactions):
    assert plan_mark_paid(AWAITING_PAYMENT, payment_status, transactions).reason == NOT_OFFLINE


def test_an_order_past_awaiting_payment_is_left_as_it_is():
    assert plan_mark_paid(AWAITING_FULFILLMENT_ID, "pending", [tx("pending", method="offline")]).reason \
        == NOT_AWAITING_PAYMENT
    assert not can_mark_paid(AWAITING_FULFILLMENT_ID, "pending")


def test_the_button_shows_when_there_is_something_to_send_or_a_pending_capture_to_read():
    assert can_mark_paid(AWAITING_SHIPMENT, "authorized")
    assert can_mark_paid(AWAITING_SHIPMENT, "capture_pending")
    assert can_mark_paid(AWAITING_PAYMENT, "pending")
    assert can_mark_paid(AWAITING_PAYMENT, "none")
    assert not can_mark_paid(AWAITING_PAYMENT, "held_for_review")
    assert not can_mark_paid(0, "pending")  # never imported a status
