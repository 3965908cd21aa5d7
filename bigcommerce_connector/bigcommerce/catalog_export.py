"""Rules for exporting Odoo products to BigCommerce as listings: what to send, in batches the API
accepts, and which channels a listing ends up on (API-NOTES §8).

The Odoo side describes a product template as an ``ExportProduct`` of ``ExportVariant`` values
(prices as Decimal already rounded by Odoo's currency rules); everything here is plain data.
"""
import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .i18n import _lt
from .money import to_decimal

MAX_PRODUCT_BATCH = 10  # PR#updateProducts answers 413 beyond 10 products
MAX_VARIANT_BATCH = 50  # VA#updateVariantsBatch answers 413 beyond 50 variants
MAX_VARIANTS_PER_PRODUCT = 600  # VA: at most 600 SKUs per product
MAX_NAME_LENGTH = 250  # PR#createProduct
# BigCommerce's weight units (SI weight_units) per kilogram, Odoo's unit.
_PER_KG = {"LBS": Decimal("2.20462262"), "Ounces": Decimal("35.2739619"), "KGS": Decimal(1), "Grams": Decimal(1000),
           "Tonnes": Decimal("0.001")}


@dataclass(frozen=True)
class ExportVariant:
    key: int  # the Odoo product (variant) id
    sku: str
    price: Decimal
    weight: Decimal  # kg, as Odoo keeps it
    inventory_level: int = 0
    options: tuple = ()  # ((attribute name, value name), ...): empty for a product without attributes


@dataclass(frozen=True)
class ExportProduct:
    name: str
    description: str
    variants: tuple  # ExportVariant, in Odoo's order
    tracking: str = "none"  # none | product | variant, see ``inventory_tracking``
    categories: tuple = ()
    brand_id: int = None
    weight_unit: str = "LBS"
    decimals: int = 2

    @property
    def has_options(self):
        return any(variant.options for variant in self.variants)


def inventory_tracking(is_storable, has_options):
    """How BigCommerce tracks the stock of a product: not at all for a service or consumable,
    by variant when it has options, else as a whole."""
    if not is_storable:
        return "none"
    return "variant" if has_options else "product"


def money(value, decimals=2):
    """An amount (str, Decimal) rounded to the currency's decimals, as the exact number to send."""
    return to_decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def store_weight(kilograms, weight_unit):
    """Odoo's weight in kg in the store's unit (SI ``weight_units``), 4 decimals."""
    factor = _PER_KG.get(weight_unit, Decimal(1))
    return (to_decimal(kilograms or 0) * factor).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize()


def export_problems(product):
    """Why BigCommerce would refuse the product, before anything is sent: sentences to log."""
    problems = []
    if not product.variants:
        problems.append(_lt("%(name)s has no active variant.", name=product.name))
    missing = [variant.key for variant in product.variants if not (variant.sku or "").strip()]
    if missing:
        problems.append(_lt("%(name)s: %(count)s variant(s) have no Internal Reference. BigCommerce finds a "
                            "variant by its SKU: give every variant one.", name=product.name, count=len(missing)))
    seen, duplicates = set(), set()
    for variant in product.variants:
        sku = (variant.sku or "").casefold()
        if sku and sku in seen:
            duplicates.add(variant.sku)
        seen.add(sku)
    if duplicates:
        problems.append(_lt("%(name)s: the SKU(s) %(skus)s are used by several variants; BigCommerce needs them "
                            "unique, whatever the case.", name=product.name, skus=", ".join(sorted(duplicates))))
    if len(product.variants) > MAX_VARIANTS_PER_PRODUCT:
        problems.append(_lt("%(name)s has %(count)s variants; BigCommerce allows at most %(max)s per product.",
                            name=product.name, count=len(product.variants), max=MAX_VARIANTS_PER_PRODUCT))
    return problems


def _base_price(product):
    return min(money(variant.price, product.decimals) for variant in product.variants)


