"""BigCommerce REST client: one instance (and one HTTP session) per store.

Pure Python on top of ``requests``; the Odoo models only wrap it. It owns everything
about talking to BigCommerce: URLs, the shared rate-limit quota, retries, pagination,
typed errors, and never sending a refund or a shipment twice. JSON numbers are parsed
as ``Decimal`` and ``Decimal`` values are sent as exact JSON numbers: money is never a
float. Not thread-safe: give each thread or job its own client.

Spec references (``O2#getOrders``...) name the operations in the official OpenAPI files,
see shared/bigcommerce/API-NOTES.md beside the repository.
"""
import json
import logging
import math
import random
import re
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal

import requests
from urllib3.exceptions import NewConnectionError

from .errors import (
    AmbiguousResultError,
    BigCommerceConnectionError,
    BigCommerceError,
    BigCommerceTimeoutError,
    InvalidResponseError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    ValidationError,
    error_for_response,
    error_messages,
)
from .catalog_export import MAX_PRODUCT_BATCH, existing_product_id, has_image, image_filename
from .i18n import _lt
from .money import to_decimal

_logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.bigcommerce.com"
DEFAULT_TIMEOUT = (10, 60)  # seconds to connect, seconds to wait for the answer
MAX_PAGE_SIZE = 250
# What an order needs embedded to be mapped without a call per resource (O2 include=).
ORDER_INCLUDE = "consignments.line_items,fees"
MAX_INVENTORY_PAGE_SIZE = 1000  # IN: inventory GETs carry at most 1000 items
MAX_INVENTORY_ADJUSTMENTS = 2000  # IN: adjustments take at most 2000 items a request
# What a product is read with: its variants (option values included) and images, and no options
# or modifiers, which would cap a page at 10 products (PR#getProducts).
CATALOG_INCLUDE = "variants,images,channels"
MAX_IMAGE_BYTES = 8 * 1024 * 1024  # PR: an image is at most 8 MB
MAX_VARIANT_BATCH = 50  # VA#updateVariantsBatch answers 413 beyond 50
MAX_RATE_LIMIT_WAIT = 900  # a sync survives 15 minutes of rate limiting before giving up
_SAFE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})
_RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})
# Failures after which a POST may or may not have taken effect on BigCommerce's side.
_AMBIGUOUS_FAILURES = (ServerError, BigCommerceTimeoutError, BigCommerceConnectionError, InvalidResponseError)
_QUANTITY_REFUND_ITEM_TYPES = frozenset({"PRODUCT", "GIFT_WRAPPING"})  # their amount is ignored (O3)
NOTABLE_WAIT_SECONDS = 10  # pacing calls shorter than this is routine


def is_notable_call(call):
    """Whether a call record (what ``on_call`` receives) is worth the store's log: it failed,
    needed another attempt (a retry, a 429) or waited long. A call that succeeded at once after
    a short pacing wait is routine, a read or a write alike."""
    return bool(call.get("error")) or call["attempts"] > 1 or sum(call.get("waits") or ()) >= NOTABLE_WAIT_SECONDS


def _backoff(attempt, base=1.0, cap=30.0):
    """Capped exponential delay with jitter, so clients that failed together do not retry together."""
    delay = min(cap, base * 2 ** (attempt - 1))
    return delay / 2 + random.uniform(0, delay / 2)


def _number_header(headers, name):
    try:
        return float(headers[name])
    except (KeyError, TypeError, ValueError):
        return None


def _json_text(value):
    """JSON for a request body, writing Decimal amounts exactly rather than through float."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot send {value} as an amount")
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(key))}:{_json_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_json_text(item) for item in value) + "]"
    return json.dumps(value)


def _query_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        # Odoo datetimes are naive UTC; BigCommerce needs the offset spelled out.
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):  # v3 ``:in`` filters take comma lists
        return ",".join(str(_query_value(item)) for item in value)
    return value


def _unwrap(body):
    """The object of a v3 ``{data: ...}`` envelope; bare objects pass (docs and specs disagree)."""
    return body["data"] if isinstance(body, dict) and "data" in body else body


def _refund_key(items, payments, amount_field):
    """What identifies a refund: its items and payments, amounts compared as Decimal.
    Requests carry ``amount`` per item, refunds read back carry ``requested_amount``."""
    return (
        Counter(
            (item.get("item_type"), item.get("item_id"),
             item.get("quantity") if item.get("item_type") in _QUANTITY_REFUND_ITEM_TYPES
             else to_decimal(item.get(amount_field)))
            for item in items or ()
        ),
        Counter((payment.get("provider_id"), to_decimal(payment.get("amount"))) for payment in payments or ()),
    )


# IN#put-absolute-adjustment 422: "[Item with variant_id 106 is tracked by product, please update ...]"
_REJECTED_ITEM = re.compile(r"Item with (sku|variant_id|product_id) (.+?) (?:is|has|was|does|cannot)\b")


def _rejected_item_index(messages, items):
    """Index in ``items`` of the adjustment item BigCommerce's error ``messages`` name, or None."""
    for message in messages:
        match = _REJECTED_ITEM.search(message)
        if not match:
            continue
        key, value = match.groups()
        for index, item in enumerate(items):
            if key in item and str(item[key]).casefold() == value.casefold():
                return index
    return None


