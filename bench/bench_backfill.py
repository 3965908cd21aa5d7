"""Peak memory and time of a first import (backfill) of a large store by the scheduled poll.

For each ``--orders`` count, a sandbox store with that many synthetic orders runs in a process
of its own (its memory is not counted), a confirmed store of the database points at it, and a
fresh Python process runs that store's poll once (``_bigcommerce_poll_orders``: list the orders
page by page, queue them, commit each page) the way the scheduled action does. It prints the
orders queued, the time, the process's peak RSS and how much of it the poll added to the
loaded registry. Goal: peak RSS <= 300 MB, flat as the number of orders grows. The store, its
queue lines and jobs are deleted at the end.

    python3 -m odoo -d bench_backfill -i bigcommerce_connector --without-demo=all --stop-after-init \\
        --addons-path=/path/to/odoo/odoo/addons,/path/to/odoo/addons,/path/to/this/repository
    python3 bench/bench_backfill.py --database bench_backfill --addons-path ... [--orders 5000 20000]
"""
import argparse
import os
import resource
import socket
import subprocess
import sys
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def poll_once(database, addons_path, api_url):
    """In this process: the poll of a new store at ``api_url``; prints one line of figures."""
    import odoo
    from odoo import SUPERUSER_ID, api
    odoo.tools.config.parse_config(["--addons-path", addons_path, "-d", database])
    registry = odoo.modules.registry.Registry(database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        instance = env["bc.instance"].create({
            "name": "Backfill Bench", "store_hash": "backfillbench", "access_token": "sandbox-token",
            "client_secret": "sandbox-secret", "api_url": api_url, "state": "confirmed"})
        instance.import_status_ids = env["bc.order.status"].create([
            {"instance_id": instance.id, "bc_id": str(status), "name": str(status)} for status in range(15)])
        cr.commit()
        before = peak_rss_mb()
        started = time.perf_counter()
        instance._bigcommerce_poll_orders()
        elapsed = time.perf_counter() - started
        queued = env["marketplace.queue.line"].search_count([("instance_id", "=", instance.marketplace_instance_id.id)])
        print(f"{queued} orders queued in {elapsed:.1f} s; peak RSS {peak_rss_mb():.0f} MB "
              f"(registry loaded: {before:.0f} MB, the poll added {peak_rss_mb() - before:.0f} MB)")
        env["marketplace.queue.line"].search([("instance_id", "=", instance.marketplace_instance_id.id)]).job_id.unlink()
        instance.unlink()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--orders", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--poll-url", help=argparse.SUPPRESS)  # internal: run one poll in this process
    args = parser.parse_args()
    if args.poll_url:
        return poll_once(args.database, args.addons_path, args.poll_url)
    for count in args.orders:
        port = free_port()
        sandbox = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", str(port), "--orders", str(count),
                                    "--quota", "100000", "--store-hash", "backfillbench"], cwd=ROOT, stdout=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(600):
                try:
                    requests.get(url + "/__sandbox__/stats", timeout=5)
                    break
                except requests.RequestException:
                    time.sleep(0.5)
            print(f"{count} synthetic orders (plus the seed ones): ", end="", flush=True)
            subprocess.run([sys.executable, __file__, "--database", args.database, "--addons-path", args.addons_path,
                            "--poll-url", url], check=True)
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=60)


if __name__ == "__main__":
    main()
