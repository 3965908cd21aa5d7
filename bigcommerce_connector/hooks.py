import logging

_logger = logging.getLogger(__name__)

# BigCommerce prices carry 4 decimals; with fewer, Odoo rounds them and the totals of
# imported orders drift from BigCommerce's by a cent per line.
PRICE_DIGITS = 4
# Where the precision the connector raised is remembered, so that uninstalling restores it.
PREVIOUS_DIGITS_PARAM = "bigcommerce_connector.previous_price_digits"


def post_init_hook(env):
    precision = env.ref("product.decimal_price")
    if precision.digits < PRICE_DIGITS:
        _logger.info("Raising the Product Price precision from %s to %s digits for BigCommerce prices",
                     precision.digits, PRICE_DIGITS)
        env["ir.config_parameter"].sudo().set_param(PREVIOUS_DIGITS_PARAM, precision.digits)
        precision.digits = PRICE_DIGITS


def uninstall_hook(env):
    previous = env["ir.config_parameter"].sudo().get_param(PREVIOUS_DIGITS_PARAM)
    precision = env.ref("product.decimal_price", raise_if_not_found=False)
    # Only what the connector did is undone: a precision changed by hand since stays.
    if previous and precision and precision.digits == PRICE_DIGITS:
        _logger.info("Restoring the Product Price precision to %s digits", previous)
        precision.digits = int(previous)
    env["ir.config_parameter"].sudo().search([("key", "=", PREVIOUS_DIGITS_PARAM)]).unlink()
