from odoo import api, fields, models


class MarketplaceOperationMixin(models.AbstractModel):
    """What users read instead of an operation's technical code (jobs, lines, logs)."""

    _name = "marketplace.operation.mixin"
    _description = "Marketplace Operation Label"

    operation_label = fields.Char(string="Operation", compute="_compute_operation_label")

    @api.model
    def _operation_labels(self):
        """{operation code: label}; connectors add theirs."""
        return {}

    @api.depends("operation")
    def _compute_operation_label(self):
        labels = self._operation_labels()
        for record in self:
            record.operation_label = labels.get(record.operation, record.operation)
