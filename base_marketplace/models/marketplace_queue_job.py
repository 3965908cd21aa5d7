from odoo import _, api, fields, models

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
    _description = "Marketplace Queue Job"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True)
    instance_id = fields.Many2one("marketplace.instance", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    operation = fields.Char(required=True, index=True)
    line_ids = fields.One2many("marketplace.queue.line", "job_id", string="Lines")
    log_ids = fields.One2many("marketplace.log", "job_id", string="Logs")
    line_count = fields.Integer(compute="_compute_state", store=True)
    pending_count = fields.Integer(compute="_compute_state", store=True)
    done_count = fields.Integer(compute="_compute_state", store=True)
    failed_count = fields.Integer(compute="_compute_state", store=True)
    cancelled_count = fields.Integer(compute="_compute_state", store=True)
    progress = fields.Float(compute="_compute_state", store=True, aggregator="avg")
    state = fields.Selection(JOB_STATES, compute="_compute_state", store=True, index=True)

    @api.depends("line_ids.state")
    def _compute_state(self):
        counts = {
            (job.id, state): count
            for job, state, count in self.env["marketplace.queue.line"]._read_group(
                [("job_id", "in", self.ids)], ["job_id", "state"], ["__count"]
            )
        }
        for job in self:
            count = {state: counts.get((job.id, state), 0) for state, _label in JOB_STATES}
            total = sum(count.values())
            finished = count["done"] + count["failed"] + count["cancelled"]
            job.line_count = total
            job.pending_count = count["pending"] + count["processing"]
            job.done_count = count["done"]
            job.failed_count = count["failed"]
            job.cancelled_count = count["cancelled"]
            job.progress = 100.0 * finished / total if total else 100.0
            if job.pending_count:
                job.state = "processing" if finished or count["processing"] else "pending"
            elif count["failed"]:
                job.state = "failed"
            elif total and count["cancelled"] == total:
                job.state = "cancelled"
            else:
                job.state = "done"

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
