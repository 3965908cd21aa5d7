from contextlib import contextmanager
from unittest.mock import patch

from odoo.tests import TransactionCase


class MarketplaceQueueCase(TransactionCase):
    """An instance and a patchable operation, ``test_echo``, whose work the test decides."""

    OPERATION = "test_echo"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance = cls.env["marketplace.instance"].create({"name": "Test Store"})
        cls.Line = cls.env["marketplace.queue.line"]

    @contextmanager
    def handler(self, work):
        """Route the ``test_echo`` operation to ``work(line, payload)``."""
        def process(line, payload):
            return work(line, payload)
        with patch.object(type(self.Line), f"_process_{self.OPERATION}", process, create=True):
            yield

    def enqueue(self, *external_ids, payload=None, **kwargs):
        items = [{"external_id": ext_id, "payload": payload or {"id": ext_id}} for ext_id in external_ids]
        return self.Line._enqueue(self.instance, self.OPERATION, items, job_name="Test job", **kwargs)

    def run_queue(self, batch_size=50):
        return self.Line._cron_process_queue(batch_size=batch_size)
