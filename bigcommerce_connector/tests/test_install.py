from odoo.tests import TransactionCase, tagged

from ..hooks import PREVIOUS_DIGITS_PARAM, PRICE_DIGITS, post_init_hook, uninstall_hook


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):

    def test_uninstall_restores_the_price_precision_the_connector_raised(self):
        precision = self.env.ref("product.decimal_price")
        self.env["ir.config_parameter"].search([("key", "=", PREVIOUS_DIGITS_PARAM)]).unlink()
        precision.digits = 2
        post_init_hook(self.env)
        self.assertEqual(precision.digits, PRICE_DIGITS)
        uninstall_hook(self.env)
        self.assertEqual(precision.digits, 2)

    def test_uninstall_keeps_a_precision_set_by_hand_since(self):
        precision = self.env.ref("product.decimal_price")
        self.env["ir.config_parameter"].search([("key", "=", PREVIOUS_DIGITS_PARAM)]).unlink()
        precision.digits = 2
        post_init_hook(self.env)
        precision.digits = 6
        uninstall_hook(self.env)
        self.assertEqual(precision.digits, 6)
