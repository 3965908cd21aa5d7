"""Standard Webhooks signing of the sandbox's webhook deliveries.

Uses the connector's ``bigcommerce.webhooks.sign_webhook`` when it is importable (one implementation
for signer and verifier); otherwise the same scheme here: ``webhook-signature`` is
``v1,<base64 HMAC-SHA256(client_secret, "{id}.{timestamp}.{body}")>``.
"""
import base64
import hashlib
import hmac
import os
import sys

_CONNECTOR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bigcommerce_connector")


def _local_sign_webhook(raw_body, client_secret, msg_id, timestamp):
    signed = b"%s.%d.%s" % (msg_id.encode(), int(timestamp), raw_body)
    digest = hmac.new(client_secret.encode(), signed, hashlib.sha256).digest()
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(timestamp)),
            "webhook-signature": "v1," + base64.b64encode(digest).decode()}


def _connector_signer():
    if not os.path.exists(os.path.join(_CONNECTOR, "bigcommerce", "webhooks.py")):
        return None
    if _CONNECTOR not in sys.path:
        sys.path.insert(0, _CONNECTOR)
    try:
        from bigcommerce.webhooks import sign_webhook
    except ImportError:  # e.g. the package needs a dependency the sandbox image lacks
        return None
    return sign_webhook


sign_webhook = _connector_signer() or _local_sign_webhook
SIGNER = "bigcommerce.webhooks" if sign_webhook is not _local_sign_webhook else "sandbox.signing"
