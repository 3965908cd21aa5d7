"""Catalog writes of the sandbox (what a catalog export sends): create a product with its variants
and options, batch product and variant updates, option and value renames, variant and option value
deletes, product and variant images, channel assignments.

Variants added later take existing option values only (VA#createProductVariant; VO creates
options and values). Validation follows PR / VA (API-NOTES §8): required fields, names and SKUs unique (SKUs across
products and variants, case-insensitive: 409), at most 600 variants per product (422), at most 10
products (413) or 50 variants (413) per batch. Handlers get ``(store, req, *path_ids)`` like
``api``'s and are routed by ``ROUTES`` (added to ``api.ROUTES``).
"""
from . import seed
from .store import ApiError

MAX_VARIANTS = 600
PRODUCT_FIELDS = {"name", "type", "sku", "description", "weight", "width", "depth", "height", "price", "cost_price",
                  "retail_price", "sale_price", "map_price", "tax_class_id", "categories", "brand_id", "inventory_level",
                  "inventory_warning_level", "inventory_tracking", "is_visible", "availability", "upc", "mpn", "gtin"}
NUMBER_FIELDS = ("weight", "width", "depth", "height", "price", "cost_price", "retail_price", "sale_price", "map_price")
TRACKING = ("none", "product", "variant")
VARIANT_BATCH_EXTRA = {"sku", "weight", "inventory_level", "image_url"}


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _taken_skus(store, ignore_products=(), ignore_variants=()):
    skus = {p["sku"].lower(): p["id"] for p in store.products.values() if p["sku"] and p["id"] not in ignore_products}
    skus.update({v["sku"].lower(): v["product_id"] for v in store.variants.values()
                 if v["sku"] and v["id"] not in ignore_variants and v["product_id"] not in ignore_products})
    return skus


def _check_product(store, item, creating, pid=None):
    """The 422/409 BigCommerce answers for a product body (``pid``: the product updated)."""
    if creating:
        missing = [key for key in ("name", "type", "weight", "price") if key not in item]
        if missing:
            raise ApiError(422, "The required field(s) %s are missing." % ", ".join(missing),
                           errors={key: "required" for key in missing}, title="JSON data is missing or invalid")
    if "name" in item and (not isinstance(item["name"], str) or not 1 <= len(item["name"]) <= 250):
        raise ApiError(422, "name must be 1 to 250 characters.", errors={"name": "length"})
    if "type" in item and item["type"] not in ("physical", "digital"):
        raise ApiError(422, "type must be physical or digital.", errors={"type": "enum"})
    for key in NUMBER_FIELDS:
        if key in item and not _is_number(item[key]):
            raise ApiError(422, "%s must be a number." % key, errors={key: "number"})
    if "inventory_tracking" in item and item["inventory_tracking"] not in TRACKING:
        raise ApiError(422, "inventory_tracking must be none, product or variant.", errors={"inventory_tracking": "enum"})
    if "name" in item and any(p["name"].lower() == item["name"].lower() and p["id"] != pid for p in store.products.values()):
        raise ApiError(409, "The product name is a duplicate.", errors={"name": "duplicate"},
                       title="A product with the name '%s' already exists." % item["name"])
    known_categories = {c[0] for c in seed.CATEGORIES}
    unknown = [c for c in item.get("categories") or () if c not in known_categories]
    if unknown:
        raise ApiError(409, "Category %s does not exist." % unknown[0], errors={"categories": "invalid"},
                       title="Invalid category id %s." % unknown[0])
    if item.get("brand_id") and item["brand_id"] not in {b["id"] for b in seed.BRANDS}:
        raise ApiError(409, "Brand %s does not exist." % item["brand_id"], errors={"brand_id": "invalid"},
                       title="Invalid brand id %s." % item["brand_id"])


def _check_skus(skus, taken):
    seen = set()
    for sku in skus:
        if not isinstance(sku, str) or not 1 <= len(sku) <= 255:
            raise ApiError(422, "sku must be 1 to 255 characters.", errors={"sku": "length"})
        if sku.lower() in taken or sku.lower() in seen:
            raise ApiError(409, "The SKU is a duplicate.", errors={"sku": "duplicate"},
                           title="Sku '%s' is not unique." % sku)
        seen.add(sku.lower())


