"""BigCommerce v2 order -> plain data from which the Odoo side builds a sale order whose
totals equal BigCommerce's ``total_ex_tax`` / ``total_tax`` / ``total_inc_tax`` to the cent.

How the lines are cut:

* Prices follow the order's pricing. ``is_tax_inclusive_pricing`` orders carry tax-included
  ``price_unit`` (BigCommerce's exact side for them), the others tax-excluded; Odoo must
  use price-included taxes for the former. Amounts keep BigCommerce's 4 decimals.
* Product, gift certificate and custom lines carry the undiscounted price. What
  BigCommerce took off each product (``applied_discounts``: coupons, promotions, manual
  discounts) is summed per tax rate into one negative ``discount`` line, so the tax given
  back with a discount is at the rate of the products it came from.
  ``discount_amount`` (non-coupon discounts) and ``coupon_discount`` are the order-level
  totals of that same money and are not added again: only what they exceed the products'
  share by (a shipping coupon) becomes one more discount line, at the shipping rate.
* Shipping and handling: one line per shipping address with a cost; gift wrapping: one
  line from the order's wrapping totals; fees: one line each. Gift certificates and store
  credit used to *pay* are payments, not lines.
* Rates are derived from BigCommerce's own amounts (``derive_tax_rate``); the Odoo side maps
  each (rate, tax_inclusive) to a tax. Odoo's "Product Price" precision must hold
  BigCommerce's decimals, or Odoo rounds the prices and the totals check fails.
* Assumed where O2 is silent: discounts are in the order's pricing (tax-included for
  tax-inclusive orders), and ``shipping_cost_*`` are before a shipping coupon.
* BigCommerce taxes each product once, after its discount; Odoo (round per line) taxes the
  product line and the discount line separately. The two can differ by a cent per line,
  and BigCommerce's totals win. So when the lines do not reproduce them, explicit
  ``rounding`` lines are appended: a taxed line (+x at the largest line's rate) plus an
  untaxed one move only the tax, an untaxed one moves only the untaxed amount. They are
  bounded by one cent per line; a larger gap is a real disagreement, left for
  ``totals_difference`` to flag rather than absorbed. They assume Odoo's default "round
  per line" tax setting, as ``simulate_odoo_totals`` does.
"""
import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from email.utils import parsedate_to_datetime

from .i18n import _lt
from .money import to_decimal
from .partners import Address, display_name, format_address, is_guest, parse_address
from .workflows import gateway_code

ZERO = Decimal(0)
ONE = Decimal(1)
LINE_KINDS = ("product", "gift_certificate", "custom", "shipping", "handling", "wrapping",
              "fee", "discount", "rounding")
COUPON_TYPES = {0: "per_item_discount", 1: "percentage_discount", 2: "per_total_discount",
                3: "shipping_discount", 4: "free_shipping", 5: "promotion"}
_SHIPPING_COUPON_TYPES = (3, 4)
_NOT_EMBEDDED = ("order {}: its products are not embedded; fetch it with "
                 "include=consignments.line_items&consignment_structure=object or pass products")


# BigCommerce order status ids (O2#getOrderStatuses).
STATUS_SHIPPED, STATUS_AWAITING_PAYMENT, STATUS_COMPLETED, STATUS_AWAITING_FULFILLMENT = 2, 7, 10, 11
STATUS_REFUNDED, STATUS_CANCELLED, STATUS_PARTIALLY_REFUNDED = 4, 5, 14
# Shipped and Completed: everything has left the store, whatever quantity_shipped says (digital goods).
DELIVERED_STATUS_IDS = (STATUS_SHIPPED, STATUS_COMPLETED)


