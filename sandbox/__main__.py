"""CLI: ``python -m sandbox --host 127.0.0.1 --port 8765 --quota 150 --window-ms 30000 --fault-rate 0 --orders 0``."""
import argparse
import signal
import sys
import threading

from .server import FAULT_KINDS, Sandbox


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m sandbox", description="Stateful BigCommerce sandbox store")
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1; 0.0.0.0 in a container)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--store-hash", default="sandbox")
    p.add_argument("--access-token", default="sandbox-token")
    p.add_argument("--client-secret", default="sandbox-secret", help="signs webhook deliveries")
    p.add_argument("--quota", type=int, default=150, help="requests per rate-limit window")
    p.add_argument("--window-ms", type=int, default=30000)
    p.add_argument("--fault-rate", type=float, default=0.0, help="share of API requests that get a fault (0..1)")
    p.add_argument("--fault-kinds", default=",".join(FAULT_KINDS), help="comma-separated: %s" % ",".join(FAULT_KINDS))
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--seed", type=int, default=0, help="seeds fault injection and synthetic orders")
    p.add_argument("--orders", type=int, default=0, help="extra synthetic orders (three lines each)")
    p.add_argument("--variants", type=int, default=0, help="extra synthetic variants (ten per product, SKU SYN-00001...)")
    p.add_argument("--webhook-url", default=None, help="also deliver every webhook event to this URL")
    p.add_argument("--verbose", action="store_true", help="log every request")
    a = p.parse_args(argv)
    sb = Sandbox(host=a.host, port=a.port, store_hash=a.store_hash, access_token=a.access_token,
                 client_secret=a.client_secret, extra_orders=a.orders, extra_variants=a.variants, verbose=a.verbose, quota=a.quota,
                 window_ms=a.window_ms, fault_rate=a.fault_rate, fault_kinds=[k for k in a.fault_kinds.split(",") if k],
                 latency_ms=a.latency_ms, seed=a.seed, webhook_url=a.webhook_url)
    print("BigCommerce sandbox listening on %s" % sb.url)
    print("  API base:     %s/v2 and /v3" % sb.api_url)
    print("  store hash:   %s" % sb.store_hash)
    print("  access token: %s" % sb.access_token)
    print("  orders:       %d   control API: %s/__sandbox__/" % (len(sb.state.orders), sb.url))
    sys.stdout.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sb.start()
    try:
        while not stop.wait(3600):
            pass
    except KeyboardInterrupt:
        pass
    sb.stop()


if __name__ == "__main__":
    main()
