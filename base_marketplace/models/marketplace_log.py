import logging
from datetime import timedelta

from odoo import _, api, fields, models

_logger = logging.getLogger(__name__)


class MarketplaceLog(models.Model):
    _name = "marketplace.log"
    _inherit = ["marketplace.operation.mixin"]
    _description = "Marketplace Log"
    _order = "id desc"
    _check_company_auto = True

    instance_id = fields.Many2one("marketplace.instance", string="Store", required=True, index=True, ondelete="cascade")
    # Computed before the insert: a log is written with every line, and a later UPDATE would cost a query each time.
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True, precompute=True)
    operation = fields.Char(string="Operation Code", index=True)
    external_id = fields.Char(string="External ID", index=True)
    level = fields.Selection(
        [("info", "Info"), ("warning", "Warning"), ("error", "Error")],
        required=True, default="info", index=True,
    )
    message = fields.Text(required=True)
    line_id = fields.Many2one("marketplace.queue.line", string="Queue Line", index="btree_not_null", ondelete="set null")
    job_id = fields.Many2one("marketplace.queue.job", string="Queue Job", index="btree_not_null", ondelete="set null")
    res_model = fields.Char(string="Record Model")
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model")
    action_label = fields.Char(help="Label of the shortcut that helps fix what this log reports.")
    action_data = fields.Json(help="Window action the shortcut opens.")

    @api.depends("operation", "external_id")
    def _compute_display_name(self):
        # What the breadcrumb shows, e.g. "Import Order 103", instead of "marketplace.log,39".
        for log in self:
            log.display_name = " ".join(filter(None, (log.operation_label or _("Log"), log.external_id)))

    @api.model
    def _log(self, instance, message, level="info", operation=None, external_id=None, line=None, record=None,
             action_label=None, action_data=None):
        """One log row of ``instance``. Written while a queue line runs, it points at that line
        unless ``line`` says otherwise: code called by a handler logs without being handed the line."""
        line = line or self.env["marketplace.queue.line"]._processing_line()
        vals = {
            "instance_id": instance.id,
            "message": message,
            "level": level,
            "operation": operation or (line and line.operation) or False,
            "external_id": external_id or (line and line.external_id) or False,
            "line_id": line and line.id or False,
            "job_id": line and line.job_id.id or False,
            "res_model": record and record._name or False,
            "res_id": record and record.id or False,
            "action_label": action_label,
            "action_data": action_data,
        }
        log = self.sudo().create(vals)
        logged = self.env.context.get("marketplace_line_logged")
        if line and logged is not None and line.id == self.env.context.get("marketplace_queue_line_id"):
            logged.append(log.id)
        return log

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    def action_open_shortcut(self):
        self.ensure_one()
        return self.action_data

    @api.autovacuum
    def _gc_marketplace_logs(self):
        """Logs, and jobs whose lines are all done or cancelled, older than each store's retention."""
        for instance in self.env["marketplace.instance"].with_context(active_test=False).search([]):  # pylint: disable=no-search-all
            limit = fields.Datetime.now() - timedelta(days=max(instance.log_retention_days, 1))
            old_logs = self.sudo().search([("instance_id", "=", instance.id), ("create_date", "<", limit)])
            _logger.info("Deleting %d marketplace logs of %s older than %s", len(old_logs), instance.name, limit)
            old_logs.unlink()
            finished_jobs = self.env["marketplace.queue.job"].sudo().search([
                ("instance_id", "=", instance.id), ("create_date", "<", limit), ("state", "in", ("done", "cancelled"))])
            _logger.info("Deleting %d finished queue jobs of %s older than %s", len(finished_jobs), instance.name, limit)
            # Lines through the ORM first, so the logs that point at them are unlinked from them in the cache too.
            finished_jobs.line_ids.unlink()
            finished_jobs.unlink()
