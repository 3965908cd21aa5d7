"""BigCommerce webhook signatures (Standard Webhooks, API-NOTES §11).

BigCommerce tells apps to base64-encode the app's client secret and give it to the
``standardwebhooks`` library, which base64-decodes it again: the HMAC key is therefore
the raw client-secret bytes. The library signs ``"{id}.{timestamp}.{body}"`` with
HMAC-SHA256, where the timestamp is the header value floored to whole seconds.
"""
import base64
import binascii
import hashlib
import hmac
import json
import math
import time

DEFAULT_TOLERANCE_SECONDS = 300
# BigCommerce's deliveries are a few hundred bytes (``data`` holds only the resource id):
# anything much larger is refused before it is read, let alone verified.
MAX_WEBHOOK_BYTES = 16 * 1024


class WebhookVerificationError(Exception):
    """The webhook cannot be trusted; ``reason`` says why (safe to log: it holds no secret)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class MalformedWebhookError(ValueError):
    """A correctly signed delivery whose body is not what BigCommerce sends; ``reason`` says
    what is wrong. Delivering it again cannot fix it."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _signature(raw_body, client_secret, msg_id, timestamp):
    if isinstance(raw_body, str):
        raw_body = raw_body.encode()
    signed = b"%s.%d.%s" % (msg_id.encode(), timestamp, raw_body)
    return hmac.new(client_secret.encode(), signed, hashlib.sha256).digest()


def sign_webhook(raw_body, client_secret, msg_id, timestamp):
    """The Standard Webhooks headers BigCommerce would send with ``raw_body``."""
    signature = base64.b64encode(_signature(raw_body, client_secret, msg_id, int(timestamp)))
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": "v1," + signature.decode(),
    }


def _header(headers, name):
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _passed_signatures(header):
    for versioned in header.split(" "):
        version, _, encoded = versioned.partition(",")
        if version != "v1":
            continue
        try:
            yield base64.b64decode(encoded, validate=True)
        except binascii.Error:
            continue


def verify_webhook(raw_body, headers, client_secret, now=None, tolerance=DEFAULT_TOLERANCE_SECONDS):
    """Raise WebhookVerificationError unless ``raw_body`` was signed with ``client_secret``
    less than ``tolerance`` seconds ago (or ahead). ``raw_body`` must be the bytes as received."""
    if not client_secret:
        raise WebhookVerificationError("no client secret is configured, so no webhook can be trusted")
    msg_id = _header(headers, "webhook-id")
    timestamp_header = _header(headers, "webhook-timestamp")
    signature_header = _header(headers, "webhook-signature")
    if not (msg_id and timestamp_header and signature_header):
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature header")
    try:
        sent_at = float(timestamp_header)
    except ValueError:
        raise WebhookVerificationError("the webhook-timestamp header is not a number") from None
    if not math.isfinite(sent_at):
        raise WebhookVerificationError("the webhook-timestamp header is not a number")
    now = time.time() if now is None else now
    if sent_at < now - tolerance:
        raise WebhookVerificationError("the webhook timestamp is too old (replayed or delayed message)")
    if sent_at > now + tolerance:
        raise WebhookVerificationError("the webhook timestamp is too far in the future")
    expected = _signature(raw_body, client_secret, msg_id, math.floor(sent_at))
    if not any(hmac.compare_digest(expected, passed) for passed in _passed_signatures(signature_header)):
        raise WebhookVerificationError("no webhook signature matches the body and the client secret")


def scope_matches(pattern, scope):
    """Whether a delivery of ``scope`` comes from a hook registered for ``pattern`` (``.../*``)."""
    return pattern == scope or (pattern.endswith("/*") and scope.startswith(pattern[:-1]))


def webhook_kind(scope):
    """What a delivery of ``scope`` is about: "customer", "product" or "order"."""
    if scope.startswith("store/customer/"):
        return "customer"
    return "product" if scope.startswith("store/product/") else "order"


def _positive_id(value, what):
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise MalformedWebhookError(f"{what} is not a BigCommerce id")
    return value


def webhook_event(raw_body, scopes):
    """``(scope, id of the order, customer or product it is about)`` of a verified delivery, or None when
    its scope is not one of ``scopes``. An address event names its customer in
    ``data.address.customer_id`` (``data.id`` is the address). Raise MalformedWebhookError when
    the body is not such a BigCommerce event."""
    try:
        payload = json.loads(raw_body)
    except ValueError:
        raise MalformedWebhookError("the body is not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedWebhookError("the body is not a JSON object")
    scope = payload.get("scope")
    if not isinstance(scope, str) or not any(scope_matches(pattern, scope) for pattern in scopes):
        return None
    kind = webhook_kind(scope)
    data = payload.get("data")
    if not isinstance(data, dict) or data.get("type") != kind:
        raise MalformedWebhookError(f"data is not an object of type {kind}")
    if scope.startswith("store/customer/address/"):
        address = data.get("address")
        if not isinstance(address, dict):
            raise MalformedWebhookError("data.address is not an object")
        return scope, _positive_id(address.get("customer_id"), "data.address.customer_id")
    return scope, _positive_id(data.get("id"), "data.id")
