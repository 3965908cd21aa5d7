"""How well BigCommerceClient uses the store's request quota without hitting 429.

Starts the sandbox with BigCommerce's Standard/Plus quota (150 requests per window), fetches
every order with small pages so the fetch spans several windows, and prints:

* requests per window / quota, over the complete windows (goal >= 0.9);
* 429 answers received from the store, and 429 errors that reached the caller (goal 0).

The window is scaled down from BigCommerce's 30 s to 3 s by default (--window-ms) so the run
takes seconds; the pacing logic only sees the rate-limit headers, so the ratio is the same.
``--other-app`` adds a second app draining part of the same quota, as on a real store.

    python3 bench/bench_rate_limit.py [--window-ms 3000] [--orders 1500] [--page 2] [--other-app 0.2]
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

from bigcommerce.client import BigCommerceClient  # noqa: E402
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quota", type=int, default=150)
    parser.add_argument("--window-ms", type=int, default=3000, help="BigCommerce's is 30000")
    parser.add_argument("--orders", type=int, default=1500, help="synthetic orders besides the seed ones")
    parser.add_argument("--page", type=int, default=2, help="orders per page: small, so the fetch spans windows")
    parser.add_argument("--other-app", type=float, default=0.0, help="share of the quota another app uses")
    args = parser.parse_args()
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
