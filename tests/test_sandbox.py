"""Behaviour of the BigCommerce sandbox store (``sandbox/``): state changes, limits, faults, webhooks, seed money."""
import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import threading
import time
from decimal import ROUND_HALF_UP, Decimal
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from bigcommerce.webhooks import verify_webhook

from sandbox import seed
from sandbox.server import DEFAULT_CONFIG, start_sandbox
from sandbox.store import Store

SECRET = "test-client-secret"
MONEY = re.compile(r"^-?\d+\.\d{4}$")


@pytest.fixture(scope="module")
def server():
    sb = start_sandbox(port=0, quota=10000, window_ms=30000, seed=7, client_secret=SECRET)
    yield sb
    sb.stop()


@pytest.fixture
def sb(server):
    server.configure(**dict(DEFAULT_CONFIG, quota=10000, seed=7))
    server.client_secret = SECRET
    server.reset(extra_orders=0)
    return server


class Api:
    def __init__(self, sb):
        self.sb, self.http = sb, requests.Session()
        self.http.headers.update({"X-Auth-Token": sb.access_token, "Accept": "application/json"})

    def call(self, method, path, body=None, **params):
        return self.http.request(method, self.sb.api_url + path, json=body, params=params or None, timeout=10)

    def get(self, path, **params):
        resp = self.call("GET", path, **params)
        assert resp.status_code == 200, (path, resp.status_code, resp.text)
        return resp.json()


@pytest.fixture
def api(sb):
    return Api(sb)


def D(value):
    return Decimal(str(value))


def r2(value):
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------- seed money
def recompute(order, lines, addresses, taxes, fees, rate):
    """Independent recomputation of one order from its served lines and costs; returns mismatches."""
    bad = []

    def check(label, got, want):
        if D(got) != want:
            bad.append("order %s %s: served %s, recomputed %s" % (order["id"], label, got, want))

    r = D(rate) / 100
    inclusive = order["is_tax_inclusive_pricing"]
    for ln in lines:
        unit_rate = Decimal(0) if D(ln["price_tax"]) == 0 and D(ln["price_inc_tax"]) == D(ln["price_ex_tax"]) else r
        if inclusive:
            check("line %s price_tax" % ln["id"], ln["price_tax"], r2(D(ln["price_inc_tax"]) * unit_rate / (1 + unit_rate)))
        else:
            check("line %s price_tax" % ln["id"], ln["price_tax"], r2(D(ln["price_ex_tax"]) * unit_rate))
        check("line %s price_inc" % ln["id"], ln["price_inc_tax"], D(ln["price_ex_tax"]) + D(ln["price_tax"]))
        for k in ("ex_tax", "inc_tax", "tax"):
            check("line %s total_%s" % (ln["id"], k), ln["total_" + k], D(ln["price_" + k]) * ln["quantity"])
        check("line %s discounted" % ln["id"], ln["discounted_total_inc_tax"],
              D(ln["total_inc_tax"]) - sum((D(d["amount"]) for d in ln["applied_discounts"]), Decimal(0)))

    def total(records, key):
        return sum((D(x[key]) for x in records), Decimal(0))

    for k in ("ex_tax", "inc_tax", "tax"):
        check("subtotal_" + k, order["subtotal_" + k], total(lines, "total_" + k))
        check("shipping_cost_" + k, order["shipping_cost_" + k], total(addresses, "cost_" + k))
        check("handling_cost_" + k, order["handling_cost_" + k], total(addresses, "handling_cost_" + k))
        check("wrapping_cost_" + k, order["wrapping_cost_" + k], total(lines, "wrapping_cost_" + k))
    for a in addresses:
        base = D(a["cost_inc_tax"] if inclusive else a["cost_ex_tax"])
        check("address %s base_cost" % a["id"], a["base_cost"], base)
        check("address %s cost_tax" % a["id"], a["cost_tax"],
              r2(base * r / (1 + r)) if inclusive else r2(base * r))
    total_tax = D(order["subtotal_tax"]) + D(order["shipping_cost_tax"]) + D(order["handling_cost_tax"]) + D(order["wrapping_cost_tax"])
    check("total_tax", order["total_tax"], total_tax)
    check("total_tax vs /taxes", order["total_tax"], total(taxes, "line_amount"))
    discounts = [d for ln in lines for d in ln["applied_discounts"]]
    check("coupon_discount", order["coupon_discount"], total([d for d in discounts if d["target"] == "product"], "amount"))
    check("discount_amount", order["discount_amount"], total([d for d in discounts if d["target"] == "order"], "amount"))
    check("total_inc_tax", order["total_inc_tax"],
          D(order["subtotal_inc_tax"]) + D(order["shipping_cost_inc_tax"]) + D(order["handling_cost_inc_tax"])
          + D(order["wrapping_cost_inc_tax"]) + total(fees, "cost_inc_tax") - D(order["discount_amount"]) - D(order["coupon_discount"]))
    check("total_ex_tax", order["total_ex_tax"], D(order["total_inc_tax"]) - D(order["total_tax"]))
    check("items_total", order["items_total"], sum(ln["quantity"] for ln in lines))
    return bad


def test_seed_orders_are_consistent_to_the_cent(api):
    specs = {s["id"]: s for s in seed.ORDERS}
    orders = api.get("/v2/orders", limit=250)
    assert [o["id"] for o in orders] == seed.SEED_ORDER_IDS
    problems = []
    for order in orders:
        oid = order["id"]
        lines = api.get("/v2/orders/%d/products" % oid)
        addresses = api.get("/v2/orders/%d/shipping_addresses" % oid)
        taxes = api.get("/v2/orders/%d/taxes" % oid, details="true")
        fees = api.get("/v2/orders/%d/fees" % oid)["fees"]
        for value in [order[k] for k in order if k.endswith(("_tax", "_cost", "_amount", "_discount"))
                      and isinstance(order[k], str)] + [ln["total_inc_tax"] for ln in lines]:
            assert MONEY.match(value), (oid, value)
        problems += recompute(order, lines, addresses, taxes, fees, specs[oid]["tax_rate"])
        for row in taxes:
            if row["line_item_type"] == "item":
                line = next(ln for ln in lines if str(ln["id"]) == row["order_product_id"])
                assert row["line_amount"] == line["total_tax"]
    assert problems == []