def _next_id(records, start):
    return max([start - 1, *records]) + 1


def _product_record(store, pid, item):
    stamp = seed.iso(store.now())
    price = item["price"]
    return {
        "id": pid, "name": item["name"], "type": item["type"], "sku": item.get("sku") or "",
        "description": item.get("description") or "", "weight": item["weight"], "width": item.get("width", 0),
        "depth": item.get("depth", 0), "height": item.get("height", 0), "price": price,
        "cost_price": item.get("cost_price", 0), "retail_price": item.get("retail_price", 0),
        "sale_price": item.get("sale_price", 0), "map_price": item.get("map_price", 0),
        "tax_class_id": item.get("tax_class_id", 0), "product_tax_code": "", "categories": list(item.get("categories") or []),
        "brand_id": item.get("brand_id") or 0, "inventory_level": item.get("inventory_level", 0),
        "inventory_warning_level": item.get("inventory_warning_level", 0),
        "inventory_tracking": item.get("inventory_tracking", "none"), "fixed_cost_shipping_price": 0,
        "is_free_shipping": False, "is_visible": item.get("is_visible", True), "is_featured": False,
        "related_products": [], "warranty": "", "bin_picking_number": "", "layout_file": "product.html",
        "upc": item.get("upc", ""), "search_keywords": "", "availability_description": "",
        "availability": item.get("availability", "available"), "gift_wrapping_options_type": "any",
        "gift_wrapping_options_list": [], "sort_order": 0, "condition": "New", "is_condition_shown": False,
        "order_quantity_minimum": 0, "order_quantity_maximum": 0, "page_title": "", "meta_keywords": [],
        "meta_description": "", "view_count": 0, "preorder_message": "", "is_preorder_only": False,
        "is_price_hidden": False, "price_hidden_label": "",
        "custom_url": {"url": seed.slug(item["name"]), "is_customized": False}, "open_graph_type": "product",
        "open_graph_title": "", "open_graph_description": "", "open_graph_use_meta_description": True,
        "open_graph_use_product_name": True, "open_graph_use_image": True, "gtin": item.get("gtin", ""),
        "mpn": item.get("mpn", ""), "reviews_rating_sum": 0, "reviews_count": 0, "total_sold": 0,
        "date_created": stamp, "date_modified": stamp, "calculated_price": price, "option_set_display": "right",
        "channels": [],  # a product created through the API is on no channel until it is assigned
    }


def _variant_record(product, vid, item, option_values):
    price = item.get("price")
    return {
        "id": vid, "product_id": product["id"], "sku": item["sku"], "sku_id": vid + 1000,
        "price": price if price is not None else product["price"],
        "calculated_price": price if price is not None else product["price"],
        "sale_price": 0, "retail_price": 0, "map_price": 0, "cost_price": 0,
        "weight": item.get("weight", product["weight"]), "width": 0, "height": 0, "depth": 0,
        "is_free_shipping": False, "fixed_cost_shipping_price": 0, "purchasing_disabled": False,
        "purchasing_disabled_message": "", "image_url": "", "upc": "", "mpn": "", "gtin": "",
        "inventory_level": item.get("inventory_level", 0), "inventory_warning_level": 0, "bin_picking_number": "",
        "option_values": option_values,
    }


def _options_for(store, pid, variants):
    """The product's variant options, created from its variants' ``option_values`` (display name and
    label): one option per display name, one value per label, as BigCommerce does. Returns each
    variant's option values in the variant shape."""
    options = store.catalog_options
    next_option = _next_id([o["id"] for o in options.values()], 1001)
    next_value = _next_id([v["id"] for o in options.values() for v in o["option_values"]], 5001)
    by_name, result = {}, []
    for item in variants:
        values = []
        for ov in item.get("option_values") or ():
            if not isinstance(ov, dict) or not ov.get("option_display_name") or not ov.get("label"):
                raise ApiError(422, "Each option value needs option_display_name and label.",
                               errors={"variants.option_values": "invalid"})
            option = by_name.get(ov["option_display_name"].lower())
            if option is None:
                option = {"id": next_option, "product_id": pid, "display_name": ov["option_display_name"],
                          "type": "rectangles", "sort_order": len(by_name), "option_values": []}
                next_option += 1
                by_name[ov["option_display_name"].lower()] = option
            value = next((v for v in option["option_values"] if v["label"].lower() == ov["label"].lower()), None)
            if value is None:
                value = {"id": next_value, "label": ov["label"], "sort_order": len(option["option_values"]),
                         "is_default": False, "value_data": {}}
                next_value += 1
                option["option_values"].append(value)
            values.append({"id": value["id"], "label": value["label"], "option_id": option["id"],
                           "option_display_name": option["display_name"]})
        if not values:
            raise ApiError(422, "A variant of a product with options needs option_values.",
                           errors={"variants.option_values": "required"})
        result.append(values)
    for option in by_name.values():
        options[option["id"]] = option
    return result


