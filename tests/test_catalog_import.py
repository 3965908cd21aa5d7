"""Catalog import rules (bigcommerce/catalog_import.py), and the client's product pages against the sandbox."""
from decimal import Decimal

import pytest
import requests

from bigcommerce.catalog_import import (
    CatalogError, combination_conflicts, linked_product, linked_template, main_image_url, parse_product, price_extras,
    skip_reason,
)
from bigcommerce.client import BigCommerceClient
from bigcommerce.errors import BigCommerceError
from sandbox.server import start_sandbox


def variant(vid, sku, options=(), price=None, weight=None, image_url=""):
    return {"id": vid, "product_id": 1, "sku": sku, "price": price, "weight": weight, "image_url": image_url,
            "option_values": [{"id": n, "option_id": n, "option_display_name": name, "label": label}
                              for n, (name, label) in enumerate(options)]}


def product(variants, **values):
    return {"id": 1, "name": "Hoodie", "sku": "HOODIE", "price": Decimal("40"), "weight": Decimal("0.7"),
            "inventory_tracking": "variant", "brand_id": 43, "categories": [12, 52], "is_visible": True,
            "availability": "available", "images": [], "variants": variants, **values}


def grid(prices):
    """Size x Color variants with ``prices`` {(size, color): price}."""
    return [variant(n, f"H-{size}-{color}", (("Size", size), ("Color", color)), price)
            for n, ((size, color), price) in enumerate(prices.items(), start=1)]


def test_hidden_and_disabled_products_are_skipped_with_a_reason():
    assert skip_reason(product([])) is None
    assert "hidden" in skip_reason(product([], is_visible=False))
    assert "disabled" in skip_reason(product([], availability="disabled"))
    assert skip_reason(product([], availability="preorder")) is None


def test_attributes_come_from_the_variants_option_values_in_their_order():
    parsed = parse_product(product([
        variant(11, "H-S-RED", (("Color", "Red"), ("Size", "S"))), variant(12, "H-M-RED", (("Size", "M"), ("Color", "Red"))),
        variant(13, "H-S-BLUE", (("Size", "S"), ("Color", "Blue")), price=Decimal("42"), weight=Decimal("0.9")),
    ]))
    assert parsed.attributes == (("Color", ("Red", "Blue")), ("Size", ("S", "M")))
    assert parsed.variants[1].options == (("Color", "Red"), ("Size", "M"))
    assert [(v.sku, v.price, v.weight) for v in parsed.variants] == [
        ("H-S-RED", Decimal("40"), Decimal("0.7")), ("H-M-RED", Decimal("40"), Decimal("0.7")),
        ("H-S-BLUE", Decimal("42"), Decimal("0.9"))]
    assert parsed.is_storable and parsed.brand_id == 43 and parsed.category_ids == (12, 52)
    assert not parse_product(product([variant(1, "X")], inventory_tracking="none")).is_storable


@pytest.mark.parametrize("variants, needle", [
    ([], "without its variants"),
    ([variant(1, "A", (("Size", "S"),)), variant(2, "B", (("Size", "S"),))], "same option values"),
    ([variant(1, "A", (("Size", "S"),)), variant(2, "a", (("Size", "M"),))], "SKU a on two variants"),
    ([variant(1, "A", (("Size", "S"),)), variant(2, "B", (("Size", "M"), ("Color", "Red")))], "one value of each option"),
    ([variant(1, "A", (("Size", ""),))], "without a name or a value"),
])
def test_a_product_odoo_cannot_hold_is_refused_with_the_reason(variants, needle):
    with pytest.raises(CatalogError, match=needle):
        parse_product(product(variants))


def test_prices_that_add_up_per_option_become_value_extras():
    parsed = parse_product(product(grid({("S", "Red"): None, ("S", "Blue"): Decimal("42"), ("L", "Red"): Decimal("45"),
                                         ("L", "Blue"): Decimal("47")})))
    extras, unexpressed = price_extras(parsed)
    assert extras == {("Size", "S"): 0, ("Size", "L"): 5, ("Color", "Red"): 0, ("Color", "Blue"): 2}
    assert unexpressed == ()


