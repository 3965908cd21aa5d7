import os
import sys

from odoo.tests import TransactionCase

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from sandbox.server import start_sandbox  # noqa: E402  (the repository's BigCommerce sandbox store)


def sandbox_instance_vals(sandbox, **vals):
    return dict({
        "name": "Sandbox Store",
        "store_hash": sandbox.store_hash,
        "access_token": sandbox.access_token,
        "client_secret": sandbox.client_secret,
        "api_url": sandbox.url,
    }, **vals)


class BigCommerceSandboxCase(TransactionCase):
    """A running sandbox store on 127.0.0.1 and a draft instance pointing at it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = start_sandbox(port=0, quota=10000, window_ms=30000)
        cls.addClassCleanup(cls.sandbox.stop)
        cls.instance = cls.env["bc.instance"].create(sandbox_instance_vals(cls.sandbox))

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