def create_product(store, req):
    """PR#createProduct: one product, with its ``variants`` (their options created) or as a simple product."""
    item = req.json()
    if not isinstance(item, dict):
        raise ApiError(422, "The request body must be a product object.", errors={"body": "object"})
    unknown = set(item) - PRODUCT_FIELDS - {"variants", "images", "custom_fields"}
    if unknown:
        raise ApiError(422, "Unknown field(s) %s." % ", ".join(sorted(unknown)), errors={k: "unknown" for k in unknown})
    _check_product(store, item, creating=True)
    variants = item.get("variants") or []
    if not isinstance(variants, list):
        raise ApiError(422, "variants must be an array.", errors={"variants": "array"})
    if len(variants) > MAX_VARIANTS:
        raise ApiError(422, "A product can have at most %d variants (SKUs)." % MAX_VARIANTS,
                       errors={"variants": "too many"}, title="The product has too many variants (%d, at most %d)."
                       % (len(variants), MAX_VARIANTS))
    skus = ([item["sku"]] if item.get("sku") else []) + [v.get("sku") if isinstance(v, dict) else None for v in variants]
    _check_skus(skus, _taken_skus(store))
    for key in NUMBER_FIELDS:
        for v in variants:
            if key in v and v[key] is not None and not _is_number(v[key]):
                raise ApiError(422, "variants.%s must be a number." % key, errors={"variants." + key: "number"})
    pid = _next_id(store.products, 80001)
    product = _product_record(store, pid, item)
    option_values = _options_for(store, pid, variants) if variants else []
    store.products[pid] = product
    vid = _next_id(store.variants, 180001)
    created = []
    if variants:
        for n, (v, values) in enumerate(zip(variants, option_values, strict=True)):
            store.variants[vid + n] = _variant_record(product, vid + n, v, values)
            created.append(store.variants[vid + n])
    else:
        product["base_variant_id"] = vid
        store.variants[vid] = _variant_record(product, vid, {"sku": product["sku"], "inventory_level":
                                                            product["inventory_level"]}, [])
        created.append(store.variants[vid])
    data = {k: v for k, v in product.items() if k != "channels"}
    data["variants"] = [dict(v) for v in created]
    return 200, {"data": data, "meta": {}}


def update_products(store, req):
    """PR#updateProducts: at most 10 products, each by id; everything is checked before anything changes."""
    body = req.json()
    if not isinstance(body, list) or not body:
        raise ApiError(422, "The request body must be a list of products.", errors={"body": "list required"})
    if len(body) > 10:
        raise ApiError(413, "The request payload is too large. The maximum items allowed in the array is 10.")
    for item in body:
        if not isinstance(item, dict) or item.get("id") not in store.products:
            raise ApiError(404, "Product %s was not found." % (item.get("id") if isinstance(item, dict) else item),
                           title="Not Found")
        unknown = set(item) - PRODUCT_FIELDS - {"id"}
        if unknown:
            raise ApiError(422, "Unknown field(s) %s." % ", ".join(sorted(unknown)), errors={k: "unknown" for k in unknown})
        _check_product(store, item, creating=False, pid=item["id"])
        if item.get("sku"):
            product = store.products[item["id"]]
            _check_skus([item["sku"]], _taken_skus(store, ignore_products={item["id"]}) | {
                v["sku"].lower(): 0 for v in store.variants.values()
                if v["product_id"] == item["id"] and v["id"] != product.get("base_variant_id")})
    stamp = seed.iso(store.now())
    for item in body:
        product = store.products[item["id"]]
        product.update({k: v for k, v in item.items() if k != "id"})
        product["date_modified"] = stamp
        if "price" in item:
            product["calculated_price"] = item["price"]
        base = store.variants.get(product.get("base_variant_id"))
        if base and "sku" in item:
            base["sku"] = item["sku"]
    return 200, {"data": [{k: v for k, v in store.products[item["id"]].items() if k != "channels"} for item in body],
                 "meta": {}}


