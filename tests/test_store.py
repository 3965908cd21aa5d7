import pytest

from bigcommerce.store import categories_parents_first, is_valid_api_url, missing_setup, order_routing, parse_store_hash


@pytest.mark.parametrize("pasted, expected", [
    ("abc123", "abc123"),
    ("  ABC123 ", "abc123"),
    ("https://store-abc123.mybigcommerce.com/manage", "abc123"),
    ("store-abc123.mybigcommerce.com", "abc123"),
    ("https://store-9xk2l1.mybigcommerce.com/manage/orders?x=1", "9xk2l1"),
    ("https://api.bigcommerce.com/stores/abc123/v3/", "abc123"),
])
def test_store_hash_found_in_what_a_merchant_pastes(pasted, expected):
    assert parse_store_hash(pasted) == expected


@pytest.mark.parametrize("pasted", ["", None, "https://example.com/manage", "store hash", "ab", "https://store-.mybigcommerce.com"])
def test_anything_else_is_refused(pasted):
    assert parse_store_hash(pasted) is None


def test_categories_come_parents_first_whatever_the_listing_order():
    listing = [
        {"category_id": 3, "parent_id": 2, "name": "Mugs"},
        {"category_id": 2, "parent_id": 1, "name": "Kitchen"},
        {"category_id": 1, "parent_id": 0, "name": "Home"},
        {"category_id": 9, "parent_id": 77, "name": "Orphan"},
    ]
    ordered = [category["name"] for category in categories_parents_first(listing)]
    assert ordered.index("Home") < ordered.index("Kitchen") < ordered.index("Mugs")
    assert sorted(ordered) == ["Home", "Kitchen", "Mugs", "Orphan"]


@pytest.mark.parametrize("url", [
    "https://api.bigcommerce.com", "https://api.bigcommerce.com/", "http://127.0.0.1:8765", "http://localhost:8765",
    "http://sandbox:8765", "http://[::1]:8765",
])
def test_api_address_is_https_or_a_local_test_store(url):
    assert is_valid_api_url(url)


@pytest.mark.parametrize("url", [
    "api.bigcommerce.com", "http://api.bigcommerce.com", "ftp://api.bigcommerce.com", "https://", "", None,
    "https://api.bigcommerce.com:port",
])
def test_other_api_addresses_are_refused(url):
    assert not is_valid_api_url(url)


def test_missing_setup_lists_what_a_new_store_lacks_in_order():
    assert missing_setup(False, False, None, "USD", []) == ["products", "workflow", "pricelist", "webhooks"]
    assert missing_setup(True, True, "EUR", "USD", ["active", "inactive"]) == ["pricelist", "webhooks"]
    assert missing_setup(True, True, "USD", "USD", ["active", "active", "active"]) == []


STORE = {"team_id": 1, "warehouse_id": 1, "analytic_distribution": {"10": 100.0}}


def test_a_channel_setting_wins_over_the_store():
    channel = {"team_id": 7, "warehouse_id": 8, "analytic_distribution": {"20": 60.0, "21": 40.0}}
    assert order_routing(channel, STORE) == channel


def test_what_a_channel_leaves_empty_is_the_store_setting():
    channel = {"team_id": 7, "warehouse_id": False, "analytic_distribution": {}}
    assert order_routing(channel, STORE) == {"team_id": 7, "warehouse_id": 1, "analytic_distribution": {"10": 100.0}}


def test_an_unknown_channel_gets_the_store_settings():
    assert order_routing(None, STORE) == STORE


def test_a_channel_distribution_replaces_the_store_one_whole():
    channel = {"analytic_distribution": {"20": 50.0}}
    assert order_routing(channel, STORE)["analytic_distribution"] == {"20": 50.0}


def test_a_setting_neither_sets_is_left_to_odoo():
    assert order_routing({"team_id": False}, {"team_id": False, "warehouse_id": 3, "analytic_distribution": None}) \
        == {"warehouse_id": 3}
