"""Mark as Paid rule (API-NOTES §3, §6): what Odoo asks of BigCommerce once an order's invoices
are paid in Odoo, by the way the customer paid.

* An authorised card payment (``payment_status`` ``authorized``) is captured through
  ``payment_actions/capture``. BigCommerce answers at once and the gateway later: the order is
  ``capture pending`` meanwhile, and a capture already asked for is never asked again.
* An offline or manual payment (the order Awaiting Payment, no payment or a ``pending`` one, no
  transaction through a card gateway) moves the order to Awaiting Fulfillment, as a merchant
  does by hand once the money arrived.
* Anything else is left to BigCommerce or to a person: a payment already taken, one the gateway
  still holds (held for review, a card payment pending), a voided or declined one.
"""
from dataclasses import dataclass

from .orders import STATUS_AWAITING_PAYMENT, STATUS_CANCELLED, STATUS_PARTIALLY_REFUNDED, STATUS_REFUNDED
from .refunds import payment_state
from .workflows import normalize_payment_status

CAPTURE, AWAITING_FULFILLMENT = "capture", "awaiting_fulfillment"
# Why nothing is sent: the reason codes of MarkPaidPlan.
ALREADY_PAID, CAPTURE_PENDING, ORDER_CLOSED, NOT_OFFLINE, NOT_AWAITING_PAYMENT = (
    "already_paid", "capture_pending", "order_closed", "not_offline", "not_awaiting_payment")
# Payment statuses after which the money is BigCommerce's: the button is not shown.
PAID_PAYMENT_STATUSES = frozenset({"captured", "paid", "refunded", "partially_refunded"})
STATUS_DECLINED = 6
_CLOSED_STATUS_IDS = frozenset({STATUS_CANCELLED, STATUS_DECLINED, STATUS_REFUNDED, STATUS_PARTIALLY_REFUNDED})
# Transaction methods of money that never went through a card gateway (O3 §Transaction method).
_OFFLINE_METHODS = frozenset({"offline", "custom"})
# An order awaiting an offline payment: nothing recorded yet, or BigCommerce's 'pending'.
_OFFLINE_PAYMENT_STATUSES = frozenset({"none", "pending"})


@dataclass(frozen=True)
class MarkPaidPlan:
    """``action`` (CAPTURE, AWAITING_FULFILLMENT) to send, or '' and the ``reason`` why not."""
    action: str = ""
    reason: str = ""


def plan_mark_paid(status_id, payment_status, transactions=()):
    """What Mark as Paid does for an order in ``status_id`` with this ``payment_status`` and v3
    ``transactions``, as read just now. Without transactions (what Odoo last saw of the order)
    it says whether the button could do anything."""
    status = normalize_payment_status(payment_status)
    transactions = list(transactions or ())
    if status in PAID_PAYMENT_STATUSES or payment_state(transactions).captured:
        return MarkPaidPlan(reason=ALREADY_PAID)
    if status == "capture_pending":
        return MarkPaidPlan(reason=CAPTURE_PENDING)
    if status == "authorized":
        if int(status_id) in _CLOSED_STATUS_IDS:
            return MarkPaidPlan(reason=ORDER_CLOSED)
        return MarkPaidPlan(action=CAPTURE)
    if int(status_id) != STATUS_AWAITING_PAYMENT:
        return MarkPaidPlan(reason=NOT_AWAITING_PAYMENT)
    gateway_money = any(t.get("method") not in _OFFLINE_METHODS for t in transactions if t.get("status") == "ok")
    if status not in _OFFLINE_PAYMENT_STATUSES or gateway_money:
        return MarkPaidPlan(reason=NOT_OFFLINE)
    return MarkPaidPlan(action=AWAITING_FULFILLMENT)


def can_mark_paid(status_id, payment_status):
    """Whether Mark as Paid can act on an order Odoo last saw so: something to send, or a capture
    pending whose outcome it reads again."""
    plan = plan_mark_paid(status_id or 0, payment_status)
    return bool(plan.action) or plan.reason == CAPTURE_PENDING