def check_variant_batch(store, body):
    """The variant batch's fields beyond prices (``api.update_variants``): SKUs unique, weight a number."""
    ids = {item["id"] for item in body}
    new_skus = [item["sku"] for item in body if "sku" in item]
    if new_skus:
        # A base variant's SKU is its product's: changing one is not a clash with the other.
        bases = {p["id"] for p in store.products.values() if p.get("base_variant_id") in ids}
        _check_skus(new_skus, _taken_skus(store, ignore_products=bases, ignore_variants=ids))
    for item in body:
        if "weight" in item and item["weight"] is not None and not _is_number(item["weight"]):
            raise ApiError(422, "weight must be a number.", errors={"weight": "number"})
        if "inventory_level" in item and not isinstance(item["inventory_level"], int):
            raise ApiError(422, "inventory_level must be an integer.", errors={"inventory_level": "integer"})


def _product_options(store, pid):
    """The product's variant options (VO §productOption_Full); a seeded product's are made, once,
    from its variants' option values."""
    options = [o for o in store.catalog_options.values() if o["product_id"] == pid]
    if options:
        return sorted(options, key=lambda o: o["sort_order"])
    made = {}
    for v in sorted(store.variants.values(), key=lambda v: v["id"]):
        if v["product_id"] != pid:
            continue
        for ov in v["option_values"]:
            option = made.setdefault(ov["option_id"], {"id": ov["option_id"], "product_id": pid,
                                                       "display_name": ov["option_display_name"], "type": "rectangles",
                                                       "sort_order": len(made), "option_values": []})
            if all(value["id"] != ov["id"] for value in option["option_values"]):
                option["option_values"].append({"id": ov["id"], "label": ov["label"], "is_default": False,
                                                "sort_order": len(option["option_values"]), "value_data": {}})
    store.catalog_options.update(made)
    return list(made.values())


def _option_out(option):
    return dict(option, option_values=[dict(v) for v in option["option_values"]])


def product_options(store, req, pid):
    """VO#getProductVariantOptions."""
    _product_or_404(store, pid)
    from .api import v3_list
    return v3_list(req, _product_options(store, int(pid)), transform=_option_out)


def _labels(values):
    if not isinstance(values, list) or not values or not all(
            isinstance(v, dict) and isinstance(v.get("label"), str) and v["label"] and isinstance(v.get("sort_order"), int)
            for v in values):
        raise ApiError(422, "option_values needs at least one value, each with label and sort_order.",
                       errors={"option_values": "invalid"}, title="JSON data is missing or invalid")
    return values


def create_option(store, req, pid):
    """VO#createProductVariantOption: an option with its values; it creates no variant. A second
    option of the same display name is a 409."""
    product = _product_or_404(store, pid)
    item = req.json()
    if not isinstance(item, dict) or not isinstance(item.get("display_name"), str) or not 1 <= len(item["display_name"]) <= 255:
        raise ApiError(422, "display_name must be 1 to 255 characters.", errors={"display_name": "required"},
                       title="JSON data is missing or invalid")
    if item.get("type") not in ("radio_buttons", "rectangles", "dropdown", "product_list", "product_list_with_images",
                                "swatch"):
        raise ApiError(422, "type is invalid.", errors={"type": "enum"}, title="JSON data is missing or invalid")
    values = _labels(item.get("option_values"))
    with store.lock:
        options = _product_options(store, product["id"])
        if any(o["display_name"].lower() == item["display_name"].lower() for o in options):
            raise ApiError(409, "The option name is a duplicate.", errors={"display_name": "duplicate"},
                           title="An option named '%s' already exists on the product." % item["display_name"])
        oid = _next_id(store.catalog_options, 1001)
        next_value = _next_id([v["id"] for o in store.catalog_options.values() for v in o["option_values"]], 5001)
        store.catalog_options[oid] = {
            "id": oid, "product_id": product["id"], "display_name": item["display_name"], "type": item["type"],
            "sort_order": item.get("sort_order", len(options)), "option_values": [
                {"id": next_value + n, "label": v["label"], "sort_order": v["sort_order"],
                 "is_default": bool(v.get("is_default")), "value_data": v.get("value_data") or {}} for n, v in enumerate(values)]}
        return 200, {"data": _option_out(store.catalog_options[oid]), "meta": {}}


