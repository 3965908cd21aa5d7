"""The sandbox's responses (and the requests we send it) against BigCommerce's official OpenAPI specs."""
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from contract import (SPEC_DIR, ContractError, specs_available, split_path, validate_request, validate_response,
                            validate_schema, validate_webhook)

if not specs_available():
    pytest.skip("BigCommerce OpenAPI specs not found in %s (copy them there or set BC_OPENAPI_DIR); "
                "contract tests skipped" % SPEC_DIR, allow_module_level=True)
pytest.importorskip("yaml")
pytest.importorskip("openapi_schema_validator")

from sandbox import api as sandbox_api  # noqa: E402
from sandbox.server import start_sandbox  # noqa: E402


@pytest.fixture(scope="module")
def sb():
    sandbox = start_sandbox(port=0, quota=100000, seed=1)
    yield sandbox
    sandbox.stop()


def scenario(sb):
    """(method, path, query, body, expected status) for every implemented endpoint, reads first, then writes."""
    rec = sb.state.orders
    op112, addr112 = rec[112]["products"][0]["id"], rec[112]["addresses"][0]["id"]
    ship105, refund109 = rec[105]["shipments"][0]["id"], rec[109]["refunds"][0]["id"]
    line103, addr103 = rec[103]["products"][0], rec[103]["addresses"][0]["id"]
    line110 = rec[110]["products"][1]
    items110 = [{"item_type": "PRODUCT", "item_id": line110["id"], "quantity": 1, "reason": "Damaged"}]
    amount110 = float(line110["price_inc_tax"])
    return [
        ("GET", "/v2/store", {}, None, 200),
        ("GET", "/v2/time", {}, None, 200),
        ("GET", "/v2/order_statuses", {}, None, 200),
        ("GET", "/v2/order_statuses/11", {}, None, 200),
        ("GET", "/v2/orders", {"limit": 250}, None, 200),
        ("GET", "/v2/orders", {"include": "consignments.line_items,fees", "consignment_structure": "object",
                               "sort": "date_modified:asc", "min_date_modified": "Mon, 06 Jan 2025 00:00:00 +0000"}, None, 200),
        ("GET", "/v2/orders", {"include": "consignments", "consignment_structure": "object", "status_id": 11,
                               "min_id": 100, "max_id": 200, "page": 1, "limit": 5}, None, 200),
        ("GET", "/v2/orders", {"min_date_created": "2025-01-06T00:00:00.000+00:00", "customer_id": 1,
                               "max_date_modified": "2030-01-01T00:00:00Z"}, None, 200),
        ("GET", "/v2/orders/count", {"status_id": 11}, None, 200),
        ("GET", "/v2/orders/107", {"include": "consignments.line_items", "consignment_structure": "object"}, None, 200),
        ("GET", "/v2/orders/112", {}, None, 200),
        ("GET", "/v2/orders/99999", {}, None, 404),
        ("GET", "/v2/orders/112/products", {"page": 1, "limit": 50}, None, 200),
        ("GET", "/v2/orders/112/products/%d" % op112, {}, None, 200),
        ("GET", "/v2/orders/112/shipping_addresses", {}, None, 200),
        ("GET", "/v2/orders/112/shipping_addresses/%d" % addr112, {}, None, 200),
        ("GET", "/v2/orders/116/coupons", {}, None, 200),
        ("GET", "/v2/orders/112/taxes", {"details": "true"}, None, 200),
        ("GET", "/v2/orders/114/taxes", {}, None, 200),
        ("GET", "/v2/orders/117/fees", {}, None, 200),
        ("GET", "/v2/orders/112/consignments", {"include": "consignments.line_items"}, None, 200),
        ("GET", "/v2/orders/105/shipments", {}, None, 200),
        ("GET", "/v2/orders/103/shipments", {}, None, 204),
        ("GET", "/v2/orders/105/shipments/count", {}, None, 200),
        ("GET", "/v2/orders/105/shipments/%d" % ship105, {}, None, 200),
        ("GET", "/v2/currencies", {}, None, 200),
        ("GET", "/v2/tax_classes", {"limit": 250}, None, 200),
        ("GET", "/v3/orders/105/transactions", {}, None, 200),
        ("GET", "/v3/orders/106/transactions", {}, None, 200),
        ("GET", "/v3/orders/101/transactions", {}, None, 204),
        ("GET", "/v3/orders/109/payment_actions/refunds", {}, None, 200),
        ("GET", "/v3/orders/payment_actions/refunds", {"order_id:in": "109,110", "page": 1, "limit": 10}, None, 200),
        ("GET", "/v3/orders/payment_actions/refunds/%d" % refund109, {}, None, 200),
        ("GET", "/v3/channels", {"available": "true"}, None, 200),
        ("GET", "/v3/channels/2", {}, None, 200),
        ("GET", "/v3/inventory/locations", {"location_id:in": "1,2"}, None, 200),
        ("GET", "/v3/inventory/items", {"sku:in": "MUG,TSHIRT-S", "location_id:in": "1"}, None, 200),
        ("GET", "/v3/inventory/locations/1/items", {"product_id:in": "71,76"}, None, 200),
        ("GET", "/v3/inventory/locations/99/items", {}, None, 404),
        ("GET", "/v3/catalog/brands", {"id:in": "41,42"}, None, 200),
        ("GET", "/v3/catalog/trees", {"channel_id:in": "1,2"}, None, 200),
        ("GET", "/v3/catalog/trees/categories", {"tree_id:in": "1"}, None, 200),
        ("GET", "/v3/catalog/trees/1/categories", {}, None, 200),
        ("GET", "/v3/catalog/products", {"include": "variants", "id:in": "71,72,74", "page": 1, "limit": 2}, None, 200),
        ("GET", "/v3/catalog/products", {"sku:in": "MUG,KNIFE-8"}, None, 200),
        ("GET", "/v3/catalog/products", {"include": "variants,images", "sort": "id", "page": 1, "limit": 250}, None, 200),
        ("GET", "/v3/catalog/products", {"include": "variants,images", "sort": "id", "id:in": "77",
                                         "date_modified:min": "2024-01-01T00:00:00+00:00"}, None, 200),
        ("GET", "/v3/catalog/variants", {"product_id:in": "77"}, None, 200),
        ("GET", "/v3/catalog/products", {"sku": "MUG"}, None, 200),
        ("GET", "/v3/catalog/products/71", {"include": "variants"}, None, 200),
        ("GET", "/v3/catalog/products/999", {}, None, 404),
        ("GET", "/v3/catalog/products/71/variants", {}, None, 200),
        ("GET", "/v3/catalog/variants", {"product_id:in": "71,74"}, None, 200),
        ("GET", "/v3/catalog/variants", {"sku": "MUG"}, None, 200),
        ("PUT", "/v3/catalog/variants", {}, [{"id": 171, "price": 21.5}], 200),
        ("GET", "/v3/customers", {"include": "addresses,storecredit,attributes,formfields", "limit": 2}, None, 200),
        ("GET", "/v3/customers", {"limit": 2, "after": sandbox_api._cursor(2)}, None, 200),
        ("GET", "/v3/customers", {"id:in": "1,2", "page": 2, "limit": 1}, None, 200),
        ("GET", "/v3/customers", {"include": "addresses", "date_modified:min": "2024-10-01T00:00:00+00:00",
                                  "sort": "date_modified:asc", "limit": 250}, None, 200),
        ("PUT", "/v3/customers", {}, [{"id": 2, "phone": "212-555-0199", "company": "Doe Design"}], 200),
        ("GET", "/v3/customers/addresses", {"customer_id:in": "1"}, None, 200),
        ("PUT", "/v3/customers/addresses", {}, [{"id": 20, "address1": "78 Broadway"}], 200),
        ("GET", "/v2/customer_groups/1", {}, None, 200),
        ("POST", "/v3/hooks", {}, {"scope": "store/order/*", "destination": "https://example.com/hooks", "is_active": True,
                                   "headers": {"X-Secret": "s"}}, 200),
        ("GET", "/v3/hooks", {"is_active": "true", "scope": "store/order/*"}, None, 200),
        ("GET", "/v3/hooks/1", {}, None, 200),
        ("PUT", "/v3/hooks/1", {}, {"is_active": False}, 200),
        ("POST", "/v2/orders/103/shipments", {}, {"order_address_id": addr103, "tracking_number": "1Z999AA1",
                                                  "shipping_provider": "ups", "comments": "first box",
                                                  "items": [{"order_product_id": line103["id"], "quantity": 1}]}, 201),
        ("PUT", "/v2/orders/105/shipments/%d" % ship105, {}, {"tracking_number": "1Z999AA2", "shipping_provider": "carrier_12",
                                                             "tracking_carrier": "dhl"}, 200),
        ("PUT", "/v2/orders/111", {}, {"status_id": 5}, 200),
        ("PUT", "/v2/orders/112", {}, {"products": [{"id": op112, "quantity": 0}]}, 200),
        ("POST", "/v3/orders/110/payment_actions/refund_quotes", {}, {"items": items110}, 201),
        ("POST", "/v3/orders/110/payment_actions/refunds", {}, {"items": items110, "payments": [
            {"provider_id": "braintree", "amount": amount110 + 1, "offline": False}]}, 422),
        ("POST", "/v3/orders/110/payment_actions/refunds", {}, {"items": items110, "payments": [
            {"provider_id": "braintree", "amount": amount110, "offline": False}]}, 201),
        ("POST", "/v3/orders/104/payment_actions/refund_quotes", {}, {"items": [
            {"item_type": "SHIPPING", "item_id": rec[104]["addresses"][0]["id"], "amount": 1.5}]}, 422),
        ("POST", "/v3/orders/104/payment_actions/capture", {}, None, 201),
        ("POST", "/v3/orders/104/payment_actions/void", {}, None, 422),
        ("POST", "/v3/orders/99999/payment_actions/capture", {}, None, 404),
        ("POST", "/v3/orders/102/payment_actions/void", {}, None, 422),
        ("PUT", "/v3/inventory/adjustments/absolute", {}, {"reason": "count", "items": [
            {"location_id": 1, "sku": "MUG", "quantity": 40}, {"location_id": 2, "variant_id": 171, "quantity": 9}]}, 200),
        ("POST", "/v3/inventory/adjustments/relative", {}, {"reason": "sold", "items": [
            {"location_id": 1, "product_id": 76, "quantity": -3}]}, 200),
        ("POST", "/v3/inventory/adjustments/relative", {}, {"items": [{"location_id": 1, "variant_id": 174, "quantity": 1}]}, 422),
        ("DELETE", "/v3/hooks/1", {}, None, 200),
        ("GET", "/v3/hooks/1", {}, None, 404),
    ] + catalog_export_scenario(sb)