def product_body(product):
    """The body of PR#createProduct: the product and, when it has options, its variants, whose
    options BigCommerce creates from their ``option_values`` (display name and label)."""
    price = _base_price(product)
    body = {
        "name": product.name[:MAX_NAME_LENGTH],
        "type": "physical",
        "description": product.description or "",
        "weight": store_weight(product.variants[0].weight, product.weight_unit),
        "price": price,
        "inventory_tracking": product.tracking,
        "categories": [int(category) for category in product.categories],
    }
    if product.brand_id:
        body["brand_id"] = int(product.brand_id)
    if not product.has_options:
        body["sku"] = product.variants[0].sku
        if product.tracking == "product":
            body["inventory_level"] = max(int(product.variants[0].inventory_level), 0)
        return body
    if product.tracking == "product":
        body["inventory_level"] = sum(max(int(variant.inventory_level), 0) for variant in product.variants)
    body["variants"] = [_variant_body(product, variant, price) for variant in product.variants]
    return body


def _variant_body(product, variant, base_price):
    body = {
        "sku": variant.sku,
        "option_values": [{"option_display_name": name, "label": label} for name, label in variant.options],
        "weight": store_weight(variant.weight, product.weight_unit),
    }
    price = money(variant.price, product.decimals)
    if price != base_price:
        body["price"] = price
    if product.tracking == "variant":
        body["inventory_level"] = max(int(variant.inventory_level), 0)
    return body


def existing_product_id(found_variants, sku):
    """The BigCommerce product that already holds ``sku`` (variants read by that SKU, any case),
    or None. Exactly-once: a product whose creation answer was lost is found here and linked."""
    ids = {variant["product_id"] for variant in found_variants if (variant.get("sku") or "").casefold() == sku.casefold()}
    return ids.pop() if len(ids) == 1 else None


def with_base_variant(bc_product):
    """``bc_product`` as PR#createProduct answered, with its ``variants``: a product created without
    options may come without them, its one variant being the base variant (``base_variant_id``,
    the product's SKU). None when neither is there: the product must then be read."""
    if bc_product.get("variants"):
        return bc_product
    if not bc_product.get("base_variant_id") or not bc_product.get("sku"):
        return None
    return dict(bc_product, variants=[{"id": bc_product["base_variant_id"], "product_id": bc_product["id"],
                                       "sku": bc_product["sku"], "option_values": []}])


def variant_links(product, bc_product):
    """``[(ExportVariant, BigCommerce variant)]`` matched by SKU, case-insensitively, and the Odoo
    variants BigCommerce has no variant for. ``bc_product`` is the product with ``variants``."""
    by_sku = {(variant.get("sku") or "").casefold(): variant for variant in bc_product.get("variants") or ()}
    links, missing = [], []
    for variant in product.variants:
        match = by_sku.get(variant.sku.casefold())
        if match:
            links.append((variant, match))
        else:
            missing.append(variant)
    return links, missing


def listing_update(bc_product_id, product):
    """One product of PR#updateProducts (Update Listing): name, description, weight, SKU and
    inventory tracking. Categories and price are left alone (sending categories replaces them all)."""
    body = {
        "id": int(bc_product_id),
        "name": product.name[:MAX_NAME_LENGTH],
        "description": product.description or "",
        "weight": store_weight(product.variants[0].weight, product.weight_unit),
        "inventory_tracking": product.tracking,
    }
    if not product.has_options:
        body["sku"] = product.variants[0].sku
    return body


def variant_updates(product, bc_variant_ids):
    """Variants of VA#updateVariantsBatch (Update Listing): each bound variant's SKU and weight.
    ``bc_variant_ids``: Odoo variant key -> BigCommerce variant id."""
    return [{"id": int(bc_variant_ids[variant.key]), "sku": variant.sku,
             "weight": store_weight(variant.weight, product.weight_unit)}
            for variant in product.variants if variant.key in bc_variant_ids]


def new_variants(product, bc_product, bound_keys):
    """Update Listing: the Odoo variants of a product with options that no mapping covers, split into
    those BigCommerce already has by SKU (a retry after a lost answer, or the merchant's own: link
    them) and those to create, each with its VA#createProductVariant body (no price: the variant
    inherits the product's until Export Prices). ``bc_product``: the product with ``variants``.
    Returns ``([(ExportVariant, BigCommerce variant)], [(ExportVariant, body)])``."""
    if not product.has_options:
        return [], []  # a product without options has only its base variant, made with it
    links, missing = variant_links(product, bc_product)
    to_link = [(variant, bc_variant) for variant, bc_variant in links if variant.key not in bound_keys]
    to_create = []
    for variant in missing:
        if variant.key in bound_keys:
            continue  # mapped already: whatever happened to it in BigCommerce, adding it is not ours to do
        body = {
            "sku": variant.sku,
            "option_values": [{"option_display_name": name, "label": label} for name, label in variant.options],
            "weight": store_weight(variant.weight, product.weight_unit),
        }
        if product.tracking == "variant":
            body["inventory_level"] = max(int(variant.inventory_level), 0)
        to_create.append((variant, body))
    return to_link, to_create