def create_option_value(store, req, pid, oid):
    """VO#createProductVariantOptionValue: label and sort_order required (422), at most 250 values."""
    product = _product_or_404(store, pid)
    with store.lock:
        option = next((o for o in _product_options(store, product["id"]) if o["id"] == int(oid)), None)
        if option is None:
            raise ApiError(404, "The option was not found.", title="Not Found")
        value = _labels([req.json()])[0]
        if any(v["label"].lower() == value["label"].lower() for v in option["option_values"]):
            raise ApiError(422, "The option value label is a duplicate.", errors={"label": "duplicate"},
                           title="The option already has the value '%s'." % value["label"])
        if len(option["option_values"]) >= 250:
            raise ApiError(422, "An option has at most 250 values.", errors={"option_values": "too many"})
        vid = _next_id([v["id"] for o in store.catalog_options.values() for v in o["option_values"]], 5001)
        option["option_values"].append({"id": vid, "label": value["label"], "sort_order": value["sort_order"],
                                        "is_default": bool(value.get("is_default")), "value_data": value.get("value_data") or {}})
        return 200, {"data": dict(option["option_values"][-1]), "meta": {}}


def _option_or_404(store, pid, oid):
    option = next((o for o in _product_options(store, _product_or_404(store, pid)["id"]) if o["id"] == int(oid)), None)
    if option is None:
        raise ApiError(404, "The option was not found.", title="Not Found")
    return option


def _value_or_404(option, vid):
    value = next((v for v in option["option_values"] if v["id"] == int(vid)), None)
    if value is None:
        raise ApiError(404, "The option value was not found.", title="Not Found")
    return value


def _relabel_variants(store, option):
    """Variants carry their option values' names and labels (VA): they follow the option's."""
    labels = {v["id"]: v["label"] for v in option["option_values"]}
    for variant in store.variants.values():
        for ov in variant["option_values"]:
            if ov["option_id"] == option["id"]:
                ov["option_display_name"] = option["display_name"]
                ov["label"] = labels.get(ov["id"], ov["label"])


def _check_label(option, value):
    if any(v["label"].lower() == value["label"].lower() and v["id"] != value.get("id") for v in option["option_values"]):
        raise ApiError(422, "The option value label is a duplicate.", errors={"label": "duplicate"},
                       title="The option already has the value '%s'." % value["label"])


def update_option(store, req, pid, oid):
    """VO#updateProductVariantOption: display name (another option of the product with that name: 409),
    type, sort order, and the values listed by id (their labels: 422 when two clash); values not
    listed stay. Variants show the new names."""
    item = req.json()
    with store.lock:
        option = _option_or_404(store, pid, oid)
        if not isinstance(item, dict) or not isinstance(item.get("display_name"), str) or not 1 <= len(item["display_name"]) <= 255:
            raise ApiError(422, "display_name must be 1 to 255 characters.", errors={"display_name": "required"},
                           title="JSON data is missing or invalid")
        if "type" in item and item["type"] not in ("radio_buttons", "rectangles", "dropdown", "product_list",
                                                   "product_list_with_images", "swatch"):
            raise ApiError(422, "type is invalid.", errors={"type": "enum"}, title="JSON data is missing or invalid")
        if any(o["display_name"].lower() == item["display_name"].lower() and o["id"] != option["id"]
               for o in _product_options(store, option["product_id"])):
            raise ApiError(409, "The option name is a duplicate.", errors={"display_name": "duplicate"},
                           title="An option named '%s' already exists on the product." % item["display_name"])
        values = _labels(item["option_values"]) if "option_values" in item else []
        renamed = {v["id"]: dict(v) for v in option["option_values"]}
        for value in values:
            if value.get("id") not in renamed:
                raise ApiError(422, "Option value %s is not a value of the option." % value.get("id"),
                               errors={"option_values.id": "invalid"}, title="JSON data is missing or invalid")
            renamed[value["id"]].update({k: value[k] for k in ("label", "sort_order", "is_default") if k in value})
        for value in renamed.values():
            _check_label({"option_values": list(renamed.values())}, value)
        option.update({k: item[k] for k in ("display_name", "type", "sort_order") if k in item})
        option["option_values"] = [renamed[v["id"]] for v in option["option_values"]]
        _relabel_variants(store, option)
        return 200, {"data": _option_out(option), "meta": {}}


