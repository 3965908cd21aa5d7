"""BigCommerce endpoints of the sandbox: routing, filters, pagination and response envelopes.

Each handler gets ``(store, req, *path_ids)`` and returns ``(status, body)``; errors are raised as
``ApiError`` and shaped by ``error_body`` for the endpoint's family (v2, v3, problem+json, refund).
"""
import base64
import json
import math
import re
import time
import uuid
from datetime import timedelta

from . import catalog_writes, seed
from .store import ApiError, parse_date

STATUS_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
TITLES = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 409: "Conflict", 413: "Request Entity Too Large",
          422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
          504: "Gateway Timeout"}


class Request:
    def __init__(self, method, version, path, query, body, config):
        self.method, self.version, self.path, self.query, self.body, self.config = method, version, path, query, body, config

    def get(self, name, default=None):
        return self.query.get(name, default)

    def ints(self, name):
        """``name`` as a list of ints (comma-separated ``:in`` filters); None when absent."""
        if name not in self.query:
            return None
        try:
            return [int(v) for v in self.query[name].split(",") if v != ""]
        except ValueError:
            raise ApiError(400, "The filter '%s' must be a list of integers." % name) from None

    def strs(self, name):
        return None if name not in self.query else [v for v in self.query[name].split(",") if v != ""]

    def int(self, name, default=None, minimum=None):
        if name not in self.query:
            return default
        try:
            value = int(self.query[name])
        except ValueError:
            raise ApiError(400, "The parameter '%s' must be an integer." % name) from None
        if minimum is not None and value < minimum:
            raise ApiError(400, "The parameter '%s' must be >= %d." % (name, minimum))
        return value

    def bool(self, name):
        if name not in self.query:
            return None
        return self.query[name].lower() in ("1", "true", "yes")

    def json(self):
        if not isinstance(self.body, (dict, list)):
            raise ApiError(400, "The request body must be a JSON object.")
        return self.body


def error_body(family, status, message, errors=None, title=None):
    if family == "v2":
        return [{"status": status, "message": message}]
    body = {"status": status, "title": title or message or TITLES.get(status, ""), "type": STATUS_TYPE,
            "errors": errors or ({"detail": message} if message and title else {})}
    return {"data": [body]} if family == "refund" and status == 422 else body


# ------------------------------------------------------------------------------------------ paging
def v2_page(req, items, default=50):
    page, limit = req.int("page", 1, 1), req.int("limit", default, 1)
    limit = min(limit, 250)
    return items[(page - 1) * limit: page * limit]


def v3_page(req, items, default=50, maximum=250):
    page, limit = req.int("page", 1, 1), min(req.int("limit", default, 1), maximum)
    total = len(items)
    pages = int(math.ceil(total / float(limit)))
    chunk = items[(page - 1) * limit: page * limit]
    links = {"current": "?page=%d&limit=%d" % (page, limit)}
    if page > 1:
        links["previous"] = "?page=%d&limit=%d" % (page - 1, limit)
    if page < pages:
        links["next"] = "?page=%d&limit=%d" % (page + 1, limit)
    return chunk, {"pagination": {"total": total, "count": len(chunk), "per_page": limit, "current_page": page,
                                  "total_pages": pages, "links": links}}


def v3_list(req, items, default=50, maximum=250, transform=None):
    chunk, meta = v3_page(req, items, default, maximum)
    return 200, {"data": [transform(i) if transform else i for i in chunk], "meta": meta}


def fields(req, record):
    """``include_fields`` / ``exclude_fields`` projection (``id`` is always kept)."""
    keep, drop = req.strs("include_fields"), req.strs("exclude_fields")
    if keep:
        record = {k: v for k, v in record.items() if k in keep or k == "id"}
    if drop:
        record = {k: v for k, v in record.items() if k not in drop or k == "id"}
    return record


def id_filters(req, items, key="id"):
    """Standard v3 id filters: ``id``, ``id:in``, ``id:not_in``, ``id:min|max|greater|less``."""
    for suffix, test in (("", lambda v, a: v == a[0]), (":in", lambda v, a: v in a), (":not_in", lambda v, a: v not in a),
                         (":min", lambda v, a: v >= a[0]), (":max", lambda v, a: v <= a[0]),
                         (":greater", lambda v, a: v > a[0]), (":less", lambda v, a: v < a[0])):
        wanted = req.ints("id" + suffix)
        if wanted:
            items = [i for i in items if test(i[key], wanted)]
    return items


# ------------------------------------------------------------------------------------------ v2
def store_info(store, req):
    s = seed.STORE
    return 200, {
        "id": store.store_hash, "account_uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, "bc-sandbox/" + store.store_hash)),
        "domain": s["domain"], "secure_url": "https://" + s["domain"],
        "control_panel_base_url": "https://store-%s.mybigcommerce.com" % store.store_hash, "status": "live",
        "name": s["name"], "first_name": s["first_name"], "last_name": s["last_name"], "address": s["address"],
        "country": s["country"], "country_code": s["country_code"], "infrastructure_region": "us-central1",
        "phone": s["phone"], "admin_email": s["admin_email"], "order_email": s["order_email"], "favicon_url": "",
        "timezone": s["timezone"], "language": "en", "currency": s["currency"], "currency_symbol": s["currency_symbol"],
        "decimal_separator": ".", "thousands_separator": ",", "decimal_places": s["decimal_places"],
        "currency_symbol_location": "left", "weight_units": "LBS", "dimension_units": "Inches",
        "dimension_decimal_places": 2, "dimension_decimal_token": ".", "dimension_thousands_token": ",",
        "plan_name": "Plus", "plan_level": "Plus", "plan_is_trial": False, "industry": "Retail", "logo": [],
        "is_price_entered_with_tax": s["is_price_entered_with_tax"], "store_id": s["store_id"], "default_channel_id": 1,
        "default_site_id": 1000, "active_comparison_modules": [],
        "features": {"stencil_enabled": True, "sitewidehttps_enabled": True, "facebook_catalog_id": "",
                     "checkout_type": "optimized", "wishlists_enabled": False, "graphql_storefront_api_enabled": True,
                     "shopper_consent_tracking_enabled": False, "multi_storefront_enabled": True,
                     "storefront_limits": {"active": 1, "total_including_inactive": 1}},
    }


