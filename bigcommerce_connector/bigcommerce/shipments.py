"""Rules for telling BigCommerce what Odoo delivered: one shipment per shipping address."""
import re
from decimal import Decimal

from .i18n import _lt

TRACKING_NUMBER_MAX_LENGTH = 50  # O2 §orderShipment_Post

# O2 §shipping_provider_standard (without ""), with the names BigCommerce shows for them.
STANDARD_PROVIDERS = {
    "auspost": "Australia Post", "canadapost": "Canada Post", "endicia": "Endicia", "fedex": "FedEx",
    "royalmail": "Royal Mail", "shipperhq": "ShipperHQ", "ups": "UPS", "upsonline": "UPS Online",
    "upsready": "UPS Ready", "usps": "USPS",
}
# O2 §shipping_provider_custom: a third-party shipping provider is ``carrier_{its carrier id}``.
THIRD_PARTY_PROVIDER = "carrier"
THIRD_PARTY_CARRIER_ID = re.compile(r"[1-9][0-9]*")
# AfterShip courier slugs ("dhl", "royal-mail", "fedex-uk"): lower case letters, digits, hyphens.
TRACKING_CARRIER = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class ShipmentError(ValueError):
    """A delivery that cannot become a BigCommerce shipment as it is; ``args[0]`` (a ``Text``) says why."""


def delivery_marker(reference):
    """Written in the shipment's comments, so a retry recognises the shipment it already made.
    Never translated: it is matched as written, whatever the language of the one retrying."""
    return f"Odoo delivery {reference}"


def carrier_fields(name, shipping_provider="", third_party_id="", tracking_carrier=""):
    """What a shipment says of its carrier, so that BigCommerce builds the tracking link (O2#createOrderShipments,
    usage notes): the mapped ``shipping_provider`` (an O2 §shipping_provider_standard value, or
    ``THIRD_PARTY_PROVIDER`` with ``third_party_id``) and/or AfterShip ``tracking_carrier`` slug; a carrier
    mapped to neither sends its ``name`` as ``shipping_method``. Raises ShipmentError for a value
    BigCommerce does not accept."""
    error = carrier_mapping_error(name, shipping_provider, third_party_id, tracking_carrier)
    if error:
        raise ShipmentError(error)
    fields = {}
    if shipping_provider == THIRD_PARTY_PROVIDER:
        fields["shipping_provider"] = f"carrier_{third_party_id.strip()}"
    elif shipping_provider:
        fields["shipping_provider"] = shipping_provider
    if tracking_carrier:
        fields["tracking_carrier"] = tracking_carrier.strip()
    if not fields and name:
        fields["shipping_method"] = name
    return fields


def carrier_mapping_error(name, shipping_provider="", third_party_id="", tracking_carrier=""):
    """Why this carrier mapping cannot be sent (a ``Text``), or None when it can."""
    if shipping_provider and shipping_provider != THIRD_PARTY_PROVIDER and shipping_provider not in STANDARD_PROVIDERS:
        return _lt("The BigCommerce shipping provider “%(provider)s” of %(carrier)s is not one BigCommerce knows.",
                   provider=shipping_provider, carrier=name)
    if shipping_provider == THIRD_PARTY_PROVIDER and not THIRD_PARTY_CARRIER_ID.fullmatch((third_party_id or "").strip()):
        return _lt("%(carrier)s is mapped to a third-party shipping provider: give its BigCommerce carrier id, "
                   "the number in carrier_{id} (for example 1234567).", carrier=name)
    if tracking_carrier and not TRACKING_CARRIER.fullmatch(tracking_carrier.strip()):
        return _lt("“%(slug)s” (tracking carrier of %(carrier)s) is not an AfterShip courier slug: lower case "
                   "letters, digits and hyphens, for example dhl or royal-mail.", slug=tracking_carrier, carrier=name)
    return None


def checked_tracking_number(tracking_number, reference):
    tracking_number = (tracking_number or "").strip()
    if len(tracking_number) > TRACKING_NUMBER_MAX_LENGTH:
        raise ShipmentError(_lt(
            "The tracking number of %(delivery)s has %(length)s characters; BigCommerce accepts "
            "at most %(max)s. Shorten it, then use Retry.",
            delivery=reference, length=len(tracking_number), max=TRACKING_NUMBER_MAX_LENGTH,
        ))
    return tracking_number


def shipment_payloads(items_by_address, reference, tracking_number="", carrier=None):
    """Shipment bodies for a delivery, one per BigCommerce shipping address.

    ``items_by_address`` maps an order address id to ``(order_product_id, quantity)``
    pairs; BigCommerce counts whole units only, and lines with nothing delivered are left out.
    ``carrier``: the fields of ``carrier_fields``.
    """
    tracking_number = checked_tracking_number(tracking_number, reference)
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
        payload.update(carrier or {})
        payloads.append(payload)
    return payloads


def tracking_update(shipment, reference, tracking_number, carrier=None):
    """The body of O2#updateOrderShipment that gives an existing shipment the delivery's tracking
    number (added or corrected after the shipment was made), with its carrier so that BigCommerce
    builds the link; ``{}`` when the shipment already has it. A delivery without a tracking number
    leaves the shipment's alone: it may have been typed in BigCommerce."""
    tracking_number = checked_tracking_number(tracking_number, reference)
    if not tracking_number or (shipment.get("tracking_number") or "").strip() == tracking_number:
        return {}
    return {"tracking_number": tracking_number, **(carrier or {})}


def existing_shipments(shipments, reference, shipment_ids=()):
    """The shipments a previous attempt already created for this delivery: those it recorded
    (``shipment_ids``) and those carrying its marker."""
    marker = delivery_marker(reference)
    known = {int(shipment_id) for shipment_id in shipment_ids}
    return [shipment for shipment in shipments
            if shipment.get("id") in known or (shipment.get("comments") or "").strip() == marker]


def tracking_links(shipments):
    """The tracking links BigCommerce shows for these shipments (its own or AfterShip's, else a
    custom one), each once."""
    links = []
    for shipment in shipments:
        link = shipment.get("generated_tracking_link") or shipment.get("tracking_link")
        if link and link not in links:
            links.append(link)
    return links
