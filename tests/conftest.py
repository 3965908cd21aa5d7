"""Pure tier: make the addons' pure packages importable without Odoo.

``bigcommerce_connector/bigcommerce`` is imported here as the top-level package
``bigcommerce`` and ``base_marketplace/queue_core`` as ``queue_core``; inside Odoo
the same files are ``odoo.addons.<addon>.<package>``. Only relative imports are
used inside them, so both names work.

``sandbox`` (one a module) and ``client`` (on a reset store) are the fixtures of the tests that
talk to the sandbox store; a module that needs another sandbox (a rate limit, more orders)
defines its own.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for addon in ("bigcommerce_connector", "base_marketplace"):
    path = os.path.join(ROOT, addon)
    if path not in sys.path:
        sys.path.insert(0, path)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import pytest  # noqa: E402

from bigcommerce.client import BigCommerceClient  # noqa: E402
from sandbox.server import start_sandbox  # noqa: E402


@pytest.fixture(scope="module")
def sandbox():
    sb = start_sandbox(port=0, quota=100000)
    yield sb
    sb.stop()


@pytest.fixture
def client(sandbox):
    sandbox.reset()
    return BigCommerceClient(sandbox.store_hash, sandbox.access_token, api_url=sandbox.url, timeout=(2, 5))