def update_option_value(store, req, pid, oid, vid):
    """VO#updateProductVariantOptionValue: label and sort_order required (422), a label another value
    of the option has is a 422. Variants show the new label."""
    with store.lock:
        option = _option_or_404(store, pid, oid)
        value = _value_or_404(option, vid)
        item = _labels([req.json()])[0]
        _check_label(option, dict(item, id=value["id"]))
        value.update({k: item[k] for k in ("label", "sort_order", "is_default", "value_data") if k in item})
        _relabel_variants(store, option)
        return 200, {"data": dict(value), "meta": {}}


def delete_option_value(store, req, pid, oid, vid):
    """VO#deleteProductVariantOptionValue, 204. The variants made of it go with it (assumed: the spec is
    silent; the connector deletes only values no variant uses)."""
    with store.lock:
        option = _option_or_404(store, pid, oid)
        value = _value_or_404(option, vid)
        option["option_values"].remove(value)
        for variant in [v for v in store.variants.values() if any(ov["id"] == value["id"] for ov in v["option_values"])]:
            _forget_variant(store, variant)
        return 204, None


def delete_variant(store, req, pid, vid):
    """VA#deleteProductVariant, 204; a variant the product does not have is a 404."""
    with store.lock:
        product = _product_or_404(store, pid)
        variant = store.variants.get(int(vid))
        if variant is None or variant["product_id"] != product["id"]:
            raise ApiError(404, "The variant was not found.", title="Not Found")
        _forget_variant(store, variant)
        product["date_modified"] = seed.iso(store.now())
        return 204, None


def _forget_variant(store, variant):
    del store.variants[variant["id"]]
    store.variant_images.pop(variant["id"], None)
    for key in [key for key in store.stock if key[0] == variant["id"]]:
        del store.stock[key]


def create_variant(store, req, pid):
    """VA#createProductVariant: one variant of the product, whose ``option_values`` must be existing
    values of the product's options (by ids, or display name and label; 422 otherwise); SKU unique
    across products and variants, any case (409); at most 600 per product (422)."""
    product = _product_or_404(store, pid)
    item = req.json()
    if not isinstance(item, dict):
        raise ApiError(422, "The request body must be a variant object.", errors={"body": "object"})
    with store.lock:
        _check_skus([item.get("sku")], _taken_skus(store))
        if sum(1 for v in store.variants.values() if v["product_id"] == product["id"]) >= MAX_VARIANTS:
            raise ApiError(422, "A product can have at most %d variants (SKUs)." % MAX_VARIANTS,
                           errors={"sku": "too many"}, title="The product has too many variants (at most %d)." % MAX_VARIANTS)
        for key in NUMBER_FIELDS:
            if key in item and item[key] is not None and not _is_number(item[key]):
                raise ApiError(422, "%s must be a number." % key, errors={key: "number"})
        options = _product_options(store, product["id"])
        wanted = item.get("option_values")
        if not isinstance(wanted, list) or not wanted:
            raise ApiError(422, "option_values is required.", errors={"option_values": "required"},
                           title="JSON data is missing or invalid")
        values = []
        for ov in wanted:
            ov = ov if isinstance(ov, dict) else {}
            option = next((o for o in options if o["id"] == ov.get("option_id") or (
                "option_id" not in ov and o["display_name"].lower() == str(ov.get("option_display_name", "")).lower())), None)
            value = next((v for v in (option or {}).get("option_values", ()) if v["id"] == ov.get("id") or (
                "id" not in ov and v["label"].lower() == str(ov.get("label", "")).lower())), None)
            if value is None:
                raise ApiError(422, "The option value %s/%s does not exist on the product; create it first." % (
                    ov.get("option_display_name", ov.get("option_id")), ov.get("label", ov.get("id"))),
                    errors={"option_values": "invalid"}, title="Invalid option value.")
            values.append({"id": value["id"], "label": value["label"], "option_id": option["id"],
                           "option_display_name": option["display_name"]})
        if {v["option_id"] for v in values} != {o["id"] for o in options} or len(values) != len(options):
            raise ApiError(422, "A variant needs one value of each of the product's options.",
                           errors={"option_values": "invalid"}, title="Invalid option values.")
        if any(sorted(v["id"] for v in values) == sorted(x["id"] for x in other["option_values"])
               for other in store.variants.values() if other["product_id"] == product["id"]):
            raise ApiError(409, "A variant with these option values already exists.", errors={"option_values": "duplicate"},
                           title="A variant with these option values already exists.")
        vid = _next_id(store.variants, 180001)
        store.variants[vid] = _variant_record(product, vid, item, values)
        product["date_modified"] = seed.iso(store.now())
        return 200, {"data": dict(store.variants[vid]), "meta": {}}


