from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    bigcommerce_address_key = fields.Char(
        index="btree_not_null", copy=False,
        help="Technical: identifies the BigCommerce address this contact was created from, "
             "so the next order with the same address finds it again.")


class BigCommerceCustomerBinding(models.Model):
    """The Odoo contact of a BigCommerce customer account, per store."""

    _name = "bc.customer.binding"
    _description = "BigCommerce Customer"
    _rec_name = "partner_id"
    _check_company_auto = True

    instance_id = fields.Many2one("bc.instance", string="Store", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="instance_id.company_id", store=True, index=True)
    bigcommerce_customer_id = fields.Integer(string="BigCommerce Customer ID", required=True)
    partner_id = fields.Many2one("res.partner", string="Contact", required=True, index=True, ondelete="cascade")

    _sql_constraints = [
        ("customer_unique", "UNIQUE(instance_id, bigcommerce_customer_id)",
         "This BigCommerce customer is already linked to a contact for the store."),
    ]
