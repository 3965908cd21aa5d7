from odoo import fields, models


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