@dataclass(frozen=True)
class OrderLine:
    """One sale order line. ``tax_amount`` is BigCommerce's own figure for what the line
    stands for (products: undiscounted ``price_tax`` x quantity; discounts: the tax
    BigCommerce gave back with them; charges: their ``*_tax``; 0 where BigCommerce states
    none); Odoo recomputes the tax from ``tax_rate``."""
    kind: str  # one of LINE_KINDS
    name: str
    quantity: Decimal
    price_unit: Decimal  # tax-included when the order's tax_inclusive
    tax_rate: Decimal = ZERO  # percent
    tax_amount: Decimal = ZERO
    tax_class_id: int | None = None  # BigCommerce gives none for products
    order_product_id: int | None = None
    product_id: int | None = None
    variant_id: int | None = None
    sku: str = ""
    options: str = ""  # "Size: S, Color: Orange"
    order_address_id: int | None = None
    quantity_shipped: Decimal = ZERO
    quantity_refunded: Decimal = ZERO
    discount: Decimal = ZERO  # what BigCommerce took off this product (in the discount lines)


@dataclass(frozen=True)
class ShippingAddress:
    id: int  # order_address_id
    address: Address
    shipping_method: str
    lines: tuple  # the OrderLines shipped to this address


@dataclass(frozen=True)
class Coupon:
    id: int | None
    coupon_id: int | None
    code: str
    type: int | None  # see COUPON_TYPES
    amount: Decimal  # $5 or 5% depending on type
    discount: Decimal  # what it took off, in the order currency

    @property
    def type_name(self):
        return COUPON_TYPES.get(self.type, "")


@dataclass(frozen=True)
class Totals:
    untaxed: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class BigCommerceOrder:
    order_id: int
    status_id: int
    status: str
    payment_status: str  # BigCommerce's value lower-cased, '' allowed
    payment_method: str
    payment_provider_id: str
    gateway: str  # gateway_code of the paying transaction, else of payment_method
    gateway_name: str
    currency_code: str  # the transactional currency (default_currency_code)
    currency_decimals: int
    date_created: datetime | None  # aware, UTC
    date_modified: datetime | None
    customer_id: int  # 0 for a guest
    is_guest: bool
    billing_address: Address
    shipping_addresses: tuple
    lines: tuple
    tax_inclusive: bool
    subtotal_ex_tax: Decimal
    subtotal_inc_tax: Decimal
    subtotal_tax: Decimal
    shipping_cost_ex_tax: Decimal
    shipping_cost_inc_tax: Decimal
    shipping_cost_tax: Decimal
    handling_cost_ex_tax: Decimal
    handling_cost_inc_tax: Decimal
    handling_cost_tax: Decimal
    wrapping_cost_ex_tax: Decimal
    wrapping_cost_inc_tax: Decimal
    wrapping_cost_tax: Decimal
    discount_amount: Decimal
    coupon_discount: Decimal
    total_ex_tax: Decimal
    total_inc_tax: Decimal
    total_tax: Decimal
    customer_message: str
    staff_notes: str
    channel_id: int
    coupons: tuple


@dataclass(frozen=True)
class DeliveryItem:
    order_product_id: int
    quantity: Decimal
    quantity_shipped: Decimal


@dataclass(frozen=True)
class DeliveryGroup:
    order_address_id: int
    address: Address
    shipping_method: str
    lines: tuple  # DeliveryItems


def _money(value):
    amount = to_decimal(value)
    return ZERO if amount is None else amount


def _int(value):
    """Ids and counts arrive as int, str or JSON number (API-NOTES, naive connector 2)."""
    amount = to_decimal(value)
    return None if amount is None else int(amount)


def _text(value):
    return str(value or "").strip()


def _round(amount, places):
    return amount.quantize(places, ROUND_HALF_UP)


def _unit(currency_decimals):
    return ONE.scaleb(-currency_decimals)


def parse_datetime(value):
    """A BigCommerce RFC-2822 date as an aware UTC datetime; None for ''."""
    if not value:
        return None
    parsed = parsedate_to_datetime(value)
    if parsed.tzinfo is None:  # '-0000' means "zone unknown"; BigCommerce documents UTC
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def to_naive_utc(moment):
    """An aware datetime as the naive UTC datetime Odoo stores; False for None."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment else False


def _base_and_tax(amount, rate, tax_inclusive, places):
    """How Odoo splits one line's amount into base and tax, rounding per line."""
    if tax_inclusive:
        base = _round(amount * 100 / (100 + rate), places)
        return base, amount - base
    return amount, _round(amount * rate / 100, places)