def server_time(store, req):
    return 200, {"time": int(time.time())}


def _status(sid):
    s = next(s for s in seed.ORDER_STATUSES if s[0] == sid)
    return {"id": s[0], "name": s[1], "system_label": s[1], "custom_label": s[1], "system_description": s[3], "order": s[2]}


def order_statuses(store, req):
    return 200, [_status(s[0]) for s in seed.ORDER_STATUSES]


def order_status(store, req, sid):
    if int(sid) not in seed.STATUS_NAMES:
        raise ApiError(404, "The requested resource was not found.")
    return 200, _status(int(sid))


def _link(store, path):
    return {"url": "https://api.bigcommerce.com/stores/%s/v2%s" % (store.store_hash, path), "resource": path}


def consignments(store, rec, with_lines):
    oid, lines = rec["order"]["id"], rec["products"]

    def items(selected):
        return [dict(ln) if with_lines else _link(store, "/orders/%d/products/%d" % (oid, ln["id"])) for ln in selected]

    shipping = []
    for a in rec["addresses"]:
        cons = {k: a[k] for k in ("id", "first_name", "last_name", "company", "street_1", "street_2", "city", "zip", "country",
                                  "country_iso2", "state", "email", "phone", "form_fields", "items_total", "items_shipped",
                                  "shipping_method", "cost_tax_class_id", "handling_cost_tax_class_id", "shipping_zone_id",
                                  "shipping_zone_name")}
        cons.update({k: float(a[k]) for k in ("base_cost", "cost_ex_tax", "cost_inc_tax", "cost_tax", "base_handling_cost",
                                              "handling_cost_ex_tax", "handling_cost_inc_tax", "handling_cost_tax")})
        cons["line_items"] = items([ln for ln in lines if ln["order_address_id"] == a["id"]])
        cons["shipping_quotes"] = _link(store, "/orders/%d/consignments/shipping/%d/shipping_quotes" % (oid, a["id"]))
        shipping.append(cons)
    email = rec["order"]["billing_address"]["email"]
    digital = [ln for ln in lines if ln["type"] == "digital"]
    return {"pickups": [], "shipping": shipping,
            "downloads": [{"recipient_email": email, "line_items": items(digital)}] if digital else [],
            "email": {"gift_certificates": [{"recipient_email": email, "line_items": items([ln])}
                                            for ln in lines if ln["type"] == "giftcertificate"]}}


def v2_order(store, req, rec):
    order = dict(rec["order"])
    oid = order["id"]
    include = set(req.strs("include") or [])
    unknown = include - {"consignments", "consignments.line_items", "fees"}
    if unknown:
        raise ApiError(400, "Invalid include: %s" % ", ".join(sorted(unknown)))
    order["products"] = _link(store, "/orders/%d/products" % oid)
    order["shipping_addresses"] = _link(store, "/orders/%d/shipping_addresses" % oid)
    order["coupons"] = _link(store, "/orders/%d/coupons" % oid)
    as_object = req.get("consignment_structure") == "object"
    if include & {"consignments", "consignments.line_items"} and as_object:
        order["consignments"] = consignments(store, rec, "consignments.line_items" in include)
    else:
        order["consignments"] = _link(store, "/orders/%d/consignments" % oid)
    order["fees"] = [dict(f) for f in rec["fees"]] if "fees" in include else _link(store, "/orders/%d/fees" % oid)
    return order


ORDER_SORTS = ("id", "customer_id", "date_created", "date_modified", "status_id", "channel_id", "external_id")


def _filter_orders(store, req):
    recs = [r for r in store.orders.values() if not r["order"]["is_deleted"]]
    checks = [("min_id", lambda o, v: o["id"] >= int(v)), ("max_id", lambda o, v: o["id"] <= int(v)),
              ("min_total", lambda o, v: float(o["total_inc_tax"]) >= float(v)),
              ("max_total", lambda o, v: float(o["total_inc_tax"]) <= float(v)),
              ("customer_id", lambda o, v: o["customer_id"] == int(v)), ("status_id", lambda o, v: o["status_id"] == int(v)),
              ("channel_id", lambda o, v: o["channel_id"] == int(v)),
              ("email", lambda o, v: o["billing_address"]["email"].lower() == v.lower()),
              ("cart_id", lambda o, v: o["cart_id"] == v), ("payment_method", lambda o, v: o["payment_method"] == v),
              ("external_order_id", lambda o, v: o["external_order_id"] == v)]
    for name, test in checks:
        if name in req.query:
            try:
                recs = [r for r in recs if test(r["order"], req.query[name])]
            except ValueError:
                raise ApiError(400, "The parameter '%s' is invalid." % name) from None
    for name in ("date_created", "date_modified"):
        for bound in ("min", "max"):
            key = "%s_%s" % (bound, name)
            if key in req.query:
                limit = parse_date(req.query[key])
                recs = [r for r in recs if (parse_date(r["order"][name]) >= limit if bound == "min"
                                            else parse_date(r["order"][name]) <= limit)]
    return recs