def _shipment_key(shipment):
    return (
        shipment.get("order_address_id"),
        shipment.get("tracking_number") or "",
        Counter((item.get("order_product_id"), item.get("quantity")) for item in shipment.get("items") or ()),
    )


class RateBudget:
    """A store's request quota, as the last response described it (API-NOTES §2). Thread-safe,
    so the clients of one store can share it (``shared_budget``): what one call learned paces
    the next call of any of them."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self.left = self.quota = self.resets_at = None
        self.last_sent_at = None

    def update(self, headers):
        left = _number_header(headers, "X-Rate-Limit-Requests-Left")
        reset_ms = _number_header(headers, "X-Rate-Limit-Time-Reset-Ms")
        if left is None or reset_ms is None:
            return
        with self._lock:
            self.left, self.resets_at = left, self._clock() + reset_ms / 1000
            self.quota = _number_header(headers, "X-Rate-Limit-Requests-Quota") or self.quota

    def reserve(self, max_wait):
        """Seconds to wait before the next call, so that it neither hits 429 nor starves the
        store's other apps. The call is booked (the next one waits its turn after it) unless
        the wait is longer than ``max_wait``: the caller then does not send it."""
        with self._lock:
            now = self._clock()
            delay = self._delay(now)
            if delay <= max_wait:
                self.last_sent_at = now + delay
                if self.left is not None:
                    self.left -= 1
            return delay

    def _delay(self, now):
        if self.left is None or self.resets_at <= now:
            return 0.0
        remaining = self.resets_at - now
        # A few requests stay unused so that other apps (or our other workers) racing for the
        # same quota do not turn our next call into a 429.
        reserve = max(2, (self.quota or 0) // 50)
        if self.left <= reserve:
            return remaining
        # Spread what is left over the rest of the window instead of bursting through it.
        interval = remaining / (self.left - reserve)
        return max(0.0, self.last_sent_at + interval - now)


_SHARED_BUDGETS = {}
_SHARED_BUDGETS_LOCK = threading.Lock()


def shared_budget(api_url, store_hash):
    """The one RateBudget of a store in this process: every client built for it paces with it."""
    with _SHARED_BUDGETS_LOCK:
        return _SHARED_BUDGETS.setdefault(((api_url or DEFAULT_API_URL).rstrip("/"), store_hash), RateBudget())


class BigCommerceClient:
    def __init__(self, store_hash, access_token, api_url=DEFAULT_API_URL, timeout=DEFAULT_TIMEOUT,
                 max_retries=5, on_call=None, sleep=time.sleep, clock=time.monotonic, session=None,
                 max_rate_limit_wait=MAX_RATE_LIMIT_WAIT, budget=None):
        """``max_rate_limit_wait``: the longest the client waits for the rate limit in all, before
        a call or after 429s; beyond it the call raises RateLimitedError with ``retry_after``.
        ``budget``: the store's RateBudget to pace with (``shared_budget``); by default its own."""
        if not store_hash or not access_token:
            raise ValueError("a BigCommerce store needs both a store hash and an access token")
        api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        if not api_url.startswith(("https://", "http://")):
            raise ValueError(f"the BigCommerce API address must start with https:// (got {api_url!r})")
        self.store_hash = store_hash
        self.api_url = api_url
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_rate_limit_wait = max_rate_limit_wait
        self._base_url = f"{api_url}/stores/{store_hash}"
        self._token = access_token
        # Sent with each request rather than set on the session, which the caller may share.
        self._headers = {"X-Auth-Token": access_token, "Accept": "application/json"}
        self._session = session or requests.Session()
        self._on_call = on_call
        self._sleep = sleep
        self._clock = clock
        self._budget = budget or RateBudget(clock)
        self._waits_for_next_call = []

    def __repr__(self):
        return f"BigCommerceClient(store_hash={self.store_hash!r}, api_url={self.api_url!r})"

    def close(self):
        self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *_exc_info):
        self.close()

    # ------------------------------------------------------------------ HTTP core

    def request(self, method, version, path, params=None, json=None, idempotent=None, files=None):
        """One API call, retried when that is safe; returns the decoded JSON (None for 204).

        ``idempotent`` marks a POST as safe to repeat; GET, PUT and DELETE are by default.
        ``files``: a multipart/form-data upload instead of a JSON body, ``{field: (name, bytes, type)}``
        with ``json`` then holding the form's other fields.
        """
        method = method.upper()
        safe = method in _SAFE_METHODS if idempotent is None else idempotent
        record = {
            "method": method, "path": f"/{version}/{path.strip('/')}", "status": None,
            "duration_ms": 0, "attempts": 0, "waits": self._waits_for_next_call, "error": None,
        }
        self._waits_for_next_call = []
        started = self._clock()
        try:
            return self._send(record, safe, params, json, files)
        except BigCommerceError as error:
            record["error"] = type(error).__name__
            raise
        finally:
            record["duration_ms"] = round((self._clock() - started) * 1000)
            self._report(record)

    def get(self, version, path, params=None):
        return self.request("GET", version, path, params=params)

    def post(self, version, path, json=None, params=None, idempotent=False, files=None):
        return self.request("POST", version, path, params=params, json=json, idempotent=idempotent, files=files)

    def put(self, version, path, json=None, params=None):
        return self.request("PUT", version, path, params=params, json=json)

    def delete(self, version, path, params=None):
        return self.request("DELETE", version, path, params=params)

    def _send(self, record, safe, params, body, files=None):
        url = self._base_url + record["path"]
        query = {key: _query_value(value) for key, value in (params or {}).items() if value is not None}
        if files:  # requests writes the multipart body and its Content-Type with the boundary
            data = {key: _query_value(value) for key, value in (body or {}).items()}
            headers = dict(self._headers)
        else:
            data = None if body is None else _json_text(body).encode()
            headers = dict(self._headers, **({"Content-Type": "application/json"} if data is not None else {}))
        failures = throttled = 0
        rate_limited_for = 0.0
        while True:
            delay = self._budget.reserve(self.max_rate_limit_wait - rate_limited_for)
            if delay > self.max_rate_limit_wait - rate_limited_for:
                raise RateLimitedError(
                    f"{record['method']} {record['path']}: the store's request quota allows the next call "
                    f"in {delay:.1f} s", method=record["method"], path=record["path"], retry_after=delay,
                    user_message=_lt("The BigCommerce store's API request quota is used up for the next "
                                     "%(seconds)s seconds. The job will be retried automatically.",
                                     seconds=math.ceil(delay)))
            self._wait(delay, record)
            rate_limited_for += delay
            record["attempts"] += 1
            try:
                # No redirects: requests would carry X-Auth-Token to whatever host they point at.
                response = self._session.request(record["method"], url, params=query, data=data, files=files,
                                                 headers=headers, timeout=self.timeout, allow_redirects=False)
            except requests.RequestException as exc:
                error, reached_server = self._transport_error(exc, record)
            else:
                record["status"] = status = response.status_code
                self._budget.update(response.headers)
                if status == 429:  # not processed, so repeating is safe even for a POST
                    throttled += 1
                    delay = self._rate_limit_delay(response.headers, throttled)
                    if rate_limited_for + delay > self.max_rate_limit_wait:
                        raise self._http_error(response, record, retry_after=delay)
                    rate_limited_for += delay
                    self._wait(delay, record)
                    continue
                throttled = 0
                if status >= 300 and status not in _RETRYABLE_STATUSES:
                    raise self._http_error(response, record)
                reached_server = True
                if status in _RETRYABLE_STATUSES:
                    error = self._http_error(response, record)
                else:
                    try:
                        return json.loads(response.content, parse_float=Decimal) if response.content.strip() else None
                    except ValueError:
                        error = self._invalid_response(record, status)
            if (reached_server and not safe) or failures >= self.max_retries:
                raise error
            failures += 1
            self._wait(_backoff(failures), record)

    @staticmethod
    def _rate_limit_delay(headers, throttled):
        reset_ms = _number_header(headers, "X-Rate-Limit-Time-Reset-Ms")
        retry_after = _number_header(headers, "X-Retry-After")
        asked = reset_ms / 1000 if reset_ms is not None else retry_after
        if asked is None:
            # A 429 without rate headers means the platform itself is under load (API-NOTES §2).
            return _backoff(throttled, base=2.0, cap=60.0)
        # Repeated 429s despite waiting: other apps are draining the quota, so back off further.
        return max(asked, _backoff(throttled - 1, cap=60.0)) if throttled > 1 else asked

    def _wait(self, seconds, record=None):
        if seconds <= 0:
            return
        self._sleep(seconds)
        (record["waits"] if record is not None else self._waits_for_next_call).append(round(seconds, 3))

    def _report(self, record):
        if self._on_call is None:
            return
        try:
            self._on_call(record)
        except Exception:  # a broken log sink must not break the sync
            _logger.exception("on_call failed for %s %s", record["method"], record["path"])

    def _http_error(self, response, record, retry_after=None):
        # BigCommerce may echo the request, so the token is scrubbed before anything keeps the text.
        text = response.text.replace(self._token, "[access token]")
        try:
            body = json.loads(text, parse_float=Decimal)
        except ValueError:
            body = text
        retry_after = retry_after or _number_header(response.headers, "X-Retry-After") \
            or _number_header(response.headers, "Retry-After")
        return error_for_response(response.status_code, record["method"], record["path"], body, retry_after)

    def _transport_error(self, exc, record):
        """The typed error for a request that got no usable answer, and whether it may have
        reached BigCommerce (then it may have taken effect)."""
        where = f"{record['method']} {record['path']}"
        kind = type(exc).__name__  # never str(exc): it holds the URL with its query string
        if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.ConnectTimeout):
            seconds = self.timeout[1] if isinstance(self.timeout, tuple) else self.timeout
            return BigCommerceTimeoutError(
                f"{where}: no answer within {seconds} s ({kind})",
                method=record["method"], path=record["path"],
                user_message=_lt("BigCommerce did not answer within %(seconds)s seconds. The job will be "
                                 "retried automatically.", seconds=seconds),
            ), True
        if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
            return self._invalid_response(record, None), True
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        never_sent = isinstance(exc, requests.ConnectTimeout) or isinstance(reason, NewConnectionError)
        return BigCommerceConnectionError(
            f"{where}: the store could not be reached ({kind})",
            method=record["method"], path=record["path"],
            user_message=_lt("The BigCommerce store could not be reached at %(url)s. Check the API "
                             "address configured on the store and this server's internet connection.",
                             url=self.api_url),
        ), not never_sent

    @staticmethod
    def _invalid_response(record, status):
        return InvalidResponseError(
            f"{record['method']} {record['path']}: the response body is cut off or not JSON",
            status=status, method=record["method"], path=record["path"],
            user_message=_lt("BigCommerce sent an incomplete answer. The job will be retried automatically."),
        )

    # ------------------------------------------------------------------ pagination

    def iter_v2(self, path, params=None, limit=MAX_PAGE_SIZE):
        """Every row of a v2 list."""
        for rows in self.iter_v2_pages(path, params, limit):
            yield from rows

    def iter_v2_pages(self, path, params=None, limit=MAX_PAGE_SIZE, first_page=1):
        """Every non-empty page (list of rows) of a v2 list from ``first_page`` on. v2 gives no
        totals, so pages run until a short or empty one."""
        page = first_page
        while True:
            rows = self.get("v2", path, params={**(params or {}), "limit": limit, "page": page}) or []
            if rows:
                yield rows
            if len(rows) < limit:
                return
            page += 1

    def iter_v3(self, path, params=None, limit=MAX_PAGE_SIZE):
        """Every row of a v3 list paginated by ``meta.pagination``."""
        for rows, _next_page in self.iter_v3_pages(path, params, limit):
            yield from rows

    def iter_v3_pages(self, path, params=None, limit=MAX_PAGE_SIZE, first_page=1):
        """``(rows, number of the next page or None)`` for every page of a v3 list paginated by
        ``meta.pagination`` from ``first_page`` on, so that a caller can resume at a page."""
        page = first_page
        while True:
            body = self.get("v3", path, params={**(params or {}), "limit": limit, "page": page}) or {}
            rows = body.get("data") or []
            total_pages = ((body.get("meta") or {}).get("pagination") or {}).get("total_pages")
            last = not rows or (page >= total_pages if total_pages is not None else len(rows) < limit)
            if rows or page == first_page:
                yield rows, None if last else page + 1
            if last:
                return
            page += 1

    def iter_v3_cursor(self, path, params=None, limit=MAX_PAGE_SIZE):
        """Every row of a v3 list paginated by ``meta.cursor_pagination`` (``after=end_cursor``)."""
        for rows, _after in self.iter_v3_cursor_pages(path, params, limit):
            yield from rows

    def iter_v3_cursor_pages(self, path, params=None, limit=MAX_PAGE_SIZE, after=None):
        """``(rows, next cursor or None)`` for every non-empty page of a cursor-paginated v3 list
        from ``after`` on, so that a caller can resume at the page it stopped at."""
        params = {**(params or {}), "limit": limit}
        if after:
            params["after"] = after
        while True:
            body = self.get("v3", path, params=params) or {}
            rows = body.get("data") or []
            cursor = (body.get("meta") or {}).get("cursor_pagination") or {}
            end_cursor = cursor.get("end_cursor")
            last = not rows or len(rows) < cursor.get("per_page", limit) or not end_cursor \
                or end_cursor == params.get("after")
            if rows:
                yield rows, None if last else end_cursor
            if last:
                return
            params["after"] = end_cursor

    def _iter_v3_unpaginated(self, path, params=None):
        """Rows of a v3 list that takes no page parameters (204 when empty)."""
        yield from (self.get("v3", path, params=params) or {}).get("data") or []

    # ------------------------------------------------------------------ store

    def store_information(self):
        try:
            return self.get("v2", "store")  # SI#getStoreInformation
        except NotFoundError as error:
            # Every store has its information: a 404 here means no store has this hash.
            error.user_message = _lt("No BigCommerce store has the hash %(hash)s: check the store hash.",
                                     hash=self.store_hash)
            raise

    def server_time(self):
        """BigCommerce's clock in epoch seconds, for polling watermarks."""
        return self.get("v2", "time")["time"]  # SI#getSystemTimestamp

    def iter_channels(self, **filters):
        return self.iter_v3("channels", filters)  # CH#getChannels

    def iter_locations(self, **filters):
        return self.iter_v3("inventory/locations", filters)  # LO#getLocations

    def iter_location_inventory(self, location_id, **filters):
        """Every tracked item's stock at one location (IN#get-location-inventory-items, 1000 a page)."""
        return self.iter_v3(f"inventory/locations/{int(location_id)}/items", filters, limit=MAX_INVENTORY_PAGE_SIZE)

    def set_inventory_absolute(self, items, reason):
        """Set stock levels (IN#inventory-adjustments-absolute), at most 2000 items a request.

        Absolute levels make a repeated request harmless, so it is retried like a read. BigCommerce
        refuses a whole request (422) for one bad item, naming it in its message: that item is
        left out and the rest of its batch sent again. Returns the items refused, as
        ``(item, BigCommerce's message)`` pairs.
        """
        rejected = []
        for start in range(0, len(items), MAX_INVENTORY_ADJUSTMENTS):
            batch = items[start:start + MAX_INVENTORY_ADJUSTMENTS]
            while batch:
                try:
                    self.put("v3", "inventory/adjustments/absolute", json={"reason": reason, "items": batch})
                    break
                except ValidationError as error:
                    index = _rejected_item_index(error.details, batch)
                    if index is None:
                        raise
                    rejected.append((batch[index], "; ".join(error.details)))
                    batch = batch[:index] + batch[index + 1:]
        return rejected

    def iter_tax_classes(self):
        return self.iter_v2("tax_classes")  # TC2#getTaxClasses

    def iter_currencies(self):
        return self.iter_v2("currencies")  # CUR#getCurrencies

    # ------------------------------------------------------------------ customers

    def iter_customer_pages(self, after=None, **filters):
        """Customers with their addresses (at most 10 each, ``address_count`` says how many there
        are), a page of 250 at a time with the cursor of the next one (CU3#getCustomers).
        Filters are CU3's: ``date_modified:min``, ``id:in``..."""
        params = {"include": "addresses", **filters}
        if filters.get("date_modified:min") is not None:
            params.setdefault("sort", "date_modified:asc")
        yield from self.iter_v3_cursor_pages("customers", params, after=after)

    def get_customer(self, customer_id):
        """The customer with its addresses, None when there is no such customer (CU3#getCustomers)."""
        rows = next(self.iter_customer_pages(**{"id:in": [int(customer_id)]}), ([], None))[0]
        return rows[0] if rows else None

    def iter_customer_addresses(self, customer_id):
        """Every address of a customer, beyond the 10 a customer embeds (CU3#getCustomersAddresses)."""
        return self.iter_v3("customers/addresses", {"customer_id:in": int(customer_id)})

    def get_customer_group(self, group_id):
        return self.get("v2", f"customer_groups/{int(group_id)}")  # CU2#getCustomerGroup

    # ------------------------------------------------------------------ orders

    def iter_order_statuses(self):
        yield from self.get("v2", "order_statuses") or []  # O2#getOrderStatuses, not paginated

    def iter_orders(self, limit=MAX_PAGE_SIZE, include=ORDER_INCLUDE, **filters):
        """Orders with their consignments, line items and fees embedded, saving calls per order
        (O2#getOrders). Filters are O2's: ``min_date_modified``, ``status_id``, ``channel_id``...
        ``include=None``: the orders' own fields only, a lighter page."""
        for orders in self.iter_order_pages(limit, include=include, **filters):
            yield from orders

    def iter_order_pages(self, limit=MAX_PAGE_SIZE, first_page=1, include=ORDER_INCLUDE, **filters):
        """The orders of ``iter_orders`` a page (a list) at a time, so that a caller can keep
        what each page gave before it asks for the next one (or resume at ``first_page``)."""
        params = {"include": include, "consignment_structure": "object"} if include else {}
        params.update(filters)
        if filters.get("min_date_modified") is not None:
            params.setdefault("sort", "date_modified:asc")
        # An order modified while we page through a date_modified sort moves to a later page;
        # it is yielded once, at its first position.
        seen = set()
        for rows in self.iter_v2_pages("orders", params, limit=limit, first_page=first_page):
            orders = [order for order in rows if order["id"] not in seen]
            seen.update(order["id"] for order in orders)
            if orders:
                yield orders

    def get_order(self, order_id, include=ORDER_INCLUDE):
        params = {"include": include, "consignment_structure": "object"} if include else None
        return self.get("v2", f"orders/{int(order_id)}", params=params)  # O2#getOrder

    def iter_order_products(self, order_id):
        return self.iter_v2(f"orders/{int(order_id)}/products")  # O2#getOrderProducts

    def iter_order_shipping_addresses(self, order_id):
        return self.iter_v2(f"orders/{int(order_id)}/shipping_addresses")  # O2#getOrderShippingAddresses

    def iter_order_coupons(self, order_id):
        return self.iter_v2(f"orders/{int(order_id)}/coupons")  # O2#getOrderCoupons

    def iter_order_taxes(self, order_id, details=True):
        return self.iter_v2(f"orders/{int(order_id)}/taxes", {"details": details})  # O2#getOrderTaxes

    def iter_order_shipments(self, order_id):
        return self.iter_v2(f"orders/{int(order_id)}/shipments")  # O2#getOrderShipments, 204 when none

    def update_order(self, order_id, values):
        """PUT only the fields to change: ``products`` or ``fees`` here would wipe discounts or fees."""
        return self.put("v2", f"orders/{int(order_id)}", json=values)  # O2#updateOrder

    def iter_order_transactions(self, order_id):
        return self._iter_v3_unpaginated(f"orders/{int(order_id)}/transactions")  # O3#getOrderTransactions

    def create_refund_quote(self, order_id, payload):
        # O3#createOrderRefundQuotes: a quote changes nothing, so it is safe to repeat.
        path = f"orders/{int(order_id)}/payment_actions/refund_quotes"
        return _unwrap(self.post("v3", path, json=payload, idempotent=True))

    def iter_refunds(self, created_min=None, created_max=None):
        """Every refund of the store, created from ``created_min`` to ``created_max`` (RFC 3339
        strings or datetimes) when given (O3#getOrdersRefunds)."""
        params = {"created:min": created_min, "created:max": created_max}
        return self.iter_v3("orders/payment_actions/refunds", params)

    def void_payment(self, order_id):
        """Void the order's authorisation (O3#voidOrderPayment). Asynchronous: the order's
        ``payment_status`` becomes ``void pending``. Not repeated on a lost answer (a second
        void is refused): the caller reads the order again instead."""
        return self.post("v3", f"orders/{int(order_id)}/payment_actions/void")

    def capture_payment(self, order_id):
        """Capture the order's authorised payment (O3#captureOrderPayment) at most once.
        Asynchronous: the order's ``payment_status`` becomes ``capture pending``, then ``captured``
        once the gateway answered. When the answer is lost, the order is read back: a capture
        pending or done is ours, and only a payment still authorised is asked again."""
        def captured_by_us():
            status = self.get_order(order_id, include=None).get("payment_status")
            return {} if status in ("capture pending", "captured") else None

        return self._create_once("v3", f"orders/{int(order_id)}/payment_actions/capture", None, captured_by_us,
                                 _lt("the capture of order %(id)s", id=order_id))

    def iter_order_refunds(self, order_id):
        return self._iter_v3_unpaginated(f"orders/{int(order_id)}/payment_actions/refunds")  # O3#getOrderRefunds

    def create_refund(self, order_id, payload):
        """Create a refund (O3#createOrderRefund) at most once, and return it.

        When the answer is lost (timeout, connection cut, 5xx, unreadable body), the order's
        refunds are read back: a refund that did not exist before this call and matches the
        payload's items and payments is the one we created, so it is returned instead of
        refunding twice. Only when it verifiably does not exist is the request sent again.
        """
        earlier = {refund["id"] for refund in self.iter_order_refunds(order_id)}
        wanted = _refund_key(payload.get("items"), payload.get("payments"), "amount")

        def created_by_us():
            return next((
                refund for refund in self.iter_order_refunds(order_id)
                if refund["id"] not in earlier
                and _refund_key(refund.get("items"), refund.get("payments"), "requested_amount") == wanted
            ), None)

        path = f"orders/{int(order_id)}/payment_actions/refunds"
        return self._create_once("v3", path, payload, created_by_us,
                                 _lt("the refund on order %(id)s", id=order_id))

    def create_shipment(self, order_id, payload, existing=None):
        """Create a shipment (O2#createOrderShipments) at most once, like ``create_refund``:
        a duplicate would e-mail the customer again and cannot be undone cleanly.
        ``existing``: the order's shipments as the caller just read them, saving that call."""
        earlier = {shipment["id"] for shipment in
                   (existing if existing is not None else self.iter_order_shipments(order_id))}
        wanted = _shipment_key(payload)

        def created_by_us():
            return next((
                shipment for shipment in self.iter_order_shipments(order_id)
                if shipment["id"] not in earlier and _shipment_key(shipment) == wanted
            ), None)

        path = f"orders/{int(order_id)}/shipments"
        return self._create_once("v2", path, payload, created_by_us,
                                 _lt("the shipment on order %(id)s", id=order_id))

    def update_shipment(self, order_id, shipment_id, values):
        """Change a shipment's tracking, provider, method or comments (O2#updateOrderShipment; its
        items cannot change). A PUT: repeating it after a lost answer does no harm."""
        return self.put("v2", f"orders/{int(order_id)}/shipments/{int(shipment_id)}", json=values)

    def _create_once(self, version, path, payload, created_by_us, what, files=None):
        for attempt in range(1, self.max_retries + 2):
            try:
                return _unwrap(self.post(version, path, json=payload, files=files))
            except _AMBIGUOUS_FAILURES as error:
                failure = error
            # BigCommerce may still be finishing the request whose answer we lost: give it
            # time before looking, or we would miss it and create it a second time.
            self._wait(_backoff(attempt, base=2.0))
            try:
                created = created_by_us()
            except BigCommerceError as error:
                raise AmbiguousResultError(
                    f"POST /{version}/{path}: outcome unknown after {type(failure).__name__}, "
                    f"and reading it back failed ({type(error).__name__})",
                    method="POST", path=f"/{version}/{path}",
                    user_message=_lt("BigCommerce did not confirm whether %(what)s was created, and "
                                     "checking failed too. Look at the order in BigCommerce before trying "
                                     "again: retrying blindly could create it twice.", what=what),
                ) from error
            if created is not None:
                return created
        raise failure

    # ------------------------------------------------------------------ catalog

    def iter_brands(self, **filters):
        return self.iter_v3("catalog/brands", filters)  # BR#getBrands

    def iter_category_trees(self):
        return self._iter_v3_unpaginated("catalog/trees")  # CT#getCategoryTrees takes no page

    def iter_categories(self, tree_ids=None):
        """Categories of every tree (or of ``tree_ids``) as a flat list (CT#getAllCategories)."""
        return self.iter_v3("catalog/trees/categories", {"tree_id:in": tree_ids})

    def iter_products(self, limit=MAX_PAGE_SIZE, **filters):
        """Products (PR#getProducts). With ``include`` options or modifiers, pass ``limit=10``."""
        return self.iter_v3("catalog/products", filters, limit=limit)

    def iter_product_pages(self, first_page=1, include=CATALOG_INCLUDE, **filters):
        """Products with their variants and images, 250 a page: ``(products, next page or None)``
        from ``first_page`` on (PR#getProducts). Sorted by id, which an edit during the listing
        does not move (``date_modified`` would shift the pages). Filters are PR's: ``id:in``,
        ``date_modified:min``... ``include`` with options or modifiers would cap pages at 10."""
        params = {"include": include, "sort": "id", **filters}
        return self.iter_v3_pages("catalog/products", params, limit=MAX_PAGE_SIZE, first_page=first_page)

    def download_image(self, url):
        """The bytes of a catalog image. Images are files on BigCommerce's CDN, not API calls: no
        token is sent (redirects are then harmless) and no quota is used. Raises a typed error
        when the file cannot be had: transient for a timeout, a lost connection or a 5xx."""
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise BigCommerceError(f"not an image address: {url!r}",
                                   user_message=_lt("%(url)s is not an image address.", url=url))
        record = {"method": "GET", "path": url.split("?", 1)[0]}
        try:
            with self._session.get(url, timeout=self.timeout, stream=True, headers={"Accept": "image/*"}) as response:
                status = response.status_code
                if status >= 300:
                    raise BigCommerceError(
                        f"GET {record['path']}: HTTP {status}", status=status, is_transient=status >= 500,
                        user_message=_lt("The image %(url)s could not be downloaded (HTTP %(status)s).",
                                         url=record["path"], status=status))
                content = response.raw.read(MAX_IMAGE_BYTES + 1, decode_content=True)
        except requests.RequestException as exc:
            raise self._transport_error(exc, record)[0] from None
        if len(content) > MAX_IMAGE_BYTES:
            raise BigCommerceError(f"GET {record['path']}: larger than {MAX_IMAGE_BYTES} bytes",
                                   user_message=_lt("The image %(url)s is larger than 8 MB.", url=record["path"]))
        return content

    def iter_variants(self, **filters):
        return self.iter_v3("catalog/variants", filters)  # VA#getVariants

    def update_variants(self, variants):
        """Update variants, e.g. ``[{"id": 171, "price": Decimal("21.00")}]`` (VA#updateVariantsBatch, 50 a
        request). Returns the variants as BigCommerce answered, their ``option_values`` included."""
        answered = []
        for start in range(0, len(variants), MAX_VARIANT_BATCH):
            answered += _unwrap(self.put("v3", "catalog/variants", json=variants[start:start + MAX_VARIANT_BATCH]) or {}) or []
        return answered

    # ------------------------------------------------------------------ catalog export

    def get_product(self, product_id, include=CATALOG_INCLUDE):
        """The product (PR#getProduct) with its variants and images; None when there is no such product."""
        try:
            return _unwrap(self.get("v3", f"catalog/products/{int(product_id)}", params={"include": include}))
        except NotFoundError:
            return None

    def find_product_by_sku(self, sku):
        """The product, with its variants, that holds ``sku`` (its own or a variant's: they share one
        case-insensitive space, API-NOTES §8), or None (VA#getVariants filtered by ``sku``)."""
        product_id = existing_product_id(self.iter_variants(sku=sku), sku)
        return self.get_product(product_id) if product_id else None

    def find_product_by_name(self, name):
        """The product named ``name`` (names are unique in a store), with its variants, or None (PR#getProducts)."""
        rows = next(self.iter_product_pages(name=name), ([], None))[0]
        return rows[0] if rows else None

    def create_product(self, body, sku):
        """Create a product with its variants (PR#createProduct, one product a call) at most once.
        ``sku``: one of its SKUs; when the answer is lost, the product holding it is ours. Returns
        the product as created (``variants`` included when it had options)."""
        return self._create_once("v3", "catalog/products", body, lambda: self.find_product_by_sku(sku),
                                 _lt("the product %(sku)s", sku=sku))

    def update_products(self, products):
        """Update products, each with its ``id`` (PR#updateProducts, 10 a request). A 207 (some
        fields of a product not saved) raises ValidationError with BigCommerce's reasons after the
        remaining batches were sent."""
        problems = []
        for start in range(0, len(products), MAX_PRODUCT_BATCH):
            body = self.put("v3", "catalog/products", json=products[start:start + MAX_PRODUCT_BATCH]) or {}
            if isinstance(body, dict) and body.get("errors"):
                problems += error_messages(body["errors"])
        if problems:
            summary = f"PUT /v3/catalog/products answered 207: {'; '.join(problems)}"  # for the server log
            raise ValidationError(summary, status=207, method="PUT", path="/v3/catalog/products", details=problems,
                                  user_message=_lt("BigCommerce saved the products only partly (%(details)s).",
                                                   details="; ".join(problems)))

    def iter_product_options(self, product_id):
        """The product's variant options with their values (VO#getProductVariantOptions)."""
        return self.iter_v3(f"catalog/products/{int(product_id)}/options")

    def _find_option(self, product_id, display_name):
        return next((option for option in self.iter_product_options(product_id)
                     if (option.get("display_name") or "").casefold() == display_name.casefold()), None)

    def create_product_option(self, product_id, display_name, labels):
        """A variant option with its values (VO#createProductVariantOption) at most once: after a lost
        answer, the product's option of that name is ours. It creates no variant."""
        body = {"product_id": int(product_id), "display_name": display_name, "type": "rectangles",
                "option_values": [{"label": label, "sort_order": n} for n, label in enumerate(labels)]}
        return self._create_once("v3", f"catalog/products/{int(product_id)}/options", body,
                                 lambda: self._find_option(product_id, display_name),
                                 _lt("the option %(name)s", name=display_name))

    def create_option_value(self, product_id, option_id, label, sort_order):
        """A value of an existing option (VO#createProductVariantOptionValue) at most once."""
        def created_by_us():
            option = next((option for option in self.iter_product_options(product_id) if option["id"] == int(option_id)), {})
            return next((value for value in option.get("option_values") or ()
                         if (value.get("label") or "").casefold() == label.casefold()), None)

        path = f"catalog/products/{int(product_id)}/options/{int(option_id)}/values"
        return self._create_once("v3", path, {"label": label, "sort_order": int(sort_order)}, created_by_us,
                                 _lt("the option value %(label)s", label=label))

    def create_variant(self, product_id, body):
        """One variant of an existing product (VA#createProductVariant; its option values must exist)
        at most once: after a lost answer, the product's variant with that SKU is ours."""
        def created_by_us():
            return next((variant for variant in self.iter_variants(sku=body["sku"])
                         if variant.get("product_id") == int(product_id)
                         and (variant.get("sku") or "").casefold() == body["sku"].casefold()), None)

        return self._create_once("v3", f"catalog/products/{int(product_id)}/variants", body, created_by_us,
                                 _lt("the variant %(sku)s", sku=body["sku"]))

    def update_option(self, product_id, body):
        """Change a variant option, e.g. its display name (VO#updateProductVariantOption, ``option_update``).
        A PUT: repeating it after a lost answer does no harm."""
        return _unwrap(self.put("v3", f"catalog/products/{int(product_id)}/options/{int(body['id'])}", json=body))

    def update_option_value(self, product_id, option_id, body):
        """Change a value of a variant option, e.g. its label (VO#updateProductVariantOptionValue,
        ``option_value_update``). A PUT: repeating it does no harm."""
        path = f"catalog/products/{int(product_id)}/options/{int(option_id)}/values/{int(body['id'])}"
        return _unwrap(self.put("v3", path, json=body))

    def delete_variant(self, product_id, variant_id):
        """Delete a variant of a product (VA#deleteProductVariant). Returns False when BigCommerce has no
        such variant (404): an earlier attempt whose answer was lost, or the merchant, deleted it already."""
        return self._delete_once(f"catalog/products/{int(product_id)}/variants/{int(variant_id)}")

    def delete_option_value(self, product_id, option_id, value_id):
        """Delete a value of a variant option (VO#deleteProductVariantOptionValue); False when it is gone already."""
        return self._delete_once(f"catalog/products/{int(product_id)}/options/{int(option_id)}/values/{int(value_id)}")

    def _delete_once(self, path):
        try:
            self.delete("v3", path)
        except NotFoundError:
            return False
        return True

    def iter_product_images(self, product_id):
        return self.iter_v3(f"catalog/products/{int(product_id)}/images")  # PR#getProductImages

    def create_product_image(self, product_id, key, data, mimetype, is_thumbnail=False, existing=None):
        """Upload an image's bytes (PR#createProductImage, multipart ``image_file``: Odoo's images
        have no public URL) at most once: the file is named after ``key`` (``image_filename``), and
        an image of the product already named so is returned instead. ``existing``: the
        product's images as the caller knows them ([] for a product just created)."""
        images = list(self.iter_product_images(product_id)) if existing is None else existing
        found = next((image for image in images if has_image([image], key)), None)
        if found:
            return found
        files = {"image_file": (image_filename(key, mimetype), data, mimetype)}
        path = f"catalog/products/{int(product_id)}/images"

        def created_by_us():
            return next((image for image in self.iter_product_images(product_id) if has_image([image], key)), None)

        return self._create_once("v3", path, {"is_thumbnail": is_thumbnail}, created_by_us,
                                 _lt("the image of product %(id)s", id=product_id), files=files)

    def set_variant_image(self, product_id, variant_id, key, data, mimetype):
        """A variant's one image (VA#createProductVariantImage, multipart ``image_file``). It replaces
        the variant's image, so repeating it is harmless."""
        files = {"image_file": (image_filename(key, mimetype), data, mimetype)}
        path = f"catalog/products/{int(product_id)}/variants/{int(variant_id)}/image"
        return _unwrap(self.post("v3", path, files=files, idempotent=True))

    def iter_channel_assignments(self, product_ids):
        """``{product_id, channel_id}`` of the products (PR#getProductsChannelAssignments)."""
        return self.iter_v3("catalog/products/channel-assignments", {"product_id:in": sorted(map(int, product_ids))})

    def assign_channels(self, assignments):
        """List products on channels, ``[{product_id, channel_id}]`` (PR#createProductsChannelAssignments:
        a PUT, 204). Existing assignments stay; repeating it is harmless. Sent one after the other,
        never in parallel, as BigCommerce asks."""
        for start in range(0, len(assignments), MAX_PAGE_SIZE):
            self.put("v3", "catalog/products/channel-assignments", json=assignments[start:start + MAX_PAGE_SIZE])

    def unassign_channels(self, product_ids, channel_ids):
        """Take the products off those channels only (PR#deleteProductsChannelAssignments)."""
        product_ids = sorted(map(int, product_ids))
        for start in range(0, len(product_ids), MAX_PAGE_SIZE):  # keeps the query string short
            self.delete("v3", "catalog/products/channel-assignments", params={
                "product_id:in": product_ids[start:start + MAX_PAGE_SIZE], "channel_id:in": sorted(map(int, channel_ids))})

    # ------------------------------------------------------------------ webhooks

    def iter_webhooks(self, **filters):
        return self.iter_v3("hooks", filters)  # WH#getWebhooks: only this token's own hooks

    def create_webhook(self, scope, destination, is_active=True, headers=None):
        body = {"scope": scope, "destination": destination, "is_active": is_active}
        if headers:
            body["headers"] = headers
        return _unwrap(self.post("v3", "hooks", json=body))  # WH#createWebhooks

    def update_webhook(self, hook_id, values):
        return _unwrap(self.put("v3", f"hooks/{int(hook_id)}", json=values))  # WH#updateWebhook
