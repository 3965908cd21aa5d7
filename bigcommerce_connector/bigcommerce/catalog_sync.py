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


def stock_adjustments(location_items, available_by_sku, location_id, qty_type, value):
    """Absolute adjustments for the items of one location whose BigCommerce stock differs.

    ``location_items`` are BigCommerce's inventory items at the location; items Odoo
    does not know (no product with that SKU) are left alone.
    """
    known = {sku.casefold(): qty for sku, qty in available_by_sku.items()}
    adjustments = []
    for item in location_items:
        sku = (item.get("identity") or {}).get("sku") or ""
        if sku.casefold() not in known:
            continue
        target = export_quantity(known[sku.casefold()], qty_type, value)
        if item.get("total_inventory_onhand") != target:
            adjustments.append({"location_id": int(location_id), "sku": sku, "quantity": target})
    return adjustments


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
