"""Update Listing's variant rules (renamed options and values, removed variants, option values left
unused) and the client calls they make, against the spec and the sandbox."""
import json
from decimal import Decimal

import pytest

from bigcommerce.catalog_export import (
    ExportProduct, ExportVariant, option_renames, option_update, option_value_update, removed_variants,
    unused_option_values,
)
from test_client import client, fake_time, http, records, V3  # noqa: F401 (fixtures)
from test_client_sandbox import make_client
from sandbox.server import start_sandbox


@pytest.fixture(scope="module")
def sandbox():
    sb = start_sandbox(quota=100000, window_ms=30000)
    yield sb
    sb.stop()


def tee(*variants):
    return ExportProduct("Tee", "", tuple(ExportVariant(key, sku, Decimal(0), Decimal(0), 0, options)
                                          for key, sku, options in variants))


def bc(vid, *values):
    """A BigCommerce variant with ``(option id, option name, value id, label)`` values."""
    return {"id": vid, "option_values": [{"option_id": oid, "option_display_name": name, "id": value_id, "label": label}
                                         for oid, name, value_id, label in values]}


SIZE_S, SIZE_M = (11, "Size", 101, "S"), (11, "Size", 102, "M")
RED, BLUE = (12, "Color", 201, "Red"), (12, "Color", 202, "Blue")


def test_a_renamed_value_renames_its_option_value_once_for_all_its_variants():
    product = tee((1, "T-S-R", (("Size", "Small"), ("Color", "Red"))), (2, "T-S-B", (("Size", "Small"), ("Color", "Blue"))),
                  (3, "T-M-R", (("Size", "M"), ("Color", "Red"))))
    variants = [bc(501, SIZE_S, RED), bc(502, SIZE_S, BLUE), bc(503, SIZE_M, RED)]
    assert option_renames(product, {1: 501, 2: 502, 3: 503}, variants) == ({}, {(11, 101): "Small"})
    unchanged = tee((1, "T-S-R", (("Size", "S"), ("Color", "Red"))))
    assert option_renames(unchanged, {1: 501}, variants) == ({}, {}), "nothing sent when nothing differs"


def test_a_renamed_attribute_renames_its_option_and_an_attribute_reordered_renames_nothing():
    renamed = tee((1, "T-S-R", (("Colour", "Red"), ("Size", "S"))))  # Color renamed, and now first
    assert option_renames(renamed, {1: 501}, [bc(501, SIZE_S, RED)]) == ({12: "Colour"}, {})
    reordered = tee((1, "T-S-R", (("color", "Red"), ("Size", "S"))))
    assert option_renames(reordered, {1: 501}, [bc(501, SIZE_S, RED)]) == ({12: "color"}, {}), "a change of case is sent"
    both = tee((1, "T-S-R", (("Fit", "Slim"), ("Shade", "Rouge"))))  # two renamed at once: which is which is a guess
    assert option_renames(both, {1: 501}, [bc(501, SIZE_S, RED)]) == ({}, {})


def test_renames_leave_alone_what_two_variants_name_differently_and_the_merchant_s_variants():
    product = tee((1, "T-S", (("Size", "Small"),)), (2, "T-S2", (("Size", "Petite"),)), (3, "T-M", (("Size", "Medium"),)))
    variants = [bc(501, SIZE_S), bc(502, SIZE_S), bc(503, SIZE_M), bc(504, (11, "Size", 103, "L"))]
    assert option_renames(product, {1: 501, 2: 502, 3: 503}, variants) == ({}, {(11, 102): "Medium"})
    simple = tee((1, "MUG", ()))
    assert option_renames(simple, {1: 500}, [bc(500)]) == ({}, {})


def test_the_rename_bodies_carry_what_the_spec_requires():
    option = {"id": 11, "product_id": 77, "display_name": "Size", "type": "rectangles", "option_values": [
        {"id": 101, "label": "Small", "sort_order": 0, "is_default": False}, {"id": 102, "label": "M", "sort_order": 1}]}
    assert option_value_update(option["option_values"][1], "Medium") == {"id": 102, "label": "Medium", "sort_order": 1}
    assert option_update(option, "Tee size") == {
        "id": 11, "product_id": 77, "display_name": "Tee size", "type": "rectangles",
        "option_values": [{"id": 101, "label": "Small", "sort_order": 0}, {"id": 102, "label": "M", "sort_order": 1}]}


