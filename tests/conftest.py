"""Pure tier: make the addons' pure packages importable without Odoo.

``bigcommerce_connector/bigcommerce`` is imported here as the top-level package
``bigcommerce`` and ``base_marketplace/queue_core`` as ``queue_core``; inside Odoo
the same files are ``odoo.addons.<addon>.<package>``. Only relative imports are
used inside them, so both names work.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for addon in ("bigcommerce_connector", "base_marketplace"):
    path = os.path.join(ROOT, addon)
    if path not in sys.path:
        sys.path.insert(0, path)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
