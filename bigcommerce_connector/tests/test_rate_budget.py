import time

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import sandbox_instance_vals, start_sandbox


@tagged("post_install", "-at_install")
class TestStoreRateBudget(TransactionCase):
    """A small quota (4 requests per 30 s) and a new client for every call, as the queue's
    lines and the store's buttons each build one."""

    def test_clients_of_a_store_share_its_quota_and_never_sleep_long(self):
        sandbox = start_sandbox(port=0, quota=4, window_ms=30000)
        self.addCleanup(sandbox.stop)
        instance = self.env["bc.instance"].create(sandbox_instance_vals(sandbox))
        started = time.monotonic()
        with self.assertRaises(UserError) as caught, instance._user_errors():
            for _call in range(6):
                with instance._bigcommerce_client() as client:
                    client.server_time()
        self.assertIn("quota", str(caught.exception))
        self.assertLess(time.monotonic() - started, 15, "no worker sleeps for the window to reset")
        self.assertEqual(sandbox.stats()["rate_limited"], 0, "no request was refused with 429")
