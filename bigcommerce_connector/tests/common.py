import os
import select
import sys
from contextlib import contextmanager
from decimal import Decimal
from unittest.mock import patch

import psycopg2

from odoo import Command
from odoo.sql_db import connection_info_for
from odoo.tests import Form, HttpCase, TransactionCase

from ..bigcommerce.client import BigCommerceClient
from ..bigcommerce.errors import ServerError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from sandbox import seed  # noqa: E402,F401 - needs the repository root on sys.path
from sandbox.server import start_sandbox  # noqa: E402 - needs the repository root on sys.path

CLIENT_SECRET = "test-client-secret"


def listen_to_cron_wakeups(case):
    """LISTEN where Odoo's cron workers do (``cron_trigger`` on the ``postgres`` database);
    returns ``woken()``: whether they were told about this database since the last call,
    waiting up to 2 s for it."""
    _dbname, connection_info = connection_info_for("postgres")
    listener = psycopg2.connect(**connection_info)
    listener.autocommit = True
    case.addCleanup(listener.close)
    listener.cursor().execute("LISTEN cron_trigger")
    dbname = case.env.cr.dbname

    def woken():
        notified = []
        while dbname not in notified and select.select([listener], [], [], 2) != ([], [], []):
            listener.poll()
            notified += [notify.payload for notify in listener.notifies]
            listener.notifies.clear()
        return dbname in notified
    return woken


def open_wizard(env, action, **values):
    """The wizard a button's ``action`` opens, filled with ``values`` as a user would, and saved."""
    model = env[action["res_model"]]
    form = Form(model.browse(action["res_id"]) if action.get("res_id") else model.with_context(**action["context"]))
    for name, value in values.items():
        setattr(form, name, value)
    return form.save()


@contextmanager
def refund_created_then_lost():
    """BigCommerce creates the refund, then its answer is lost (a timeout)."""
    create = BigCommerceClient.create_refund

    def refund_then_fail(client, order_id, payload):
        create(client, order_id, payload)
        raise ServerError("POST refunds: timeout", status=None, user_message="BigCommerce did not answer in time.")

    with patch.object(BigCommerceClient, "create_refund", refund_then_fail):
        yield


def sandbox_instance_vals(sandbox, **vals):
    return dict({
        "name": "Sandbox Store",
        "store_hash": sandbox.store_hash,
        "access_token": sandbox.access_token,
        "client_secret": sandbox.client_secret,
        "api_url": sandbox.url,
    }, **vals)


