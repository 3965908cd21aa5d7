"""BigCommerce products (PR#getProducts with ``include=variants,images``) as Odoo products.

What to import and how: whether a product is skipped, its attributes and values (read from its
variants' ``option_values``, so that a page holds 250 products: ``include=options`` would cap it
at 10), each variant's SKU, price, weight and image, the price differences Odoo's attribute
value extras can express, and which existing Odoo product a SKU links to. Prices are Decimal.
"""
from dataclasses import dataclass
from decimal import Decimal

from .i18n import _lt
from .money import to_decimal

TRACKED = frozenset({"product", "variant"})

class CatalogError(ValueError):
    """A product Odoo cannot import as BigCommerce describes it; ``args[0]`` (a ``Text``) says why."""

@dataclass(frozen=True)
class Variant:
    bc_variant_id: int
    sku: str
    options: tuple  # ((attribute name, value name), ...) in the product's attribute order; () for a base variant
    price: Decimal  # effective: the product's when the variant has none
    weight: Decimal
    image_url: str = ""

@dataclass(frozen=True)
class Product:
    bc_product_id: int
    name: str
    sku: str
    description: str
    price: Decimal
    weight: Decimal
    is_storable: bool
    brand_id: int  # 0: no brand
    category_ids: tuple
    channel_ids: tuple  # None: the listing did not include them
    image_url: str
    attributes: tuple  # ((attribute name, (value name, ...)), ...)
    variants: tuple  # of Variant

    def variant_named(self, sku):
        return next((variant for variant in self.variants if variant.sku == sku), None)

def skip_reason(data):
    """Why a product is not imported (a ``Text``), or None. BigCommerce has no draft state: a
    product the merchant keeps out of the store is hidden (``is_visible: false``) or its
    purchasability is ``disabled`` (PR §product_Full)."""
    if data.get("is_visible") is False:
        return _lt("it is hidden in BigCommerce (not visible on the storefront)")
    if data.get("availability") == "disabled":
        return _lt("its purchasability is disabled in BigCommerce (it cannot be bought)")
    return None

def main_image_url(images):
    """The URL of the product's thumbnail image (else its first by sort order), or ""."""
    images = sorted(images or (), key=lambda image: (not image.get("is_thumbnail"), image.get("sort_order") or 0,
                                                     image.get("id") or 0))
    for image in images:
        url = image.get("url_zoom") or image.get("url_standard") or image.get("image_url")
        if url:
            return url
    return ""

def _clean(value):
    return (value or "").strip() if isinstance(value, str) else ""

def parse_product(data):
    """A ``Product`` from a PR product read with ``INCLUDE``. Raises CatalogError for one Odoo
    cannot hold: no variants, a variant without a value for one of the options, or two
    variants (or two SKUs) that would be the same Odoo variant."""
    product_id = int(data["id"])
    name = _clean(data.get("name")) or _lt("BigCommerce product %(id)s", id=product_id)
    rows = data.get("variants")
    if not rows:
        raise CatalogError(_lt("BigCommerce sent product %(id)s without its variants.", id=product_id))
    price = to_decimal(data.get("price")) or Decimal(0)
    weight = to_decimal(data.get("weight")) or Decimal(0)
    attributes = {}  # name -> [values], in the order the variants show them
    variants, combinations, skus = [], {}, {}
    for row in rows:
        options = []
        for value in row.get("option_values") or ():
            attribute, label = _clean(value.get("option_display_name")), _clean(value.get("label"))
            if not attribute or not label:
                raise CatalogError(_lt("Variant %(sku)s of %(product)s has an option without a name or a value.",
                                       sku=row.get("sku") or row.get("id"), product=name))
            values = attributes.setdefault(attribute, [])
            if label not in values:
                values.append(label)
            options.append((attribute, label))
        sku = _clean(row.get("sku"))
        variant_price = to_decimal(row.get("price"))
        variant_weight = to_decimal(row.get("weight"))
        variants.append(Variant(
            bc_variant_id=int(row["id"]), sku=sku, options=tuple(options),
            price=price if variant_price is None else variant_price,
            weight=weight if variant_weight is None else variant_weight,
            image_url=_clean(row.get("image_url")),
        ))
        if sku and sku.casefold() in skus:
            raise CatalogError(_lt("%(product)s has the SKU %(sku)s on two variants.", product=name, sku=sku))
        skus[sku.casefold()] = sku
    order = list(attributes)
    for variant in variants:
        if {attribute for attribute, _value in variant.options} != set(order) or len(variant.options) != len(order):
            raise CatalogError(_lt(
                "Variant %(sku)s of %(product)s does not have one value of each option (%(options)s): "
                "Odoo variants combine one value of every attribute.",
                sku=variant.sku or variant.bc_variant_id, product=name, options=", ".join(order)))
        key = frozenset(variant.options)
        if key in combinations:
            raise CatalogError(_lt("Variants %(first)s and %(second)s of %(product)s have the same option values.",
                                   first=combinations[key], second=variant.sku or variant.bc_variant_id, product=name))
        combinations[key] = variant.sku or variant.bc_variant_id
    variants = [Variant(v.bc_variant_id, v.sku, tuple(sorted(v.options, key=lambda o: order.index(o[0]))),
                        v.price, v.weight, v.image_url) for v in variants]
    return Product(
        bc_product_id=product_id, name=name, sku=_clean(data.get("sku")), description=data.get("description") or "",
        price=price, weight=weight, is_storable=data.get("inventory_tracking") in TRACKED,
        brand_id=int(data.get("brand_id") or 0), category_ids=tuple(int(c) for c in data.get("categories") or ()),
        channel_ids=tuple(int(c) for c in data["channels"]) if data.get("channels") is not None else None,
        image_url=main_image_url(data.get("images")),
        attributes=tuple((attribute, tuple(values)) for attribute, values in attributes.items()),
        variants=tuple(variants),
    )

