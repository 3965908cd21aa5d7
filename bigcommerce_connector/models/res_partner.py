from odoo import _, api, fields, models
from odoo.tools import escape_psql

from ..bigcommerce.customers import account_address, account_values, changed_values
from ..bigcommerce.partners import address_match_key, display_name, match_state


class ResPartner(models.Model):
    _inherit = "res.partner"

    bigcommerce_address_key = fields.Char(
        index="btree_not_null", copy=False,
        help="Technical: identifies the BigCommerce address this contact was created from, "
             "so the next order with the same address finds it again.")
    bigcommerce_customer_ids = fields.One2many("bc.customer.binding", "partner_id", string="BigCommerce Accounts",
                                               groups="bigcommerce_connector.group_bigcommerce_user")

    @api.model
    def _bigcommerce_partners(self, instance, bc_order):
        """(customer, invoice contact, {order_address_id: delivery contact}) of a BigCommerce
        order of ``instance``, each found or created."""
        billing = bc_order.billing_address
        if bc_order.is_guest:
            customer = instance.guest_partner_id
            invoice_contact = self._bigcommerce_contact(instance, billing, customer,
                                                        "invoice" if customer else "contact")
            customer = customer or invoice_contact
        else:
            customer = self._bigcommerce_customer(instance, bc_order.customer_id, billing)
            invoice_contact = self._bigcommerce_contact(instance, billing, customer, "invoice")
        shipping_contacts = {shipping.id: self._bigcommerce_contact(instance, shipping.address, customer, "delivery")
                             for shipping in bc_order.shipping_addresses}
        return customer, invoice_contact, shipping_contacts

    @api.model
    def _bigcommerce_customer(self, instance, customer_id, billing):
        return self.browse(self.env["marketplace.queue.line"]._run_cached(
            ("bigcommerce_customer", instance.id, customer_id),
            lambda: self._bigcommerce_bound_customer(instance, customer_id, billing).id))

    @api.model
    def _bigcommerce_bound_customer(self, instance, customer_id, billing):
        """The contact of a BigCommerce customer account, found by its binding, else matched
        or created and bound."""
        binding = self.env["bc.customer.binding"].search(
            [("instance_id", "=", instance.id), ("bigcommerce_customer_id", "=", customer_id)], limit=1)
        if binding:
            return binding.partner_id
        key = address_match_key(billing)
        partner = self._bigcommerce_find_contact(instance, billing, [("type", "=", "contact")], key)
        if not partner:
            vals = self._bigcommerce_address_vals(billing, key)
            if instance.create_company_contact and billing.company:
                vals["parent_id"] = self._bigcommerce_company(instance, billing.company).id
            partner = self.create(vals)
        self.env["bc.customer.binding"].create(
            {"instance_id": instance.id, "bigcommerce_customer_id": customer_id, "partner_id": partner.id})
        return partner

    @api.model
    def _bigcommerce_import_customer(self, instance, customer, group_name):
        """Upsert the contact of a BigCommerce ``customer`` (``customers.Customer``) and its
        addresses as child contacts, writing only what differs: an import that brings nothing
        new writes nothing. ``group_name(id)`` names a customer group. Returns (contact, what
        was done, as a sentence)."""
        Binding = self.env["bc.customer.binding"]
        domain = [("instance_id", "=", instance.id), ("bigcommerce_customer_id", "=", customer.id)]
        created = not Binding.search_count(domain, limit=1)
        partner = self._bigcommerce_bound_customer(instance, customer.id, account_address(customer))
        binding = Binding.search(domain, limit=1)
        wanted = account_values(customer)
        if customer.company and not partner.parent_id and not partner.is_company:
            if instance.create_company_contact:
                wanted["parent_id"] = self._bigcommerce_company(instance, customer.company).id
            else:
                wanted["company_name"] = customer.company
        changes = changed_values({name: partner[name].id if name == "parent_id" else partner[name] for name in wanted},
                                 wanted)
        if changes:
            partner.write(changes)
        group = {"customer_group_id": customer.customer_group_id}
        if customer.customer_group_id != binding.customer_group_id or not binding.customer_group_name:
            group["customer_group_name"] = group_name(customer.customer_group_id) if customer.customer_group_id \
                else False
        group_changes = changed_values({name: binding[name] for name in group}, group)
        if group_changes:
            binding.write(group_changes)
        known = set(self.search([("parent_id", "=", partner.id)]).ids)
        new_addresses, changed_addresses = 0, 0
        for address in customer.addresses:
            contact = self._bigcommerce_contact(instance, address, partner, "delivery")
            if contact.id not in known and contact != partner:
                new_addresses += 1
                known.add(contact.id)
            elif contact != partner and address.phone and contact.phone != address.phone:
                contact.phone = address.phone
                changed_addresses += 1
        if created:
            summary = _("contact %(contact)s linked, %(new)s addresses added.", contact=partner.display_name,
                        new=new_addresses)
        elif changes or group_changes or new_addresses or changed_addresses:
            summary = _("contact %(contact)s updated (%(fields)s), %(new)s addresses added, %(changed)s changed.",
                        contact=partner.display_name, new=new_addresses, changed=changed_addresses,
                        fields=", ".join(sorted({*changes, *group_changes})) or _("no account field"))
        else:
            summary = _("contact %(contact)s already up to date.", contact=partner.display_name)
        return partner, summary

    @api.model
    def _bigcommerce_company(self, instance, name):
        return (self.search([("is_company", "=", True), ("name", "=ilike", name),
                             ("company_id", "in", [False, instance.company_id.id])], limit=1)
                or self.create({"name": name, "is_company": True}))

    @api.model
    def _bigcommerce_contact(self, instance, address, parent, contact_type):
        """The contact for ``address`` under ``parent`` (or a top-level one), found by
        ``address_match_key`` or created."""
        key = address_match_key(address)
        if parent and parent.bigcommerce_address_key == key:
            return parent
        contact = self._bigcommerce_find_contact(instance, address, [("parent_id", "=", parent.id or False)], key)
        if not contact:
            contact = self.create(dict(
                self._bigcommerce_address_vals(address, key), parent_id=parent.id or False, type=contact_type))
        return contact

    @api.model
    def _bigcommerce_find_contact(self, instance, address, domain, key=None):
        """A contact within ``domain`` for ``address`` (whose ``address_match_key`` is ``key``):
        one created from the same BigCommerce address, else one entered in Odoo with the same
        email, name and postal address."""
        key = key or address_match_key(address)
        domain = [*domain, ("company_id", "in", [False, instance.company_id.id])]
        contact = self.search([*domain, ("bigcommerce_address_key", "=", key)], limit=1)
        if contact or not address.email:
            return contact
        vals = self._bigcommerce_address_vals(address, key)
        for name in ("email", "name", "street", "street2", "city", "zip"):
            domain.append((name, "=ilike", escape_psql(vals[name])) if vals[name] else (name, "in", [False, ""]))
        contact = self.search([*domain, ("country_id", "=", vals["country_id"])], limit=1)
        if contact and not contact.bigcommerce_address_key:
            # Remembered, so that the same address on this order and the next ones is this contact.
            contact.bigcommerce_address_key = vals["bigcommerce_address_key"]
        return contact

    @api.model
    def _bigcommerce_address_vals(self, address, key=None):
        country = address.country_iso2 and self.env["res.country"].search(
            [("code", "=", address.country_iso2)], limit=1)
        state = self.env["res.country.state"]
        if country and address.state:
            code = match_state(address.state, [(s.code, s.name) for s in country.state_ids])
            state = country.state_ids.filtered(lambda s: s.code == code)[:1]
        return {
            "name": display_name(address) or _("BigCommerce customer"),
            "street": address.street_1 or False,
            "street2": address.street_2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id if country else False,
            "state_id": state.id or False,
            "phone": address.phone or False,
            "email": address.email or False,
            "bigcommerce_address_key": key or address_match_key(address),
        }


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
    # BigCommerce's customer group (0: none), kept here rather than as a partner tag: it is the
    # store's pricing rule for this account, and one contact may be a customer of two stores.
    customer_group_id = fields.Integer(string="Customer Group ID", readonly=True)
    customer_group_name = fields.Char(string="Customer Group", readonly=True)

    _sql_constraints = [
        ("customer_unique", "UNIQUE(instance_id, bigcommerce_customer_id)",
         "This BigCommerce customer is already linked to a contact for the store."),
    ]
