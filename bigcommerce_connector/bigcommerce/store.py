"""Rules about a store itself: recognising its hash, ordering its category tree."""
import re

_HASH = r"[a-z0-9]{3,20}"
_STORE_HASH_PATTERNS = (
    re.compile(rf"^(?P<hash>{_HASH})$"),
    # Control-panel or storefront address: https://store-abc123.mybigcommerce.com/manage
    re.compile(rf"^(?:https?://)?store-(?P<hash>{_HASH})\.mybigcommerce\.com(?:[/?#].*)?$"),
    # API address: https://api.bigcommerce.com/stores/abc123/v3/
    re.compile(rf"^(?:https?://)?api\.bigcommerce\.com/stores/(?P<hash>{_HASH})(?:[/?#].*)?$"),
)
STORE_HASH_HELP = (
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