_RATE_STEPS = tuple(map(Decimal, ("1", "0.5", "0.25", "0.125", "0.05", "0.01", "0.001", "0.0001")))


def derive_tax_rate(amount, tax, tax_inclusive=False, candidates=()):
    """The percent rate BigCommerce applied to ``amount`` (tax-included when
    ``tax_inclusive``) to get ``tax``; 0 when there is no tax.

    BigCommerce states amounts, not rates, and rounds them (to 4 or 2 places), so tax/base
    is only near the rate: 0.82 / 9.99 is 8.208..% for a real 8.25%. The first rate that
    reproduces BigCommerce's amount at its own precision is taken: the ``candidates``
    (rates already known in the order: 0.17 on 2.00 of handling fits 8.25% and 8.5% alike),
    then the simplest on a coarse-to-fine grid.
    """
    if not amount or not tax:
        return ZERO
    places = Decimal("0.01") if tax == _round(tax, Decimal("0.01")) else Decimal("0.0001")
    exact = tax * 100 / (amount - tax if tax_inclusive else amount)
    rates = (*candidates, *(_round(exact / step, ONE) * step for step in _RATE_STEPS))
    return next((rate for rate in rates
                 if _base_and_tax(amount, rate, tax_inclusive, places)[1] == tax),
                _round(exact, Decimal("0.0001")))


def simulate_odoo_totals(lines, tax_inclusive, currency_decimals=2):
    """The totals Odoo computes for ``lines`` with its default "round per line" method."""
    unit = _unit(currency_decimals)
    untaxed = tax = ZERO
    for line in lines:
        base, line_tax = _base_and_tax(_round(line.price_unit * line.quantity, unit),
                                       line.tax_rate, tax_inclusive, unit)
        untaxed += base
        tax += line_tax
    return Totals(untaxed, tax, untaxed + tax)


def expected_totals(order):
    """BigCommerce's totals for ``order`` (a BigCommerceOrder) in the currency's units.
    The exact side (tax-included or not, per the order's pricing) and the tax are taken;
    the third amount follows from them."""
    return order_totals(order.total_ex_tax, order.total_inc_tax, order.total_tax, order.tax_inclusive,
                        order.currency_decimals)


def order_totals(total_ex_tax, total_inc_tax, total_tax, tax_inclusive, currency_decimals=2):
    """``expected_totals`` from an order's own totals (Decimal), e.g. an order as listed."""
    unit = _unit(currency_decimals)
    tax = _round(total_tax, unit)
    if tax_inclusive:
        total = _round(total_inc_tax, unit)
        return Totals(total - tax, tax, total)
    untaxed = _round(total_ex_tax, unit)
    return Totals(untaxed, tax, untaxed + tax)


def totals_difference(bc_order, untaxed, tax, total, rounding=Decimal("0.01")):
    """{'untaxed'|'tax'|'total': (BigCommerce's, Odoo's)} for each Odoo total that differs
    from BigCommerce's by more than ``rounding``; empty when they agree."""
    expected = expected_totals(bc_order)
    actual = {"untaxed": untaxed, "tax": tax, "total": total}
    return {name: (getattr(expected, name), Decimal(str(value)))
            for name, value in actual.items()
            if abs(getattr(expected, name) - Decimal(str(value))) > rounding}


def _consignment_groups(order):
    consignments = order.get("consignments")
    if not isinstance(consignments, dict) or "resource" in consignments:
        raise ValueError(_NOT_EMBEDDED.format(order.get("id")))
    return (consignments.get("shipping") or [], consignments.get("pickups") or [],
            consignments.get("downloads") or [],
            (consignments.get("email") or {}).get("gift_certificates") or [])


def _line_items(order, consignment):
    items = consignment.get("line_items") or []
    items = [items] if isinstance(items, dict) else items  # O2's digital example: one object
    if any("id" not in item for item in items):  # link objects: include lacked .line_items
        raise ValueError(_NOT_EMBEDDED.format(order.get("id")))
    return items


