"""Customers (CU3) as Odoo contacts: the pure rules, and the client against the sandbox."""
from datetime import datetime, timezone

import pytest

from bigcommerce.client import BigCommerceClient
from bigcommerce.customers import (
    Customer, account_address, account_values, changed_values, needs_address_fetch, newest_modification,
    parse_customer,
)
from bigcommerce.partners import address_match_key, parse_address
from sandbox import seed
from sandbox.server import start_sandbox

CUSTOMER = {
    "id": 7, "email": "jane.doe@example.com", "first_name": " Jane", "last_name": "Doe", "company": "",
    "phone": "212-555-0103", "customer_group_id": 2, "address_count": 1, "date_modified": "2025-01-02T10:00:00Z",
    "addresses": [{"id": 70, "customer_id": 7, "first_name": "Jane", "last_name": "Doe", "company": "",
                   "address1": "77 Broadway", "address2": "", "city": "New York", "state_or_province": "New York",
                   "postal_code": "10006", "country_code": "US", "country": "United States",
                   "phone": "212-555-0103", "address_type": "residential"}],
}


def test_a_saved_address_is_the_same_contact_as_on_an_order():
    customer = parse_customer(CUSTOMER)
    assert customer.customer_group_id == 2 and customer.first_name == "Jane"
    order_shipping = parse_address(seed.ADDRESSES["jane"])  # v2 shape, the email of the order
    assert address_match_key(customer.addresses[0]) == address_match_key(order_shipping)


def test_the_account_is_found_by_its_first_address_else_by_its_name():
    customer = parse_customer(CUSTOMER)
    assert account_address(customer) == customer.addresses[0]
    bare = account_address(parse_customer({**CUSTOMER, "addresses": []}))
    assert (bare.first_name, bare.email, bare.street_1) == ("Jane", "jane.doe@example.com", "")


def test_account_values_leave_what_bigcommerce_has_not():
    assert account_values(parse_customer(CUSTOMER)) == {"name": "Jane Doe", "email": "jane.doe@example.com",
                                                        "phone": "212-555-0103"}
    assert account_values(Customer(id=1, email="x@example.com", company="Acme")) == {"name": "Acme",
                                                                                    "email": "x@example.com"}


def test_only_what_differs_is_written():
    assert changed_values({"name": "Jane Doe", "phone": "1"}, {"name": "Jane Doe", "phone": "2"}) == {"phone": "2"}
    assert changed_values({"name": "Jane Doe"}, {"name": "Jane Doe"}) == {}


def test_more_addresses_than_embedded_are_fetched_apart():
    assert not needs_address_fetch(CUSTOMER)
    assert needs_address_fetch({**CUSTOMER, "address_count": 11})
    many = [dict(CUSTOMER["addresses"][0], id=n, address1=f"{n} Broadway") for n in range(11)]
    assert len(parse_customer(CUSTOMER, many).addresses) == 11


def test_newest_modification():
    rows = [{"date_modified": "2025-01-02T10:00:00Z"}, {"date_modified": "2025-01-03T08:00:00+00:00"}, {}]
    assert newest_modification(rows) == datetime(2025, 1, 3, 8, tzinfo=timezone.utc)
    assert newest_modification([]) is None


@pytest.fixture()
def sandbox():
    sb = start_sandbox(quota=100000)
    yield sb
    sb.stop()


def client_for(sandbox):
    return BigCommerceClient(sandbox.store_hash, sandbox.access_token, api_url=sandbox.url)


def test_customers_are_listed_250_a_page_with_their_addresses(sandbox):
    for n in range(300):
        sandbox.state.add_customer(addresses=[{"address1": f"{n} Main St", "city": "Austin", "postal_code": "78701",
                                               "state_or_province": "Texas", "country_code": "US",
                                               "country": "United States"}])
    client = client_for(sandbox)
    pages = list(client.iter_customer_pages())
    assert [len(rows) for rows, _after in pages] == [250, 54]
    assert pages[0][1] and pages[1][1] is None, "a cursor to the next page, none after the last"
    assert len({row["id"] for rows, _after in pages for row in rows}) == 304
    assert pages[1][0][-1]["addresses"][0]["address1"] == "299 Main St"
    resumed = next(client.iter_customer_pages(after=pages[0][1]))[0]
    assert [row["id"] for row in resumed] == [row["id"] for row in pages[1][0]]


def test_a_changed_customer_is_listed_by_date_modified_and_fetched_by_id(sandbox):
    client = client_for(sandbox)
    since = datetime.now(timezone.utc).replace(microsecond=0)
    assert not list(client.iter_customer_pages(**{"date_modified:min": since.isoformat()}))
    client.put("v3", "customers", json=[{"id": 2, "phone": "212-555-0199"}])
    rows = [row for rows, _after in client.iter_customer_pages(**{"date_modified:min": since.isoformat()})
            for row in rows]
    assert [(row["id"], row["phone"]) for row in rows] == [(2, "212-555-0199")]
    assert client.get_customer(1)["address_count"] == 2 and client.get_customer(999) is None
    assert [a["id"] for a in client.iter_customer_addresses(1)] == [10, 11]
    assert client.get_customer_group(1)["name"] == "Wholesale"
