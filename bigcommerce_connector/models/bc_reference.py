from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..bigcommerce.refunds import allows_cancellation_by_default, may_allow_cancellation

FULL_STOCK_EXPORT_EVERY = timedelta(days=1)  # the scheduled stock export is a full one this often


class BigCommerceReferenceMixin(models.AbstractModel):
    """A BigCommerce record copied into Odoo for one store, found again by its id there."""

    _name = "bc.reference.mixin"
    _description = "BigCommerce Reference Data"
    _order = "instance_id, name"

    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    bc_id = fields.Char(string="BigCommerce ID", required=True, index=True)
    name = fields.Char(required=True)

    _sql_constraints = [
        ("bc_id_unique", "UNIQUE(instance_id, bc_id)", "This BigCommerce record is already imported for the store."),
    ]

    @api.model
    def _sync_from_bigcommerce(self, instance, vals_list):
        """Create what is new, update what changed, keyed on the BigCommerce id: running twice changes nothing.

        Returns the records, in the order of ``vals_list``.
        """
        existing = {
            record.bc_id: record
            for record in self.with_context(active_test=False).search([("instance_id", "=", instance.id)])
        }
        records = self.browse()
        for vals in vals_list:
            vals = dict(vals, bc_id=str(vals["bc_id"]))
            record = existing.get(vals["bc_id"])
            if record:
                changed = {key: value for key, value in vals.items() if record._fields[key].convert_to_write(record[key], record) != value}
                if changed:
                    record.write(changed)
            else:
                record = self.create(dict(vals, instance_id=instance.id))
                existing[vals["bc_id"]] = record
            records |= record
        return records


class BigCommerceOrderStatus(models.Model):
    _name = "bc.order.status"
    _inherit = "bc.reference.mixin"
    _description = "BigCommerce Order Status"
    _order = "instance_id, sequence, bc_id"

    system_label = fields.Char()
    sequence = fields.Integer()
    allow_cancellation = fields.Boolean(
        compute="_compute_allow_cancellation", store=True, readonly=False,
        help="Orders in this status may be cancelled in BigCommerce from Odoo (Cancel In BigCommerce). "
             "Shipped, Completed and Manual Verification Required never may.")

    cancellation_possible = fields.Boolean(compute="_compute_cancellation_possible")

    @api.depends("bc_id")
    def _compute_cancellation_possible(self):
        for status in self:
            status.cancellation_possible = bool(status.bc_id) and may_allow_cancellation(status.bc_id)

    @api.depends("bc_id")
    def _compute_allow_cancellation(self):
        # Set once, when the status is first imported: afterwards it is the merchant's choice.
        for status in self:
            status.allow_cancellation = bool(status.bc_id) and allows_cancellation_by_default(status.bc_id)

    @api.constrains("allow_cancellation")
    def _check_allow_cancellation(self):
        for status in self:
            if status.allow_cancellation and not may_allow_cancellation(status.bc_id):
                raise ValidationError(_("Orders in status “%(status)s” are never cancelled from Odoo: the goods left, "
                                        "or BigCommerce is checking the order.", status=status.name))


class BigCommerceChannel(models.Model):
    _name = "bc.channel"
    _inherit = ["bc.reference.mixin", "bc.order.routing.mixin"]
    _description = "BigCommerce Sales Channel"
    _check_company_auto = True

    channel_type = fields.Char(string="Type")
    platform = fields.Char()
    status = fields.Char()
    # What the channel's orders get when they are created; empty: the store's (order_routing).
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True,
                              help="Sales team of this channel's orders. Empty: the store's (General tab).")
    warehouse_id = fields.Many2one("stock.warehouse", check_company=True,
                                   help="Warehouse that delivers this channel's orders. Empty: the store's "
                                        "(General tab).")
    analytic_distribution = fields.Json(
        help="Analytic distribution of every line of this channel's orders (products, shipping, discounts, fees, "
             "gift certificates), which their invoice lines take. Empty: the store's (General tab).")


