"""HTTP front of the sandbox store: BigCommerce URL layout, auth, rate limits, fault injection,
signed webhook delivery and the ``/__sandbox__/`` control API. Standard library only.

Python API::

    sb = start_sandbox(port=0, quota=150, window_ms=3000, seed=1)
    requests.get(sb.url + "/stores/%s/v2/orders" % sb.store_hash, headers={"X-Auth-Token": sb.access_token})
    sb.stop()
"""
import email.parser
import email.policy
import json
import math
import random
import re
import socket
import threading
import time
import traceback
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import api, images, seed
from .signing import sign_webhook
from .store import ApiError, Store

FAULT_KINDS = ("500", "503", "429", "slow", "truncated")
DEFAULT_CONFIG = {
    "quota": 150, "window_ms": 30000,  # requests per window (BigCommerce Standard/Plus: 150 per 30 s)
    "fault_rate": 0.0, "fault_kinds": list(FAULT_KINDS), "seed": 0,
    "latency_ms": 0, "slow_ms": 2000,  # added to every response / to "slow" faults
    "webhook_url": None,  # extra destination receiving every event, besides the hooks registered with POST /v3/hooks
    "auto_deliver_webhooks": True,  # False: events wait for POST /__sandbox__/webhooks/deliver
    "async_payment_actions": False,  # True: capture/void stay "capture pending"/"void pending" until /__sandbox__/payments/settle
    "orders_empty_status": 200,  # O2 documents only 200 for GET /v2/orders; set 204 to mimic the live API's empty page
}


