import json
import logging
import math
import time
from contextlib import contextmanager, nullcontext
from datetime import timedelta

from psycopg2 import errorcodes, errors as pg_errors

import odoo.modules.module
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..queue_core import DEFAULT_MAX_ATTEMPTS, InvalidPayloadError, is_deferral, is_transient, parse_payload, retry_delay

_logger = logging.getLogger(__name__)

LINE_STATES = [
    ("pending", "Pending"),
    ("processing", "Processing"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("superseded", "Superseded"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("pending", "processing")
# Concurrent workers touching the same Odoo record: trying again later succeeds.
TRANSIENT_DATABASE_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.LockNotAvailable,
    pg_errors.DeadlockDetected,
    pg_errors.UniqueViolation,
)
DEFAULT_STALE_MINUTES = 30
# Fields only the queue's own methods set: lines run as the cron's superuser, so whoever could
# write them could make a connector create records with data of their choosing.
PROTECTED_FIELDS = frozenset({
    "job_id", "external_id", "payload", "state", "attempts", "next_retry_at", "processing_started_at",
    "last_error", "res_model", "res_id",
})
# The context value that allows it: no RPC call can send this object (as OCA queue_job does).
QUEUE_EDIT = object()
# Seconds a cron run goes on starting lines: well inside Odoo's default limit_time_real_cron
# (120 s), leaving room for the last line started, whose API calls never sleep long.
DEFAULT_TIME_BUDGET_SECONDS = 30


class RunCache:
    """What consecutive lines of one operation in a queue run look up again and again (a
    store's taxes, gateways, workflows), as plain values (ids) by key. Dropped when a line of
    another operation comes (it may change what was looked up: Update Store Data changes the
    tax classes) and when a line fails (its rolled-back work may be in it); a change made
    elsewhere in Odoo is seen by the next run, at most a batch or a time budget later."""

    def __init__(self):
        self.operation = None
        self.values = {}

    def begin(self, operation):
        if operation != self.operation:
            self.operation, self.values = operation, {}

    def drop(self):
        self.values = {}


class MarketplaceQueueLine(models.Model):
    """One unit of work (one order, one product, one refund) of a queue job.

    Connectors handle an operation by defining ``_process_<operation>(payload)`` on
    this model; it returns the Odoo record it produced (or nothing) and raises to fail.
    """

    _name = "marketplace.queue.line"
    _inherit = ["marketplace.operation.mixin"]
    _description = "Marketplace Queue Line"
    _order = "id desc"
    _check_company_auto = True

    job_id = fields.Many2one("marketplace.queue.job", required=True, index=True, ondelete="cascade")
    instance_id = fields.Many2one(related="job_id.instance_id", string="Store", store=True, index=True)
    company_id = fields.Many2one(related="job_id.company_id", store=True, index=True)
    operation = fields.Char(string="Operation Code", related="job_id.operation", store=True, index=True)
    external_id = fields.Char(string="External ID", required=True, index=True)
    name = fields.Char()
    payload = fields.Text(help="JSON the operation works from.")
    state = fields.Selection(LINE_STATES, required=True, default="pending", index=True)
    attempts = fields.Integer(readonly=True)
    next_retry_at = fields.Datetime(string="Next Retry", readonly=True, index=True)
    processing_started_at = fields.Datetime(readonly=True)
    last_error = fields.Text(readonly=True)
    res_model = fields.Char(string="Record Model", readonly=True)
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model", readonly=True)
    record_name = fields.Char(compute="_compute_record_name")
    log_ids = fields.One2many("marketplace.log", "line_id", string="Logs")

    def init(self):
        # The one guarantee enqueue relies on: never two open lines for the same work.
        self.env.cr.execute(SQL("""
            CREATE UNIQUE INDEX IF NOT EXISTS marketplace_queue_line_open_unique
            ON marketplace_queue_line (instance_id, operation, external_id)
            WHERE state IN ('pending', 'processing')
        """))
        self.env.cr.execute(SQL("""
            CREATE INDEX IF NOT EXISTS marketplace_queue_line_due_index
            ON marketplace_queue_line (id) WHERE state = 'pending'
        """))

    @api.model_create_multi
    def create(self, vals_list):
        self._check_queue_edit()
        return super().create(vals_list)

    def write(self, vals):
        if PROTECTED_FIELDS.intersection(vals):
            self._check_queue_edit()
        return super().write(vals)

    def _check_queue_edit(self):
        if self.env.context.get("marketplace_queue_edit") is not QUEUE_EDIT:
            raise AccessError(_("Queue lines are created and changed only by the queue itself. "
                                "Use Retry or Cancel on a line."))

    def _as_queue(self):
        """These lines as the queue's own methods change them: as superuser, protected fields allowed."""
        return self.sudo().with_context(marketplace_queue_edit=QUEUE_EDIT)

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for line in self:
            record = line.res_model and line.res_id and self.env[line.res_model].browse(line.res_id).exists()
            line.record_name = record.display_name if record else False

    # ------------------------------------------------------------------ enqueue
    @api.model
    def _enqueue(self, instance, operation, items, job_name=None, job=None, reuse_job=False, refresh=False):
        """Queue one line per item ``{"external_id", "payload", "name"}`` and wake the cron.

        An item whose (instance, operation, external id) already has a pending or
        processing line is not queued again; that line is returned instead.
        ``refresh``: such a line, when still pending, takes the item's payload (see
        ``_refreshed_payload``): the newer request wins.
        ``reuse_job``: add the lines to the latest job of that name, so that events
        arriving one by one (webhooks, validated deliveries) share e.g. a job a day.
        Returns (job or empty recordset, lines created or already open).
        """
        by_external_id = {}
        for item in items:
            by_external_id.setdefault(str(item["external_id"]), item)
        existing = self._open_lines(instance, operation, list(by_external_id))
        if refresh:
            for line in existing.filtered(lambda line: line.state == "pending"):
                line._as_queue().payload = json.dumps(
                    line._refreshed_payload(by_external_id[line.external_id].get("payload") or {}), default=str)
        already_open = set(existing.mapped("external_id"))
        to_create = [item for ext_id, item in by_external_id.items() if ext_id not in already_open]
        if not to_create:
            return self.env["marketplace.queue.job"], existing
        new_job = False
        if not job and reuse_job:
            job = self.env["marketplace.queue.job"].search([
                ("instance_id", "=", instance.id), ("operation", "=", operation), ("name", "=", job_name or operation),
            ], order="id desc", limit=1)
        if not job:
            new_job = True
            job = self.env["marketplace.queue.job"].sudo().create({
                "name": job_name or operation,
                "instance_id": instance.id,
                "operation": operation,
            })
        vals_list = [{
            "job_id": job.id,
            "external_id": str(item["external_id"]),
            "name": item.get("name") or str(item["external_id"]),
            "payload": json.dumps(item.get("payload") or {}, default=str),
        } for item in to_create]
        # The unique index is checked when the savepoint flushes: a record is kept only once
        # its savepoint closed without a violation.
        try:
            with self.env.cr.savepoint():
                lines = self._as_queue().create(vals_list)
            created = lines
        except pg_errors.UniqueViolation:
            # Another transaction queued some of them meanwhile: keep the ones that are new.
            created = self.browse()
            for vals in vals_list:
                try:
                    with self.env.cr.savepoint():
                        line = self._as_queue().create(vals)
                except pg_errors.UniqueViolation:
                    continue
                created |= line
            if new_job and not created:
                job.unlink()
                job = self.env["marketplace.queue.job"]
        self._trigger_processing()
        return job.with_env(self.env), existing | created.with_env(self.env)

    def _refreshed_payload(self, payload):
        """The payload this pending line takes when its work is queued again with ``payload``."""
        return payload

    @api.model
    def _open_lines(self, instance, operation, external_ids):
        return self.search([
            ("instance_id", "=", instance.id),
            ("operation", "=", operation),
            ("external_id", "in", external_ids),
            ("state", "in", OPEN_STATES),
        ])

    @api.model
    def _trigger_processing(self, at=None):
        self.env.ref("base_marketplace.ir_cron_process_queue").sudo()._trigger(at)

    # --------------------------------------------------------------- processing
    @api.model
    def _cron_process_queue(self, batch_size=50, time_budget=None):
        """Process due lines one at a time, up to ``batch_size`` lines or ``time_budget`` seconds
        (system parameter ``base_marketplace.cron_time_budget``), whichever comes first.

        Odoo's watchdog kills a cron worker that runs longer than ``limit_time_real_cron``, and
        Odoo calls a cron that reports remaining work up to 10 times in a row without giving
        the watchdog a beat. So a run never reports remaining work: when lines are left, it
        triggers itself, and the next run starts after the watchdog was reset.
        """
        deadline = time.monotonic() + (self._time_budget() if time_budget is None else time_budget)
        self._begin_claim()
        self._enqueue_received()
        self._requeue_stale_lines()
        self._commit_if_allowed()
        lines = self.browse()
        run_cache = RunCache()
        while len(lines) < batch_size and time.monotonic() < deadline:
            line = self._claim_due_line(after_id=lines[-1:].id)
            if not line:
                break
            # Each line commits, which empties the cache: prefetching every line processed
            # so far again would make a line's cost grow with the run.
            line.with_prefetch(line.ids).with_context(marketplace_run_cache=run_cache)._process()
            lines |= line
        self._after_run(lines)
        if self.search_count(self._due_domain(), limit=1):
            self._trigger_processing()
        self._schedule_next_retry()
        return lines

    @api.model
    def _begin_claim(self):
        if self._can_commit():
            # Claims run in a transaction of their own at READ COMMITTED: under Odoo's
            # REPEATABLE READ, locking a row another worker changed since this
            # transaction began raises a serialization error instead of skipping it.
            # Without waiting for the disk: a claim lost in a database crash leaves its
            # line pending, which is what a lost claim should do.
            self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit TO OFF")

    @api.model
    def _enqueue_received(self):
        """Hook: connectors queue here what their webhooks only recorded, so that receiving
        a webhook never writes to the queue's shared rows."""

    @api.model
    def _after_run(self, lines):
        """Hook, called once at the end of every run, ``lines`` being those it processed (maybe
        none): connectors send here what their lines left to batch, and so also what a worker
        killed before its end left. It must not raise: a failure is the connector's to log, its
        work left for the next run."""

    @api.model
    def _time_budget(self):
        value = self.env["ir.config_parameter"].sudo().get_param("base_marketplace.cron_time_budget")
        return float(value) if value else DEFAULT_TIME_BUDGET_SECONDS

    @api.model
    def _due_domain(self):
        now = fields.Datetime.now()
        return [("state", "=", "pending"), "|", ("next_retry_at", "=", False), ("next_retry_at", "<=", now)]

    @api.model
    def _claim_due_line(self, after_id=0):
        """Lock the next due line no other worker holds and mark it processing, right before
        it is processed: a worker killed meanwhile leaves no line claimed but never started.
        ``after_id``: the run's last line; lines before it that fell due since wait for the
        next run, and the index scan does not walk over every line the run finished."""
        self._begin_claim()
        self.flush_model(["state", "next_retry_at"])
        now = fields.Datetime.now()
        try:
            # At READ COMMITTED the claim cannot fail: only a test's transaction needs a way back.
            with nullcontext() if self._can_commit() else self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL("""
                    UPDATE marketplace_queue_line
                       SET state = 'processing', processing_started_at = %s, write_date = %s, write_uid = %s
                     WHERE id = (SELECT id FROM marketplace_queue_line
                                  WHERE state = 'pending' AND (next_retry_at IS NULL OR next_retry_at <= %s)
                                    AND id > %s
                                  ORDER BY id
                                  LIMIT 1
                                    FOR UPDATE SKIP LOCKED)
                 RETURNING id
                """, now, now, self.env.uid, now, after_id or 0))
                line = self.browse(row[0] for row in self.env.cr.fetchall())
        except pg_errors.SerializationFailure:
            # Only without commits (in tests): another worker finished this line meanwhile.
            return self.browse()
        line.invalidate_recordset(["state", "processing_started_at", "write_date", "write_uid"])
        self._commit_if_allowed()
        return line

    def _process(self):
        self.ensure_one()
        run_cache = self.env.context.get("marketplace_run_cache")
        if run_cache is not None:
            run_cache.begin(self.operation)
        logged = []
        try:
            with self._undone_on_failure():
                record = self._run_operation(logged)
                self._as_queue().write({
                    "state": "done",
                    "attempts": self.attempts + 1,
                    "next_retry_at": False,
                    "last_error": False,
                    "res_model": record._name if record else False,
                    "res_id": record.id if record else False,
                })
                # Every outcome is in the log; a handler that said nothing gets a plain one.
                if not logged:
                    self._log(_("Done: %(record)s.", record=record.display_name) if record else _("Done."), record=record)
                self._supersede_failed_lines()
        except Exception as error:  # noqa: BLE001 - every failure is recorded on the line
            if run_cache is not None:
                run_cache.drop()
            self._record_failure(error)
        self._commit_if_allowed()

    @contextmanager
    def _undone_on_failure(self):
        """A failed line's work is undone, so that its failure is recorded in its place. A worker
        rolls its transaction back, which holds that work alone (the claim was committed): a
        savepoint would cost two queries a line for the few that fail. A test's transaction can
        only go back to a savepoint."""
        if not self._can_commit():
            with self.env.cr.savepoint():
                yield
            return
        try:
            yield
            self.env.flush_all()  # a constraint the work broke fails the line, not the run
        except Exception:
            self.env.cr.rollback()
            raise

    def _run_operation(self, logged=None):
        """Run the line's handler. Logs written meanwhile point at this line (see marketplace.log._log)
        and their ids are added to ``logged``."""
        handler = getattr(self.with_context(marketplace_queue_line_id=self.id, marketplace_line_logged=logged),
                          f"_process_{self.operation}", None)
        if handler is None:
            raise InvalidPayloadError(
                _("No installed connector handles the operation “%(operation)s”. "
                  "Install the connector that created this line, or cancel it.", operation=self.operation)
            )
        record = handler(parse_payload(self.payload, getattr(handler, "required_keys", ())))
        return record if isinstance(record, models.BaseModel) and len(record) == 1 else None

    def _supersede_failed_lines(self):
        """Earlier failures of the same work are settled by this success: they stop showing red."""
        failed = self.search([
            ("instance_id", "=", self.instance_id.id), ("operation", "=", self.operation),
            ("external_id", "=", self.external_id), ("state", "=", "failed"), ("id", "!=", self.id),
        ])
        failed._as_queue().write({"state": "superseded", "next_retry_at": False})
        for line in failed:
            line._log(_("Superseded: queue line %(line)s of %(job)s did this work since.",
                        line=self.id, job=self.job_id.name))

    def _record_failure(self, error):
        message = self._error_message(error)
        if is_deferral(error):
            # Waiting inside the worker would hold it from every other line and store.
            retry_at = fields.Datetime.now() + timedelta(seconds=math.ceil(error.retry_after))
            self._as_queue().write({"state": "pending", "next_retry_at": retry_at, "last_error": message})
            self._log(_("Postponed until %(at)s (UTC): %(error)s", at=fields.Datetime.to_string(retry_at), error=message))
            return
        attempts = self.attempts + 1
        transient = is_transient(error) or isinstance(error, TRANSIENT_DATABASE_ERRORS)
        if not transient and not isinstance(error, (UserError, InvalidPayloadError)) and not hasattr(error, "user_message"):
            _logger.warning("Queue line %s (%s) failed unexpectedly", self.id, self.operation, exc_info=True)
        if transient and attempts < self._max_attempts():
            retry_at = fields.Datetime.now() + timedelta(seconds=retry_delay(attempts, getattr(error, "retry_after", None)))
            self._as_queue().write({"state": "pending", "attempts": attempts, "next_retry_at": retry_at, "last_error": message})
            self._log(
                _("Attempt %(attempt)s failed: %(error)s It will be retried automatically after %(at)s (UTC).",
                  attempt=attempts, error=message, at=fields.Datetime.to_string(retry_at)),
                level="warning",
            )
        else:
            if transient:
                message = _("%(error)s Gave up after %(attempts)s attempts; use Retry once the cause is fixed.",
                            error=message, attempts=attempts)
            self._as_queue().write({"state": "failed", "attempts": attempts, "next_retry_at": False, "last_error": message})
            self._log(message, level="error", action_label=getattr(error, "action_label", None),
                      action_data=getattr(error, "action_data", None))

    @api.model
    def _error_message(self, error):
        if isinstance(error, pg_errors.Error) and error.pgcode in (errorcodes.SERIALIZATION_FAILURE, errorcodes.LOCK_NOT_AVAILABLE, errorcodes.DEADLOCK_DETECTED, errorcodes.UNIQUE_VIOLATION):
            return _("Another process was updating the same record at the same time.")
        message = getattr(error, "user_message", None) or (error.args[0] if error.args else repr(error))
        return str(message)

    @api.model
    def _run_cached(self, key, compute):
        """``compute()``, or its value for ``key`` earlier in this queue run (see RunCache);
        outside a run, ``compute()`` each time. ``compute`` returns plain values such as ids,
        which outlive the line's environment."""
        run_cache = self.env.context.get("marketplace_run_cache")
        if run_cache is None:
            return compute()
        if key not in run_cache.values:
            run_cache.values[key] = compute()
        return run_cache.values[key]

    @api.model
    def _processing_line(self):
        """The line whose handler is running, else an empty recordset."""
        return self.browse(self.env.context.get("marketplace_queue_line_id"))

    def _log(self, message, level="info", record=None, **kwargs):
        return self.env["marketplace.log"]._log(self.instance_id, message, level=level, line=self, record=record, **kwargs)

    @api.model
    def _max_attempts(self):
        value = self.env["ir.config_parameter"].sudo().get_param("base_marketplace.max_attempts")
        return int(value) if value else DEFAULT_MAX_ATTEMPTS

    @api.model
    def _requeue_stale_lines(self):
        """Give back lines left in processing by a worker that died."""
        self.flush_model(["state", "processing_started_at"])
        minutes = int(self.env["ir.config_parameter"].sudo().get_param(
            "base_marketplace.stale_minutes", DEFAULT_STALE_MINUTES))
        self.env.cr.execute(SQL("""
            SELECT id FROM marketplace_queue_line
             WHERE state = 'processing' AND processing_started_at < %s
               FOR UPDATE SKIP LOCKED
        """, fields.Datetime.now() - timedelta(minutes=minutes)))
        stale = self.browse(row[0] for row in self.env.cr.fetchall())
        for line in stale:
            # The line may be what killed the worker: count the attempt so it cannot loop forever.
            attempts = line.attempts + 1
            if attempts >= self._max_attempts():
                message = _("The worker processing this line stopped %(count)s times; "
                            "check the server log, then use Retry.", count=attempts)
                line._as_queue().write({"state": "failed", "attempts": attempts, "last_error": message})
                line._log(message, level="error")
            else:
                line._as_queue().write({"state": "pending", "attempts": attempts, "next_retry_at": False})
                line._log(_("The worker processing this line stopped; the line was queued again."), level="warning")
        return stale

    @api.model
    def _schedule_next_retry(self):
        next_retry = self.search([("state", "=", "pending"), ("next_retry_at", ">", fields.Datetime.now())],
                                 order="next_retry_at", limit=1)
        if next_retry:
            self._trigger_processing(next_retry.next_retry_at)

    @api.model
    def _can_commit(self):
        # A test's own transaction must not be committed; workers with their own cursors may.
        test = odoo.modules.module.current_test
        return not (test and getattr(test, "cr", None) is self.env.cr) and not self.env.registry.in_test_mode()

    def _commit_if_allowed(self):
        # Committed work must survive a later failure of another line.
        if self._can_commit():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------ actions
    def _prepare_retry(self):
        """Hook: connectors reset what a retry must fetch again (e.g. a stale payload)."""

    def action_retry(self):
        # Whoever may see the lines may retry them (access rights and company rules); the
        # protected fields are then written by the queue itself.
        self.check_access("read")
        lines = self._as_queue().filtered(lambda line: line.state in ("failed", "cancelled", "pending"))
        # A newer open line for the same record already does the work.
        lines = lines.filtered(lambda line: line.state == "pending" or not self._open_lines(
            line.instance_id, line.operation, [line.external_id]))
        lines._prepare_retry()
        lines.write({"state": "pending", "attempts": 0, "next_retry_at": False, "last_error": False})
        if lines:
            self._trigger_processing()
        return lines.job_id._notify_queued(_("Nothing to retry: these lines are done or being processed, or a newer "
                                             "line already does the same work."))

    def action_cancel(self):
        self.check_access("read")
        self._as_queue().filtered(lambda line: line.state in ("pending", "failed")).write(
            {"state": "cancelled", "next_retry_at": False})
        return True

    def action_open_record(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": self.res_model, "res_id": self.res_id, "view_mode": "form"}