def test_removed_variants_are_deleted_but_never_the_last_nor_the_merchant_s():
    variants = [bc(501, SIZE_S), bc(502, SIZE_M), bc(503, (11, "Size", 103, "L"))]
    bound = {501: 1, 502: 2}  # 503 is the merchant's own: no mapping
    assert removed_variants(bound, {1}, variants) == ([502], [], None)
    assert removed_variants(bound, {1, 2}, variants) == ([], [], None)
    assert removed_variants(bound, set(), variants) == ([501, 502], [], None), "503 stays"
    assert removed_variants({501: 1, 502: 2, 503: 3}, set(), variants) == ([501, 502], [], 503), "the last is kept"
    assert removed_variants({501: 1, 509: 9}, {1}, variants) == ([], [509], None), "gone already: only the mapping"
    assert removed_variants({500: 1}, set(), [bc(500)]) == ([], [], None), "a simple product's base variant is the product"


def test_an_option_value_goes_when_no_variant_uses_it_any_more():
    large = (11, "Size", 103, "L")
    deleted = [bc(502, SIZE_M, RED), bc(503, large, BLUE)]
    remaining = [bc(501, SIZE_S, RED), bc(504, large, RED)]
    assert unused_option_values(deleted, remaining) == [(11, 102), (12, 202)]
    assert unused_option_values([], remaining) == []


def test_the_variant_and_option_writes_match_the_spec(client, http):  # noqa: F811
    http.put(f"{V3}/catalog/products/77/options/11/values/102", json={"data": {"id": 102, "label": "Medium"}, "meta": {}})
    http.put(f"{V3}/catalog/products/77/options/11", json={"data": {"id": 11, "display_name": "Tee size"}, "meta": {}})
    http.delete(f"{V3}/catalog/products/77/variants/502", status=204)
    http.delete(f"{V3}/catalog/products/77/variants/503", status=404, json={"status": 404, "title": "Not Found"})
    http.delete(f"{V3}/catalog/products/77/options/11/values/102", status=204)
    http.put(f"{V3}/catalog/variants", json={"data": [bc(501, SIZE_S)], "meta": {}})
    option = {"id": 11, "product_id": 77, "display_name": "Size", "type": "rectangles",
              "option_values": [{"id": 102, "label": "M", "sort_order": 1}]}
    assert client.update_option_value(77, 11, option_value_update(option["option_values"][0], "Medium"))["label"] == "Medium"
    assert client.update_option(77, option_update(option, "Tee size"))["display_name"] == "Tee size"
    assert client.delete_variant(77, 502) is True
    assert client.delete_variant(77, 503) is False, "a 404: deleted already"
    assert client.delete_option_value(77, 11, 102) is True
    assert client.update_variants([{"id": 501, "sku": "T-S"}]) == [bc(501, SIZE_S)]
    assert json.loads(http.calls[1].request.body)["option_values"] == [{"id": 102, "label": "M", "sort_order": 1}]


def test_renames_and_deletes_in_the_sandbox_are_seen_by_the_next_read(sandbox):
    bc_client = make_client(sandbox)
    product = bc_client.create_product({"name": "Rename Tee", "type": "physical", "weight": 1, "price": Decimal(5), "variants": [
        {"sku": "RN-" + size, "option_values": [{"option_display_name": "Size", "label": size}]} for size in "SML"]}, "RN-S")
    size = next(bc_client.iter_product_options(product["id"]))
    small, medium, large = size["option_values"]
    bc_client.update_option_value(product["id"], size["id"], option_value_update(small, "Small"))
    size = next(bc_client.iter_product_options(product["id"]))
    bc_client.update_option(product["id"], option_update(size, "Tee size"))
    answered = bc_client.update_variants([{"id": product["variants"][0]["id"], "sku": "RN-S"}])
    assert [(v["option_display_name"], v["label"]) for v in answered[0]["option_values"]] == [("Tee size", "Small")]
    assert bc_client.delete_variant(product["id"], product["variants"][2]["id"]) is True
    assert bc_client.delete_variant(product["id"], product["variants"][2]["id"]) is False
    assert bc_client.delete_option_value(product["id"], size["id"], large["id"]) is True
    rows = list(bc_client.iter_variants(**{"product_id:in": [product["id"], 71]}))
    assert [v["sku"] for v in rows if v["product_id"] == product["id"]] == ["RN-S", "RN-M"]
    assert {v["product_id"] for v in rows} == {product["id"], 71}, "one read for several products"
    assert [v["label"] for v in next(bc_client.iter_product_options(product["id"]))["option_values"]] == ["Small", "M"]
