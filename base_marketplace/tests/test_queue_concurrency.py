import threading
import time
from collections import Counter
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestQueueConcurrency(TransactionCase):
    """Two cron workers on their own database connections, at the same time.

    The test transaction cannot be seen by other connections, so the data is
    committed through a separate connection and removed afterwards.
    """

    LINES = 60

    def _real_env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        with db_connect(self.env.cr.dbname).cursor() as cr:
            env = self._real_env(cr)
            self.instance_id = env["marketplace.instance"].create({"name": "Concurrency Store"}).id
            items = [{"external_id": str(n), "payload": {"n": n}} for n in range(self.LINES)]
            _job, lines = env["marketplace.queue.line"]._enqueue(env["marketplace.instance"].browse(self.instance_id), "test_echo", items)
            self.line_ids = lines.ids
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with db_connect(self.env.cr.dbname).cursor() as cr:
            self._real_env(cr)["marketplace.instance"].browse(self.instance_id).unlink()

    def test_two_workers_never_process_the_same_line(self):
        processed = Counter()
        lock = threading.Lock()
        start = threading.Barrier(2)
        errors = []

        by_worker = Counter()

        def process(line, payload):
            with lock:
                processed[line.id] += 1
                by_worker[threading.current_thread().name] += 1
            time.sleep(0.005)  # keep both workers busy at the same time

        def worker(cr):
            # The environment is built by the main thread: it holds the registry lock
            # for the whole test run, so a worker thread could not look the registry up.
            env = self._real_env(cr)
            def run():
                try:
                    with cr:
                        start.wait()
                        while env["marketplace.queue.line"]._cron_process_queue(batch_size=5):
                            pass
                except Exception as error:  # noqa: BLE001 - reported by the assertion below
                    errors.append(error)
            return run

        Line = type(self.env["marketplace.queue.line"])
        with patch.object(Line, "_process_test_echo", process, create=True):
            threads = [threading.Thread(target=worker(db_connect(self.env.cr.dbname).cursor())) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        self.assertFalse(errors)
        self.assertEqual(set(processed), set(self.line_ids), "every line is processed")
        self.assertEqual(max(processed.values()), 1, "no line is processed twice")
        self.assertEqual(len(by_worker), 2, "both workers took part")
        with db_connect(self.env.cr.dbname).cursor() as cr:
            lines = self._real_env(cr)["marketplace.queue.line"].browse(self.line_ids)
            self.assertEqual(set(lines.mapped("state")), {"done"})
            self.assertEqual(set(lines.mapped("attempts")), {1})

    @mute_logger("odoo.sql_db")  # the losing insert's unique violation is logged by the cursor
    def test_two_transactions_enqueueing_the_same_record_make_one_line(self):
        """A webhook and a poll queue the same order at the same moment: one line, no empty job."""
        dbname = self.env.cr.dbname
        first_cr, second_cr = db_connect(dbname).cursor(), db_connect(dbname).cursor()
        first_env, second_env = self._real_env(first_cr), self._real_env(second_cr)
        instance = first_env["marketplace.instance"].browse(self.instance_id)
        item = [{"external_id": "order-7", "payload": {"n": 7}}]
        results = {}
        try:
            first_job, first_lines = first_env["marketplace.queue.line"]._enqueue(instance, "test_echo", item)
            second_env["marketplace.instance"].browse(self.instance_id).name  # noqa: B018 - snapshot taken now

            def second():
                results["second"] = second_env["marketplace.queue.line"]._enqueue(
                    second_env["marketplace.instance"].browse(self.instance_id), "test_echo", item)
            thread = threading.Thread(target=second)
            thread.start()
            time.sleep(0.5)  # the second insert now waits on the first transaction's unique index entry
            first_cr.commit()
            thread.join(timeout=60)
            second_cr.commit()
        finally:
            first_cr.close()
            second_cr.close()
        second_job, second_lines = results["second"]
        self.assertFalse(second_lines, "the second transaction returned no line of its own")
        self.assertTrue(first_lines)
        self.assertFalse(second_job, "the second transaction left no empty job behind")
        with db_connect(dbname).cursor() as cr:
            env = self._real_env(cr)
            lines = env["marketplace.queue.line"].search([("external_id", "=", "order-7")])
            self.assertEqual(len(lines), 1)
            self.assertFalse(env["marketplace.queue.job"].search([
                ("instance_id", "=", self.instance_id), ("line_ids", "=", False)]))


@tagged("post_install", "-at_install")
class TestQueueWorkerFailures(TransactionCase):
    """A cron worker that commits undoes a failed line's work by rolling its transaction back,
    where a test's transaction uses a savepoint: this runs the worker's way, on a connection
    of its own."""

    def test_a_failed_line_leaves_nothing_behind_and_the_next_line_runs(self):
        dbname = self.env.cr.dbname
        with db_connect(dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            instance = env["marketplace.instance"].create({"name": "Failures Store"})
            partner = env["res.partner"].create({"name": "Kept name"})
            _job, lines = env["marketplace.queue.line"]._enqueue(instance, "test_echo", [
                {"external_id": key, "payload": {"key": key}} for key in ("raises", "breaks-at-flush", "works")])
            ids = {"instance": instance.id, "partner": partner.id, "lines": lines.ids}
        self.addCleanup(self._cleanup, ids)

        def process(line, payload):
            line.env["res.partner"].create({"name": f"Made by {payload['key']}"})
            if payload["key"] == "raises":
                raise UserError(line.env._("The order has no customer."))
            if payload["key"] == "breaks-at-flush":
                line.env["res.partner"].browse(ids["partner"]).name = False  # violates res_partner_check_name

        Line = type(self.env["marketplace.queue.line"])
        with patch.object(Line, "_process_test_echo", process, create=True), \
                mute_logger("odoo.sql_db", "odoo.addons.base_marketplace.models.marketplace_queue_line"), \
                db_connect(dbname).cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["marketplace.queue.line"]._cron_process_queue()
        with db_connect(dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            raises, breaks, works = env["marketplace.queue.line"].browse(ids["lines"])
            self.assertEqual((raises.state, breaks.state, works.state), ("failed", "failed", "done"))
            self.assertEqual(raises.last_error, "The order has no customer.")
            self.assertEqual(raises.log_ids.mapped("message"), ["The order has no customer."])
            self.assertEqual(works.log_ids.mapped("message"), ["Done."])
            made = env["res.partner"].search([("name", "like", "Made by %")]).mapped("name")
            self.assertEqual(made, ["Made by works"], "the failed lines' work was undone")
            self.assertEqual(env["res.partner"].browse(ids["partner"]).name, "Kept name")

    def _cleanup(self, ids):
        with db_connect(self.env.cr.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.partner"].search([("name", "like", "Made by %")]).unlink()
            env["res.partner"].browse(ids["partner"]).unlink()
            env["marketplace.instance"].browse(ids["instance"]).unlink()
