"""Customer accounts of BigCommerce (CU3#getCustomers) as Odoo contacts.

A customer becomes one contact, its saved addresses child contacts. Addresses are matched with
the orders' rule (``partners.address_match_key``), which includes the email: v3 addresses carry
none, so each gets the customer's, as the addresses of the customer's orders have it. That way
an address saved in the account and the same address on an order are one contact.
"""
from dataclasses import dataclass
from datetime import datetime, timezone

from .partners import Address, _clean, parse_address

MAX_EMBEDDED_ADDRESSES = 10  # CU3#getCustomers embeds at most 10 addresses a customer
# v3 address field -> the v2 name ``Address`` uses.
_V3_ADDRESS_FIELDS = {"address1": "street_1", "address2": "street_2", "state_or_province": "state",
                      "postal_code": "zip", "country_code": "country_iso2"}


@dataclass(frozen=True)
class Customer:
    id: int
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    phone: str = ""
    customer_group_id: int = 0  # 0: in no group
    addresses: tuple = ()  # of Address


def parse_customer_address(data, email):
    """An ``Address`` from a v3 customer address, with the customer's ``email``."""
    data = data or {}
    values = {_V3_ADDRESS_FIELDS.get(name, name): value for name, value in data.items()}
    return parse_address({**values, "email": email})


def parse_customer(data, addresses=None):
    """A ``Customer`` from a CU3 customer; ``addresses``: all its v3 addresses when they were
    fetched apart (see ``needs_address_fetch``), else the embedded ones are used."""
    email = _clean(data.get("email"))
    rows = data.get("addresses") or () if addresses is None else addresses
    return Customer(
        id=int(data["id"]),
        email=email,
        first_name=_clean(data.get("first_name")),
        last_name=_clean(data.get("last_name")),
        company=_clean(data.get("company")),
        phone=_clean(data.get("phone")),
        customer_group_id=int(data.get("customer_group_id") or 0),
        addresses=tuple(parse_customer_address(row, email) for row in rows),
    )


def needs_address_fetch(data):
    """Whether a CU3 customer has more addresses than it embeds."""
    return int(data.get("address_count") or 0) > len(data.get("addresses") or ())


def account_address(customer):
    """The address that finds or creates the customer's own contact when it has no binding yet:
    its first saved address (an order's billing address usually is one), else its name alone."""
    if customer.addresses:
        return customer.addresses[0]
    return Address(first_name=customer.first_name, last_name=customer.last_name, company=customer.company,
                   phone=customer.phone, email=customer.email)


def account_values(customer):
    """What the customer's contact shows of the account. Empty phone or company in BigCommerce
    leave Odoo's as they are: the contact may hold them from an order's address."""
    name = _clean(f"{customer.first_name} {customer.last_name}") or customer.company or customer.email
    values = {"name": name, "email": customer.email}
    if customer.phone:
        values["phone"] = customer.phone
    return {key: value for key, value in values.items() if value}


def changed_values(current, wanted):
    """The items of ``wanted`` that differ from ``current`` (both field -> value), so that an
    import that brings nothing new writes nothing."""
    return {key: value for key, value in wanted.items() if current.get(key) != value}


def newest_modification(rows):
    """The latest ``date_modified`` (ISO 8601, as v3 sends it) of CU3 customers, as an aware
    UTC datetime; None when there is none."""
    moments = []
    for row in rows:
        try:
            moment = datetime.fromisoformat(str(row.get("date_modified") or "").replace("Z", "+00:00"))
        except ValueError:
            continue
        moments.append(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))
    return max(moments, default=None)
