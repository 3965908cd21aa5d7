"""Pure rules of the marketplace queue: which failures are retried, and when.

Never imports ``odoo``: the top-level ``tests/`` suite imports it as ``queue_core``.
"""
from .retry import (
    DEFAULT_MAX_ATTEMPTS,
    InvalidPayloadError,
    RetryableError,
    is_deferral,
    is_transient,
    parse_payload,
    requires_keys,
    retry_delay,
)