def orders(store, req):
    recs = _filter_orders(store, req)
    field, _, direction = (req.get("sort") or "id").partition(":")
    if field not in ORDER_SORTS or direction not in ("", "asc", "desc"):
        raise ApiError(400, "Invalid sort: %s" % req.get("sort"))
    def key(rec):
        o = rec["order"]
        if field.startswith("date"):
            return parse_date(o[field]), o["id"]
        return (o["external_order_id"] if field == "external_id" else o[field]), o["id"]
    recs.sort(key=key, reverse=direction == "desc")
    page = [v2_order(store, req, r) for r in v2_page(req, recs)]
    if not page and req.config.get("orders_empty_status") == 204:
        return 204, None
    return 200, page


def orders_count(store, req):
    recs = _filter_orders(store, req)
    statuses = []
    for sid, name, sort_order, description in sorted(seed.ORDER_STATUSES, key=lambda s: s[2]):
        statuses.append({"id": sid, "name": name, "system_label": name, "custom_label": name, "system_description": description,
                         "count": sum(1 for r in recs if r["order"]["status_id"] == sid), "sort_order": sort_order})
    return 200, {"statuses": statuses, "count": len(recs)}


def order(store, req, oid):
    return 200, v2_order(store, req, store.record(int(oid)))


def update_order(store, req, oid):
    store.update_order(int(oid), req.json())
    return 200, v2_order(store, req, store.record(int(oid)))


def _sub(name, item_key="id"):
    def collection(store, req, oid):
        return 200, [dict(x) for x in v2_page(req, store.record(int(oid))[name])]

    def single(store, req, oid, item_id):
        found = next((x for x in store.record(int(oid))[name] if x[item_key] == int(item_id)), None)
        if found is None:
            raise ApiError(404, "The requested resource was not found.")
        return 200, dict(found)
    return collection, single


order_products, order_product = _sub("products")
order_addresses, order_address = _sub("addresses")
order_coupons, _ = _sub("coupons")
order_shipment_list, order_shipment = _sub("shipments")


def order_taxes(store, req, oid):
    details = (req.get("details") or "false").lower() == "true"
    rows = []
    for row in v2_page(req, store.record(int(oid))["taxes"]):
        row = dict(row)
        if not details:
            row.pop("order_product_id"), row.pop("line_item_type")
        rows.append(row)
    return 200, rows


def order_fees(store, req, oid):
    # O2#getOrderFees: the schema is orderFees_Resp but the example wraps the list as {"fees": [...]}.
    return 200, {"fees": [dict(f) for f in store.record(int(oid))["fees"]]}


def order_consignments(store, req, oid):
    return 200, consignments(store, store.record(int(oid)), "consignments.line_items" in (req.strs("include") or []))


def order_shipments(store, req, oid):
    status, body = order_shipment_list(store, req, oid)
    return (204, None) if not body else (status, body)


def order_shipments_count(store, req, oid):
    return 200, {"count": len(store.record(int(oid))["shipments"])}


def create_shipment(store, req, oid):
    return 201, dict(store.create_shipment(int(oid), req.json()))


def update_shipment(store, req, oid, sid):
    return 200, dict(store.update_shipment(int(oid), int(sid), req.json()))


def currencies(store, req):
    stamp = seed.iso(store.epoch - timedelta(days=60))
    return 200, v2_page(req, [{
        "id": c["id"], "is_default": c["default"], "last_updated": stamp, "country_iso2": c["country_iso2"],
        "default_for_country_codes": [c["country_iso2"]], "currency_code": c["currency_code"],
        "currency_exchange_rate": c["rate"], "name": c["name"], "token": c["token"], "auto_update": False,
        "decimal_token": ".", "thousands_token": ",", "decimal_places": 2, "token_location": "left", "enabled": True,
        "is_transactional": True, "use_default_name": True} for c in seed.CURRENCIES])


def tax_classes(store, req):
    stamp = seed.iso(store.epoch - timedelta(days=90))
    return 200, v2_page(req, [{"id": t["id"], "name": t["name"], "created_at": stamp, "updated_at": stamp}
                              for t in seed.TAX_CLASSES])


# ------------------------------------------------------------------------------------------ v3 orders
def transactions(store, req, oid):
    txs = store.record(int(oid))["transactions"]
    if not txs:
        return 204, None
    return v3_list(req, txs, transform=dict)


def refund_quotes(store, req, oid):
    return 201, {"data": store.refund_quote(int(oid), req.json()), "meta": {}}


def create_refund(store, req, oid):
    return 201, {"data": dict(store.create_refund(int(oid), req.json())), "meta": {}}


def order_refunds(store, req, oid):
    refunds = store.record(int(oid))["refunds"]
    if req.get("transaction_id"):
        refunds = [r for r in refunds if any(p["transaction_id"] == req.get("transaction_id") for p in r["payments"])]
    return 200, {"data": [dict(r) for r in refunds], "meta": {}}


def all_refunds(store, req):
    refunds = sorted((r for rec in store.orders.values() for r in rec["refunds"]), key=lambda r: r["id"])
    for name, key in (("order_id:in", "order_id"), ("id:in", "id")):
        wanted = req.ints(name)
        if wanted is not None:
            refunds = [r for r in refunds if r[key] in wanted]
    for name, test in (("created:min", lambda a, b: a >= b), ("created:max", lambda a, b: a <= b)):
        if req.get(name):
            limit = parse_date(req.get(name))
            refunds = [r for r in refunds if test(parse_date(r["created"]), limit)]
    if req.get("transaction_id"):
        refunds = [r for r in refunds if any(p["transaction_id"] == req.get("transaction_id") for p in r["payments"])]
    return v3_list(req, refunds, transform=dict)


