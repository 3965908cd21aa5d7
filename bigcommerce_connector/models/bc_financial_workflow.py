from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..bigcommerce.workflows import PAYMENT_STATUSES, StepOrderError, WorkflowSteps, default_steps_for, resolve_workflow
from ..const import WORKFLOW_STEPS


class BigCommerceFinancialWorkflow(models.Model):
    """What Odoo does with an imported order paid through ``gateway_id`` (any gateway
    when empty) whose BigCommerce payment status is ``payment_status``."""

    _name = "bc.financial.workflow"
    _description = "BigCommerce Financial Workflow"
    _order = "instance_id, gateway_id, payment_status"
    _check_company_auto = True

    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    gateway_id = fields.Many2one("bc.payment.gateway", string="Payment Gateway", ondelete="cascade",
                                 domain="[('instance_id', '=', instance_id)]",
                                 help="Leave empty to apply to every gateway without a workflow of its own.")
    payment_status = fields.Selection(list(PAYMENT_STATUSES), required=True)
    # One field per step of WORKFLOW_STEPS.
    confirm_order = fields.Boolean()
    validate_delivery = fields.Boolean(help="Deliver everything at import. Leave off when deliveries follow BigCommerce shipments.")
    create_invoice = fields.Boolean()
    post_invoice = fields.Boolean(string="Validate Invoice")
    register_payment = fields.Boolean()
    journal_id = fields.Many2one("account.journal", string="Payment Journal", check_company=True,
                                 domain="[('type', 'in', ('bank', 'cash'))]")

    def init(self):
        # One "any gateway" workflow per status too: a plain UNIQUE treats empty gateways as
        # distinct, and UNIQUE NULLS NOT DISTINCT needs PostgreSQL 15 while Odoo 18 runs on 12.
        self.env.cr.execute(SQL("""
            CREATE UNIQUE INDEX IF NOT EXISTS bc_financial_workflow_unique
            ON bc_financial_workflow (instance_id, COALESCE(gateway_id, 0), payment_status)
        """))

    @api.model_create_multi
    def create(self, vals_list):
        # Refused before the insert: the index would refuse it too, but with an ERROR in the server log.
        keys = [(vals["instance_id"], vals.get("gateway_id") or False, vals["payment_status"])
                for vals in map(self._add_missing_default_values, vals_list)]
        self._check_unique(keys)
        return super().create(vals_list)

    def write(self, vals):
        if {"instance_id", "gateway_id", "payment_status"} & set(vals):
            self._check_unique([(vals.get("instance_id", workflow.instance_id.id),
                                 vals.get("gateway_id", workflow.gateway_id.id) or False,
                                 vals.get("payment_status", workflow.payment_status)) for workflow in self],
                               exclude=self)
        return super().write(vals)

    def _check_unique(self, keys, exclude=None):
        for instance_id, gateway_id, payment_status in keys:
            existing = self.search([("instance_id", "=", instance_id), ("gateway_id", "=", gateway_id),
                                    ("payment_status", "=", payment_status), ("id", "not in", (exclude or self).ids)],
                                   limit=1)
            if existing or keys.count((instance_id, gateway_id, payment_status)) > 1:
                raise ValidationError(_("A workflow for %(workflow)s already exists: edit that one.",
                                        workflow=existing.display_name or _("this gateway and payment status")))

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if values.get("payment_status") and not any(values.get(step) for step in WORKFLOW_STEPS):
            suggested = default_steps_for(values["payment_status"])
            values.update({step: getattr(suggested, step) for step in WORKFLOW_STEPS if step in fields_list})
        return values

    @api.depends("gateway_id", "payment_status")
    def _compute_display_name(self):
        statuses = dict(self._fields["payment_status"]._description_selection(self.env))  # translated labels
        for workflow in self:
            workflow.display_name = "%s / %s" % (workflow.gateway_id.name or _("Any gateway"),
                                                 statuses.get(workflow.payment_status, ""))

    @api.constrains(*WORKFLOW_STEPS, "journal_id")
    def _check_steps(self):
        for workflow in self:
            try:
                workflow._steps()
            except StepOrderError as error:
                raise ValidationError(_("Workflow %(workflow)s: “%(step)s” needs “%(needed)s”.",
                                        workflow=workflow.display_name,
                                        step=workflow._fields[error.step]._description_string(self.env),
                                        needed=workflow._fields[error.needed]._description_string(self.env))) from None
            if workflow.register_payment and not workflow.journal_id:
                raise ValidationError(_("Workflow %(workflow)s registers the payment: choose the payment journal.",
                                        workflow=workflow.display_name))

    def _steps(self):
        self.ensure_one()
        return WorkflowSteps(**{step: self[step] for step in WORKFLOW_STEPS},
                             journal_key=str(self.journal_id.id or ""))

    @api.model
    def _resolve(self, instance, gateway, payment_status):
        """The workflow of ``instance`` for this gateway record and BigCommerce payment status, or an empty recordset."""

        def resolve():
            workflows = self.search([("instance_id", "=", instance.id)])
            rules = [(workflow.gateway_id.code or "", workflow.payment_status, workflow.id) for workflow in workflows]
            return resolve_workflow(gateway.code, payment_status, rules)

        return self.browse(self.env["marketplace.queue.line"]._run_cached(
            ("bigcommerce_workflow", instance.id, gateway.id, payment_status), resolve))
