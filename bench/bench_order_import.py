"""Order import cost: BigCommerce API calls per order, and Odoo-side time per order
compared with creating the same sale orders directly with the ORM.

Starts a sandbox with ``--orders`` synthetic three-line orders in a process of its own (its CPU
is then not counted as Odoo's), connects a store to it,
polls once (the scheduled import: list, enqueue) and processes the queue the way the cron
does (one commit per line). Then it creates the same number of sale orders with
``sale.order.create`` from the imported orders' own values (customer, products, quantities,
prices, taxes), which is the floor any import has to pay. It prints figures; it is not a test.

Besides the time, it prints the SQL queries per order and this process's CPU time of each
side: on a machine shared with other work, the load can change between the two sides, and
those two figures do not move with it as much as the time does.

Use a fresh database of its own: the benchmark leaves its store, customers and orders there.

    createdb orders_bench
    python3 -m odoo -d orders_bench -i bigcommerce_connector --without-demo=all --stop-after-init \\
        --addons-path=/path/to/odoo/odoo/addons,/path/to/odoo/addons,/path/to/this/repo
    python3 bench/bench_order_import.py --database orders_bench [--orders 1000]
"""
import argparse
import os
import socket
import subprocess
import sys
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sandbox.seed import SYNTHETIC_SKUS, synthetic_orders  # noqa: E402


def default_addons_path():
    import odoo
    odoo_root = os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__)))
    paths = [os.path.join(odoo_root, "odoo", "addons"), os.path.join(odoo_root, "addons")]
    return ",".join([path for path in paths if os.path.isdir(path)] + [ROOT])


class SandboxProcess:
    """The sandbox store with ``orders`` synthetic orders and ``variants`` synthetic variants
    (see ``sandbox.seed``), served by ``python -m sandbox``."""

    store_hash, access_token = "sandbox", "sandbox-token"

    def __init__(self, orders=0, variants=0):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--port", str(port), "--orders", str(orders), "--variants", str(variants), "--quota", str(10 ** 9),
             "--client-secret", "bench-secret"], cwd=ROOT, stdout=subprocess.DEVNULL)
        for _ in range(600):
            try:
                self.stats()
                return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise SystemExit("the sandbox did not start")

    def stats(self):
        return requests.get(f"{self.url}/__sandbox__/stats", timeout=5).json()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)


def open_registry(database, addons_path=None):
    """The registry of ``database``, Odoo configured as a benchmark wants it (no cron threads, warnings only)."""
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["--database", database, "--addons-path", addons_path or default_addons_path(),
                         "--log-level", "warn", "--max-cron-threads", "0"])
    return Registry.new(database)


def drain_queue(registry):
    """Process the queue as the cron does, a run of 50 lines a transaction, until nothing is due;
    returns how many lines were processed."""
    from odoo import SUPERUSER_ID, api

    processed = 0
    while True:
        with registry.cursor() as cr:
            done = api.Environment(cr, SUPERUSER_ID, {})["marketplace.queue.line"]._cron_process_queue(batch_size=50)
            cr.commit()
        if not done:
            return processed
        processed += len(done)