def refund(store, req, rid):
    found = next((r for rec in store.orders.values() for r in rec["refunds"] if r["id"] == int(rid)), None)
    if found is None:
        raise ApiError(404, "Refund %s not found" % rid)
    # O3 §RefundID_Get types requested_amount as a string here (a number in the list endpoints' §RefundItem)
    items = [dict(i, requested_amount="%.2f" % i["requested_amount"]) if "requested_amount" in i else dict(i)
             for i in found["items"]]
    return 200, {"data": dict(found, items=items), "meta": {}}


def payment_action(action):
    def handler(store, req, oid):
        store.payment_action(int(oid), action, settle=not req.config.get("async_payment_actions"))
        return 201, {}
    return handler


# ------------------------------------------------------------------------------------------ v3 store, channels, inventory
def _channel(c, store):
    stamp = seed.iso(store.epoch - timedelta(days=120))
    return {"id": c["id"], "external_id": "", "is_listable_from_ui": True, "is_enabled": True, "is_visible": True,
            "status": c["status"], "name": c["name"], "type": c["type"], "platform": c["platform"],
            "date_created": stamp, "date_modified": stamp, "icon_url": ""}


def channels(store, req):
    items = [_channel(c, store) for c in seed.CHANNELS]
    for name in ("status", "type", "platform"):
        wanted = req.strs(name + ":in")
        if wanted:
            items = [c for c in items if c[name] in wanted]
    if req.bool("available") is not None:
        items = [c for c in items if (c["status"] in ("active", "prelaunch", "connected")) == req.bool("available")]
    return v3_list(req, items)


def channel(store, req, cid):
    found = next((c for c in seed.CHANNELS if c["id"] == int(cid)), None)
    if found is None:
        raise ApiError(404, "Channel %s not found" % cid)
    return 200, {"data": _channel(found, store), "meta": {}}


