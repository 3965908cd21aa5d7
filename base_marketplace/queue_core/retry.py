import json
import random

DEFAULT_MAX_ATTEMPTS = 5
BASE_DELAY_SECONDS = 60
MAX_DELAY_SECONDS = 3600


class RetryableError(Exception):
    """A failure worth trying again later (rate limit, timeout, server error, lock).

    Connectors may raise it, or any exception carrying ``is_transient = True`` and
    optionally ``retry_after`` (seconds): the queue reads those attributes so it
    needs to know nothing of any marketplace's own error classes. ``attempted = False``
    says the work was not tried at all (the remote quota is used up for ``retry_after``
    seconds): the line then waits exactly that long and no attempt is counted.
    """

    is_transient = True

    def __init__(self, message, retry_after=None, attempted=True):
        super().__init__(message)
        self.retry_after = retry_after
        self.attempted = attempted


class InvalidPayloadError(ValueError):
    """The line's payload cannot be processed as stored: retrying cannot help."""

    is_transient = False


def is_transient(error):
    return bool(getattr(error, "is_transient", False))


def is_deferral(error):
    """Whether ``error`` only postpones the work: not attempted, to be tried after ``retry_after``."""
    return is_transient(error) and getattr(error, "attempted", True) is False and bool(getattr(error, "retry_after", None))


def retry_delay(attempts, retry_after=None, base=BASE_DELAY_SECONDS, cap=MAX_DELAY_SECONDS, jitter=random.random):
    """Seconds to wait before the next attempt, after ``attempts`` failed ones.

    The delay doubles with each attempt up to ``cap``; up to 10 % jitter spreads the
    retries of lines that failed together (a rate limit hits a whole batch at once).
    A delay the remote side asked for is honoured when it is longer.
    """
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    delay += delay * 0.1 * jitter()
    if retry_after:
        delay = max(delay, float(retry_after))
    return delay


def parse_payload(raw, required_keys=()):
    """The line payload as a dict, or InvalidPayloadError with a sentence a user can act on."""
    if raw in (None, ""):
        payload = {}
    else:
        try:
            payload = json.loads(raw)
        except (TypeError, ValueError) as error:
            raise InvalidPayloadError(
                f"The payload of this line is not valid JSON ({error}). "
                "Cancel the line and import the record again."
            ) from None
    if not isinstance(payload, dict):
        raise InvalidPayloadError(
            "The payload of this line must be a JSON object. Cancel the line and import the record again."
        )
    missing = [key for key in required_keys if key not in payload]
    if missing:
        raise InvalidPayloadError(
            "The payload of this line lacks the key(s) %s. Cancel the line and import the record again."
            % ", ".join(repr(key) for key in missing)
        )
    return payload


def requires_keys(*keys):
    """Declare the payload keys a ``_process_<operation>`` handler cannot work without."""
    def decorate(handler):
        handler.required_keys = keys
        return handler
    return decorate