def test_synthetic_orders_are_consistent_and_deterministic():
    ids, built = seed.build_all(extra_orders=200, seed=3)
    assert len(built) == len(seed.ORDERS) + 200
    assert all(len(rec["products"]) == 3 for oid, rec in built.items() if oid not in seed.SEED_ORDER_IDS)
    assert [e for rec in built.values() for e in seed.check_order(rec)] == []
    _, again = seed.build_all(extra_orders=200, seed=3)
    assert [r["order"]["total_inc_tax"] for r in built.values()] == [r["order"]["total_inc_tax"] for r in again.values()]
    _, other = seed.build_all(extra_orders=200, seed=4)
    assert [r["order"]["total_inc_tax"] for r in built.values()] != [r["order"]["total_inc_tax"] for r in other.values()]


def test_check_order_detects_a_wrong_total():
    _, built = seed.build_all()
    rec = built[103]
    rec["order"]["total_inc_tax"] = seed.m4(D(rec["order"]["total_inc_tax"]) + Decimal("0.01"))
    assert any("total_inc_tax" in e for e in seed.check_order(rec))


def test_seed_covers_the_scenarios_the_connector_handles(api):
    orders = {o["id"]: o for o in api.get("/v2/orders", limit=250)}
    assert {o["status_id"] for o in orders.values()} >= {1, 7, 11, 9, 3, 2, 10, 5, 4, 14, 12}
    assert orders[101]["customer_id"] == 0
    assert orders[114]["is_tax_inclusive_pricing"] and orders[115]["is_tax_inclusive_pricing"]
    assert orders[115]["default_currency_code"] == "EUR" and orders[115]["store_default_currency_code"] == "USD"
    assert orders[115]["channel_id"] == 2
    assert D(orders[116]["coupon_discount"]) > 0 and D(orders[116]["discount_amount"]) > 0
    assert D(orders[103]["handling_cost_inc_tax"]) > 0 and D(orders[103]["wrapping_cost_inc_tax"]) > 0
    assert api.get("/v2/orders/116/coupons")[0]["code"] == "SAVE10"
    two = api.get("/v2/orders/112/products")
    assert len({ln["order_address_id"] for ln in two}) == 2 == len(api.get("/v2/orders/112/shipping_addresses"))
    types = {ln["type"]: ln for ln in api.get("/v2/orders/107/products")}
    assert types["giftcertificate"]["product_id"] == 0 and types["digital"]["product_id"] == 75
    assert api.get("/v2/orders/113/products")[0]["product_id"] == 0
    assert [ln["quantity_shipped"] for ln in api.get("/v2/orders/105/products")] == [2, 0]
    tx = {oid: [t["event"] for t in api.get("/v3/orders/%d/transactions" % oid)["data"]] for oid in (103, 104, 105, 106, 108)}
    assert tx == {103: ["purchase"], 104: ["authorization"], 105: ["authorization", "capture"], 106: ["purchase"],
                  108: ["authorization", "void"]}
    cod = api.get("/v3/orders/106/transactions")["data"][0]
    assert cod["method"] == "offline" and cod["offline"]["display_name"] == orders[106]["payment_method"] == "Cash on Delivery"
    assert (orders[103]["payment_status"], orders[104]["payment_status"]) == ("captured", "authorized")
    assert api.call("GET", "/v3/orders/101/transactions").status_code == 204
    assert api.get("/v3/orders/103/transactions")["data"][0]["order_id"] == "103"


# ---------------------------------------------------------------------------------------------- basics
def test_auth_store_hash_and_error_shapes(sb, api):
    bad = requests.get(sb.api_url + "/v2/orders", headers={"X-Auth-Token": "wrong"}, timeout=5)
    assert bad.status_code == 401 and bad.json()[0]["status"] == 401 and "message" in bad.json()[0]
    bad3 = requests.get(sb.api_url + "/v3/channels", timeout=5)
    assert bad3.status_code == 401 and set(bad3.json()) >= {"status", "title", "type"}
    other = requests.get(sb.url + "/stores/otherhash/v2/orders", headers={"X-Auth-Token": sb.access_token}, timeout=5)
    assert other.status_code == 404
    missing = api.call("GET", "/v2/orders/99999")
    assert missing.status_code == 404 and missing.json() == [{"status": 404, "message": "The requested resource was not found."}]
    problem = api.call("GET", "/v3/inventory/locations/99/items")
    assert problem.status_code == 404 and problem.headers["Content-Type"].startswith("application/problem+json")
    assert api.get("/v2/time")["time"] == pytest.approx(time.time(), abs=5)
    assert api.get("/v2/store")["id"] == sb.store_hash
    assert [t["id"] for t in api.get("/v2/tax_classes")] == ["0", "1", "2", "3"]


def test_order_filters_sort_and_pagination(sb, api):
    assert [o["id"] for o in api.get("/v2/orders", limit=5, page=2)] == [106, 107, 108, 109, 110]
    assert [o["id"] for o in api.get("/v2/orders", min_id=115)] == [115, 116, 117]
    assert [o["id"] for o in api.get("/v2/orders", status_id=11)] == [103, 112, 113, 114, 115, 116, 117]
    assert api.get("/v2/orders", min_id=99999) == []
    by_modified = api.get("/v2/orders", sort="date_modified:asc", limit=250)
    stamps = [parsedate_to_datetime(o["date_modified"]) for o in by_modified]
    assert stamps == sorted(stamps)
    cut = by_modified[8]["date_modified"]
    rfc = api.get("/v2/orders", min_date_modified=cut, sort="date_modified:asc", limit=250)
    iso = api.get("/v2/orders", min_date_modified=parsedate_to_datetime(cut).isoformat(), sort="date_modified:asc", limit=250)
    assert rfc == iso == by_modified[8:]
    assert api.get("/v2/orders/count", status_id=11)["count"] == 7
    counts = api.get("/v2/orders/count")
    assert counts["count"] == len(seed.ORDERS) and sum(s["count"] for s in counts["statuses"]) == len(seed.ORDERS)
    assert api.call("GET", "/v2/orders", sort="bogus").status_code == 400
    embedded = api.get("/v2/orders/112", include="consignments.line_items", consignment_structure="object")
    shipping = embedded["consignments"]["shipping"]
    assert [c["id"] for c in shipping] == [a["id"] for a in api.get("/v2/orders/112/shipping_addresses")]
    assert [ln["id"] for c in shipping for ln in c["line_items"]] == [ln["id"] for ln in api.get("/v2/orders/112/products")]
    assert isinstance(shipping[0]["cost_inc_tax"], float)
    assert "resource" in api.get("/v2/orders/112")["consignments"]
    assert api.get("/v2/orders/117", include="fees")["fees"][0]["cost_inc_tax"] == "2.5000"


