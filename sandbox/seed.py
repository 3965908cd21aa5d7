"""Deterministic seed data of the sandbox store, as plain Python data, plus the builder
that turns the compact order specs into BigCommerce-shaped records.

Accounting model (every seed order satisfies it to the cent; see ``check_order``):

* Tax is computed **per unit** and rounded half-up to 2 decimals, with the rate of the
  order (``tax_rate``, percent) for every tax class except ``1`` (Non-Taxable).
  Tax-exclusive orders: ``price_tax = round(price_ex * r)``, ``price_inc = price_ex + price_tax``.
  Tax-inclusive orders (``is_tax_inclusive_pricing``): ``price_tax = round(price_inc * r / (1 + r))``,
  ``price_ex = price_inc - price_tax``. ``base_price`` is the entered price (ex or inc).
* Line totals are unit values x quantity (``total_* = price_* * quantity``), before discounts.
  Shipping and handling (per shipping address) and gift wrapping (per line, for the whole line)
  follow the same per-amount rule.
* ``subtotal_* = sum(lines)``; ``shipping_cost_* / handling_cost_* = sum(shipping addresses)``;
  ``wrapping_cost_* = sum(lines)``.
* ``total_tax = subtotal_tax + shipping_cost_tax + handling_cost_tax + wrapping_cost_tax``
  ``= sum(/taxes line_amount)``.
* ``total_inc_tax = subtotal_inc_tax + shipping_cost_inc_tax + handling_cost_inc_tax
  + wrapping_cost_inc_tax + sum(fees cost_inc_tax) - discount_amount - coupon_discount`` and
  ``total_ex_tax = total_inc_tax - total_tax``.
* ``coupon_discount`` = sum of the lines' ``applied_discounts`` with ``target: product`` (coupon
  codes), ``discount_amount`` = those with ``target: order`` (manual discounts);
  ``discounted_total_inc_tax = total_inc_tax - sum(line applied_discounts)``.
  O2 does not define how BigCommerce re-bases tax on discounted lines, so the seed applies
  discounts only to non-taxable lines (order 116) and fees are untaxed (order 117).
"""
import copy
import random
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from email.utils import format_datetime

D = Decimal
CENT = D("0.01")
ZERO = D("0")


def q2(value):
    return D(value).quantize(CENT, rounding=ROUND_HALF_UP)


def m4(value):
    """v2 money: a string with 4 decimals, e.g. ``"361.9500"``."""
    return "%.4f" % D(value)


def slug(name):
    return "/" + "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") + "/"


def rfc2822(dt):
    return format_datetime(dt.astimezone(timezone.utc))


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


SEED_EPOCH = datetime(2025, 1, 6, 9, 0, 0, tzinfo=timezone.utc)

STORE = {
    "store_id": 1000001, "name": "Sandbox Outfitters", "domain": "sandbox-outfitters.example",
    "first_name": "Sam", "last_name": "Sandbox", "address": "1 Sandbox Way, Austin, TX 78701",
    "country": "United States", "country_code": "US", "phone": "555-010-0000",
    "admin_email": "admin@sandbox-outfitters.example", "order_email": "orders@sandbox-outfitters.example",
    "currency": "USD", "currency_symbol": "$", "decimal_places": 2, "is_price_entered_with_tax": False,
    "timezone": {"name": "America/Chicago", "raw_offset": -21600, "dst_offset": -18000, "dst_correction": True,
                 "date_format": {"display": "M jS Y", "export": "M jS Y", "extended_display": "M jS Y @ g:i A"}},
}

CURRENCIES = [  # currency_exchange_rate: per one unit of the store default (USD)
    {"id": 1, "currency_code": "USD", "name": "US Dollar", "rate": "1.0000000000", "default": True, "token": "$", "country_iso2": "US"},
    {"id": 2, "currency_code": "EUR", "name": "Euro", "rate": "0.9200000000", "default": False, "token": "€", "country_iso2": "DE"},
    {"id": 3, "currency_code": "GBP", "name": "Pound Sterling", "rate": "0.7900000000", "default": False, "token": "£", "country_iso2": "GB"},
]

TAX_CLASSES = [  # v2 ids are strings
    {"id": "0", "name": "Default Tax Class"},
    {"id": "1", "name": "Non-Taxable Products"},
    {"id": "2", "name": "Shipping"},
    {"id": "3", "name": "Gift Wrapping"},
]
NON_TAXABLE, SHIPPING_CLASS, WRAPPING_CLASS = 1, 2, 3

CHANNELS = [
    {"id": 1, "name": "Sandbox Outfitters", "type": "storefront", "platform": "bigcommerce", "status": "active"},
    {"id": 2, "name": "Sandbox Marketplace", "type": "marketplace", "platform": "amazon", "status": "connected"},
]

LOCATIONS = [
    {"id": 1, "code": "MAIN", "label": "Main Warehouse", "city": "Austin", "state": "TX", "zip": "78701", "country_code": "US"},
    {"id": 2, "code": "EAST", "label": "East Coast Store", "city": "Newark", "state": "NJ", "zip": "07102", "country_code": "US"},
]

BRANDS = [{"id": 41, "name": "Acme"}, {"id": 42, "name": "Forge & Co"}, {"id": 43, "name": "Sunny Days"}]

CATEGORY_TREES = [{"id": 1, "name": "Sandbox Outfitters", "channels": [1]},
                  {"id": 2, "name": "Sandbox Marketplace", "channels": [2]}]

CATEGORIES = [  # (id, tree_id, parent_id, name); three levels under Apparel and Home
    (11, 1, 0, "Apparel"), (12, 1, 11, "Men"), (13, 1, 12, "Shirts"), (14, 1, 11, "Women"), (15, 1, 14, "Dresses"),
    (21, 1, 0, "Home"), (22, 1, 21, "Kitchen"), (23, 1, 22, "Cookware"),
    (31, 1, 0, "Digital"),
    (51, 2, 0, "Marketplace"), (52, 2, 51, "Bestsellers"),
]

OPTIONS = {51: "Size", 52: "Color", 53: "Size", 54: "Color"}

PRODUCTS = [
    # variants: (variant_id, sku, (option_id, option_value_id, label) or None, price override or None)
    {"id": 71, "name": "Classic T-Shirt", "sku": "TSHIRT", "type": "physical", "price": "20.00", "tax_class_id": 0,
     "brand_id": 41, "categories": [13, 52], "tracking": "variant", "weight": 0.5, "channels": [1, 2],
     "variants": [(171, "TSHIRT-S", (51, 511, "S"), None), (172, "TSHIRT-M", (51, 512, "M"), None),
                  (173, "TSHIRT-L", (51, 513, "L"), "22.00")]},
    {"id": 72, "name": "Chef Knife 8in", "sku": "KNIFE-8", "type": "physical", "price": "45.00", "tax_class_id": 0,
     "brand_id": 42, "categories": [23], "tracking": "product", "weight": 0.8, "channels": [1],
     "variants": [(174, "KNIFE-8", None, None)]},
    {"id": 73, "name": "Cast Iron Skillet", "sku": "SKILLET-10", "type": "physical", "price": "35.50", "tax_class_id": 0,
     "brand_id": 42, "categories": [23, 52], "tracking": "product", "weight": 2.5, "channels": [1, 2],
     "variants": [(175, "SKILLET-10", None, None)]},
    {"id": 74, "name": "Summer Dress", "sku": "DRESS", "type": "physical", "price": "59.99", "tax_class_id": 0,
     "brand_id": 43, "categories": [15], "tracking": "variant", "weight": 0.4, "channels": [1],
     "variants": [(176, "DRESS-RED", (52, 521, "Red"), None), (177, "DRESS-BLUE", (52, 522, "Blue"), "64.99")]},
    {"id": 75, "name": "Cooking 101 (E-Book)", "sku": "EBOOK-COOK", "type": "digital", "price": "9.99", "tax_class_id": 0,
     "brand_id": 42, "categories": [31], "tracking": "none", "weight": 0, "channels": [1],
     "variants": [(178, "EBOOK-COOK", None, None)]},
    {"id": 76, "name": "Coffee Mug", "sku": "MUG", "type": "physical", "price": "12.50", "tax_class_id": 0,
     "brand_id": 41, "categories": [22, 52], "tracking": "product", "weight": 0.3, "channels": [1, 2],
     "variants": [(179, "MUG", None, None)]},
]

