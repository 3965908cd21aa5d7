"""BigCommerceClient against ``responses``: pagination, rate limits, retries, at-most-once
creates, typed errors. Every request a test sends is also checked against the official
OpenAPI specs (path, method, query parameters, JSON body schema, headers)."""
import json
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from contract import specs_available, validate_request

from bigcommerce.client import NOTABLE_WAIT_SECONDS, BigCommerceClient, RateBudget, is_notable_call, shared_budget
from bigcommerce.errors import (
    AmbiguousResultError,
    AuthenticationError,
    BigCommerceConnectionError,
    BigCommerceError,
    BigCommerceTimeoutError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    ValidationError,
    error_messages,
)
from bigcommerce.money import to_decimal

STORE = "abc123"
TOKEN = "tok-9f8e7d6c5b4a-SECRET"
V2 = f"https://api.bigcommerce.com/stores/{STORE}/v2"
V3 = f"https://api.bigcommerce.com/stores/{STORE}/v3"


# ---------------------------------------------------------------- OpenAPI conformance

def assert_request_matches_spec(request):
    url = urlsplit(request.url)
    assert url.path.startswith(f"/stores/{STORE}/v"), f"unexpected URL {request.url}"
    body = json.loads(request.body) if request.body else None
    validate_request(request.method, request.url, dict(parse_qsl(url.query, keep_blank_values=True)), body)
    headers = {key.lower(): value for key, value in request.headers.items()}
    assert headers["x-auth-token"] == TOKEN and headers["accept"] == "application/json"
    assert headers.get("content-type") == ("application/json" if body is not None else None)


# ---------------------------------------------------------------- fixtures

