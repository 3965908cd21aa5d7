from odoo import api, fields, models, tools


class MarketplaceInstance(models.Model):
    """One connected store of any marketplace.

    Connectors delegate to it (``_inherits``) so that queues, logs, record rules and
    the operations wizard work on every marketplace alike.
    """

    _name = "marketplace.instance"
    _description = "Marketplace Store"
    _order = "name"

    name = fields.Char(required=True)
    marketplace = fields.Selection([], readonly=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    log_retention_days = fields.Integer(
        default=30, help="Logs older than this are deleted by the daily clean-up."
    )

    def _connector_record(self):
        """The connector's own record of this store: the one delegating to it (``_inherits``)."""
        self.ensure_one()
        model_name, record_id = self.env["marketplace.queue.line"]._run_cached(
            ("connector_record", self.id), self._find_connector_record)
        return self.env[model_name].browse(record_id) if model_name else None

    def _find_connector_record(self):
        """(model, id) of the connector's record of this store, or (None, None)."""
        for model_name, field_name in self._connector_models():
            record = self.env[model_name].with_context(active_test=False).search([(field_name, "=", self.id)], limit=1)
            if record:
                return model_name, record.id
        return None, None

    @api.model
    @tools.ormcache()
    def _connector_models(self):
        # Known once per registry: the models are the same for every line.
        return [(name, model._inherits[self._name]) for name, model in self.env.registry.items()
                if self._name in model._inherits and not model._abstract]

    def _log(self, message, level="info", **kwargs):
        """Log ``message`` for this store (see marketplace.log._log)."""
        return self.env["marketplace.log"]._log(self, message, level=level, **kwargs)
