"""A BigCommerce product imported as an Odoo product template with variants (``bc.listing``
and its variants' ``bc.product.binding``). The rules are the pure core's
(``bigcommerce/catalog_import.py``); this file adapts records."""
import base64

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, html2plaintext

from ..bigcommerce.catalog_import import (
    CatalogError, combination_conflicts, linked_product, linked_template, parse_product, price_extras, skip_reason,
)
from ..bigcommerce.errors import BigCommerceError
from ..bigcommerce.money import decimal_text
from .bc_translate import translate


class BigCommerceProductBinding(models.Model):
    _inherit = "bc.product.binding"

    image_url = fields.Char(string="Imported Image", readonly=True,
                            help="The BigCommerce image this variant's picture was imported from: the next import "
                                 "downloads it again only when BigCommerce has another one.")


class BigCommerceListing(models.Model):
    _inherit = "bc.listing"

    image_url = fields.Char(string="Imported Image", readonly=True,
                            help="The BigCommerce image the product's picture was imported from: the next import "
                                 "downloads it again only when BigCommerce has another one.")

    @api.model
    def _bigcommerce_import(self, instance, data, update_existing, client):
        """Import the BigCommerce product ``data`` (PR JSON with variants and images) for
        ``instance``; ``client`` downloads its images. Returns the listing, or nothing for a
        product that is not imported. A product Odoo cannot hold raises a UserError saying why."""
        label = _("Product #%(id)s “%(name)s”", id=data.get("id"), name=data.get("name") or "")
        reason = skip_reason(data)
        if reason:
            instance._log(_("%(product)s skipped: %(reason)s. Make it visible and purchasable in BigCommerce to "
                            "import it.", product=label, reason=translate(self.env, reason)))
            return self
        try:
            return self._bigcommerce_import_product(instance, parse_product(data), update_existing, client, label)
        except CatalogError as error:
            raise UserError(translate(self.env, error.args[0])) from None

    def _bigcommerce_import_product(self, instance, product, update_existing, client, label):
        listing = self.search([("instance_id", "=", instance.id), ("bc_product_id", "=", product.bc_product_id)])
        bindings = {binding.bc_variant_id: binding for binding in self.env["bc.product.binding"].search(
            [("instance_id", "=", instance.id), ("bc_product_id", "=", product.bc_product_id)])}
        known = {variant.bc_variant_id: bindings[variant.bc_variant_id].product_id
                 for variant in product.variants if variant.bc_variant_id in bindings}
        linked = self._bigcommerce_sku_links(instance, [v for v in product.variants if v.bc_variant_id not in known])
        existing = {**known, **linked}
        templates = listing.product_tmpl_id | self.env["product.product"].concat(*existing.values()).product_tmpl_id
        template = self.env["product.template"].browse(
            linked_template(product, {template.id: template.display_name for template in templates}))
        if template:
            self._bigcommerce_check_free(instance, product, template)
        if linked:
            instance._log(_("%(product)s: linked to the Odoo product(s) with the same SKU: %(linked)s.", product=label,
                            linked=", ".join(linked[vid].display_name for vid in linked)), record=template)
        if template and not update_existing:
            listing = self._bigcommerce_save(instance, product, template, listing, existing, bindings, client=None)
            instance._log(_("%(product)s is already in Odoo as %(template)s: left as it is, since Update Existing "
                            "Listing? is off.", product=label, template=template.display_name), record=listing)
            return listing
        created = not template
        before = set(template.with_context(active_test=False).product_variant_ids.ids)
        values = self._bigcommerce_attribute_values(product)
        if created:
            template = self.env["product.template"].create(self._bigcommerce_template_vals(instance, product, values))
        else:
            self._bigcommerce_check_combinations(product, existing)
            template.write(self._bigcommerce_template_vals(instance, product, values, template))
        matched, missing = self._bigcommerce_sync_variants(template, product, values, existing, before)
        self._bigcommerce_set_price_extras(instance, template, product, values, label)
        listing = self._bigcommerce_save(instance, product, template, listing, matched, bindings, client=client)
        if missing:
            instance._log(_("%(product)s: no Odoo variant could be made for %(skus)s (the product has other "
                            "attributes or exclusions in Odoo); orders of these variants find no product.",
                            product=label, skus=", ".join(v.sku or str(v.bc_variant_id) for v in missing)),
                          level="warning", record=listing)
        if created:
            message = _("%(product)s: created in Odoo as %(template)s with %(count)s variant(s).",
                        product=label, template=template.display_name, count=len(matched))
        else:
            message = _("%(product)s: %(template)s updated in Odoo (%(count)s variant(s)).",
                        product=label, template=template.display_name, count=len(matched))
        instance._log(message, record=listing)
        return listing

    def _bigcommerce_sku_links(self, instance, variants):
        """{BigCommerce variant id: the Odoo product of the same SKU it links to}, among the
        active products of the store's company with no mapping for the store."""
        skus = {variant.sku for variant in variants if variant.sku}
        if not skus:
            return {}
        products = self.env["product.product"].search([
            ("default_code", "in", list(skus)), ("company_id", "in", [False, instance.company_id.id])])
        bound = set(self.env["bc.product.binding"].search(
            [("instance_id", "=", instance.id), ("product_id", "in", products.ids)]).product_id.ids)
        by_sku = {}
        for candidate in products.filtered(lambda p: p.id not in bound):
            by_sku.setdefault(candidate.default_code, []).append((candidate.id, candidate.display_name))
        links = {}
        for variant in variants:
            product_id = linked_product(variant.sku, by_sku.get(variant.sku, [])) if variant.sku else None
            if product_id:
                links[variant.bc_variant_id] = self.env["product.product"].browse(product_id)
        return links

    def _bigcommerce_check_free(self, instance, product, template):
        other = self.search([("instance_id", "=", instance.id), ("product_tmpl_id", "=", template.id),
                             ("bc_product_id", "!=", product.bc_product_id)], limit=1)
        if other:
            raise UserError(_("%(template)s is already BigCommerce product #%(other)s of this store, so it cannot be "
                              "product #%(id)s too. Give one of them other SKUs, then use Retry on this queue line.",
                              template=template.display_name, other=other.bc_product_id, id=product.bc_product_id))

    def _bigcommerce_check_combinations(self, product, existing):
        """An Odoo variant already linked keeps what it is: one whose attribute values are not
        the BigCommerce variant's fails the import rather than being replaced."""
        for variant in product.variants:
            odoo_variant = existing.get(variant.bc_variant_id)
            if not odoo_variant:
                continue
            combination = [(ptav.attribute_id.name, ptav.product_attribute_value_id.name)
                           for ptav in odoo_variant.product_template_attribute_value_ids]
            if combination_conflicts(variant, combination):
                raise UserError(_(
                    "The Odoo product %(odoo)s (SKU %(sku)s) is %(combination)s, while the BigCommerce variant is "
                    "%(options)s. Give the Odoo product the same attribute values (or another Internal Reference), "
                    "then use Retry on this queue line.", odoo=odoo_variant.display_name, sku=variant.sku,
                    combination=", ".join(f"{a}: {v}" for a, v in combination) or _("without attributes"),
                    options=", ".join(f"{a}: {v}" for a, v in variant.options)))

    def _bigcommerce_attribute_values(self, product):
        """{(attribute name, value name): product.attribute.value} of the product's options,
        attributes (creating variants) and values created as needed."""
        values = {}
        for name, labels in product.attributes:
            attribute = self.env["product.attribute"].search(
                [("name", "=", name), ("create_variant", "=", "always")], limit=1) \
                or self.env["product.attribute"].create({"name": name, "create_variant": "always"})
            by_name = {value.name.casefold(): value for value in attribute.value_ids}
            for label in labels:
                value = by_name.get(label.casefold()) or self.env["product.attribute.value"].create(
                    {"name": label, "attribute_id": attribute.id})
                by_name[label.casefold()] = values[name, label] = value
        return values

    def _bigcommerce_template_vals(self, instance, product, values, template=None):
        vals = {"name": product.name, "list_price": float(product.price), "sale_ok": True,
                "description_sale": html2plaintext(product.description) or False}
        if not template or template.type == "consu":
            vals["is_storable"] = product.is_storable
        if template:
            vals = {key: value for key, value in vals.items()
                    if template._fields[key].convert_to_write(template[key], template) != value}
        commands = []
        for name, labels in product.attributes:
            attribute = values[name, labels[0]].attribute_id
            wanted = self.env["product.attribute.value"].concat(*(values[name, label] for label in labels))
            line = template.attribute_line_ids.filtered(lambda line, a=attribute: line.attribute_id == a) \
                if template else None
            if not line:
                commands.append(Command.create({"attribute_id": attribute.id, "value_ids": [Command.set(wanted.ids)]}))
            elif wanted - line.value_ids:
                commands.append(Command.update(line.id, {"value_ids": [Command.link(v.id) for v in wanted - line.value_ids]}))
        if commands:
            vals["attribute_line_ids"] = commands
        if not template:
            vals.update(type="consu", company_id=instance.company_id.id)
        return vals

    def _bigcommerce_sync_variants(self, template, product, values, existing, before):
        """``({BigCommerce variant id: Odoo variant}, BigCommerce variants without one)``: each
        variant is the Odoo product it is linked to, else the one with its attribute values.
        Variants Odoo just made for combinations BigCommerce does not have are archived."""
        odoo_variants = template.with_context(active_test=False).product_variant_ids
        fresh = odoo_variants.filtered(lambda p: p.id not in before)
        matched, used, missing = {}, set(existing[vid].id for vid in existing), []
        for variant in product.variants:
            odoo_variant = existing.get(variant.bc_variant_id)
            if not odoo_variant:
                wanted = {values[option].id for option in variant.options}
                candidates = odoo_variants.filtered(
                    lambda p, w=wanted: p.id not in used
                    and w <= set(p.product_template_attribute_value_ids.product_attribute_value_id.ids))
                odoo_variant = candidates.sorted(lambda p: (not p.active, p.id))[:1]
            if not odoo_variant:
                missing.append(variant)
                continue
            used.add(odoo_variant.id)
            matched[variant.bc_variant_id] = odoo_variant
            vals = {"default_code": variant.sku or False, "weight": float(variant.weight), "active": True}
            changed = {key: value for key, value in vals.items()
                       if odoo_variant._fields[key].convert_to_write(odoo_variant[key], odoo_variant) != value}
            if changed:
                odoo_variant.write(changed)
        fresh.filtered(lambda p: p.id not in used and p.active).write({"active": False})
        return matched, missing

    def _bigcommerce_set_price_extras(self, instance, template, product, values, label):
        """Variant prices through Odoo's own attribute value extras; a price they cannot give
        is said in a warning, never stored elsewhere."""
        extras, unexpressed = price_extras(product)
        digits = self.env["decimal.precision"].precision_get("Product Price")
        ptavs = template.attribute_line_ids.product_template_value_ids
        for option, extra in extras.items():
            ptav = ptavs.filtered(lambda ptav, v=values[option]: ptav.product_attribute_value_id == v)
            if ptav and float_compare(ptav.price_extra, float(extra), precision_digits=digits):
                ptav.price_extra = float(extra)
        if unexpressed:
            instance._log(_(
                "%(product)s: Odoo prices a variant as the product's price plus one extra per attribute value, which "
                "cannot give the BigCommerce price of %(variants)s. Odoo sells them at the prices shown in brackets; "
                "set a pricelist rule for them if they must match.", product=label, variants=", ".join(
                    self.env._("%(sku)s at %(price)s (%(odoo)s)", sku=variant.sku or variant.bc_variant_id,
                      price=decimal_text(variant.price),
                      odoo=decimal_text(product.price + sum(extras.get(option, 0) for option in variant.options)))
                    for variant in unexpressed)), level="warning")

    def _bigcommerce_save(self, instance, product, template, listing, matched, bindings, client):
        """The listing and its variants' mappings, with brand, categories and, given a
        ``client``, the images that changed since the last import."""
        brand = self.env["bc.brand"].search(
            [("instance_id", "=", instance.id), ("bc_id", "=", str(product.brand_id))]) if product.brand_id else None
        categories = self.env["bc.category"].search(
            [("instance_id", "=", instance.id), ("bc_id", "in", [str(c) for c in product.category_ids])])
        unknown = [str(c) for c in product.category_ids if str(c) not in categories.mapped("bc_id")]
        if product.brand_id and not brand:
            unknown.insert(0, _("brand %(id)s", id=product.brand_id))
        if unknown:
            instance._log(_("Product #%(id)s: the %(what)s are not in Odoo yet; use Update Store Data on the store, "
                            "then import the product again.", id=product.bc_product_id,
                            what=", ".join(unknown) if len(unknown) > 1 else unknown[0]), level="warning")
        vals = {"product_tmpl_id": template.id, "name": product.name, "sku": product.sku or False,
                "brand_id": brand.id if brand else False, "category_ids": [Command.set(categories.ids)],
                "last_sync": fields.Datetime.now()}
        if product.channel_ids is not None:
            vals["channel_ids"] = [Command.set(instance.channel_ids.filtered(
                lambda channel: channel.bc_id in {str(c) for c in product.channel_ids}).ids)]
        if client and product.image_url and product.image_url != listing.image_url:
            image = self._bigcommerce_download(instance, client, product.image_url)
            if image:
                template.image_1920 = image
                vals["image_url"] = product.image_url
        if listing:
            listing.write(vals)
        else:
            listing = self.create(dict(vals, instance_id=instance.id, bc_product_id=product.bc_product_id))
        for variant in product.variants:
            odoo_variant = matched.get(variant.bc_variant_id)
            if not odoo_variant:
                continue
            binding = bindings.get(variant.bc_variant_id)
            binding_vals = {"product_id": odoo_variant.id, "sku": variant.sku or False, "listing_id": listing.id}
            if client and variant.image_url and variant.image_url != (binding.image_url if binding else False):
                image = self._bigcommerce_download(instance, client, variant.image_url)
                if image:
                    odoo_variant.image_variant_1920 = image
                    binding_vals["image_url"] = variant.image_url
            if binding:
                changed = {key: value for key, value in binding_vals.items()
                           if binding._fields[key].convert_to_write(binding[key], binding) != value}
                if changed:
                    binding.write(changed)
            else:
                self.env["bc.product.binding"].create(dict(
                    binding_vals, instance_id=instance.id, bc_product_id=product.bc_product_id,
                    bc_variant_id=variant.bc_variant_id))
        return listing

    def _bigcommerce_download(self, instance, client, url):
        """The image at ``url`` as Odoo stores it, or None with a warning: a missing picture does
        not stop the import, and the next one tries again."""
        try:
            return base64.b64encode(client.download_image(url))
        except BigCommerceError as error:
            instance._log(_("An image was not imported: %(error)s The next import of the product tries again.",
                            error=translate(self.env, error.user_message)), level="warning")
            return None
