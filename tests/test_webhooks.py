"""Standard Webhooks verification as BigCommerce uses it (API-NOTES §11)."""
import pytest

from bigcommerce.webhooks import (
    MalformedWebhookError, WebhookVerificationError, sign_webhook, verify_webhook, webhook_event,
)

SECRET = "4f1c2b9e7d6a5c3b2a1f0e9d8c7b6a5"
NOW = 1714564800
BODY = (b'{"created_at":1714564800,"store_id":"1001","producer":"stores/abc123","scope":"store/order/created",'
        b'"hash":"3f9ea420af83450d7ef9f78b08c8af25b2213637","data":{"type":"order","id":250}}')
# Produced by the standardwebhooks library 1.1.0 itself, given base64(SECRET) as BigCommerce's
# docs instruct: Webhook(b64encode(SECRET)).sign("msg_2Lh9", 1714564800, BODY).
LIBRARY_SIGNATURE = "v1,qHGpnYVNoaW2al5EGqhtAGF/UNY3kt+KjZW35rcSfQA="


def headers(msg_id="msg_2Lh9", timestamp=NOW, signature=LIBRARY_SIGNATURE):
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def rejection(body=BODY, hdrs=None, secret=SECRET, now=NOW):
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(body, headers() if hdrs is None else hdrs, secret, now=now)
    return caught.value.reason


def test_a_webhook_signed_by_the_reference_library_is_accepted():
    verify_webhook(BODY, headers(), SECRET, now=NOW)


def test_our_signature_is_the_reference_librarys():
    assert sign_webhook(BODY, SECRET, "msg_2Lh9", NOW) == headers()


def test_header_names_are_case_insensitive():
    verify_webhook(BODY, {key.title(): value for key, value in headers().items()}, SECRET, now=NOW)


def test_a_tampered_body_is_rejected():
    assert "no webhook signature matches" in rejection(body=BODY.replace(b'"id":250', b'"id":251'))


def test_a_body_with_reformatted_json_is_rejected():
    # Verification is over the raw bytes: re-serialised JSON is a different message.
    assert "no webhook signature matches" in rejection(body=BODY.replace(b",", b", "))


def test_a_wrong_secret_is_rejected():
    assert "no webhook signature matches" in rejection(secret=SECRET + "x")


def test_a_secret_given_in_base64_is_not_the_key():
    # The HMAC key is the raw client secret; base64 is only how the library is fed.
    import base64
    assert "no webhook signature matches" in rejection(secret=base64.b64encode(SECRET.encode()).decode())


def test_a_changed_message_id_is_rejected():
    assert "no webhook signature matches" in rejection(hdrs=headers(msg_id="msg_other"))


@pytest.mark.parametrize("age", [301, 3600])
def test_a_stale_timestamp_is_rejected(age):
    hdrs = sign_webhook(BODY, SECRET, "msg_1", NOW - age)
    assert "too old" in rejection(hdrs=hdrs)


def test_a_future_timestamp_is_rejected():
    hdrs = sign_webhook(BODY, SECRET, "msg_1", NOW + 301)
    assert "future" in rejection(hdrs=hdrs)


