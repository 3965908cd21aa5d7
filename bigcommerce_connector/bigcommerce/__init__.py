"""BigCommerce pure core: REST client, webhook verification and business rules.

Nothing in this package imports ``odoo``: it is tested without a database by the
top-level ``tests/`` suite, and the Odoo models only wrap it.
"""