class Multipart(dict):
    """A multipart/form-data body: its fields, and ``files`` as requests takes them."""

    def __init__(self, typed, files):
        super().__init__({key: str(value).lower() if isinstance(value, bool) else str(value) for key, value in typed.items()})
        self.typed = dict(typed, **{key: file[0] for key, file in files.items()})  # what the spec describes
        self.files = files


def catalog_export_scenario(sb):
    """What a catalog export sends, in order: create (variants and options), updates, images, channels."""
    pid = max(80000, *sb.state.products) + 1
    vid = max(180000, *sb.state.variants) + 1
    tee = {"name": "Contract Tee", "type": "physical", "description": "<p>Soft</p>", "weight": 0.25, "price": 20.0,
           "inventory_tracking": "variant", "categories": [13], "brand_id": 41, "variants": [
               {"sku": "CT-S", "option_values": [{"option_display_name": "Size", "label": "S"}], "weight": 0.25,
                "inventory_level": 4},
               {"sku": "CT-M", "option_values": [{"option_display_name": "Size", "label": "M"}], "weight": 0.25,
                "price": 21.5, "inventory_level": 0}]}
    png = ("odoo-0123456789abcdef.png", b"\x89PNG\r\n", "image/png")
    oid = max([1000, *sb.state.catalog_options]) + 1  # the tee's Size option
    size_l = {"sku": "CT-L", "option_values": [{"option_display_name": "Size", "label": "L"}], "weight": 0.25,
              "inventory_level": 1}
    small = max([5000, *(v["id"] for o in sb.state.catalog_options.values() for v in o["option_values"])]) + 1  # S
    size_path = "/v3/catalog/products/%d/options/%d" % (pid, oid)
    return [
        ("POST", "/v3/catalog/products", {}, tee, 200),
        ("POST", "/v3/catalog/products", {}, dict(tee, name="Contract Tee 2"), 409),  # SKUs taken, any case
        ("POST", "/v3/catalog/products", {}, {"name": "Mug 2", "type": "physical", "weight": 1, "price": 12.5,
                                              "sku": "CT-MUG", "inventory_tracking": "product", "inventory_level": 3}, 200),
        ("POST", "/v3/catalog/products", {}, dict(tee, name="Too many", variants=[  # at most 600 SKUs a product
            {"sku": "CT-X%d" % n, "option_values": [{"option_display_name": "N", "label": str(n)}]} for n in range(601)]),
         422),
        ("GET", "/v3/catalog/variants", {"sku": "ct-s"}, None, 200),
        # Update Listing adds a variant: its option value first (VO), then the variant (VA).
        ("GET", "/v3/catalog/products/%d/options" % pid, {}, None, 200),
        ("GET", "/v3/catalog/products/77/options", {}, None, 200),  # a seeded product's, made from its variants
        ("POST", "/v3/catalog/products/%d/options/%d/values" % (pid, oid), {}, {"label": "L", "sort_order": 2}, 200),
        ("POST", "/v3/catalog/products/%d/options/%d/values" % (pid, oid), {}, {"label": "l", "sort_order": 3},
         422),  # a label the option has, any case
        ("POST", "/v3/catalog/products/%d/variants" % pid, {}, size_l, 200),
        ("POST", "/v3/catalog/products/%d/options" % pid, {}, {"product_id": pid, "display_name": "Size", "type": "rectangles",
                                                               "option_values": [{"label": "S", "sort_order": 0}]}, 409),
        ("POST", "/v3/catalog/products/%d/options" % pid, {}, {"product_id": pid, "display_name": "Fit", "type": "rectangles",
                                                               "option_values": [{"label": "Slim", "sort_order": 0}]}, 200),
        # Update Listing renames a value, then its option (VO), deletes a variant removed in Odoo and the value it left unused.
        ("PUT", size_path + "/values/%d" % small, {}, {"id": small, "label": "Small", "sort_order": 0}, 200),
        ("PUT", size_path + "/values/%d" % small, {}, {"id": small, "label": "m", "sort_order": 0}, 422),  # M's, any case
        ("PUT", size_path + "/values/99999", {}, {"id": 99999, "label": "Tiny", "sort_order": 9}, 404),
        ("PUT", size_path, {}, {"id": oid, "product_id": pid, "display_name": "fit", "type": "rectangles",
                                "option_values": [{"id": small, "label": "Small", "sort_order": 0}]}, 409),
        ("PUT", size_path, {}, {"id": oid, "product_id": pid, "display_name": "Tee size", "type": "rectangles",
                                "option_values": [{"id": small, "label": "Small", "sort_order": 0}]}, 200),
        ("DELETE", "/v3/catalog/products/%d/variants/%d" % (pid, vid + 3), {}, None, 204),  # CT-L
        ("DELETE", size_path + "/values/%d" % (small + 2), {}, None, 204),  # L, which no variant uses now
        ("PUT", "/v3/catalog/products", {}, [{"id": pid, "name": "Contract Tee", "description": "<p>Softer</p>",
                                              "weight": 0.3, "inventory_tracking": "variant"}], 200),
        ("PUT", "/v3/catalog/products", {}, [{"id": pid, "name": "x%d" % n} for n in range(11)], 413),
        ("PUT", "/v3/catalog/variants", {}, [{"id": vid, "sku": "CT-S2", "weight": 0.3}], 200),
        ("PUT", "/v3/catalog/variants", {}, [{"id": vid, "price": 1} for _n in range(51)], 413),
        ("POST", "/v3/catalog/products/%d/images" % pid, {}, Multipart({"is_thumbnail": True}, {"image_file": png}), 200),
        ("GET", "/v3/catalog/products/%d/images" % pid, {}, None, 200),
        ("POST", "/v3/catalog/products/%d/variants/%d/image" % (pid, vid), {}, Multipart({}, {"image_file": png}), 200),
        ("PUT", "/v3/catalog/products/channel-assignments", {}, [{"product_id": pid, "channel_id": 1},
                                                                 {"product_id": pid, "channel_id": 2}], 204),
        ("PUT", "/v3/catalog/products/channel-assignments", {}, [{"product_id": pid, "channel_id": 99}], 422),
        ("DELETE", "/v3/catalog/products/channel-assignments", {"product_id:in": str(pid), "channel_id:in": "2"}, None, 204),
        ("GET", "/v3/catalog/products/channel-assignments", {"product_id:in": str(pid)}, None, 200),
    ]