def missing_option_values(bc_options, option_values):
    """What VO must create before a variant can use ``option_values`` (``[{option_display_name,
    label}]``): BigCommerce's createProductVariant takes only existing option values. Returns
    ``(options to create as {display name: [labels]}, values to add as [(option id, label)])``,
    matched case-insensitively as BigCommerce does."""
    by_name = {(option.get("display_name") or "").casefold(): option for option in bc_options}
    new_options, new_values = {}, []
    for value in option_values:
        name, label = value["option_display_name"], value["label"]
        option = by_name.get(name.casefold())
        if option is None:
            labels = new_options.setdefault(name, [])
            if label.casefold() not in {known.casefold() for known in labels}:
                labels.append(label)
        elif label.casefold() not in {(known.get("label") or "").casefold() for known in option.get("option_values") or ()}:
            if (option["id"], label.casefold()) not in {(oid, known.casefold()) for oid, known in new_values}:
                new_values.append((option["id"], label))
    return new_options, new_values


def option_value_refs(bc_options, option_values):
    """``option_values`` with the ids of the product's options and values (VA#createProductVariant),
    or None when one is not in ``bc_options`` yet."""
    by_name = {(option.get("display_name") or "").casefold(): option for option in bc_options}
    refs = []
    for value in option_values:
        option = by_name.get(value["option_display_name"].casefold())
        known = next((known for known in (option or {}).get("option_values") or ()
                      if (known.get("label") or "").casefold() == value["label"].casefold()), None)
        if known is None:
            return None
        refs.append({"option_display_name": option["display_name"], "label": known["label"],
                     "option_id": option["id"], "id": known["id"]})
    return refs


def option_renames(product, bc_variant_ids, bc_variants):
    """Update Listing: the option display names and value labels BigCommerce must change for its mapped
    variants to read as their Odoo variants again (an attribute or a value renamed since the export).
    ``bc_variant_ids``: Odoo variant key -> BigCommerce variant id; ``bc_variants``: those variants as
    BigCommerce has them (``option_values`` {option_id, id, label, option_display_name}). An attribute is
    the option of its name (any case), else the variant's one option left unpaired; an option or value
    that two variants would name differently is left alone. Only what differs is returned, as
    ``({option id: display name}, {(option id, value id): label})``."""
    by_id = {variant["id"]: variant for variant in bc_variants}
    names, labels, current = {}, {}, {}
    for variant in product.variants:
        bc_variant = by_id.get(bc_variant_ids.get(variant.key))
        for (name, label), value in _paired_options(variant.options, (bc_variant or {}).get("option_values") or ()):
            names.setdefault(value["option_id"], set()).add(name)
            labels.setdefault((value["option_id"], value["id"]), set()).add(label)
            current[value["option_id"]] = value.get("option_display_name") or ""
            current[value["option_id"], value["id"]] = value.get("label") or ""
    return ({option_id: next(iter(wanted)) for option_id, wanted in names.items()
             if len(wanted) == 1 and wanted != {current[option_id]}},
            {key: next(iter(wanted)) for key, wanted in labels.items() if len(wanted) == 1 and wanted != {current[key]}})


def _paired_options(options, bc_values):
    """``[((attribute, value), BigCommerce option value)]``: by option name, then an attribute renamed
    pairs with the option left over, when one of each is left (more would be a guess)."""
    odoo, bc = list(options), list(bc_values)
    pairs = []
    for name, label in options:
        match = next((value for value in bc if (value.get("option_display_name") or "").casefold() == name.casefold()), None)
        if match is not None:
            pairs.append(((name, label), match))
            odoo.remove((name, label))
            bc.remove(match)
    if len(odoo) == len(bc) == 1:
        pairs.append((odoo[0], bc[0]))
    return pairs


def option_value_update(value, label):
    """The body of VO#updateProductVariantOptionValue renaming ``value`` (as VO#getProductVariantOptions
    reads it): ``label`` and ``sort_order`` are required, the order is kept."""
    return {"id": int(value["id"]), "label": label, "sort_order": int(value.get("sort_order") or 0)}