def test_large_synthetic_store_paginates(sb, api):
    sb.reset(extra_orders=300)
    assert len(api.get("/v2/orders", limit=250)) == 250
    assert len(api.get("/v2/orders", limit=1000)) == 250  # v2 maximum
    assert len(api.get("/v2/orders", limit=250, page=2)) == len(seed.ORDERS) + 300 - 250
    assert api.get("/v2/orders/count")["count"] == len(seed.ORDERS) + 300


# ---------------------------------------------------------------------------------------------- state changes
def test_a_shipment_update_changes_tracking_and_link_never_items(sb, api):
    shipment = api.get("/v2/orders/105/shipments")[0]
    url = "/v2/orders/105/shipments/%d" % shipment["id"]
    for body in ({"items": []}, {"shipping_provider": "dhl"}, {"tracking_number": "X" * 51}, {"order_address_id": 999}):
        assert api.call("PUT", url, body).status_code == 400
    assert api.call("PUT", "/v2/orders/105/shipments/999999", {"tracking_number": "1"}).status_code == 404
    assert api.get("/v2/orders/105/shipments")[0] == shipment  # rejected updates change nothing
    resp = api.call("PUT", url, {"tracking_number": "1Z777", "shipping_provider": "fedex"})
    assert resp.status_code == 200
    updated = resp.json()
    assert (updated["tracking_number"], updated["shipping_provider_display_name"]) == ("1Z777", "FedEx")
    assert updated["generated_tracking_link"] == "https://www.fedex.com/fedextrack/?trknbr=1Z777"
    assert updated["items"] == shipment["items"]
    updated = api.call("PUT", url, {"shipping_provider": "carrier_42", "tracking_carrier": "dhl"}).json()
    assert updated["generated_tracking_link"] == "https://track.aftership.com/dhl/1Z777"
    assert api.get("/v2/orders/105/shipments")[0] == updated
    store = Store()
    shipment_id = store.orders[105]["shipments"][0]["id"]
    store.drain_events()
    store.update_shipment(105, shipment_id, {"tracking_number": "1Z888"})
    assert {"scope": "store/shipment/updated", "data": {"type": "shipment", "id": shipment_id, "orderId": 105}} \
        in store.drain_events()


def test_shipments_update_quantities_and_status(sb, api):
    before = api.get("/v2/orders/103")
    lines = api.get("/v2/orders/103/products")
    address = api.get("/v2/orders/103/shipping_addresses")[0]["id"]
    assert api.call("GET", "/v2/orders/103/shipments").status_code == 204
    for body in ({"order_address_id": 999, "items": [{"order_product_id": lines[0]["id"], "quantity": 1}]},
                 {"order_address_id": address, "items": [{"order_product_id": lines[0]["id"], "quantity": 3}]},
                 {"order_address_id": address, "items": []}):
        assert api.call("POST", "/v2/orders/103/shipments", body).status_code == 400
    assert api.get("/v2/orders/103") == before  # rejected shipments change nothing
    resp = api.call("POST", "/v2/orders/103/shipments", {
        "order_address_id": address, "tracking_number": "1Z999", "shipping_provider": "ups",
        "items": [{"order_product_id": lines[0]["id"], "quantity": 2}, {"order_product_id": lines[2]["id"], "quantity": 1}]})
    assert resp.status_code == 201
    shipment = resp.json()
    assert shipment["order_address_id"] == address and shipment["items"][0]["quantity"] == 2
    assert shipment["generated_tracking_link"].endswith("1Z999")
    partial = api.get("/v2/orders/103")
    assert (partial["status_id"], partial["status"], partial["items_shipped"]) == (3, "Partially Shipped", 3)
    assert parsedate_to_datetime(partial["date_modified"]) > parsedate_to_datetime(before["date_modified"])
    assert [ln["quantity_shipped"] for ln in api.get("/v2/orders/103/products")] == [2, 0, 1]
    assert api.get("/v2/orders/103/shipping_addresses")[0]["items_shipped"] == 3
    resp = api.call("POST", "/v2/orders/103/shipments", {"order_address_id": address, "items": [
        {"order_product_id": lines[1]["id"], "quantity": 1}, {"order_product_id": lines[2]["id"], "quantity": 2}]})
    assert resp.status_code == 201
    done = api.get("/v2/orders/103")
    assert (done["status_id"], done["items_shipped"]) == (2, done["items_total"]) and done["date_shipped"]
    assert [s["id"] for s in api.get("/v2/orders/103/shipments")] == [shipment["id"], resp.json()["id"]]
    over = api.call("POST", "/v2/orders/103/shipments", {"order_address_id": address,
                                                         "items": [{"order_product_id": lines[1]["id"], "quantity": 1}]})
    assert over.status_code == 400


def test_shipment_items_must_belong_to_the_address(api):
    addresses = api.get("/v2/orders/112/shipping_addresses")
    lines = api.get("/v2/orders/112/products")
    other = next(ln for ln in lines if ln["order_address_id"] == addresses[1]["id"])
    resp = api.call("POST", "/v2/orders/112/shipments", {"order_address_id": addresses[0]["id"],
                                                         "items": [{"order_product_id": other["id"], "quantity": 1}]})
    assert resp.status_code == 400
    ok = api.call("POST", "/v2/orders/112/shipments", {"order_address_id": addresses[1]["id"],
                                                       "items": [{"order_product_id": other["id"], "quantity": 1}]})
    assert ok.status_code == 201 and api.get("/v2/orders/112")["status_id"] == 3