# The catalog import's products: a hoodie of six variants (Size x Color, a variant's option is a list of
# (option_id, option_value_id, label[, option display name])), its prices adding up per option (L +5.00, Blue +2.00), the Red ones
# with their own image; a hidden product and one whose purchasability is disabled, both never imported.
HOODIE_VARIANTS = [(180 + n, "HOODIE-%s-%s" % (size, color.upper()),
                    [(53, 530 + s, size), (54, 540 + c, color)],
                    "%.2f" % (40 + (5 if size == "L" else 0) + (2 if color == "Blue" else 0)))
                   for n, (s, size, c, color) in enumerate((s, size, c, color) for s, size in enumerate(("S", "M", "L"))
                                                            for c, color in enumerate(("Red", "Blue")))]
CATALOG_PRODUCTS = [
    {"id": 77, "name": "Zip Hoodie", "sku": "HOODIE", "type": "physical", "price": "40.00", "tax_class_id": 0,
     "brand_id": 43, "categories": [12, 52], "tracking": "variant", "weight": 0.7, "channels": [1],
     "variants": HOODIE_VARIANTS},
    {"id": 78, "name": "Winter Jacket (hidden)", "sku": "JACKET", "type": "physical", "price": "120.00", "tax_class_id": 0,
     "brand_id": 43, "categories": [12], "tracking": "none", "weight": 1.2, "channels": [1], "is_visible": False,
     "variants": [(186, "JACKET", None, None)]},
    {"id": 79, "name": "Old Mug (disabled)", "sku": "MUG-OLD", "type": "physical", "price": "8.00", "tax_class_id": 0,
     "brand_id": 41, "categories": [22], "tracking": "none", "weight": 0.3, "channels": [1], "availability": "disabled",
     "variants": [(187, "MUG-OLD", None, None)]},
]
# Product images: product id -> [(image id, is_thumbnail)]; variant id -> image id of its own picture.
PRODUCT_IMAGES = {77: [(7701, True), (7702, False)], 71: [(7101, True)]}
VARIANT_IMAGES = {180: 7801, 182: 7802, 184: 7803}