def _embedded_products(order):
    products = {}
    for group in _consignment_groups(order):
        for consignment in group:
            for item in _line_items(order, consignment):
                products.setdefault(item["id"], item)
    return list(products.values())


def _embedded_shipping_addresses(order):
    addresses = []
    for consignment in _consignment_groups(order)[0]:
        # O2 does not say a consignment id is the order_address_id; its products know theirs.
        address_ids = [item.get("order_address_id") for item in _line_items(order, consignment)]
        address_id = next((i for i in address_ids if i), consignment.get("id"))
        addresses.append({**consignment, "id": address_id})
    return addresses


def _product_line(product, tax_inclusive):
    price = _money(product.get("price_inc_tax" if tax_inclusive else "price_ex_tax"))
    price_tax = _money(product.get("price_tax"))
    quantity = _money(product.get("quantity"))
    product_id = _int(product.get("product_id")) or None
    if product.get("type") == "giftcertificate":
        kind = "gift_certificate"
    else:
        kind = "product" if product_id else "custom"
    options = ", ".join(f"{_text(option.get('display_name'))}: {_text(option.get('display_value'))}"
                        for option in product.get("product_options") or ())
    return OrderLine(
        kind=kind, name=_text(product.get("name")) or _text(product.get("sku")),
        quantity=quantity, price_unit=price,
        tax_rate=derive_tax_rate(price, price_tax, tax_inclusive),
        tax_amount=price_tax * quantity,
        order_product_id=_int(product.get("id")), product_id=product_id,
        variant_id=_int(product.get("variant_id")) or None, sku=_text(product.get("sku")),
        options=options, order_address_id=_int(product.get("order_address_id")) or None,
        quantity_shipped=_money(product.get("quantity_shipped")),
        quantity_refunded=_money(product.get("quantity_refunded")),
        discount=sum((_money(d.get("amount")) for d in product.get("applied_discounts") or ()), ZERO),
    )


def _charge_line(kind, name, ex_tax, inc_tax, tax, tax_inclusive, rates, **fields):
    """A shipping/handling/wrapping/fee line, or None when it costs nothing. ``rates``: the
    rates of the products it goes with, most relevant first."""
    ex_tax, inc_tax, tax = _money(ex_tax), _money(inc_tax), _money(tax)
    if not ex_tax and not inc_tax:
        return None
    price = inc_tax if tax_inclusive else ex_tax
    return OrderLine(kind=kind, name=name, quantity=ONE, price_unit=price,
                     tax_rate=derive_tax_rate(price, tax, tax_inclusive, rates),
                     tax_amount=tax, **fields)


def _discount_label(discount):
    return _text(discount.get("code")) or _text(discount.get("name")) or _text(discount.get("id"))


def _discount_lines(order, products, product_lines, shipping_lines, coupons):
    groups = {}  # rate -> [amount, tax BigCommerce gave back with it, labels]
    for product, line in zip(products, product_lines, strict=True):
        if not line.discount:
            continue
        group = groups.setdefault(line.tax_rate, [ZERO, ZERO, {}])
        group[0] += line.discount
        group[1] += line.tax_amount - _money(product.get("total_tax"))  # total_tax is after discount
        group[2].update(dict.fromkeys(map(_discount_label, product.get("applied_discounts") or ())))
    lines = [OrderLine(kind="discount", name=_lt("Discount: %(codes)s", codes=", ".join(labels)), quantity=ONE,
                       price_unit=-amount, tax_rate=rate, tax_amount=-tax)
             for rate, (amount, tax, labels) in groups.items()]
    unattributed = (_money(order.get("discount_amount")) + _money(order.get("coupon_discount"))
                    - sum((line.discount for line in product_lines), ZERO))
    if unattributed > 0:
        labels = [c.code for c in coupons if c.type in _SHIPPING_COUPON_TYPES and c.code]
        lines.append(OrderLine(kind="discount",
                               name=_lt("Discount: %(codes)s", codes=", ".join(labels)) if labels
                               else _lt("Order discount"),
                               quantity=ONE, price_unit=-unattributed,
                               tax_rate=shipping_lines[0].tax_rate if shipping_lines else ZERO))
    return lines