def test_every_endpoint_matches_the_specs(sb):
    http = requests.Session()
    http.headers.update({"X-Auth-Token": sb.access_token, "Accept": "application/json"})
    problems, covered = [], set()
    for method, path, query, body, expected in scenario(sb):
        label = "%s %s %s" % (method, path, query or "")
        try:
            if isinstance(body, Multipart):
                validate_request(method, path, query, body.typed, "multipart/form-data")
            else:
                validate_request(method, path, query, body)
        except ContractError as exc:
            problems.append("request %s:\n  %s" % (label, exc))
        if isinstance(body, Multipart):
            resp = http.request(method, sb.api_url + path, params=query, data=dict(body), files=body.files, timeout=10)
        else:
            resp = http.request(method, sb.api_url + path, params=query, json=body, timeout=10)
        if resp.status_code != expected:
            problems.append("%s: status %d, expected %d: %s" % (label, resp.status_code, expected, resp.text[:300]))
            continue
        try:
            validate_response(method, path, resp.status_code, resp.json() if resp.content else None,
                              resp.headers.get("Content-Type"))
        except ContractError as exc:
            problems.append("response %s:\n  %s" % (label, exc))
        version, inner = split_path(path)
        covered |= {(m, v, p) for m, v, p, _, _ in sandbox_api.ROUTES if m == method and v == version
                    and re.match("^%s/?$" % p, inner)}
    assert problems == []
    assert covered == {(m, v, p) for m, v, p, _, _ in sandbox_api.ROUTES}, "routes not exercised"


