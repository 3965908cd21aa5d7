from odoo import api, fields, models

from ..bigcommerce.store import SETUP_STEPS, missing_setup


class BigCommerceInstance(models.Model):
    """A store's first run: whether Confirm starts importing at once, and what a confirmed store
    still lacks before orders import by themselves (the form's checklist)."""

    _inherit = "bc.instance"

    start_import_now = fields.Boolean(
        string="Start importing now", copy=False,
        help="Confirm switches on the Import Orders scheduled action at once. Otherwise every scheduled action "
             "is created switched off: switch each on (Scheduled Actions tab) once products, workflows and "
             "a pricelist are ready.")
    setup_missing_products = fields.Boolean(compute="_compute_setup_missing")
    setup_missing_workflow = fields.Boolean(compute="_compute_setup_missing")
    setup_missing_pricelist = fields.Boolean(compute="_compute_setup_missing")
    setup_missing_webhooks = fields.Boolean(compute="_compute_setup_missing")
    setup_done = fields.Boolean(compute="_compute_setup_missing")

    @api.depends("workflow_ids", "pricelist_id.currency_id", "store_currency", "webhook_ids.state")
    def _compute_setup_missing(self):
        for instance in self:
            missing = missing_setup(
                # Goods: services with a code (Odoo's own delivery product) are no catalog.
                has_sku_products=bool(self.env["product.product"].search_count([
                    ("default_code", "!=", False), ("type", "=", "consu"), ("sale_ok", "=", True),
                    ("company_id", "in", [False, instance.company_id.id])], limit=1)),
                has_workflow=bool(instance.workflow_ids),
                pricelist_currency=instance.pricelist_id.currency_id.name,
                store_currency=instance.store_currency,
                webhook_states=instance.webhook_ids.mapped("state"),
            )
            for step in SETUP_STEPS:
                instance[f"setup_missing_{step}"] = step in missing
            instance.setup_done = not missing
