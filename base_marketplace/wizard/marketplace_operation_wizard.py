from odoo import _, fields, models
from odoo.exceptions import UserError


class MarketplaceOperationWizard(models.TransientModel):
    """Pick stores and an operation, queue it, and point the user at the queue job.

    Connectors add their operations with ``selection_add`` and implement
    ``_run_<operation>(instance)`` (or override ``_run_operation``), returning the
    queue jobs they created.
    """

    _name = "marketplace.operation.wizard"
    _description = "Marketplace Operations"

    instance_ids = fields.Many2many("marketplace.instance", string="Stores", required=True)
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
        return jobs._notify_queued(self._nothing_queued_reason())

    def _nothing_queued_reason(self):
        """Hook: why this operation queued nothing, when connectors know better than the default."""
        return None
