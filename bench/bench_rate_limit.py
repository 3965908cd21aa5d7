"""How well BigCommerceClient uses the store's request quota without hitting 429.

Starts the sandbox with BigCommerce's Standard/Plus quota (150 requests per window), fetches
every order with small pages so the fetch spans several windows, and prints:

* requests per window / quota, over the complete windows (goal >= 0.9);
* 429 answers received from the store, and 429 errors that reached the caller (goal 0).

The window is scaled down from BigCommerce's 30 s to 3 s by default (--window-ms) so the run
takes seconds; the pacing logic only sees the rate-limit headers, so the ratio is the same.
``--other-app`` adds a second app draining part of the same quota, as on a real store.

``--queue`` measures the queue's path instead: one line per order, each line building its own
client (as the Odoo queue does) and fetching its order, processed by ``--workers`` threads,
under a small quota (20 requests per window, as measured in issue 14). It runs twice: with the
store's shared RateBudget and the Odoo side's 5 s wait limit (a line that would wait longer is
postponed by its ``retry_after``, as the queue does), then with a budget per client as before.
It prints the 429 answers from the store (goal 0), postponements and the longest sleep.

    python3 bench/bench_rate_limit.py [--window-ms 3000] [--orders 1500] [--page 2] [--other-app 0.2]
    python3 bench/bench_rate_limit.py --queue [--quota 20] [--window-ms 3000] [--orders 100] [--workers 2]
"""
import argparse
import os
import sys
import threading
import time
from collections import Counter

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "bigcommerce_connector")]

from bigcommerce.client import BigCommerceClient, RateBudget  # noqa: E402
from bigcommerce.errors import RateLimitedError  # noqa: E402
from sandbox.server import start_sandbox  # noqa: E402


class WindowTally(requests.Session):
    """Counts answers per rate-limit window, naming each window by when it resets."""

    def __init__(self, window_s):
        super().__init__()
        self.window_s, self.per_window, self.statuses = window_s, Counter(), Counter()

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        reset_ms = response.headers.get("X-Rate-Limit-Time-Reset-Ms")
        if reset_ms is not None:
            self.per_window[round((time.monotonic() + int(reset_ms) / 1000) / self.window_s)] += 1
        self.statuses[response.status_code] += 1
        return response


def other_app(sandbox, share, quota, window_s, stop):
    """Another app on the store: spends ``share`` of each window's quota, ignoring the headers."""
    url = f"{sandbox.url}/stores/{sandbox.store_hash}/v2/time"
    pause = window_s / max(1, share * quota)
    with requests.Session() as session:
        while not stop.wait(pause):
            session.get(url, headers={"X-Auth-Token": sandbox.access_token})


def queue_path(sandbox, order_ids, workers, shared, max_wait):
    """Process one line per order the way the queue does; returns (tally, postponed, longest sleep)."""
    tally = WindowTally(1)
    budget = RateBudget()
    due = [(0.0, order_id) for order_id in order_ids]  # (due at, order id), like next_retry_at
    lock = threading.Lock()
    postponed, sleeps = [0], [0.0]

    def sleep(seconds):
        with lock:
            sleeps[0] = max(sleeps[0], seconds)
        time.sleep(seconds)

    def worker():
        while True:
            with lock:
                if not due:
                    return
                due.sort()
                at, order_id = due.pop(0)
            time.sleep(max(0.0, at - time.monotonic()))
            client = BigCommerceClient(sandbox.store_hash, sandbox.access_token, api_url=sandbox.url, session=tally,
                                       sleep=sleep, budget=budget if shared else None, max_rate_limit_wait=max_wait)
            try:
                client.get_order(order_id)
            except RateLimitedError as error:  # the queue puts the line back to pending
                with lock:
                    postponed[0] += 1
                    due.append((time.monotonic() + (error.retry_after or 60), order_id))

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, postponed[0], sleeps[0]


def main_queue(args):
    sandbox = start_sandbox(quota=args.quota, window_ms=args.window_ms, extra_orders=args.orders, seed=1)
    order_ids = sorted(sandbox.state.orders)[-args.orders:]
    print(f"queue path: {len(order_ids)} lines, {args.workers} workers, quota {args.quota} requests per "
          f"{args.window_ms} ms window, a client per line")
    for label, shared, max_wait in (("shared store budget, 5 s wait limit", True, 5),
                                    ("a budget per client (before issue 14)", False, 900)):
        sandbox.reset()
        started = time.monotonic()
        tally, postponed, longest = queue_path(sandbox, order_ids, args.workers, shared, max_wait)
        print(f"  {label}: {time.monotonic() - started:.1f} s, {sum(tally.statuses.values())} requests, "
              f"429 answers from the store: {tally.statuses[429]} (goal 0), lines postponed: {postponed}, "
              f"longest sleep in a worker: {longest:.1f} s")
    sandbox.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quota", type=int, help="requests per window (default 150; with --queue 20)")
    parser.add_argument("--window-ms", type=int, default=3000, help="BigCommerce's is 30000")
    parser.add_argument("--orders", type=int, default=1500, help="synthetic orders besides the seed ones")
    parser.add_argument("--page", type=int, default=2, help="orders per page: small, so the fetch spans windows")
    parser.add_argument("--other-app", type=float, default=0.0, help="share of the quota another app uses")
    parser.add_argument("--queue", action="store_true", help="the queue's path: a client per line")
    parser.add_argument("--workers", type=int, default=2, help="with --queue: worker threads")
    args = parser.parse_args()
    if args.queue:
        args.quota = args.quota or 20
        return main_queue(args)
    args.quota = args.quota or 150
    window_s = args.window_ms / 1000

    sandbox = start_sandbox(quota=args.quota, window_ms=args.window_ms, extra_orders=args.orders, seed=1)
    tally = WindowTally(window_s)
    client = BigCommerceClient(sandbox.store_hash, sandbox.access_token, api_url=sandbox.url, session=tally)
    stop = threading.Event()
    if args.other_app:
        threading.Thread(target=other_app, daemon=True,
                         args=(sandbox, args.other_app, args.quota, window_s, stop)).start()
    rate_limited_errors = fetched = 0
    started = time.monotonic()
    try:
        for _ in client.iter_orders(limit=args.page):
            fetched += 1
    except RateLimitedError:
        rate_limited_errors += 1
    elapsed = time.monotonic() - started
    stop.set()
    sandbox.stop()

    windows = [tally.per_window[key] for key in sorted(tally.per_window)]
    complete = windows[1:-1] or windows  # the first and last windows are partly outside the fetch
    requests_sent = sum(tally.statuses.values())
    print(f"quota {args.quota} requests per {args.window_ms} ms window"
          + (" (BigCommerce's 30 s window scaled down)" if args.window_ms != 30000 else ""))
    if args.other_app:
        print(f"another app uses about {args.other_app:.0%} of the quota; the figures below are ours alone")
    print(f"orders fetched: {fetched} in {requests_sent} requests, {elapsed:.1f} s, {len(windows)} windows")
    print(f"requests per window: {windows}")
    print(f"requests per complete window / quota: mean {sum(complete) / len(complete) / args.quota:.3f}, "
          f"min {min(complete) / args.quota:.3f} (goal >= 0.9{' minus the other app' if args.other_app else ''})")
    print(f"whole run: {requests_sent / (elapsed / window_s) / args.quota:.3f} of the quota")
    print(f"429 answers from the store: {tally.statuses[429]}; 429 errors that reached the caller: "
          f"{rate_limited_errors} (goal 0)")


if __name__ == "__main__":
    main()
