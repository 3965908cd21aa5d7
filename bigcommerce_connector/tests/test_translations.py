import io
import os
import tempfile
from unittest.mock import patch

import polib

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import PYTHON_TRANSLATION_COMMENT, CodeTranslations, code_translations, trans_export

from ..bigcommerce.errors import error_for_response
from .common import BigCommerceOrderCase

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    """The committed i18n/<addon>.pot templates hold every term Odoo's own export finds:
    tools/export_pot.sh writes them again after strings change."""

    def test_pot_files_are_current(self):
        for addon in ("base_marketplace", "bigcommerce_connector"):
            with self.subTest(addon=addon):
                buffer = io.BytesIO()
                trans_export(None, [addon], buffer, "po", self.env.cr)
                exported = {entry.msgid for entry in polib.pofile(buffer.getvalue().decode())}
                committed = {entry.msgid for entry in polib.pofile(os.path.join(ROOT, addon, "i18n", f"{addon}.pot"))}
                new_terms = sorted(exported - committed)
                self.assertFalse(new_terms, f"{addon}/i18n/{addon}.pot lacks {len(new_terms)} terms, e.g. "
                                            f"{new_terms[:3]}: run tools/export_pot.sh")


def _code_translations(pot_text, translations):
    """What Odoo reads from an ``i18n/<lang>.po`` made from ``pot_text`` with ``translations``
    ({English: translated}) filled in: the entries it keeps as the addon's code translations."""
    catalog = polib.pofile(pot_text)
    for entry in catalog:
        entry.msgstr = translations.get(entry.msgid, "")
    missing = set(translations) - {entry.msgid for entry in catalog if entry.msgstr}
    assert not missing, f"not in the exported terms: {missing}"
    with tempfile.NamedTemporaryFile(suffix=".po") as po_file:  # Odoo's reader wants a named file
        po_file.write(str(catalog).encode())
        return CodeTranslations._read_code_translations_file(
            po_file, lambda row: row.get("value") and PYTHON_TRANSLATION_COMMENT in row["comments"])


@tagged("post_install", "-at_install")
class TestCoreTextTranslated(BigCommerceOrderCase):
    """Text built by the pure core (order-line names, BigCommerce error sentences) is exported
    with the addon's terms and shown translated: order-line names in the customer's language,
    messages in the user's."""

    FRENCH = {
        "Shipping: %(method)s": "Livraison : %(method)s",
        "BigCommerce rejected the access token: it is wrong or has been revoked. Create a new API account "
        "in the BigCommerce control panel and enter its access token on the store.":
            "BigCommerce a refusé le jeton d'accès : il est faux ou révoqué.",
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        buffer = io.BytesIO()
        trans_export(None, ["bigcommerce_connector"], buffer, "po", cls.env.cr)
        translations = _code_translations(buffer.getvalue().decode(), cls.FRENCH)
        patcher = patch.dict(code_translations.python_translations,
                             {("bigcommerce_connector", "fr_FR"): translations})
        patcher.start()
        cls.addClassCleanup(patcher.stop)

    def test_order_line_names_are_in_the_customer_language(self):
        guest = self.env["res.partner"].create({"name": "Clients BigCommerce", "lang": "fr_FR"})
        self.instance.guest_partner_id = guest
        # The queue runs in English here (no language in the environment, superuser's en_US).
        self.assertEqual(self.env.lang, None)
        sale_order = self.import_orders(101)
        self.assertEqual(sale_order.partner_id, guest)
        shipping = sale_order.order_line.filtered(lambda line: line.product_id == self.instance.shipping_product_id)
        self.assertEqual(shipping.name, "Livraison : Flat Rate")

    def test_order_line_names_stay_english_for_an_english_customer(self):
        self.instance.guest_partner_id = self.env["res.partner"].create({"name": "Guests", "lang": "en_US"})
        sale_order = self.import_orders(101)
        shipping = sale_order.order_line.filtered(lambda line: line.product_id == self.instance.shipping_product_id)
        self.assertEqual(shipping.name, "Shipping: Flat Rate")

    def test_a_bigcommerce_error_reaches_the_user_in_their_language(self):
        self.instance.access_token = "revoked-token"
        user = self.env["res.users"].create({
            "name": "Gérante", "login": "bc_fr_manager", "lang": "fr_FR",
            "groups_id": [Command.set([self.env.ref("bigcommerce_connector.group_bigcommerce_manager").id])]})
        with self.assertRaises(UserError) as caught:
            self.instance.with_user(user).with_context(lang="fr_FR").action_test_connection()
        self.assertEqual(caught.exception.args[0], "BigCommerce a refusé le jeton d'accès : il est faux ou révoqué.")
        # A queue line keeps the sentence in the language of whoever runs the queue.
        unauthorized = error_for_response(401, "GET", "/v2/store", {"title": "Unauthorized"})
        message = self.env["marketplace.queue.line"].with_context(lang="fr_FR")._error_message(unauthorized)
        self.assertEqual(message, "BigCommerce a refusé le jeton d'accès : il est faux ou révoqué.")