def test_errors_not_documented_per_operation_keep_the_family_shapes(sb):
    """401 / 400 / 429 are not listed on every operation; their bodies use the family's documented shapes."""
    wrong = {"X-Auth-Token": "nope"}
    validate_schema("orders.v2.oas2.yml", "#/components/responses/404_Resp/content/application~1json/schema",
                    requests.get(sb.api_url + "/v2/orders", headers=wrong, timeout=5).json())
    validate_schema("orders.v3.yml", "#/components/schemas/ErrorResponse",
                    requests.get(sb.api_url + "/v3/orders/103/transactions", headers=wrong, timeout=5).json())
    bad_shipment = requests.post(sb.api_url + "/v2/orders/112/shipments", json={"order_address_id": 1, "items": []},
                                 headers={"X-Auth-Token": sb.access_token}, timeout=5)
    assert bad_shipment.status_code == 400
    validate_schema("orders.v2.oas2.yml", "#/components/responses/404_Resp/content/application~1json/schema", bad_shipment.json())
    with pytest.raises(ContractError):
        validate_schema("orders.v3.yml", "#/components/schemas/ErrorResponse", [{"status": "x"}])


def test_a_refused_variant_answers_in_the_catalog_error_shapes(sb):
    """VA#createProductVariant documents no 409 / 422: a SKU already taken (any case) and an option
    value the product does not have answer in the catalog's shapes (PR §errorResponse_409, _422)."""
    sb.reset()
    http = requests.Session()
    http.headers["X-Auth-Token"] = sb.access_token
    tee = {"name": "Shape Tee", "type": "physical", "weight": 1, "price": 5, "variants": [
        {"sku": "SH-S", "option_values": [{"option_display_name": "Size", "label": "S"}]}]}
    pid = http.post(sb.api_url + "/v3/catalog/products", json=tee, timeout=5).json()["data"]["id"]
    url = sb.api_url + "/v3/catalog/products/%d/variants" % pid
    taken = http.post(url, json={"sku": "mug", "option_values": [{"option_display_name": "Size", "label": "S"}]}, timeout=5)
    assert taken.status_code == 409
    validate_schema("products_catalog.v3.yml", "#/components/schemas/errorResponse_409", taken.json())
    unknown = http.post(url, json={"sku": "SH-XL", "option_values": [{"option_display_name": "Size", "label": "XL"}]},
                        timeout=5)
    assert unknown.status_code == 422
    validate_schema("products_catalog.v3.yml", "#/components/schemas/errorResponse_422", unknown.json())
    assert "SH-XL" not in {v["sku"] for v in sb.state.variants.values()}


