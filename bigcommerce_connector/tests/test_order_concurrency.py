import threading
import time
from unittest.mock import patch

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..bigcommerce.client import BigCommerceClient
from ..bigcommerce.refunds import refund_method_key, refund_methods
from .common import CLIENT_SECRET, start_sandbox


@tagged("post_install", "-at_install")
class TestOrderImportConcurrency(TransactionCase):
    """Two workers importing the same order at the same moment, each on its own database
    connection: one sale order results, and the loser fails with an error the queue retries.

    Other connections cannot see the test transaction, so the store and products are
    committed through a separate connection and removed afterwards.
    """

    def _real_env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        self.sandbox = start_sandbox(port=0, client_secret=CLIENT_SECRET)
        self.addCleanup(self.sandbox.stop)
        with db_connect(self.env.cr.dbname).cursor() as cr:
            env = self._real_env(cr)
            # Taxes need the company's country.
            self.company_country_id = env.company.country_id.id
            env.company.country_id = env.ref("base.us")
            instance = env["bc.instance"].create({
                "name": "Concurrency Store", "store_hash": self.sandbox.store_hash, "access_token": self.sandbox.access_token,
                "client_secret": CLIENT_SECRET, "api_url": self.sandbox.url,
            })
            self.instance_id = instance.id
            self.product_ids = env["product.product"].create([
                {"name": sku, "default_code": sku, "type": "consu", "taxes_id": [Command.clear()]}
                for sku in ("TSHIRT-M", "SKILLET-10", "MUG", "DRESS-RED", "TSHIRT-L")]).ids
            _job, lines = env["marketplace.queue.line"]._enqueue(
                instance.marketplace_instance_id, "bigcommerce_import_order",
                [{"external_id": "103", "payload": {"order_id": 103, "requested": True}}])
            self.line_id = lines.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with db_connect(self.env.cr.dbname).cursor() as cr:
            env = self._real_env(cr)
            orders = env["sale.order"].search([("bigcommerce_instance_id", "=", self.instance_id)])
            partners = orders.partner_id | orders.partner_invoice_id | orders.partner_shipping_id
            orders.unlink()
            instance = env["bc.instance"].browse(self.instance_id)
            instance_created = instance.create_date
            products = env["product.product"].browse(self.product_ids)
            service_products = instance.shipping_product_id | instance.custom_product_id | instance.discount_product_id
            taxes = env["account.tax"].search([("name", "like", "BigCommerce %")])
            instance.unlink()
            (products | service_products).product_tmpl_id.unlink()
            partners.exists().unlink()
            tax_groups = taxes.tax_group_id.filtered(lambda group: group.create_date >= instance_created)
            taxes.unlink()
            tax_groups.exists().unlink()
            env.company.country_id = self.company_country_id

    @mute_logger("odoo.sql_db")  # the losing INSERT is logged as a bad query before it is retried
    def test_two_workers_on_one_order_make_one_sale_order(self):
        start = threading.Barrier(2)
        outcomes = []

        def worker(cr):
            # The main thread builds the environment: it holds the registry lock.
            env = self._real_env(cr)
            instance = env["bc.instance"].browse(self.instance_id)

            def run():
                with cr:
                    try:
                        start.wait()
                        order = env["sale.order"]._bigcommerce_import(instance, {"order_id": 103, "requested": True})
                        cr.commit()  # pylint: disable=invalid-commit
                        outcomes.append(("created", order.id))
                    except Exception as error:  # noqa: BLE001 - the assertion below says which
                        cr.rollback()
                        outcomes.append(("failed", error))
            return run

        threads = [threading.Thread(target=worker(db_connect(self.env.cr.dbname).cursor())) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        kinds = sorted(kind for kind, _value in outcomes)
        self.assertEqual(kinds, ["created", "failed"], outcomes)
        error = next(value for kind, value in outcomes if kind == "failed")
        self.assertIsInstance(error, (pg_errors.UniqueViolation, pg_errors.SerializationFailure))
        # The queue's retry of the loser then finds the order and updates it.
        with db_connect(self.env.cr.dbname).cursor() as cr:
            env = self._real_env(cr)
            instance = env["bc.instance"].browse(self.instance_id)
            env["sale.order"]._bigcommerce_import(instance, {"order_id": 103, "requested": True})
            cr.commit()  # pylint: disable=invalid-commit
            self.assertEqual(env["sale.order"].search_count([("bigcommerce_instance_id", "=", self.instance_id),
                                                            ("bigcommerce_order_id", "=", "103")]), 1)

    def _two_users_at_once(self, click, slow_call="create_refund_quote"):
        """What two users see who ``click(env)`` at the same moment, each on a database connection
        of their own, while BigCommerce takes a second to answer ``slow_call`` (a client method):
        each a notification type or the UserError's message."""
        start = threading.Barrier(2)
        outcomes = []
        call = getattr(BigCommerceClient, slow_call)

        def slow(client, *args, **kwargs):
            time.sleep(1)  # the first user is still waiting for BigCommerce when the second clicks
            return call(client, *args, **kwargs)

        def user(cr):
            env = self._real_env(cr)  # built here: the main thread holds the registry lock

            def run():
                with cr:
                    try:
                        start.wait()
                        notification = click(env)
                        cr.commit()  # pylint: disable=invalid-commit
                        outcomes.append(notification["params"]["type"])
                    except UserError as error:
                        cr.rollback()
                        outcomes.append(error.args[0])
            return run

        with patch.object(BigCommerceClient, slow_call, slow):
            threads = [threading.Thread(target=user(db_connect(self.env.cr.dbname).cursor())) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        return outcomes

    def test_two_users_cancelling_with_refund_at_once_send_one_refund(self):
        with db_connect(self.env.cr.dbname).cursor() as cr:
            env = self._real_env(cr)
            instance = env["bc.instance"].browse(self.instance_id)
            instance.action_confirm()  # its order statuses, with their Allow Cancellation flags
            order = env["sale.order"]._bigcommerce_import(instance, {"order_id": 103, "requested": True})
            order.with_context(disable_cancel_warning=True).action_cancel()
            order_id = order.id
            cr.commit()  # pylint: disable=invalid-commit
        outcomes = self._two_users_at_once(
            lambda env: env["sale.order"].browse(order_id)._bigcommerce_cancel_in_store("Duplicate", True))
        self.assertEqual(len(self.sandbox.state.orders[103]["refunds"]), 1, outcomes)
        self.assertIn("success", outcomes)
        other = next(outcome for outcome in outcomes if outcome != "success")
        self.assertIn("Someone else is changing", other)
        self.assertEqual(self.sandbox.state.orders[103]["order"]["status_id"], 5)

    def test_two_users_marking_an_authorised_order_paid_at_once_capture_it_once(self):
        with db_connect(self.env.cr.dbname).cursor() as cr:
            env = self._real_env(cr)
            instance = env["bc.instance"].browse(self.instance_id)
            instance.mark_order_paid = True
            order_id = env["sale.order"]._bigcommerce_import(instance, {"order_id": 104, "requested": True}).id
            cr.commit()  # pylint: disable=invalid-commit
        self.sandbox.configure(async_payment_actions=True)  # as BigCommerce: the gateway answers later
        captures = []
        capture = BigCommerceClient.capture_payment

        def counted(client, order):
            captures.append(order)
            return capture(client, order)
        # Invoiced and paid in Odoo is TestMarkAsPaid's: here only the BigCommerce side races.
        with patch.object(type(self.env["sale.order"]), "_bigcommerce_paid_in_odoo", return_value=True), \
                patch.object(BigCommerceClient, "capture_payment", counted):
            outcomes = self._two_users_at_once(
                lambda env: env["sale.order"].browse(order_id).action_bigcommerce_mark_paid(), slow_call="get_order")
        self.assertEqual(len(captures), 1, outcomes)
        self.assertIn("success", outcomes)
        other = next(outcome for outcome in outcomes if outcome != "success")
        self.assertIn("Someone else is changing", other)
        self.assertEqual(self.sandbox.state.orders[104]["order"]["payment_status"], "capture pending")

    def test_two_users_refunding_one_credit_note_at_once_send_one_refund(self):
        with db_connect(self.env.cr.dbname).cursor() as cr:
            env = self._real_env(cr)
            # Invoices need a chart of accounts, committed here: on a company of its own, so that the
            # tests that follow find the main company as it was.
            company = env["res.company"].create({"name": "Concurrency Refunds", "country_id": env.ref("base.us").id})
            env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
            instance = env["bc.instance"].browse(self.instance_id)
            instance.write({"company_id": company.id, "warehouse_id": env["stock.warehouse"].search(
                [("company_id", "=", company.id)], limit=1).id})
            order = env["sale.order"]._bigcommerce_import(instance, {"order_id": 103, "requested": True})
            order.action_confirm()
            invoice = order._create_invoices()
            invoice.action_post()
            credit_note = invoice._reverse_moves()
            credit_note.invoice_line_ids.filtered(lambda line: "TSHIRT-M" not in line.name).unlink()
            credit_note.invoice_line_ids.quantity = 1
            credit_note.action_post()
            credit_note_id = credit_note.id
            with instance._bigcommerce_client() as client:
                _items, quote, _refusal = credit_note._bigcommerce_refund_quote(client)
            method_key = refund_method_key(refund_methods(quote)[0][1])
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self._cleanup_invoices, credit_note_id)
        outcomes = self._two_users_at_once(
            lambda env: env["account.move"].browse(credit_note_id)._bigcommerce_refund_in_store("Too small", method_key))
        self.assertEqual(len(self.sandbox.state.orders[103]["refunds"]), 1, outcomes)
        self.assertIn("success", outcomes)
        other = next(outcome for outcome in outcomes if outcome != "success")
        self.assertIn("Someone else is changing", other)
        with db_connect(self.env.cr.dbname).cursor() as cr:
            credit_note = self._real_env(cr)["account.move"].browse(credit_note_id)
            refund = self.sandbox.state.orders[103]["refunds"][0]
            self.assertEqual(credit_note.bigcommerce_refund_id, str(refund["id"]))

    def _cleanup_invoices(self, credit_note_id):
        """What the confirmed, invoiced order made goes before it (``_cleanup``)."""
        with db_connect(self.env.cr.dbname).cursor() as cr:
            env = self._real_env(cr)
            credit_note = env["account.move"].browse(credit_note_id)
            moves = credit_note | credit_note.reversed_entry_id
            orders = moves.line_ids.sale_line_ids.order_id
            moves.button_draft()
            moves.unlink()
            orders._action_cancel()
            orders.picking_ids.unlink()
