"""Financial workflow rule: which steps Odoo runs for an order, per gateway and payment status."""
import pytest

from bigcommerce.workflows import (
    PAYMENT_STATUSES, WorkflowSteps, default_steps_for, gateway_code, normalize_payment_status,
    resolve_workflow,
)

# O2 §order_RespOnly payment_status enum, as BigCommerce sends it.
BIGCOMMERCE_PAYMENT_STATUSES = ("authorized", "captured", "capture pending", "declined", "held for review",
                                "paid", "partially refunded", "pending", "refunded", "void", "void pending", "")
FULL = WorkflowSteps(confirm_order=True, create_invoice=True, post_invoice=True, register_payment=True)
CONFIRM = WorkflowSteps(confirm_order=True)


def test_every_bigcommerce_payment_status_has_its_own_selection_value():
    codes = [normalize_payment_status(value) for value in BIGCOMMERCE_PAYMENT_STATUSES]
    assert sorted(codes) == sorted(code for code, _label in PAYMENT_STATUSES)
    assert normalize_payment_status("") == normalize_payment_status(None) == "none"
    assert normalize_payment_status("Capture Pending") == "capture_pending"


def test_an_unknown_payment_status_is_kept_not_mistaken_for_another():
    assert normalize_payment_status("Chargeback") == "chargeback"
    assert resolve_workflow("stripe", "Chargeback", [("stripe", "captured", FULL)]) is None


@pytest.mark.parametrize("value, code", [
    ("Cash on Delivery", "cash_on_delivery"), ("stripe", "stripe"), ("  PayPal Express ", "paypal_express"),
    ("Test Payment Gateway", "test_payment_gateway"), ("", ""), (None, ""),
])
def test_gateway_code(value, code):
    assert gateway_code(value) == code


def test_steps_that_need_an_earlier_step_are_refused():
    with pytest.raises(ValueError, match="register payment needs post invoice"):
        WorkflowSteps(confirm_order=True, create_invoice=True, register_payment=True)
    with pytest.raises(ValueError, match="create invoice needs confirm order"):
        WorkflowSteps(create_invoice=True)
    WorkflowSteps(confirm_order=True, validate_delivery=True)


def test_the_workflow_of_the_gateway_and_status_is_chosen():
    workflows = [
        ("", "captured", CONFIRM),
        ("Cash on Delivery", "none", CONFIRM),
        ("stripe", "Captured", FULL),
    ]
    assert resolve_workflow("stripe", "captured", workflows) == FULL  # exact gateway beats any-gateway
    assert resolve_workflow("braintree", "captured", workflows) == CONFIRM  # any-gateway rule
    assert resolve_workflow("cash_on_delivery", "", workflows) == CONFIRM  # spelled as the merchant typed it
    assert resolve_workflow("stripe", "authorized", workflows) is None  # stays a quotation


@pytest.mark.parametrize("status, steps", [
    ("captured", FULL), ("paid", FULL), ("partially refunded", FULL),
    ("authorized", CONFIRM), ("capture pending", CONFIRM),
    ("pending", WorkflowSteps()), ("held for review", WorkflowSteps()), ("declined", WorkflowSteps()),
    ("void", WorkflowSteps()), ("void pending", WorkflowSteps()), ("refunded", WorkflowSteps()),
    ("", WorkflowSteps()),
])
def test_suggested_steps_never_invoice_unpaid_money_nor_ship_by_themselves(status, steps):
    assert default_steps_for(status) == steps
    assert not default_steps_for(status).validate_delivery
