"""Rules about a store itself: recognising its hash and API address, ordering its category
tree, what its setup still lacks, what its channels route their orders to."""
import ipaddress
import re
from urllib.parse import urlsplit

from .i18n import _lt

_HASH = r"[a-z0-9]{3,20}"
_STORE_HASH_PATTERNS = (
    re.compile(rf"^(?P<hash>{_HASH})$"),
    # Control-panel or storefront address: https://store-abc123.mybigcommerce.com/manage
    re.compile(rf"^(?:https?://)?store-(?P<hash>{_HASH})\.mybigcommerce\.com(?:[/?#].*)?$"),
    # API address: https://api.bigcommerce.com/stores/abc123/v3/
    re.compile(rf"^(?:https?://)?api\.bigcommerce\.com/stores/(?P<hash>{_HASH})(?:[/?#].*)?$"),
)
STORE_HASH_HELP = _lt(
    "A store hash is the short code in your control-panel address: for "
    "https://store-abc123.mybigcommerce.com/manage it is abc123. Paste that address or the code itself."
)


def parse_store_hash(text):
    """The store hash in what a merchant pasted, or None when it holds none."""
    value = (text or "").strip().lower()
    for pattern in _STORE_HASH_PATTERNS:
        match = pattern.match(value)
        if match:
            return match.group("hash")
    return None


def is_valid_api_url(url):
    """Whether ``url`` can be BigCommerce's API address: https, or plain http only for a test
    store on this machine or this network (``localhost``, an IP address or a name without dots,
    such as the sandbox's Docker service). The access token travels with every call."""
    try:
        parts = urlsplit((url or "").strip())
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return False
    if not host or parts.scheme not in ("http", "https"):
        return False
    if parts.scheme == "https":
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return "." not in host


# What a confirmed store lacks before orders import by themselves, in the order to fix them.
SETUP_STEPS = ("products", "workflow", "pricelist", "webhooks")


def missing_setup(has_sku_products, has_workflow, pricelist_currency, store_currency, webhook_states):
    """The ``SETUP_STEPS`` still to do: no product has a SKU to match order lines by, no
    financial workflow, no pricelist in the store's currency, not every order webhook active."""
    done = {
        "products": has_sku_products,
        "workflow": has_workflow,
        "pricelist": bool(pricelist_currency) and pricelist_currency == store_currency,
        "webhooks": bool(webhook_states) and all(state == "active" for state in webhook_states),
    }
    return [step for step in SETUP_STEPS if not done[step]]


def categories_parents_first(categories):
    """Categories from the flat v3 tree listing, each after its parent.

    Odoo needs the parent record before it can link a child; BigCommerce lists them
    in no promised order. A category whose parent is missing is kept, as a root.
    """
    by_id = {category["category_id"]: category for category in categories}
    ordered, placed = [], set()

    def place(category, chain=()):
        category_id = category["category_id"]
        if category_id in placed or category_id in chain:
            return
        parent = by_id.get(category.get("parent_id"))
        if parent is not None:
            place(parent, chain + (category_id,))
        placed.add(category_id)
        ordered.append(category)

    for category in categories:
        place(category)
    return ordered


# The values of the Odoo record each listed row of store data becomes (keyed on ``bc_id``).
def order_status_vals(rows):
    return [{"bc_id": row["id"], "name": row.get("custom_label") or row["name"],
             "system_label": row.get("system_label") or row["name"], "sequence": row.get("order") or 0}
            for row in rows]


def channel_vals(rows):
    return [{"bc_id": row["id"], "name": row["name"], "channel_type": row.get("type"),
             "platform": row.get("platform"), "status": row.get("status")} for row in rows]


def location_vals(rows):
    return [{"bc_id": row["id"], "name": row.get("label") or row.get("code") or str(row["id"]),
             "code": row.get("code"), "is_active": bool(row.get("is_active", True))} for row in rows]


def named_vals(rows):
    """Tax classes and brands: an id and a name."""
    return [{"bc_id": row["id"], "name": row["name"]} for row in rows]


def currency_vals(rows):
    return [{"bc_id": row["id"], "name": row["currency_code"], "is_default": bool(row.get("is_default")),
             "is_transactional": bool(row.get("is_transactional")), "enabled": bool(row.get("enabled"))}
            for row in rows]


def category_vals(rows):
    """Parents first, each with ``parent_bc_id``: a child finds its parent's record already there."""
    return [{"bc_id": row["category_id"], "name": row["name"], "tree_id": str(row.get("tree_id") or ""),
             "parent_bc_id": str(row["parent_id"]) if row.get("parent_id") else ""}
            for row in categories_parents_first(rows)]


# What a channel routes its orders to (``order_routing``): Odoo field names of the order's settings.
ROUTED_SETTINGS = ("team_id", "warehouse_id", "analytic_distribution")


def order_routing(channel, store):
    """{setting: value} an order of a BigCommerce channel is created with: each of
    ``ROUTED_SETTINGS`` the channel's (``channel``, None for a channel the store has not imported),
    else the store's (``store``). A setting set on neither is left out, so that Odoo's own default
    applies (the salesperson's team, the company's warehouse, the analytic distribution models).

    An analytic distribution is taken whole, never merged: a channel's replaces the store's. It
    goes to every line of the order (products, shipping, handling, wrapping, fees, gift
    certificates, discounts, rounding), so that the whole order's income is the channel's."""
    routing = {}
    for key in ROUTED_SETTINGS:
        value = (channel or {}).get(key) or store.get(key)
        if value:
            routing[key] = value
    return routing
