import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestWebhookReceiptConcurrency(TransactionCase):
    """Deliveries recorded by two transactions at once, each on its own database connection,
    the way two HTTP workers record them. The store is committed through a separate
    connection (the test transaction is invisible to others) and removed afterwards."""

    def _real_env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        with db_connect(self.env.cr.dbname).cursor() as cr:
            self.instance_id = self._real_env(cr)["bc.instance"].create({
                "name": "Receipt Store", "store_hash": "receipts1", "access_token": "token", "state": "confirmed",
                "client_secret": "secret"}).id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with db_connect(self.env.cr.dbname).cursor() as cr:
            self._real_env(cr)["bc.instance"].browse(self.instance_id).unlink()

    def test_a_delivery_never_waits_for_another_one_still_being_received(self):
        dbname = self.env.cr.dbname
        first_cr, second_cr = db_connect(dbname).cursor(), db_connect(dbname).cursor()
        first_env, second_env = self._real_env(first_cr), self._real_env(second_cr)
        outcome = {}
        try:
            first = first_env["bc.instance"].browse(self.instance_id)
            self.assertTrue(first_env["bc.webhook.event"]._record_delivery(first, "msg_1", "store/order/updated", 103))

            def second():
                # Another change of the same order, while the first request has not committed yet.
                started = time.monotonic()
                instance = second_env["bc.instance"].browse(self.instance_id)
                outcome["new"] = second_env["bc.webhook.event"]._record_delivery(
                    instance, "msg_2", "store/order/updated", 103)
                outcome["seconds"] = time.monotonic() - started
                second_cr.commit()
            thread = threading.Thread(target=second)
            thread.start()
            thread.join(timeout=10)
            self.assertIn("seconds", outcome, "the second delivery waited for the first one's transaction")
            first_cr.commit()
        finally:
            first_cr.close()
            second_cr.close()
        self.assertTrue(outcome["new"])
        with db_connect(dbname).cursor() as cr:
            env = self._real_env(cr)
            self.assertEqual(sorted(env["bc.webhook.event"].search([("instance_id", "=", self.instance_id)])
                                    .mapped("delivery_id")), ["msg_1", "msg_2"])
            self.assertFalse(env["marketplace.queue.line"].search_count([
                ("instance_id", "=", env["bc.instance"].browse(self.instance_id).marketplace_instance_id.id)]),
                "receiving writes no queue line")
