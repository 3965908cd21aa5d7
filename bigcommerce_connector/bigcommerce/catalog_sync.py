"""Rules for publishing Odoo stock and prices to BigCommerce: what to send, and only what changed."""
import math
from decimal import ROUND_HALF_UP, Decimal

from .money import to_decimal


def export_quantity(available, qty_type, value):
    """The quantity to publish for an item that Odoo has ``available``.

    ``percentage``: that share of what is available, rounded down, so a store never
    sells more than Odoo has. ``fixed``: at most ``value`` units, never more than
    is available (a merchant caps what one channel can sell).
    """
    available = max(math.floor(available), 0)
    if qty_type == "fixed":
        return min(available, max(int(value), 0))
    return math.floor(available * Decimal(str(value)) / 100)


def stock_adjustments(location_items, target_by_sku, location_id):
    """Full export: absolute adjustments for the items of one location whose BigCommerce stock
    differs from the quantity Odoo publishes (``target_by_sku``, see ``export_quantity``).

    ``location_items`` are what BigCommerce tracks at the location: the product's own item when
    it tracks stock by product, each variant's when by variant; each is addressed by the SKU
    BigCommerce lists for it. Items Odoo does not know (no product with that SKU) are left alone.
    """
    known = {sku.casefold(): qty for sku, qty in target_by_sku.items()}
    adjustments = []
    for item in location_items:
        sku = (item.get("identity") or {}).get("sku") or ""
        target = known.get(sku.casefold())
        if target is not None and item.get("total_inventory_onhand") != target:
            adjustments.append({"location_id": int(location_id), "sku": sku, "quantity": target})
    return adjustments


def changed_adjustments(sent_by_sku, target_by_sku, location_id):
    """Incremental export: absolute adjustments for the SKUs whose quantity differs from what
    the last export of the location sent (``sent_by_sku``), read from nothing in BigCommerce.
    SKUs not sent before are left to the next full export, which learns whether BigCommerce tracks them."""
    return [{"location_id": int(location_id), "sku": sku, "quantity": target_by_sku[sku]}
            for sku, sent in sent_by_sku.items() if sku in target_by_sku and target_by_sku[sku] != sent]


def price_updates(variants, price_by_sku, decimals=2):
    """Variant price updates where Odoo's price, rounded to the currency, differs from BigCommerce's."""
    quantum = Decimal(1).scaleb(-decimals)
    known = {sku.casefold(): price for sku, price in price_by_sku.items()}
    updates = []
    for variant in variants:
        sku = (variant.get("sku") or "").casefold()
        if sku not in known:
            continue
        price = to_decimal(known[sku]).quantize(quantum, rounding=ROUND_HALF_UP)
        current = to_decimal(variant.get("price"))
        if current is None or current.quantize(quantum, rounding=ROUND_HALF_UP) != price:
            updates.append({"id": int(variant["id"]), "price": price})
    return updates
