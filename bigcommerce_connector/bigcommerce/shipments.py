"""Rules for telling BigCommerce what Odoo delivered: one shipment per shipping address."""
from decimal import Decimal

from .i18n import _lt

TRACKING_NUMBER_MAX_LENGTH = 50  # O2 §orderShipment_Post


class ShipmentError(ValueError):
    """A delivery that cannot become a BigCommerce shipment as it is; ``args[0]`` (a ``Text``) says why."""


def delivery_marker(reference):
    """Written in the shipment's comments, so a retry recognises the shipment it already made.
    Never translated: it is matched as written, whatever the language of the one retrying."""
    return f"Odoo delivery {reference}"


def shipment_payloads(items_by_address, reference, tracking_number="", shipping_method=""):
    """Shipment bodies for a delivery, one per BigCommerce shipping address.

    ``items_by_address`` maps an order address id to ``(order_product_id, quantity)``
    pairs; BigCommerce counts whole units only, and lines with nothing delivered are left out.
    """
    tracking_number = (tracking_number or "").strip()
    if len(tracking_number) > TRACKING_NUMBER_MAX_LENGTH:
        raise ShipmentError(_lt(
            "The tracking number of %(delivery)s has %(length)s characters; BigCommerce accepts "
            "at most %(max)s. Shorten it, then use Retry.",
            delivery=reference, length=len(tracking_number), max=TRACKING_NUMBER_MAX_LENGTH,
        ))
    payloads = []
    for address_id, items in sorted(items_by_address.items()):
        quantities = {}
        for order_product_id, quantity in items:
            quantity = Decimal(str(quantity))
            if quantity != quantity.to_integral_value():
                raise ShipmentError(_lt(
                    "%(delivery)s delivers %(quantity)s units of a BigCommerce line; BigCommerce ships whole "
                    "units only.", delivery=reference, quantity=quantity,
                ))
            quantities[order_product_id] = quantities.get(order_product_id, 0) + int(quantity)
        body_items = [{"order_product_id": int(product_id), "quantity": quantity}
                      for product_id, quantity in sorted(quantities.items()) if quantity > 0]
        if not body_items:
            continue
        payload = {"order_address_id": int(address_id), "items": body_items, "comments": delivery_marker(reference)}
        if tracking_number:
            payload["tracking_number"] = tracking_number
        if shipping_method:
            payload["shipping_method"] = shipping_method
        payloads.append(payload)
    return payloads


def existing_shipments(shipments, reference):
    """The shipments a previous attempt already created for this delivery."""
    marker = delivery_marker(reference)
    return [shipment for shipment in shipments if (shipment.get("comments") or "").strip() == marker]
