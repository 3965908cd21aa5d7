"""18.0.1.1.0:

* a store's scheduled actions become bc.scheduled.action rows. Their ir.cron records stay as
  they are (interval, unit, active, last and next run), so each store keeps its schedule;
  only the four bc_instance columns that pointed at them go.
* the connector's own groups: members of the base Marketplace groups get the BigCommerce
  ones, and the base User group no longer implies sales, stock and invoicing
  (``hooks.adopt_marketplace_group_members``)."""
from odoo import SUPERUSER_ID, api

from odoo.addons.bigcommerce_connector.hooks import adopt_marketplace_group_members


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["bc.scheduled.action"]._adopt_old_cron_columns()
    adopt_marketplace_group_members(env)
