from odoo import _, fields, models

REFERENCE_OPERATIONS = {
    "bigcommerce_import_order_statuses": "order_statuses",
    "bigcommerce_import_channels": "channels",
    "bigcommerce_import_locations": "locations",
    "bigcommerce_import_tax_classes": "tax_classes",
    "bigcommerce_import_categories": "categories",
    "bigcommerce_import_brands": "brands",
    "bigcommerce_import_currencies": "currencies",
}


class MarketplaceOperationWizard(models.TransientModel):
    _inherit = "marketplace.operation.wizard"

    operation = fields.Selection(selection_add=[
        ("bigcommerce_import_order_statuses", "Import Order Statuses"),
        ("bigcommerce_import_channels", "Import Sales Channels"),
        ("bigcommerce_import_locations", "Import Locations"),
        ("bigcommerce_import_tax_classes", "Import Tax Classes"),
        ("bigcommerce_import_categories", "Import Categories"),
        ("bigcommerce_import_brands", "Import Brands"),
        ("bigcommerce_import_currencies", "Import Currencies"),
    ], ondelete={key: "cascade" for key in REFERENCE_OPERATIONS})

    def _run_operation(self, instance):
        if self.operation in REFERENCE_OPERATIONS:
            return self._queue_reference_import(instance, REFERENCE_OPERATIONS[self.operation])
        return super()._run_operation(instance)

    def _queue_reference_import(self, instance, kind):
        job, _lines = self.env["marketplace.queue.line"]._enqueue(
            instance, "bigcommerce_import_reference",
            [{"external_id": kind, "name": kind.replace("_", " ").capitalize(), "payload": {"kind": kind}}],
            job_name=_("Import %(kind)s from %(store)s", kind=kind.replace("_", " "), store=instance.name),
        )
        return job
