"""Customer and address rules: which Odoo contact an order's addresses belong to."""
import pytest

from bigcommerce.partners import (
    Address, address_match_key, display_name, format_address, is_guest, match_state, parse_address,
)

BILLING = {"first_name": "Jane", "last_name": "Doe", "company": "", "street_1": "455 Main Street",
           "street_2": "", "city": "Austin", "state": "Texas", "zip": "78751", "country": "United States",
           "country_iso2": "US", "phone": "512-555-0147", "email": "jane.doe@example.com", "form_fields": []}
US_STATES = [("TX", "Texas"), ("MA", "Massachusetts"), ("CA", "California")]
CA_STATES = [("QC", "Québec"), ("ON", "Ontario")]


def test_parse_address_cleans_what_the_shopper_typed():
    address = parse_address({**BILLING, "first_name": "  Jane ", "street_1": "455  Main\tStreet",
                             "country_iso2": "us", "street_2": None})
    assert address == Address(first_name="Jane", last_name="Doe", street_1="455 Main Street", city="Austin",
                              state="Texas", zip="78751", country="United States", country_iso2="US",
                              phone="512-555-0147", email="jane.doe@example.com")


def test_same_person_same_place_is_one_contact_whatever_the_typing():
    key = address_match_key(parse_address(BILLING))
    retyped = {**BILLING, "first_name": "JANE", "street_1": " 455 main  street ", "email": "Jane.Doe@Example.com",
               "phone": "(512) 555 0147"}
    assert address_match_key(parse_address(retyped)) == key


@pytest.mark.parametrize("field, value", [
    ("street_1", "457 Main Street"), ("email", "jane@example.org"), ("last_name", "Smith"),
    ("zip", "78752"), ("company", "Doe Consulting"),
])
def test_another_person_or_place_is_another_contact(field, value):
    assert address_match_key(parse_address({**BILLING, field: value})) != address_match_key(parse_address(BILLING))


def test_display_name_and_one_line_address():
    assert display_name(parse_address(BILLING)) == "Jane Doe"
    assert display_name(Address(company="Chen Design", email="a@example.com")) == "Chen Design"
    assert display_name(Address(email="a@example.com")) == "a@example.com"
    assert format_address(parse_address({**BILLING, "company": "Doe Consulting"})) == (
        "Jane Doe, Doe Consulting, 455 Main Street, 78751 Austin, Texas, US")


@pytest.mark.parametrize("customer_id, guest", [(0, True), ("0", True), (None, True), (0.0, True), (12, False)])
def test_guest_is_customer_id_zero(customer_id, guest):
    assert is_guest({"customer_id": customer_id}) is guest


@pytest.mark.parametrize("value, states, code", [
    ("Texas", US_STATES, "TX"), ("tx", US_STATES, "TX"), (" massachusetts ", US_STATES, "MA"),
    ("Quebec", CA_STATES, "QC"), ("QUÉBEC", CA_STATES, "QC"),
    ("Greater London", US_STATES, None), ("", US_STATES, None),
])
def test_state_found_by_code_or_name(value, states, code):
    assert match_state(value, states) == code
