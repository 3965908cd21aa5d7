from odoo import _, fields, models
from odoo.exceptions import UserError


class MarketplaceOperationWizard(models.TransientModel):
    """Pick instances and an operation, queue it, and point the user at the queue job.

    Connectors add their operations with ``selection_add`` and implement
    ``_run_<operation>(instance)`` (or override ``_run_operation``), returning the
    queue jobs they created.
    """

    _name = "marketplace.operation.wizard"
    _description = "Marketplace Operations"

    instance_ids = fields.Many2many("marketplace.instance", string="Instances", required=True)
    operation = fields.Selection([], required=True)

    def action_run(self):
        self.ensure_one()
        jobs = self.env["marketplace.queue.job"]
        for instance in self.instance_ids:
            jobs |= self._run_operation(instance)
        return self._notify_jobs(jobs)

    def _run_operation(self, instance):
        runner = getattr(self, f"_run_{self.operation}", None)
        if runner is None:
            raise UserError(_("No installed connector can run this operation."))
        return runner(instance)

    def _notify_jobs(self, jobs):
        if not jobs:
            message, links = _("Nothing new to queue: the records are already queued or up to date."), []
        else:
            message = _("Queued: %s") % ", ".join("%s" for _job in jobs)
            links = [{"label": job.name, "url": f"/odoo/marketplace-jobs/{job.id}"}
                     for job in jobs]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Operation queued") if jobs else _("Nothing to do"),
                "message": message,
                "links": links,
                "type": "success" if jobs else "info",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
