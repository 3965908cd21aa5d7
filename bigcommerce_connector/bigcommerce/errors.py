"""Typed BigCommerce API errors.

Every error carries ``is_transient`` and ``retry_after``: the marketplace queue reads
those two attributes (duck typing) to decide between retrying later and failing.
``user_message`` is a sentence a merchant can act on, a translatable ``Text`` (see
``i18n.py``); ``str()`` is the technical summary for logs, in English like the server log.
Errors are never given the access token.
"""
import re

from .i18n import _lt

# API-NOTES §1: the OAuth scope guarding each resource; the first match wins.
_SCOPE_BY_PATH = (
    (r"^v3/orders/(\d+/)?(payment_actions|transactions)", "store_v2_transactions"),
    (r"^v[23]/order", "store_v2_orders"),
    (r"^v3/(catalog|pricelists)", "store_v2_products"),
    (r"^v3/inventory", "store_inventory"),
    (r"^v3/channels/\d+/listings", "store_channel_listings"),
    (r"^v3/channels", "store_channel_settings"),
    (r"^v[23]/customer", "store_v2_customers"),
    (r"^v2/(store|time|currencies|tax_classes)\b|^v3/tax\b", "store_v2_information"),
)


def scope_for_path(path):
    """The OAuth scope BigCommerce most likely requires for ``path`` (e.g. '/v2/orders/1')."""
    path = path.lstrip("/")
    return next((scope for pattern, scope in _SCOPE_BY_PATH if re.search(pattern, path)), None)


class BigCommerceError(Exception):
    is_transient = False

    def __init__(self, message, *, status=None, method=None, path=None, details=(), body=None,
                 user_message=None, retry_after=None, is_transient=None):
        super().__init__(message)
        self.status = status
        self.method = method
        self.path = path
        self.details = list(details)  # BigCommerce's own error messages, one string each
        self.body = body  # the error body as BigCommerce sent it (parsed JSON or text)
        self.user_message = user_message or message
        self.retry_after = retry_after
        if is_transient is not None:
            self.is_transient = is_transient

    def __repr__(self):
        return f"{type(self).__name__}({str(self)!r}, status={self.status!r})"


class AuthenticationError(BigCommerceError):
    """401: the access token is wrong or has been revoked."""


class PermissionDeniedError(BigCommerceError):
    """403: the API account lacks the OAuth scope of the resource (``scope``)."""

    def __init__(self, message, *, scope=None, **kwargs):
        super().__init__(message, **kwargs)
        self.scope = scope


class NotFoundError(BigCommerceError):
    """404: the resource was deleted or moved."""


class ValidationError(BigCommerceError):
    """400/409/413/422: BigCommerce refused the data; the same request will fail again."""


class RateLimitedError(BigCommerceError):
    """429, or the quota known to be used up: BigCommerce processed nothing, so the work was not
    attempted (``attempted``, read by the queue) and waits ``retry_after`` seconds."""

    is_transient = True
    attempted = False


class ServerError(BigCommerceError):
    is_transient = True


class BigCommerceTimeoutError(BigCommerceError):
    is_transient = True


class BigCommerceConnectionError(BigCommerceError):
    is_transient = True


class InvalidResponseError(BigCommerceError):
    """The response body was cut off or is not JSON."""

    is_transient = True


class AmbiguousResultError(BigCommerceError):
    """A create (refund, shipment) may or may not have happened, and the client could not
    find out. Not transient on purpose: retrying blindly could refund or ship twice."""


def error_messages(body):
    """BigCommerce's error messages from any of its error shapes (API-NOTES §12)."""
    if isinstance(body, str):
        return [body.strip()[:300]] if body.strip() else []
    if isinstance(body, list):  # v2 orders: [{status, message}]
        return [message for entry in body for message in error_messages(entry)]
    if not isinstance(body, dict):
        return []
    messages = [str(body[key]) for key in ("title", "message", "detail") if body.get(key)]
    nested = body.get("errors")
    if isinstance(nested, dict):  # v3: {field: message}
        messages += [f"{field}: {message}" for field, message in nested.items()]
    elif isinstance(nested, list):  # customers v2: {errors: [{status, title, type}]}
        messages += error_messages(nested)
    for key in ("batch_errors", "data", "error"):  # variant batch, refund 422, price-list 503
        if isinstance(body.get(key), (list, dict)):
            messages += error_messages(body[key])
    return messages


def _retry_after_from_body(body):
    error = body.get("error") if isinstance(body, dict) else None
    seconds = error.get("retry_after_seconds") if isinstance(error, dict) else None
    return float(seconds) if isinstance(seconds, (int, float)) else None


def error_for_response(status, method, path, body, retry_after=None):
    """The typed error for an HTTP error answer. ``body`` is parsed JSON or text."""
    details = error_messages(body)
    summary = "; ".join(details) or _lt("no details")
    common = dict(status=status, method=method, path=path, details=details, body=body)
    message = f"{method} {path} answered {status}: {summary}"
    if status == 401:
        return AuthenticationError(message, user_message=_lt(
            "BigCommerce rejected the access token: it is wrong or has been revoked. Create a new "
            "API account in the BigCommerce control panel and enter its access token on the store."
        ), **common)
    if status == 403:
        scope = scope_for_path(path)
        needed = (_lt("the OAuth scope '%(scope)s'", scope=scope) if scope
                  else _lt("the OAuth scope for this resource"))
        return PermissionDeniedError(message, scope=scope, user_message=_lt(
            "The BigCommerce API account is not allowed to use %(path)s. Give it %(needed)s "
            "(modify or read-only as needed) in the BigCommerce control panel, then enter the new "
            "access token on the store.", path=path, needed=needed,
        ), **common)
    if status == 404:
        return NotFoundError(message, user_message=_lt(
            "BigCommerce has nothing at %(path)s: it was deleted or moved. Check the record on "
            "BigCommerce and link it again if needed.", path=path,
        ), **common)
    if status in (400, 409, 413, 422):
        return ValidationError(message, user_message=_lt(
            "BigCommerce refused the data (%(details)s). Correct it and try again.", details=summary,
        ), **common)
    if status == 429:
        return RateLimitedError(message, retry_after=retry_after, user_message=_lt(
            "BigCommerce's API rate limit stayed exhausted, probably because other apps share it. "
            "The job will be retried automatically."
        ), **common)
    if status >= 500:
        transient = status in (500, 502, 503, 504)
        return ServerError(
            message,
            retry_after=retry_after or _retry_after_from_body(body) or (60.0 if transient else None),
            is_transient=transient,
            user_message=_lt(
                "BigCommerce had a server error (%(status)s); the job will be retried automatically. "
                "If it persists, check BigCommerce's status page or whether the store is in "
                "maintenance.", status=status,
            ) if transient else _lt(
                "BigCommerce could not complete the request (%(status)s: %(details)s). A 507 means a "
                "limit of the store's plan was reached.", status=status, details=summary,
            ),
            **common,
        )
    return BigCommerceError(message, user_message=_lt(
        "BigCommerce answered %(status)s (%(details)s).", status=status, details=summary,
    ), **common)