def test_refunds_update_quantities_payment_status_and_status(api):
    lines = api.get("/v2/orders/103/products")
    quote = api.call("POST", "/v3/orders/103/payment_actions/refund_quotes",
                     {"items": [{"item_type": "PRODUCT", "item_id": lines[0]["id"], "quantity": 1}]})
    assert quote.status_code == 201
    quote = quote.json()["data"]
    assert quote["total_refund_amount"] == float(lines[0]["price_inc_tax"])
    assert quote["total_refund_tax_amount"] == float(lines[0]["price_tax"])
    assert quote["refund_methods"][0][0]["provider_id"] == "braintree"
    items = [{"item_type": "PRODUCT", "item_id": lines[0]["id"], "quantity": 1}]
    wrong = api.call("POST", "/v3/orders/103/payment_actions/refunds",
                     {"items": items, "payments": [{"provider_id": "braintree", "amount": 1.0, "offline": False}]})
    assert wrong.status_code == 422 and wrong.json()["data"][0]["status"] == 422
    assert api.get("/v2/orders/103")["payment_status"] == "captured"
    resp = api.call("POST", "/v3/orders/103/payment_actions/refunds", {"items": items, "payments": [
        {"provider_id": "braintree", "amount": quote["total_refund_amount"], "offline": False}]})
    assert resp.status_code == 201
    refund = resp.json()["data"]
    assert refund["total_amount"] == quote["total_refund_amount"] and refund["payments"][0]["is_declined"] is False
    order = api.get("/v2/orders/103")
    assert (order["status_id"], order["payment_status"]) == (14, "partially refunded")
    line = api.get("/v2/orders/103/products")[0]
    assert (line["quantity_refunded"], line["is_refunded"]) == (1, False)
    assert [r["id"] for r in api.get("/v3/orders/103/payment_actions/refunds")["data"]] == [refund["id"]]
    assert refund["id"] in [r["id"] for r in api.get("/v3/orders/payment_actions/refunds", **{"order_id:in": "103"})["data"]]
    assert api.get("/v3/orders/103/transactions")["data"][-1]["event"] == "refund"
    too_many = api.call("POST", "/v3/orders/103/payment_actions/refund_quotes",
                        {"items": [{"item_type": "PRODUCT", "item_id": lines[0]["id"], "quantity": 2}]})
    assert too_many.status_code == 422
    # refund everything that is left, to store credit
    rest = [{"item_type": "PRODUCT", "item_id": ln["id"], "quantity": ln["quantity"] - ln["quantity_refunded"]}
            for ln in api.get("/v2/orders/103/products")]
    address = api.get("/v2/orders/103/shipping_addresses")[0]
    rest += [{"item_type": "SHIPPING", "item_id": address["id"], "amount": float(address["cost_inc_tax"])},
             {"item_type": "HANDLING", "item_id": address["id"], "amount": float(address["handling_cost_inc_tax"])},
             {"item_type": "GIFT_WRAPPING", "item_id": lines[1]["id"], "quantity": 1}]
    quote = api.call("POST", "/v3/orders/103/payment_actions/refund_quotes", {"items": rest}).json()["data"]
    assert D(quote["total_refund_amount"]) + D(refund["total_amount"]) == D(order["total_inc_tax"])
    store_credit = next(m for m in quote["refund_methods"] if m[0]["provider_id"] == "storecredit")[0]
    resp = api.call("POST", "/v3/orders/103/payment_actions/refunds", {"items": rest, "payments": [
        {"provider_id": "storecredit", "amount": store_credit["amount"], "offline": False}]})
    assert resp.status_code == 201
    order = api.get("/v2/orders/103")
    assert (order["status_id"], order["status"], order["payment_status"]) == (4, "Refunded", "refunded")
    assert all(ln["is_refunded"] for ln in api.get("/v2/orders/103/products"))


def test_refund_rules(api):
    assert api.call("POST", "/v3/orders/104/payment_actions/refund_quotes",  # authorized only: not paid
                    {"items": [{"item_type": "PRODUCT", "item_id": api.get("/v2/orders/104/products")[0]["id"], "quantity": 1}]}
                    ).status_code == 422
    guest_line = api.get("/v2/orders/101/products")[0]
    assert api.call("POST", "/v3/orders/101/payment_actions/refund_quotes",
                    {"items": [{"item_type": "PRODUCT", "item_id": guest_line["id"], "quantity": 1}]}).status_code == 422
    cod = api.call("POST", "/v3/orders/106/payment_actions/refund_quotes",
                   {"items": [{"item_type": "ORDER", "item_id": 106, "amount": 5}]}).json()["data"]
    assert cod["refund_methods"][0][0] == {"provider_id": "cod", "provider_description": "Cash on Delivery", "amount": 5.0,
                                           "offline": True, "offline_provider": True, "offline_reason": ""}
    not_offline = api.call("POST", "/v3/orders/106/payment_actions/refunds", {
        "items": [{"item_type": "ORDER", "item_id": 106, "amount": 5}],
        "payments": [{"provider_id": "cod", "amount": 5, "offline": False}]})
    assert not_offline.status_code == 422
    ok = api.call("POST", "/v3/orders/106/payment_actions/refunds", {
        "items": [{"item_type": "ORDER", "item_id": 106, "amount": 5}],
        "payments": [{"provider_id": "cod", "amount": 5, "offline": True}]})
    assert ok.status_code == 201 and api.get("/v2/orders/106")["status_id"] == 14


def test_cancel_and_status_changes(api):
    before = api.get("/v2/orders/111")
    resp = api.call("PUT", "/v2/orders/111", {"status_id": 5})
    assert resp.status_code == 200 and (resp.json()["status_id"], resp.json()["status"]) == (5, "Cancelled")
    after = api.get("/v2/orders/111")
    assert after["status_id"] == 5
    assert parsedate_to_datetime(after["date_modified"]) > parsedate_to_datetime(before["date_modified"])
    assert api.call("PUT", "/v2/orders/111", {"status_id": 99}).status_code == 400
    assert api.call("PUT", "/v2/orders/111", {"customer_id": 2}).status_code == 400
    assert api.get("/v2/orders/111")["status_id"] == 5


def test_lowered_quantities_recompute_the_order_its_taxes_and_totals(sb, api):
    before = api.get("/v2/orders/103")
    shirt, skillet, mug = api.get("/v2/orders/103/products")
    resp = api.call("PUT", "/v2/orders/103", {"products": [{"id": shirt["id"], "quantity": 1},
                                                           {"id": skillet["id"], "quantity": 0}]})  # 0 removes it
    assert resp.status_code == 200
    order = resp.json()
    lines = api.get("/v2/orders/103/products")
    assert [(ln["id"], ln["quantity"]) for ln in lines] == [(shirt["id"], 1), (mug["id"], 3)]
    assert (lines[0]["total_ex_tax"], lines[0]["total_tax"]) == (shirt["price_ex_tax"], shirt["price_tax"])
    addresses = api.get("/v2/orders/103/shipping_addresses")
    taxes = api.get("/v2/orders/103/taxes", details="true")
    assert recompute(order, lines, addresses, taxes, api.get("/v2/orders/103/fees")["fees"], seed.US_TAX) == []
    assert seed.check_order(sb.state.orders[103]) == []
    assert D(order["subtotal_ex_tax"]) == D(before["subtotal_ex_tax"]) - D(shirt["price_ex_tax"]) - D(skillet["total_ex_tax"])
    assert D(order["wrapping_cost_inc_tax"]) == 0, "the skillet's gift wrapping went with it"
    assert str(skillet["id"]) not in [row["order_product_id"] for row in taxes]
    assert (order["items_total"], addresses[0]["items_total"]) == (4, 4)
    assert parsedate_to_datetime(order["date_modified"]) > parsedate_to_datetime(before["date_modified"])


