"""Catalog export at scale: BigCommerce calls per 1,000 exported variants, for Export Listings and
for Update Listing of the same listings.

Starts a sandbox in a process of its own, creates ``--variants`` Odoo variants (``--per-product``
variants per product template, one attribute), then, through the queue as the cron runs it:

* Export Listings of every template to the storefront channel. BigCommerce creates one product a
  call (PR#createProduct, its variants inside it), so the aim is that one create a product (no
  lookup before it: BigCommerce refuses a duplicate, which is then linked), plus once a queue run
  the store information and the run's channel assignments (PR#createProductsChannelAssignments,
  250 a call);
* Update Listing of every listing. The aim is the batch limits: one PUT per 10 products
  (PR#updateProducts) and one PUT per 50 variants (VA#updateVariantsBatch).

It prints figures; it is not a test. Use a fresh database of its own: it leaves its store and
products there.

    createdb export_bench
    python3 -m odoo -d export_bench -i bigcommerce_connector --without-demo=all --stop-after-init \\
        --addons-path=/path/to/odoo/odoo/addons,/path/to/odoo/addons,/path/to/this/repo
    python3 bench/bench_catalog_export.py --database export_bench [--variants 1000] [--per-product 10]
"""
import argparse
import math
import os
import sys
import time

from bench_order_import import SandboxProcess, connect_store, open_registry
from bench_stock_export import count_calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", "-d", required=True, help="a fresh database with bigcommerce_connector installed")
    parser.add_argument("--variants", type=int, default=1000)
    parser.add_argument("--per-product", type=int, default=10)
    parser.add_argument("--addons-path", default=None, help="default: Odoo's own addons and this repository")
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, Command, api

    registry = open_registry(args.database, args.addons_path)
    from odoo.addons.bigcommerce_connector.bigcommerce.client import BigCommerceClient
    calls = count_calls(BigCommerceClient)
    sandbox = SandboxProcess()
    templates = math.ceil(args.variants / args.per_product)
    stamp = time.strftime("%H%M%S")
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            instance = connect_store(env, sandbox, "Bench export")
            instance.pricelist_id = env["product.pricelist"].create(
                {"name": f"Bench USD {stamp}", "currency_id": env.ref("base.USD").id})
            attribute = env["product.attribute"].create({"name": f"Bench size {stamp}", "value_ids": [
                Command.create({"name": f"V{n}"}) for n in range(args.per_product)]})
            created = env["product.template"].create([{
                "name": f"Bench {stamp} {n}", "list_price": 10.0, "is_storable": True,
                "attribute_line_ids": [Command.create({"attribute_id": attribute.id,
                                                       "value_ids": [Command.set(attribute.value_ids.ids)]})],
            } for n in range(templates)])
            for template in created:
                for index, variant in enumerate(template.product_variant_ids):
                    variant.default_code = f"BX-{stamp}-{template.id}-{index}"
            storefront = instance.channel_ids.filtered(lambda channel: channel.bc_id == "1")
            cr.commit()
            instance_id, template_ids, variant_count = instance.id, created.ids, len(created.product_variant_ids)

        def run(queue, operation):
            calls.clear()
            requests_before = sandbox.stats()["requests"]
            started = time.perf_counter()
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                queue(env)
                cr.commit()
                while env["marketplace.queue.line"]._cron_process_queue(batch_size=50):
                    cr.commit()
                lines = env["marketplace.queue.line"].search([("operation", "=", operation)])
                failed = lines.filtered(lambda line: line.state != "done")
                if failed:
                    sys.exit(f"{len(failed)} line(s) not done: {failed[:1].last_error}")
            return dict(calls), sandbox.stats()["requests"] - requests_before, time.perf_counter() - started

        export_calls, export_requests, export_seconds = run(lambda env: env["bc.instance"].browse(instance_id)._queue_listing_export(
            env["product.template"].browse(template_ids), env["bc.channel"].browse(storefront.ids)),
            "bigcommerce_export_listing")
        update_calls, update_requests, update_seconds = run(lambda env: env["bc.listing"].search(
            [("instance_id", "=", instance_id)]).action_bigcommerce_update_listing(), "bigcommerce_update_listing")
    finally:
        sandbox.stop()

    per_thousand = 1000 / variant_count
    runs = math.ceil(templates / 50)  # the queue runs of 50 lines above; each run's assignments fit one call
    export_aim = templates + 2 * runs
    update_aim = math.ceil(templates / 10) + math.ceil(variant_count / 50)
    print(f"database {args.database}, Odoo {odoo.release.version}, {os.cpu_count()} CPUs, "
          f"{variant_count} variants in {templates} products")
    print(f"Export Listings: {export_requests} BigCommerce calls ({export_calls}), "
          f"{export_requests * per_thousand:.0f} per 1,000 variants (aim: one create a product, plus the store "
          f"information and the channel assignments once a queue run, {export_aim} = "
          f"{export_aim * per_thousand:.0f} per 1,000), {export_seconds:.2f} s")
    print(f"Update Listing:  {update_requests} BigCommerce calls ({update_calls}), "
          f"{update_requests * per_thousand:.0f} per 1,000 variants (aim: the batch limits, {update_aim} = "
          f"{update_aim * per_thousand:.0f} per 1,000), {update_seconds:.2f} s")


if __name__ == "__main__":
    main()
