import logging

_logger = logging.getLogger(__name__)

# BigCommerce prices carry 4 decimals; with fewer, Odoo rounds them and the totals of
# imported orders drift from BigCommerce's by a cent per line.
PRICE_DIGITS = 4


def post_init_hook(env):
    precision = env.ref("product.decimal_price")
    if precision.digits < PRICE_DIGITS:
        _logger.info("Raising the Product Price precision from %s to %s digits for BigCommerce prices",
                     precision.digits, PRICE_DIGITS)
        precision.digits = PRICE_DIGITS
