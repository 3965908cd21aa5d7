import threading
import time
from collections import Counter
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged


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