class BigCommerceLocation(models.Model):
    _name = "bc.location"
    _inherit = "bc.reference.mixin"
    _description = "BigCommerce Inventory Location"

    code = fields.Char()
    is_active = fields.Boolean(string="Active in BigCommerce")
    stock_location_ids = fields.Many2many(
        "stock.location", "bc_location_stock_location_rel", "bc_location_id", "stock_location_id",
        string="Odoo Locations", check_company=True, domain="[('usage', 'in', ('internal', 'view'))]",
        help="Odoo locations (with their sublocations) whose free quantities, summed per product, this "
             "location publishes. An import adjusts the first one. Empty: the stock location of the store's warehouse.")
    import_stock = fields.Boolean(string="Enable Import Stock?")
    export_stock = fields.Boolean(string="Enable Export Stock?")
    # What the last export left in BigCommerce, {SKU: quantity}: the next export sends only what
    # differs. One value for the location keeps 20,000 SKUs one write; never read with the record.
    exported_stock = fields.Json(prefetch=False, copy=False)
    stock_full_export_date = fields.Datetime(
        string="Last Full Stock Export", readonly=True, copy=False,
        help="When every quantity was last compared with BigCommerce's. The scheduled export does a full one "
             "once a day, which also catches products added in BigCommerce and stock changed there by hand.")

    def _stock_full_export_due(self):
        return not self.stock_full_export_date or self.stock_full_export_date < fields.Datetime.now() - FULL_STOCK_EXPORT_EVERY

    def _exported_stock(self):
        return self.exported_stock or {}

    def _record_exported_stock(self, quantities, full):
        """Keep ``quantities`` ({SKU: quantity}) as what BigCommerce now has at this location."""
        values = {"stock_full_export_date": fields.Datetime.now()} if full else {}
        if quantities != self._exported_stock():
            values["exported_stock"] = quantities
        if values:
            self.write(values)


class BigCommerceTaxClass(models.Model):
    _name = "bc.tax.class"
    _inherit = "bc.reference.mixin"
    _description = "BigCommerce Tax Class"

    tax_ids = fields.Many2many("account.tax", string="Odoo Taxes", check_company=True,
                               domain="[('type_tax_use', '=', 'sale')]",
                               help="Sales taxes used for order lines of this tax class.")


class BigCommerceCategory(models.Model):
    _name = "bc.category"
    _inherit = "bc.reference.mixin"
    _description = "BigCommerce Category"
    _parent_store = True
    _rec_names_search = ["complete_name", "name"]

    parent_id = fields.Many2one("bc.category", index=True, ondelete="cascade")
    child_ids = fields.One2many("bc.category", "parent_id")
    parent_path = fields.Char(index=True)
    complete_name = fields.Char(compute="_compute_complete_name", store=True, recursive=True)
    tree_id = fields.Char(string="Category Tree")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            parent = category.parent_id.complete_name
            category.complete_name = f"{parent} / {category.name}" if parent else category.name

    @api.depends("complete_name")
    def _compute_display_name(self):
        for category in self:
            category.display_name = category.complete_name

    @api.model
    def _sync_from_bigcommerce(self, instance, vals_list):
        """Each category then hangs under its parent (``parent_bc_id``; parents come first)."""
        parents = {str(vals["bc_id"]): vals.get("parent_bc_id") for vals in vals_list}
        records = super()._sync_from_bigcommerce(
            instance, [{key: value for key, value in vals.items() if key != "parent_bc_id"} for vals in vals_list])
        by_bc_id = {record.bc_id: record for record in records}
        for record in records:
            parent = by_bc_id.get(parents[record.bc_id], self.browse())
            if record.parent_id != parent:
                record.parent_id = parent
        return records


class BigCommerceBrand(models.Model):
    _name = "bc.brand"
    _inherit = "bc.reference.mixin"
    _description = "BigCommerce Brand"


class BigCommerceCurrency(models.Model):
    _name = "bc.currency"
    _inherit = "bc.reference.mixin"
    _description = "BigCommerce Currency"

    currency_id = fields.Many2one("res.currency", string="Odoo Currency")
    is_default = fields.Boolean()
    is_transactional = fields.Boolean()
    enabled = fields.Boolean()

    @api.model
    def _sync_from_bigcommerce(self, instance, vals_list):
        """Each currency is linked to the Odoo currency of its code (``name``), archived ones included."""
        currencies = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "in", [vals["name"] for vals in vals_list])])
        by_code = {currency.name: currency.id for currency in currencies}
        return super()._sync_from_bigcommerce(
            instance, [dict(vals, currency_id=by_code.get(vals["name"], False)) for vals in vals_list])
