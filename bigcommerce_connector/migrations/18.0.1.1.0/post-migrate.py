"""18.0.1.1.0: a store's scheduled actions become bc.scheduled.action rows. Their ir.cron
records stay as they are (interval, unit, active, last and next run), so each store keeps
its schedule; only the four bc_instance columns that pointed at them go."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["bc.scheduled.action"]._adopt_old_cron_columns()
