"""What the lines and prices of a BigCommerce order resolve to in Odoo for a store: products
(by product mapping, then SKU), the service products of non-catalog lines, sales taxes and
their groups, the currency, the pricelist, and the team, warehouse and analytic distribution
of its channel."""
from odoo import Command, _, models
from odoo.exceptions import UserError

from odoo.addons.base_marketplace.exceptions import ShortcutError

from ..bigcommerce.money import decimal_text
from ..bigcommerce.store import order_routing

# Order line kind -> (instance field holding its product, name of the product created when empty).
SERVICE_PRODUCTS = {
    "gift_certificate": ("gift_certificate_product_id", "BigCommerce Gift Certificate"),
    "custom": ("custom_product_id", "BigCommerce Custom Item"),
    "wrapping": ("wrapping_product_id", "BigCommerce Gift Wrapping"),
    "fee": ("custom_product_id", "BigCommerce Custom Item"),
    "shipping": ("shipping_product_id", "BigCommerce Shipping"),
    "handling": ("shipping_product_id", "BigCommerce Shipping"),
    "discount": ("discount_product_id", "BigCommerce Discount"),
    "rounding": ("discount_product_id", "BigCommerce Discount"),
}


def new_record_action(name, model, defaults):
    """A log shortcut: the form of a new ``model`` record, filled with ``defaults`` (context keys)."""
    return {"type": "ir.actions.act_window", "name": name, "res_model": model, "views": [[False, "form"]],
            "target": "current", "context": defaults}