def _rounding_lines(lines, target, tax_inclusive, currency_decimals):
    unit = _unit(currency_decimals)
    current = simulate_odoo_totals(lines, tax_inclusive, currency_decimals)
    tax_gap, untaxed_gap = target.tax - current.tax, target.untaxed - current.untaxed
    if max(abs(tax_gap), abs(untaxed_gap)) > unit * len(lines):
        return []
    adjustments = []
    if tax_gap:
        taxed = [line for line in lines if line.tax_rate]
        if not taxed:
            return []
        rate = max(taxed, key=lambda line: abs(line.price_unit * line.quantity)).tax_rate
        step = unit.copy_sign(tax_gap)
        amount = next((step * k for k in range(1, 100_000)
                       if _base_and_tax(step * k, rate, tax_inclusive, unit)[1] == tax_gap), None)
        if amount is None:
            return []
        adjustments.append(OrderLine(kind="rounding", name=_lt("Tax rounding difference with BigCommerce"),
                                     quantity=ONE, price_unit=amount, tax_rate=rate))
        untaxed_gap -= _base_and_tax(amount, rate, tax_inclusive, unit)[0]
    if untaxed_gap:
        adjustments.append(OrderLine(kind="rounding", name=_lt("Rounding difference with BigCommerce"),
                                     quantity=ONE, price_unit=untaxed_gap))
    return adjustments


# payment_method texts that name no gateway: every card processor's orders say "Credit Card".
_GENERIC_PAYMENT_METHODS = frozenset({"credit_card", "card", "credit_debit_card", "debit_card"})
# O3 transaction ``gateway`` codes (an open enum) as merchants know them.
GATEWAY_NAMES = {
    "adyen": "Adyen", "adyenv2": "Adyen", "adyenv3": "Adyen", "authorizenet": "Authorize.Net",
    "braintree": "Braintree", "braintreepaypal": "Braintree PayPal", "checkoutcom": "Checkout.com",
    "paypalcommerce": "PayPal", "squarev2": "Square", "stripe": "Stripe", "stripev3": "Stripe",
    "stripeupe": "Stripe",
}


def gateway_needs_transactions(order):
    """Whether only the order's v3 transactions can tell which gateway took its money: its
    ``payment_method`` is a generic card label, and ``payment_provider_id`` is the gateway's
    own transaction reference, which names no gateway."""
    return gateway_code(order.get("payment_method")) in _GENERIC_PAYMENT_METHODS


def _gateway(order, transactions):
    """(code, display name) of the gateway that took the money: the most specific one known,
    the paying transaction's ``gateway`` when ``transactions`` are given, else ``payment_method``."""
    paid = [t for t in transactions or () if t.get("status") == "ok" and t.get("gateway")]
    # A gift certificate or store credit covering part of the order is not the gateway.
    paying = [t for t in paid if t["gateway"] not in ("giftcertificate", "storecredit")] or paid
    method = _text(order.get("payment_method"))
    if paying:
        transaction = paying[0]
        code = transaction["gateway"]
        name = (_text((transaction.get("offline") or {}).get("display_name"))
                or _text((transaction.get("custom") or {}).get("payment_method")))
        if not name:
            provider = GATEWAY_NAMES.get(code, code)
            name = f"{method} ({provider})" if method and gateway_needs_transactions(order) else method or provider
        return gateway_code(code), name
    return gateway_code(method), method


def _coupon(data):
    return Coupon(id=_int(data.get("id")), coupon_id=_int(data.get("coupon_id")),
                  code=_text(data.get("code")), type=_int(data.get("type")),
                  amount=_money(data.get("amount")), discount=_money(data.get("discount")))