def _location(loc, store):
    stamp = seed.iso(store.epoch - timedelta(days=200))
    hours = {d: {"open": d not in ("saturday", "sunday"), "opening": "09:00", "closing": "17:00"}
             for d in ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")}
    return {"id": loc["id"], "code": loc["code"], "label": loc["label"], "description": "", "managed_by_external_source": False,
            "type_id": "PHYSICAL", "enabled": True, "operating_hours": hours, "time_zone": "America/Chicago",
            "created_at": stamp, "updated_at": stamp, "storefront_visibility": loc["id"] == 1, "special_hours": [],
            "address": {"address1": "1 %s Rd" % loc["label"], "address2": "", "city": loc["city"], "state": loc["state"],
                        "zip": loc["zip"], "email": "%s@sandbox-outfitters.example" % loc["code"].lower(),
                        "phone": "555-010-%04d" % loc["id"], "geo_coordinates": {"latitude": 30.27, "longitude": -97.74},
                        "country_code": loc["country_code"]}}


def locations(store, req):
    items = [_location(loc, store) for loc in seed.LOCATIONS]
    ids, codes = req.ints("location_id:in"), req.strs("location_code:in")
    if ids:
        items = [i for i in items if i["id"] in ids]
    if codes:
        items = [i for i in items if i["code"] in codes]
    if req.bool("is_default") is not None:
        items = [i for i in items if (i["id"] == 1) == req.bool("is_default")]
    if req.bool("is_active") is not None:
        items = [i for i in items if i["enabled"] == req.bool("is_active")]
    if req.strs("type_id:in"):
        items = [i for i in items if i["type_id"] in req.strs("type_id:in")]
    return v3_list(req, items)


def _tracked_variants(store, req):
    out = []
    for v in sorted(store.variants.values(), key=lambda v: v["id"]):
        product = store.products[v["product_id"]]
        if product["inventory_tracking"] == "none" or (product["inventory_tracking"] == "product" and product.get("base_variant_id") != v["id"]):
            continue
        out.append(v)
    for name, key in (("variant_id:in", "id"), ("product_id:in", "product_id")):
        wanted = req.ints(name)
        if wanted is not None:
            out = [v for v in out if v[key] in wanted]
    skus = req.strs("sku:in")
    if skus is not None:
        out = [v for v in out if v["sku"].lower() in {s.lower() for s in skus}]
    return out


def _stock(store, variant, loc):
    cell = store.stock.get((variant["id"], loc["id"]), {"onhand": 0, "safety": 0, "warning": 0, "bin": ""})
    available = cell["onhand"] - cell["safety"]
    return {"available_to_sell": available, "total_inventory_onhand": cell["onhand"],
            "settings": {"safety_stock": cell["safety"], "is_in_stock": available > 0, "warning_level": cell["warning"],
                         "bin_picking_number": cell["bin"]}}


def inventory_items(store, req):
    locs = seed.LOCATIONS
    if req.ints("location_id:in"):
        locs = [loc for loc in locs if loc["id"] in req.ints("location_id:in")]
    if req.strs("location_code:in"):
        locs = [loc for loc in locs if loc["code"] in req.strs("location_code:in")]

    def item(v):
        return {"identity": {"sku": v["sku"], "variant_id": v["id"], "product_id": v["product_id"], "sku_id": v["sku_id"]},
                "locations": [dict(location_id=loc["id"], location_code=loc["code"], location_name=loc["label"],
                                   location_enabled=True, **_stock(store, v, loc)) for loc in locs]}
    return v3_list(req, _tracked_variants(store, req), maximum=1000, transform=item)


def location_items(store, req, lid):
    loc = next((loc for loc in seed.LOCATIONS if loc["id"] == int(lid)), None)
    if loc is None:
        raise ApiError(404, "Location %s not found" % lid, errors={"location_id": "not found"}, title="Location not found")

    def item(v):
        return dict(identity={"sku": v["sku"], "variant_id": v["id"], "product_id": v["product_id"]}, **_stock(store, v, loc))
    return v3_list(req, _tracked_variants(store, req), maximum=1000, transform=item)


def adjust(relative):
    def handler(store, req):
        return 200, store.adjust_inventory(req.json(), relative)
    return handler


# ------------------------------------------------------------------------------------------ v3 catalog
def brands(store, req):
    items = [{"id": b["id"], "name": b["name"], "page_title": b["name"], "meta_keywords": [], "meta_description": "",
              "search_keywords": b["name"].lower(), "image_url": "", "custom_url": {"url": seed.slug(b["name"]), "is_customized": False}}
             for b in seed.BRANDS]
    items = id_filters(req, items)
    if req.get("name"):
        items = [b for b in items if b["name"] == req.get("name")]
    if req.get("name:like"):
        items = [b for b in items if req.get("name:like").lower() in b["name"].lower()]
    return v3_list(req, items, transform=lambda b: fields(req, b))


def trees(store, req):
    items = [dict(t, channels=list(t["channels"])) for t in seed.CATEGORY_TREES]
    if req.ints("id:in"):
        items = [t for t in items if t["id"] in req.ints("id:in")]
    if req.ints("channel_id:in"):
        items = [t for t in items if set(t["channels"]) & set(req.ints("channel_id:in"))]
    return v3_list(req, items)


def _category(c):
    cid, tree_id, parent_id, name = c
    return {"category_id": cid, "category_uuid": str(uuid.uuid5(uuid.NAMESPACE_OID, "category-%d" % cid)), "tree_id": tree_id,
            "parent_id": parent_id, "name": name, "description": "", "views": 0, "sort_order": cid % 10, "page_title": name,
            "meta_keywords": [], "meta_description": "", "layout_file": "category.html", "image_url": "", "is_visible": True,
            "search_keywords": "", "default_product_sort": "use_store_settings",
            "url": {"path": _category_path(cid), "is_customized": False}}


def _category_path(cid):
    names = {c[0]: c for c in seed.CATEGORIES}
    parts = []
    while cid:
        parts.insert(0, seed.slug(names[cid][3]).strip("/"))
        cid = names[cid][2]
    return "/" + "/".join(parts) + "/"


def tree_categories(store, req):
    items = [_category(c) for c in seed.CATEGORIES]
    for name, key in (("category_id", "category_id"), ("tree_id", "tree_id"), ("parent_id", "parent_id")):
        if req.ints(name + ":in") is not None:
            items = [c for c in items if c[key] in req.ints(name + ":in")]
        if req.ints(name + ":not_in") is not None:
            items = [c for c in items if c[key] not in req.ints(name + ":not_in")]
    if req.get("name"):
        items = [c for c in items if c["name"] == req.get("name")]
    if req.get("name:like") or req.get("keyword"):
        needle = (req.get("name:like") or req.get("keyword")).lower()
        items = [c for c in items if needle in c["name"].lower()]
    if req.bool("is_visible") is not None:
        items = [c for c in items if c["is_visible"] == req.bool("is_visible")]
    return v3_list(req, items, transform=lambda c: fields(req, c))


def tree(store, req, tid):
    if not any(t["id"] == int(tid) for t in seed.CATEGORY_TREES):
        raise ApiError(404, "Category tree %s not found" % tid)

    def node(c, depth, path):
        return {"id": c[0], "parent_id": c[2], "depth": depth, "path": path, "name": c[3], "is_visible": True,
                "url": _category_path(c[0]),
                "children": [node(k, depth + 1, path + [c[0]]) for k in seed.CATEGORIES if k[2] == c[0]]}
    return 200, {"data": [node(c, 1, []) for c in seed.CATEGORIES if c[1] == int(tid) and c[2] == 0], "meta": {}}


def _product(store, req, p):
    include = set(req.strs("include") or [])
    out = {key: value for key, value in p.items() if key != "channels" or "channels" in include}
    if "variants" in include:
        out["variants"] = [_variant(store, v) for v in sorted(store.variants.values(), key=lambda v: v["id"])
                           if v["product_id"] == p["id"]]
    if "images" in include:
        out["images"] = product_images(store, p["id"])
    for name in ("custom_fields", "bulk_pricing_rules", "videos"):
        if name in include:
            out[name] = []
    return fields(req, out)


def _variant(store, v):
    """A variant with the URL of its own image, if it has one."""
    path = store.variant_images.get(v["id"])
    return dict(v, image_url=store.public_url + path) if path else dict(v)


def product_images(store, pid):
    """PR §productImage_Full of a product; the files are served by the sandbox (``/product_images/``)."""
    images = []
    for image in store.images.get(pid, ()):
        url = store.public_url + image["path"]
        images.append({key: value for key, value in image.items() if key != "path"} | {
            "image_url": url, "url_zoom": url, "url_standard": url, "url_thumbnail": url, "url_tiny": url})
    return images


def products(store, req):
    items = id_filters(req, sorted(store.products.values(), key=lambda p: p["id"]))
    if req.get("sku"):
        items = [p for p in items if p["sku"].lower() == req.get("sku").lower()]
    if req.strs("sku:in") is not None:
        wanted = {s.lower() for s in req.strs("sku:in")}
        items = [p for p in items if p["sku"].lower() in wanted]
    for name, key in (("brand_id", "brand_id"),):
        if req.get(name):
            items = [p for p in items if p[key] == req.int(name)]
    for name, key in (("categories:in", "categories"), ("channel_id:in", "channels")):
        if req.ints(name) is not None:
            items = [p for p in items if set(p[key]) & set(req.ints(name))]
    if req.get("categories"):
        items = [p for p in items if req.int("categories") in p["categories"]]
    for name in ("type", "availability", "name"):
        if req.get(name):
            items = [p for p in items if p[name] == req.get(name)]
    if req.bool("is_visible") is not None:
        items = [p for p in items if p["is_visible"] == req.bool("is_visible")]
    if req.get("keyword"):
        items = [p for p in items if req.get("keyword").lower() in (p["name"] + " " + p["sku"]).lower()]
    for name, test in (("date_modified:min", lambda a, b: a >= b), ("date_modified:max", lambda a, b: a <= b)):
        if req.get(name):
            limit = parse_date(req.get(name))
            items = [p for p in items if test(parse_date(p["date_modified"]), limit)]
    sort = req.get("sort")
    if sort:
        if sort not in ("id", "name", "sku", "price", "date_modified", "date_last_imported", "inventory_level", "is_visible", "total_sold"):
            raise ApiError(422, "Invalid sort field %s" % sort, errors={"sort": "invalid"})
        items.sort(key=lambda p: (p.get(sort) or 0, p["id"]), reverse=req.get("direction") == "desc")
    maximum = 10 if set(req.strs("include") or []) & {"options", "modifiers"} else 250
    return v3_list(req, items, maximum=maximum, transform=lambda p: _product(store, req, p))


def product(store, req, pid):
    if int(pid) not in store.products:
        raise ApiError(404, "The product was not found.", title="Not Found")
    return 200, {"data": _product(store, req, store.products[int(pid)]), "meta": {}}


def variants(store, req, pid=None):
    items = sorted(store.variants.values(), key=lambda v: v["id"])
    if pid is not None:
        if int(pid) not in store.products:
            raise ApiError(404, "The product was not found.", title="Not Found")
        items = [v for v in items if v["product_id"] == int(pid)]
    items = id_filters(req, items)
    if req.get("sku"):
        items = [v for v in items if v["sku"].lower() == req.get("sku").lower()]
    if req.strs("sku:in") is not None:
        wanted = {s.lower() for s in req.strs("sku:in")}
        items = [v for v in items if v["sku"].lower() in wanted]
    if req.get("upc"):
        items = [v for v in items if v["upc"] == req.get("upc")]
    if req.ints("product_id:in") is not None:
        items = [v for v in items if v["product_id"] in req.ints("product_id:in")]
    return v3_list(req, items, transform=lambda v: fields(req, _variant(store, v)))


VARIANT_BATCH_FIELDS = {"price", "sale_price", "retail_price", "map_price", "cost_price", "purchasing_disabled", "upc", "mpn", "gtin"}


def update_variants(store, req):
    """VA#updateVariantsBatch: at most 50 variants, each by id; prices are numbers."""
    body = req.json()
    if not isinstance(body, list) or not body:
        raise ApiError(422, "The request body must be a list of variants.", errors={"body": "list required"})
    if len(body) > 50:
        raise ApiError(413, "At most 50 variants may be updated at once.")
    with store.lock:
        for item in body:  # validate everything before touching the catalog
            if not isinstance(item, dict) or item.get("id") not in store.variants:
                raise ApiError(422, "Variant %s was not found." % (item.get("id") if isinstance(item, dict) else item),
                               errors={"id": "not found"})
            for key in ("price", "sale_price", "retail_price", "map_price", "cost_price"):
                if key in item and (isinstance(item[key], bool) or not isinstance(item[key], (int, float))):
                    raise ApiError(422, "%s must be a number." % key, errors={key: "number"})
        catalog_writes.check_variant_batch(store, body)
        stamp = seed.iso(store.now())
        for item in body:
            variant = store.variants[item["id"]]
            variant.update({key: value for key, value in item.items()
                            if key in VARIANT_BATCH_FIELDS | catalog_writes.VARIANT_BATCH_EXTRA})
            if "price" in item:
                variant["calculated_price"] = item["price"]
            if "sku" in item and store.products[variant["product_id"]].get("base_variant_id") == variant["id"]:
                store.products[variant["product_id"]]["sku"] = item["sku"]  # a base variant's SKU is its product's
            store.products[variant["product_id"]]["date_modified"] = stamp
        return 200, {"data": [dict(store.variants[item["id"]]) for item in body], "meta": {}}


# ------------------------------------------------------------------------------------------ v3 hooks, customers
def hooks(store, req):
    items = sorted(store.hooks.values(), key=lambda h: h["id"])
    if req.bool("is_active") is not None:
        items = [h for h in items if h["is_active"] == req.bool("is_active")]
    for name in ("scope", "destination"):
        if req.get(name):
            items = [h for h in items if h[name] == req.get(name)]
    return v3_list(req, items, transform=dict)


def create_hook(store, req):
    return 200, {"data": dict(store.create_hook(req.json())), "meta": {}}


def hook(store, req, hid):
    return 200, {"data": dict(store.hook(int(hid))), "meta": {}}


def update_hook(store, req, hid):
    return 200, {"data": dict(store.update_hook(int(hid), req.json())), "meta": {}}


def delete_hook(store, req, hid):
    return 200, {"data": dict(store.delete_hook(int(hid))), "meta": {}}


def _customer(c, include):
    out = {k: v for k, v in c.items() if k not in ("addresses", "store_credit")}
    if "addresses" in include:
        out["addresses"] = [dict(a, form_fields=[]) for a in c["addresses"][:10]]  # CU3 embeds at most 10
    if "storecredit" in include:
        out["store_credit_amounts"] = [{"amount": float(c["store_credit"])}]
    if "attributes" in include:
        out["attributes"] = []
    if "formfields" in include:
        out["form_fields"] = []
    return out


CUSTOMER_SORTS = {"date_created": lambda c: (parse_date(c["date_created"]), c["id"]),
                  "date_modified": lambda c: (parse_date(c["date_modified"]), c["id"]),
                  "last_name": lambda c: (c["last_name"].lower(), c["id"])}


def _cursor(cid):
    return base64.urlsafe_b64encode(json.dumps({"id": cid}, separators=(",", ":")).encode()).decode().rstrip("=")


def _uncursor(value):
    try:
        return int(json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))["id"])
    except (ValueError, KeyError, TypeError):
        raise ApiError(422, "Invalid cursor %r" % value, errors={"cursor": "invalid"}) from None