def test_a_lowered_quantity_drops_the_line_discounts_and_says_the_order_changed():
    store = Store()
    shirt = store.orders[116]["products"][0]  # 2 T-shirts with a 4.00 coupon discount
    store.update_order(116, {"products": [{"id": shirt["id"], "quantity": 1}]})
    record = store.orders[116]
    assert seed.check_order(record) == []
    assert shirt["applied_discounts"] == [], "a changed line loses its discounts (O2#updateOrder)"
    assert (record["order"]["coupon_discount"], record["coupons"][0]["discount"]) == ("6.0000", 6.0)
    assert store.drain_events() == [{"scope": "store/order/updated", "data": {"type": "order", "id": 116}}]


@pytest.mark.parametrize("order_id, products, message", [
    (103, {"id": 1}, "array"),
    (103, [{"quantity": 1, "name": "Mug", "price_ex_tax": 1, "price_inc_tax": 1}], "only changes the quantity"),
    (103, [{"id": "first", "quantity": 1}], "not a product of order 103"),
    (103, [{"id": 0, "quantity": -1}], "non-negative"),
    (103, [{"id": 0, "quantity": 5}], "cannot raise"),
    (103, [{"id": 0, "quantity": 1, "price_ex_tax": 5}], "only changes the quantity"),
    (103, [{"id": 0, "quantity": 1}, {"id": 0, "quantity": 0}], "listed twice"),
    (105, [{"id": 0, "quantity": 1}], "cannot go below 2"),  # two of three T-shirts shipped
    (110, [{"id": 0, "quantity": 0}], "cannot go below 1"),  # one of two T-shirts refunded
])
def test_quantity_edits_the_sandbox_refuses_change_nothing(api, order_id, products, message):
    first = api.get("/v2/orders/%d/products" % order_id)[0]["id"]
    if isinstance(products, list):
        products = [dict(item, id=first) if item.get("id") == 0 else item for item in products]
    before = api.get("/v2/orders/%d" % order_id), api.get("/v2/orders/%d/products" % order_id)
    resp = api.call("PUT", "/v2/orders/%d" % order_id, {"status_id": 9, "products": products})
    assert resp.status_code == 400
    assert resp.json()[0]["status"] == 400 and message in resp.json()[0]["message"], resp.json()
    assert (api.get("/v2/orders/%d" % order_id), api.get("/v2/orders/%d/products" % order_id)) == before


def test_capture_and_void(sb, api):
    assert api.call("POST", "/v3/orders/104/payment_actions/capture").status_code == 201
    assert api.get("/v2/orders/104")["payment_status"] == "captured"
    assert [t["event"] for t in api.get("/v3/orders/104/transactions")["data"]] == ["authorization", "capture"]
    assert api.call("POST", "/v3/orders/104/payment_actions/void").status_code == 422
    sb.reset()
    sb.configure(async_payment_actions=True)
    assert api.call("POST", "/v3/orders/104/payment_actions/void").status_code == 201
    assert api.get("/v2/orders/104")["payment_status"] == "void pending"
    assert requests.post(sb.url + "/__sandbox__/payments/settle", timeout=5).json() == {"settled": [104]}
    assert api.get("/v2/orders/104")["payment_status"] == "void"


def test_a_refund_declined_by_the_gateway_later(sb, api):
    """POST /__sandbox__/refunds/decline: what a gateway's asynchronous decline looks like (O3
    §Refund payments is_declined, declined_message); what it refunded is refundable again."""
    items = [{"item_type": "PRODUCT", "item_id": api.get("/v2/orders/103/products")[0]["id"], "quantity": 1}]
    quote = api.call("POST", "/v3/orders/103/payment_actions/refund_quotes", {"items": items}).json()["data"]
    method = quote["refund_methods"][0][0]
    payments = [{"provider_id": method["provider_id"], "amount": method["amount"], "offline": method["offline"]}]
    refund = api.call("POST", "/v3/orders/103/payment_actions/refunds", {"items": items, "payments": payments}).json()["data"]
    assert api.get("/v2/orders/103")["status_id"] == 14
    answer = requests.post(sb.url + "/__sandbox__/refunds/decline", timeout=5,
                           json={"order_id": 103, "refund_id": refund["id"], "message": "Card expired"})
    assert answer.status_code == 200
    [declined] = api.get("/v3/orders/103/payment_actions/refunds")["data"]
    assert [(p["is_declined"], p["declined_message"]) for p in declined["payments"]] == [(True, "Card expired")]
    order = api.get("/v2/orders/103")
    assert (order["payment_status"], order["status_id"]) == ("captured", 11)
    assert api.get("/v2/orders/103/products")[0]["quantity_refunded"] == 0
    refund_tx = [t for t in api.get("/v3/orders/103/transactions")["data"] if t["event"] == "refund"]
    assert [t["status"] for t in refund_tx] == ["error"]
    assert api.call("POST", "/v3/orders/103/payment_actions/refunds", {"items": items, "payments": payments}).status_code == 201
    assert requests.post(sb.url + "/__sandbox__/refunds/decline", timeout=5,
                         json={"order_id": 103, "refund_id": 1}).status_code == 404
    assert requests.post(sb.url + "/__sandbox__/refunds/decline", timeout=5, json={}).status_code == 400