def parse_multipart(content_type, raw):
    """A multipart/form-data body as ``{field: text}``, files as ``{field: {filename, content_type, content}}``."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
    if not message.is_multipart():
        raise ApiError(400, "The multipart body cannot be read.")
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename() is not None:
            fields[name] = {"filename": part.get_filename(), "content_type": part.get_content_type(),
                            "content": part.get_payload(decode=True)}
        else:
            fields[name] = part.get_payload(decode=True).decode()
    return fields


class RateLimiter:
    """Fixed window shared by every client of the store, like BigCommerce's per-store quota."""

    def __init__(self, sandbox):
        self.sandbox, self.lock = sandbox, threading.Lock()
        self.start, self.used = time.monotonic(), 0

    def _roll(self, now):
        window = self.sandbox.config["window_ms"] / 1000.0
        if now - self.start >= window:
            self.start, self.used = now - ((now - self.start) % window), 0

    def take(self, consume=True):
        """(allowed, headers); ``consume=False`` only reports (for 401/404 responses)."""
        with self.lock:
            now = time.monotonic()
            self._roll(now)
            quota, window_ms = self.sandbox.config["quota"], self.sandbox.config["window_ms"]
            allowed = self.used < quota
            if consume and allowed:
                self.used += 1
            reset_ms = max(1, int(window_ms - (now - self.start) * 1000))
            headers = {"X-Rate-Limit-Time-Window-Ms": str(window_ms), "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
                       "X-Rate-Limit-Requests-Quota": str(quota), "X-Rate-Limit-Requests-Left": str(max(0, quota - self.used))}
            if consume and not allowed:
                headers["X-Retry-After"] = str(int(math.ceil(reset_ms / 1000.0)))
            return allowed, headers

    def reset(self):
        with self.lock:
            self.start, self.used = time.monotonic(), 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BigCommerceSandbox/1.0"

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # headers and body leave at once

    def log_message(self, fmt, *args):
        if self.server.sandbox.verbose:
            BaseHTTPRequestHandler.log_message(self, fmt, *args)

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def send(self, status, body=None, headers=None, content_type="application/json", raw=None):
        data = raw if raw is not None else (b"" if body is None or status == 204 else json.dumps(body).encode())
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if status != 204:
            self.send_header("Content-Type", content_type + "; charset=utf-8" if "json" in content_type else content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def read_body(self):
        if not self.raw_body:
            return None
        if (self.headers.get("Content-Type") or "").startswith("multipart/form-data"):
            return parse_multipart(self.headers["Content-Type"], self.raw_body)
        try:
            return json.loads(self.raw_body)
        except ValueError:
            raise ApiError(400, "The request body is not valid JSON.") from None

    def dispatch(self):
        sb = self.server.sandbox
        length = int(self.headers.get("Content-Length") or 0)
        self.raw_body = self.rfile.read(length) if length else b""  # always drained, so keep-alive stays in sync
        parts = urlsplit(self.path)
        query = {k: ",".join(v) for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if parts.path.startswith("/__sandbox__"):
            return self.control(parts.path[len("/__sandbox__"):].rstrip("/") or "/", query)
        if parts.path.startswith("/product_images/"):
            return self.send_product_image(parts.path)
        segments = parts.path.split("/", 4)  # "", "stores", hash, version, rest
        if len(segments) < 4 or segments[1] != "stores" or segments[3] not in ("v2", "v3"):
            return self.send(404, {"status": 404, "title": "Not Found", "type": api.STATUS_TYPE})
        store_hash, version, path = segments[2], segments[3], "/" + (segments[4] if len(segments) > 4 else "")
        family = api.family_of(version, path)
        content_type = "application/problem+json" if family == "problem" else "application/json"
        try:
            if store_hash != sb.store_hash:
                raise ApiError(404, "Store not found", title="Not Found")
            if self.headers.get("X-Auth-Token") != sb.access_token:
                raise ApiError(401, "You were not authorised to access this resource: X-Auth-Token is missing or invalid.",
                               title="Unauthorized")
        except ApiError as exc:
            return self.finish_api(exc.status, api.error_body(family, exc.status, exc.message, exc.errors, exc.title),
                                   sb.limiter.take(consume=False)[1], content_type)
        allowed, rate_headers = sb.limiter.take()
        if not allowed:
            sb.count("rate_limited")
            return self.finish_api(429, api.error_body(family, 429, "Too many requests", title="Too Many Requests"),
                                   rate_headers, content_type)
        fault = sb.draw_fault()  # decided before any state is touched
        if fault in ("500", "503", "429"):
            status = int(fault)
            headers = {} if status == 429 else rate_headers  # platform-wide 429: no rate-limit headers
            return self.finish_api(status, api.error_body(family, status, api.TITLES[status], title=api.TITLES[status]),
                                   headers, content_type)
        mutating = self.command != "GET"
        if fault == "slow":
            time.sleep(sb.config["slow_ms"] / 1000.0)
            if mutating:  # a timed-out write must not have happened
                return self.finish_api(504, api.error_body(family, 504, "Gateway Timeout", title="Gateway Timeout"),
                                       rate_headers, content_type)
        if fault == "truncated" and mutating:
            return self.finish_api(200, None, rate_headers, content_type, raw=b'{"data": {"id": ')
        try:
            body = self.read_body() if mutating else None
            handler, args, family = api.resolve(self.command, version, path)
            content_type = "application/problem+json" if family == "problem" else "application/json"
            req = api.Request(self.command, version, path, query, body, sb.config)
            with sb.state.lock:
                status, payload = handler(sb.state, req, *args)
                raw = None if payload is None else json.dumps(payload).encode()
        except ApiError as exc:
            status, raw = exc.status, json.dumps(api.error_body(family, exc.status, exc.message, exc.errors, exc.title)).encode()
        except Exception as exc:  # a sandbox bug: answer like the platform would, and say why on stderr
            traceback.print_exc()
            status, raw = 500, json.dumps(api.error_body(family, 500, "Sandbox error: %s" % exc, title="Internal Server Error")).encode()
        if fault == "truncated" and raw:
            raw = raw[: max(1, len(raw) // 2)]
        self.finish_api(status, None, rate_headers, "application/json" if status < 400 else content_type, raw=raw)
        sb.dispatch_events()

    def send_product_image(self, path):
        """A product image file, as BigCommerce's CDN serves it: no token, no rate limit."""
        match = re.fullmatch(r"/product_images/(\d+)\.png", path)
        if not match or self.command != "GET":
            return self.send(404, {"status": 404, "title": "Not Found"})
        return self.send(200, content_type="image/png", raw=images.png(int(match.group(1))))

    def finish_api(self, status, body, headers, content_type, raw=None):
        sb = self.server.sandbox
        if sb.config["latency_ms"]:
            time.sleep(sb.config["latency_ms"] / 1000.0)
        sb.count("requests")
        sb.count("status_%d" % status)
        self.send(status, body, headers, content_type, raw)

    # ------------------------------------------------------------------ control API
    def control(self, path, query):
        sb = self.server.sandbox
        sb.count("control_requests")
        try:
            body = self.read_body() if self.command in ("POST", "PUT") else None
            body = body or {}
            if path == "/" and self.command == "GET":
                return self.send(200, sb.describe())
            if path == "/reset" and self.command == "POST":
                sb.reset(**{k: body[k] for k in ("extra_orders", "seed") if k in body})
                return self.send(200, {"reset": True, "orders": len(sb.state.orders)})
            if path == "/config":
                if self.command in ("POST", "PUT"):
                    sb.configure(**body)
                return self.send(200, sb.config)
            if path == "/stats" and self.command == "GET":
                return self.send(200, sb.stats())
            if path == "/orders" and self.command == "POST":
                rec = sb.state.create_order(body)
                req = api.Request("GET", "v2", "/orders", {}, None, sb.config)
                with sb.state.lock:
                    order = api.v2_order(sb.state, req, rec)
                sb.dispatch_events()
                return self.send(201, order)
            if path == "/webhooks" and self.command == "GET":
                return self.send(200, {"hooks": list(sb.state.hooks.values()), "pending": len(sb.pending),
                                       "deliveries": sb.deliveries[-100:]})
            if path == "/webhooks/deliver" and self.command == "POST":
                if body.get("scope"):
                    sb.queue_event({"scope": body["scope"], "data": body.get("data") or {}})
                return self.send(200, {"delivered": sb.deliver_pending()})
            if path == "/refunds/decline" and self.command == "POST":
                if not isinstance(body.get("order_id"), int) or not isinstance(body.get("refund_id"), int):
                    raise ApiError(400, "order_id and refund_id (integers) are required")
                refund = sb.state.decline_refund(body["order_id"], body["refund_id"],
                                                 body.get("message") or "Declined by the payment gateway")
                sb.dispatch_events()
                return self.send(200, refund)
            if path == "/catalog" and self.command == "POST":
                total = sb.state.add_catalog(int(body.get("products") or 0), int(body.get("variants_per_product") or 1))
                return self.send(200, {"products": total, "variants": len(sb.state.variants)})
            if path.startswith("/products/") and self.command == "POST":
                product = sb.state.edit_product(int(path.rsplit("/", 1)[1]), body)
                sb.dispatch_events()
                return self.send(200, product)
            if path == "/payments/settle" and self.command == "POST":
                settled = sb.state.settle_all()
                sb.dispatch_events()
                return self.send(200, {"settled": settled})
            raise ApiError(404, "Unknown control endpoint %s %s" % (self.command, path))
        except ApiError as exc:
            return self.send(exc.status, {"status": exc.status, "title": exc.message})
        except (TypeError, ValueError) as exc:
            return self.send(400, {"status": 400, "title": str(exc)})


class Sandbox:
    """A running sandbox: ``url``, ``store_hash``, ``access_token``, ``client_secret``, ``state`` (the Store)."""

    def __init__(self, host="127.0.0.1", port=8765, store_hash="sandbox", access_token="sandbox-token",
                 client_secret="sandbox-secret", client_id="sandbox-client", extra_orders=0, verbose=False, extra_variants=0,
                 **config):
        unknown = set(config) - set(DEFAULT_CONFIG)
        if unknown:
            raise TypeError("unknown sandbox option(s): %s" % ", ".join(sorted(unknown)))
        self.store_hash, self.access_token, self.client_secret, self.verbose = store_hash, access_token, client_secret, verbose
        self.config = dict(DEFAULT_CONFIG, **config)
        self.state = Store(store_hash, client_id, extra_orders, self.config["seed"], extra_variants)
        self.limiter = RateLimiter(self)
        self.rng = random.Random(self.config["seed"])
        self.rng_lock, self.stats_lock = threading.Lock(), threading.Lock()
        self.counters, self.pending, self.deliveries = {}, [], []
        self.generation = 0  # bumped by reset: deliveries begun before it do not count after it
        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.sandbox = self
        self.host, self.port = self.httpd.server_address[:2]
        self.url = "http://%s:%d" % (self.host, self.port)
        self.state.public_url = self.url
        self.thread = None

    @property
    def api_url(self):
        return "%s/stores/%s" % (self.url, self.store_hash)

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="bc-sandbox", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------------ configuration and stats
    def configure(self, **changes):
        unknown = set(changes) - set(DEFAULT_CONFIG) - {"client_secret"}
        if unknown:
            raise ValueError("unknown option(s): %s" % ", ".join(sorted(unknown)))
        if "fault_kinds" in changes and not set(changes["fault_kinds"]) <= set(FAULT_KINDS):
            raise ValueError("fault_kinds must be among %s" % (FAULT_KINDS,))
        for key in ("quota", "window_ms", "latency_ms", "slow_ms"):
            if key in changes and (not isinstance(changes[key], int) or changes[key] < (1 if key in ("quota", "window_ms") else 0)):
                raise ValueError("%s must be a positive integer" % key)
        if "fault_rate" in changes and not 0 <= float(changes["fault_rate"]) <= 1:
            raise ValueError("fault_rate must be between 0 and 1")
        if "client_secret" in changes:
            self.client_secret = changes.pop("client_secret")
        self.config.update(changes)
        if "seed" in changes:
            with self.rng_lock:
                self.rng = random.Random(changes["seed"])
        if {"quota", "window_ms"} & set(changes):
            self.limiter.reset()
        return self.config

    def reset(self, extra_orders=None, seed=None):
        """Fresh seed data, no hooks, no pending webhooks, a new rate window and fault sequence (config is kept)."""
        if seed is not None:
            self.config["seed"] = seed
        self.state.reset(extra_orders, self.config["seed"])
        with self.rng_lock:
            self.rng = random.Random(self.config["seed"])
        self.limiter.reset()
        with self.stats_lock:
            self.counters, self.pending, self.deliveries = {}, [], []
            self.generation += 1

    def count(self, key, n=1):
        with self.stats_lock:
            self.counters[key] = self.counters.get(key, 0) + n

    def stats(self):
        with self.stats_lock:
            c = dict(self.counters)
        return {"requests": c.get("requests", 0), "rate_limited": c.get("rate_limited", 0),
                "faults": {k: c.get("fault_" + k, 0) for k in FAULT_KINDS},
                "faults_total": sum(c.get("fault_" + k, 0) for k in FAULT_KINDS),
                "by_status": {k[7:]: v for k, v in sorted(c.items()) if k.startswith("status_")},
                "webhooks_delivered": c.get("webhooks_delivered", 0), "webhooks_failed": c.get("webhooks_failed", 0),
                "control_requests": c.get("control_requests", 0)}

    def draw_fault(self):
        with self.rng_lock:
            roll = self.rng.random()  # always one draw per request, so the sequence depends only on the seed
            if roll >= self.config["fault_rate"] or not self.config["fault_kinds"]:
                return None
            kind = self.rng.choice(sorted(self.config["fault_kinds"]))
        self.count("fault_" + kind)
        return kind

    def describe(self):
        return {"url": self.url, "api_url": self.api_url, "store_hash": self.store_hash, "access_token": self.access_token,
                "orders": len(self.state.orders), "seed_orders": seed.SEED_ORDER_IDS, "config": self.config,
                "control": ["GET /__sandbox__/", "POST /__sandbox__/reset", "GET|POST /__sandbox__/config",
                            "GET /__sandbox__/stats", "POST /__sandbox__/orders", "GET /__sandbox__/webhooks",
                            "POST /__sandbox__/webhooks/deliver", "POST /__sandbox__/payments/settle",
                            "POST /__sandbox__/refunds/decline", "POST /__sandbox__/catalog",
                            "POST /__sandbox__/products/{id}"]}

    # ------------------------------------------------------------------ webhooks
    def queue_event(self, event):
        payload = self.state.webhook_payload(event["scope"], event["data"])
        targets = [(h["destination"], h.get("headers") or {}, h["id"]) for h in self.state.hooks_for(event["scope"])]
        if self.config["webhook_url"]:
            targets.append((self.config["webhook_url"], {}, None))
        with self.stats_lock:
            self.pending.extend({"payload": payload, "url": url, "headers": headers, "hook_id": hook_id}
                                for url, headers, hook_id in targets)

    def dispatch_events(self):
        for event in self.state.drain_events():
            self.queue_event(event)
        if self.config["auto_deliver_webhooks"] and self.pending:
            threading.Thread(target=self.deliver_pending, daemon=True).start()

    def deliver_pending(self):
        with self.stats_lock:
            batch, self.pending, generation = self.pending, [], self.generation
        return [self.deliver(**item, generation=generation) for item in batch]

    def deliver(self, payload, url, headers=None, hook_id=None, generation=None):
        generation = self.generation if generation is None else generation
        raw = json.dumps(payload, separators=(",", ":")).encode()
        msg_id = "msg_" + uuid.uuid4().hex
        signed = sign_webhook(raw, self.client_secret, msg_id, int(time.time()))
        req = urllib.request.Request(url, data=raw, method="POST",
                                     headers=dict(headers or {}, **signed, **{"Content-Type": "application/json"}))
        result = {"scope": payload["scope"], "data": payload["data"], "url": url, "hook_id": hook_id, "webhook_id": msg_id}
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                result["status"] = resp.status
        except urllib.error.HTTPError as exc:
            result["status"] = exc.code
        except OSError as exc:
            result["status"], result["error"] = None, str(exc)
        ok = result["status"] is not None and 200 <= result["status"] < 300
        with self.stats_lock:
            if generation == self.generation:
                key = "webhooks_delivered" if ok else "webhooks_failed"
                self.counters[key] = self.counters.get(key, 0) + 1
                self.deliveries = self.deliveries[-999:] + [result]
        return result


def start_sandbox(port=0, host="127.0.0.1", quota=150, window_ms=30000, fault_rate=0.0, seed=0, extra_orders=0,
                  client_secret="sandbox-secret", store_hash="sandbox", access_token="sandbox-token", **config):
    """Start a sandbox in a daemon thread; returns the running ``Sandbox``."""
    return Sandbox(host=host, port=port, store_hash=store_hash, access_token=access_token, client_secret=client_secret,
                   extra_orders=extra_orders, quota=quota, window_ms=window_ms, fault_rate=fault_rate, seed=seed,
                   **config).start()
