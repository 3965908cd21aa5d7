"""Reconciliation at scale: BigCommerce calls, Odoo-side time and peak memory of one run over
``--orders`` orders, ``--refunds`` refunds and ``--skus`` SKUs at two locations.

Starts a sandbox with ``--orders`` synthetic orders and ``--skus`` synthetic variants in a process
of its own (its CPU is then not Odoo's), makes ``--refunds`` refunds there through the API, and in
Odoo: a store with both BigCommerce locations exporting stock (location 2 from an Odoo location of
its own), a product per SKU with stock, and a sale order per BigCommerce order (created with the
ORM, one untaxed line at the order's untaxed amount, so that most show their tax as a difference: the
benchmark is about the run, not the import). Then
it reconciles the whole range once and prints:

* BigCommerce calls: the aim is the pages, about 70 for 10,000 orders (250 a page), 500 refunds
  (250 a page) and 5,000 SKUs at two locations (1,000 a page each);
* Odoo-side time: the run's wall time and this process's CPU time (the sandbox's CPU is its own);
* peak memory: Python allocations during the run (tracemalloc), and the process's high-water mark.

It prints figures; it is not a test. Use a fresh database of its own: it leaves its store,
products and orders there.

    createdb recon_bench
    python3 -m odoo -d recon_bench -i bigcommerce_connector --without-demo=all --stop-after-init \\
        --addons-path=/path/to/odoo/odoo/addons,/path/to/odoo/addons,/path/to/this/repo
    python3 bench/bench_reconciliation.py --database recon_bench [--orders 10000 --refunds 500 --skus 5000]
"""
import argparse
import os
import resource
import sys
import time
import tracemalloc
from datetime import date

from bench_order_import import ROOT, SandboxProcess, connect_store, open_registry
from bench_stock_export import count_calls

sys.path.insert(0, ROOT)

from sandbox.seed import SYNTHETIC_SKUS  # noqa: E402


def make_refunds(client, orders, count):
    """``count`` refunds of one unit of the first line of captured orders, made through the API."""
    made = 0
    for order in orders:
        if made >= count:
            return made
        shipping = order["consignments"]["shipping"]
        if order.get("payment_status") != "captured" or not shipping:
            continue
        line = shipping[0]["line_items"][0]
        items = [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}]
        quote = client.create_refund_quote(order["id"], {"items": items})
        payments = [{"provider_id": method["provider_id"], "amount": method["amount"], "offline": method["offline"]}
                    for method in quote["refund_methods"][0]]
        client.create_refund(order["id"], {"items": items, "payments": payments})
        made += 1
    return made


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", "-d", required=True, help="a fresh database with bigcommerce_connector installed")
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--refunds", type=int, default=500)
    parser.add_argument("--skus", type=int, default=5000)
    parser.add_argument("--addons-path", default=None, help="default: Odoo's own addons and this repository")
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, Command, api

    registry = open_registry(args.database, args.addons_path)
    from odoo.addons.bigcommerce_connector.bigcommerce.client import BigCommerceClient
    skus = SYNTHETIC_SKUS + [f"SYN-{n:05d}" for n in range(1, args.skus - len(SYNTHETIC_SKUS) + 1)]
    sandbox = SandboxProcess(orders=args.orders, variants=len(skus) - len(SYNTHETIC_SKUS))
    try:
        with BigCommerceClient(sandbox.store_hash, sandbox.access_token, api_url=sandbox.url) as client:
            orders = list(client.iter_orders())
            refunds = make_refunds(client, orders, args.refunds)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            instance = connect_store(env, sandbox, "Bench reconciliation")
            instance.import_status_ids = instance.order_status_ids
            warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
            east = env["stock.location"].create({"name": f"Bench east {instance.id}",
                                                 "location_id": warehouse.view_location_id.id})
            for location in instance.location_ids:
                location.write({"export_stock": True, "stock_location_ids": [
                    Command.set([(warehouse.lot_stock_id if location.bc_id == "1" else east).id])]})
            products = env["product.product"].create([{"name": sku, "default_code": sku, "is_storable": True,
                                                       "taxes_id": [Command.clear()]} for sku in skus])
            env["stock.quant"].create([{"product_id": product.id, "location_id": stock_location.id,
                                        "quantity": 1 + index % 5}
                                       for index, product in enumerate(products) for stock_location in
                                       (warehouse.lot_stock_id, east) if index % 3])
            partner = env["res.partner"].create({"name": "Bench customer"})
            for start in range(0, len(orders), 500):
                env["sale.order"].create([{
                    "partner_id": partner.id, "bigcommerce_instance_id": instance.id,
                    "bigcommerce_order_id": str(order["id"]),
                    "order_line": [Command.create({"product_id": products[0].id, "product_uom_qty": 1,
                                                   "price_unit": float(order["total_ex_tax"]), "tax_id": []})],
                } for order in orders[start:start + 500]])
            cr.commit()
            instance_id = instance.id

        calls = count_calls(BigCommerceClient)
        requests_before = sandbox.stats()["requests"]
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            run = env["bc.reconciliation"].create({"instance_id": instance_id, "date_from": date(2025, 1, 1),
                                                   "date_to": date.today()})
            tracemalloc.start()
            cpu, started = time.process_time(), time.perf_counter()
            run._reconcile()
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            counts = dict(env["bc.reconciliation.difference"]._read_group(
                [("reconciliation_id", "=", run.id)], ["kind"], ["__count"]))
            figures = (run.order_count, run.refund_count, run.sku_count, run.call_count, run.difference_count)
            cr.commit()
        served = sandbox.stats()["requests"] - requests_before
    finally:
        sandbox.stop()

    order_count, refund_count, sku_count, call_count, difference_count = figures
    print(f"database {args.database}, Odoo {odoo.release.version}, {os.cpu_count()} CPUs: {order_count} orders, "
          f"{refund_count} refunds ({refunds} made for the run), {sku_count} SKU levels compared at two locations")
    print(f"BigCommerce calls: {call_count} counted by the run, {served} served by the sandbox ({dict(calls)}; "
          "aim: about 70, the pages)")
    print(f"Odoo-side time:    {seconds:.2f} s wall, {cpu:.2f} s CPU of this process (the sandbox runs apart); "
          "tracemalloc slows both")
    print(f"peak memory:       {peak / 2 ** 20:.1f} MiB allocated during the run, "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB process high-water mark")
    print(f"differences:       {difference_count} " + ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items())))


if __name__ == "__main__":
    main()
