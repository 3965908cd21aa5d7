"""BigCommerceClient against the stateful sandbox store over real HTTP: faults, quota, and
creates whose answer is lost after the store has acted."""
import time
from decimal import Decimal

import pytest
import requests

from bigcommerce.client import BigCommerceClient
from bigcommerce.errors import NotFoundError, ValidationError
from sandbox.server import start_sandbox

EXTRA_ORDERS = 150
PAGE = 20


@pytest.fixture(scope="module")
def sandbox():
    sb = start_sandbox(quota=100000, window_ms=30000, extra_orders=EXTRA_ORDERS, seed=7, slow_ms=600)
    yield sb
    sb.stop()


@pytest.fixture(autouse=True)
def fresh_store(sandbox):
    sandbox.configure(fault_rate=0.0, quota=100000, window_ms=30000)
    sandbox.reset(extra_orders=EXTRA_ORDERS, seed=7)


def make_client(sandbox, **options):
    # Waits are shortened a hundredfold: the retry policy itself is tested in test_client.py,
    # here what matters is that a real server's faults neither lose nor repeat data.
    options.setdefault("sleep", lambda seconds: time.sleep(seconds / 100))
    return BigCommerceClient(sandbox.store_hash, sandbox.access_token, api_url=sandbox.url, timeout=(2, 0.4), **options)


def order_ids(orders):
    return [order["id"] for order in orders]


@pytest.fixture
def all_order_ids(sandbox):
    client = make_client(sandbox)
    expected = order_ids(client.iter_orders(limit=250))
    assert len(expected) == client.get("v2", "orders/count")["count"] > EXTRA_ORDERS
    return expected


def test_iter_orders_returns_every_order_once(sandbox, all_order_ids):
    orders = list(make_client(sandbox).iter_orders(limit=PAGE))

    assert order_ids(orders) == all_order_ids
    assert all(isinstance(order["total_inc_tax"], str) for order in orders)  # v2 money stays a string
    assert all(isinstance(order["consignments"], dict) for order in orders)  # embedded, not a link


@pytest.mark.parametrize("kinds", [["500"], ["503"], ["429"], ["slow"], ["truncated"],
                                   ["500", "503", "429", "slow", "truncated"]])
def test_faults_neither_lose_nor_repeat_orders(sandbox, all_order_ids, kinds):
    sandbox.configure(fault_rate=0.3, fault_kinds=kinds, seed=11)
    records = []
    client = make_client(sandbox, on_call=records.append, max_retries=8)

    # iter_v2 rather than iter_orders: no de-duplication to hide a page served twice.
    orders = list(client.iter_v2("orders", {"include": "consignments.line_items", "consignment_structure": "object"},
                                 limit=PAGE))

    assert order_ids(orders) == all_order_ids
    assert sandbox.stats()["faults_total"] > 0
    assert sum(record["attempts"] for record in records) > len(records)  # faults were met and retried


def test_a_small_quota_is_paced_without_any_429(sandbox, all_order_ids):
    sandbox.configure(quota=15, window_ms=600)
    client = make_client(sandbox, sleep=time.sleep)  # real waits: the sandbox's window is real

    orders = list(client.iter_orders(limit=5))  # some 35 requests: three windows or more

    assert order_ids(orders) == all_order_ids
    assert sandbox.stats()["rate_limited"] == 0


class LoseAnswers(requests.Session):
    """Delivers requests, then drops the answer of the first ``count`` POSTs to ``path_end``,
    as when a connection dies after BigCommerce has acted."""

    def __init__(self, path_end, count=1):
        super().__init__()
        self.path_end, self.count, self.posts = path_end, count, 0

    def request(self, method, url, *args, **kwargs):
        response = super().request(method, url, *args, **kwargs)
        if method == "POST" and url.split("?")[0].endswith(self.path_end):
            self.posts += 1
            if self.posts <= self.count:
                raise requests.exceptions.ReadTimeout("answer lost")
        return response


def refund_request(client, order_id):
    line = next(client.iter_order_products(order_id))
    items = [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}]
    method = client.create_refund_quote(order_id, {"items": items})["refund_methods"][0]
    payments = [{"provider_id": p["provider_id"], "amount": p["amount"], "offline": p["offline"]} for p in method]
    return {"items": items, "payments": payments}


def test_a_refund_whose_answer_is_lost_is_made_once(sandbox):
    session = LoseAnswers("/payment_actions/refunds")
    client = make_client(sandbox, session=session)
    before = list(client.iter_order_refunds(103))

    refund = client.create_refund(103, refund_request(client, 103))

    after = list(client.iter_order_refunds(103))
    assert len(after) == len(before) + 1 and refund["id"] == after[-1]["id"]
    assert session.posts == 1


def test_two_identical_refunds_in_a_row_are_both_made(sandbox):
    client = make_client(sandbox)
    first = client.create_refund(103, refund_request(client, 103))

    second = client.create_refund(103, refund_request(client, 103))

    assert second["id"] != first["id"]
    assert len(list(client.iter_order_refunds(103))) == 2


def test_a_shipment_whose_answer_is_lost_is_made_once(sandbox):
    session = LoseAnswers("/shipments")
    client = make_client(sandbox, session=session)
    address = next(client.iter_order_shipping_addresses(103))
    line = next(p for p in client.iter_order_products(103) if p["order_address_id"] == address["id"])
    payload = {"order_address_id": address["id"], "tracking_number": "1Z999AA10123456784",
               "shipping_provider": "ups", "items": [{"order_product_id": line["id"], "quantity": 1}]}

    shipment = client.create_shipment(103, payload)

    shipments = list(client.iter_order_shipments(103))
    assert [s["id"] for s in shipments] == [shipment["id"]]
    assert session.posts == 1


