import json
from datetime import timedelta
from unittest.mock import Mock, patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models import marketplace_queue_line
from ..queue_core import RetryableError, requires_keys
from .common import MarketplaceQueueCase


class WorkerKilled(BaseException):
    """What Odoo's watchdog does to a cron worker: nothing after it runs."""


@tagged("post_install", "-at_install")
class TestQueue(MarketplaceQueueCase):

    def test_failing_line_leaves_others_done_and_itself_failed(self):
        partners = self.env["res.partner"]

        def work(line, payload):
            partner = partners.create({"name": f"Customer {payload['id']}"})
            if payload["id"] == "B":
                raise UserError(line.env._("Customer B has no country; set one and retry."))
            return partner

        job, lines = self.enqueue("A", "B", "C")
        with self.handler(work):
            self.run_queue()
        by_id = {line.external_id: line for line in lines}
        self.assertEqual(by_id["A"].state, "done")
        self.assertEqual(by_id["C"].state, "done")
        self.assertEqual(by_id["B"].state, "failed")
        self.assertEqual(by_id["B"].last_error, "Customer B has no country; set one and retry.")
        # The failed line's own work was rolled back; the others' stayed.
        self.assertFalse(partners.search([("name", "=", "Customer B")]))
        self.assertEqual(by_id["A"].record_name, "Customer A")
        self.assertEqual(by_id["A"].log_ids.mapped("message"), ["Done: Customer A."], "every outcome is logged")
        self.assertEqual((job.state, job.done_count, job.failed_count), ("failed", 2, 1))
        self.assertAlmostEqual(job.progress, 200.0 / 3, msg="a failed line is not progress: the bar is not full")
        self.assertEqual(self.env["marketplace.queue.job"].search([("state", "=", "failed")]), job)
        error_log = by_id["B"].log_ids.filtered(lambda log: log.level == "error")
        self.assertIn("has no country", error_log.message)

    def test_transient_failure_is_retried_after_its_delay_then_succeeds(self):
        calls = []

        def work(line, payload):
            calls.append(fields.Datetime.now())
            if len(calls) == 1:
                raise RetryableError("BigCommerce asked to slow down.", retry_after=120)
            return None

        _job, line = self.enqueue("A")
        now = fields.Datetime.now()
        with self.handler(work), freeze_time(now):
            self.run_queue()
            self.assertEqual(line.state, "pending")
            self.assertEqual(line.attempts, 1)
            self.assertGreaterEqual(line.next_retry_at, now + timedelta(seconds=120))
            self.assertIn("slow down", line.last_error)
            self.run_queue()  # not due yet
            self.assertEqual(len(calls), 1)
        with self.handler(work), freeze_time(line.next_retry_at + timedelta(seconds=1)):
            self.run_queue()
        self.assertEqual((line.state, line.attempts, len(calls)), ("done", 2, 2))
        self.assertFalse(line.last_error)

    def test_a_used_up_quota_postpones_the_line_without_costing_an_attempt(self):
        def work(line, payload):
            raise RetryableError("The store's request quota is used up.", retry_after=28, attempted=False)

        _job, line = self.enqueue("A")
        now = fields.Datetime.now()
        with self.handler(work), freeze_time(now):
            self.run_queue()
        self.assertEqual((line.state, line.attempts), ("pending", 0))
        self.assertEqual(line.next_retry_at, now + timedelta(seconds=28), "exactly when the quota allows it")
        self.assertIn("Postponed", line.log_ids.message)

    def test_transient_failure_past_max_attempts_fails_the_line(self):
        self.env["ir.config_parameter"].sudo().set_param("base_marketplace.max_attempts", 3)

        def work(line, payload):
            raise RetryableError("The store did not answer in time.")

        _job, line = self.enqueue("A")
        moment = fields.Datetime.now()
        with self.handler(work):
            for _attempt in range(3):
                with freeze_time(moment):
                    self.run_queue()
                moment += timedelta(hours=3)
        self.assertEqual(line.state, "failed")
        self.assertEqual(line.attempts, 3)
        self.assertIn("Gave up after 3 attempts", line.last_error)

    def test_permanent_failure_is_not_retried(self):
        def work(line, payload):
            raise UserError(line.env._("The product SKU-1 does not exist in Odoo."))

        _job, line = self.enqueue("A")
        with self.handler(work):
            self.run_queue()
        self.assertEqual((line.state, line.attempts, line.next_retry_at), ("failed", 1, False))

    def test_line_stuck_in_processing_is_requeued_and_processed(self):
        _job, line = self.enqueue("A")
        line._as_queue().write({"state": "processing", "processing_started_at": fields.Datetime.now() - timedelta(hours=2)})
        with self.handler(lambda line, payload: None):
            self.run_queue()
        self.assertEqual(line.state, "done")
        self.assertTrue(line.log_ids.filtered(lambda log: "worker processing this line stopped" in log.message))

    def test_line_recently_started_is_left_alone(self):
        _job, line = self.enqueue("A")
        line._as_queue().write({"state": "processing", "processing_started_at": fields.Datetime.now()})
        with self.handler(lambda line, payload: self.fail("a live worker's line was processed twice")):
            self.run_queue()
        self.assertEqual(line.state, "processing")

    def test_a_killed_worker_costs_an_attempt_only_to_the_line_it_was_processing(self):
        _job, lines = self.enqueue("A", "B", "C")

        def killed(line, payload):
            raise WorkerKilled()

        # Not assertRaises: it would roll back to a savepoint, and a dead worker rolls nothing back.
        with self.handler(killed):
            try:
                self.run_queue()
            except WorkerKilled:  # pylint: disable=except-pass
                pass  # the worker died: what it left behind is asserted below
        self.assertEqual(lines.mapped("state"), ["processing", "pending", "pending"],
                         "lines are claimed as they are started, not ahead")
        with self.handler(lambda line, payload: None), freeze_time(fields.Datetime.now() + timedelta(hours=1)):
            self.run_queue()
        self.assertEqual(lines.mapped("state"), ["done"] * 3)
        self.assertEqual(lines.mapped("attempts"), [2, 1, 1], "only the line the worker died on counts the stop")

    def test_a_run_stops_after_its_time_budget_and_triggers_itself(self):
        clock = [0.0]

        def slow(line, payload):
            clock[0] += 20  # each line takes 20 s of the run's 30 s budget

        _job, lines = self.enqueue("A", "B", "C", "D")
        cron = self.env.ref("base_marketplace.ir_cron_process_queue")
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        with self.handler(slow), patch.object(marketplace_queue_line, "time", Mock(monotonic=lambda: clock[0])):
            processed = self.run_queue()
        self.assertEqual(processed, lines[:2], "no line is started once the budget is spent")
        self.assertEqual(lines[2:].mapped("state"), ["pending", "pending"])
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]),
                        "the run triggers itself for the lines left")

    def test_each_run_ends_by_handing_its_lines_to_the_connectors_once(self):
        ended = []
        _job, lines = self.enqueue("A", "B")
        with self.handler(lambda line, payload: None), \
                patch.object(type(self.Line), "_after_run", lambda model, run: ended.append(run.ids)):
            self.run_queue()
            self.run_queue()
        self.assertEqual(ended, [sorted(lines.ids), []], "also a run with no line: what a killed worker left waits")

    def test_enqueue_same_external_id_twice_gives_one_line(self):
        job, first = self.enqueue("1001")
        second_job, second = self.enqueue("1001", "1002")
        self.assertEqual(self.Line.search_count([("external_id", "=", "1001")]), 1)
        self.assertIn(first, second)
        self.assertEqual(second_job.line_count, 1)  # only 1002 was new
        with self.handler(lambda line, payload: None):
            self.run_queue()
        # Once done, the same order may be queued again (it changed on the store).
        _job, third = self.enqueue("1001")
        self.assertNotEqual(third, first)
        self.assertEqual(third.state, "pending")

    def test_queueing_again_with_refresh_gives_a_pending_line_the_newer_payload(self):
        _job, line = self.enqueue("1001", payload={"version": 1})
        self.enqueue("1001", payload={"version": 2})
        self.assertEqual(json.loads(line.payload), {"version": 1}, "without refresh the open line is kept as it is")
        _job, again = self.enqueue("1001", payload={"version": 3}, refresh=True)
        self.assertEqual(again, line)
        self.assertEqual(json.loads(line.payload), {"version": 3})

    def test_what_a_handler_calls_logs_to_the_line_being_processed(self):
        def work(line, payload):
            # Code deep in a handler knows the store, not the line: its log still points at the line.
            self.instance.with_env(line.env)._log("Mapped the customer.")

        job, line = self.enqueue("A")
        with self.handler(work):
            self.run_queue()
        log = self.env["marketplace.log"].search([("message", "=", "Mapped the customer.")])
        self.assertEqual((log.line_id, log.job_id, log.external_id, log.operation), (line, job, "A", self.OPERATION))
        outside = self.instance._log("Checked the webhooks.")
        self.assertFalse(outside.line_id, "a log written outside the queue points at no line")

    def test_a_run_remembers_lookups_for_consecutive_lines_of_one_operation_until_one_fails(self):
        computed = []

        def work(line, payload):
            line._run_cached(("store data", self.instance.id), lambda: computed.append(payload["id"]) or len(computed))
            if payload["id"] == "B":
                raise UserError(line.env._("B fails after its lookup."))

        self.enqueue("A", "B", "C", "D")
        self.Line._enqueue(self.instance, "test_other", [{"external_id": "X"}])
        self.enqueue("E")
        with self.handler(work), patch.object(type(self.Line), "_process_test_other", lambda line, payload: None,
                                              create=True):
            self.run_queue()
        # B used A's lookup; C looked up again (B's rolled-back work may have been in it); D used
        # C's; another operation came between D and E, so E looked up again.
        self.assertEqual(computed, ["A", "C", "E"])
        self.enqueue("F")
        with self.handler(work):
            self.run_queue()
        self.assertEqual(computed, ["A", "C", "E", "F"], "a new run looks up again: it sees what changed meanwhile")
        self.assertEqual(self.Line._run_cached("outside a run", lambda: "computed"), "computed")

    def test_invalid_json_payload_fails_clearly_and_affects_nothing_else(self):
        job, lines = self.enqueue("A", "B")
        lines.filtered(lambda line: line.external_id == "A")._as_queue().payload = "{not json"
        with self.handler(lambda line, payload: None):
            self.run_queue()
        broken = lines.filtered(lambda line: line.external_id == "A")
        self.assertEqual(broken.state, "failed")
        self.assertIn("not valid JSON", broken.last_error)
        self.assertEqual((lines - broken).state, "done")

    def test_payload_without_required_key_fails_clearly(self):
        @requires_keys("order_id")
        def work(line, payload):
            return None

        _job, lines = self.enqueue("A", payload={"id": 1})
        _job, good = self.enqueue("B", payload={"order_id": 7})
        with patch.object(type(self.Line), f"_process_{self.OPERATION}", work, create=True):
            self.run_queue()
        self.assertEqual(lines.state, "failed")
        self.assertIn("lacks the key(s) 'order_id'", lines.last_error)
        self.assertEqual(good.state, "done")

    def test_unknown_operation_fails_with_a_sentence(self):
        _job, line = self.Line._enqueue(self.instance, "nobody_handles_this", [{"external_id": "X"}])
        self.run_queue()
        self.assertEqual(line.state, "failed")
        self.assertIn("No installed connector handles", line.last_error)

    def test_retry_and_cancel_actions(self):
        def work(line, payload):
            raise UserError(line.env._("Map the tax class first."))

        _job, line = self.enqueue("A")
        with self.handler(work):
            self.run_queue()
        self.assertEqual(line.state, "failed")
        line.action_retry()
        self.assertEqual((line.state, line.attempts, line.last_error), ("pending", 0, False))
        with self.handler(lambda line, payload: None):
            self.run_queue()
        self.assertEqual(line.state, "done")
        _job, other = self.enqueue("B")
        other.action_cancel()
        self.assertEqual(other.state, "cancelled")
        with self.handler(lambda line, payload: self.fail("a cancelled line was processed")):
            self.run_queue()

    def test_operations_wizard_notifies_with_a_link_to_the_job(self):
        wizard = self.env["marketplace.operation.wizard"].new({"instance_ids": self.instance.ids})
        job, _lines = self.enqueue("A")
        action = wizard._notify_jobs(job)
        self.assertEqual(action["params"]["links"][0]["url"], f"/odoo/marketplace-jobs/{job.id}")

    def test_events_arriving_one_by_one_share_a_job(self):
        first_job, _lines = self.enqueue("A", reuse_job=True)
        second_job, _lines = self.enqueue("B", reuse_job=True)
        self.assertEqual(first_job, second_job)
        self.assertEqual(first_job.line_count, 2)
        other_job, _lines = self.enqueue("C")
        self.assertNotEqual(other_job, first_job, "without reuse_job every enqueue has its own job")

    def test_old_logs_and_finished_jobs_are_vacuumed(self):
        with self.handler(lambda line, payload: None):
            done_job, _lines = self.enqueue("A")
            self.run_queue()
        open_job, _lines = self.enqueue("B")
        self.env.cr.execute("UPDATE marketplace_queue_job SET create_date = now() - interval '11 days' WHERE id IN %s",
                            [(done_job.id, open_job.id)])
        self.instance.log_retention_days = 10
        self.env["marketplace.log"]._gc_marketplace_logs()
        self.assertFalse(done_job.exists())
        self.assertTrue(open_job.exists(), "a job with open lines is kept whatever its age")

    def test_old_logs_are_vacuumed(self):
        self.instance.log_retention_days = 10
        log = self.env["marketplace.log"]._log(self.instance, "Imported order 1")
        recent = self.env["marketplace.log"]._log(self.instance, "Imported order 2")
        self.env.cr.execute("UPDATE marketplace_log SET create_date = now() - interval '11 days' WHERE id = %s", [log.id])
        self.env["marketplace.log"]._gc_marketplace_logs()
        self.assertFalse(log.exists())
        self.assertTrue(recent.exists())