def option_update(option, display_name):
    """The body of VO#updateProductVariantOption renaming ``option`` (as VO#getProductVariantOptions reads
    it): ``product_id``, ``display_name``, ``type`` and ``option_values`` are required; its values are
    sent as they are."""
    return {"id": int(option["id"]), "product_id": int(option["product_id"]), "display_name": display_name,
            "type": option["type"], "option_values": [option_value_update(value, value["label"])
                                                      for value in option.get("option_values") or ()]}


def removed_variants(bound, active_keys, bc_variants):
    """Update Listing: what becomes of the mappings whose Odoo variant is no longer active on the template
    (a value removed from an attribute line archives its variants). ``bound``: {BigCommerce variant id:
    Odoo variant key} of the listing; ``bc_variants``: the product's variants as BigCommerce has them.
    Returns ``(ids to delete, ids BigCommerce no longer has: only the mapping goes, id kept or None)``:
    a product is never left without variants, so when all would go the last one is kept. Variants no
    mapping names (the merchant's own) are never touched, nor the base variant of a product without
    options (it is the product)."""
    if any(not variant.get("option_values") for variant in bc_variants):
        return [], [], None
    present = {variant["id"] for variant in bc_variants}
    removed = sorted(bc_id for bc_id, key in bound.items() if key not in active_keys)
    to_delete = [bc_id for bc_id in removed if bc_id in present]
    kept = to_delete.pop() if to_delete and len(to_delete) == len(present) else None
    return to_delete, [bc_id for bc_id in removed if bc_id not in present], kept


def unused_option_values(deleted, remaining):
    """``[(option id, value id)]`` the ``deleted`` variants used and none of ``remaining`` uses. BigCommerce
    offers every value of an option on the storefront, so a value left without a variant would be a
    choice that cannot be bought."""
    used = {(value["option_id"], value["id"]) for variant in remaining for value in variant.get("option_values") or ()}
    return sorted({(value["option_id"], value["id"]) for variant in deleted
                   for value in variant.get("option_values") or ()} - used)


def batches(items, size):
    """``items`` in consecutive lists of at most ``size``."""
    items = list(items)
    return [items[start:start + size] for start in range(0, len(items), size)]


def channel_assignments(product_ids, channel_ids):
    """The body of PR#createProductsChannelAssignments: every product on every channel."""
    return [{"product_id": int(product_id), "channel_id": int(channel_id)}
            for product_id in product_ids for channel_id in sorted({int(channel) for channel in channel_ids})]


def pending_assignments(pending):
    """The body of PR#createProductsChannelAssignments for products each on channels of their own:
    ``pending`` is {product id: channel ids}; in product order, so that chunks are stable."""
    return [row for product_id in sorted(pending, key=int) for row in channel_assignments([product_id], pending[product_id])]


def published_channels(current, chosen):
    """Publish adds the chosen channels and keeps the others."""
    return set(current) | set(chosen)


def unpublished_channels(current, chosen):
    """Unpublish removes only the chosen channels."""
    return set(current) - set(chosen)


def image_key(data):
    """What identifies an image's content across runs: its bytes' SHA-1, shortened."""
    return hashlib.sha1(data).hexdigest()[:16]


def image_mimetype(data):
    """The type of an image from its first bytes (Odoo keeps images as bytes without a type)."""
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "image/jpeg"


def image_filename(key, mimetype):
    """The file name an image is uploaded under; BigCommerce keeps it in ``image_file``, so that a
    retry recognises an image it already uploaded (``has_image``)."""
    extension = {"image/png": "png", "image/gif": "gif", "image/webp": "webp"}.get(mimetype, "jpg")
    return f"odoo-{key}.{extension}"


def has_image(images, key):
    """Whether one of a product's images (PR#getProductImages) is the upload of ``key``."""
    return any(f"odoo-{key}" in (image.get("image_file") or "") for image in images)


def variant_images(images, variant_keys):
    """Which image each variant gets: BigCommerce allows one image per variant, so each variant
    gets the first of ``images`` (``[(image key, keys of the variants it shows)]``, in order)
    that matches it; a variant no image matches gets none."""
    chosen = {}
    for key, matching in images:
        for variant_key in matching:
            if variant_key in variant_keys:
                chosen.setdefault(variant_key, key)
    return chosen