def _shipping(shipping_addresses, product_lines, rates, tax_inclusive):
    """(ShippingAddresses, shipping lines, handling lines), one of each per address."""
    addresses, shipping_lines, handling_lines = [], [], []
    for data in shipping_addresses:
        address_id, address = _int(data.get("id")), parse_address(data)
        method = _text(data.get("shipping_method"))
        lines = tuple(line for line in product_lines if line.order_address_id == address_id)
        addresses.append(ShippingAddress(id=address_id, address=address, shipping_method=method,
                                         lines=lines))
        local_rates = [line.tax_rate for line in lines] + rates
        shown_method = method or _lt("shipping")
        if len(shipping_addresses) > 1:  # which address each charge is for
            to = display_name(address)
            shipping_name = _lt("Shipping: %(method)s - %(address)s", method=shown_method, address=to)
            handling_name = _lt("Handling - %(address)s", address=to)
        else:
            shipping_name, handling_name = _lt("Shipping: %(method)s", method=shown_method), _lt("Handling")
        shipping_lines.append(_charge_line(
            "shipping", shipping_name, data.get("cost_ex_tax"),
            data.get("cost_inc_tax"), data.get("cost_tax"), tax_inclusive, local_rates,
            tax_class_id=_int(data.get("cost_tax_class_id")), order_address_id=address_id))
        handling_lines.append(_charge_line(
            "handling", handling_name, data.get("handling_cost_ex_tax"),
            data.get("handling_cost_inc_tax"), data.get("handling_cost_tax"), tax_inclusive,
            local_rates, tax_class_id=_int(data.get("handling_cost_tax_class_id")),
            order_address_id=address_id))
    return addresses, [line for line in shipping_lines if line], handling_lines


def _fee_line(fee, tax_inclusive, rates):
    # O2's own example spells cost_ex_tax "cost_exc_tax": rebuild it when missing.
    ex_tax = fee.get("cost_ex_tax", _money(fee.get("cost_inc_tax")) - _money(fee.get("cost_tax")))
    # The merchant's own words in BigCommerce, shown as they are: not Odoo's to translate.
    name = _text(fee.get("display_name_customer")) or _text(fee.get("display_name_merchant"))
    return _charge_line("fee", name, ex_tax, fee.get("cost_inc_tax"), fee.get("cost_tax"),
                        tax_inclusive, rates, tax_class_id=_int(fee.get("tax_class_id")))