def _product_or_404(store, pid):
    if int(pid) not in store.products:
        raise ApiError(404, "The product was not found.", title="Not Found")
    return store.products[int(pid)]


def _upload(req):
    body = req.body if isinstance(req.body, dict) else {}
    upload = body.get("image_file")
    if not isinstance(upload, dict) or not upload.get("content"):
        raise ApiError(422, "image_file must be present if uploading a file", errors={"image_file": "required"},
                       title="image_file must be present if uploading a file")
    stem, _dot, extension = upload["filename"].rpartition(".")
    if extension.lower() not in ("bmp", "gif", "jpeg", "jpg", "png", "wbmp", "xbm", "webp"):
        raise ApiError(422, "Unsupported image file type %s." % extension, errors={"image_file": "type"})
    return body, stem or extension, extension.lower()


def product_images(store, req, pid):
    _product_or_404(store, pid)
    images = [dict(i) for i in sorted(store.catalog_images.values(), key=lambda i: i["id"])
              if i["product_id"] == int(pid)]
    from .api import v3_list
    return v3_list(req, images)


def create_product_image(store, req, pid):
    """PR#createProductImage, multipart ``image_file``: stored under ``<stem>__<n>.<ext>`` as BigCommerce does."""
    product = _product_or_404(store, pid)
    body, stem, extension = _upload(req)
    images = store.catalog_images
    iid = _next_id(images, 1)
    path = "%s/%03d/%s__%d.%s" % (stem[0].lower(), product["id"] % 1000, stem, 10000 + iid, extension)
    url = "https://cdn11.bigcommerce.com/s-%s/images/stencil/{size}/products/%d/%d/%s__%d.%s" % (
        store.store_hash, product["id"], iid, stem, 10000 + iid, extension)
    thumbnail = str(body.get("is_thumbnail", "")).lower() in ("1", "true")
    if thumbnail:
        for image in images.values():
            if image["product_id"] == product["id"]:
                image["is_thumbnail"] = False
    images[iid] = {"id": iid, "product_id": product["id"], "image_file": path,
                   "url_zoom": url.format(size="1280x1280"), "url_standard": url.format(size="500x659"),
                   "url_thumbnail": url.format(size="220x290"), "url_tiny": url.format(size="44x58"),
                   "date_modified": seed.iso(store.now()), "is_thumbnail": thumbnail,
                   "sort_order": sum(1 for i in images.values() if i["product_id"] == product["id"]),
                   "description": str(body.get("description") or "")}
    return 200, {"data": dict(images[iid]), "meta": {}}