def test_listed_and_fetched_orders_carry_their_fees_so_the_totals_match():
    from bigcommerce.orders import map_order
    sb = start_sandbox(quota=100000, window_ms=30000)
    try:
        client = make_client(sb)
        listed = next(order for order in client.iter_orders() if order["id"] == 117)
        for order in (listed, client.get_order(117)):
            bc_order = map_order(order)
            fees = [line for line in bc_order.lines if line.kind == "fee"]
            assert [(line.name, line.price_unit) for line in fees] == [("Eco packaging fee", Decimal("2.5000"))]
            total = sum(line.price_unit * line.quantity for line in bc_order.lines)
            assert total + sum(line.tax_amount for line in bc_order.lines) == Decimal(order["total_inc_tax"])
    finally:
        sb.stop()


def test_a_wrong_store_hash_is_named(sandbox):
    client = BigCommerceClient("abc123", sandbox.access_token, api_url=sandbox.url)
    with pytest.raises(NotFoundError) as caught:
        client.store_information()
    assert caught.value.user_message == "No BigCommerce store has the hash abc123: check the store hash."


TEE = {"name": "Lost Tee", "type": "physical", "weight": Decimal("0.2"), "price": Decimal("20.00"), "categories": [13],
       "inventory_tracking": "variant", "variants": [
           {"sku": "LOST-S", "option_values": [{"option_display_name": "Size", "label": "S"}]},
           {"sku": "LOST-M", "option_values": [{"option_display_name": "Size", "label": "M"}]}]}


def test_a_product_whose_answer_is_lost_is_created_once(sandbox):
    session = LoseAnswers("/catalog/products")
    client = make_client(sandbox, session=session)

    product = client.create_product(TEE, "LOST-S")

    created = [p for p in sandbox.state.products.values() if p["name"] == "Lost Tee"]
    assert [p["id"] for p in created] == [product["id"]] and session.posts == 1
    assert sorted(v["sku"] for v in product["variants"]) == ["LOST-M", "LOST-S"]
    assert client.find_product_by_sku("lost-m")["id"] == product["id"]


def test_a_refused_product_carries_bigcommerce_s_reason(sandbox):
    client = make_client(sandbox)
    with pytest.raises(ValidationError) as refused:
        client.create_product(dict(TEE, variants=[dict(TEE["variants"][0], sku="tshirt-s")]), "tshirt-s")
    assert refused.value.status == 409 and "TSHIRT-S" in str(refused.value.user_message).upper()
    assert "not unique" in str(refused.value.user_message)


def test_an_image_whose_answer_is_lost_is_uploaded_once(sandbox):
    client = make_client(sandbox, session=LoseAnswers("/images"))
    product = client.create_product(TEE, "LOST-S")

    image = client.create_product_image(product["id"], "0123abcd", b"\x89PNG", "image/png", is_thumbnail=True, existing=[])
    again = client.create_product_image(product["id"], "0123abcd", b"\x89PNG", "image/png")

    assert again["id"] == image["id"] and len(list(client.iter_product_images(product["id"]))) == 1


def test_an_option_value_and_a_variant_whose_answers_are_lost_are_created_once(sandbox):
    client = make_client(sandbox)
    product = client.create_product(TEE, "LOST-S")
    lossy = make_client(sandbox, session=LoseAnswers("/values"))
    size = next(client.iter_product_options(product["id"]))

    value = lossy.create_option_value(product["id"], size["id"], "XL", 2)
    lossy = make_client(sandbox, session=LoseAnswers("/variants"))
    variant = lossy.create_variant(product["id"], {"sku": "LOST-XL", "option_values": [
        {"option_display_name": "Size", "label": "XL", "option_id": size["id"], "id": value["id"]}]})

    size = next(client.iter_product_options(product["id"]))
    assert [v["label"] for v in size["option_values"]] == ["S", "M", "XL"]
    assert [v["id"] for v in client.iter_variants(sku="lost-xl")] == [variant["id"]]
    assert variant["option_values"][0]["label"] == "XL"
    option = lossy.create_product_option(product["id"], "Fit", ["Slim"])
    assert option["display_name"] == "Fit" and len(list(client.iter_product_options(product["id"]))) == 2


def test_channels_are_added_and_removed_one_by_one(sandbox):
    client = make_client(sandbox)
    client.assign_channels([{"product_id": 71, "channel_id": 1}])  # already there: harmless
    client.unassign_channels([71], [2])
    assert [(a["product_id"], a["channel_id"]) for a in client.iter_channel_assignments([71, 72])] == [(71, 1), (72, 1)]


def test_a_simple_product_s_sku_changes_on_the_product_and_its_base_variant(sandbox):
    client = make_client(sandbox)
    product = client.create_product({"name": "Plain Mug", "type": "physical", "weight": 1, "price": Decimal("5"),
                                     "sku": "PLAIN-1", "inventory_tracking": "product"}, "PLAIN-1")
    base = product["base_variant_id"]
    client.update_products([{"id": product["id"], "sku": "PLAIN-2"}])
    client.update_variants([{"id": base, "sku": "PLAIN-2"}])
    assert (sandbox.state.products[product["id"]]["sku"], sandbox.state.variants[base]["sku"]) == ("PLAIN-2", "PLAIN-2")
    assert client.find_product_by_sku("plain-2")["id"] == product["id"]
