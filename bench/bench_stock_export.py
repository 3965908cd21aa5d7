"""Stock export at scale: BigCommerce calls of a full push and of the next run after a few
quantities changed, and the Odoo-side time to compute the quantities compared with one grouped
``stock.quant`` read over the same products.

Starts a sandbox with ``--variants`` synthetic variants (tracked by variant, ten per product) in a
process of its own, creates as many Odoo products with stock spread over two Odoo locations linked
to BigCommerce's location 1, then:

* full push (Export Stock (full), through the queue as the cron runs it): BigCommerce had 0 of
  each synthetic variant, so (nearly) every quantity is sent. The seed catalog's 8 tracked
  variants count among the ``--variants`` and are Odoo products too. The aim: the location's read pages (1,000 items a page) plus
  one write per 2,000 items, 30 calls at most for 20,000 variants;
* ``--changed`` quantities change in Odoo, then the scheduled (incremental) export runs. The aim:
  1 or 2 calls, and no read;
* the time of ``bc.instance._export_quantities`` (one grouped read, then each product's Export Qty
  rule) over every product, divided by the time of the bare grouped ``stock.quant`` read over the
  same products and locations (best of ``--repeat``, caches cleared before each). The goal: at most 2.

It prints figures; it is not a test. Use a fresh database of its own: it leaves its store,
products and stock there.

    createdb stock_bench
    python3 -m odoo -d stock_bench -i bigcommerce_connector --without-demo=all --stop-after-init \\
        --addons-path=/path/to/odoo/odoo/addons,/path/to/odoo/addons,/path/to/this/repo
    python3 bench/bench_stock_export.py --database stock_bench [--variants 20000] [--changed 100]
"""
import argparse
import gc
import math
import os
import sys
import time
from collections import Counter

from bench_order_import import ROOT, SandboxProcess, connect_store, open_registry

sys.path.insert(0, ROOT)

from sandbox.seed import SYNTHETIC_SKUS  # noqa: E402  (the seed catalog's tracked SKUs)


def count_calls(client_class):
    """Count the calls every BigCommerce client makes, by method (patched in this process only)."""
    calls = Counter()
    request = client_class.request

    def counted(self, method, *args, **kwargs):
        calls[method.upper()] += 1
        return request(self, method, *args, **kwargs)
    client_class.request = counted
    return calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", "-d", required=True, help="a fresh database with bigcommerce_connector installed")
    parser.add_argument("--variants", type=int, default=20000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--addons-path", default=None, help="default: Odoo's own addons and this repository")
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, api

    registry = open_registry(args.database, args.addons_path)
    from odoo.addons.bigcommerce_connector.bigcommerce.client import BigCommerceClient
    calls = count_calls(BigCommerceClient)
    # The seed catalog's tracked variants count among the ``--variants``: BigCommerce lists exactly that many.
    skus = SYNTHETIC_SKUS + [f"SYN-{n:05d}" for n in range(1, args.variants - len(SYNTHETIC_SKUS) + 1)]
    sandbox = SandboxProcess(variants=len(skus) - len(SYNTHETIC_SKUS))
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            instance = connect_store(env, sandbox, "Bench stock")
            warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
            backroom = env["stock.location"].create({"name": f"Bench backroom {instance.id}",
                                                     "location_id": warehouse.view_location_id.id})
            location = instance.location_ids.filtered(lambda loc: loc.bc_id == "1")
            location.write({"export_stock": True, "stock_location_ids": [(6, 0, [warehouse.lot_stock_id.id, backroom.id])]})
            products = env["product.product"].with_context(tracking_disable=True).create([{"name": sku, "default_code": sku, "is_storable": True} for sku in skus])
            # Superuser quants: the stock as an inventory would leave it, split over the two locations.
            env["stock.quant"].create([
                {"product_id": product.id, "location_id": stock_location.id, "quantity": 1 + index % 7 + offset}
                for index, product in enumerate(products)
                for stock_location, offset in ((warehouse.lot_stock_id, 0), (backroom, 3))])
            cr.commit()
            instance_id, location_id, product_ids = instance.id, location.id, products.ids

        def export(full):
            calls.clear()
            requests_before = sandbox.stats()["requests"]
            started = time.perf_counter()
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["bc.instance"].browse(instance_id)._queue_stock_export(full=full)
                cr.commit()
                env["marketplace.queue.line"]._cron_process_queue()
                cr.commit()
                line = env["marketplace.queue.line"].search([("operation", "=", "bigcommerce_export_stock")],
                                                            order="id desc", limit=1)
                if line.state != "done":
                    sys.exit(f"the export failed: {line.last_error}")
                message = line.log_ids[:1].message
            return dict(calls), sandbox.stats()["requests"] - requests_before, time.perf_counter() - started, message

        full_calls, full_requests, full_seconds, full_message = export(full=True)

        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
            step = max(len(product_ids) // max(args.changed, 1), 1)
            for product in env["product.product"].browse(product_ids[::step][:args.changed]):
                env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 2)
            cr.commit()
        next_calls, next_requests, next_seconds, next_message = export(full=False)

        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            instance = env["bc.instance"].browse(instance_id)
            stock_locations = env["bc.location"].browse(location_id).stock_location_ids
            domain = [("product_id", "in", product_ids), ("location_id", "child_of", stock_locations.ids)]

            # The 20,000 products this process created stay in memory: the collector would scan them
            # again and again during whichever side allocates more, which is not that side's cost.
            gc.collect()
            gc.freeze()

            def best(work):
                times = []
                for _ in range(args.repeat):
                    env.invalidate_all()
                    started = time.perf_counter()
                    work()
                    times.append(time.perf_counter() - started)
                return min(times)
            bare = best(lambda: env["stock.quant"]._read_group(
                domain, ["product_id"], ["quantity:sum", "reserved_quantity:sum"]))
            compute = best(lambda: instance._export_quantities(stock_locations, env["product.product"].browse(product_ids)))
            lookup = best(lambda: instance._products_by_sku(skus))
    finally:
        sandbox.stop()

    pages = math.ceil(len(skus) / 1000)
    print(f"database {args.database}, Odoo {odoo.release.version}, {os.cpu_count()} CPUs, "
          f"{args.variants} variants, {args.changed} changed for the second run")
    print(f"full push:     {full_requests} BigCommerce calls ({full_calls.get('GET', 0)} reads, "
          f"{full_calls.get('PUT', 0)} writes; expected {pages} read pages + {math.ceil(args.variants / 2000)} writes), "
          f"{full_seconds:.2f} s — {full_message}")
    print(f"second run:    {next_requests} BigCommerce calls ({next_calls.get('GET', 0)} reads, "
          f"{next_calls.get('PUT', 0)} writes), {next_seconds:.2f} s — {next_message}")
    print(f"quantities:    {1000 * compute:.1f} ms for {len(product_ids)} products, one grouped stock.quant read "
          f"{1000 * bare:.1f} ms: ratio {compute / bare:.2f} (goal at most 2); finding the products by SKU "
          f"{1000 * lookup:.1f} ms more")


if __name__ == "__main__":
    main()