def create_variant_image(store, req, pid, vid):
    """VA#createProductVariantImage: the variant's one image, replacing the one it had."""
    _product_or_404(store, pid)
    variant = store.variants.get(int(vid))
    if variant is None or variant["product_id"] != int(pid):
        raise ApiError(404, "The variant was not found.", title="Not Found")
    _body, stem, extension = _upload(req)
    variant["image_url"] = "https://cdn11.bigcommerce.com/s-%s/products/%d/images/%s.%s" % (
        store.store_hash, int(pid), stem, extension)
    return 200, {"data": {"image_url": variant["image_url"]}, "meta": {}}


def channel_assignments(store, req):
    """PR#getProductsChannelAssignments."""
    from .api import v3_list
    products, channels = req.ints("product_id:in"), req.ints("channel_id:in")
    items = [{"product_id": p["id"], "channel_id": c} for p in sorted(store.products.values(), key=lambda p: p["id"])
             for c in sorted(p["channels"]) if (products is None or p["id"] in products)
             and (channels is None or c in channels)]
    return v3_list(req, items)


def assign_channels(store, req):
    """PR#createProductsChannelAssignments: a PUT that adds assignments (existing ones stay), 204."""
    body = req.json()
    known_channels = {c["id"] for c in seed.CHANNELS}
    if not isinstance(body, list) or not body:
        raise ApiError(422, "The request body must be a list of assignments.", errors={"body": "list required"})
    errors = {}
    for n, item in enumerate(body):
        if not isinstance(item, dict) or item.get("product_id") not in store.products:
            errors["%d.product_id" % n] = "Product %s does not exist." % (item.get("product_id") if isinstance(item, dict) else item)
        elif item.get("channel_id") not in known_channels:
            errors["%d.channel_id" % n] = "Channel %s does not exist." % item.get("channel_id")
    if errors:
        raise ApiError(422, "Invalid channel assignments.", errors=errors, title="Invalid channel assignments.")
    for item in body:
        channels = store.products[item["product_id"]]["channels"]
        if item["channel_id"] not in channels:
            channels.append(item["channel_id"])
    return 204, None


def unassign_channels(store, req):
    """PR#deleteProductsChannelAssignments: a filter is required; removes only what it names."""
    products, channels = req.ints("product_id:in"), req.ints("channel_id:in")
    if not products and not channels:
        raise ApiError(422, "At least one filter must be provided in order to delete channel assignments",
                       title="At least one filter must be provided in order to delete channel assignments")
    for product in store.products.values():
        if products is None or product["id"] in products:
            product["channels"] = [c for c in product["channels"] if channels is not None and c not in channels]
    return 204, None


N = r"(\d+)"
ROUTES = [  # (method, version, path regex, handler, error family), as in ``api.ROUTES``
    ("POST", "v3", "/catalog/products", create_product, "v3"),
    ("PUT", "v3", "/catalog/products", update_products, "v3"),
    ("GET", "v3", "/catalog/products/%s/images" % N, product_images, "v3"),
    ("POST", "v3", "/catalog/products/%s/images" % N, create_product_image, "v3"),
    ("POST", "v3", "/catalog/products/%s/variants/%s/image" % (N, N), create_variant_image, "v3"),
    ("POST", "v3", "/catalog/products/%s/variants" % N, create_variant, "v3"),
    ("GET", "v3", "/catalog/products/%s/options" % N, product_options, "v3"),
    ("POST", "v3", "/catalog/products/%s/options" % N, create_option, "v3"),
    ("POST", "v3", "/catalog/products/%s/options/%s/values" % (N, N), create_option_value, "v3"),
    ("PUT", "v3", "/catalog/products/%s/options/%s" % (N, N), update_option, "v3"),
    ("PUT", "v3", "/catalog/products/%s/options/%s/values/%s" % (N, N, N), update_option_value, "v3"),
    ("DELETE", "v3", "/catalog/products/%s/options/%s/values/%s" % (N, N, N), delete_option_value, "v3"),
    ("DELETE", "v3", "/catalog/products/%s/variants/%s" % (N, N), delete_variant, "v3"),
    ("GET", "v3", "/catalog/products/channel-assignments", channel_assignments, "v3"),
    ("PUT", "v3", "/catalog/products/channel-assignments", assign_channels, "v3"),
    ("DELETE", "v3", "/catalog/products/channel-assignments", unassign_channels, "v3"),
]