def test_renames_follow_on_the_variants_and_a_second_delete_is_a_404(sb):
    """Variants show their options' new names and labels; VA#deleteProductVariant documents only 204:
    a variant deleted already answers 404 in the catalog's shape (PR §error_Base), which the
    connector takes as done."""
    sb.reset()
    http = requests.Session()
    http.headers["X-Auth-Token"] = sb.access_token
    tee = {"name": "Gone Tee", "type": "physical", "weight": 1, "price": 5, "variants": [
        {"sku": "GO-%s" % size, "option_values": [{"option_display_name": "Size", "label": size}]} for size in "SM"]}
    product = http.post(sb.api_url + "/v3/catalog/products", json=tee, timeout=5).json()["data"]
    small, medium = product["variants"]
    url = sb.api_url + "/v3/catalog/products/%d" % product["id"]
    option_id, value_id = small["option_values"][0]["option_id"], small["option_values"][0]["id"]
    http.put(url + "/options/%d/values/%d" % (option_id, value_id), json={"id": value_id, "label": "Small", "sort_order": 0},
             timeout=5).raise_for_status()
    option = http.get(url + "/options", timeout=5).json()["data"][0]
    http.put(url + "/options/%d" % option_id, json=dict(option, display_name="Tee size"), timeout=5).raise_for_status()
    assert sb.state.variants[small["id"]]["option_values"] == [
        {"id": value_id, "label": "Small", "option_id": option_id, "option_display_name": "Tee size"}]
    assert sb.state.variants[medium["id"]]["option_values"][0]["option_display_name"] == "Tee size"
    assert http.delete(url + "/variants/%d" % small["id"], timeout=5).status_code == 204
    again = http.delete(url + "/variants/%d" % small["id"], timeout=5)
    assert again.status_code == 404
    validate_schema("products_catalog.v3.yml", "#/components/schemas/error_Base", again.json())
    assert [v["sku"] for v in sb.state.variants.values() if v["product_id"] == product["id"]] == ["GO-M"]


