"""Pure rules of the marketplace queue (retry policy, error classes); never imports ``odoo``."""
