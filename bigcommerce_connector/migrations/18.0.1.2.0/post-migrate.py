"""18.0.1.2.0: a BigCommerce location links Odoo locations instead of one warehouse. Each location
that had a warehouse gets that warehouse's stock location, which is what it published until then
(its free quantity). The old bc_location.warehouse_id column goes once copied."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'bc_location' AND column_name = 'warehouse_id'")
    if not cr.fetchone():
        return
    cr.execute("""
        INSERT INTO bc_location_stock_location_rel (bc_location_id, stock_location_id)
             SELECT location.id, warehouse.lot_stock_id
               FROM bc_location location
               JOIN stock_warehouse warehouse ON warehouse.id = location.warehouse_id
              WHERE warehouse.lot_stock_id IS NOT NULL
        ON CONFLICT DO NOTHING
    """)
    cr.execute("ALTER TABLE bc_location DROP COLUMN warehouse_id")