class _Receiver(BaseHTTPRequestHandler):
    bodies = []

    def do_POST(self):
        _Receiver.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook_payloads_match_the_callback_schemas(sb):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        sb.reset()
        sb.configure(auto_deliver_webhooks=False, webhook_url="http://127.0.0.1:%d/" % httpd.server_address[1])
        http = requests.Session()
        http.headers["X-Auth-Token"] = sb.access_token
        line = sb.state.orders[103]["products"][0]
        http.put(sb.api_url + "/v2/orders/102", json={"status_id": 11}, timeout=5)
        http.post(sb.api_url + "/v2/orders/103/shipments", timeout=5, json={
            "order_address_id": line["order_address_id"], "items": [{"order_product_id": line["id"], "quantity": 1}]})
        http.post(sb.api_url + "/v3/orders/103/payment_actions/refunds", timeout=5, json={
            "items": [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}],
            "payments": [{"provider_id": "braintree", "amount": float(line["price_inc_tax"]), "offline": False}]})
        requests.post(sb.url + "/__sandbox__/orders", json={"lines": [["MUG", 1]]}, timeout=5)
        http.put(sb.api_url + "/v3/customers", json=[{"id": 2, "phone": "212-555-0199"}], timeout=5)
        http.put(sb.api_url + "/v3/customers/addresses", json=[{"id": 20, "address1": "78 Broadway"}], timeout=5)
        delivered = requests.post(sb.url + "/__sandbox__/webhooks/deliver", json={}, timeout=10).json()["delivered"]
        assert {d["status"] for d in delivered} == {204}
        payloads = [json.loads(b) for b in _Receiver.bodies]
        assert {p["scope"] for p in payloads} == {"store/order/updated", "store/order/statusUpdated", "store/shipment/created",
                                                  "store/order/refund/created", "store/order/created",
                                                  "store/customer/updated", "store/customer/address/updated"}
        for payload in payloads:
            validate_webhook(payload)
        with pytest.raises(ContractError):
            validate_webhook(dict(payloads[0], store_id=1000001))  # store_id is a string
    finally:
        sb.configure(auto_deliver_webhooks=True, webhook_url=None)
        httpd.shutdown()
        httpd.server_close()