def price_extras(product):
    """``(extras, unexpressed)``: the extra price of each (attribute, value) over the product's
    price, as Odoo adds them up for a variant (``price_extra`` of its attribute values), and the
    variants whose BigCommerce price no such sum gives (when prices do not add up per option,
    e.g. only Large Red costs more)."""
    if not product.attributes:
        return {}, tuple(variant for variant in product.variants if variant.price != product.price)
    difference = {variant.bc_variant_id: variant.price - product.price for variant in product.variants}
    # The first variant fixes the origin: its first value takes its whole difference, its
    # other values none. Each variant that lacks one value's extra then gives it, until none does.
    first = product.variants[0]
    extras = {option: Decimal(0) for option in first.options[1:]}
    extras[first.options[0]] = difference[first.bc_variant_id]
    progress = True
    while progress:
        progress = False
        for variant in product.variants:
            unknown = [option for option in variant.options if option not in extras]
            if len(unknown) == 1:
                extras[unknown[0]] = difference[variant.bc_variant_id] - sum(
                    (extras[option] for option in variant.options if option in extras), Decimal(0))
                progress = True
    for attribute, values in product.attributes:
        for value in values:
            extras.setdefault((attribute, value), Decimal(0))
    unexpressed = tuple(variant for variant in product.variants
                        if sum((extras[option] for option in variant.options), Decimal(0))
                        != difference[variant.bc_variant_id])
    return extras, unexpressed

def linked_product(sku, candidates):
    """The id of the Odoo product a BigCommerce variant of ``sku`` links to, None to create one.
    ``candidates``: ``(id, display name)`` of the Odoo products with that SKU and no mapping for
    the store. Two or more: CatalogError naming them, since picking one would be a guess."""
    if len(candidates) > 1:
        raise CatalogError(_lt(
            "Several Odoo products have the SKU %(sku)s: %(products)s. Give all but one another Internal "
            "Reference (or archive them), then use Retry on this queue line.",
            sku=sku, products=", ".join(name for _id, name in candidates)))
    return candidates[0][0] if candidates else None

def linked_template(product, templates):
    """The id of the one Odoo product template the BigCommerce ``product``'s already known
    variants belong to (``templates``: ``{template id: display name}``), None when none is
    known. Variants spread over several templates: CatalogError naming them."""
    if len(templates) > 1:
        raise CatalogError(_lt(
            "The variants of %(product)s are already different products in Odoo: %(templates)s. Odoo keeps one "
            "BigCommerce product as one product with variants: merge them or change their Internal References, "
            "then use Retry on this queue line.", product=product.name, templates=", ".join(templates.values())))
    return next(iter(templates), None)

def combination_conflicts(variant, combination):
    """Whether an existing Odoo variant with attribute values ``combination`` ((attribute, value)
    pairs) cannot be the BigCommerce ``variant`` without changing what it is. A base variant
    (no options) fits any product."""
    if not variant.options:
        return False
    ours = {(attribute.casefold(), value.casefold()) for attribute, value in variant.options}
    return ours != {(attribute.casefold(), value.casefold()) for attribute, value in combination}