def connect_store(env, sandbox, name):
    """A confirmed store on ``sandbox``, in a company that has a country."""
    if not env.company.country_id:
        env.company.country_id = env.ref("base.us")
    instance = env["bc.instance"].create({
        "name": f"{name} {time.strftime('%H:%M:%S')}", "store_hash": sandbox.store_hash,
        "access_token": sandbox.access_token, "client_secret": "bench-secret", "api_url": sandbox.url})
    instance.action_confirm()
    return instance


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", "-d", required=True, help="a fresh database with bigcommerce_connector installed")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--addons-path", default=None, help="default: Odoo's own addons and this repository")
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, Command, api, sql_db

    registry = open_registry(args.database, args.addons_path)
    # No rate limit: the figure wanted is Odoo's own time, not BigCommerce's quota. In a process of its
    # own, as BigCommerce is: its CPU is not this process's, which is Odoo's alone.
    sandbox = SandboxProcess(args.orders)
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            instance = connect_store(env, sandbox, "Bench orders")
            instance.import_status_ids = instance.order_status_ids
            for sku in SYNTHETIC_SKUS:
                env["product.product"].create({"name": sku, "default_code": sku, "type": "consu",
                                               "taxes_id": [Command.clear()]})
            cr.commit()
            instance_id = instance.id

        # The seed orders (101-117) are imported too; the figures are about the synthetic ones.
        synthetic_ids = [str(order["id"]) for order in synthetic_orders(args.orders)]
        requests_before = sandbox.stats()["requests"]
        queries_before, cpu_before = sql_db.sql_counter, time.process_time()
        started = time.perf_counter()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["bc.instance"].browse(instance_id)._bigcommerce_poll_orders()
            cr.commit()
        poll_seconds = time.perf_counter() - started
        started = time.perf_counter()
        processed = drain_queue(registry)
        process_seconds = time.perf_counter() - started
        import_queries, import_cpu = sql_db.sql_counter - queries_before, time.process_time() - cpu_before
        api_calls = sandbox.stats()["requests"] - requests_before

        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            imported = env["sale.order"].search([("bigcommerce_instance_id", "=", instance_id),
                                                 ("bigcommerce_order_id", "in", synthetic_ids)])
            failed = env["marketplace.queue.line"].search_count([("state", "=", "failed"),
                                                                 ("external_id", "in", synthetic_ids)])
            if len(imported) != args.orders or failed:
                sys.exit(f"{len(imported)} of {args.orders} orders imported, {failed} failed lines")
            vals_list = [{
                "partner_id": order.partner_id.id, "partner_invoice_id": order.partner_invoice_id.id,
                "partner_shipping_id": order.partner_shipping_id.id, "pricelist_id": order.pricelist_id.id,
                "order_line": [Command.create({
                    "product_id": line.product_id.id, "name": line.name, "product_uom_qty": line.product_uom_qty,
                    "price_unit": line.price_unit, "tax_id": [Command.set(line.tax_id.ids)]})
                    for line in order.order_line],
            } for order in imported]
            cr.commit()
        queries_before, cpu_before = sql_db.sql_counter, time.process_time()
        started = time.perf_counter()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            for vals in vals_list:  # one order per transaction, like the queue
                env["sale.order"].create(vals)
                cr.commit()
        direct_seconds = time.perf_counter() - started
        direct_queries, direct_cpu = sql_db.sql_counter - queries_before, time.process_time() - cpu_before
    finally:
        sandbox.stop()

    odoo_seconds = poll_seconds + process_seconds
    print(f"database {args.database}, Odoo {odoo.release.version}, {os.cpu_count()} CPUs, "
          f"{args.orders} three-line orders ({processed} queue lines processed)")
    print(f"API calls:     {api_calls} in all for {processed} orders = {api_calls / processed:.3f} per order")
    print(f"import:        poll {poll_seconds:.2f} s + queue {process_seconds:.2f} s = "
          f"{1000 * odoo_seconds / processed:.1f} ms per order (waiting for the sandbox's answers included), "
          f"{import_queries / processed:.1f} SQL queries and {1000 * import_cpu / processed:.1f} ms CPU per order")
    print(f"direct ORM:    {direct_seconds:.2f} s = {1000 * direct_seconds / args.orders:.1f} ms per order, "
          f"{direct_queries / args.orders:.1f} SQL queries and {1000 * direct_cpu / args.orders:.1f} ms CPU per order")
    # Per order on each side: the import also processes the seed orders, the direct side does not.
    print(f"ratio:         an order takes {(odoo_seconds / processed) / (direct_seconds / args.orders):.2f} times "
          f"the direct ORM create ({(import_cpu / processed) / (direct_cpu / args.orders):.2f} times its CPU)")


if __name__ == "__main__":
    main()
