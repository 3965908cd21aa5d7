from odoo import api, models

from ..const import OPERATION_LABELS, REFERENCE_KINDS


class MarketplaceOperationMixin(models.AbstractModel):
    _inherit = "marketplace.operation.mixin"

    @api.model
    def _operation_labels(self):
        # Lazy labels are translated by str() in the language of this frame's self.env: no comprehension.
        labels = {}
        for code, label in OPERATION_LABELS.items():
            labels[code] = str(label)
        for kind, reference in REFERENCE_KINDS.items():
            labels[f"import_{kind}"] = self.env._("Import %(kind)s", kind=str(reference.label))
        return {**super()._operation_labels(), **labels}
