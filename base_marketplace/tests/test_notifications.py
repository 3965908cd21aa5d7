from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MarketplaceQueueCase


@tagged("post_install", "-at_install")
class TestNotifications(MarketplaceQueueCase):
    """Every button says what happened, in the words of a merchant."""

    def test_retry_says_what_was_queued_again_with_a_link_to_its_job(self):
        def work(line, payload):
            raise UserError(line.env._("Map the tax class first."))

        job, line = self.enqueue("A")
        with self.handler(work):
            self.run_queue()
        params = line.action_retry()["params"]
        self.assertEqual(params["links"], [{"label": "Test job", "url": f"/odoo/marketplace-jobs/{job.id}"}])
        self.assertEqual(params["next"], {"type": "ir.actions.act_window_close"}, "the form reloads to show the state")
        with self.handler(lambda line, payload: None):
            self.run_queue()
        params = line.action_retry()["params"]
        self.assertEqual(params["type"], "info")
        self.assertIn("Nothing to retry", params["message"])

    def test_nothing_queued_states_the_reason_given(self):
        params = self.env["marketplace.queue.job"]._notify_queued("Tick Enable Export Stock? on a location.")["params"]
        self.assertEqual((params["title"], params["message"]), ("Nothing to do", "Tick Enable Export Stock? on a location."))

    def test_log_breadcrumb_names_the_operation_and_record(self):
        log = self.env["marketplace.log"]._log(self.instance, "Imported order 103", operation="test_echo", external_id="103")
        self.assertEqual(log.display_name, "test_echo 103")
        self.assertEqual(self.env["marketplace.log"]._log(self.instance, "Cleaned up").display_name, "Log")

    def test_lists_and_wizard_say_store_not_instance(self):
        for model in ("marketplace.log", "marketplace.queue.job", "marketplace.queue.line"):
            self.assertEqual(self.env[model]._fields["instance_id"].string, "Store", model)
        self.assertEqual(self.env["marketplace.operation.wizard"]._fields["instance_ids"].string, "Stores")
        for xmlid in ("marketplace_log_view_search", "marketplace_queue_job_view_search", "marketplace_queue_line_view_search"):
            self.assertNotIn('string="Instance"', self.env.ref(f"base_marketplace.{xmlid}").arch, xmlid)
