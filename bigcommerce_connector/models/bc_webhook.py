from odoo import fields, models


class BigCommerceWebhook(models.Model):
    """One order webhook of a store as BigCommerce reported it at the last Check, Register
    or Repair Webhooks: the instance form lists them so the merchant sees their status."""

    _name = "bc.webhook"
    _description = "BigCommerce Webhook"
    _order = "instance_id, scope"
    _rec_name = "scope"

    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    scope = fields.Char(required=True, readonly=True)
    bigcommerce_id = fields.Integer(string="BigCommerce ID", readonly=True)
    destination = fields.Char(readonly=True)
    state = fields.Selection([("active", "Active"), ("inactive", "Inactive"), ("missing", "Missing")],
                             required=True, readonly=True,
                             help="Inactive: BigCommerce stopped delivering (after 48 hours of failures or 90 idle "
                                  "days); Missing: not registered. Repair Webhooks fixes both.")
    checked_at = fields.Datetime(string="Last Check", readonly=True)

    _sql_constraints = [
        ("scope_unique", "UNIQUE(instance_id, scope)", "A store has one webhook per scope."),
    ]