def map_order(order, products=None, shipping_addresses=None, coupons=None, transactions=None,
              fees=None, currency_decimals=2):
    """A BigCommerceOrder from a v2 order dict.

    ``products`` (GET /orders/{id}/products) and ``shipping_addresses``
    (GET /orders/{id}/shipping_addresses) default to those embedded by
    ``include=consignments.line_items&consignment_structure=object``; ``fees`` to the
    order's ``fees`` when ``include=fees`` embedded them. ``coupons``: GET .../coupons.
    ``transactions``: the v3 transaction list, to name the gateway. Raises ValueError when
    the products are neither given nor embedded.
    """
    tax_inclusive = bool(order.get("is_tax_inclusive_pricing"))
    if products is None:
        products = _embedded_products(order)
    if shipping_addresses is None:
        shipping_addresses = _embedded_shipping_addresses(order)
    if fees is None:
        fees = order.get("fees") if isinstance(order.get("fees"), list) else []
    coupons = tuple(map(_coupon, coupons or ()))

    product_lines = [_product_line(product, tax_inclusive) for product in products]
    rates = [line.tax_rate for line in product_lines if line.tax_rate]
    addresses, shipping_lines, handling_lines = _shipping(shipping_addresses, product_lines, rates,
                                                          tax_inclusive)
    wrapped = [(p, line) for p, line in zip(products, product_lines, strict=True) if p.get("wrapping_name")]
    wrappings = ", ".join(dict.fromkeys(_text(p["wrapping_name"]) for p, _ in wrapped))
    wrapping_line = _charge_line(
        "wrapping", _lt("Gift wrapping: %(names)s", names=wrappings) if wrappings else _lt("Gift wrapping"),
        order.get("wrapping_cost_ex_tax"), order.get("wrapping_cost_inc_tax"),
        order.get("wrapping_cost_tax"), tax_inclusive, [line.tax_rate for _, line in wrapped] + rates,
        tax_class_id=_int(order.get("wrapping_cost_tax_class_id")))
    fee_lines = [_fee_line(fee, tax_inclusive, rates) for fee in fees]
    charge_lines = [line for line in (*shipping_lines, *handling_lines, wrapping_line, *fee_lines) if line]
    lines = (product_lines + charge_lines
             + _discount_lines(order, products, product_lines, shipping_lines, coupons))

    gateway, gateway_name = _gateway(order, transactions)
    mapped = BigCommerceOrder(
        order_id=_int(order.get("id")), status_id=_int(order.get("status_id")),
        status=_text(order.get("status")),
        payment_status=_text(order.get("payment_status")).lower(),
        payment_method=_text(order.get("payment_method")),
        payment_provider_id=_text(order.get("payment_provider_id")),
        gateway=gateway, gateway_name=gateway_name,
        currency_code=_text(order.get("default_currency_code")) or _text(order.get("currency_code")),
        currency_decimals=currency_decimals,
        date_created=parse_datetime(order.get("date_created")),
        date_modified=parse_datetime(order.get("date_modified")),
        customer_id=_int(order.get("customer_id")) or 0, is_guest=is_guest(order),
        billing_address=parse_address(order.get("billing_address")),
        shipping_addresses=tuple(addresses), lines=tuple(lines), tax_inclusive=tax_inclusive,
        **{name: _money(order.get(name)) for name in (
            "subtotal_ex_tax", "subtotal_inc_tax", "subtotal_tax", "shipping_cost_ex_tax",
            "shipping_cost_inc_tax", "shipping_cost_tax", "handling_cost_ex_tax",
            "handling_cost_inc_tax", "handling_cost_tax", "wrapping_cost_ex_tax",
            "wrapping_cost_inc_tax", "wrapping_cost_tax", "discount_amount", "coupon_discount",
            "total_ex_tax", "total_inc_tax", "total_tax")},
        customer_message=_text(order.get("customer_message")),
        staff_notes=_text(order.get("staff_notes")),
        channel_id=_int(order.get("channel_id")) or 1, coupons=coupons,
    )
    rounding = _rounding_lines(lines, expected_totals(mapped), tax_inclusive, currency_decimals)
    return replace(mapped, lines=mapped.lines + tuple(rounding))


def delivery_groups(order):
    """One DeliveryGroup per shipping address of ``order`` (a BigCommerceOrder), with the
    ordered and already shipped quantity of each line going there."""
    return tuple(
        DeliveryGroup(order_address_id=shipping.id, address=shipping.address,
                      shipping_method=shipping.shipping_method,
                      lines=tuple(DeliveryItem(line.order_product_id, line.quantity,
                                               line.quantity_shipped) for line in shipping.lines))
        for shipping in order.shipping_addresses)


def parse_order_ids(text):
    """(ids, invalid tokens) from what a user typed: "1, 2 ,x,  3" -> ([1, 2, 3], ['x']).
    Commas, semicolons and whitespace separate; "#100" is accepted as shown in BigCommerce;
    duplicates are dropped keeping the first."""
    ids, invalid = [], []
    for token in re.split(r"[\s,;]+", text or ""):
        match = re.fullmatch(r"#?([0-9]+)", token)
        number = int(match.group(1)) if match else 0
        if number:
            if number not in ids:
                ids.append(number)
        elif token and token not in invalid:
            invalid.append(token)
    return ids, invalid


def order_snapshot(order):
    """What ``order_changes`` compares, as JSON-ready data: the Odoo side stores it at each
    import and passes it back as ``previous`` on the next one."""
    return {
        "status_id": order.status_id,
        "status": order.status,
        "payment_status": order.payment_status,
        "billing_address": format_address(order.billing_address),
        "shipping_addresses": {str(s.id): format_address(s.address) for s in order.shipping_addresses},
        "quantities": {str(line.order_product_id): str(line.quantity) for line in order.lines if line.order_product_id},
    }


