from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, sql

# The scheduled actions every confirmed store gets: key -> (label, method, interval number, interval type).
SCHEDULED_ACTIONS = {
    "import_orders": ("Import Orders", "_cron_import_orders", 15, "minutes"),
    "export_stock": ("Export Stock", "_cron_export_stock", 30, "minutes"),
    "export_prices": ("Export Prices", "_cron_export_prices", 1, "days"),
    "update_order_status": ("Update Order Status", "_cron_update_order_status", 1, "hours"),
    "import_customers": ("Import Customers", "_cron_import_customers", 1, "hours"),
    "import_products": ("Import Products", "_cron_import_products", 1, "hours"),
    "reconcile": ("Reconcile", "_cron_reconcile", 1, "days"),
}
# What an ir.cron row shows through a scheduled action, read and written as it is.
# (field here, field of ir.cron): "active" here would make Odoo hide switched-off rows.
CRON_FIELDS = (("interval_number", "interval_number"), ("interval_type", "interval_type"), ("enabled", "active"),
               ("lastcall", "lastcall"), ("nextcall", "nextcall"))


class BigCommerceScheduledAction(models.Model):
    """One store's scheduled action (import orders, export stock...), as the store's managers
    see and tune it. The ``ir.cron`` behind it is the truth; only administrators may write
    ``ir.cron`` itself, so this row writes it for connector managers."""

    _name = "bc.scheduled.action"
    _description = "BigCommerce Scheduled Action"
    _order = "instance_id, sequence, id"
    _check_company_auto = True

    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    action = fields.Selection([(key, label) for key, (label, *_rest) in SCHEDULED_ACTIONS.items()],
                              required=True, readonly=True)
    sequence = fields.Integer(default=10)
    cron_id = fields.Many2one("ir.cron", string="Technical Action", required=True, readonly=True, ondelete="cascade")
    interval_number = fields.Integer(string="Every", compute="_compute_cron", inverse="_inverse_interval_number")
    interval_type = fields.Selection(
        [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days"), ("weeks", "Weeks"), ("months", "Months")],
        string="Unit", compute="_compute_cron", inverse="_inverse_interval_type")
    enabled = fields.Boolean(string="Active", compute="_compute_cron", inverse="_inverse_enabled")
    lastcall = fields.Datetime(string="Last Run", compute="_compute_cron")
    nextcall = fields.Datetime(string="Next Run", compute="_compute_cron", inverse="_inverse_nextcall")

    _sql_constraints = [
        ("action_unique", "UNIQUE(instance_id, action)", "A store has each scheduled action once."),
    ]

    @api.depends(*(f"cron_id.{cron_field}" for _field, cron_field in CRON_FIELDS))
    def _compute_cron(self):
        for row in self:
            cron = row.sudo().cron_id
            for field, cron_field in CRON_FIELDS:
                row[field] = cron[cron_field]

    # One inverse per field: while one is written, Odoo gives its siblings of the same compute no value.
    def _inverse_interval_number(self):
        for row in self:
            if row.interval_number < 1:
                raise ValidationError(_("A scheduled action must run at least every 1 unit of time."))
            row.sudo().cron_id.interval_number = row.interval_number

    def _inverse_interval_type(self):
        for row in self:
            row.sudo().cron_id.interval_type = row.interval_type

    def _inverse_enabled(self):
        for row in self:
            # An archived store's actions stay off.
            row.sudo().cron_id.active = row.enabled and row.instance_id.active

    def _inverse_nextcall(self):
        for row in self.filtered("nextcall"):
            row.sudo().cron_id.nextcall = row.nextcall

    @api.model
    def _create_for(self, instances, active_keys=()):
        """The scheduled actions ``instances`` lack, with their ``ir.cron``; those in
        ``active_keys`` start switched on."""
        model = self.env["ir.model"]._get("bc.instance")
        for instance in instances.sudo():
            have = set(instance.scheduled_action_ids.mapped("action"))
            for sequence, (key, (label, method, number, unit)) in enumerate(SCHEDULED_ACTIONS.items()):
                if key in have:
                    continue
                cron = self.env["ir.cron"].sudo().create({
                    "name": _("BigCommerce %(store)s: %(action)s", store=instance.name, action=label),
                    "model_id": model.id,
                    "state": "code",
                    "code": f"model.browse({instance.id}).{method}()",
                    "interval_number": number,
                    "interval_type": unit,
                    "active": instance.active and key in active_keys,
                    "user_id": self.env.ref("base.user_root").id,
                })
                self.sudo().create({"instance_id": instance.id, "action": key, "cron_id": cron.id,
                                    "sequence": sequence})

    @api.model
    def _adopt_old_cron_columns(self):
        """Migration from 18.0.1.0.0, where bc_instance held a ``cron_<action>_id`` column per
        action: one row per column that points at a cron, then the columns go."""
        for sequence, key in enumerate(SCHEDULED_ACTIONS):
            column = f"cron_{key}_id"
            if not sql.column_exists(self.env.cr, "bc_instance", column):
                continue
            self.env.cr.execute(SQL(
                "SELECT id, %s FROM bc_instance WHERE %s IS NOT NULL", SQL.identifier(column), SQL.identifier(column)))
            rows = self.env.cr.fetchall()
            existing = {(row.instance_id.id, row.action) for row in self.search([("action", "=", key)])}
            self.create([{"instance_id": instance_id, "action": key, "cron_id": cron_id, "sequence": sequence}
                         for instance_id, cron_id in rows if (instance_id, key) not in existing])
            self.env.cr.execute(SQL("ALTER TABLE bc_instance DROP COLUMN %s", SQL.identifier(column)))
