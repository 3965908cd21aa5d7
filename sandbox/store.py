"""In-memory state of the sandbox store and every mutation the API can make.

All records are kept in their BigCommerce API shape (v2 money as 4-decimal strings, v3 as numbers),
so the HTTP layer only filters, paginates and wraps them. Every mutation bumps ``date_modified``
and queues the webhook events BigCommerce would send (``drain_events``).
"""
import copy
import hashlib
import json
import re
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D
from email.utils import parsedate_to_datetime

from . import seed


class ApiError(Exception):
    """An error response; the HTTP layer shapes the body per API family (v2, v3, problem+json)."""

    def __init__(self, status, message, errors=None, title=None):
        super().__init__(message)
        self.status, self.message, self.errors, self.title = status, message, errors or {}, title


def parse_date(value):
    """RFC-2822 (``Thu, 20 Apr 2017 11:32:00 -0400``) or ISO-8601 (``2017-04-20T11:32:00.000-04:00``)."""
    value = (value or "").strip()
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00")) if value[:4].isdigit() else parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        raise ApiError(400, "Invalid date: %r (use RFC-2822 or ISO-8601)" % value) from None
    if dt is None:
        raise ApiError(400, "Invalid date: %r" % value)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


class Store:
    public_url = "http://127.0.0.1"  # where the sandbox serves files such as product images (set by the server)

    def __init__(self, store_hash="sandbox", client_id="sandbox-client", extra_orders=0, seed_value=0, extra_variants=0):
        self.store_hash, self.client_id = store_hash, client_id
        self.lock = threading.RLock()
        self.extra_variants = extra_variants
        self.reset(extra_orders, seed_value)

    # ------------------------------------------------------------------ setup
    def reset(self, extra_orders=None, seed_value=None):
        with self.lock:
            if extra_orders is not None:
                self.extra_orders = extra_orders
            if seed_value is not None:
                self.seed_value = seed_value
            self.ids, self.orders = seed.build_all(self.extra_orders, self.seed_value, self.store_hash)
            self.epoch = seed.SEED_EPOCH
            self._build_catalog()
            self.catalog_options, self.catalog_images = {}, {}  # made by catalog writes (catalog_writes.py)
            self._build_customers()
            self.hooks, self.next_hook_id = {}, 1
            self.events = []
            self.inventory_transactions = []

    def _build_catalog(self):
        created = seed.iso(self.epoch - timedelta(days=30))
        self.products, self.variants, self.stock = {}, {}, {}
        for p in seed.PRODUCTS + seed.CATALOG_PRODUCTS + seed.synthetic_products(self.extra_variants):
            self._add_catalog_product(p, created)
        self._build_catalog_images()
        self._sync_catalog_levels()

    def _add_catalog_product(self, p, created):
        """One product of ``seed.PRODUCTS``' shape, with its variants and stock."""
        simple = len(p["variants"]) == 1 and p["variants"][0][2] is None
        prod = {
            "id": p["id"], "name": p["name"], "type": p["type"], "sku": p["sku"], "description": "<p>%s</p>" % p["name"],
            "weight": p["weight"], "width": 0, "depth": 0, "height": 0, "price": float(p["price"]), "cost_price": 0,
            "retail_price": 0, "sale_price": 0, "map_price": 0, "tax_class_id": p["tax_class_id"], "product_tax_code": "",
            "categories": list(p["categories"]), "brand_id": p["brand_id"], "inventory_level": 0,
            "inventory_warning_level": 0, "inventory_tracking": p["tracking"], "fixed_cost_shipping_price": 0,
            "is_free_shipping": False, "is_visible": p.get("is_visible", True), "is_featured": False, "related_products": [], "warranty": "",
            "bin_picking_number": "", "layout_file": "product.html", "upc": "", "search_keywords": "",
            "availability_description": "", "availability": p.get("availability", "available"), "gift_wrapping_options_type": "any",
            "gift_wrapping_options_list": [], "sort_order": 0, "condition": "New", "is_condition_shown": False,
            "order_quantity_minimum": 0, "order_quantity_maximum": 0, "page_title": "", "meta_keywords": [],
            "meta_description": "", "view_count": 0, "preorder_message": "", "is_preorder_only": False,
            "is_price_hidden": False, "price_hidden_label": "", "custom_url": {"url": seed.slug(p["name"]), "is_customized": False},
            "open_graph_type": "product", "open_graph_title": "", "open_graph_description": "",
            "open_graph_use_meta_description": True, "open_graph_use_product_name": True, "open_graph_use_image": True,
            "gtin": "", "mpn": "", "reviews_rating_sum": 0, "reviews_count": 0, "total_sold": 0,
            "date_created": created, "date_modified": created, "calculated_price": float(p["price"]),
            "option_set_display": "right", "channels": list(p["channels"]),
        }
        if simple:
            prod["base_variant_id"] = p["variants"][0][0]
        self.products[p["id"]] = prod
        for vid, sku, option, price in p["variants"]:
            self.variants[vid] = {
                "id": vid, "product_id": p["id"], "sku": sku, "sku_id": vid + 1000,
                # effective values (GET /catalog/variants declares them non-nullable)
                "price": float(price or p["price"]), "calculated_price": float(price or p["price"]),
                "sale_price": 0, "retail_price": 0, "map_price": 0, "cost_price": 0, "weight": p["weight"],
                "width": 0, "height": 0, "depth": 0, "is_free_shipping": False, "fixed_cost_shipping_price": 0,
                "purchasing_disabled": False, "purchasing_disabled_message": "", "image_url": "", "upc": "",
                "mpn": "", "gtin": "", "inventory_level": 0, "inventory_warning_level": 0, "bin_picking_number": "",
                "option_values": [{"id": value[1], "label": value[2], "option_id": value[0],
                                   "option_display_name": value[3] if len(value) > 3 else seed.OPTIONS[value[0]]}
                                  for value in (option if isinstance(option, list) else [option] if option else [])],
            }
            for loc in seed.LOCATIONS:
                if vid in seed.STOCK:
                    self.stock[(vid, loc["id"])] = {"onhand": seed.STOCK[vid].get(loc["id"], 0),
                                                    "safety": seed.SAFETY_STOCK.get((vid, loc["id"]), 0),
                                                    "warning": 0, "bin": "BIN-%d-%d" % (loc["id"], vid)}

    # ------------------------------------------------------------------ catalog reads (images, bulk catalog)
    def _build_catalog_images(self):
        """Product images (PR §productImage_Full) and variants' own images; their URLs are paths on
        the sandbox itself (``/product_images/<id>.png``), made absolute with ``public_url``."""
        stamp = seed.iso(self.epoch - timedelta(days=30))
        self.images = {pid: [{"id": image_id, "product_id": pid, "is_thumbnail": thumbnail, "sort_order": n,
                              "description": "", "date_modified": stamp, "path": "/product_images/%d.png" % image_id}
                             for n, (image_id, thumbnail) in enumerate(images)]
                       for pid, images in seed.PRODUCT_IMAGES.items()}
        self.variant_images = {vid: "/product_images/%d.png" % image_id for vid, image_id in seed.VARIANT_IMAGES.items()}

    def add_catalog(self, products, variants_per_product):
        """Add ``seed.synthetic_catalog`` products (benchmarks); returns how many products the store has."""
        with self.lock:
            created = seed.iso(self.epoch - timedelta(days=30))
            first = max(20001, max(self.products) + 1)
            for p in seed.synthetic_catalog(products, variants_per_product, first_id=first):
                self._add_catalog_product(p, created)
            self._sync_catalog_levels()
            return len(self.products)

    def edit_product(self, product_id, changes):
        """Change a product as the control panel would (name, price, is_visible, availability), bump
        ``date_modified`` and fire ``store/product/updated``."""
        editable = {"name", "price", "is_visible", "availability", "weight"}
        if product_id not in self.products:
            raise ApiError(404, "The product was not found.")
        if set(changes) - editable:
            raise ApiError(400, "The sandbox edits only %s" % ", ".join(sorted(editable)))
        with self.lock:
            product = self.products[product_id]
            product.update(changes)
            product["date_modified"] = seed.iso(self.now())
            self.emit("store/product/updated", {"type": "product", "id": product_id})
            return dict(product)

    def _build_customers(self):
        """Customers in the v3 shape, addresses apart (CU3 embeds them only when asked)."""
        self.customers = {}
        for c in seed.CUSTOMERS:
            first = seed.ADDRESSES[c["addresses"][0]]
            stamp = seed.iso(seed.SEED_EPOCH - timedelta(days=100 - c["id"]))
            self.customers[c["id"]] = {
                "id": c["id"], "email": first["email"], "first_name": first["first_name"],
                "last_name": first["last_name"], "company": first["company"], "phone": first["phone"],
                "registration_ip_address": "", "notes": "", "tax_exempt_category": "", "customer_group_id": c["group"],
                "date_modified": stamp, "date_created": stamp, "address_count": len(c["addresses"]),
                "attribute_count": 0, "authentication": {"force_password_reset": False},
                "accepts_product_review_abandoned_cart_emails": False, "origin_channel_id": 1, "channel_ids": [1],
                "store_credit": c["store_credit"],
                "addresses": [{
                    "id": c["id"] * 10 + n, "customer_id": c["id"], "first_name": a["first_name"],
                    "last_name": a["last_name"], "company": a["company"], "address1": a["street_1"],
                    "address2": a["street_2"], "city": a["city"], "state_or_province": a["state"],
                    "postal_code": a["zip"], "country_code": a["country_iso2"], "country": a["country"],
                    "phone": a["phone"], "address_type": "commercial" if a["company"] else "residential",
                } for n, a in enumerate(seed.ADDRESSES[k] for k in c["addresses"])],
            }

    def _sync_catalog_levels(self):
        """Catalog ``inventory_level`` reports the default location (1) only."""
        levels = dict.fromkeys(self.products, 0)
        for v in self.variants.values():
            v["inventory_level"] = self.stock.get((v["id"], 1), {}).get("onhand", 0)
            levels[v["product_id"]] += v["inventory_level"]
        for p in self.products.values():
            p["inventory_level"] = levels[p["id"]] if p["inventory_tracking"] != "none" else 0

    # ------------------------------------------------------------------ helpers
    def now(self):
        return datetime.now(timezone.utc).replace(microsecond=0)

    def touch(self, order):
        """Bump ``date_modified`` to now, strictly after its previous value."""
        previous = parsedate_to_datetime(order["date_modified"])
        order["date_modified"] = seed.rfc2822(max(self.now(), previous + timedelta(seconds=1)))

    def record(self, order_id):
        rec = self.orders.get(order_id)
        if rec is None or rec["order"]["is_deleted"]:
            raise ApiError(404, "The requested resource was not found.", title="Order not found")
        return rec

    def emit(self, scope, data):
        self.events.append({"scope": scope, "data": data})

    def drain_events(self):
        with self.lock:
            events, self.events = self.events, []
        return events

    def webhook_payload(self, scope, data):
        raw = seed_json(data)
        return {"scope": scope, "store_id": str(seed.STORE["store_id"]), "data": data,
                "hash": hashlib.sha1(raw.encode()).hexdigest(), "created_at": int(time.time()),
                "producer": "stores/%s" % self.store_hash}

    # ------------------------------------------------------------------ orders
    def update_order(self, order_id, body):
        editable = {"status_id", "staff_notes", "customer_message", "external_order_id", "is_deleted", "products"}
        unsupported = set(body) - editable
        if unsupported:
            raise ApiError(400, "The sandbox cannot update %s (supported: %s)" % (", ".join(sorted(unsupported)),
                                                                                ", ".join(sorted(editable))))
        with self.lock:
            rec = self.record(order_id)
            order = rec["order"]
            if "status_id" in body and body["status_id"] not in seed.STATUS_NAMES:
                raise ApiError(400, "The field 'status_id' is invalid.")
            quantities = self._product_quantities(rec, body.get("products", []))
            previous = order["status_id"]
            for key in ("staff_notes", "customer_message", "external_order_id", "is_deleted"):
                if key in body:
                    order[key] = body[key]
            if "status_id" in body:
                seed.set_status(order, body["status_id"])
            for line, quantity in quantities:
                seed.set_product_quantity(rec, line, quantity)
            self.touch(order)
            self.emit("store/order/updated", {"type": "order", "id": order_id})
            if order["status_id"] != previous:
                self.emit("store/order/statusUpdated", {"type": "order", "id": order_id, "status": {
                    "previous_status_id": previous, "new_status_id": order["status_id"]}})
            if body.get("is_deleted"):
                self.emit("store/order/archived", {"type": "order", "id": order_id})
            return order

    @staticmethod
    def _product_quantities(rec, products):
        """[(order product, new quantity)] of a PUT's ``products`` (O2 order_Put), all checked before
        anything changes. The sandbox only lowers the quantity of existing order products (0
        removes one), never below what was shipped or refunded."""
        if not isinstance(products, list) or not all(isinstance(item, dict) for item in products):
            raise ApiError(400, "The field 'products' must be an array of objects.")
        lines = {ln["id"]: ln for ln in rec["products"]}
        changes, seen = [], set()
        for item in products:
            other = set(item) - {"id", "quantity"}
            if "id" not in item or other:
                raise ApiError(400, "The sandbox only changes the quantity of an existing order product (id and quantity; "
                                    "not %s)." % ", ".join(sorted(other) or ["a product without id"]))
            line, quantity = lines.get(item["id"]), item.get("quantity")
            if line is None or item["id"] in seen:
                raise ApiError(400, "Order product %r is not a product of order %d, or is listed twice."
                               % (item["id"], rec["order"]["id"]))
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
                raise ApiError(400, "The field 'quantity' must be a non-negative integer.")
            seen.add(line["id"])
            if quantity > line["quantity"]:
                raise ApiError(400, "The sandbox cannot raise quantities: order product %d has %d." % (line["id"], line["quantity"]))
            floor = max(line["quantity_shipped"], line["quantity_refunded"])
            if quantity < floor:
                raise ApiError(400, "Order product %d has %d item(s) shipped and %d refunded: its quantity cannot go below %d."
                               % (line["id"], line["quantity_shipped"], line["quantity_refunded"], floor))
            if quantity != line["quantity"]:
                changes.append((line, quantity))
        return changes

    def create_shipment(self, order_id, body):
        with self.lock:
            rec = self.record(order_id)
            addrs = {a["id"]: a for a in rec["addresses"]}
            lines = {ln["id"]: ln for ln in rec["products"]}
            addr = addrs.get(body.get("order_address_id"))
            if addr is None:
                raise ApiError(400, "The field 'order_address_id' must be a shipping address of order %d (%s)."
                               % (order_id, ", ".join(map(str, addrs)) or "none"))
            items = body.get("items")
            if not isinstance(items, list) or not items:
                raise ApiError(400, "The field 'items' must be a non-empty array.")
            wanted = {}
            for item in items:
                line = lines.get(item.get("order_product_id")) if isinstance(item, dict) else None
                qty = item.get("quantity") if isinstance(item, dict) else None
                if line is None or line["order_address_id"] != addr["id"]:
                    raise ApiError(400, "order_product_id %r is not an order product shipped to address %d."
                                   % (item.get("order_product_id") if isinstance(item, dict) else item, addr["id"]))
                if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
                    raise ApiError(400, "The field 'quantity' must be a positive integer.")
                wanted[line["id"]] = wanted.get(line["id"], 0) + qty
                if wanted[line["id"]] > line["quantity"] - line["quantity_shipped"]:
                    raise ApiError(400, "Order product %d has only %d item(s) left to ship."
                                   % (line["id"], line["quantity"] - line["quantity_shipped"]))
            _check_shipment_fields(body)
            previous = rec["order"]["status_id"]
            shipment = seed.make_shipment(self.ids, rec, addr, [(lines[i], q) for i, q in wanted.items()], body, self.now())
            self.touch(rec["order"])
            self.emit("store/shipment/created", {"type": "shipment", "id": shipment["id"], "orderId": order_id})
            self._order_changed(rec["order"], previous)
            return shipment

    def update_shipment(self, order_id, shipment_id, body):
        """O2#updateOrderShipment: §orderShipment_Put has no ``items``, a shipment's items never change."""
        with self.lock:
            rec = self.record(order_id)
            shipment = next((s for s in rec["shipments"] if s["id"] == shipment_id), None)
            if shipment is None:
                raise ApiError(404, "The requested resource was not found.")
            if not isinstance(body, dict):
                raise ApiError(400, "The request body must be an object.")
            unknown = sorted(set(body) - set(SHIPMENT_PUT_FIELDS))
            if unknown:
                raise ApiError(400, "The field(s) %s cannot be updated on a shipment." % ", ".join(unknown))
            _check_shipment_fields(body)
            if "order_address_id" in body:
                addr = next((a for a in rec["addresses"] if a["id"] == body["order_address_id"]), None)
                if addr is None:
                    raise ApiError(400, "The field 'order_address_id' must be a shipping address of order %d." % order_id)
                shipment["shipping_address"] = {k: addr[k] for k in seed.ADDRESSES["guest"]}
            shipment.update(body)
            if "merchant_shipping_cost" in body:
                shipment["merchant_shipping_cost"] = seed.m4(body["merchant_shipping_cost"] or 0)
            shipment.update(seed.shipment_links(shipment))
            self.touch(rec["order"])
            self.emit("store/shipment/updated", {"type": "shipment", "id": shipment_id, "orderId": order_id})
            return shipment

    def _order_changed(self, order, previous_status):
        self.emit("store/order/updated", {"type": "order", "id": order["id"]})
        if order["status_id"] != previous_status:
            self.emit("store/order/statusUpdated", {"type": "order", "id": order["id"], "status": {
                "previous_status_id": previous_status, "new_status_id": order["status_id"]}})

    def refund_quote(self, order_id, body):
        with self.lock:
            rec = self.record(order_id)
            if "items" not in body:
                raise ApiError(422, "The sandbox only quotes item refunds (tax_adjustment_amount is not modelled).",
                               errors={"items": "required"})
            try:
                return seed.refund_quote(rec, body["items"])
            except seed.RefundError as exc:
                raise ApiError(422, str(exc), title="Refund not allowed") from None

    def create_refund(self, order_id, body):
        with self.lock:
            rec = self.record(order_id)
            if "items" not in body or "payments" not in body:
                raise ApiError(422, "items and payments are required", errors={"items": "required", "payments": "required"})
            override = body.get("merchant_calculated_override")
            try:
                quote = seed.refund_quote(rec, body["items"])
                if override:
                    quote = dict(quote, total_refund_amount=float(override["total_amount"]))
                    quote["refund_methods"] = seed.refund_methods(rec, D(str(override["total_amount"])))
                seed.check_payments(quote, body["payments"])
            except (seed.RefundError, KeyError, TypeError) as exc:
                raise ApiError(422, str(exc), title="Refund not allowed") from None
            previous = rec["order"]["status_id"]
            refund = seed.apply_refund(self.ids, rec, body["items"], body["payments"], quote,
                                       body["items"][0].get("reason", ""), self.now(), override)
            self.touch(rec["order"])
            self.emit("store/order/refund/created", {"type": "order", "id": order_id, "refund": {"refund_id": refund["id"]}})
            self._order_changed(rec["order"], previous)
            return refund

    def decline_refund(self, order_id, refund_id, message="Declined by the payment gateway"):
        """Control API: the gateway declines a refund asynchronously (``is_declined``)."""
        with self.lock:
            rec = self.record(order_id)
            previous = rec["order"]["status_id"]
            try:
                refund = seed.decline_refund(rec, int(refund_id), message)
            except seed.RefundError as exc:
                raise ApiError(404, str(exc)) from None
            self.touch(rec["order"])
            self._order_changed(rec["order"], previous)
            return refund

    def payment_action(self, order_id, action, settle=True):
        """capture | void of an authorized payment; ``settle=False`` leaves it ``capture pending`` / ``void pending``."""
        with self.lock:
            rec = self.record(order_id)
            order = rec["order"]
            if order["payment_status"] != "authorized":
                raise ApiError(422, "Payment of order %d cannot be %s: payment_status is '%s'."
                               % (order_id, "captured" if action == "capture" else "voided", order["payment_status"]))
            order["payment_status"] = "%s pending" % action
            if settle:
                self.settle(rec)
            self.touch(order)
            self.emit("store/order/updated", {"type": "order", "id": order_id})

    def settle(self, rec):
        order = rec["order"]
        if order["payment_status"] not in ("capture pending", "void pending"):
            return False
        action = order["payment_status"].split()[0]
        auth = next(t for t in rec["transactions"] if t["event"] == "authorization")
        payment = {"method": order["payment_method"], "tx_method": auth["method"], "gateway": auth["gateway"]}
        tx = seed.new_transaction(self.ids, order, payment, action, D(order["total_inc_tax"]), self.now())
        tx["reference_transaction_id"] = auth["id"]
        rec["transactions"].append(tx)
        order["payment_status"] = "captured" if action == "capture" else "void"
        return True

    def settle_all(self):
        with self.lock:
            done = [rec["order"]["id"] for rec in self.orders.values() if self.settle(rec)]
            for oid in done:
                self.touch(self.orders[oid]["order"])
                self.emit("store/order/updated", {"type": "order", "id": oid})
            return done

    def create_order(self, spec):
        """Control API: a new order from a compact spec (see ``seed.ORDERS``), firing store/order/created."""
        with self.lock:
            spec = copy.deepcopy(spec)
            spec.setdefault("id", max(self.orders) + 1)
            spec.setdefault("status_id", 11)
            spec.setdefault("customer_id", 0)
            spec.setdefault("payment", "card_captured")
            spec.setdefault("ship_to", [{"addr": seed.CUSTOMER_BILLING.get(spec["customer_id"], "guest"),
                                         "shipping": str(spec.pop("shipping", "10.00")), "method": "Flat Rate"}])
            spec["lines"] = [tuple(ln) if isinstance(ln, list) else ln for ln in spec.get("lines") or [("MUG", 1)]]
            if spec["id"] in self.orders:
                raise ApiError(409, "Order %d already exists" % spec["id"])
            try:
                if spec["payment"] not in seed.PAYMENTS or spec["customer_id"] not in seed.CUSTOMER_BILLING:
                    raise KeyError("payment or customer_id")
                spec["created_offset_min"] = int((self.now() - seed.SEED_EPOCH).total_seconds() // 60)
                spec["modified_offset_min"] = 0
                rec = seed.build_order(spec, self.ids, self.store_hash)
            except (KeyError, ValueError, TypeError, IndexError) as exc:
                raise ApiError(400, "Invalid order spec: %s" % exc) from None
            self.orders[spec["id"]] = rec
            self.emit("store/order/created", {"type": "order", "id": spec["id"]})
            return rec

    # ------------------------------------------------------------------ inventory
    @staticmethod
    def _rejected_item(key, value, why):
        """BigCommerce's 422 for one item of an adjustment: it names the item in ``title``
        (IN#put-absolute-adjustment example "Item has another tracking mode error")."""
        return ApiError(422, None, title="[Item with %s %s %s]" % (key, value, why))

    def _inventory_target(self, item, by_sku):
        if not isinstance(item, dict) or not isinstance(item.get("location_id"), int):
            raise ApiError(422, "Each item needs an integer location_id.", errors={"items": "location_id"})
        if not any(loc["id"] == item["location_id"] for loc in seed.LOCATIONS):
            raise ApiError(422, "Location %s does not exist." % item["location_id"], errors={"location_id": "invalid"})
        key = next((key for key in ("sku", "variant_id", "product_id") if key in item), None)
        if key is None:
            raise ApiError(422, "Each item needs sku, variant_id or product_id.", errors={"items": "identity"})
        if key == "product_id":
            product = self.products.get(item["product_id"])
            if product and product["inventory_tracking"] == "variant":
                raise self._rejected_item(key, item[key], "is tracked by variant, please update stock by variant id")
            variant = self.variants.get(product.get("base_variant_id")) if product else None
        else:
            variant = by_sku.get(str(item["sku"]).lower()) if key == "sku" else self.variants.get(item["variant_id"])
            product = self.products[variant["product_id"]] if variant else None
            # Tracked by product: only the product's own item, addressed by product_id or its SKU.
            if product and product["inventory_tracking"] == "product" \
                    and (key == "variant_id" or product.get("base_variant_id") != variant["id"]):
                raise self._rejected_item(key, item[key], "is tracked by product, please update stock by product id")
        if variant is None:
            raise self._rejected_item(key, item[key], "is not found")
        if self.products[variant["product_id"]]["inventory_tracking"] == "none":
            raise self._rejected_item(key, item[key], "is not tracked, please enable inventory tracking")
        if not isinstance(item.get("quantity"), int) or isinstance(item.get("quantity"), bool):
            raise ApiError(422, "quantity must be an integer", errors={"quantity": "integer"})
        return variant

    def adjust_inventory(self, body, relative):
        with self.lock:
            items = body.get("items") if isinstance(body, dict) else None
            if not isinstance(items, list) or not items:
                raise ApiError(422, "items is required", errors={"items": "required"})
            if len(items) > 2000:
                raise ApiError(422, "At most 2000 items per request", errors={"items": "too many"})
            changes = {}
            by_sku = {v["sku"].lower(): v for v in self.variants.values()}
            for item in items:  # validate everything before touching stock
                variant = self._inventory_target(item, by_sku)
                key = (variant["id"], item["location_id"])
                cell = self.stock.setdefault(key, {"onhand": 0, "safety": 0, "warning": 0, "bin": ""}) if not relative \
                    else self.stock.get(key)
                if cell is None:
                    raise ApiError(422, "Relative adjustment needs a prior absolute adjustment for %s at location %d."
                                   % (variant["sku"], key[1]), errors={"items": "no absolute adjustment"})
                base = changes.get(key, cell["onhand"]) if relative else 0
                new = base + item["quantity"]
                if new < (cell["safety"] if relative else 0):
                    raise ApiError(422, "Stock of %s at location %d cannot go below %d." % (variant["sku"], key[1],
                                   cell["safety"] if relative else 0), errors={"quantity": "too low"})
                changes[key] = new
            for key, value in changes.items():
                self.stock[key]["onhand"] = value
            self._sync_catalog_levels()
            stamp = seed.iso(self.now())
            for vid in {k[0] for k in changes}:
                self.products[self.variants[vid]["product_id"]]["date_modified"] = stamp
            transaction_id = str(uuid.UUID(int=len(self.inventory_transactions) + 1))
            self.inventory_transactions.append({"id": transaction_id, "reason": body.get("reason", ""),
                                                "relative": relative, "changes": {"%d@%d" % k: v for k, v in changes.items()}})
            return {"transaction_id": transaction_id}

    # ------------------------------------------------------------------ customers
    CUSTOMER_FIELDS = {"first_name", "last_name", "email", "company", "phone", "customer_group_id", "notes"}
    ADDRESS_FIELDS = {"first_name", "last_name", "company", "address1", "address2", "city", "state_or_province",
                      "postal_code", "country_code", "phone", "address_type"}

    def _touch_customer(self, customer):
        previous = datetime.fromisoformat(customer["date_modified"].replace("Z", "+00:00"))
        customer["date_modified"] = seed.iso(max(self.now(), previous + timedelta(seconds=1)))

    def _batch(self, body, editable, what):
        if not isinstance(body, list) or not body:
            raise ApiError(422, "The request body must be a non-empty array of %s." % what)
        if len(body) > 10:
            raise ApiError(413, "At most 10 %s a request." % what, title="Request Entity Too Large")
        for item in body:
            unsupported = set(item) - editable - {"id"}
            if not isinstance(item.get("id"), int) or isinstance(item.get("id"), bool):
                raise ApiError(422, "Each of the %s needs its id." % what, errors={"id": "required"})
            if unsupported:
                raise ApiError(400, "The sandbox cannot update %s (supported: %s)" % (
                    ", ".join(sorted(unsupported)), ", ".join(sorted(editable))))

    def update_customers(self, body):
        """CU3#updateCustomers: up to 10 customers, each by id."""
        self._batch(body, self.CUSTOMER_FIELDS, "customers")
        with self.lock:
            missing = [item["id"] for item in body if item["id"] not in self.customers]
            if missing:
                raise ApiError(422, "Customers %s do not exist." % missing, errors={"id": "not found"})
            for item in body:
                customer = self.customers[item["id"]]
                customer.update({key: value for key, value in item.items() if key != "id"})
                self._touch_customer(customer)
                self.emit("store/customer/updated", {"type": "customer", "id": customer["id"]})
            return [self.customers[item["id"]] for item in body]

    def add_customer(self, addresses=(), **fields):
        """A new customer (tests and demos; BigCommerce's CU3#createCustomers is not served):
        ``fields`` over a blank account, ``addresses`` as v3 address dicts."""
        with self.lock:
            cid = max(self.customers, default=0) + 1
            stamp = seed.iso(self.now())
            customer = dict(next(iter(self.customers.values())), id=cid, email="customer%d@example.com" % cid,
                            first_name="Customer", last_name=str(cid), company="", phone="", customer_group_id=0,
                            date_created=stamp, date_modified=stamp, store_credit="0.00")
            customer.update(fields)
            base = {"first_name": customer["first_name"], "last_name": customer["last_name"], "company": "",
                    "address2": "", "phone": "", "address_type": "residential"}
            customer["addresses"] = [dict(base, **a, id=cid * 100 + n, customer_id=cid) for n, a in enumerate(addresses)]
            customer["address_count"] = len(customer["addresses"])
            self.customers[cid] = customer
            self.emit("store/customer/created", {"type": "customer", "id": cid})
            return customer

    def customer_addresses(self):
        return [a for c in sorted(self.customers.values(), key=lambda c: c["id"]) for a in c["addresses"]]

    def update_customer_addresses(self, body):
        """CU3#updateCustomersAddresses: up to 10 addresses, each by id."""
        self._batch(body, self.ADDRESS_FIELDS, "addresses")
        with self.lock:
            addresses = {a["id"]: a for a in self.customer_addresses()}
            missing = [item["id"] for item in body if item["id"] not in addresses]
            if missing:
                raise ApiError(422, "Addresses %s do not exist." % missing, errors={"id": "not found"})
            for item in body:
                address = addresses[item["id"]]
                address.update({key: value for key, value in item.items() if key != "id"})
                # Assumed: the account's date_modified follows its addresses, so a poll sees the change.
                self._touch_customer(self.customers[address["customer_id"]])
                self.emit("store/customer/address/updated",
                          {"type": "customer", "id": address["id"], "address": {"customer_id": address["customer_id"]}})
            return [addresses[item["id"]] for item in body]

    # ------------------------------------------------------------------ webhooks
    def create_hook(self, body):
        with self.lock:
            errors = {k: "required" for k in ("scope", "destination") if not isinstance(body.get(k), str) or not body.get(k)}
            if errors:
                raise ApiError(422, "scope and destination are required", errors=errors)
            if not body["destination"].startswith(("http://", "https://")):
                raise ApiError(422, "destination must be an http(s) URL", errors={"destination": "invalid"})
            mine = [h for h in self.hooks.values() if h["scope"] == body["scope"]]
            if any(h["destination"] == body["destination"] for h in mine):
                raise ApiError(422, "A webhook for this scope and destination already exists.", errors={"destination": "duplicate"})
            if len(mine) >= 10:
                raise ApiError(422, "At most 10 webhooks per scope.", errors={"scope": "limit"})
            now = int(time.time())
            hook = {"id": self.next_hook_id, "client_id": self.client_id, "store_hash": self.store_hash,
                    "scope": body["scope"], "destination": body["destination"], "headers": body.get("headers"),
                    "is_active": body.get("is_active", True), "created_at": now, "updated_at": now}
            self.hooks[hook["id"]] = hook
            self.next_hook_id += 1
            return hook

    def hook(self, hook_id):
        if hook_id not in self.hooks:
            raise ApiError(404, "Webhook %d not found" % hook_id, title="Not Found")
        return self.hooks[hook_id]

    def update_hook(self, hook_id, body):
        with self.lock:
            hook = self.hook(hook_id)
            for key in ("scope", "destination", "is_active", "headers"):
                if key in body:
                    hook[key] = body[key]
            hook["updated_at"] = int(time.time())
            return hook

    def delete_hook(self, hook_id):
        with self.lock:
            return self.hooks.pop(self.hook(hook_id)["id"])

    def hooks_for(self, scope):
        def matches(pattern):
            return pattern == scope or (pattern.endswith("/*") and scope.startswith(pattern[:-1]))
        with self.lock:
            return [dict(h) for h in self.hooks.values() if h["is_active"] and matches(h["scope"])]


def seed_json(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


SHIPMENT_PUT_FIELDS = ("order_address_id", "tracking_number", "merchant_shipping_cost", "shipping_method",
                       "shipping_provider", "tracking_carrier", "tracking_link", "comments")  # O2 §orderShipment_Put
SHIPPING_PROVIDERS = ("", "auspost", "canadapost", "endicia", "usps", "fedex", "ups", "upsready", "upsonline",
                      "shipperhq", "royalmail")  # O2 §shipping_provider_standard


def _check_shipment_fields(body):
    for key, limit in (("tracking_number", 50), ("tracking_link", 500), ("comments", 65535)):
        if len(str(body.get(key, ""))) > limit:
            raise ApiError(400, "The field '%s' is longer than %d characters." % (key, limit))
    for key in ("tracking_number", "shipping_method", "shipping_provider", "tracking_carrier", "tracking_link", "comments"):
        if key in body and not isinstance(body[key], str):
            raise ApiError(400, "The field '%s' must be a string." % key)
    provider = body.get("shipping_provider", "")
    # A provider outside the enum is a third-party one, ``carrier_{id}`` (O2 §shipping_provider_custom).
    if provider not in SHIPPING_PROVIDERS and not re.fullmatch(r"carrier_\d+", provider):
        raise ApiError(400, "The field 'shipping_provider' is not a valid shipping provider: %r." % provider)