def test_inventory_adjustments(api):
    def onhand(sku, location):
        item = api.get("/v3/inventory/items", **{"sku:in": sku})["data"][0]
        return next(loc["total_inventory_onhand"] for loc in item["locations"] if loc["location_id"] == location)

    resp = api.call("PUT", "/v3/inventory/adjustments/absolute",
                    {"reason": "count", "items": [{"location_id": 1, "sku": "MUG", "quantity": 7},
                                                  {"location_id": 2, "variant_id": 172, "quantity": 3}]})
    assert resp.status_code == 200 and resp.json()["transaction_id"]
    assert (onhand("MUG", 1), onhand("TSHIRT-M", 2)) == (7, 3)
    assert api.get("/v3/catalog/products/76")["data"]["inventory_level"] == 7  # catalog shows the default location
    assert api.call("POST", "/v3/inventory/adjustments/relative",
                    {"items": [{"location_id": 1, "product_id": 76, "quantity": -2}]}).status_code == 200
    assert onhand("MUG", 1) == 5
    # variant_id on a product tracked by product, product_id on one tracked by variant, below safety stock: 422, atomic
    for items in ([{"location_id": 1, "variant_id": 174, "quantity": 1}],
                  [{"location_id": 1, "product_id": 71, "quantity": 1}],
                  [{"location_id": 1, "sku": "MUG", "quantity": -1}, {"location_id": 1, "sku": "KNIFE-8", "quantity": -29}]):
        path, method = ("/v3/inventory/adjustments/relative", "POST")
        resp = api.call(method, path, {"items": items})
        assert resp.status_code == 422 and resp.headers["Content-Type"].startswith("application/problem+json")
    assert (onhand("MUG", 1), onhand("KNIFE-8", 1)) == (5, 30)
    # The 422 names the item as BigCommerce's own example does (IN#put-absolute-adjustment).
    refused = api.call("PUT", "/v3/inventory/adjustments/absolute",
                       {"items": [{"location_id": 1, "sku": "MUG", "quantity": 1}, {"location_id": 1, "variant_id": 174, "quantity": 1}]})
    assert refused.status_code == 422
    assert refused.json() == {"status": 422, "title": "[Item with variant_id 174 is tracked by product, please update stock by product id]",
                              "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes", "errors": {}}
    assert api.call("PUT", "/v3/inventory/adjustments/absolute", {"items": [
        {"location_id": 1, "sku": "EBOOK-COOK", "quantity": 1}]}).json()["title"].startswith("[Item with sku EBOOK-COOK is not tracked")
    location = api.get("/v3/inventory/locations/1/items", **{"sku:in": "KNIFE-8"})["data"][0]
    assert (location["available_to_sell"], location["settings"]["safety_stock"]) == (28, 2)


