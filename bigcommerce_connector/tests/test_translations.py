import io
import os

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

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
