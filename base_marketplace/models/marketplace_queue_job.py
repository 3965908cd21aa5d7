from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .marketplace_queue_line import LINE_STATES

LINE_STATE_CODES = [state for state, _label in LINE_STATES]

JOB_STATES = [
    ("pending", "Pending"),
    ("processing", "Processing"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]


class MarketplaceQueueJob(models.Model):
    """One run of one operation for one instance, e.g. "Import orders, 1 to 2 November"."""

    _name = "marketplace.queue.job"
    _inherit = ["marketplace.operation.mixin"]
    _description = "Marketplace Queue Job"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True)
    instance_id = fields.Many2one("marketplace.instance", string="Store", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    operation = fields.Char(string="Operation Code", required=True, index=True)
    line_ids = fields.One2many("marketplace.queue.line", "job_id", string="Lines")
    log_ids = fields.One2many("marketplace.log", "job_id", string="Logs")
    # Computed from the lines on read, never stored: workers finishing lines of the
    # same job in parallel would otherwise all update (and lock) the job's row.
    line_count = fields.Integer(compute="_compute_state")
    pending_count = fields.Integer(compute="_compute_state")
    done_count = fields.Integer(compute="_compute_state")
    failed_count = fields.Integer(compute="_compute_state")
    cancelled_count = fields.Integer(compute="_compute_state")
    progress = fields.Float(compute="_compute_state")
    state = fields.Selection(JOB_STATES, compute="_compute_state", search="_search_state")

    @api.depends("line_ids.state")
    def _compute_state(self):
        counts = {
            (job.id, state): count
            for job, state, count in self.env["marketplace.queue.line"]._read_group(
                [("job_id", "in", self.ids)], ["job_id", "state"], ["__count"]
            )
        }
        for job in self:
            count = {state: counts.get((job.id, state), 0) for state in LINE_STATE_CODES}
            total = sum(count.values())
            # A superseded line's work was done by a later line.
            succeeded = count["done"] + count["superseded"] + count["cancelled"]
            finished = succeeded + count["failed"]
            job.line_count = total
            job.pending_count = count["pending"] + count["processing"]
            job.done_count = count["done"] + count["superseded"]
            job.failed_count = count["failed"]
            job.cancelled_count = count["cancelled"]
            # Failed lines are work not done: a job with failures never shows a full bar.
            job.progress = 100.0 * succeeded / total if total else 100.0
            if job.pending_count:
                job.state = "processing" if finished or count["processing"] else "pending"
            elif count["failed"]:
                job.state = "failed"
            elif total and count["cancelled"] == total:
                job.state = "cancelled"
            else:
                job.state = "done"

    def _search_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Queue jobs can only be filtered on an exact status."))
        states = [value] if isinstance(value, str) else list(value)
        self.env["marketplace.queue.line"].flush_model(["job_id", "state"])
        self.env.cr.execute(SQL("""
            SELECT job.id FROM marketplace_queue_job job
              LEFT JOIN marketplace_queue_line line ON line.job_id = job.id
             GROUP BY job.id
            HAVING (CASE
                WHEN bool_or(line.state IN ('pending', 'processing')) THEN
                    CASE WHEN bool_or(line.state <> 'pending') THEN 'processing' ELSE 'pending' END
                WHEN bool_or(line.state = 'failed') THEN 'failed'
                WHEN count(line.id) > 0 AND bool_and(line.state = 'cancelled') THEN 'cancelled'
                ELSE 'done' END) IN %s
        """, tuple(states)))
        job_ids = [row[0] for row in self.env.cr.fetchall()]
        return [("id", "in" if operator in ("=", "in") else "not in", job_ids)]

    def action_retry_failed(self):
        return self.line_ids.filtered(lambda line: line.state == "failed").action_retry()

    def action_cancel(self):
        return self.line_ids.filtered(lambda line: line.state in ("pending", "failed")).action_cancel()

    def action_open_lines(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Lines of %(job)s", job=self.name),
            "res_model": "marketplace.queue.line",
            "view_mode": "list,form",
            "domain": [("job_id", "=", self.id)],
        }

    def _get_open_action(self):
        """The window action showing these jobs: one form, or a list of several."""
        action = {"type": "ir.actions.act_window", "res_model": self._name, "name": _("Queue Jobs")}
        if len(self) == 1:
            return dict(action, view_mode="form", views=[(False, "form")], res_id=self.id)
        return dict(action, view_mode="list,form", views=[(False, "list"), (False, "form")],
                    domain=[("id", "in", self.ids)])

    def _notify_queued(self, nothing_reason=None):
        """What a button answers once it queued these jobs: a link to each, or, when there are
        none, ``nothing_reason`` (a sentence saying why nothing was queued)."""
        if not self:
            return self._notification(_("Nothing to do"), nothing_reason or _(
                "Nothing new to queue: the records are already queued or up to date."), notification_type="info")
        return self._notification(_("Operation queued"), _("Queued: %s", ", ".join("%s" for _job in self)),
                                  links=[{"label": job.name, "url": f"/odoo/marketplace-jobs/{job.id}"} for job in self])

    @api.model
    def _notification(self, title, message, notification_type="success", links=()):
        """A notification; afterwards the dialog it came from closes, or the form reloads to show what changed.
        In ``message``, each ``%s`` is replaced by the next of ``links`` ({"label", "url"})."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "links": list(links),
                "type": notification_type,
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