@pytest.mark.parametrize("skew", [-300, -299, 0, 299, 300])
def test_timestamps_within_five_minutes_either_way_are_accepted(skew):
    verify_webhook(BODY, sign_webhook(BODY, SECRET, "msg_1", NOW + skew), SECRET, now=NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_rejected(missing):
    hdrs = {key: value for key, value in headers().items() if key != missing}
    assert "missing" in rejection(hdrs=hdrs)


@pytest.mark.parametrize("timestamp", ["yesterday", "nan", "inf"])
def test_a_timestamp_that_is_not_a_number_is_rejected(timestamp):
    assert "not a number" in rejection(hdrs=headers(timestamp=timestamp))


@pytest.mark.parametrize("secret", [None, ""])
def test_without_a_client_secret_everything_is_rejected(secret):
    assert "no client secret" in rejection(secret=secret)


def test_one_matching_signature_among_several_is_enough():
    other = sign_webhook(BODY, "rotated-secret", "msg_2Lh9", NOW)["webhook-signature"]
    verify_webhook(BODY, headers(signature=f"v1,bm90LWEtc2lnbmF0dXJl {other} {LIBRARY_SIGNATURE}"), SECRET, now=NOW)


@pytest.mark.parametrize("signature", [
    "v1,bm90LWEtc2lnbmF0dXJl",  # well-formed but wrong
    "v2," + LIBRARY_SIGNATURE[3:],  # right bytes under an unknown version
    LIBRARY_SIGNATURE[3:],  # no version at all
    "v1,%%%not-base64%%%",
])
def test_signatures_that_do_not_match_are_rejected_without_crashing(signature):
    assert "no webhook signature matches" in rejection(hdrs=headers(signature=signature))


def test_the_reason_never_contains_the_secret():
    reasons = [rejection(secret=SECRET + "x"), rejection(hdrs=headers(timestamp=NOW - 900)), rejection(hdrs={})]
    assert all(SECRET not in reason for reason in reasons)


SCOPES = ("store/order/created", "store/order/updated", "store/customer/updated", "store/customer/address/*")


def test_the_order_id_of_an_order_event():
    assert webhook_event(BODY, SCOPES) == ("store/order/created", 250)
    assert webhook_event(BODY.replace(b'"id":250', b'"id":"250"'), SCOPES) == ("store/order/created", 250)


def test_other_scopes_have_no_order_id():
    assert webhook_event(b'{"scope":"store/product/updated","data":{"type":"product","id":7}}', SCOPES) is None


def test_a_product_event_names_its_product():
    scopes = SCOPES + ("store/product/updated", "store/product/deleted")
    assert webhook_event(b'{"scope":"store/product/updated","data":{"type":"product","id":7}}', scopes) \
        == ("store/product/updated", 7)
    assert webhook_event(b'{"scope":"store/product/deleted","data":{"type":"product","id":"7"}}', scopes) \
        == ("store/product/deleted", 7)
    with pytest.raises(MalformedWebhookError, match="type product"):
        webhook_event(b'{"scope":"store/product/updated","data":{"type":"order","id":7}}', scopes)


@pytest.mark.parametrize("body, reason", [
    (b"not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b'[1, 2]', "not a JSON object"),
    (b'{"scope":"store/order/updated","data":"103"}', "not an object of type order"),
    (b'{"scope":"store/order/updated","data":{"type":"product","id":103}}', "not an object of type order"),
    (b'{"scope":"store/order/updated","data":{"type":"order","id":"abc"}}', "data.id is not a BigCommerce id"),
    (b'{"scope":"store/order/updated","data":{"type":"order","id":1.5}}', "data.id is not a BigCommerce id"),
    (b'{"scope":"store/order/updated","data":{"type":"order","id":true}}', "data.id is not a BigCommerce id"),
    (b'{"scope":"store/order/updated","data":{"type":"order","id":-4}}', "data.id is not a BigCommerce id"),
    (b'{"scope":"store/order/updated","data":{"type":"order"}}', "data.id is not a BigCommerce id"),
])
def test_a_malformed_order_event_says_what_is_wrong(body, reason):
    with pytest.raises(MalformedWebhookError) as caught:
        webhook_event(body, SCOPES)
    assert reason in caught.value.reason


def test_the_customer_id_of_a_customer_or_address_event():
    assert webhook_event(b'{"scope":"store/customer/updated","data":{"type":"customer","id":32}}', SCOPES) \
        == ("store/customer/updated", 32)
    address = b'{"scope":"store/customer/address/created","data":{"type":"customer","id":60,"address":{"customer_id":32}}}'
    assert webhook_event(address, SCOPES) == ("store/customer/address/created", 32), "the customer, not the address"
    assert webhook_event(b'{"scope":"store/customer/deleted","data":{"type":"customer","id":32}}', SCOPES) is None


@pytest.mark.parametrize("body, reason", [
    (b'{"scope":"store/customer/updated","data":{"type":"order","id":32}}', "not an object of type customer"),
    (b'{"scope":"store/customer/updated","data":{"type":"customer","id":"x"}}', "data.id is not"),
    (b'{"scope":"store/customer/address/updated","data":{"type":"customer","id":60}}', "data.address is not"),
    (b'{"scope":"store/customer/address/updated","data":{"type":"customer","id":60,"address":{"customer_id":0}}}',
     "data.address.customer_id is not"),
])
def test_a_malformed_customer_event_says_what_is_wrong(body, reason):
    with pytest.raises(MalformedWebhookError) as caught:
        webhook_event(body, SCOPES)
    assert reason in caught.value.reason
