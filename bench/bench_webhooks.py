"""Bursts of concurrent signed webhook deliveries at a real multi-worker Odoo server.

Starts ``odoo --workers=N`` (prefork, one cron worker) on 127.0.0.1 for a database that has
``bigcommerce_connector`` installed, with a confirmed store of its own pointing at an in-process
sandbox (so the queue's cron, which turns deliveries into order lines and processes them, runs
at the same time). Then, ``--rounds`` times, ``--concurrency`` threads each POST one signed
delivery for the same order at the same moment (distinct ``webhook-id`` headers: distinct
changes). It prints, per delivery, the time seen by the client and the time the server spent
(from Odoo's request log: query time + other time), p50 and p99, the answers other than 200
and failed connections, the ERROR lines of the server log and the requests Odoo replayed after
a serialization failure. Goal: server p99 <= 20 ms at 50 concurrent, 0 ERROR lines, 0 replays.

    python3 -m odoo -d bench_hooks -i bigcommerce_connector --without-demo=all --stop-after-init \\
        --addons-path=/path/to/odoo/odoo/addons,/path/to/odoo/addons,/path/to/this/repository
    python3 bench/bench_webhooks.py --database bench_hooks --addons-path ... [--concurrency 50] [--rounds 4]

The store it creates is deleted at the end. Only 127.0.0.1 is ever contacted.
"""
import argparse
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "bigcommerce_connector")]

from bigcommerce.webhooks import sign_webhook  # noqa: E402
from sandbox.server import start_sandbox  # noqa: E402

SECRET = "bench-webhook-secret"
# werkzeug's request line, with Odoo's "query count, query time, other time" appended.
REQUEST_LINE = re.compile(r'"POST /bigcommerce/webhook/\d+ HTTP/1\.[01]" (\d+) - \d+ ([\d.]+) ([\d.]+)')


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def create_store(database, addons_path, sandbox):
    import odoo
    from odoo import SUPERUSER_ID, api
    odoo.tools.config.parse_config(["--addons-path", addons_path, "-d", database])
    registry = odoo.modules.registry.Registry(database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        instance = env["bc.instance"].create({
            "name": "Webhook Bench", "store_hash": f"bench{uuid.uuid4().hex[:8]}", "access_token": sandbox.access_token,
            "client_secret": SECRET, "api_url": sandbox.url, "state": "confirmed",
        })
        return registry, instance.id


def delete_store(registry, instance_id):
    from odoo import SUPERUSER_ID, api
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        instance = env["bc.instance"].browse(instance_id)
        counts = (env["bc.webhook.event"].search_count([("instance_id", "=", instance_id)]),
                  env["marketplace.queue.line"].search_count([("instance_id", "=", instance.marketplace_instance_id.id)]))
        instance.unlink()
        return counts


def start_server(args, port, logfile):
    import odoo
    # odoo-bin, not "-m odoo": the prefork server respawns its gevent worker from sys.argv[0].
    odoo_bin = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
    command = [sys.executable, odoo_bin, "-d", args.database, f"--db-filter=^{args.database}$",
               f"--addons-path={args.addons_path}", f"--workers={args.workers}", "--max-cron-threads=1",
               "--http-interface=127.0.0.1", f"--http-port={port}", f"--logfile={logfile}", "--log-level=info"]
    server = subprocess.Popen(command, start_new_session=True)
    for _ in range(120):
        try:
            # Twice: each HTTP worker loads the registry on its first request.
            for _worker in range(args.workers):
                requests.get(f"http://127.0.0.1:{port}/web/health", timeout=30)
            return server
        except requests.RequestException:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("the Odoo server did not start; see " + logfile)


def stop_server(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)


def burst(url, concurrency, order_id):
    """One round: every thread POSTs its delivery at the same moment. (seconds, outcome) each."""
    start = threading.Barrier(concurrency)
    results = [None] * concurrency

    def deliver(index):
        body = json.dumps({"scope": "store/order/updated", "store_id": "1", "data": {"type": "order", "id": order_id},
                           "hash": "same-for-every-change", "created_at": int(time.time())}).encode()
        headers = {"Content-Type": "application/json",
                   **sign_webhook(body, SECRET, f"msg_{uuid.uuid4().hex}", time.time())}
        start.wait()
        began = time.perf_counter()
        try:
            outcome = requests.post(url, data=body, headers=headers, timeout=60).status_code
        except requests.RequestException as error:
            outcome = type(error).__name__
        results[index] = (time.perf_counter() - began, outcome)

    threads = [threading.Thread(target=deliver, args=(index,)) for index in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    sandbox = start_sandbox(client_secret=SECRET)
    registry, instance_id = create_store(args.database, args.addons_path, sandbox)
    port = free_port()
    logfile = os.path.join(tempfile.mkdtemp(prefix="bench_webhooks_"), "odoo.log")
    server = start_server(args, port, logfile)
    url = f"http://127.0.0.1:{port}/bigcommerce/webhook/{instance_id}"
    results = []
    try:
        burst(url, args.workers * 2, 103)  # warm-up, not counted: each worker builds its routing map
        time.sleep(1)
        warm_log_size = os.path.getsize(logfile)
        for _round in range(args.rounds):
            results += burst(url, args.concurrency, 103)
            time.sleep(1)  # the cron turns the round's deliveries into a line meanwhile
    finally:
        stop_server(server)
        sandbox.stop()
    receipts, lines = delete_store(registry, instance_id)

    with open(logfile, encoding="utf-8") as log:
        log.seek(warm_log_size)
        text = log.read()
    server_ms = [(float(query) + float(other)) * 1000 for _status, query, other in REQUEST_LINE.findall(text)]
    client_ms = [seconds * 1000 for seconds, _outcome in results]
    failures = [outcome for _seconds, outcome in results if outcome != 200]
    error_lines = [line for line in text.splitlines() if " ERROR " in line or " CRITICAL " in line]
    print(f"{args.rounds} rounds of {args.concurrency} concurrent signed deliveries for one order, "
          f"odoo --workers={args.workers} --max-cron-threads=1 on 127.0.0.1, log {logfile}")
    print(f"client: p50 {percentile(client_ms, 0.5):.1f} ms, p99 {percentile(client_ms, 0.99):.1f} ms")
    print(f"server: p50 {percentile(server_ms, 0.5):.1f} ms, p99 {percentile(server_ms, 0.99):.1f} ms "
          f"({len(server_ms)} requests logged; goal p99 <= 20 ms)")
    print(f"answers other than 200 and failed connections: {len(failures)} {sorted(set(map(str, failures)))}")
    print(f"ERROR lines in the server log: {len(error_lines)}; requests replayed after a serialization failure: "
          f"{text.count('tries left, try again')}")
    print(f"deliveries recorded (warm-up included): {receipts}; queue lines made of them: {lines}")
    for line in error_lines[:5]:
        print("  " + line)


if __name__ == "__main__":
    main()
