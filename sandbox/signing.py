"""Standard Webhooks signing of webhook deliveries: the connector's own ``sign_webhook``, so the
signer and the verifier are one implementation (``bigcommerce_connector/bigcommerce/webhooks.py``
is pure Python: importing it pulls in neither Odoo nor any third-party package)."""
import os
import sys

_CONNECTOR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bigcommerce_connector")
if _CONNECTOR not in sys.path:
    sys.path.insert(0, _CONNECTOR)

from bigcommerce.webhooks import sign_webhook  # noqa: E402,F401
