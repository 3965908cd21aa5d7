"""Exact money values. BigCommerce sends v2 money as strings ("361.9500") and v3 money as
JSON numbers; the client parses JSON numbers straight into ``Decimal``, never ``float``."""
from decimal import Decimal, InvalidOperation


def to_decimal(value):
    """``value`` (str, int, Decimal, float or None) as a finite Decimal; None and '' give None.

    Strings are parsed as written, never through float. A float (from code that did not come
    from the API) goes through its shortest repr, so 0.1 gives Decimal('0.1').
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"not an amount: {value!r}")
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"not an amount: {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return result


def decimal_text(value):
    """A Decimal as people write it, without trailing zeros or exponent: 2, 2.5, 8.25."""
    return format(value.normalize(), "f")
