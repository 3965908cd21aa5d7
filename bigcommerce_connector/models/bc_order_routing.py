"""The sales team, warehouse and analytic distribution a store, and each of its channels, give
their orders (``bigcommerce/store.py`` ``order_routing`` decides which wins)."""
from odoo import _, api, models
from odoo.exceptions import ValidationError


class BigCommerceOrderRoutingMixin(models.AbstractModel):
    _name = "bc.order.routing.mixin"
    _inherit = "analytic.mixin"
    _description = "BigCommerce Order Routing"

    @api.constrains("analytic_distribution", "company_id")
    def _check_analytic_distribution_company(self):
        # Odoo's analytic widget offers the accounts of every company the user may see.
        for record in self:
            allowed = record.company_id.parent_ids
            foreign = record.distribution_analytic_account_ids.filtered(
                lambda account, allowed=allowed: account.company_id and account.company_id not in allowed)
            if foreign:
                raise ValidationError(_(
                    "The analytic account %(accounts)s belongs to another company than %(company)s: use an analytic "
                    "account of %(company)s, or one shared by all companies.",
                    accounts=", ".join(foreign.mapped("display_name")), company=record.company_id.name))

    def _bigcommerce_routing_settings(self):
        """This record's settings, in the shape ``order_routing`` takes."""
        self.ensure_one()
        return {"team_id": self.team_id.id, "warehouse_id": self.warehouse_id.id,
                "analytic_distribution": self.analytic_distribution}