def test_prices_that_do_not_add_up_are_named():
    parsed = parse_product(product(grid({("S", "Red"): None, ("S", "Blue"): None, ("L", "Red"): None,
                                         ("L", "Blue"): Decimal("50")})))
    extras, unexpressed = price_extras(parsed)
    assert [v.sku for v in unexpressed] == ["H-L-Blue"]
    all_dearer = parse_product(product(grid({("S", "Red"): Decimal("41"), ("L", "Red"): Decimal("41")})))
    assert price_extras(all_dearer) == ({("Size", "S"): 1, ("Size", "L"): 1, ("Color", "Red"): 0}, ())
    simple = parse_product(product([variant(1, "X", price=Decimal("39"))]))
    assert [v.sku for v in price_extras(simple)[1]] == ["X"]


def test_a_sku_links_one_candidate_and_refuses_two_naming_both():
    assert linked_product("MUG", []) is None
    assert linked_product("MUG", [(7, "[MUG] Mug")]) == 7
    with pytest.raises(CatalogError) as refused:
        linked_product("MUG", [(7, "[MUG] Mug"), (8, "[MUG] Mug (old)")])
    assert "[MUG] Mug, [MUG] Mug (old)" in str(refused.value)


def test_variants_spread_over_two_templates_are_refused():
    parsed = parse_product(product([variant(1, "X")]))
    assert linked_template(parsed, {}) is None and linked_template(parsed, {3: "Mug"}) == 3
    with pytest.raises(CatalogError, match="Mug, Cup"):
        linked_template(parsed, {3: "Mug", 4: "Cup"})


def test_an_odoo_variant_conflicts_when_its_values_differ():
    parsed = parse_product(product(grid({("S", "Red"): None})))
    assert not combination_conflicts(parsed.variants[0], [("color", "red"), ("Size", "S")])
    assert combination_conflicts(parsed.variants[0], [])
    assert not combination_conflicts(parse_product(product([variant(1, "X")])).variants[0], [("Color", "Red")])


def test_the_main_image_is_the_thumbnail_else_the_first():
    images = [{"id": 2, "sort_order": 1, "url_zoom": "https://cdn/2.png"},
              {"id": 1, "sort_order": 0, "url_standard": "https://cdn/1.png"}]
    assert main_image_url(images) == "https://cdn/1.png"
    assert main_image_url(images + [{"id": 3, "is_thumbnail": True, "sort_order": 5, "url_zoom": "https://cdn/3.png"}]) \
        == "https://cdn/3.png"
    assert main_image_url([]) == ""


@pytest.fixture(scope="module")
def sb():
    sandbox = start_sandbox(port=0)
    yield sandbox
    sandbox.stop()


def test_a_page_of_products_is_one_call_with_variants_and_images(sb):
    calls = []
    client = BigCommerceClient(sb.store_hash, sb.access_token, api_url=sb.url, on_call=calls.append)
    requests.post(sb.url + "/__sandbox__/catalog", json={"products": 300, "variants_per_product": 5}, timeout=30)
    try:
        pages = list(client.iter_product_pages())
        assert [len(rows) for rows, _next in pages] == [250, 59] and [n for _rows, n in pages] == [2, None]
        assert len(calls) == 2
        assert list(client.iter_product_pages(first_page=2))[0][0][0]["id"] == pages[1][0][0]["id"]
        hoodie = parse_product(client.get_product(77))
        assert len(hoodie.variants) == 6 and hoodie.attributes == (("Size", ("S", "M", "L")), ("Color", ("Red", "Blue")))
        assert price_extras(hoodie)[1] == ()
        assert client.download_image(hoodie.image_url).startswith(b"\x89PNG")
        assert client.download_image(hoodie.variants[0].image_url) != client.download_image(hoodie.image_url)
        with pytest.raises(BigCommerceError, match="HTTP 404"):
            client.download_image(sb.url + "/product_images/none.png")
        assert client.get_product(999999) is None
    finally:
        sb.reset()