def order_changes(previous, current):
    """{field: (old, new)} between the snapshot of the last import and ``current``:
    'status', 'payment_status', 'billing_address' and 'shipping_address/<id>'."""
    now = order_snapshot(current)
    changes = {}
    if previous.get("status_id") != now["status_id"]:
        changes["status"] = (previous.get("status"), now["status"])
    for key in ("payment_status", "billing_address"):
        if previous.get(key) != now[key]:
            changes[key] = (previous.get(key), now[key])
    before, after = previous.get("shipping_addresses") or {}, now["shipping_addresses"]
    for address_id in dict.fromkeys([*before, *after]):
        if before.get(address_id) != after.get(address_id):
            changes[f"shipping_address/{address_id}"] = (before.get(address_id), after.get(address_id))
    return changes


@dataclass(frozen=True)
class QuantityChange:
    """An order line whose quantity BigCommerce lowered, from ``ordered`` to ``quantity``:
    BigCommerce's ``requested`` quantity, or what was delivered when BigCommerce asks for less
    (what left the warehouse is never cancelled; then ``quantity`` may stay ``ordered``)."""
    order_product_id: int
    ordered: Decimal
    quantity: Decimal
    requested: Decimal
    invoiced: Decimal

    @property
    def lowered(self):
        return self.quantity < self.ordered

    @property
    def below_delivered(self):
        return self.requested < self.quantity

    @property
    def needs_credit_note(self):
        """More was invoiced than is now ordered: only a credit note gives it back."""
        return self.lowered and self.invoiced > self.quantity


def quantity_changes(odoo_lines, bigcommerce_quantities, previous_quantities=None):
    """The QuantityChanges of an order whose quantities BigCommerce lowered on lines not yet
    fulfilled. ``odoo_lines``: (order product id, ordered, delivered, invoiced) of the Odoo lines
    of order products; ``bigcommerce_quantities``: {order product id: quantity} of the products
    the order has in BigCommerce: one it no longer lists was removed there (quantity 0 removes
    a product, O2#updateOrder). ``previous_quantities``: BigCommerce's at the last import
    (``order_snapshot``): only what BigCommerce changed since is applied, so a line changed in
    Odoo stays as it is and a refusal is told once; None (an order imported before they were
    kept) compares every line. A quantity is never raised (a re-import never adds to an order)."""
    changes = []
    for order_product_id, ordered, delivered, invoiced in odoo_lines:
        requested = to_decimal(bigcommerce_quantities.get(order_product_id, ZERO))
        before = (previous_quantities or {}).get(str(order_product_id))
        ordered, delivered = to_decimal(ordered), to_decimal(delivered)
        if (before is not None and to_decimal(before) == requested) or requested >= ordered:
            continue
        quantity = min(ordered, max(requested, delivered))
        changes.append(QuantityChange(order_product_id, ordered, quantity, requested, to_decimal(invoiced)))
    return changes


def store_outcome(status_id):
    """What BigCommerce already did with an order, which the Odoo order must show:
    'cancelled', 'refunded', 'partially_refunded', 'shipped' (everything left the store),
    or '' while the order is still open in BigCommerce."""
    return {STATUS_CANCELLED: "cancelled", STATUS_REFUNDED: "refunded",
            STATUS_PARTIALLY_REFUNDED: "partially_refunded", STATUS_SHIPPED: "shipped",
            STATUS_COMPLETED: "shipped"}.get(status_id, "")


def can_cancel_in_odoo(any_delivery_done, any_invoice_posted):
    """Whether an order cancelled in BigCommerce may be cancelled in Odoo by the import:
    goods that left or a posted invoice need a person to decide (a return, a credit note)."""
    return not (any_delivery_done or any_invoice_posted)


def can_update_addresses(any_delivery_done):
    """Whether a re-import may rewrite the Odoo order's addresses: only while nothing has
    been delivered, since done deliveries already name the old address."""
    return not any_delivery_done