# ---------------------------------------------------------------------------------------------- limits and faults
def test_rate_limit_429_past_the_quota(sb, api):
    sb.configure(quota=5, window_ms=60000)
    lefts = []
    for _ in range(5):
        resp = api.call("GET", "/v2/time")
        assert resp.status_code == 200
        lefts.append(int(resp.headers["X-Rate-Limit-Requests-Left"]))
        assert resp.headers["X-Rate-Limit-Requests-Quota"] == "5" and resp.headers["X-Rate-Limit-Time-Window-Ms"] == "60000"
    assert lefts == [4, 3, 2, 1, 0]
    limited = api.call("GET", "/v2/time")
    assert limited.status_code == 429
    assert limited.headers["X-Rate-Limit-Requests-Left"] == "0"
    assert 0 < int(limited.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 60000 and int(limited.headers["X-Retry-After"]) >= 1
    assert api.call("POST", "/v2/orders/103/shipments", {}).status_code == 429  # limited before any validation
    assert sb.stats()["rate_limited"] == 2
    sb.configure(quota=2, window_ms=300)
    assert [api.call("GET", "/v2/time").status_code for _ in range(3)] == [200, 200, 429]
    time.sleep(0.35)
    assert api.call("GET", "/v2/time").status_code == 200  # a new window


def snapshot(api):
    return {oid: (api.get("/v2/orders/%d" % oid), api.get("/v2/orders/%d/products" % oid)) for oid in (103, 104, 111)} | {
        "stock": api.get("/v3/inventory/items"), "hooks": api.get("/v3/hooks")["data"]}


def mutations(api):
    lines = api.get("/v2/orders/103/products")
    address = api.get("/v2/orders/103/shipping_addresses")[0]["id"]
    return [("POST", "/v2/orders/103/shipments", {"order_address_id": address,
                                                   "items": [{"order_product_id": lines[0]["id"], "quantity": 1}]}),
            ("PUT", "/v2/orders/111", {"status_id": 5}),
            ("POST", "/v3/orders/103/payment_actions/refunds", {
                "items": [{"item_type": "PRODUCT", "item_id": lines[0]["id"], "quantity": 1}],
                "payments": [{"provider_id": "braintree", "amount": float(lines[0]["price_inc_tax"]), "offline": False}]}),
            ("POST", "/v3/orders/104/payment_actions/capture", None),
            ("PUT", "/v3/inventory/adjustments/absolute", {"items": [{"location_id": 1, "sku": "MUG", "quantity": 1}]}),
            ("POST", "/v3/hooks", {"scope": "store/order/*", "destination": "https://example.com/h"})]


@pytest.mark.parametrize("kind", ["500", "503", "429", "slow", "truncated"])
def test_faults_never_change_state(sb, api, kind):
    before = snapshot(api)
    todo = mutations(api)
    sb.configure(fault_rate=1.0, fault_kinds=[kind], slow_ms=50)
    for method, path, body in todo:
        resp = api.call(method, path, body)
        if kind == "truncated":
            assert resp.status_code == 200
            with pytest.raises(ValueError):
                json.loads(resp.text)
        elif kind == "slow":
            assert resp.status_code == 504
        else:
            assert resp.status_code == int(kind)
            assert ("X-Rate-Limit-Requests-Left" in resp.headers) == (kind != "429")  # platform 429: no rate headers
    got = api.call("GET", "/v2/orders/103")
    if kind == "truncated":
        assert got.status_code == 200 and got.text and not got.text.endswith("}")
    elif kind == "slow":
        assert got.status_code == 200 and got.json()["id"] == 103  # slow reads still answer
    assert sb.stats()["faults"][kind] == len(todo) + 1
    sb.configure(fault_rate=0.0)
    assert snapshot(api) == before
    for method, path, body in todo:  # the same writes succeed once faults stop
        assert api.call(method, path, body).status_code in (200, 201)
    assert snapshot(api) != before


def test_faults_are_deterministic_for_a_seed(sb, api):
    def run():
        sb.reset(seed=11)
        sb.configure(fault_rate=0.3, fault_kinds=["500", "503"])
        return [api.call("GET", "/v2/time").status_code for _ in range(40)]

    first, second = run(), run()
    assert first == second and {500, 503, 200} <= set(first)
    sb.reset(seed=12)
    assert [api.call("GET", "/v2/time").status_code for _ in range(40)] != first


def test_latency_is_added(sb, api):
    sb.configure(latency_ms=150)
    start = time.monotonic()
    api.get("/v2/time")
    assert time.monotonic() - start >= 0.15


# ---------------------------------------------------------------------------------------------- webhooks
class Receiver:
    """A tiny local webhook endpoint on 127.0.0.1 recording raw bodies and headers."""

    def __init__(self, status=200):
        received, self.status = [], status
        self.received, self.event = received, threading.Condition()
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.event:
                    received.append({"raw": raw, "headers": {k.lower(): v for k, v in self.headers.items()}, "path": self.path})
                    outer.event.notify_all()
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d/webhooks" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait(self, count, timeout=5):
        with self.event:
            self.event.wait_for(lambda: len(self.received) >= count, timeout)
        return [json.loads(r["raw"]) for r in self.received]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def verify(delivery, secret):
    h = delivery["headers"]
    signed = b"%s.%s.%s" % (h["webhook-id"].encode(), h["webhook-timestamp"].encode(), delivery["raw"])
    expected = base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()
    assert h["webhook-signature"].split(" ")[0] == "v1," + expected
    assert abs(int(h["webhook-timestamp"]) - time.time()) < 60
    verify_webhook(delivery["raw"], delivery["headers"], secret)  # and the connector's verifier accepts it


def test_webhooks_are_signed_and_delivered(sb, api, receiver):
    hook = api.call("POST", "/v3/hooks", {"scope": "store/order/*", "destination": receiver.url, "is_active": True,
                                          "headers": {"X-Custom": "yes"}})
    assert hook.status_code == 200 and hook.json()["data"]["client_id"]
    assert api.call("POST", "/v3/hooks", {"scope": "store/order/*", "destination": receiver.url}).status_code == 422
    assert api.call("POST", "/v3/hooks", {"destination": receiver.url}).status_code == 422
    api.call("POST", "/v3/hooks", {"scope": "store/shipment/created", "destination": receiver.url})
    assert [h["scope"] for h in api.get("/v3/hooks")["data"]] == ["store/order/*", "store/shipment/created"]

    assert api.call("PUT", "/v2/orders/102", {"status_id": 11}).status_code == 200
    payloads = receiver.wait(2)
    assert sorted(p["scope"] for p in payloads) == ["store/order/statusUpdated", "store/order/updated"]
    status = next(p for p in payloads if p["scope"] == "store/order/statusUpdated")
    assert status["data"] == {"type": "order", "id": 102, "status": {"previous_status_id": 7, "new_status_id": 11}}
    assert status["store_id"] == str(seed.STORE["store_id"]) and status["producer"] == "stores/" + sb.store_hash
    assert status["hash"] == hashlib.sha1(json.dumps(status["data"], sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert isinstance(status["created_at"], int)
    for delivery in receiver.received:
        verify(delivery, SECRET)
        assert delivery["headers"]["x-custom"] == "yes" and delivery["headers"]["content-type"] == "application/json"
    tampered = dict(receiver.received[0], raw=receiver.received[0]["raw"].replace(b"102", b"103"))
    with pytest.raises(AssertionError):
        verify(tampered, SECRET)

    lines = api.get("/v2/orders/103/products")
    address = api.get("/v2/orders/103/shipping_addresses")[0]["id"]
    shipment = api.call("POST", "/v2/orders/103/shipments", {"order_address_id": address,
                                                             "items": [{"order_product_id": lines[0]["id"], "quantity": 1}]}).json()
    payloads = receiver.wait(5)
    assert {"scope": "store/shipment/created", "data": {"type": "shipment", "id": shipment["id"], "orderId": 103}} in [
        {"scope": p["scope"], "data": p["data"]} for p in payloads]

    refund_body = {"items": [{"item_type": "PRODUCT", "item_id": lines[0]["id"], "quantity": 1}],
                   "payments": [{"provider_id": "braintree", "amount": float(lines[0]["price_inc_tax"]), "offline": False}]}
    refund = api.call("POST", "/v3/orders/103/payment_actions/refunds", refund_body).json()["data"]
    payloads = receiver.wait(8)
    assert {"type": "order", "id": 103, "refund": {"refund_id": refund["id"]}} in [
        p["data"] for p in payloads if p["scope"] == "store/order/refund/created"]

    created = requests.post(sb.url + "/__sandbox__/orders", json={"customer_id": 2, "lines": [["KNIFE-8", 2]]}, timeout=5)
    assert created.status_code == 201
    new = created.json()
    assert new["id"] == max(seed.SEED_ORDER_IDS) + 1 and api.get("/v2/orders/%d" % new["id"])["total_inc_tax"] == new["total_inc_tax"]
    assert seed.check_order(sb.state.orders[new["id"]]) == []
    payloads = receiver.wait(9)
    assert {"type": "order", "id": new["id"]} in [p["data"] for p in payloads if p["scope"] == "store/order/created"]
    deadline = time.monotonic() + 5  # the sandbox counts a delivery once the receiver has answered
    while sb.stats()["webhooks_delivered"] < len(receiver.received) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sb.stats()["webhooks_delivered"] == len(receiver.received) and sb.stats()["webhooks_failed"] == 0


def test_webhooks_on_demand_and_inactive_hooks(sb, api, receiver):
    sb.configure(auto_deliver_webhooks=False, client_secret="other-secret")
    hook = api.call("POST", "/v3/hooks", {"scope": "store/order/statusUpdated", "destination": receiver.url}).json()["data"]
    api.call("PUT", "/v2/orders/102", {"status_id": 11})
    time.sleep(0.2)
    assert receiver.received == []
    delivered = requests.post(sb.url + "/__sandbox__/webhooks/deliver", json={}, timeout=10).json()["delivered"]
    assert [(d["scope"], d["status"]) for d in delivered] == [("store/order/statusUpdated", 200)]
    assert receiver.wait(1)[0]["data"]["id"] == 102
    verify(receiver.received[0], "other-secret")
    api.call("PUT", "/v3/hooks/%d" % hook["id"], {"is_active": False})
    api.call("PUT", "/v2/orders/102", {"status_id": 9})
    assert requests.post(sb.url + "/__sandbox__/webhooks/deliver", json={}, timeout=10).json()["delivered"] == []
    assert api.call("DELETE", "/v3/hooks/%d" % hook["id"]).json()["data"]["id"] == hook["id"]
    assert api.call("GET", "/v3/hooks/%d" % hook["id"]).status_code == 404
    sb.configure(webhook_url=receiver.url)  # control-configured destination gets every event
    manual = requests.post(sb.url + "/__sandbox__/webhooks/deliver",
                           json={"scope": "store/order/created", "data": {"type": "order", "id": 101}}, timeout=10).json()
    assert manual["delivered"][0]["status"] == 200 and receiver.wait(2)[1]["data"] == {"type": "order", "id": 101}


def test_failed_delivery_is_reported(sb, api):
    bad = Receiver(status=500)
    try:
        sb.configure(auto_deliver_webhooks=False, webhook_url=bad.url)
        api.call("PUT", "/v2/orders/102", {"status_id": 11})
        delivered = requests.post(sb.url + "/__sandbox__/webhooks/deliver", json={}, timeout=10).json()["delivered"]
        assert {d["status"] for d in delivered} == {500} and sb.stats()["webhooks_failed"] == len(delivered) == 2
    finally:
        bad.close()


# ---------------------------------------------------------------------------------------------- catalog, customers, control
def test_catalog_and_customers(api):
    products = api.get("/v3/catalog/products", include="variants", limit=2, page=2)
    assert [p["id"] for p in products["data"]] == [73, 74]
    assert [v["sku"] for v in products["data"][1]["variants"]] == ["DRESS-RED", "DRESS-BLUE"]
    assert products["meta"]["pagination"] == {"total": 9, "count": 2, "per_page": 2, "current_page": 2, "total_pages": 5,
                                              "links": {"current": "?page=2&limit=2", "previous": "?page=1&limit=2",
                                                        "next": "?page=3&limit=2"}}
    assert [p["id"] for p in api.get("/v3/catalog/products", **{"sku:in": "MUG,KNIFE-8"})["data"]] == [72, 76]
    assert [p["id"] for p in api.get("/v3/catalog/products", **{"id:in": "71,75"})["data"]] == [71, 75]
    assert api.get("/v3/catalog/products", sku="SKILLET-10")["data"][0]["base_variant_id"] == 175
    assert [v["id"] for v in api.get("/v3/catalog/variants", **{"product_id:in": "71"})["data"]] == [171, 172, 173]
    assert api.get("/v3/catalog/variants", sku="TSHIRT-L")["data"][0]["price"] == 22.0
    categories = {c["category_id"]: c for c in api.get("/v3/catalog/trees/categories", **{"tree_id:in": "1"})["data"]}
    assert categories[13]["parent_id"] == 12 and categories[12]["parent_id"] == 11 and categories[11]["parent_id"] == 0
    assert api.get("/v3/catalog/trees/1/categories")["data"][0]["children"][0]["children"][0]["depth"] == 3
    assert [t["channels"] for t in api.get("/v3/catalog/trees")["data"]] == [[1], [2]]
    assert [c["id"] for c in api.get("/v3/channels")["data"]] == [1, 2]
    assert [b["name"] for b in api.get("/v3/catalog/brands", **{"id:in": "41,43"})["data"]] == ["Acme", "Sunny Days"]
    assert [loc["id"] for loc in api.get("/v3/inventory/locations")["data"]] == [1, 2]
    assert [c["currency_code"] for c in api.get("/v2/currencies")] == ["USD", "EUR", "GBP"]
    first = api.get("/v3/customers", limit=3, include="addresses")
    assert [c["id"] for c in first["data"]] == [1, 2, 3] and len(first["data"][0]["addresses"]) == 2
    assert "pagination" in first["meta"] and first["meta"]["cursor_pagination"]["end_cursor"]
    after = api.get("/v3/customers", limit=3, after=first["meta"]["cursor_pagination"]["end_cursor"])
    assert [c["id"] for c in after["data"]] == [4] and "pagination" not in after["meta"]
    before = api.get("/v3/customers", limit=3, before=after["meta"]["cursor_pagination"]["start_cursor"])
    assert [c["id"] for c in before["data"]] == [1, 2, 3]
    assert "cursor_pagination" not in api.get("/v3/customers", limit=3, page=2)["meta"]


def test_control_api(sb, api):
    base = sb.url + "/__sandbox__"
    assert requests.get(base + "/", timeout=5).json()["store_hash"] == sb.store_hash
    assert requests.post(base + "/config", json={"quota": 42, "window_ms": 3000}, timeout=5).json()["quota"] == 42
    assert api.call("GET", "/v2/time").headers["X-Rate-Limit-Requests-Quota"] == "42"
    assert requests.post(base + "/config", json={"nope": 1}, timeout=5).status_code == 400
    api.call("PUT", "/v2/orders/101", {"status_id": 5})
    stats = requests.get(base + "/stats", timeout=5).json()
    assert stats["requests"] == 2 and stats["by_status"] == {"200": 2}
    assert requests.post(base + "/reset", json={"extra_orders": 3}, timeout=5).json() == {"reset": True, "orders": len(seed.ORDERS) + 3}
    assert api.get("/v2/orders/101")["status_id"] == 1
    assert requests.post(base + "/orders", json={"payment": "nope"}, timeout=5).status_code == 400


def test_server_is_stdlib_only_and_never_imports_odoo():
    code = ("import sys, sandbox.server, sandbox.__main__; "
            "extra = {m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) - {'__main__', 'sandbox', 'bigcommerce'}; "
            "assert not extra, extra")
    # -S: no site-packages at all, as in the python:3.11-slim image
    subprocess.run([sys.executable, "-S", "-c", code], check=True, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_cli_prints_url_and_serves():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "--host", "127.0.0.1", "--port", "0", "--orders", "5",
                             "--access-token", "cli-token", "--store-hash", "clihash"], cwd=root,
                            stdout=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(5)]
        url = re.search(r"(http://127\.0\.0\.1:\d+)", lines[0]).group(1)
        assert "clihash" in lines[2] and "cli-token" in lines[3]
        for _ in range(50):
            try:
                resp = requests.get(url + "/stores/clihash/v2/orders/count", headers={"X-Auth-Token": "cli-token"}, timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert resp.json()["count"] == len(seed.ORDERS) + 5
    finally:
        proc.terminate()
        proc.wait(timeout=10)
