"""Customer and address rules for imported BigCommerce orders.

An order carries its addresses inline (``billing_address``, shipping addresses); the Odoo
side finds or creates one contact per distinct address. Contacts are matched on
``address_match_key``: the same email, name and postal address typed with other
capitals or spacing is the same contact; anything else is a new one. A guest
(``customer_id`` 0) has no BigCommerce customer record, so its billing address is the
customer.
"""
import re
import unicodedata
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Address:
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    street_1: str = ""
    street_2: str = ""
    city: str = ""
    state: str = ""  # as BigCommerce sends it: usually the full name ("Texas")
    zip: str = ""
    country: str = ""
    country_iso2: str = ""
    phone: str = ""
    email: str = ""


def _clean(value):
    return re.sub(r"\s+", " ", str(value or "")).strip()


def parse_address(data):
    """An ``Address`` from a BigCommerce billing/shipping address or consignment dict."""
    data = data or {}
    values = {f.name: _clean(data.get(f.name)) for f in fields(Address)}
    values["country_iso2"] = values["country_iso2"].upper()
    return Address(**values)


def _normalize(text):
    return _clean(text).casefold()


def address_match_key(address):
    """One string identifying who lives where; equal keys mean the same Odoo contact.

    Phone numbers are left out: the same person types them differently from one
    checkout to the next, which would split one customer into many contacts.
    """
    parts = (address.email, address.first_name, address.last_name, address.company,
             address.street_1, address.street_2, address.city, address.state, address.zip,
             address.country_iso2)
    return "|".join(_normalize(part) for part in parts)


def display_name(address):
    """The contact name: the person, else the company, else the email."""
    person = _clean(f"{address.first_name} {address.last_name}")
    return person or address.company or address.email


def format_address(address):
    """The address on one line, as shown in change logs."""
    name = display_name(address)
    parts = (name, "" if address.company == name else address.company, address.street_1,
             address.street_2, _clean(f"{address.zip} {address.city}"), address.state,
             address.country_iso2)
    return ", ".join(part for part in parts if part)


def is_guest(order):
    """True for a guest checkout (raw order dict): ``customer_id`` is 0 or missing."""
    return not float(order.get("customer_id") or 0)


def _fold(text):
    """Casefolded, accents removed: 'Québec' and 'quebec' compare equal."""
    decomposed = unicodedata.normalize("NFKD", _normalize(text))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def match_state(value, states):
    """The code of the state in ``states`` ((code, name) pairs of one country) that
    BigCommerce's ``value`` designates, by code ("TX") or by name ("Texas"); None if none.
    """
    wanted = _fold(value)
    if not wanted:
        return None
    states = list(states)
    for code, _name in states:
        if _fold(code) == wanted:
            return code
    for code, name in states:
        if _fold(name) == wanted:
            return code
    return None