def customers(store, req):
    """CU3#getCustomers: offset ``pagination`` on pages; ``cursor_pagination`` on page 1 and on cursor requests."""
    include = set(req.strs("include") or [])
    items = sorted(store.customers.values(), key=lambda c: c["id"])
    if req.ints("id:in") is not None:
        items = [c for c in items if c["id"] in req.ints("id:in")]
    if req.strs("email:in") is not None:
        wanted = {e.lower() for e in req.strs("email:in")}
        items = [c for c in items if c["email"].lower() in wanted]
    if req.ints("customer_group_id:in") is not None:
        items = [c for c in items if c["customer_group_id"] in req.ints("customer_group_id:in")]
    for name, test in (("date_modified:min", lambda a, b: a >= b), ("date_modified:max", lambda a, b: a <= b)):
        if req.get(name):
            bound = parse_date(req.get(name))
            items = [c for c in items if test(parse_date(c["date_modified"]), bound)]
    field, _, direction = (req.get("sort") or "").partition(":")
    if field in CUSTOMER_SORTS:
        items.sort(key=CUSTOMER_SORTS[field], reverse=direction == "desc")
    elif req.get("sort") == "id:desc":
        items.reverse()
    limit = min(req.int("limit", 50, 1), 250)
    after, before = req.get("after"), req.get("before")
    if after and before:
        raise ApiError(422, "Use either before or after, not both.", errors={"cursor": "ambiguous"})
    if after or before:
        # A cursor points at a customer: the page is the customers after (before) it in this order.
        pivot = _uncursor(after or before)
        ids = [c["id"] for c in items]
        if pivot in ids:
            at = ids.index(pivot)
            chunk = items[at + 1:at + 1 + limit] if after else items[max(0, at - limit):at]
        else:
            chunk = [c for c in items if c["id"] > pivot][:limit] if after else [c for c in items if c["id"] < pivot][-limit:]
        meta = {"cursor_pagination": _cursor_meta(items, chunk, limit)}
        return 200, {"data": [_customer(c, include) for c in chunk], "meta": meta}
    chunk, meta = v3_page(req, items, 50, 250)
    if req.int("page", 1) == 1:
        meta["cursor_pagination"] = _cursor_meta(items, chunk, limit)
    return 200, {"data": [_customer(c, include) for c in chunk], "meta": meta}


