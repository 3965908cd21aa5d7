from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from ..bigcommerce.client import BigCommerceClient
from ..bigcommerce.errors import ServerError
from ..bigcommerce.orders import parse_datetime, to_naive_utc
from .common import BigCommerceOrderCase

PAGE = 3


@tagged("post_install", "-at_install")
class TestOrderBackfill(BigCommerceOrderCase):

    def queued_order_ids(self):
        return set(self.Line.search([("operation", "=", "bigcommerce_import_order")]).mapped("external_id"))

    def test_a_poll_that_fails_midway_keeps_the_pages_it_queued_and_resumes_after_them(self):
        real_pages = BigCommerceClient.iter_order_pages
        seen = []

        def two_pages_then_fail(client, limit=250, **filters):
            pages = real_pages(client, limit=PAGE, **filters)
            for _page in range(2):
                seen.append(next(pages))
                yield seen[-1]
            raise ServerError("GET /v2/orders: 503", status=503, user_message="BigCommerce is unavailable.")

        with patch.object(BigCommerceClient, "iter_order_pages", two_pages_then_fail):
            self.instance._cron_import_orders()
        first_pages = [order for page in seen for order in page]
        self.assertEqual(self.queued_order_ids(), {str(order["id"]) for order in first_pages},
                         "the two pages listed before the failure are queued")
        self.assertEqual(self.instance.last_order_import_at,
                         max(to_naive_utc(parse_datetime(order["date_modified"])) for order in first_pages),
                         "the watermark moved to the last page queued")
        self.instance._cron_import_orders()
        every_order = {str(order_id) for order_id in self.sandbox.state.orders}
        self.assertEqual(self.queued_order_ids(), every_order, "the next poll queued the rest")

    def test_an_import_by_date_range_lists_a_page_per_line_and_resumes_at_the_page_that_failed(self):
        self.sandbox.reset(extra_orders=600)
        real_pages = BigCommerceClient.iter_order_pages
        failures = []

        def second_page_fails_once(client, limit=250, first_page=1, **filters):
            if first_page == 2 and not failures:
                failures.append(first_page)
                raise ServerError("GET /v2/orders: 503", status=503, user_message="BigCommerce is unavailable.")
            return real_pages(client, limit=limit, first_page=first_page, **filters)

        wizard = self.env["marketplace.operation.wizard"].create({
            "instance_ids": [self.instance.marketplace_instance_id.id], "operation": "bigcommerce_import_orders",
            "bigcommerce_date_from": datetime(2000, 1, 1), "bigcommerce_date_to": datetime(2100, 1, 1)})
        Line = type(self.Line)
        with patch.object(BigCommerceClient, "iter_order_pages", second_page_fails_once), \
                patch.object(Line, "_process_bigcommerce_import_order", lambda line, payload: None):
            wizard.action_run()
            self.run_queue()
            pages = self.Line.search([("operation", "=", "bigcommerce_list_orders")], order="id")
            self.assertEqual(pages.mapped("state"), ["done", "pending"], "page 2 waits for its retry")
            self.assertEqual(len(self.queued_order_ids()), 250, "page 1's orders are queued")
            with freeze_time(pages[1].next_retry_at + timedelta(seconds=1)):
                self.run_queue()
        pages = self.Line.search([("operation", "=", "bigcommerce_list_orders")], order="id")
        self.assertEqual(pages.mapped("state"), ["done"] * 3)
        self.assertEqual(self.queued_order_ids(), {str(order_id) for order_id in self.sandbox.state.orders})
