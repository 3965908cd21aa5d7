from odoo import _, api, models

from .bc_instance import REFERENCE_KINDS


class MarketplaceOperationMixin(models.AbstractModel):
    _inherit = "marketplace.operation.mixin"

    @api.model
    def _operation_labels(self):
        labels = {
            "bigcommerce_import_order": _("Import Order"),
            "bigcommerce_list_orders": _("List Orders"),
            "bigcommerce_import_reference": _("Import Store Data"),
            "bigcommerce_import_stock": _("Import Stock"),
            "bigcommerce_export_stock": _("Export Stock"),
            "bigcommerce_export_prices": _("Export Prices"),
            "bigcommerce_export_shipment": _("Export Shipment"),
            "bigcommerce_mark_paid": _("Mark as Paid"),
            "api_call": _("BigCommerce API Call"),
            "confirm": _("Confirm Store"),
            "webhooks": _("Webhooks"),
        }
        labels.update({f"import_{kind}": self.env._("Import %(kind)s", kind=kind.replace("_", " ")) for kind in REFERENCE_KINDS})
        return {**super()._operation_labels(), **labels}