def _cursor_meta(items, chunk, limit):
    meta = {"count": len(chunk), "per_page": limit, "links": {}}
    if chunk:
        meta["start_cursor"], meta["end_cursor"] = _cursor(chunk[0]["id"]), _cursor(chunk[-1]["id"])
        meta["links"]["current"] = "?limit=%d&after=%s" % (limit, _cursor(chunk[0]["id"] - 1))
        if chunk[-1]["id"] != items[-1]["id"]:
            meta["links"]["next"] = "?limit=%d&after=%s" % (limit, meta["end_cursor"])
        if chunk[0]["id"] != items[0]["id"]:
            meta["links"]["previous"] = "?limit=%d&before=%s" % (limit, meta["start_cursor"])
    return meta


def update_customers(store, req):
    """CU3#updateCustomers."""
    return 200, {"data": [_customer(c, set()) for c in store.update_customers(req.body)], "meta": {}}


def customer_addresses(store, req):
    """CU3#getCustomersAddresses: offset pagination."""
    items = store.customer_addresses()
    if req.ints("customer_id:in") is not None:
        items = [a for a in items if a["customer_id"] in req.ints("customer_id:in")]
    items = id_filters(req, items)
    return v3_list(req, items, transform=dict)


def update_customer_addresses(store, req):
    """CU3#updateCustomersAddresses."""
    return 200, {"data": [dict(a) for a in store.update_customer_addresses(req.body)], "meta": {}}


def customer_group(store, req, gid):
    """CU2#getCustomerGroup."""
    group = next((g for g in seed.CUSTOMER_GROUPS if g["id"] == int(gid)), None)
    if group is None:
        raise ApiError(404, "The requested resource was not found.", title="Not Found")
    stamp = seed.iso(seed.SEED_EPOCH - timedelta(days=200))
    return 200, dict(group, is_default=False, category_access={"type": "all"}, discount_rules=[],
                     date_created=stamp, date_modified=stamp, is_group_for_guests=False)


