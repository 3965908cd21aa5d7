import hashlib
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from ..bigcommerce.webhooks import sign_webhook
from .common import CLIENT_SECRET, BigCommerceOrderMixin, listen_to_cron_wakeups, sandbox_instance_vals

# Orders, then customers (their address events by one wildcard hook).
SCOPES = ("store/order/created", "store/order/updated", "store/order/statusUpdated", "store/order/refund/created",
          "store/customer/created", "store/customer/updated", "store/customer/address/*", "store/product/created",
          "store/product/updated", "store/product/deleted")
CONTROLLER_LOGGER = "odoo.addons.bigcommerce_connector.controllers.main"


@tagged("post_install", "-at_install")
class TestOrderWebhooks(BigCommerceOrderMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpBigCommerce()

    def event(self, order_id, delivery, scope="store/order/updated"):
        data = {"type": "order", "id": order_id}
        return {"scope": scope, "store_id": "1000001", "data": data, "created_at": int(time.time()),
                "producer": f"stores/{self.sandbox.store_hash}",
                "hash": hashlib.sha1(f"{order_id}/{delivery}".encode()).hexdigest()}

    def deliver(self, payload, secret=CLIENT_SECRET, signed=True, msg_id=None, instance=None):
        """POST one delivery; ``msg_id``: its webhook-id header, which BigCommerce keeps when it retries."""
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signed:
            headers.update(sign_webhook(raw, secret, msg_id or f"msg_{uuid.uuid4().hex}", time.time()))
        return self.url_open(f"/bigcommerce/webhook/{(instance or self.instance).id}", data=raw, headers=headers)

    def receipts(self):
        return self.env["bc.webhook.event"].search([("instance_id", "=", self.instance.id)])

    def order_lines(self, order_id):
        return self.Line.search([("operation", "=", "bigcommerce_import_order"), ("external_id", "=", str(order_id))])

    def test_forged_or_unsigned_webhooks_are_rejected_and_nothing_is_queued(self):
        self.assertEqual(self.deliver(self.event(103, 1), secret="not-the-secret").status_code, 401)
        self.assertEqual(self.deliver(self.event(103, 2), signed=False).status_code, 401)
        self.instance.client_secret = False
        self.assertEqual(self.deliver(self.event(103, 3)).status_code, 401, "no secret: nothing can be trusted")
        self.assertFalse(self.order_lines(103))
        self.assertFalse(self.env["bc.webhook.event"].search([("instance_id", "=", self.instance.id)]))

    def deliver_concurrently(self, deliveries):
        """POST every (webhook-id, payload) at the same moment, one thread each; their HTTP status codes.
        The requests are concurrent on the wire; the server side processes them one at a time
        in tests, since every request of an HttpCase shares the test's cursor behind a lock."""
        url = f"{self.base_url()}/bigcommerce/webhook/{self.instance.id}"
        start = threading.Barrier(len(deliveries))

        def post(delivery):
            msg_id, payload = delivery
            raw = json.dumps(payload).encode()
            headers = {"Content-Type": "application/json", **sign_webhook(raw, CLIENT_SECRET, msg_id, time.time())}
            start.wait(timeout=30)
            return requests.post(url, data=raw, headers=headers, timeout=60).status_code

        with ThreadPoolExecutor(max_workers=len(deliveries)) as pool:
            statuses = list(pool.map(post, deliveries))
        self.env.invalidate_all()
        return statuses

    def test_fifty_concurrent_deliveries_and_a_poll_give_one_sale_order(self):
        self.add_workflow("captured", confirm_order=True)
        scopes = ("store/order/created", "store/order/updated", "store/order/statusUpdated")
        # 50 deliveries in two waves of 25 sent at once, with the queue run in between;
        # the second wave redelivers 10 events of the first one (same webhook-id).
        first = [(f"msg_{n}", self.event(103, n, scope=scopes[n % 3])) for n in range(25)]
        second = first[:10] + [(f"msg_{n}", self.event(103, n, scope=scopes[n % 3])) for n in range(25, 40)]
        self.assertEqual(self.deliver_concurrently(first), [200] * 25)
        self.assertFalse(self.order_lines(103), "receiving a delivery only records it")
        self.Line._enqueue_received()
        self.assertEqual(len(self.order_lines(103)), 1, "25 events of one order: one queue line")
        self.run_queue()
        self.assertEqual(len(self.sale_order(103)), 1)
        line_count = len(self.sale_order(103).order_line)
        self.assertEqual(self.deliver_concurrently(second), [200] * 25)
        self.Line._enqueue_received()
        self.instance._cron_import_orders()
        lines = self.order_lines(103)
        self.assertEqual(len(lines), 2, "the second wave and the poll share one open line")
        self.assertEqual(len(lines.filtered(lambda line: line.state == "pending")), 1)
        self.run_queue()
        self.assertEqual(len(self.receipts()), 40, "each delivery recorded once, retries not")
        sale_order = self.sale_order(103)
        self.assertEqual(len(sale_order), 1)
        self.assertEqual(sale_order.state, "sale")
        self.assertEqual(len(sale_order.picking_ids), 1, "updates do not deliver twice")
        self.assertEqual(len(sale_order.order_line), line_count, "updates never duplicate lines")
        self.assertTotalsEqualBigCommerce(sale_order, 103)
        self.assertEqual(set(self.order_lines(103).mapped("state")), {"done"})

    def test_a_retried_delivery_is_queued_once_and_a_second_change_is_not_lost(self):
        payload = self.event(104, "same")
        self.assertEqual(self.deliver(payload, msg_id="msg_a").status_code, 200)
        self.assertEqual(self.deliver(payload, msg_id="msg_a").status_code, 200, "BigCommerce retrying")
        self.run_queue()
        self.assertEqual(len(self.order_lines(104)), 1)
        # The order changes again: BigCommerce's hash is the same (data holds only the id), the delivery is new.
        self.assertEqual(self.deliver(payload, msg_id="msg_b").status_code, 200)
        self.run_queue()
        self.assertEqual(len(self.order_lines(104)), 2, "the second change was imported, not taken for a retry")
        self.assertEqual(sorted(self.receipts().mapped("delivery_id")), ["msg_a", "msg_b"])

    def test_a_delivery_while_the_order_is_processing_gets_a_line_after_it(self):
        self.queue_orders(103)
        line = self.order_lines(103)
        # A worker has read the order and is creating the sale order.
        line._as_queue().write({"state": "processing", "processing_started_at": fields.Datetime.now()})
        self.env["ir.cron.trigger"].search([]).unlink()
        self.assertEqual(self.deliver(self.event(103, 1)).status_code, 200)
        self.run_queue()
        self.assertEqual(self.order_lines(103), line, "the change waits for the line that read the order")
        cron = self.env.ref("base_marketplace.ir_cron_process_queue")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id),
                                                             ("call_at", ">", fields.Datetime.now())]),
                        "the queue looks again soon")
        line._as_queue().state = "done"
        self.run_queue()
        follow_up = self.order_lines(103) - line
        self.assertEqual(len(follow_up), 1, "once that line is finished, the change gets a line of its own")
        self.assertEqual(follow_up.state, "done")

    def test_signed_but_malformed_deliveries_are_refused_with_a_warning(self):
        bodies = [
            {"scope": "store/order/updated", "data": "103"},
            {"scope": "store/order/updated", "data": ["order", 103]},
            {"scope": "store/order/updated", "data": {"type": "order", "id": "abc"}},
            {"scope": "store/order/updated", "data": {"type": "order", "id": 10.5}},
            {"scope": "store/order/updated"},
            {"scope": "store/customer/updated", "data": {"type": "order", "id": 2}},
            {"scope": "store/customer/updated", "data": {"type": "customer", "id": "two"}},
            {"scope": "store/customer/address/updated", "data": {"type": "customer", "id": 20}},
            [103],
            b"not json",
        ]
        for body in bodies:
            with self.assertLogs(CONTROLLER_LOGGER, "WARNING") as logs:
                response = self.deliver(body)
            self.assertEqual(response.status_code, 400, body)
            self.assertIn("ignored", logs.output[0])
        self.run_queue()
        self.assertFalse(self.receipts())
        self.assertFalse(self.Line.search([("operation", "in", ["bigcommerce_import_order",
                                                                  "bigcommerce_import_customer"])]))

    def test_a_delivery_larger_than_a_webhook_is_refused_unread(self):
        payload = dict(self.event(103, 1), padding="x" * 20000)
        self.assertEqual(self.deliver(payload).status_code, 413)
        self.assertFalse(self.receipts())

    def test_a_draft_store_refuses_webhooks(self):
        draft = self.env["bc.instance"].create(sandbox_instance_vals(self.sandbox, name="Draft", store_hash="draft1"))
        draft.client_secret = CLIENT_SECRET
        self.assertEqual(self.deliver(self.event(103, 1), instance=draft).status_code, 404)
        self.assertFalse(self.env["bc.webhook.event"].search([("instance_id", "=", draft.id)]))

    def test_an_archived_or_unknown_store_refuses_webhooks(self):
        self.instance.active = False
        self.assertEqual(self.deliver(self.event(103, 1)).status_code, 404)
        self.assertEqual(self.url_open("/bigcommerce/webhook/999999", data=b"{}").status_code, 404)
        self.instance.active = True
        self.assertEqual(self.deliver(self.event(103, 2)).status_code, 200)
        self.assertEqual(len(self.receipts()), 1)

    def test_a_store_changed_after_a_delivery_is_seen_by_the_next_one(self):
        """Each worker caches the store a delivery is for: every change that decides whether a
        delivery is accepted must reach the next delivery."""
        self.assertEqual(self.deliver(self.event(103, 1)).status_code, 200)
        self.instance.marketplace_instance_id.active = False  # archived from the marketplace side
        self.assertEqual(self.deliver(self.event(103, 2)).status_code, 404)
        self.instance.marketplace_instance_id.active = True
        self.instance.state = "draft"
        self.assertEqual(self.deliver(self.event(103, 3)).status_code, 404)
        self.instance.state = "confirmed"
        self.instance.client_secret = "a-new-secret"
        self.assertEqual(self.deliver(self.event(103, 4)).status_code, 401, "the old secret no longer signs")
        self.assertEqual(self.deliver(self.event(103, 5), secret="a-new-secret").status_code, 200)
        other_company = self.env["res.company"].create({"name": "Webhook Company"})
        self.instance.write({"company_id": other_company.id, "warehouse_id": self.env["stock.warehouse"].search(
            [("company_id", "=", other_company.id)], limit=1).id})
        self.assertEqual(self.deliver(self.event(103, 6), secret="a-new-secret").status_code, 200)
        self.assertEqual(self.receipts().sorted("id")[-1].company_id, other_company)

    def test_receiving_a_delivery_is_one_query(self):
        events = self.env["bc.webhook.event"].sudo()
        # A worker's first delivery for the store reads it, and the queue cron's id.
        secret, company_id = events._receivers()[self.instance.id]
        events._record_delivery(self.instance.id, company_id, "msg_first", "store/order/updated", 103)
        with self.assertQueryCount(1):
            secret, company_id = events._receivers()[self.instance.id]
            self.assertTrue(events._record_delivery(self.instance.id, company_id, "msg_next", "store/order/updated", 103))
        self.assertEqual(secret, CLIENT_SECRET)
        with self.assertQueryCount(0):  # a delivery for an unknown store is refused without a query
            self.assertIsNone(events._receivers().get(999999))

    def test_a_delivery_wakes_the_cron_workers_once_answered_a_redelivery_does_not(self):
        woken = listen_to_cron_wakeups(self)
        self.assertEqual(self.deliver(self.event(103, 1), msg_id="msg_wake").status_code, 200)
        self.assertTrue(woken(), "the queue runs at once, not at the cron workers' next wake-up")
        self.assertEqual(self.deliver(self.event(103, 1), msg_id="msg_wake").status_code, 200)
        self.assertFalse(woken())

    def test_other_scopes_are_acknowledged_and_ignored(self):
        payload = self.event(104, 1, scope="store/product/updated")
        payload["data"]["type"] = "product"
        self.assertEqual(self.deliver(payload).status_code, 200)
        self.assertFalse(self.order_lines(104))

    def test_real_bigcommerce_needs_an_https_address_on_port_443(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "http://odoo.example.com:8069")
        self.instance.api_url = "https://api.bigcommerce.com"
        with self.assertRaises(UserError) as caught:
            self.instance.action_register_webhooks()
        self.assertIn("https address on port 443", str(caught.exception))
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://odoo.example.com")
        self.assertEqual(self.env["bc.webhook"]._bigcommerce_url(self.instance),
                         f"https://odoo.example.com/bigcommerce/webhook/{self.instance.id}")

    def _last_webhook_log(self):
        return self.env["marketplace.log"].search([("operation", "=", "webhooks")], limit=1).message

    def test_register_then_repair_webhooks(self):
        self.instance.action_register_webhooks()
        destination = self.env["bc.webhook"]._bigcommerce_url(self.instance)
        hooks = [hook for hook in list(self.instance._bigcommerce_client().iter_webhooks()) if hook["destination"] == destination]
        self.assertEqual(sorted(hook["scope"] for hook in hooks), sorted(SCOPES))
        self.assertTrue(destination.endswith(f"/bigcommerce/webhook/{self.instance.id}"))
        self.instance.action_register_webhooks()
        hooks_again = [hook for hook in list(self.instance._bigcommerce_client().iter_webhooks()) if hook["destination"] == destination]
        self.assertEqual(len(hooks_again), len(SCOPES), "registering twice creates nothing more")
        # BigCommerce deactivates a hook after 48 hours of failed deliveries.
        self.instance._bigcommerce_client().update_webhook(hooks[0]["id"], {"is_active": False})
        self.instance.action_register_webhooks()
        self.assertEqual(sorted(self.instance.webhook_ids.mapped("state")), ["active"] * (len(SCOPES) - 1) + ["inactive"])
        self.assertIn("inactive (use Repair Webhooks)", self._last_webhook_log())
        self.instance.action_repair_webhooks()
        self.assertEqual(self.instance.webhook_ids.mapped("state"), ["active"] * len(SCOPES))
        self.assertIn("reactivated", self._last_webhook_log())
        states = [hook["is_active"] for hook in list(self.instance._bigcommerce_client().iter_webhooks())
                  if hook["destination"] == destination]
        self.assertEqual(states, [True] * len(SCOPES))

    def test_store_lists_its_webhooks_with_their_status(self):
        def states():
            return {hook.scope: hook.state for hook in self.instance.webhook_ids}

        self.instance.action_check_webhooks()
        self.assertEqual(set(states().values()), {"missing"}, "checking creates nothing")
        self.assertFalse(list(self.instance._bigcommerce_client().iter_webhooks()))
        self.instance.action_register_webhooks()
        self.assertEqual(states(), dict.fromkeys(SCOPES, "active"))
        self.assertTrue(all(self.instance.webhook_ids.mapped("bigcommerce_id")))
        self.assertEqual(set(self.instance.webhook_ids.mapped("destination")), {self.env["bc.webhook"]._bigcommerce_url(self.instance)})
        updated = self.instance.webhook_ids.filtered(lambda hook: hook.scope == "store/order/updated")
        # BigCommerce deactivates a hook after 48 hours of failed deliveries; Check shows it.
        self.instance._bigcommerce_client().update_webhook(updated.bigcommerce_id, {"is_active": False})
        self.instance.action_check_webhooks()
        self.assertEqual(states()["store/order/updated"], "inactive")
        self.assertEqual(len(self.instance.webhook_ids), len(SCOPES))
        self.assertTrue(all(self.instance.webhook_ids.mapped("checked_at")))
        self.instance.action_repair_webhooks()
        self.assertEqual(set(states().values()), {"active"})
        # Connector users see the list on the store form.
        user = self.env["res.users"].create({
            "name": "Connector User", "login": "bc_webhook_user",
            "groups_id": [(6, 0, [self.env.ref("bigcommerce_connector.group_bigcommerce_user").id])]})
        arch = self.env["bc.instance"].with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="webhook_ids"', arch)
        self.assertEqual(len(self.instance.with_user(user).webhook_ids), len(SCOPES))