# ---------------------------------------------------------------------------------------------- the helper itself
def test_validate_request_accepts_what_the_client_sends():
    assert validate_request("GET", "https://api.bigcommerce.com/stores/abc/v2/orders", {
        "min_date_modified": "Thu, 20 Apr 2017 11:32:00 -0400", "sort": "date_modified:asc", "page": 2, "limit": 250,
        "include": "consignments.line_items,fees", "consignment_structure": "object"}) == "getOrders"
    assert validate_request("PUT", "/stores/abc/v2/orders/5", None, {"status_id": 5}) == "updateOrder"
    assert validate_request("GET", "/v2/orders/count") == "getOrdersCount"
    assert validate_request("GET", "/v3/hooks/admin") == "getHooksAdmin"  # literal path beats /hooks/{webhook_id}
    assert validate_request("POST", "/v3/orders/5/payment_actions/refunds", None, {
        "items": [{"item_type": "PRODUCT", "item_id": 1, "quantity": 1}, {"item_type": "ORDER", "item_id": 5, "amount": 1.5}],
        "payments": [{"provider_id": "storecredit", "amount": 3.5, "offline": False}]}) == "createOrderRefund"


@pytest.mark.parametrize("method, path, params, body, needle", [
    ("GET", "/v2/nope", None, None, "no such path"),
    ("DELETE", "/v3/channels", None, None, "method not in the spec"),
    ("GET", "/v2/orders", {"bogus": 1}, None, "not declared"),
    ("GET", "/v2/orders", {"sort": "price:asc"}, None, "sort"),
    ("GET", "/v2/orders", {"min_id": "abc"}, None, "min_id"),
    ("POST", "/v2/orders/1/shipments", None, {"order_address_id": "5", "items": []}, "order_address_id"),
    ("POST", "/v3/orders/1/payment_actions/refunds", None, {"items": []}, "request body"),
    ("POST", "/v3/orders/1/payment_actions/refund_quotes", None, None, "request body required"),
    ("GET", "/v2/orders", None, {"x": 1}, "no request body"),
    ("PUT", "/v3/inventory/adjustments/absolute", None, {"items": [{"location_id": 1, "quantity": 1}]}, "request body"),
])
def test_validate_request_rejects_what_the_specs_do_not_allow(method, path, params, body, needle):
    with pytest.raises(ContractError, match=needle):
        validate_request(method, path, params, body)


def test_validate_response_catches_wrong_types_and_undocumented_statuses(sb):
    order = requests.get(sb.api_url + "/v2/orders/103", headers={"X-Auth-Token": sb.access_token}, timeout=5).json()
    validate_response("GET", "/v2/orders/103", 200, order)
    with pytest.raises(ContractError, match="total_inc_tax"):
        validate_response("GET", "/v2/orders/103", 200, dict(order, total_inc_tax=142.89))  # v2 money is a string
    with pytest.raises(ContractError, match="not documented"):
        validate_response("GET", "/v2/orders/103", 500, order)
    line = requests.get(sb.api_url + "/v2/orders/103/products", headers={"X-Auth-Token": sb.access_token}, timeout=5).json()
    with pytest.raises(ContractError, match="Additional properties"):
        validate_response("GET", "/v2/orders/103/products", 200, [dict(line[0], made_up=1)])  # orderProducts is closed
    embedded = dict(order, consignments={"shipping": [{"id": 1, "line_items": [dict(line[0], quantity="2")]}]})
    with pytest.raises(ContractError, match="line_items"):
        validate_response("GET", "/v2/orders/103", 200, embedded)  # a full product cannot pass as a link
    with pytest.raises(ContractError, match="content type"):
        validate_response("GET", "/v3/inventory/locations/9/items", 404, {"status": 404}, "application/json")
    with pytest.raises(ContractError, match="204"):
        validate_response("GET", "/v3/orders/1/transactions", 204, {"data": []})
    tx = {"data": [{"id": 1, "order_id": 103, "event": "purchase", "method": "credit_card", "amount": 1.0,
                    "currency": "USD", "gateway": "braintree"}], "meta": {}}
    with pytest.raises(ContractError, match="order_id"):
        validate_response("GET", "/v3/orders/103/transactions", 200, tx)  # transaction order_id is a string