class FakeTime:
    """A monotonic clock that only moves when the client sleeps (or a test says so)."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock
        if specs_available():
            for call in mock.calls:
                assert_request_matches_spec(call.request)


@pytest.fixture
def records():
    return []


@pytest.fixture
def client(http, fake_time, records):
    return BigCommerceClient(STORE, TOKEN, sleep=fake_time.sleep, clock=fake_time.clock, on_call=records.append)


def sent(http, method=None, path=None):
    """Requests sent, optionally only those for one method and URL path suffix."""
    return [
        call.request for call in http.calls
        if (method is None or call.request.method == method)
        and (path is None or urlsplit(call.request.url).path.endswith(path))
    ]


def query(request):
    return dict(parse_qsl(urlsplit(request.url).query))


def rate_headers(left, reset_ms, quota=150, window_ms=30000):
    return {
        "X-Rate-Limit-Requests-Left": str(left), "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
        "X-Rate-Limit-Requests-Quota": str(quota), "X-Rate-Limit-Time-Window-Ms": str(window_ms),
    }


# ---------------------------------------------------------------- pagination

def test_v2_pages_run_until_a_short_page(client, http):
    for page, size in ((1, 250), (2, 250), (3, 3)):
        first = (page - 1) * 250 + 1
        http.get(f"{V2}/orders", json=[{"id": i} for i in range(first, first + size)],
                 match=[responses.matchers.query_param_matcher(
                     {"page": str(page), "limit": "250", "include": "consignments.line_items,fees",
                      "consignment_structure": "object"})])

    orders = list(client.iter_orders())

    assert [order["id"] for order in orders] == list(range(1, 504))
    assert len(sent(http)) == 3


def test_v2_pages_stop_on_204_after_a_full_page(client, http):
    http.get(f"{V2}/orders/7/shipments", json=[{"id": 1}, {"id": 2}])
    http.get(f"{V2}/orders/7/shipments", status=204)

    assert [s["id"] for s in client.iter_v2("orders/7/shipments", limit=2)] == [1, 2]
    assert [query(r)["page"] for r in sent(http)] == ["1", "2"]


def test_no_shipments_is_an_empty_list(client, http):
    http.get(f"{V2}/orders/7/shipments", status=204)

    assert list(client.iter_order_shipments(7)) == []


def test_v3_pages_follow_meta_pagination(client, http):
    for page in (1, 2, 3):
        http.get(f"{V3}/channels", json={
            "data": [{"id": page * 10 + i} for i in range(2 if page < 3 else 1)],
            "meta": {"pagination": {"total": 5, "count": 2, "per_page": 2, "current_page": page, "total_pages": 3}},
        }, match=[responses.matchers.query_param_matcher({"page": str(page), "limit": "2"})])

    assert [c["id"] for c in client.iter_v3("channels", limit=2)] == [10, 11, 20, 21, 30]


def test_v3_cursor_pages_follow_end_cursor(client, http):
    pages = [("", [1, 2], "c2"), ("c2", [3, 4], "c4"), ("c4", [5], "c5")]
    for after, ids, end_cursor in pages:
        expected = {"limit": "2", **({"after": after} if after else {})}
        http.get(f"{V3}/customers", json={
            "data": [{"id": i} for i in ids],
            "meta": {"cursor_pagination": {"count": len(ids), "per_page": 2, "end_cursor": end_cursor}},
        }, match=[responses.matchers.query_param_matcher(expected)])

    assert [c["id"] for c in client.iter_v3_cursor("customers", limit=2)] == [1, 2, 3, 4, 5]


def test_polling_by_modification_date_sorts_by_it_and_sends_iso_dates(client, http):
    from datetime import datetime
    http.get(f"{V2}/orders", json=[{"id": 3}, {"id": 1}])

    list(client.iter_orders(min_date_modified=datetime(2024, 5, 1, 12, 30), status_id=11))

    assert query(sent(http)[0]) == {
        "include": "consignments.line_items,fees", "consignment_structure": "object", "page": "1", "limit": "250",
        "min_date_modified": "2024-05-01T12:30:00+00:00", "sort": "date_modified:asc", "status_id": "11",
    }


def test_an_order_moved_to_a_later_page_while_paging_is_returned_once(client, http):
    http.get(f"{V2}/orders", json=[{"id": i} for i in range(1, 251)])
    http.get(f"{V2}/orders", json=[{"id": i} for i in range(250, 500)])  # order 250 was modified meanwhile
    http.get(f"{V2}/orders", status=204)

    assert [o["id"] for o in client.iter_orders()] == list(range(1, 500))


def test_unpaginated_v3_lists_send_no_page_parameters(client, http):
    http.get(f"{V3}/orders/5/transactions", status=204)
    http.get(f"{V3}/catalog/trees", json={"data": [{"id": 1, "name": "Main", "channels": [1]}]})

    assert list(client.iter_order_transactions(5)) == []
    assert [t["id"] for t in client.iter_category_trees()] == [1]
    assert all(not query(r) for r in sent(http))


# ---------------------------------------------------------------- rate limits

def test_429_with_headers_waits_the_reset_time_then_succeeds(client, http, fake_time, records):
    http.get(f"{V2}/store", status=429, headers=rate_headers(0, 1500))
    http.get(f"{V2}/store", json={"id": STORE}, headers=rate_headers(149, 30000))

    assert client.store_information() == {"id": STORE}
    assert fake_time.sleeps == [1.5]
    assert records[-1] | {"duration_ms": None} == {
        "method": "GET", "path": "/v2/store", "status": 200, "duration_ms": None,
        "attempts": 2, "waits": [1.5], "error": None,
    }


def test_429_with_only_retry_after_waits_that_long(client, http, fake_time):
    http.get(f"{V2}/time", status=429, headers={"X-Retry-After": "4"})
    http.get(f"{V2}/time", json={"time": 1700000000})

    assert client.server_time() == 1700000000
    assert fake_time.sleeps == [4.0]


def test_429_without_headers_backs_off_exponentially_then_succeeds(client, http, fake_time):
    for _ in range(3):
        http.get(f"{V2}/store", status=429)
    http.get(f"{V2}/store", json={"id": STORE})

    client.store_information()

    first, second, third = fake_time.sleeps
    assert 1 <= first <= 2 and 2 <= second <= 4 and 4 <= third <= 8


def test_a_post_refused_with_429_is_sent_again(client, http):
    # 429 means BigCommerce did not process it, so even a create is safe to repeat.
    http.post(f"{V3}/hooks", status=429, headers=rate_headers(0, 200))
    http.post(f"{V3}/hooks", json={"data": {"id": 9, "scope": "store/order/*"}})

    assert client.create_webhook("store/order/*", "https://odoo.example.com/bc")["id"] == 9
    assert len(sent(http, "POST")) == 2


def test_endless_429_ends_in_a_transient_rate_limited_error(http, fake_time):
    client = BigCommerceClient(STORE, TOKEN, sleep=fake_time.sleep, clock=fake_time.clock, max_rate_limit_wait=120)
    for _ in range(5):
        http.get(f"{V2}/store", status=429, headers=rate_headers(0, 30000))
    http.assert_all_requests_are_fired = False

    with pytest.raises(RateLimitedError) as caught:
        client.store_information()

    assert caught.value.is_transient and caught.value.retry_after >= 30
    assert sum(fake_time.sleeps) <= 120
    assert len(sent(http)) == 5  # waited 4 x 30 s, then gave up rather than exceed 120 s


def test_calls_pause_until_the_reset_when_few_requests_are_left(client, http, fake_time):
    sent_at = []

    def answer(request):
        sent_at.append(fake_time.now)
        return 200, rate_headers(2, 4000), json.dumps({"time": 1})

    http.add_callback(responses.GET, f"{V2}/time", callback=answer)
    http.add_callback(responses.GET, f"{V2}/time", callback=answer)

    client.server_time()
    client.server_time()

    assert sent_at[1] - sent_at[0] == pytest.approx(4.0)


def test_calls_are_spread_over_the_window_instead_of_bursting(client, http, fake_time):
    for _ in range(2):
        http.get(f"{V2}/time", json={"time": 1}, headers=rate_headers(100, 9700, quota=150))

    client.server_time()
    client.server_time()

    # 97 usable requests (3 kept in reserve for the store's other apps) over 9.7 s.
    assert fake_time.sleeps == [pytest.approx(0.1)]


def test_no_pacing_without_rate_headers(client, http, fake_time):
    for _ in range(3):
        http.get(f"{V2}/time", json={"time": 1})

    for _ in range(3):
        client.server_time()

    assert fake_time.sleeps == []


def test_a_new_client_of_the_store_paces_with_what_the_last_one_learned(http, fake_time):
    # The queue builds a client per line: the quota the previous line's answers reported still counts.
    budget = RateBudget(fake_time.clock)
    for _ in range(2):
        http.get(f"{V2}/time", json={"time": 1}, headers=rate_headers(2, 4000))
    first = BigCommerceClient(STORE, TOKEN, sleep=fake_time.sleep, clock=fake_time.clock, budget=budget)
    first.server_time()
    second = BigCommerceClient(STORE, TOKEN, sleep=fake_time.sleep, clock=fake_time.clock, budget=budget)
    second.server_time()

    assert fake_time.sleeps == [pytest.approx(4.0)], "the second client waited for the reset"


def test_a_wait_longer_than_allowed_raises_at_once_instead_of_sleeping(http, fake_time):
    budget = RateBudget(fake_time.clock)
    http.get(f"{V2}/time", json={"time": 1}, headers=rate_headers(1, 28000, quota=20))
    client = BigCommerceClient(STORE, TOKEN, sleep=fake_time.sleep, clock=fake_time.clock, budget=budget,
                               max_rate_limit_wait=5)
    client.server_time()

    with pytest.raises(RateLimitedError) as caught:
        client.server_time()

    assert caught.value.retry_after == pytest.approx(28.0)
    assert caught.value.is_transient and caught.value.attempted is False
    assert fake_time.sleeps == [] and len(sent(http)) == 1, "nothing slept, nothing sent"


def test_429_longer_than_allowed_raises_with_its_retry_after(client, http, fake_time):
    client.max_rate_limit_wait = 5
    http.get(f"{V2}/store", status=429, headers=rate_headers(0, 28000))

    with pytest.raises(RateLimitedError) as caught:
        client.store_information()

    assert caught.value.retry_after == pytest.approx(28.0) and fake_time.sleeps == []


def test_each_store_has_one_shared_budget():
    assert shared_budget("https://api.bigcommerce.com/", "abc") is shared_budget("https://api.bigcommerce.com", "abc")
    assert shared_budget("https://api.bigcommerce.com", "abc") is not shared_budget("https://api.bigcommerce.com", "xyz")


# ---------------------------------------------------------------- retries

@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_for_reads(client, http, fake_time, records, status):
    http.get(f"{V2}/store", status=status)
    http.get(f"{V2}/store", status=status)
    http.get(f"{V2}/store", json={"id": STORE})

    assert client.store_information() == {"id": STORE}
    assert records[-1]["attempts"] == 3 and len(records[-1]["waits"]) == 2
    assert 0.5 <= fake_time.sleeps[0] <= 1 and 1 <= fake_time.sleeps[1] <= 2


def test_persistent_server_errors_give_a_transient_error_after_max_retries(http, fake_time):
    client = BigCommerceClient(STORE, TOKEN, sleep=fake_time.sleep, clock=fake_time.clock, max_retries=2)
    for _ in range(3):
        http.get(f"{V2}/store", status=503, json={"status": 503, "title": "Store in maintenance"})

    with pytest.raises(ServerError) as caught:
        client.store_information()

    assert caught.value.is_transient and caught.value.retry_after == 60
    assert caught.value.details == ["Store in maintenance"]
    assert len(sent(http)) == 3


def test_507_is_not_retried(client, http):
    http.get(f"{V2}/store", status=507)

    with pytest.raises(ServerError) as caught:
        client.store_information()

    assert not caught.value.is_transient and "plan" in caught.value.user_message


def test_a_timeout_on_a_read_is_retried(client, http):
    http.get(f"{V2}/orders/5", body=requests.exceptions.ReadTimeout())
    http.get(f"{V2}/orders/5", json={"id": 5, "total_inc_tax": "361.9500"})

    assert client.get_order(5)["total_inc_tax"] == "361.9500"
    assert len(sent(http)) == 2


def test_a_timeout_on_an_ordinary_create_is_not_repeated(client, http):
    http.post(f"{V3}/hooks", body=requests.exceptions.ReadTimeout())

    with pytest.raises(BigCommerceTimeoutError) as caught:
        client.create_webhook("store/order/*", "https://odoo.example.com/bc")

    assert caught.value.is_transient
    assert len(sent(http)) == 1


def test_a_create_that_never_reached_the_server_is_sent_again(client, http):
    http.post(f"{V3}/hooks", body=requests.exceptions.ConnectTimeout())
    http.post(f"{V3}/hooks", json={"data": {"id": 3}})

    assert client.create_webhook("store/order/*", "https://odoo.example.com/bc") == {"id": 3}


def test_a_5xx_on_an_ordinary_create_is_not_repeated(client, http):
    http.post(f"{V3}/hooks", status=502)

    with pytest.raises(ServerError):
        client.create_webhook("store/order/*", "https://odoo.example.com/bc")
    assert len(sent(http)) == 1


def test_puts_are_retried(client, http):
    http.put(f"{V2}/orders/5", status=503)
    http.put(f"{V2}/orders/5", json={"id": 5, "status_id": 5})

    assert client.update_order(5, {"status_id": 5})["status_id"] == 5
    assert [json.loads(r.body) for r in sent(http)] == [{"status_id": 5}] * 2


@pytest.mark.parametrize("broken", ['{"id": 5, "total_inc_tax": "36', "<html>Bad gateway</html>"])
def test_an_unreadable_answer_to_a_read_is_retried(client, http, broken):
    http.get(f"{V2}/orders/5", body=broken, content_type="application/json")
    http.get(f"{V2}/orders/5", json={"id": 5})

    assert client.get_order(5) == {"id": 5}


def test_a_body_cut_off_in_transit_is_retried(client, http):
    http.get(f"{V2}/orders/5", body=requests.exceptions.ChunkedEncodingError())
    http.get(f"{V2}/orders/5", json={"id": 5})

    assert client.get_order(5) == {"id": 5}


def test_an_unreadable_answer_to_an_ordinary_create_is_not_repeated(client, http):
    http.post(f"{V3}/hooks", body='{"data": {"id"', content_type="application/json")

    with pytest.raises(InvalidResponseError):
        client.create_webhook("store/order/*", "https://odoo.example.com/bc")
    assert len(sent(http)) == 1


def test_connection_errors_say_the_store_could_not_be_reached(http, fake_time):
    client = BigCommerceClient(STORE, TOKEN, sleep=fake_time.sleep, clock=fake_time.clock, max_retries=1)
    http.get(f"{V2}/store", body=requests.exceptions.ConnectionError("Connection refused"))
    http.get(f"{V2}/store", body=requests.exceptions.ConnectionError("Connection refused"))

    with pytest.raises(BigCommerceConnectionError) as caught:
        client.store_information()

    assert caught.value.is_transient
    assert "could not be reached" in caught.value.user_message
    assert "https://api.bigcommerce.com" in caught.value.user_message and "API address" in caught.value.user_message


def test_api_url_is_overridable_and_validated(http, fake_time):
    client = BigCommerceClient(STORE, TOKEN, api_url="http://127.0.0.1:8765/", sleep=fake_time.sleep)
    http.get(f"http://127.0.0.1:8765/stores/{STORE}/v2/time", json={"time": 7})

    assert client.server_time() == 7
    with pytest.raises(ValueError, match="API address"):
        BigCommerceClient(STORE, TOKEN, api_url="api.bigcommerce.com")


def test_redirects_are_not_followed_so_the_token_stays_home(client, http):
    http.get(f"{V2}/store", status=301, headers={"Location": "https://elsewhere.example.com/collect"})

    with pytest.raises(BigCommerceError) as caught:
        client.store_information()

    assert caught.value.status == 301 and not caught.value.is_transient
    assert len(http.calls) == 1


# ---------------------------------------------------------------- at-most-once refunds and shipments

REFUND_REQUEST = {
    "items": [{"item_type": "PRODUCT", "item_id": 31, "quantity": 1},
              {"item_type": "SHIPPING", "item_id": 12, "amount": Decimal("10.00")}],
    "payments": [{"provider_id": "storecredit", "amount": Decimal("45.90"), "offline": False}],
}


def refund(refund_id, shipping=10, paid=45.9, quantity=1):
    return {
        "id": refund_id, "order_id": 100, "created": "2024-05-01T12:00:00+00:00", "total_amount": paid,
        "items": [{"item_type": "PRODUCT", "item_id": 31, "quantity": quantity, "requested_amount": "35.9"},
                  {"item_type": "SHIPPING", "item_id": 12, "requested_amount": shipping}],
        "payments": [{"id": 1, "provider_id": "storecredit", "amount": paid, "offline": False, "is_declined": False}],
    }


REFUNDS = f"{V3}/orders/100/payment_actions/refunds"


def test_a_timed_out_refund_that_was_created_is_returned_not_repeated(client, http):
    # An identical refund made earlier must not be mistaken for ours.
    http.get(REFUNDS, json={"data": [refund(1)]})
    http.post(REFUNDS, body=requests.exceptions.ReadTimeout())
    http.get(REFUNDS, json={"data": [refund(1), refund(2)]})

    created = client.create_refund(100, REFUND_REQUEST)

    assert created["id"] == 2
    assert len(sent(http, "POST")) == 1


def test_a_timed_out_refund_that_verifiably_does_not_exist_is_sent_again(client, http, fake_time):
    http.get(REFUNDS, json={"data": [refund(1)]})
    http.post(REFUNDS, body=requests.exceptions.ReadTimeout())
    # A refund created meanwhile for other amounts is somebody else's.
    http.get(REFUNDS, json={"data": [refund(1), refund(2, shipping=5, paid=40.9)]})
    http.post(REFUNDS, status=201, json={"data": refund(3)})

    assert client.create_refund(100, REFUND_REQUEST)["id"] == 3
    assert len(sent(http, "POST")) == 2
    assert fake_time.sleeps and fake_time.sleeps[0] >= 1  # let BigCommerce finish before looking


def test_a_refund_answered_with_a_cut_off_body_is_found_not_repeated(client, http):
    http.get(REFUNDS, status=200, json={"data": []})
    http.post(REFUNDS, status=201, body='{"data": {"id": 4, "order_id": 1', content_type="application/json")
    http.get(REFUNDS, json={"data": [refund(4)]})

    assert client.create_refund(100, REFUND_REQUEST)["id"] == 4
    assert len(sent(http, "POST")) == 1


def test_a_refund_whose_outcome_cannot_be_checked_fails_without_retry(http, fake_time):
    client = BigCommerceClient(STORE, TOKEN, sleep=fake_time.sleep, clock=fake_time.clock, max_retries=1)
    http.get(REFUNDS, json={"data": []})
    http.post(REFUNDS, status=500)
    http.get(REFUNDS, status=503)
    http.get(REFUNDS, status=503)

    with pytest.raises(AmbiguousResultError) as caught:
        client.create_refund(100, REFUND_REQUEST)

    assert not caught.value.is_transient
    assert "before trying again" in caught.value.user_message
    assert len(sent(http, "POST")) == 1


def test_a_refused_refund_is_a_validation_error_with_bigcommerce_details(client, http):
    http.get(REFUNDS, json={"data": []})
    http.post(REFUNDS, status=422, json={"data": [
        {"status": 422, "title": "Unable to provide store credit for a guest customer.", "type": "about:blank"}]})

    with pytest.raises(ValidationError) as caught:
        client.create_refund(100, REFUND_REQUEST)

    assert caught.value.details == ["Unable to provide store credit for a guest customer."]
    assert "guest customer" in caught.value.user_message and not caught.value.is_transient
    assert len(sent(http, "POST")) == 1


def test_refund_amounts_are_sent_exactly(client, http):
    http.get(REFUNDS, json={"data": []})
    http.post(REFUNDS, status=201, json={"data": refund(5)})

    client.create_refund(100, REFUND_REQUEST)

    body = sent(http, "POST")[0].body.decode()
    assert '"amount":10.00' in body and '"amount":45.90' in body


SHIPMENTS = f"{V2}/orders/100/shipments"
SHIPMENT_REQUEST = {"order_address_id": 12, "tracking_number": "1Z999", "shipping_provider": "ups",
                    "items": [{"order_product_id": 31, "quantity": 2}]}


def test_a_shipment_whose_connection_dropped_is_found_not_repeated(client, http):
    http.get(SHIPMENTS, status=204)
    http.post(SHIPMENTS, body=requests.exceptions.ConnectionError("Connection reset by peer"))
    http.get(SHIPMENTS, json=[{"id": 8, "order_address_id": 12, "tracking_number": "1Z999",
                               "items": [{"order_product_id": 31, "product_id": 77, "quantity": 2}]}])

    assert client.create_shipment(100, SHIPMENT_REQUEST)["id"] == 8
    assert len(sent(http, "POST")) == 1


def test_a_shipment_that_failed_with_5xx_and_does_not_exist_is_sent_again(client, http):
    http.get(SHIPMENTS, json=[{"id": 7, "order_address_id": 12, "tracking_number": "1Z999",
                               "items": [{"order_product_id": 31, "quantity": 2}]}])
    http.post(SHIPMENTS, status=503)
    http.get(SHIPMENTS, json=[{"id": 7, "order_address_id": 12, "tracking_number": "1Z999",
                               "items": [{"order_product_id": 31, "quantity": 2}]}])
    http.post(SHIPMENTS, status=201, json={"id": 9, "order_address_id": 12})

    assert client.create_shipment(100, SHIPMENT_REQUEST)["id"] == 9
    assert len(sent(http, "POST")) == 2


def test_a_shipment_update_is_one_put_of_the_fields_to_change(client, http):
    http.put(f"{V2}/orders/5/shipments/7", json={"id": 7, "tracking_number": "1Z999", "generated_tracking_link": "https://x"})
    assert client.update_shipment(5, 7, {"tracking_number": "1Z999"})["generated_tracking_link"] == "https://x"
    [call] = http.calls
    assert call.request.method == "PUT" and json.loads(call.request.body) == {"tracking_number": "1Z999"}


# ---------------------------------------------------------------- errors

def test_a_shipment_with_the_order_shipments_already_read_costs_one_call(client, http):
    http.post(f"{V2}/orders/5/shipments", status=201, json={"id": 7})
    assert client.create_shipment(5, SHIPMENT_REQUEST, existing=[{"id": 6}])["id"] == 7
    assert [call.request.method for call in http.calls] == ["POST"]


def test_401_is_an_authentication_error(client, http):
    http.get(f"{V2}/store", status=401, json=[{"status": 401, "message": "You are not authorized."}])

    with pytest.raises(AuthenticationError) as caught:
        client.store_information()

    error = caught.value
    assert (error.status, error.method, error.path) == (401, "GET", "/v2/store")
    assert "access token" in error.user_message and "revoked" in error.user_message
    assert not error.is_transient


@pytest.mark.parametrize("call, url, scope", [
    (lambda c: list(c.iter_order_transactions(5)), f"{V3}/orders/5/transactions", "store_v2_transactions"),
    (lambda c: c.get_order(5), f"{V2}/orders/5", "store_v2_orders"),
    (lambda c: list(c.iter_products()), f"{V3}/catalog/products", "store_v2_products"),
    (lambda c: list(c.iter_locations()), f"{V3}/inventory/locations", "store_inventory"),
    (lambda c: list(c.iter_channels()), f"{V3}/channels", "store_channel_settings"),
    (lambda c: list(c.iter_currencies()), f"{V2}/currencies", "store_v2_information"),
])
def test_403_names_the_missing_scope(client, http, call, url, scope):
    http.get(url, status=403, json={"status": 403, "title": "You don't have a required scope to access the endpoint"})

    with pytest.raises(PermissionDeniedError) as caught:
        call(client)

    assert caught.value.scope == scope
    assert f"'{scope}'" in caught.value.user_message


def test_404_is_not_found(client, http):
    http.get(f"{V2}/orders/404", status=404, json=[{"status": 404, "message": "The requested resource was not found."}])

    with pytest.raises(NotFoundError) as caught:
        client.get_order(404)

    assert caught.value.details == ["The requested resource was not found."]
    assert "deleted" in caught.value.user_message


@pytest.mark.parametrize("status", [400, 409, 413, 422])
def test_refused_data_is_a_validation_error_naming_the_fields(client, http, status):
    http.put(f"{V3}/hooks/4", status=status, json={
        "status": status, "title": "Input is invalid", "type": "https://developer.bigcommerce.com/api-docs",
        "errors": {"destination": "must use port 443"}})

    with pytest.raises(ValidationError) as caught:
        client.update_webhook(4, {"destination": "https://odoo.example.com:8069/bc"})

    assert caught.value.details == ["Input is invalid", "destination: must use port 443"]
    assert "destination: must use port 443" in caught.value.user_message
    assert len(sent(http)) == 1


@pytest.mark.parametrize("body, expected", [
    ([{"status": 400, "message": "The field 'status_id' is invalid."}], ["The field 'status_id' is invalid."]),
    ({"errors": [{"status": 409, "title": "Email taken", "type": "x"}]}, ["Email taken"]),
    ({"status": 422, "title": "Bad", "type": "x", "errors": {"sku": "duplicate"}}, ["Bad", "sku: duplicate"]),
    ({"batch_errors": [{"status": 422, "title": "Variant 5 invalid", "errors": {"price": "negative"}}]},
     ["Variant 5 invalid", "price: negative"]),
    ({"data": [{"status": 422, "title": "Guest refund to store credit"}]}, ["Guest refund to store credit"]),
    ({"error": {"code": 503, "message": "Try later", "retry_after_seconds": 30}}, ["Try later"]),
    ({"title": "Location not found", "detail": "No location 9"}, ["Location not found", "No location 9"]),
    ("Service Unavailable", ["Service Unavailable"]),
])
def test_every_bigcommerce_error_shape_is_understood(body, expected):
    assert error_messages(body) == expected


def test_the_access_token_never_leaks(client, http, records):
    echo = {"status": 422, "title": f"Bad header X-Auth-Token: {TOKEN}", "errors": {"token": TOKEN}}
    http.get(f"{V2}/store", status=422, json=echo)
    http.get(f"{V2}/time", status=401, body=f"token {TOKEN} revoked")
    http.get(f"{V2}/currencies", body=requests.exceptions.ConnectionError(f"X-Auth-Token {TOKEN}"))
    http.assert_all_requests_are_fired = False
    client.max_retries = 0

    errors = []
    for call in (client.store_information, client.server_time, lambda: list(client.iter_currencies())):
        with pytest.raises(Exception) as caught:
            call()
        errors.append(caught.value)

    for error in errors:
        text = " ".join([str(error), repr(error), error.user_message, repr(error.details), repr(error.body)])
        assert TOKEN not in text
    assert TOKEN not in repr(records) and TOKEN not in repr(client)
    assert isinstance(errors[2], BigCommerceConnectionError)


def test_call_records_hold_no_query_string_or_personal_data(client, http, records):
    http.get(f"{V2}/orders", json=[{"id": 1, "billing_address": {"email": "jane@example.com"}}])

    list(client.iter_orders(email="jane@example.com"))

    assert records == [{"method": "GET", "path": "/v2/orders", "status": 200, "duration_ms": 0,
                        "attempts": 1, "waits": [], "error": None}]


def test_failed_calls_are_recorded_with_the_error_class(client, http, records):
    http.get(f"{V2}/orders/9", status=404)

    with pytest.raises(NotFoundError):
        client.get_order(9)

    assert records[0]["error"] == "NotFoundError" and records[0]["status"] == 404


# ---------------------------------------------------------------- money

def test_money_is_never_a_float(client, http):
    http.get(f"{V2}/orders/5", json={"id": 5, "total_inc_tax": "361.9500", "currency_exchange_rate": "1.0000000000"})
    http.get(f"{V3}/orders/5/transactions", body='{"data": [{"id": 1, "amount": 361.95, "order_id": "5"}], "meta": {}}',
             content_type="application/json")

    order = client.get_order(5)
    transaction = next(client.iter_order_transactions(5))

    assert order["total_inc_tax"] == "361.9500" and to_decimal(order["total_inc_tax"]) == Decimal("361.95")
    assert transaction["amount"] == Decimal("361.95") and isinstance(transaction["amount"], Decimal)


@pytest.mark.parametrize("value, expected", [
    ("361.9500", Decimal("361.9500")), (" 5 ", Decimal("5")), (7, Decimal(7)), (0.1, Decimal("0.1")),
    (Decimal("2.50"), Decimal("2.50")), (None, None), ("", None),
    ("0.1000000000000000055511151231257827", Decimal("0.1000000000000000055511151231257827")),
])
def test_to_decimal(value, expected):
    assert to_decimal(value) == expected
    assert to_decimal(value) is None or str(to_decimal(value)) == str(expected)


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", True, [1]])
def test_to_decimal_refuses_what_is_not_an_amount(value):
    with pytest.raises(ValueError):
        to_decimal(value)


# ---------------------------------------------------------------- the whole surface against the specs

@pytest.mark.skipif(not specs_available(), reason="the OpenAPI specs are not beside the repository")
def test_every_domain_method_sends_requests_the_specs_allow(client, http):
    empty_v3 = {"data": [], "meta": {"pagination": {"total": 0, "total_pages": 0}}}
    for url in ("store", "time"):
        http.get(f"{V2}/{url}", json={"time": 1})
    for url in ("order_statuses", "orders", "orders/5/products", "orders/5/shipping_addresses", "orders/5/coupons",
                "orders/5/taxes", "orders/5/shipments", "tax_classes", "currencies"):
        http.get(f"{V2}/{url}", json=[])
    http.get(f"{V2}/orders/5", json={"id": 5})
    http.put(f"{V2}/orders/5", json={"id": 5})
    for url in ("channels", "inventory/locations", "catalog/brands", "catalog/trees", "catalog/trees/categories",
                "catalog/products", "catalog/variants", "hooks", "orders/5/transactions",
                "orders/5/payment_actions/refunds"):
        http.get(f"{V3}/{url}", json=empty_v3)
    http.post(f"{V3}/orders/5/payment_actions/refund_quotes", status=201, json={"data": {"order_id": 5}})
    http.post(f"{V3}/orders/5/payment_actions/refunds", status=201, json={"data": {"id": 1}})
    http.post(f"{V2}/orders/5/shipments", status=201, json={"id": 1})
    http.put(f"{V2}/orders/5/shipments/1", json={"id": 1})
    http.post(f"{V3}/hooks", json={"data": {"id": 1}})
    http.put(f"{V3}/hooks/1", json={"data": {"id": 1}})
    http.get(f"{V3}/inventory/locations/2/items", json=empty_v3)
    http.put(f"{V3}/inventory/adjustments/absolute", json={"transaction_id": "t-1"})
    http.put(f"{V3}/catalog/variants", json={"data": [], "meta": {}})

    client.store_information()
    client.server_time()
    for iterator in (client.iter_order_statuses(), client.iter_orders(min_date_modified="2024-05-01T00:00:00Z"),
                     client.iter_order_products(5), client.iter_order_shipping_addresses(5),
                     client.iter_order_coupons(5), client.iter_order_taxes(5), client.iter_order_shipments(5),
                     client.iter_tax_classes(), client.iter_currencies(), client.iter_channels(),
                     client.iter_locations(), client.iter_brands(), client.iter_category_trees(),
                     client.iter_categories(tree_ids=[1, 2]), client.iter_products(**{"sku:in": ["A", "B"]}),
                     client.iter_variants(**{"product_id:in": [3]}), client.iter_webhooks(is_active=False),
                     client.iter_order_transactions(5)):
        list(iterator)
    client.get_order(5)
    client.update_order(5, {"status_id": 5})
    quote_request = {"items": [{"item_type": "PRODUCT", "item_id": 31, "quantity": 1}]}
    client.create_refund_quote(5, quote_request)
    client.create_refund(5, {**quote_request, "payments": [
        {"provider_id": "storecredit", "amount": Decimal("9.99"), "offline": False}]})
    client.create_shipment(5, SHIPMENT_REQUEST)
    client.update_shipment(5, 1, {"tracking_number": "1Z999", "shipping_provider": "carrier_1234567"})
    client.create_webhook("store/order/statusUpdated", "https://odoo.example.com/bc", headers={"X-Odoo": "1"})
    client.update_webhook(1, {"is_active": True})
    list(client.iter_location_inventory(2))
    client.set_inventory_absolute([{"location_id": 2, "sku": "TSHIRT-S", "quantity": 7}], reason="Odoo stock")
    client.update_variants([{"id": 171, "price": Decimal("21.00")}])
    # The ``http`` fixture checks each of these requests against the specs on teardown.
    assert len(http.calls) == 33


def test_stock_and_variant_writes_are_split_into_the_batches_bigcommerce_accepts(client, http):
    http.put(f"{V3}/inventory/adjustments/absolute", json={"transaction_id": "t"})
    http.put(f"{V3}/inventory/adjustments/absolute", json={"transaction_id": "t"})
    http.put(f"{V3}/catalog/variants", json={"data": [], "meta": {}})
    http.put(f"{V3}/catalog/variants", json={"data": [], "meta": {}})
    client.set_inventory_absolute([{"location_id": 1, "sku": f"S{n}", "quantity": 1} for n in range(2001)], "sync")
    client.update_variants([{"id": n, "price": Decimal("1.00")} for n in range(1, 52)])
    sizes = [len(json.loads(call.request.body)["items"]) if "inventory" in call.request.url
             else len(json.loads(call.request.body)) for call in http.calls]
    assert sizes == [2000, 1, 50, 1]


def test_2500_stock_levels_go_in_two_adjustment_calls(client, http):
    http.put(f"{V3}/inventory/adjustments/absolute", json={"transaction_id": "t"})
    http.put(f"{V3}/inventory/adjustments/absolute", json={"transaction_id": "t"})
    assert client.set_inventory_absolute(
        [{"location_id": 1, "sku": f"S{n}", "quantity": 1} for n in range(2500)], "sync") == []
    assert [len(json.loads(call.request.body)["items"]) for call in http.calls] == [2000, 500]


def test_an_item_bigcommerce_rejects_fails_alone_and_the_rest_of_its_batch_is_sent_again(client, http):
    # IN#put-absolute-adjustment's own 422 example: the message names the item.
    refused = {"status": 422, "title": "[Item with sku S1 is tracked by product, please update stock by product id]",
               "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes", "errors": {}}
    http.put(f"{V3}/inventory/adjustments/absolute", status=422, json=refused, content_type="application/problem+json")
    http.put(f"{V3}/inventory/adjustments/absolute", json={"transaction_id": "t"})
    items = [{"location_id": 1, "sku": f"S{n}", "quantity": 1} for n in range(3)]

    rejected = client.set_inventory_absolute(items, "sync")

    assert rejected == [(items[1], refused["title"])]
    assert [item["sku"] for item in json.loads(http.calls[1].request.body)["items"]] == ["S0", "S2"]


def test_a_refusal_naming_no_item_of_the_batch_fails_the_export(client, http):
    http.put(f"{V3}/inventory/adjustments/absolute", status=422, content_type="application/problem+json",
             json={"status": 422, "title": "Location 9 is disabled", "type": "about:blank", "errors": {}})
    with pytest.raises(ValidationError):
        client.set_inventory_absolute([{"location_id": 9, "sku": "S0", "quantity": 1}], "sync")
    assert len(http.calls) == 1


# ---------------------------------------------------------------- what is worth the store's log

def test_a_call_paced_briefly_then_answered_at_once_is_routine(client, http, records):
    http.post(f"{V3}/hooks", json={"data": {"id": 9}}, headers=rate_headers(149, 30000))
    client.create_webhook("store/order/*", "https://odoo.example.com/bc")
    routine = dict(records[-1], waits=[0.4, 1.2])
    assert not is_notable_call(routine)
    assert is_notable_call(dict(routine, waits=[NOTABLE_WAIT_SECONDS]))
    assert is_notable_call(dict(routine, attempts=2))
    assert is_notable_call(dict(routine, error="ServerError"))


CAPTURE = f"{V3}/orders/104/payment_actions/capture"
ORDER_104 = f"{V2}/orders/104"


def test_a_capture_is_posted_without_a_body(client, http):
    http.post(CAPTURE, status=201, json={})

    assert client.capture_payment(104) == {}
    assert sent(http, "POST")[0].body is None


def test_a_timed_out_capture_that_reached_bigcommerce_is_not_repeated(client, http):
    http.post(CAPTURE, body=requests.exceptions.ReadTimeout())
    http.get(ORDER_104, json={"id": 104, "status_id": 9, "payment_status": "capture pending"})

    assert client.capture_payment(104) == {}
    assert len(sent(http, "POST")) == 1


def test_a_timed_out_capture_that_verifiably_did_not_happen_is_sent_again(client, http):
    http.post(CAPTURE, status=503)
    http.get(ORDER_104, json={"id": 104, "status_id": 9, "payment_status": "authorized"})
    http.post(CAPTURE, status=201, json={})

    assert client.capture_payment(104) == {}
    assert len(sent(http, "POST")) == 2


# ---------------------------------------------------------------- catalog export

def test_product_updates_go_ten_a_call_and_a_partial_save_is_reported(client, http):
    http.put(f"{V3}/catalog/products", json={"data": [], "meta": {}})
    http.put(f"{V3}/catalog/products", status=207, json={
        "data": [], "meta": {}, "errors": {"status": 207, "title": "Partial update", "type": "x",
                                           "errors": {"inventory_level": "cannot be negative"}}})
    with pytest.raises(ValidationError) as partly:
        client.update_products([{"id": n, "name": f"P{n}"} for n in range(1, 16)])
    assert [len(json.loads(request.body)) for request in sent(http, "PUT")] == [10, 5]
    assert "inventory_level: cannot be negative" in str(partly.value.user_message)


def test_channel_removal_names_the_products_and_channels_only(client, http):
    http.delete(f"{V3}/catalog/products/channel-assignments", status=204)
    client.unassign_channels([7, 3], ["2"])
    assert query(sent(http, "DELETE")[0]) == {"product_id:in": "3,7", "channel_id:in": "2"}