class BigCommerceSandboxCase(TransactionCase):
    """A running sandbox store on 127.0.0.1 and a draft instance pointing at it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = start_sandbox(port=0, quota=10000, window_ms=30000)
        cls.addClassCleanup(cls.sandbox.stop)
        cls.instance = cls.env["bc.instance"].create(sandbox_instance_vals(cls.sandbox))

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
CATALOG = {  # sku: (name, storable)
    "TSHIRT-S": ("Classic T-Shirt S", True), "TSHIRT-M": ("Classic T-Shirt M", True),
    "TSHIRT-L": ("Classic T-Shirt L", True), "KNIFE-8": ("Chef Knife 8in", True),
    "SKILLET-10": ("Cast Iron Skillet", True), "DRESS-RED": ("Summer Dress Red", True),
    "DRESS-BLUE": ("Summer Dress Blue", True), "MUG": ("Coffee Mug", True),
    "EBOOK-COOK": ("Cooking 101 (E-Book)", False),
}


class BigCommerceOrderMixin:
    """A confirmed store on a fresh sandbox, its catalog in Odoo by SKU, and a chart of
    accounts; ``import_orders`` runs the queue the way the cron does."""

    @classmethod
    def setUpBigCommerce(cls):
        cls.sandbox = start_sandbox(port=0, client_secret=CLIENT_SECRET)
        cls.addClassCleanup(cls.sandbox.stop)
        company = cls.env.company
        company.country_id = cls.env.ref("base.us")
        cls.env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
        cls.instance = cls.env["bc.instance"].create(sandbox_instance_vals(cls.sandbox))
        cls.instance.action_confirm()
        cls.instance.import_status_ids = cls.instance.order_status_ids
        cls.products = {
            sku: cls.env["product.product"].create({
                "name": name, "default_code": sku, "type": "consu", "is_storable": storable,
                "invoice_policy": "order", "taxes_id": [Command.clear()],
            }) for sku, (name, storable) in CATALOG.items()
        }
        cls.bank_journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
        cls.Line = cls.env["marketplace.queue.line"]
        cls.SaleOrder = cls.env["sale.order"]

    def setUp(self):
        super().setUp()
        self.sandbox.reset()  # a test that edits an order in BigCommerce leaves the next one the seed data

    def bc_order(self, order_id):
        """The sandbox's live order record."""
        return self.sandbox.state.orders[order_id]["order"]

    def add_workflow(self, payment_status="captured", gateway=None, **steps):
        steps = steps or {"confirm_order": True}
        return self.env["bc.financial.workflow"].create({
            "instance_id": self.instance.id, "payment_status": payment_status,
            "gateway_id": gateway.id if gateway else False, **steps})

    def queue_orders(self, *order_ids):
        job = self.instance._bigcommerce_enqueue_order_ids(list(order_ids), "Test import", requested=True)
        return job

    def run_queue(self):
        while self.Line._cron_process_queue(batch_size=50):
            pass

    def import_orders(self, *order_ids):
        self.queue_orders(*order_ids)
        self.run_queue()
        lines = self.Line.search([("operation", "=", "bigcommerce_import_order"),
                                  ("external_id", "in", [str(i) for i in order_ids])])
        failed = lines.filtered(lambda line: line.state == "failed")
        self.assertFalse(failed, "\n".join(failed.mapped("last_error")))
        return self.sale_order(*order_ids)

    def sale_order(self, *order_ids):
        return self.SaleOrder.search([("bigcommerce_instance_id", "=", self.instance.id),
                                      ("bigcommerce_order_id", "in", [str(i) for i in order_ids])])

    def log_messages(self, sale_order, level=None):
        """The store's log lines about ``sale_order`` (of ``level`` when given)."""
        domain = [("res_model", "=", "sale.order"), ("res_id", "=", sale_order.id)]
        return self.env["marketplace.log"].search(domain + ([("level", "=", level)] if level else [])).mapped("message")

    def assertTotalsEqualBigCommerce(self, sale_order, order_id):
        bc = self.bc_order(order_id)
        self.assertFalse(sale_order.bigcommerce_totals_mismatch)
        cur = sale_order.currency_id
        self.assertEqual(cur.round(sale_order.amount_total), float(Decimal(bc["total_inc_tax"]).quantize(Decimal("0.01"))),
                         "total")
        self.assertEqual(cur.round(sale_order.amount_tax), float(Decimal(bc["total_tax"]).quantize(Decimal("0.01"))),
                         "tax")
        self.assertEqual(cur.round(sale_order.amount_untaxed),
                         float((Decimal(bc["total_inc_tax"]) - Decimal(bc["total_tax"])).quantize(Decimal("0.01"))),
                         "untaxed")


class BigCommerceOrderCase(BigCommerceOrderMixin, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpBigCommerce()


class BigCommerceWebhookCase(BigCommerceOrderMixin, HttpCase):
    """The store's webhooks registered at this test server; the sandbox delivers them when the
    test says so (``sandbox.dispatch_events``, ``sandbox.deliver_pending``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpBigCommerce()

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        self.instance.action_register_webhooks()
        self.sandbox.configure(auto_deliver_webhooks=False)
        self.addCleanup(self.sandbox.configure, auto_deliver_webhooks=True)


class BigCommerceListingCase(BigCommerceSandboxCase):
    """A confirmed sandbox store with the pricelist listings are exported with."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.action_confirm()
        cls.instance.pricelist_id = cls.env["product.pricelist"].create(
            {"name": "Store USD", "currency_id": cls.env.ref("base.USD").id})
