import logging

from odoo import Command

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


# What 18.0.1.0.x added to the base group, which base_marketplace itself does not imply.
FORMER_BASE_USER_IMPLIED = ("sales_team.group_sale_salesman_all_leads", "stock.group_stock_user",
                            "account.group_account_invoice")


def adopt_marketplace_group_members(env):
    """18.0.1.1.0: the connector has its own groups instead of widening the base ones. Whoever
    had the base Marketplace groups keeps what they could do with BigCommerce (the connector's
    User or Manager group), and the base User group implies again only what base_marketplace
    gives it. The sales, stock and invoicing groups users got through it stay theirs: Odoo
    recorded them on each user, and taking rights away is for an administrator to decide."""
    pairs = (("base_marketplace.group_marketplace_user", "bigcommerce_connector.group_bigcommerce_user"),
             ("base_marketplace.group_marketplace_manager", "bigcommerce_connector.group_bigcommerce_manager"))
    for base_xmlid, connector_xmlid in pairs:
        base_group, connector_group = env.ref(base_xmlid), env.ref(connector_xmlid)
        newcomers = base_group.with_context(active_test=False).users - connector_group.users
        if newcomers:
            connector_group.write({"users": [Command.link(user.id) for user in newcomers]})
    base_user = env.ref("base_marketplace.group_marketplace_user")
    former = base_user.implied_ids.filtered(
        lambda group: group in [env.ref(xmlid, raise_if_not_found=False) for xmlid in FORMER_BASE_USER_IMPLIED])
    if former:
        base_user.write({"implied_ids": [Command.unlink(group.id) for group in former]})


def uninstall_hook(env):
    previous = env["ir.config_parameter"].sudo().get_param(PREVIOUS_DIGITS_PARAM)
    precision = env.ref("product.decimal_price", raise_if_not_found=False)
    # Only what the connector did is undone: a precision changed by hand since stays.
    if previous and precision and precision.digits == PRICE_DIGITS:
        _logger.info("Restoring the Product Price precision to %s digits", previous)
        precision.digits = int(previous)
    env["ir.config_parameter"].sudo().search([("key", "=", PREVIOUS_DIGITS_PARAM)]).unlink()
