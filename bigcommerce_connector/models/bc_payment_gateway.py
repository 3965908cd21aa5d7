from odoo import api, fields, models

from ..bigcommerce.workflows import gateway_code


class BigCommercePaymentGateway(models.Model):
    """A way BigCommerce orders are paid (its payment method), created the first time an
    order paid with it is imported, so the merchant can give it a financial workflow."""

    _name = "bc.payment.gateway"
    _description = "BigCommerce Payment Gateway"
    _order = "instance_id, name"

    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    code = fields.Char(required=True, readonly=True, help="BigCommerce's payment method, normalized.")
    name = fields.Char(required=True)
    workflow_ids = fields.One2many("bc.financial.workflow", "gateway_id", string="Financial Workflows")

    _sql_constraints = [
        ("code_unique", "UNIQUE(instance_id, code)", "This payment gateway already exists for the store."),
    ]

    @api.model
    def _find_or_create(self, instance, code, name):
        """The gateway ``code`` of ``instance``; created (and returned) on first sight."""
        code = gateway_code(code)

        def find_or_create():
            gateway = self.search([("instance_id", "=", instance.id), ("code", "=", code)], limit=1)
            return (gateway or self.create({"instance_id": instance.id, "code": code, "name": name or code or "-"})).id

        return self.browse(self.env["marketplace.queue.line"]._run_cached(
            ("bigcommerce_gateway", instance.id, code), find_or_create))