# ------------------------------------------------------------------------------------------ routing
N = r"(\d+)"
ROUTES = [  # (method, version, path regex, handler, error family)
    ("GET", "v2", "/store", store_info, "v2"),
    ("GET", "v2", "/time", server_time, "v2"),
    ("GET", "v2", "/order_statuses", order_statuses, "v2"),
    ("GET", "v2", "/order_statuses/" + N, order_status, "v2"),
    ("GET", "v2", "/orders", orders, "v2"),
    ("GET", "v2", "/orders/count", orders_count, "v2"),
    ("GET", "v2", "/orders/" + N, order, "v2"),
    ("PUT", "v2", "/orders/" + N, update_order, "v2"),
    ("GET", "v2", "/orders/%s/products" % N, order_products, "v2"),
    ("GET", "v2", "/orders/%s/products/%s" % (N, N), order_product, "v2"),
    ("GET", "v2", "/orders/%s/shipping_addresses" % N, order_addresses, "v2"),
    ("GET", "v2", "/orders/%s/shipping_addresses/%s" % (N, N), order_address, "v2"),
    ("GET", "v2", "/orders/%s/coupons" % N, order_coupons, "v2"),
    ("GET", "v2", "/orders/%s/taxes" % N, order_taxes, "v2"),
    ("GET", "v2", "/orders/%s/fees" % N, order_fees, "v2"),
    ("GET", "v2", "/orders/%s/consignments" % N, order_consignments, "v2"),
    ("GET", "v2", "/orders/%s/shipments" % N, order_shipments, "v2"),
    ("POST", "v2", "/orders/%s/shipments" % N, create_shipment, "v2"),
    ("GET", "v2", "/orders/%s/shipments/count" % N, order_shipments_count, "v2"),
    ("GET", "v2", "/orders/%s/shipments/%s" % (N, N), order_shipment, "v2"),
    ("PUT", "v2", "/orders/%s/shipments/%s" % (N, N), update_shipment, "v2"),
    ("GET", "v2", "/currencies", currencies, "v2"),
    ("GET", "v2", "/tax_classes", tax_classes, "v2"),
    ("GET", "v3", "/orders/%s/transactions" % N, transactions, "v3"),
    ("POST", "v3", "/orders/%s/payment_actions/refund_quotes" % N, refund_quotes, "v3"),
    ("POST", "v3", "/orders/%s/payment_actions/refunds" % N, create_refund, "refund"),
    ("GET", "v3", "/orders/%s/payment_actions/refunds" % N, order_refunds, "v3"),
    ("GET", "v3", "/orders/payment_actions/refunds", all_refunds, "v3"),
    ("GET", "v3", "/orders/payment_actions/refunds/" + N, refund, "v3"),
    ("POST", "v3", "/orders/%s/payment_actions/capture" % N, payment_action("capture"), "v3"),
    ("POST", "v3", "/orders/%s/payment_actions/void" % N, payment_action("void"), "v3"),
    ("GET", "v3", "/channels", channels, "v3"),
    ("GET", "v3", "/channels/" + N, channel, "v3"),
    ("GET", "v3", "/inventory/locations", locations, "problem"),
    ("GET", "v3", "/inventory/items", inventory_items, "problem"),
    ("GET", "v3", "/inventory/locations/%s/items" % N, location_items, "problem"),
    ("PUT", "v3", "/inventory/adjustments/absolute", adjust(False), "problem"),
    ("POST", "v3", "/inventory/adjustments/relative", adjust(True), "problem"),
    ("GET", "v3", "/catalog/brands", brands, "v3"),
    ("GET", "v3", "/catalog/trees", trees, "v3"),
    ("GET", "v3", "/catalog/trees/categories", tree_categories, "v3"),
    ("GET", "v3", "/catalog/trees/%s/categories" % N, tree, "v3"),
    ("GET", "v3", "/catalog/products", products, "v3"),
    ("GET", "v3", "/catalog/products/" + N, product, "v3"),
    ("GET", "v3", "/catalog/products/%s/variants" % N, variants, "v3"),
    ("GET", "v3", "/catalog/variants", variants, "v3"),
    ("PUT", "v3", "/catalog/variants", update_variants, "v3"),
    ("GET", "v3", "/hooks", hooks, "v3"),
    ("POST", "v3", "/hooks", create_hook, "v3"),
    ("GET", "v3", "/hooks/" + N, hook, "v3"),
    ("PUT", "v3", "/hooks/" + N, update_hook, "v3"),
    ("DELETE", "v3", "/hooks/" + N, delete_hook, "v3"),
    ("GET", "v3", "/customers", customers, "v3"),
    ("PUT", "v3", "/customers", update_customers, "v3"),
    ("GET", "v3", "/customers/addresses", customer_addresses, "v3"),
    ("PUT", "v3", "/customers/addresses", update_customer_addresses, "v3"),
    ("GET", "v2", "/customer_groups/" + N, customer_group, "v2"),
]
ROUTES += catalog_writes.ROUTES
COMPILED = [(m, v, re.compile("^%s/?$" % p), h, f) for m, v, p, h, f in ROUTES]


def family_of(version, path):
    if version == "v2":
        return "v2"
    return "problem" if path.startswith("/inventory") else "v3"


def resolve(method, version, path):
    """(handler, path args, family) or raises ApiError 404/405."""
    allowed = []
    for m, v, rx, handler, family in COMPILED:
        match = rx.match(path) if v == version else None
        if match:
            if m == method:
                return handler, match.groups(), family
            allowed.append(m)
    if allowed:
        raise ApiError(405, "Method %s not allowed (use %s)" % (method, ", ".join(allowed)), title="Method Not Allowed")
    raise ApiError(404, "The requested resource was not found.", title="Not Found")
