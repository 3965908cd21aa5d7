"""Cancellation and refund rules (API-NOTES §4, §6, §7), for Cancel In BigCommerce, Refund
In BigCommerce and BigCommerce's own refunds arriving in Odoo.

* Cancelling is ``status_id: 5`` and nothing more: no payment action fires by itself, so an
  authorisation is voided and captured money refunded explicitly. Which statuses a store may
  cancel from is the merchant's policy (BigCommerce defines no state machine); Shipped,
  Completed and Manual Verification Required are never cancelled from Odoo.
* A refund is quoted first; the refund then names one of the quote's ``refund_methods``
  alternatives with exactly its amounts, or BigCommerce answers 422.
* v3 money (transactions, quotes, refunds) is JSON numbers: read here as ``Decimal`` through
  their text, sent back as numbers rounded to 2 places (§Amount).
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .i18n import _lt
from .money import to_decimal
from .workflows import normalize_payment_status
from .orders import STATUS_CANCELLED, STATUS_COMPLETED, STATUS_PARTIALLY_REFUNDED, STATUS_REFUNDED, STATUS_SHIPPED

ZERO = Decimal(0)
CENT = Decimal("0.01")
STATUS_PARTIALLY_SHIPPED, STATUS_MANUAL_VERIFICATION_REQUIRED = 3, 12
# Goods left, or a person at BigCommerce is checking the order: cancelling is never Odoo's call.
NEVER_CANCELLABLE_STATUS_IDS = frozenset({STATUS_SHIPPED, STATUS_COMPLETED, STATUS_MANUAL_VERIFICATION_REQUIRED})
NOT_CANCELLABLE_BY_DEFAULT = NEVER_CANCELLABLE_STATUS_IDS | {
    STATUS_PARTIALLY_SHIPPED, STATUS_CANCELLED, STATUS_REFUNDED, STATUS_PARTIALLY_REFUNDED}
# Money that was never the gateway's to give back through a card refund.
_NOT_GATEWAY_METHODS = ("gift_certificate", "store_credit")


def allows_cancellation_by_default(status_id):
    """The initial Allow Cancellation flag of an imported order status."""
    return int(status_id) not in NOT_CANCELLABLE_BY_DEFAULT


def may_allow_cancellation(status_id):
    """Whether a merchant may tick Allow Cancellation on this status at all."""
    return int(status_id) not in NEVER_CANCELLABLE_STATUS_IDS


def cancellation_blocker(status_id, allowed_status_ids):
    """Why an order in ``status_id`` cannot be cancelled in BigCommerce now: 'already_cancelled',
    'not_allowed' (the store's policy or a status that never allows it), or '' when it can."""
    status_id = int(status_id)
    if status_id == STATUS_CANCELLED:
        return "already_cancelled"
    if status_id in NEVER_CANCELLABLE_STATUS_IDS or status_id not in {int(s) for s in allowed_status_ids}:
        return "not_allowed"
    return ""


def _amount(value):
    return to_decimal(str(value)) if value not in (None, "") else ZERO


def _round(amount):
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PaymentState:
    captured: Decimal  # taken by the gateway (captures and purchases that succeeded)
    refunded: Decimal
    authorized_only: bool  # an authorisation holds money that was neither captured nor voided

    @property
    def refundable(self):
        return max(self.captured - self.refunded, ZERO)


def payment_state(transactions):
    """What the order's v3 transactions (O3#getOrderTransactions) say about its money."""
    ok = [t for t in transactions or () if t.get("status") == "ok" and t.get("method") not in _NOT_GATEWAY_METHODS]
    captured = sum((_amount(t.get("amount")) for t in ok if t.get("event") in ("capture", "purchase")), ZERO)
    refunded = sum((_amount(t.get("amount")) for t in ok if t.get("event") == "refund"), ZERO)
    authorized = any(t.get("event") == "authorization" for t in ok)
    voided = any(t.get("event") == "void" for t in ok)
    return PaymentState(captured=captured, refunded=refunded,
                        authorized_only=authorized and not captured and not voided)


@dataclass(frozen=True)
class CreditLine:
    """One credit note line as the refund sees it. ``kind``: 'product' (an order product, by
    quantity), 'shipping' (a shipping address's shipping, by amount) or 'amount' (anything
    else: given back as an order-level amount). ``amount`` includes tax."""
    kind: str
    quantity: Decimal = ZERO
    amount: Decimal = ZERO
    order_product_id: int | None = None
    order_address_id: int | None = None
    name: str = ""


class RefundRefused(ValueError):
    """The credit note asks for what BigCommerce cannot refund; ``args[0]`` says what (a ``Text``)."""


def refund_items(order_id, credit_lines, refundable_quantities, reason="", shipping_costs=None):
    """The ``items`` of a refund quote and refund (§ItemsRefund) for a credit note.

    Product lines refund their quantity of the order product (BigCommerce prices it), shipping
    lines their amount for the address; a credit note without product or shipping lines is an
    order-level amount. ``refundable_quantities``: {order product id: quantity still refundable}.
    ``shipping_costs``: {order address id: its shipping cost, tax included}; when given, what the
    shipping lines of an address ask beyond it is that address's handling (Odoo bills both with
    the shipping product).
    Raises RefundRefused naming the line that asks for more than is left."""
    items = []
    quantities = {}
    for line in credit_lines:
        if line.kind == "product" and line.order_product_id:
            if line.quantity != line.quantity.to_integral_value() or line.quantity <= 0:
                raise RefundRefused(_lt("%(line)s: BigCommerce refunds whole quantities, not %(quantity)s.",
                                        line=line.name, quantity=line.quantity))
            quantities[line.order_product_id] = quantities.get(line.order_product_id, ZERO) + line.quantity
    for order_product_id, quantity in quantities.items():
        left = Decimal(str(refundable_quantities.get(order_product_id, 0)))
        if quantity > left:
            name = next(line.name for line in credit_lines if line.order_product_id == order_product_id)
            raise RefundRefused(_lt("%(line)s: the credit note refunds %(quantity)s, BigCommerce can refund %(left)s more.",
                                    line=name, quantity=quantity, left=left))
        items.append({"item_type": "PRODUCT", "item_id": order_product_id, "quantity": int(quantity)})
    shipping = {}
    for line in credit_lines:
        if line.kind == "shipping" and line.order_address_id and line.amount > 0:
            shipping[line.order_address_id] = shipping.get(line.order_address_id, ZERO) + line.amount
    for address_id, amount in shipping.items():
        # An address BigCommerce did not list (or no costs given): all of it is shipping.
        cost = _amount(shipping_costs[address_id]) if address_id in (shipping_costs or {}) else amount
        amount, handling = min(amount, cost), max(amount - cost, ZERO)
        items += [{"item_type": kind, "item_id": address_id, "amount": float(_round(value))}
                  for kind, value in (("SHIPPING", amount), ("HANDLING", handling)) if _round(value) > 0]
    other = sum((line.amount for line in credit_lines if line.kind == "amount"), ZERO)
    if other > 0:
        items.append({"item_type": "ORDER", "item_id": int(order_id), "amount": float(_round(other))})
    if not items:
        raise RefundRefused(_lt("The credit note refunds nothing BigCommerce knows: no quantity, shipping or amount."))
    if reason:
        for item in items:
            item["reason"] = reason[:1000]
    return items


def quote_excess(quote, requested_total):
    """How much more the credit note asks for than BigCommerce's quote allows (ZERO when within)."""
    allowed = _amount(quote.get("total_refund_amount"))
    return max(_round(_amount(requested_total)) - _round(allowed), ZERO)


def refund_methods(quote):
    """The quote's alternatives as (label, payments) pairs: ``payments`` is what a refund sends
    for that alternative (§RefundRequest_Post_Items), label e.g. 'Braintree 45.00 + Store Credit 5.00'."""
    alternatives = []
    for option in quote.get("refund_methods") or ():
        payments = [{"provider_id": method["provider_id"], "amount": float(_round(_amount(method.get("amount")))),
                     "offline": bool(method.get("offline"))} for method in option]
        label = " + ".join(f"{method.get('provider_description') or method['provider_id']} "
                           f"{_round(_amount(method.get('amount')))}" for method in option)
        alternatives.append((label, payments))
    return alternatives


def credit_line(name, quantity, amount, order_product_id=0, order_address_id=0, shipping=False, service=False):
    """The CreditLine of one credit note line (Refund In BigCommerce). ``amount`` is the line's
    total tax included; ``shipping``: the line is the store's shipping product, whose sale line
    knows its ``order_address_id``; ``service``: a service line that is not an order product
    (gift wrapping, discount) even when it names one. An order product is refunded by quantity,
    shipping by amount for its address, anything else as an order-level amount."""
    amount, quantity = _amount(amount), _amount(quantity)
    if shipping and order_address_id:
        return CreditLine("shipping", amount=amount, order_address_id=int(order_address_id), name=name)
    if order_product_id and not service:
        return CreditLine("product", quantity=quantity, amount=amount, order_product_id=int(order_product_id),
                          name=name)
    return CreditLine("amount", amount=amount, name=name)


def quantities_left(order_products):
    """{order product id: quantity BigCommerce can still refund} from O2 order products."""
    return {product["id"]: max(int(product.get("quantity") or 0) - int(product.get("quantity_refunded") or 0), 0)
            for product in order_products}


def refund_reason(reference, description=""):
    """The ``reason`` of each refund item: the credit note's reference first, so that the refund is
    found again by it (``refund_for_reference``), then the user's description; ≤ 1000 characters."""
    description = (description or "").strip()
    return (f"{reference}: {description}" if description else reference)[:1000]


def _names_reference(reason, reference):
    return bool(reason) and (reason == reference or reason.startswith(f"{reference}: "))


def refund_for_reference(refunds, reference):
    """The refund, among an order's refunds (O3 §Refund), made for the credit note ``reference``
    (its reason, or one of its items' reasons, starts with it) and not entirely declined by the
    gateway; None when there is none. A declined refund gave nothing back: it may be made again."""
    for refund in refunds:
        reasons = [refund.get("reason")] + [item.get("reason") for item in refund.get("items") or ()]
        if any(_names_reference(reason, reference) for reason in reasons) and not fully_declined(refund):
            return refund
    return None


def fully_declined(refund):
    """Whether the gateway declined every payment of the refund: it gave nothing back."""
    payments = refund.get("payments") or []
    return bool(payments) and len(declined_payments(refund)) == len(payments)


def quote_shortfall(quote, requested_total, item_count=1):
    """How much less the credit note (``requested_total``, tax included) gives back than BigCommerce
    quotes for its items, beyond a cent of rounding per item; ZERO when it does not."""
    allowed, requested = _round(_amount(quote.get("total_refund_amount"))), _round(_amount(requested_total))
    shortfall = allowed - requested
    return shortfall if shortfall > CENT * max(int(item_count), 1) else ZERO


def with_deduction(items, amount, description):
    """``items`` with ``amount`` taken off what BigCommerce refunds for them (§RefundItemAdjustment,
    a negative amount on a PRODUCT item): a credit note that gives less than the price of its
    products (a goodwill or restocking deduction). None when no item takes a deduction."""
    for index, item in enumerate(items):
        if item["item_type"] == "PRODUCT":
            deducted = dict(item, adjustments=[{"amount": -float(_round(_amount(amount))),
                                                "description": description[:255]}])
            return [*items[:index], deducted, *items[index + 1:]]
    return None


def quote_refusal(quote, requested_total, item_count=1):
    """Why a refund quoted as ``quote`` must not be sent for a credit note of ``requested_total``
    (tax included), or "" when it may: BigCommerce never gives back more than it allows, and the
    refund must not give back more than the credit note says, beyond a cent of rounding per item."""
    allowed, requested = _round(_amount(quote.get("total_refund_amount"))), _round(_amount(requested_total))
    excess = quote_excess(quote, requested)
    if excess:
        return _lt("The credit note asks for %(requested)s, %(excess)s more than BigCommerce allows for these items "
                   "(%(allowed)s). Correct the credit note, then try again.",
                   requested=requested, excess=excess, allowed=allowed)
    if quote_shortfall(quote, requested, item_count):
        return _lt("BigCommerce would refund %(allowed)s for these items, more than the credit note's %(requested)s. "
                   "Make the credit note at the invoice's prices, or as an amount only, then try again.",
                   allowed=allowed, requested=requested)
    return ""


def refund_method_key(payments):
    """What names one of a quote's alternatives across quotes (its providers, online or offline),
    for the payments ``refund_methods`` gives: the refund is quoted again before it is sent."""
    return "+".join(sorted(f"{payment['provider_id']}{':offline' if payment.get('offline') else ''}"
                           for payment in payments))


def declined_payments(refund):
    """[(provider, message)] of the refund's payments the gateway declined (asynchronously)."""
    return [(payment.get("provider_id") or "", payment.get("declined_message") or "")
            for payment in refund.get("payments") or () if payment.get("is_declined")]


def refund_credit_lines(refund, order_product_ids):
    """The credit note lines of a refund made in BigCommerce (O3 §Refund): products by quantity
    (for the order products Odoo knows, ``order_product_ids``), shipping and handling by
    address, order-level amounts and fees as amounts. Amounts include tax. An item that gives
    its quantity but no amount for something that is not an order product Odoo knows (gift
    wrapping, an order product Odoo lacks) is 'unpriced': the refund alone does not say how much
    of it went back."""
    lines = []
    for item in refund.get("items") or ():
        kind, item_id = item.get("item_type"), item.get("item_id")
        if kind == "PRODUCT" and item_id in order_product_ids:
            lines.append(CreditLine("product", quantity=_amount(item.get("quantity")), order_product_id=item_id))
        elif kind in ("SHIPPING", "HANDLING"):
            lines.append(CreditLine("shipping", amount=_amount(item.get("requested_amount")), order_address_id=item_id))
        elif item.get("requested_amount") is not None:
            lines.append(CreditLine("amount", amount=_amount(item.get("requested_amount")), name=kind or ""))
        else:
            lines.append(CreditLine("unpriced", quantity=_amount(item.get("quantity")), name=kind or ""))
    return lines


def discount_share(credited, refunded, discounts):
    """What a credit note of a refund's lines at the invoice's prices (``credited``, tax included)
    must add to give back exactly ``refunded``: BigCommerce refunds products at their discounted
    price, so the difference is the refunded products' share of the invoice's ``discounts`` (their
    total, a positive amount). A negative amount, ZERO when the credit note already equals the
    refund, None when the difference cannot be a share of the discounts."""
    gap = _round(_amount(refunded)) - _round(_amount(credited))
    if not gap:
        return ZERO
    if gap < 0 and -gap <= _round(_amount(discounts)):
        return gap
    return None


@dataclass(frozen=True)
class CancellationPlan:
    """What Cancel In BigCommerce does, in order: void an authorisation, refund what the gateway
    took (the whole of it), then set the order Cancelled. ``blocker`` (see cancellation_blocker)
    when nothing is to be done."""
    blocker: str = ""
    void: bool = False
    refund_amount: Decimal = ZERO


def plan_cancellation(status_id, allowed_status_ids, transactions, refund_payments, payment_status=""):
    """The plan for an order in ``status_id`` with these v3 ``transactions`` and order
    ``payment_status``, as read just now. Captured money is refunded only when the user asked
    for it (Refund Payments); a void already asked for (void pending: the gateway has not
    answered yet) is not asked again."""
    blocker = cancellation_blocker(status_id, allowed_status_ids)
    if blocker:
        return CancellationPlan(blocker=blocker)
    state = payment_state(transactions)
    voiding = normalize_payment_status(payment_status) in ("void_pending", "void")
    return CancellationPlan(void=state.authorized_only and not voiding,
                            refund_amount=_round(state.refundable) if refund_payments else ZERO)


def full_refund_items(order_id, amount):
    """The items of a refund giving back ``amount`` of the order as a whole (§TaxExemptItem)."""
    return [{"item_type": "ORDER", "item_id": int(order_id), "amount": float(_round(amount))}]


def refund_total(refund):
    """What a refund (O3 §Refund) gave back, tax included."""
    return _round(_amount(refund.get("total_amount")))
