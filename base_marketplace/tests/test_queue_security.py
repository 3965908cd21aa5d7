import json

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestQueueSecurityOverRpc(HttpCase):
    """Lines run as the cron's superuser: over RPC nobody may forge or alter their work."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance = cls.env["marketplace.instance"].create({"name": "RPC Store"})
        cls.job, cls.line = cls.env["marketplace.queue.line"]._enqueue(
            cls.instance, "test_echo", [{"external_id": "7", "payload": {"id": 7}}])
        cls.line._as_queue().write({"state": "failed", "attempts": 5, "last_error": "Boom."})
        groups = {"user": "base_marketplace.group_marketplace_user", "manager": "base_marketplace.group_marketplace_manager"}
        for login, group in groups.items():
            cls.env["res.users"].create({"name": login, "login": f"queue_{login}", "password": f"queue_{login}_pw12",
                                         "groups_id": [(6, 0, [cls.env.ref(group).id])]})

    def call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", {
            "model": model, "method": method, "args": list(args), "kwargs": kwargs})

    def assertRefused(self, model, method, *args):
        with mute_logger("odoo.http"), self.assertRaises(Exception) as caught:
            self.call(model, method, *args)
        self.assertIn("AccessError", str(caught.exception))

    def test_users_and_managers_cannot_forge_or_alter_queue_work(self):
        forged = {"job_id": self.job.id, "external_id": "8", "payload": json.dumps({"id": 8}), "state": "pending"}
        for login in ("user", "manager"):
            self.authenticate(f"queue_{login}", f"queue_{login}_pw12")
            self.assertRefused("marketplace.queue.line", "create", [forged])
            for field, value in [("payload", '{"id": 666}'), ("state", "pending"), ("res_model", "res.users"),
                                 ("res_id", 2), ("external_id", "666")]:
                self.assertRefused("marketplace.queue.line", "write", [self.line.id], {field: value})
        self.authenticate("queue_user", "queue_user_pw12")
        self.assertRefused("marketplace.queue.job", "create",
                           [{"name": "Forged", "instance_id": self.instance.id, "operation": "test_echo"}])
        self.line.invalidate_recordset()
        self.assertEqual((self.line.payload, self.line.state, self.line.res_model), ('{"id": 7}', "failed", False))
        self.assertEqual(self.env["marketplace.queue.line"].search_count([("instance_id", "=", self.instance.id)]), 1)

    def test_a_user_retries_and_cancels_lines_through_the_queue(self):
        self.authenticate("queue_user", "queue_user_pw12")
        self.call("marketplace.queue.line", "action_retry", [self.line.id])
        self.line.invalidate_recordset()
        self.assertEqual((self.line.state, self.line.attempts, self.line.last_error), ("pending", 0, False))
        self.call("marketplace.queue.job", "action_cancel", [self.job.id])
        self.line.invalidate_recordset()
        self.assertEqual(self.line.state, "cancelled")