def synthetic_catalog(products, variants_per_product, first_id=20001):
    """``products`` products of ``variants_per_product`` variants each (Size x Color, tracked by variant,
    SKUs ``CAT-00001-01``...), for the catalog import benchmark; shaped like ``PRODUCTS``."""
    colors = ("Red", "Blue", "Green", "Black", "White")
    catalog = []
    for n in range(products):
        pid = first_id + n
        catalog.append({
            "id": pid, "name": "Catalog %d" % pid, "sku": "CAT-%05d" % (n + 1), "type": "physical", "price": "15.00",
            "tax_class_id": 0, "brand_id": 41, "categories": [13], "tracking": "variant", "weight": 0.2, "channels": [1],
            "variants": [(pid * 100 + k, "CAT-%05d-%02d" % (n + 1, k + 1),
                          [(pid * 10 + 1, pid * 1000 + k // len(colors), "Size %d" % (k // len(colors) + 1), "Size"),
                           (pid * 10 + 2, pid * 1000 + 500 + k % len(colors), colors[k % len(colors)], "Color")], None)
                         for k in range(variants_per_product)]})
    return catalog


STOCK = {  # variant_id: {location_id: on hand}; safety stock in SAFETY_STOCK
    171: {1: 25, 2: 10}, 172: {1: 40, 2: 12}, 173: {1: 15, 2: 0}, 174: {1: 30, 2: 5}, 175: {1: 18, 2: 6},
    176: {1: 8, 2: 4}, 177: {1: 6, 2: 2}, 179: {1: 100, 2: 50},
}
SAFETY_STOCK = {(174, 1): 2, (179, 2): 5}

ADDRESSES = {  # v2 address fields
    "john_home": dict(first_name="John", last_name="Smith", company="", street_1="12 Congress Ave", street_2="Apt 4",
                      city="Austin", state="Texas", zip="78701", country="United States", country_iso2="US",
                      phone="512-555-0101", email="john.smith@example.com"),
    "john_work": dict(first_name="John", last_name="Smith", company="Smith Consulting", street_1="400 Elm St", street_2="",
                      city="Dallas", state="Texas", zip="75201", country="United States", country_iso2="US",
                      phone="214-555-0102", email="john.smith@example.com"),
    "jane": dict(first_name="Jane", last_name="Doe", company="", street_1="77 Broadway", street_2="",
                 city="New York", state="New York", zip="10006", country="United States", country_iso2="US",
                 phone="212-555-0103", email="jane.doe@example.com"),
    "hans": dict(first_name="Hans", last_name="Müller", company="Müller GmbH", street_1="Unter den Linden 5", street_2="",
                 city="Berlin", state="Berlin", zip="10117", country="Germany", country_iso2="DE",
                 phone="+49 30 5550104", email="hans.mueller@example.de"),
    "emma": dict(first_name="Emma", last_name="Brown", company="", street_1="10 Downing Lane", street_2="",
                 city="London", state="London", zip="SW1A 2AA", country="United Kingdom", country_iso2="GB",
                 phone="+44 20 5550105", email="emma.brown@example.co.uk"),
    "guest": dict(first_name="Alex", last_name="Guest", company="", street_1="500 Pine St", street_2="",
                  city="Portland", state="Oregon", zip="97204", country="United States", country_iso2="US",
                  phone="503-555-0106", email="alex.guest@example.net"),
}

CUSTOMERS = [  # id, address keys (first is billing), customer_group_id
    {"id": 1, "addresses": ["john_home", "john_work"], "group": 0, "store_credit": "15.00"},
    {"id": 2, "addresses": ["jane"], "group": 0, "store_credit": "0.00"},
    {"id": 3, "addresses": ["hans"], "group": 1, "store_credit": "0.00"},
    {"id": 4, "addresses": ["emma"], "group": 0, "store_credit": "0.00"},
]
CUSTOMER_GROUPS = [  # id, name (CU2 customer groups); 0 on a customer means no group
    {"id": 1, "name": "Wholesale"},
    {"id": 2, "name": "VIP"},
]
CUSTOMER_BILLING = {0: "guest", 1: "john_home", 2: "jane", 3: "hans", 4: "emma"}

ORDER_STATUSES = [  # id, name, sort order (O2 getOrderStatuses)
    (0, "Incomplete", 0, "An incomplete order happens when a shopper reached the payment page, but did not complete the transaction."),
    (1, "Pending", 1, "Customer started the checkout process, but did not complete it."),
    (2, "Shipped", 8, "Order has been shipped, but receipt has not been confirmed; seller has used the Ship Items action."),
    (3, "Partially Shipped", 6, "Only some items in the order have been shipped, due to some products being pre-order only or other reasons."),
    (4, "Refunded", 11, "Seller has used the Refund action."),
    (5, "Cancelled", 9, "Seller has cancelled an order, due to a stock inconsistency or other reasons."),
    (6, "Declined", 10, "Seller has marked the order as declined for lack of manual payment, or other reasons."),
    (7, "Awaiting Payment", 2, "Customer has completed checkout process, but payment has yet to be confirmed."),
    (8, "Awaiting Pickup", 5, "Order has been pulled, and is awaiting customer pickup from a seller-specified location."),
    (9, "Awaiting Shipment", 4, "Order has been pulled and packaged, and is awaiting collection from a shipping provider."),
    (10, "Completed", 7, "Client has paid for their digital product and their file(s) are available for download."),
    (11, "Awaiting Fulfillment", 3, "Customer has completed the checkout process and payment has been confirmed."),
    (12, "Manual Verification Required", 13, "Order is on hold while some aspect needs to be manually confirmed."),
    (13, "Disputed", 12, "Customer has initiated a dispute resolution process for the PayPal transaction that paid for the order."),
    (14, "Partially Refunded", 14, "Seller has partially refunded the order."),
]
STATUS_NAMES = {s[0]: s[1] for s in ORDER_STATUSES}

# Payment profiles: order payment fields + the transactions BigCommerce would hold.
PAYMENTS = {
    "none": {"method": "", "gateway": None, "status": "", "events": []},
    "bank_deposit": {"method": "Bank Deposit", "gateway": "bankdeposit", "tx_method": "offline", "status": "pending", "events": ["pending"]},
    "card_captured": {"method": "Credit Card", "gateway": "braintree", "tx_method": "credit_card", "status": "captured", "events": ["purchase"]},
    "card_auth_capture": {"method": "Credit Card", "gateway": "stripe", "tx_method": "credit_card", "status": "captured", "events": ["authorization", "capture"]},
    "card_authorized": {"method": "Credit Card", "gateway": "authorizenet", "tx_method": "credit_card", "status": "authorized", "events": ["authorization"]},
    "card_voided": {"method": "Credit Card", "gateway": "authorizenet", "tx_method": "credit_card", "status": "void", "events": ["authorization", "void"]},
    "card_review": {"method": "Credit Card", "gateway": "braintree", "tx_method": "credit_card", "status": "held for review", "events": ["authorization"], "fraud_review": True},
    "cod": {"method": "Cash on Delivery", "gateway": "cod", "tx_method": "offline", "status": "paid", "events": ["purchase"]},
    "adyen_eur": {"method": "Credit Card", "gateway": "adyen", "tx_method": "credit_card", "status": "captured", "events": ["purchase"]},
}

# Compact order specs. A line is (sku, qty) or a dict; "addr" is an index into "ship_to";
# shipments/refunds use line indexes. Quantities shipped/refunded, statuses and totals derive from them.
US_TAX = "8.25"
ORDERS = [
    {"id": 101, "status_id": 1, "customer_id": 0, "tax_rate": US_TAX, "payment": "none",  # guest, pending checkout
     "lines": [("MUG", 2)], "ship_to": [{"addr": "guest", "shipping": "5.00", "method": "Flat Rate"}]},
    {"id": 102, "status_id": 7, "customer_id": 2, "tax_rate": US_TAX, "payment": "bank_deposit",  # offline, unpaid
     "lines": [("KNIFE-8", 1)], "ship_to": [{"addr": "jane", "shipping": "10.00", "method": "Flat Rate"}]},
    {"id": 103, "status_id": 11, "customer_id": 1, "tax_rate": US_TAX, "payment": "card_captured",  # multi-line, all costs
     "lines": [("TSHIRT-M", 2), {"sku": "SKILLET-10", "qty": 1, "wrapping": "4.00"}, ("MUG", 3)],
     "ship_to": [{"addr": "john_home", "shipping": "12.00", "handling": "3.00", "method": "UPS Ground"}],
     "customer_message": "Please gift wrap the skillet."},
    {"id": 104, "status_id": 9, "customer_id": 2, "tax_rate": US_TAX, "payment": "card_authorized",  # auth only
     "lines": [("DRESS-RED", 1), ("TSHIRT-L", 1)], "ship_to": [{"addr": "jane", "shipping": "8.00", "method": "USPS Priority"}]},
    {"id": 105, "status_id": 3, "customer_id": 1, "tax_rate": US_TAX, "payment": "card_auth_capture",  # partially shipped
     "lines": [("TSHIRT-S", 3), ("KNIFE-8", 1)], "ship_to": [{"addr": "john_home", "shipping": "9.00", "method": "UPS Ground"}],
     "shipments": [{"addr": 0, "items": [(0, 2)], "tracking_number": "1Z999AA10123456784", "shipping_provider": "ups"}]},
    {"id": 106, "status_id": 2, "customer_id": 2, "tax_rate": US_TAX, "payment": "cod",  # shipped, cash on delivery
     "lines": [("SKILLET-10", 2)], "ship_to": [{"addr": "jane", "shipping": "15.00", "method": "Freight"}],
     "shipments": [{"addr": 0, "items": [(0, 2)], "tracking_number": "9400111899223197428490", "shipping_provider": "usps"}]},
    {"id": 107, "status_id": 10, "customer_id": 1, "tax_rate": US_TAX, "payment": "card_captured",  # digital + gift cert
     "lines": [("EBOOK-COOK", 1), {"custom": "$25 Gift Certificate", "type": "giftcertificate", "price": "25.00", "qty": 1,
                                    "tax_class_id": NON_TAXABLE, "gift_certificate_id": 1}], "ship_to": []},
    {"id": 108, "status_id": 5, "customer_id": 2, "tax_rate": US_TAX, "payment": "card_voided",  # cancelled + voided
     "lines": [("DRESS-BLUE", 1)], "ship_to": [{"addr": "jane", "shipping": "8.00", "method": "USPS Priority"}]},
    {"id": 109, "status_id": 4, "customer_id": 1, "tax_rate": US_TAX, "payment": "card_captured",  # fully refunded
     "lines": [("KNIFE-8", 1), ("MUG", 2)], "ship_to": [{"addr": "john_home", "shipping": "10.00", "method": "Flat Rate"}],
     "refunds": [{"items": [(0, 1), (1, 2)], "shipping": [0], "provider": "braintree", "reason": "Customer changed their mind"}]},
    {"id": 110, "status_id": 14, "customer_id": 2, "tax_rate": US_TAX, "payment": "card_captured",  # partially refunded
     "lines": [("TSHIRT-M", 2), ("SKILLET-10", 1)], "ship_to": [{"addr": "jane", "shipping": "10.00", "method": "Flat Rate"}],
     "refunds": [{"items": [(0, 1)], "provider": "storecredit", "reason": "Wrong size"}]},
    {"id": 111, "status_id": 12, "customer_id": 1, "tax_rate": US_TAX, "payment": "card_review",  # on hold
     "lines": [("KNIFE-8", 2)], "ship_to": [{"addr": "john_work", "shipping": "10.00", "method": "Flat Rate"}]},
    {"id": 112, "status_id": 11, "customer_id": 1, "tax_rate": US_TAX, "payment": "card_auth_capture",  # two addresses
     "lines": [{"sku": "TSHIRT-M", "qty": 1, "addr": 0}, {"sku": "MUG", "qty": 2, "addr": 0},
               {"sku": "SKILLET-10", "qty": 1, "addr": 1}, {"sku": "KNIFE-8", "qty": 1, "addr": 1}],
     "ship_to": [{"addr": "john_home", "shipping": "6.00", "method": "Flat Rate"},
                 {"addr": "john_work", "shipping": "9.00", "handling": "2.00", "method": "UPS Ground"}]},
    {"id": 113, "status_id": 11, "customer_id": 2, "tax_rate": US_TAX, "payment": "card_captured",  # custom line
     "lines": [{"custom": "Custom engraving service", "sku": "CUSTOM-ENGRAVE", "price": "15.00", "qty": 1}, ("KNIFE-8", 1)],
     "ship_to": [{"addr": "jane", "shipping": "10.00", "method": "Flat Rate"}]},
    {"id": 114, "status_id": 11, "customer_id": 4, "tax_rate": "20", "tax_inclusive": True, "payment": "card_auth_capture",
     "lines": [{"sku": "TSHIRT-L", "qty": 2, "price": "24.00"}, {"sku": "MUG", "qty": 1, "price": "15.00"}],  # VAT incl.
     "ship_to": [{"addr": "emma", "shipping": "6.00", "method": "Royal Mail"}]},
    {"id": 115, "status_id": 11, "customer_id": 3, "tax_rate": "19", "tax_inclusive": True, "currency": "EUR",  # EUR
     "channel_id": 2, "payment": "adyen_eur", "order_source": "external", "external_source": "Marketplace",
     "external_order_id": "MP-4711",
     "lines": [{"sku": "SKILLET-10", "qty": 1, "price": "39.90"}, {"sku": "MUG", "qty": 2, "price": "13.90"}],
     "ship_to": [{"addr": "hans", "shipping": "4.90", "method": "DHL Paket"}]},
    {"id": 116, "status_id": 11, "customer_id": 1, "tax_rate": US_TAX, "payment": "card_captured",  # discounts
     "coupon": {"id": 7, "coupon_id": 3, "code": "SAVE10", "amount": 10, "type": 2},
     "lines": [{"sku": "TSHIRT-S", "qty": 2, "tax_class_id": NON_TAXABLE, "discounts": [("coupon", "4.00")]},
               {"sku": "DRESS-RED", "qty": 1, "tax_class_id": NON_TAXABLE,
                "discounts": [("coupon", "6.00"), ("manual", "5.00")]}],
     "ship_to": [{"addr": "john_home", "shipping": "7.50", "method": "Flat Rate"}]},
    {"id": 117, "status_id": 11, "customer_id": 2, "tax_rate": US_TAX, "payment": "card_captured",  # custom fee
     "lines": [("KNIFE-8", 1)], "ship_to": [{"addr": "jane", "shipping": "10.00", "method": "Flat Rate"}],
     "fees": [{"name": "Eco packaging fee", "cost": "2.50"}]},
]
SEED_ORDER_IDS = [o["id"] for o in ORDERS]

SYNTHETIC_SKUS = ["TSHIRT-S", "TSHIRT-M", "TSHIRT-L", "KNIFE-8", "SKILLET-10", "DRESS-RED", "DRESS-BLUE", "MUG"]


def synthetic_orders(count, seed=0, first_id=None):
    """``count`` extra orders with three lines each (benchmarks); deterministic for a seed."""
    rng = random.Random("sandbox-orders-%s" % seed)
    first_id = first_id or SEED_ORDER_IDS[-1] + 1
    specs = []
    for n in range(count):
        customer = rng.choice([0, 1, 2, 3, 4])
        status = rng.choice([11, 11, 9, 7, 10])
        specs.append({
            "id": first_id + n, "status_id": status, "customer_id": customer, "tax_rate": US_TAX,
            "payment": "bank_deposit" if status == 7 else "card_captured",
            "lines": [(sku, rng.randint(1, 3)) for sku in rng.sample(SYNTHETIC_SKUS, 3)],
            "ship_to": [{"addr": CUSTOMER_BILLING[customer], "shipping": "%d.00" % rng.randint(5, 15), "method": "Flat Rate"}],
            "created_offset_min": 60 * 24 * 10 + n * 7, "modified_offset_min": rng.randint(1, 600),
        })
    return specs


def synthetic_products(variants):
    """Products of ten variants each (tracked by variant, SKUs ``SYN-00001``...), ``variants`` variants
    in all (benchmarks); shaped like ``PRODUCTS``. Their stock starts at 0 everywhere."""
    products = []
    for start in range(0, variants, 10):
        pid = 10001 + start // 10
        products.append({
            "id": pid, "name": "Synthetic %d" % pid, "sku": "SYN-P%d" % pid, "type": "physical", "price": "10.00",
            "tax_class_id": 0, "brand_id": 41, "categories": [13], "tracking": "variant", "weight": 0.1, "channels": [1],
            "variants": [(100001 + n, "SYN-%05d" % (n + 1), (51, 600001 + n, "V%d" % (n - start + 1)), None)
                         for n in range(start, min(start + 10, variants))]})
    return products


# ---------------------------------------------------------------------------------------------
# Builder


class Ids:
    """Id counters of the records the builder creates (shared with the live store)."""

    def __init__(self):
        self.order_product, self.address, self.shipment = 1001, 501, 901
        self.transaction, self.refund, self.refund_payment, self.tax, self.fee = 601, 301, 351, 2001, 81

    def next(self, name):
        value = getattr(self, name)
        setattr(self, name, value + 1)
        return value


def variant_index():
    """sku -> (product, variant tuple)"""
    return {v[1]: (p, v) for p in PRODUCTS + CATALOG_PRODUCTS for v in p["variants"]}


def tax_split(amount, rate, inclusive, tax_class_id):
    """(ex, tax, inc) of one entered amount, per the accounting model."""
    amount = q2(amount)
    r = ZERO if tax_class_id == NON_TAXABLE else D(rate) / 100
    if inclusive:
        tax = q2(amount * r / (1 + r))
        return amount - tax, tax, amount
    tax = q2(amount * r)
    return amount, tax, amount + tax


def set_line_totals(line):
    """An order product's totals from its unit prices and quantity, less its discounts."""
    quantity = line["quantity"]
    for key in ("ex_tax", "inc_tax", "tax"):
        line["total_" + key] = m4(D(line["price_" + key]) * quantity)
    line["base_total"] = m4(D(line["base_price"]) * quantity)
    line["discounted_total_inc_tax"] = m4(D(line["total_inc_tax"]) - sum((D(d["amount"]) for d in line["applied_discounts"]), ZERO))


def order_totals(lines, addresses, fees):
    """The order's money fields and item count from its products, shipping addresses and fees."""
    def total(records, key):
        return sum((D(r[key]) for r in records), ZERO)

    discounts = [d for ln in lines for d in ln["applied_discounts"]]
    coupon = sum((D(d["amount"]) for d in discounts if d["target"] == "product"), ZERO)
    manual = sum((D(d["amount"]) for d in discounts if d["target"] == "order"), ZERO)
    values = {"base_shipping_cost": m4(total(addresses, "base_cost")),
              "base_handling_cost": m4(total(addresses, "base_handling_cost")),
              "base_wrapping_cost": m4(total(lines, "base_wrapping_cost")),
              "discount_amount": m4(manual), "coupon_discount": m4(coupon),
              "items_total": sum(ln["quantity"] for ln in lines)}
    for key in ("ex_tax", "inc_tax", "tax"):
        values["subtotal_" + key] = m4(total(lines, "total_" + key))
        values["shipping_cost_" + key] = m4(total(addresses, "cost_" + key))
        values["handling_cost_" + key] = m4(total(addresses, "handling_cost_" + key))
        values["wrapping_cost_" + key] = m4(total(lines, "wrapping_cost_" + key))
    total_tax = sum(D(values[name + "_tax"]) for name in ("subtotal", "shipping_cost", "handling_cost", "wrapping_cost"))
    total_inc = (sum(D(values[name + "_inc_tax"]) for name in ("subtotal", "shipping_cost", "handling_cost", "wrapping_cost"))
                 + total(fees, "cost_inc_tax") - manual - coupon)
    values.update(total_ex_tax=m4(total_inc - total_tax), total_inc_tax=m4(total_inc), total_tax=m4(total_tax))
    return values


def _link(store_hash, order_id, path):
    return {"url": "https://api.bigcommerce.com/stores/%s/v2/orders/%d/%s" % (store_hash, order_id, path),
            "resource": "/orders/%d/%s" % (order_id, path)}


def build_order(spec, ids, store_hash="sandbox"):
    """One compact spec -> dict of BigCommerce-shaped records (v2 money as 4-decimal strings)."""
    oid, rate = spec["id"], spec.get("tax_rate", US_TAX)
    inclusive = bool(spec.get("tax_inclusive"))
    currency = next(c for c in CURRENCIES if c["currency_code"] == spec.get("currency", "USD"))
    created = SEED_EPOCH + timedelta(minutes=spec.get("created_offset_min", (oid - SEED_ORDER_IDS[0]) * 180))
    modified = created + timedelta(minutes=spec.get("modified_offset_min", 30 + (oid * 37) % 300))
    customer_id = spec["customer_id"]
    billing = dict(ADDRESSES[CUSTOMER_BILLING[customer_id]], form_fields=[])
    index = variant_index()

    addresses = []
    for ship in spec.get("ship_to", []):
        aid = ids.next("address")
        s_ex, s_tax, s_inc = tax_split(ship.get("shipping", "0"), rate, inclusive, SHIPPING_CLASS)
        h_ex, h_tax, h_inc = tax_split(ship.get("handling", "0"), rate, inclusive, SHIPPING_CLASS)
        addresses.append(dict(
            {"id": aid, "order_id": oid}, **ADDRESSES[ship["addr"]],
            items_total=0, items_shipped=0, shipping_method=ship.get("method", "Flat Rate"),
            base_cost=m4(ship.get("shipping", "0")), cost_ex_tax=m4(s_ex), cost_inc_tax=m4(s_inc), cost_tax=m4(s_tax),
            cost_tax_class_id=SHIPPING_CLASS, base_handling_cost=m4(ship.get("handling", "0")),
            handling_cost_ex_tax=m4(h_ex), handling_cost_inc_tax=m4(h_inc), handling_cost_tax=m4(h_tax),
            handling_cost_tax_class_id=SHIPPING_CLASS, shipping_zone_id=1 if ADDRESSES[ship["addr"]]["country_iso2"] == "US" else 2,
            shipping_zone_name="United States" if ADDRESSES[ship["addr"]]["country_iso2"] == "US" else "International",
            form_fields=[], shipping_quotes=_link(store_hash, oid, "shipping_addresses/%d/shipping_quotes" % aid)))

    lines, taxes, coupon_total = [], [], ZERO
    for raw in spec["lines"]:
        line = {"sku": raw[0], "qty": raw[1]} if isinstance(raw, tuple) else dict(raw)
        qty = line["qty"]
        if "custom" in line:
            product, variant, ptype = None, None, line.get("type", "physical")
            name, sku, price = line["custom"], line.get("sku", ""), line["price"]
            tax_class = line.get("tax_class_id", 0)
        else:
            product, variant = index[line["sku"]]
            ptype, name, sku = product["type"], product["name"], variant[1]
            price = line.get("price") or variant[3] or product["price"]
            tax_class = line.get("tax_class_id", product["tax_class_id"])
        ex, tax, inc = tax_split(price, rate, inclusive, tax_class)
        opid = ids.next("order_product")
        addr = addresses[line.get("addr", 0)] if ptype == "physical" and addresses else None
        discounts = []
        for kind, amount in line.get("discounts", []):
            if kind == "coupon":
                coupon_total += q2(amount)
                discounts.append({"id": "coupon", "amount": m4(amount), "name": "Coupon %s" % spec["coupon"]["code"],
                                  "code": spec["coupon"]["code"], "target": "product"})
            else:
                discounts.append({"id": "manual-discount", "amount": m4(amount), "name": "Manual Discount",
                                  "code": None, "target": "order"})
        w_base = line.get("wrapping", "0")
        w_ex, w_tax, w_inc = tax_split(w_base, rate, inclusive, WRAPPING_CLASS)
        options = []
        for n, (option_id, value_id, label, *_name) in enumerate(
                (variant[2] if isinstance(variant[2], list) else [variant[2]]) if variant and variant[2] else [], 1):
            options.append({"id": opid * 10 + n, "option_id": option_id, "order_product_id": opid, "product_option_id": option_id,
                            "display_name": OPTIONS[option_id], "display_name_customer": OPTIONS[option_id],
                            "display_name_merchant": OPTIONS[option_id], "display_value": label, "display_value_customer": label,
                            "display_value_merchant": label, "value": str(value_id), "type": "Multiple choice",
                            "name": OPTIONS[option_id].lower(), "display_style": "Rectangle"})
        row = {
            "id": opid, "order_id": oid, "product_id": product["id"] if product else 0,
            "variant_id": variant[0] if variant else 0, "order_address_id": addr["id"] if addr else 0,
            "order_pickup_method_id": 0, "name": name, "name_customer": name, "name_merchant": name, "sku": sku,
            "upc": "", "type": ptype, "base_price": m4(inc if inclusive else ex), "price_ex_tax": m4(ex),
            "price_inc_tax": m4(inc), "price_tax": m4(tax), "quantity": qty, "base_cost_price": m4(0),
            "cost_price_inc_tax": m4(0), "cost_price_ex_tax": m4(0), "cost_price_tax": m4(0), "weight": product["weight"] if product else 0, "width": m4(0), "height": m4(0),
            "depth": m4(0), "is_refunded": False, "quantity_refunded": 0, "refund_amount": m4(0), "return_id": 0,
            "wrapping_id": 1 if q2(w_base) else 0, "wrapping_name": "Gift Box" if q2(w_base) else "",
            "base_wrapping_cost": m4(w_base), "wrapping_cost_ex_tax": m4(w_ex), "wrapping_cost_inc_tax": m4(w_inc),
            "wrapping_cost_tax": m4(w_tax), "wrapping_message": "Happy birthday!" if q2(w_base) else "",
            "quantity_shipped": 0, "fixed_shipping_cost": m4(0),
            "ebay_item_id": "", "ebay_transaction_id": "", "is_bundled_product": False, "bin_picking_number": "",
            "external_id": None, "brand": next((b["name"] for b in BRANDS if product and b["id"] == product["brand_id"]), ""),
            "applied_discounts": discounts, "product_options": options, "configurable_fields": [],
            "gift_certificate_id": line.get("gift_certificate_id"),
        }
        set_line_totals(row)
        lines.append(row)
        if addr:
            addr["items_total"] += qty
        for kind, value in (("item", tax * qty), ("gift-wrapping", w_tax)):
            if value:
                taxes.append(_tax_row(ids, oid, addr["id"] if addr else 0, WRAPPING_CLASS if kind == "gift-wrapping" else tax_class,
                                      rate, value, kind, opid))
    for addr in addresses:
        for kind, key in (("shipping", "cost_tax"), ("handling", "handling_cost_tax")):
            if D(addr[key]):
                taxes.append(_tax_row(ids, oid, addr["id"], SHIPPING_CLASS, rate, D(addr[key]), kind, None))

    fees = [{"id": ids.next("fee"), "type": "custom_fee", "display_name_customer": f["name"], "display_name_merchant": f["name"],
             "source": "API", "base_cost": m4(f["cost"]), "cost_ex_tax": m4(f["cost"]), "cost_inc_tax": m4(f["cost"]),
             "cost_tax": m4(0), "tax_class_id": None} for f in spec.get("fees", [])]

    payment = PAYMENTS[spec["payment"]]
    physical = [ln for ln in lines if ln["type"] == "physical"]
    status_id = spec["status_id"]
    order = {
        "id": oid, "customer_id": customer_id, "date_created": rfc2822(created), "date_modified": rfc2822(modified),
        "date_shipped": "", "status_id": status_id, "status": STATUS_NAMES[status_id], "custom_status": STATUS_NAMES[status_id],
        "shipping_cost_tax_class_id": SHIPPING_CLASS, "handling_cost_tax_class_id": SHIPPING_CLASS,
        "wrapping_cost_tax_class_id": WRAPPING_CLASS, "is_tax_inclusive_pricing": inclusive, "items_shipped": 0,
        **order_totals(lines, addresses, fees),
        "payment_method": payment["method"],
        "payment_provider_id": ("%s-%d" % (payment["gateway"], oid)) if payment["events"] and payment["tx_method"] != "offline" else "",
        "payment_status": payment["status"], "refunded_amount": m4(0), "order_is_digital": not physical,
        "store_credit_amount": m4(0), "gift_certificate_amount": m4(0), "ip_address": "203.0.113.%d" % (oid % 250),
        "ip_address_v6": "", "geoip_country": billing["country"], "geoip_country_iso2": billing["country_iso2"],
        "currency_id": currency["id"], "currency_code": currency["currency_code"], "currency_exchange_rate": "1.0000000000",
        "default_currency_id": currency["id"], "default_currency_code": currency["currency_code"],
        "store_default_currency_code": "USD", "store_default_to_transactional_exchange_rate": currency["rate"],
        "staff_notes": "", "customer_message": spec.get("customer_message", ""),
        "shipping_address_count": len(addresses), "is_deleted": False,
        "ebay_order_id": "0", "cart_id": "00000000-0000-4000-8000-%012d" % oid, "billing_address": billing,
        "is_email_opt_in": False, "order_source": spec.get("order_source", "www"), "channel_id": spec.get("channel_id", 1),
        "external_source": spec.get("external_source"), "external_id": None, "external_merchant_id": None,
        "external_order_id": spec.get("external_order_id", ""), "tax_provider_id": "BasicTaxProvider", "customer_locale": "en",
    }
    coupons = []
    if spec.get("coupon"):
        c = spec["coupon"]
        coupons.append({"id": c["id"], "coupon_id": c["coupon_id"], "order_id": oid, "code": c["code"], "amount": c["amount"],
                        "type": c["type"], "discount": float(coupon_total)})
    transactions = _transactions(ids, order, payment, created)
    record = {"order": order, "products": lines, "addresses": addresses, "coupons": coupons, "taxes": taxes,
              "fees": fees, "shipments": [], "transactions": transactions, "refunds": []}
    when = created + timedelta(minutes=10)
    for ship_spec in spec.get("shipments", []):
        addr = addresses[ship_spec["addr"]]
        items = [(lines[i], q) for i, q in ship_spec["items"]]
        make_shipment(ids, record, addr, items, ship_spec, when)
    for ref in spec.get("refunds", []):
        items = [{"item_type": "PRODUCT", "item_id": lines[i]["id"], "quantity": q} for i, q in ref["items"]]
        items += [{"item_type": "SHIPPING", "item_id": addresses[a]["id"], "amount": float(D(addresses[a]["cost_inc_tax"]))}
                  for a in ref.get("shipping", [])]
        quote = refund_quote(record, items)
        payments = [{"provider_id": ref["provider"], "amount": quote["total_refund_amount"], "offline": False}]
        apply_refund(ids, record, items, payments, quote, ref.get("reason", ""), when)
    order["date_modified"] = rfc2822(modified)  # history happened before the last modification
    if order["status_id"] != status_id:
        raise ValueError("order %d: spec status %d but shipments/refunds imply %d" % (oid, status_id, order["status_id"]))
    return record


def _tax_row(ids, oid, address_id, tax_class, rate, amount, kind, opid):
    row = {"id": ids.next("tax"), "order_id": oid, "order_address_id": address_id, "sales_tax_id": "",
           "tax_class_id": tax_class, "name": "Sales Tax" if D(rate) == D(US_TAX) else "VAT",
           "class": next(t["name"] for t in TAX_CLASSES if t["id"] == str(tax_class)),
           "rate": m4(rate), "priority": 0, "priority_amount": m4(amount), "line_amount": m4(amount),
           "order_pickup_method_id": 0, "line_item_type": kind, "order_product_id": str(opid) if opid else ""}
    return row


def _transactions(ids, order, payment, created):
    out, auth_id = [], None
    for n, event in enumerate(payment["events"]):
        tx = new_transaction(ids, order, payment, event, D(order["total_inc_tax"]), created + timedelta(minutes=1 + n))
        tx["fraud_review"] = bool(payment.get("fraud_review"))
        if event == "authorization":
            auth_id = tx["id"]
        elif auth_id:
            tx["reference_transaction_id"] = auth_id
        out.append(tx)
    return out


def new_transaction(ids, order, payment, event, amount, when, method=None, gateway=None):
    method = method or payment["tx_method"]
    gateway = gateway or payment["gateway"]
    tx = {"id": ids.next("transaction"), "order_id": str(order["id"]), "event": event, "method": method,
          "amount": float(amount), "currency": order["default_currency_code"], "gateway": gateway,
          "gateway_transaction_id": "%s-%d-%s" % (gateway, order["id"], event), "date_created": iso(when),
          "test": True, "status": "ok", "fraud_review": False, "offline": None, "custom": None,
          "payment_method_id": "%s.%s" % (gateway, "card" if method == "credit_card" else method),
          "gift_certificate": None, "store_credit": None, "custom_provider_field_result": None}
    if method == "credit_card":
        tx.update(credit_card={"card_type": "visa", "card_iin": "411111", "card_last4": "1111", "card_expiry_month": 12,
                               "card_expiry_year": 2030},
                  avs_result={"code": "Y", "message": "Street and postal code match", "street_match": "Y", "postal_match": "Y"},
                  cvv_result={"code": "M", "message": "CVV matches"})
    elif method == "offline":
        tx["offline"] = {"display_name": payment["method"]}
    elif method == "store_credit":
        tx["store_credit"] = {"remaining_balance": 0.0}
    return tx


def make_shipment(ids, record, addr, items, spec, when):
    """Create a shipment and update quantities/status (shared by the seed and POST .../shipments)."""
    order = record["order"]
    for line, qty in items:
        line["quantity_shipped"] += qty
        addr["items_shipped"] += qty
    order["items_shipped"] = sum(ln["quantity_shipped"] for ln in record["products"])
    shippable = [ln for ln in record["products"] if ln["type"] == "physical"]
    if all(ln["quantity_shipped"] >= ln["quantity"] for ln in shippable):
        set_status(order, 2)
        order["date_shipped"] = rfc2822(when)
    else:
        set_status(order, 3)
    provider = spec.get("shipping_provider", "")
    shipment = {
        "id": ids.next("shipment"), "order_id": order["id"], "customer_id": order["customer_id"],
        "order_address_id": addr["id"], "date_created": rfc2822(when), "tracking_number": spec.get("tracking_number", ""),
        "merchant_shipping_cost": m4(spec.get("merchant_shipping_cost") or 0),
        "shipping_method": spec.get("shipping_method", addr["shipping_method"]), "shipping_provider": provider,
        "tracking_carrier": spec.get("tracking_carrier", ""), "tracking_link": spec.get("tracking_link", ""),
        "comments": spec.get("comments", ""),
        "billing_address": {k: v for k, v in order["billing_address"].items() if k != "form_fields"},
        "shipping_address": {k: addr[k] for k in ADDRESSES["guest"]},
        "items": [{"order_product_id": line["id"], "product_id": line["product_id"], "quantity": qty} for line, qty in items],
    }
    shipment.update(shipment_links(shipment))
    record["shipments"].append(shipment)
    return shipment


def shipment_links(shipment):
    """The read-only fields BigCommerce derives from a shipment's provider, carrier and tracking number
    (O2 §orderShipment): a provider's own link, else AfterShip's for a tracking carrier; none when a
    custom ``tracking_link`` is given."""
    provider, number = shipment["shipping_provider"], shipment["tracking_number"]
    link = ""
    if number and not shipment["tracking_link"]:
        if provider in TRACKING_LINKS:
            link = TRACKING_LINKS[provider].format(number)
        elif shipment["tracking_carrier"]:
            link = "https://track.aftership.com/%s/%s" % (shipment["tracking_carrier"], number)
    return {"shipping_provider_display_name": PROVIDER_NAMES.get(provider, provider), "generated_tracking_link": link}


PROVIDER_NAMES = {"ups": "UPS", "usps": "USPS", "fedex": "FedEx", "royalmail": "Royal Mail", "auspost": "Australia Post",
                  "canadapost": "Canada Post", "endicia": "Endicia", "": "None"}
TRACKING_LINKS = {"ups": "https://www.ups.com/track?tracknum={}",
                  "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
                  "fedex": "https://www.fedex.com/fedextrack/?trknbr={}"}


def set_status(order, status_id):
    order["status_id"] = status_id
    order["status"] = order["custom_status"] = STATUS_NAMES[status_id]


# ---- quantities edited (PUT /v2/orders/{id} with products[].quantity)


def set_product_quantity(record, line, quantity):
    """Lower an order product's quantity, 0 removing it (O2#updateOrder), and recompute what
    depends on it: its totals and tax rows, its address's item count, the order's totals. A
    changed line loses its discounts and promotions (O2#updateOrder), and its coupon what it
    took off this line."""
    order = record["order"]
    delta = line["quantity"] - quantity
    line["quantity"], line["applied_discounts"] = quantity, []
    set_line_totals(line)
    for coupon in record["coupons"]:
        coupon["discount"] = float(sum((D(d["amount"]) for ln in record["products"] for d in ln["applied_discounts"]
                                        if d.get("code") == coupon["code"]), ZERO))
    for address in record["addresses"]:
        if address["id"] == line["order_address_id"]:
            address["items_total"] -= delta
    own_rows = [row for row in record["taxes"] if row["order_product_id"] == str(line["id"])]
    if quantity:
        for row in own_rows:
            if row["line_item_type"] == "item":
                row["line_amount"] = row["priority_amount"] = line["total_tax"]
    else:
        record["products"].remove(line)
        record["taxes"] = [row for row in record["taxes"] if row not in own_rows]
    order.update(order_totals(record["products"], record["addresses"], record["fees"]))


# ---- refunds (shared by the seed and POST .../payment_actions/refund_quotes|refunds)


class RefundError(ValueError):
    pass


def refunded_so_far(record):
    """{(item_type, item_id): quantity or amount already refunded}, and the money refunded."""
    done, money = {}, ZERO
    for refund in record["refunds"]:
        if refund_declined(refund):  # the gateway gave nothing back
            continue
        money += D(str(refund["total_amount"]))
        for item in refund["items"]:
            key = (item["item_type"], item["item_id"])
            done[key] = done.get(key, ZERO) + D(str(item.get("quantity") or item.get("requested_amount") or 0))
    return done, money


def refund_declined(refund):
    return bool(refund["payments"]) and all(p["is_declined"] for p in refund["payments"])


def refund_quote(record, items):
    """RefundQuote_Full for ``items`` (O3 §ItemsRefund); raises RefundError (422) when not refundable."""
    order = record["order"]
    if order["payment_status"] not in ("captured", "paid", "partially refunded"):
        raise RefundError("Order %d is not paid (payment_status '%s')" % (order["id"], order["payment_status"]))
    if not items:
        raise RefundError("items must not be empty")
    done, money_done = refunded_so_far(record)
    lines = {ln["id"]: ln for ln in record["products"]}
    addrs = {a["id"]: a for a in record["addresses"]}
    fees = {f["id"]: f for f in record["fees"]}
    total, tax = ZERO, ZERO
    for item in items:
        kind, item_id = item.get("item_type"), item.get("item_id")
        if kind in ("PRODUCT", "GIFT_WRAPPING"):
            line, qty = lines.get(item_id), item.get("quantity")
            if line is None:
                raise RefundError("%s item_id %s is not an order product of order %d" % (kind, item_id, order["id"]))
            if not isinstance(qty, int) or qty <= 0:
                raise RefundError("quantity must be a positive integer")
            if kind == "PRODUCT":
                left = line["quantity"] - line["quantity_refunded"]
                if qty > left:
                    raise RefundError("Only %d of order product %d can be refunded" % (left, item_id))
                amount = q2(D(line["discounted_total_inc_tax"]) * qty / line["quantity"])
                tax += D(line["price_tax"]) * qty
            else:
                if not D(line["wrapping_cost_inc_tax"]) or done.get((kind, item_id), ZERO) + qty > 1:
                    raise RefundError("No refundable gift wrapping on order product %d" % item_id)
                amount = D(line["wrapping_cost_inc_tax"])
                tax += D(line["wrapping_cost_tax"])
            amount += sum((q2(D(str(a.get("amount", 0)))) for a in item.get("adjustments", [])), ZERO)
        else:
            raw = item.get("amount")
            amount = q2(D(str(raw))) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else ZERO
            if amount <= 0:
                raise RefundError("amount must be a positive number")
            if kind in ("SHIPPING", "HANDLING"):
                addr = addrs.get(item_id)
                if addr is None:
                    raise RefundError("%s item_id %s is not a shipping address of order %d" % (kind, item_id, order["id"]))
                prefix = "cost_" if kind == "SHIPPING" else "handling_cost_"
                if amount + done.get((kind, item_id), ZERO) > D(addr[prefix + "inc_tax"]):
                    raise RefundError("%s refund exceeds the refundable amount" % kind)
                if D(addr[prefix + "inc_tax"]):
                    tax += q2(amount * D(addr[prefix + "tax"]) / D(addr[prefix + "inc_tax"]))
            elif kind == "FEE":
                fee = fees.get(item_id)
                if fee is None or amount + done.get((kind, item_id), ZERO) > D(fee["cost_inc_tax"]):
                    raise RefundError("FEE item_id %s is not refundable for that amount" % item_id)
            elif kind == "ORDER":
                if item_id != order["id"]:
                    raise RefundError("ORDER item_id must be the order id")
            else:
                raise RefundError("item_type %s is not supported" % kind)
        total += amount
    if total + money_done > D(order["total_inc_tax"]):
        raise RefundError("Refund total %s exceeds the refundable amount %s" % (total, D(order["total_inc_tax"]) - money_done))
    return {"order_id": order["id"], "total_refund_amount": float(total), "total_refund_tax_amount": float(tax),
            "order_level_refund_amount": 0.0, "rounding": 0.0, "adjustment": 0.0,
            "tax_inclusive": order["is_tax_inclusive_pricing"], "refund_methods": refund_methods(record, total)}


def refund_methods(record, total):
    order, amount = record["order"], float(total)
    paid = [t for t in record["transactions"] if t["event"] in ("purchase", "capture") and t["status"] == "ok"]
    methods = []
    if paid:
        tx = paid[0]
        offline = tx["method"] == "offline"
        methods.append([{"provider_id": tx["gateway"], "provider_description": order["payment_method"], "amount": amount,
                         "offline": offline, "offline_provider": offline, "offline_reason": ""}])
    if order["customer_id"]:
        methods.append([{"provider_id": "storecredit", "provider_description": "Store Credit", "amount": amount,
                         "offline": False, "offline_provider": False, "offline_reason": ""}])
    methods.append([{"provider_id": "custom", "provider_description": "Custom", "amount": amount, "offline": True,
                     "offline_provider": True, "offline_reason": "Refunded outside BigCommerce"}])
    return methods


def check_payments(quote, payments):
    """The payments must match one of the quote's refund methods (same providers, amounts summing to it)."""
    if not payments:
        raise RefundError("payments must not be empty")
    for option in quote["refund_methods"]:
        providers = {m["provider_id"]: m for m in option}
        if all(p.get("provider_id") in providers and bool(p.get("offline", False)) == providers[p["provider_id"]]["offline"]
               for p in payments) and q2(sum(D(str(p.get("amount", 0))) for p in payments)) == q2(D(str(option[0]["amount"]))):
            return
    raise RefundError("The payments do not match any refund method of the quote (amount %.2f)" % quote["total_refund_amount"])


def apply_refund(ids, record, items, payments, quote, reason, when, override=None):
    order = record["order"]
    if refunded_so_far(record)[1] == ZERO:  # what a decline of every refund goes back to
        record["before_refunds"] = (order["payment_status"], order["status_id"])
    lines = {ln["id"]: ln for ln in record["products"]}
    for item in items:
        if item["item_type"] == "PRODUCT" and not override:
            line = lines[item["item_id"]]
            line["quantity_refunded"] += item["quantity"]
            line["is_refunded"] = line["quantity_refunded"] >= line["quantity"]
    refund_id = ids.next("refund")
    total = override["total_amount"] if override else quote["total_refund_amount"]
    refund_payments = []
    for p in payments:
        tx = None
        if not p.get("offline"):
            method = "store_credit" if p["provider_id"] == "storecredit" else None
            paid = next((t for t in record["transactions"] if t["event"] in ("purchase", "capture")), None)
            payment = {"method": order["payment_method"], "tx_method": paid["method"] if paid else "custom",
                       "gateway": paid["gateway"] if paid else "custom"}
            tx = new_transaction(ids, order, payment, "refund", D(str(p["amount"])), when, method=method,
                                 gateway="storecredit" if method else None)
            record["transactions"].append(tx)
        refund_payments.append({"id": ids.next("refund_payment"), "provider_id": p["provider_id"], "amount": float(p["amount"]),
                                "offline": bool(p.get("offline", False)), "is_declined": False, "declined_message": "",
                                "transaction_id": str(tx["id"]) if tx else ""})
    refund = {"id": refund_id, "order_id": order["id"], "user_id": 0, "created": iso(when), "reason": reason,
              "total_amount": float(total), "total_tax": float(override["total_tax"]) if override else quote["total_refund_tax_amount"],
              "uses_merchant_override_values": bool(override),
              "items": [{"item_type": i["item_type"], "item_id": i["item_id"], "reason": i.get("reason", reason),
                         **({"quantity": i["quantity"]} if "quantity" in i else {}),
                         "requested_amount": float(i["amount"]) if "amount" in i else None} for i in items],
              "payments": refund_payments}
    for item in refund["items"]:
        if item["requested_amount"] is None:
            del item["requested_amount"]
    record["refunds"].append(refund)
    _refunded_status(record)
    return refund


def decline_refund(record, refund_id, message):
    """The gateway declines a refund after BigCommerce accepted it (O3 §Refund payments
    ``is_declined``, ``declined_message``): its payments are declined, their refund transactions
    failed, and what it refunded is refundable again."""
    refund = next((r for r in record["refunds"] if r["id"] == refund_id), None)
    if refund is None:
        raise RefundError("Refund %s is not a refund of order %d" % (refund_id, record["order"]["id"]))
    if refund_declined(refund):
        return refund
    lines = {ln["id"]: ln for ln in record["products"]}
    for item in refund["items"]:
        if item["item_type"] == "PRODUCT" and not refund["uses_merchant_override_values"]:
            line = lines[item["item_id"]]
            line["quantity_refunded"] -= item["quantity"]
            line["is_refunded"] = line["quantity_refunded"] >= line["quantity"]
    transaction_ids = set()
    for payment in refund["payments"]:
        payment["is_declined"], payment["declined_message"] = True, message
        transaction_ids.add(payment["transaction_id"])
    for tx in record["transactions"]:
        if str(tx["id"]) in transaction_ids:
            tx["status"] = "error"
    _refunded_status(record)
    return refund


def _refunded_status(record):
    order = record["order"]
    _, money = refunded_so_far(record)
    order["refunded_amount"] = m4(money)
    if money == ZERO and record.get("before_refunds"):
        order["payment_status"], status_id = record["before_refunds"]
        set_status(order, status_id)
    elif money >= D(order["total_inc_tax"]):
        order["payment_status"] = "refunded"
        set_status(order, 4)
    else:
        order["payment_status"] = "partially refunded"
        set_status(order, 14)


def build_all(extra_orders=0, seed=0, store_hash="sandbox"):
    """Every seed record, fresh (deep copies), plus ``extra_orders`` synthetic orders."""
    ids = Ids()
    orders = {}
    for spec in ORDERS + synthetic_orders(extra_orders, seed):
        orders[spec["id"]] = build_order(copy.deepcopy(spec), ids, store_hash)
    return ids, orders


def check_order(record):
    """Recompute an order's totals from its lines and costs; returns a list of mismatches (empty = consistent)."""
    o, lines, addrs = record["order"], record["products"], record["addresses"]
    errors = []

    def eq(label, got, want):
        if D(got) != D(want):
            errors.append("order %s %s: %s != %s" % (o["id"], label, got, want))

    def s(records, key):
        return sum((D(r[key]) for r in records), ZERO)

    for ln in lines:
        q = ln["quantity"]
        eq("line %d inc = ex + tax" % ln["id"], ln["price_inc_tax"], D(ln["price_ex_tax"]) + D(ln["price_tax"]))
        for k in ("ex_tax", "inc_tax", "tax"):
            eq("line %d total_%s" % (ln["id"], k), ln["total_" + k], D(ln["price_" + k]) * q)
        eq("line %d base_total" % ln["id"], ln["base_total"], D(ln["base_price"]) * q)
        eq("line %d base_price" % ln["id"], ln["base_price"], ln["price_inc_tax" if o["is_tax_inclusive_pricing"] else "price_ex_tax"])
        eq("line %d discounted" % ln["id"], ln["discounted_total_inc_tax"],
           D(ln["total_inc_tax"]) - sum((D(d["amount"]) for d in ln["applied_discounts"]), ZERO))
        eq("line %d wrapping" % ln["id"], ln["wrapping_cost_inc_tax"], D(ln["wrapping_cost_ex_tax"]) + D(ln["wrapping_cost_tax"]))
    for k in ("ex_tax", "inc_tax", "tax"):
        eq("subtotal_" + k, o["subtotal_" + k], s(lines, "total_" + k))
        eq("shipping_cost_" + k, o["shipping_cost_" + k], s(addrs, "cost_" + k))
        eq("handling_cost_" + k, o["handling_cost_" + k], s(addrs, "handling_cost_" + k))
        eq("wrapping_cost_" + k, o["wrapping_cost_" + k], s(lines, "wrapping_cost_" + k))
    for a in addrs:
        eq("address %d cost" % a["id"], a["cost_inc_tax"], D(a["cost_ex_tax"]) + D(a["cost_tax"]))
        eq("address %d handling" % a["id"], a["handling_cost_inc_tax"], D(a["handling_cost_ex_tax"]) + D(a["handling_cost_tax"]))
    discounts = [d for ln in lines for d in ln["applied_discounts"]]
    eq("coupon_discount", o["coupon_discount"], sum((D(d["amount"]) for d in discounts if d["target"] == "product"), ZERO))
    eq("discount_amount", o["discount_amount"], sum((D(d["amount"]) for d in discounts if d["target"] == "order"), ZERO))
    total_tax = D(o["subtotal_tax"]) + D(o["shipping_cost_tax"]) + D(o["handling_cost_tax"]) + D(o["wrapping_cost_tax"])
    eq("total_tax", o["total_tax"], total_tax)
    eq("total_tax = sum(/taxes)", o["total_tax"], s(record["taxes"], "line_amount"))
    eq("total_inc_tax", o["total_inc_tax"],
       D(o["subtotal_inc_tax"]) + D(o["shipping_cost_inc_tax"]) + D(o["handling_cost_inc_tax"]) + D(o["wrapping_cost_inc_tax"])
       + s(record["fees"], "cost_inc_tax") - D(o["discount_amount"]) - D(o["coupon_discount"]))
    eq("total_ex_tax", o["total_ex_tax"], D(o["total_inc_tax"]) - D(o["total_tax"]))
    eq("items_total", o["items_total"], sum(ln["quantity"] for ln in lines))
    eq("items_shipped", o["items_shipped"], sum(ln["quantity_shipped"] for ln in lines))
    for row in record["taxes"]:
        if row["line_item_type"] == "item":
            line = next(ln for ln in lines if str(ln["id"]) == row["order_product_id"])
            eq("tax row %d" % row["id"], row["line_amount"], line["total_tax"])
    for value in (o["total_inc_tax"], o["subtotal_ex_tax"]):
        if value != m4(value):
            errors.append("order %s: money %r is not a 4-decimal string" % (o["id"], value))
    return errors
