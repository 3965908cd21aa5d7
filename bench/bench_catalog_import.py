"""Catalog import at scale: BigCommerce calls and time to import ``--products`` products of
``--variants-per-product`` variants each (by default 2,000 products, 10,000 variants).

Starts a sandbox in a process of its own, adds the synthetic catalog (Size x Color variants,
tracked by variant, no images) to its 9 seed products, connects a store, queues Import Products
(all products) and processes the queue the way the cron does (one commit per line). The aim for
the calls: the page limit, one call per 250 products (``include=variants,images`` keeps the page
at 250, where ``include=options`` would cap it at 10), plus nothing per product. Then it imports
everything again (Update Existing Listing? on), which must create nothing.

It prints figures; it is not a test. Use a fresh database of its own: it leaves its store and
products there.

    createdb catalog_bench
    python3 -m odoo -d catalog_bench -i bigcommerce_connector --without-demo=all --stop-after-init \\
        --addons-path=/path/to/odoo/odoo/addons,/path/to/odoo/addons,/path/to/this/repo
    python3 bench/bench_catalog_import.py --database catalog_bench [--products 2000] [--variants-per-product 5]
"""
import argparse
import math
import os
import sys
import time

import requests
from bench_order_import import SandboxProcess, connect_store, drain_queue, open_registry
from bench_stock_export import count_calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", "-d", required=True, help="a fresh database with bigcommerce_connector installed")
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--variants-per-product", type=int, default=5)
    parser.add_argument("--addons-path", default=None, help="default: Odoo's own addons and this repository")
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, api, sql_db

    registry = open_registry(args.database, args.addons_path)
    from odoo.addons.bigcommerce_connector.bigcommerce.client import BigCommerceClient
    calls = count_calls(BigCommerceClient)
    sandbox = SandboxProcess()
    try:
        catalog = requests.post(f"{sandbox.url}/__sandbox__/catalog", timeout=600, json={
            "products": args.products, "variants_per_product": args.variants_per_product}).json()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            instance = connect_store(env, sandbox, "Bench catalog")
            cr.commit()
            instance_id = instance.id

        def import_all():
            calls.clear()
            requests_before = sandbox.stats()["requests"]
            queries_before, cpu_before = sql_db.sql_counter, time.process_time()
            started = time.perf_counter()
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["bc.instance"].browse(instance_id)._bigcommerce_queue_product_import(None, update_existing=True)
                cr.commit()
            processed = drain_queue(registry)
            return {"seconds": time.perf_counter() - started, "requests": sandbox.stats()["requests"] - requests_before,
                    "calls": dict(calls), "lines": processed, "queries": sql_db.sql_counter - queries_before,
                    "cpu": time.process_time() - cpu_before}

        first = import_all()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            listings = env["bc.listing"].search([("instance_id", "=", instance_id)])
            variants = env["bc.product.binding"].search_count([("instance_id", "=", instance_id)])
            templates = env["product.template"].search_count([])
            failed = env["marketplace.queue.line"].search([("state", "=", "failed")])
            if failed:
                sys.exit(f"{len(failed)} failed lines, e.g. {failed[0].name}: {failed[0].last_error}")
        second = import_all()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            duplicated = env["product.template"].search_count([]) - templates
    finally:
        sandbox.stop()

    pages = math.ceil(catalog["products"] / 250)
    print(f"database {args.database}, Odoo {odoo.release.version}, {os.cpu_count()} CPUs, "
          f"{catalog['products']} products with {catalog['variants']} variants in the sandbox (seed ones included)")
    for label, run in (("first import:", first), ("re-import:   ", second)):
        print(f"{label}  {run['requests']} BigCommerce calls ({run['calls']}; the page limit: {pages} pages), "
              f"{run['seconds']:.1f} s, {run['lines']} queue lines, "
              f"{1000 * run['seconds'] / catalog['products']:.1f} ms, {run['queries'] / catalog['products']:.0f} "
              f"SQL queries and {1000 * run['cpu'] / catalog['products']:.1f} ms CPU per product")
    print(f"imported:      {len(listings)} listings, {variants} variant mappings; "
          f"the re-import created {duplicated} product templates")


if __name__ == "__main__":
    main()