class BigCommerceInstance(models.Model):
    _inherit = "bc.instance"

    def _bigcommerce_products(self, bc_order):
        """{order product id: Odoo product} for the catalog and custom lines.

        A product is found by its BigCommerce product and variant id (the store's product
        mappings), then by SKU (Internal Reference), and a SKU match is remembered as a
        mapping. A UserError names every catalog SKU Odoo lacks."""
        lines = [line for line in bc_order.lines if line.kind in ("product", "custom")]
        if any(line.kind == "product" and not line.sku for line in lines):
            raise UserError(_("BigCommerce order #%(id)s has a catalog product without SKU: give it a SKU in "
                              "BigCommerce, then use Retry on this queue line.", id=bc_order.order_id))
        by_variant = self._bigcommerce_mapped_products({(line.product_id, line.variant_id) for line in lines
                                                        if line.variant_id})
        found = {line.order_product_id: by_variant[line.product_id, line.variant_id]
                 for line in lines if (line.product_id, line.variant_id) in by_variant}
        archived = [(line, product) for line in lines if (product := found.get(line.order_product_id))
                    and not product.active]
        if archived:
            raise UserError(_(
                "BigCommerce order #%(id)s has %(lines)s, mapped to an archived Odoo product. Restore the product, "
                "or point its product mapping at the product now sold, then use Retry on this queue line.",
                id=bc_order.order_id, lines=", ".join(self.env._("“%(sku)s” (mapped to %(product)s)", sku=line.sku,
                                                        product=product.display_name) for line, product in archived)))
        unbound = [line for line in lines if line.order_product_id not in found and line.sku]
        by_sku = {}
        for product in self.env["product.product"].search([
                ("default_code", "in", list({line.sku for line in unbound})), ("active", "=", True),
                ("company_id", "in", [False, self.company_id.id])]):
            by_sku.setdefault(product.default_code, product)
        new_bindings = {}
        for line in unbound:
            product = by_sku.get(line.sku)
            if not product:
                continue
            found[line.order_product_id] = product
            if line.kind == "product" and line.product_id and line.variant_id:
                new_bindings[line.product_id, line.variant_id] = {
                    "instance_id": self.id, "product_id": product.id, "bc_product_id": line.product_id,
                    "bc_variant_id": line.variant_id, "sku": line.sku}
        self.env["bc.product.binding"].create(list(new_bindings.values()))
        missing = [line for line in lines if line.kind == "product" and line.order_product_id not in found]
        if missing:
            raise ShortcutError(_(
                "No Odoo product has the SKU %(skus)s (BigCommerce order #%(id)s). Create the product with this "
                "Internal Reference (the Create Product shortcut fills it in), then use Retry on this queue line.",
                skus=", ".join(f"“{line.sku}” ({line.name})" for line in missing), id=bc_order.order_id),
                _("Create Product"), new_record_action(_("Create Product"), "product.product", {
                    "default_name": missing[0].name, "default_default_code": missing[0].sku,
                    "default_type": "consu", "default_is_storable": True, "default_sale_ok": True}))
        return found

    def _bigcommerce_mapped_products(self, variants):
        """{(BigCommerce product id, variant id): Odoo product} of the store's product mappings
        among ``variants``. The mappings found are remembered for the rest of the queue run."""
        known = self.env["marketplace.queue.line"]._run_cached(("bigcommerce_product_mappings", self.id), dict)
        unknown = {variant_id for _product_id, variant_id in variants - known.keys()}
        if unknown:
            for binding in self.env["bc.product.binding"].search([("instance_id", "=", self.id),
                                                                  ("bc_variant_id", "in", list(unknown))]):
                known[binding.bc_product_id, binding.bc_variant_id] = binding.product_id.id
        mapped = [variant for variant in variants if variant in known]
        # One recordset, so that the products are read in one query.
        return dict(zip(mapped, self.env["product.product"].browse([known[variant] for variant in mapped]), strict=True))

    def _bigcommerce_service_product(self, kind):
        field, name = SERVICE_PRODUCTS[kind]
        product = self[field]
        if not product:
            product = self.env["product.product"].create({
                "name": name, "type": "service", "invoice_policy": "order", "sale_ok": True, "purchase_ok": False,
                "taxes_id": [Command.clear()], "company_id": self.company_id.id,
            })
            self.sudo()[field] = product
        return product

    def _bigcommerce_taxes(self, bc_line, tax_inclusive):
        """The Odoo sales taxes of a line: those mapped to its tax class, else the tax with
        BigCommerce's rate and the order's pricing, created when the company has none."""
        key = ("bigcommerce_taxes", self.id, bc_line.tax_class_id, bc_line.tax_rate, tax_inclusive)
        return self.env["account.tax"].browse(self.env["marketplace.queue.line"]._run_cached(
            key, lambda: self._bigcommerce_find_taxes(bc_line, tax_inclusive).ids))

    def _bigcommerce_find_taxes(self, bc_line, tax_inclusive):
        if bc_line.tax_class_id is not None:
            tax_class = self.tax_class_ids.filtered(lambda tax_class: tax_class.bc_id == str(bc_line.tax_class_id))
            if tax_class.tax_ids:
                return tax_class.tax_ids
        Tax = self.env["account.tax"]
        if not bc_line.tax_rate:
            return Tax
        tax = Tax.search([
            ("company_id", "=", self.company_id.id), ("type_tax_use", "=", "sale"), ("amount_type", "=", "percent"),
            ("amount", "=", float(bc_line.tax_rate)), ("price_include", "=", tax_inclusive),
        ], limit=1)
        if not tax:
            label = _("incl.") if tax_inclusive else _("excl.")
            vals = {
                "name": _("BigCommerce %(rate)s%% (%(pricing)s)", rate=decimal_text(bc_line.tax_rate), pricing=label),
                "amount": float(bc_line.tax_rate), "amount_type": "percent", "type_tax_use": "sale",
                "price_include_override": "tax_included" if tax_inclusive else "tax_excluded",
                "company_id": self.company_id.id,
            }
            country = self.company_id.account_fiscal_country_id or self.company_id.country_id
            if not country:
                raise UserError(_("Odoo needs a %(rate)s%% sales tax for BigCommerce's lines, and taxes need the "
                                  "country of the company %(company)s: set it, then use Retry on this queue line.",
                                  rate=decimal_text(bc_line.tax_rate), company=self.company_id.name))
            vals["country_id"] = country.id
            vals["tax_group_id"] = self._bigcommerce_tax_group(country, bc_line.tax_rate).id
            tax = Tax.sudo().create(vals).sudo(False)
        return tax

    def _bigcommerce_tax_group(self, country, rate):
        """The tax group named after the rate (the order's totals show tax per group, so another
        rate's group would print a wrong percentage), created when the company has none."""
        name = _("Tax %(rate)s%%", rate=decimal_text(rate))
        TaxGroup = self.env["account.tax.group"].sudo()
        domain = [("company_id", "=", self.company_id.id), ("country_id", "in", [False, country.id])]
        return TaxGroup.search(domain + [("name", "=", name)], limit=1) or TaxGroup.create({
            "name": name, "company_id": self.company_id.id, "country_id": country.id})

    def _bigcommerce_currency(self, order):
        code = order.get("default_currency_code") or order.get("currency_code") or self.company_id.currency_id.name
        return self.env["res.currency"].browse(self.env["marketplace.queue.line"]._run_cached(
            ("bigcommerce_currency", code), lambda: self._bigcommerce_find_currency(code, order).id))

    def _bigcommerce_find_currency(self, code, order):
        currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)
        if not currency:
            raise UserError(_("BigCommerce order #%(id)s is in %(code)s, a currency Odoo does not know. "
                              "Create the currency in Odoo, then use Retry on this queue line.",
                              id=order.get("id"), code=code))
        if not currency.active:
            currency.sudo().active = True
        return currency

    def _bigcommerce_routing(self, channel_id):
        """The team, warehouse and analytic distribution of an order of BigCommerce channel
        ``channel_id`` (see ``order_routing``): its channel's, else the store's."""
        def routing():
            channel = self.channel_ids.filtered(lambda channel: channel.bc_id == str(channel_id))
            return order_routing(channel._bigcommerce_routing_settings() if channel else None,
                                 self._bigcommerce_routing_settings())
        return self.env["marketplace.queue.line"]._run_cached(("bigcommerce_routing", self.id, channel_id), routing)

    def _bigcommerce_default_team(self, user_id):
        """The team Odoo gives an order of salesperson ``user_id`` when none is routed (what
        sale.order's ``_compute_team_id`` finds), looked up once a queue run, not once an order."""
        Team = self.env["crm.team"]
        return Team.browse(self.env["marketplace.queue.line"]._run_cached(
            ("bigcommerce_default_team", self.company_id.id, user_id),
            lambda: Team._get_default_team_id(user_id=user_id, domain=Team._check_company_domain(self.company_id.id)).id))

    def _bigcommerce_pricelist(self, currency):
        if self.pricelist_id.currency_id == currency:
            return self.pricelist_id
        return self.env["product.pricelist"].browse(self.env["marketplace.queue.line"]._run_cached(
            ("bigcommerce_pricelist", self.id, currency.id), lambda: self._bigcommerce_currency_pricelist(currency).id))

    def _bigcommerce_currency_pricelist(self, currency):
        """A pricelist in ``currency`` of the company, created when it has none."""
        Pricelist = self.env["product.pricelist"]
        pricelist = Pricelist.search([("currency_id", "=", currency.id),
                                      ("company_id", "in", [False, self.company_id.id])], limit=1)
        return pricelist or Pricelist.create({
            "name": _("BigCommerce %(currency)s", currency=currency.name),
            "currency_id": currency.id, "company_id": self.company_id.id,
        })
