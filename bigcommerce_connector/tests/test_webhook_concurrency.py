import threading
import time

import psycopg2

from odoo import SUPERUSER_ID, api, fields
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged

from .common import listen_to_cron_wakeups


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
            self.company_id = self._real_env(cr)["bc.instance"].browse(self.instance_id).company_id.id
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
            first_env["bc.webhook.event"]._receivers()
            self.assertTrue(first_env["bc.webhook.event"]._record_delivery(
                self.instance_id, self.company_id, "msg_1", "store/order/updated", 103))

            def second():
                # Another change of the same order, while the first request has not committed yet.
                started = time.monotonic()
                second_env["bc.webhook.event"]._receivers()
                outcome["new"] = second_env["bc.webhook.event"]._record_delivery(
                    self.instance_id, self.company_id, "msg_2", "store/order/updated", 103)
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

    def test_a_redelivery_while_the_delivery_is_being_recorded_is_answered_without_a_replay(self):
        """BigCommerce may deliver a message again before the first attempt is committed. Odoo's
        transactions are REPEATABLE READ: there, the insert of the redelivery waits for the first
        one and then fails with a serialization error, and Odoo replays the whole request."""
        dbname = self.env.cr.dbname
        first_cr, second_cr = db_connect(dbname).cursor(), db_connect(dbname).cursor()
        first_env, second_env = self._real_env(first_cr), self._real_env(second_cr)
        outcome = {}
        try:
            # A request's transaction may have read something (a cache of Odoo's) before the controller runs.
            second_cr.execute("SELECT 1")
            first_env["bc.webhook.event"]._receivers()
            self.assertTrue(first_env["bc.webhook.event"]._record_delivery(
                self.instance_id, self.company_id, "msg_1", "store/order/updated", 103))

            def redelivery():
                try:
                    second_env["bc.webhook.event"]._receivers()
                    outcome["new"] = second_env["bc.webhook.event"]._record_delivery(
                        self.instance_id, self.company_id, "msg_1", "store/order/updated", 103)
                    second_cr.commit()
                except psycopg2.Error as error:
                    outcome["error"] = error
            thread = threading.Thread(target=redelivery)
            thread.start()
            time.sleep(0.5)  # the redelivery now waits for the first delivery's row
            first_cr.commit()
            thread.join(timeout=10)
        finally:
            first_cr.close()
            second_cr.close()
        self.assertNotIn("error", outcome)
        self.assertIs(outcome["new"], False, "a redelivery is acknowledged and not recorded again")
        with db_connect(dbname).cursor() as cr:
            self.assertEqual(self._real_env(cr)["bc.webhook.event"].search([
                ("instance_id", "=", self.instance_id)]).mapped("delivery_id"), ["msg_1"])

    def test_a_delivery_triggers_the_queue_and_wakes_the_cron_workers_a_redelivery_does_not(self):
        dbname = self.env.cr.dbname
        cron = self.env.ref("base_marketplace.ir_cron_process_queue")
        woken = listen_to_cron_wakeups(self)

        def deliver(delivery_id):
            with db_connect(dbname).cursor() as request_cr:
                env = self._real_env(request_cr)
                env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
                env["bc.webhook.event"]._receivers()
                env["bc.webhook.event"]._record_delivery(
                    self.instance_id, self.company_id, delivery_id, "store/order/updated", 103)
                request_cr.commit()  # what Odoo does at the end of the request
                return env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).mapped("call_at")

        triggers = deliver("msg_1")
        self.assertEqual(len(triggers), 1)
        self.assertLessEqual(triggers[0], fields.Datetime.now(), "the queue runs now, not later")
        self.assertTrue(woken(), "the cron workers are told at once, not at their next wake-up")
        self.assertFalse(deliver("msg_1"), "a redelivery queues nothing")
        self.assertFalse(woken())

        def set_cron_active(active):
            with db_connect(dbname).cursor() as cr:
                env = self._real_env(cr)  # kept: the write is flushed through it at commit
                env["ir.cron"].browse(cron.id).active = active
        set_cron_active(False)
        self.addCleanup(set_cron_active, True)
        self.assertFalse(deliver("msg_2"), "like ir.cron._trigger: no trigger for an inactive cron")
        with db_connect(dbname).cursor() as cr:
            self.assertEqual(self._real_env(cr)["bc.webhook.event"].search_count([
                ("instance_id", "=", self.instance_id)]), 2, "the delivery is recorded all the same")
