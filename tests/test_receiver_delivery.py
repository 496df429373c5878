# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Delivery ids, call states, retry delays and transient errors, without a database."""

import doctest
import io

from psycopg2 import InterfaceError, OperationalError, errors

from odoo.exceptions import UserError
from odoo.tests import BaseCase

from ..receiver import delivery
from ..receiver.delivery import (
    MAX_RETRY_DELAY,
    call_state_from_job,
    get_delivery_id,
    retry_delay,
)
from ..receiver.errors import WebhookTargetNotFound, is_transient


class TestDelivery(BaseCase):
    def test_delivery_id_from_a_header(self):
        headers = {"X-GitHub-Delivery": " 72d3162e ", "Other": "x"}
        for key in ("X-GitHub-Delivery", "x-github-delivery", " X-GITHUB-DELIVERY "):
            with self.subTest(key=key):
                self.assertEqual(
                    get_delivery_id("header", key, headers, {}), "72d3162e"
                )
        self.assertIsNone(get_delivery_id("header", "X-Missing", headers, {}))
        self.assertIsNone(get_delivery_id("header", "Other", {"Other": "  "}, {}))

    def test_delivery_id_from_the_payload(self):
        payload = {"id": "evt_1", "n": 0, "flag": True, "obj": {}, "list": [5]}
        self.assertEqual(get_delivery_id("payload", "id", {}, payload), "evt_1")
        self.assertEqual(get_delivery_id("payload", "n", {}, payload), "0")
        self.assertEqual(get_delivery_id("payload", "list.0", {}, payload), "5")
        for key in ("flag", "obj", "list", "missing", "id.x"):
            with self.subTest(key=key):
                self.assertIsNone(get_delivery_id("payload", key, {}, payload))

    def test_no_source_no_id(self):
        self.assertIsNone(get_delivery_id("none", "id", {}, {"id": 1}))
        self.assertIsNone(get_delivery_id("payload", "", {}, {"id": 1}))

    def test_retry_delays_double_up_to_a_ceiling(self):
        self.assertEqual([retry_delay(n, 1) for n in range(1, 6)], [1, 2, 4, 8, 16])
        self.assertEqual(retry_delay(100, 10), MAX_RETRY_DELAY)
        self.assertEqual(retry_delay(1, 0), 1)

    def test_call_state_from_job(self):
        self.assertEqual(call_state_from_job("pending", False), "accepted")
        self.assertEqual(call_state_from_job("enqueued", False), "accepted")
        self.assertEqual(call_state_from_job("started", False), "running")
        self.assertEqual(call_state_from_job("done", False), "done")
        self.assertEqual(call_state_from_job("done", True), "failed")
        self.assertEqual(call_state_from_job("failed", False), "failed")
        self.assertEqual(call_state_from_job("cancelled", False), "failed")

    def test_transient_errors(self):
        self.assertTrue(is_transient(errors.SerializationFailure()))
        self.assertTrue(is_transient(errors.LockNotAvailable()))
        self.assertTrue(is_transient(OperationalError("server closed the connection")))
        self.assertTrue(is_transient(InterfaceError("connection already closed")))
        for exc in (
            ValueError("x"),
            UserError("x"),
            WebhookTargetNotFound("x"),
            errors.UniqueViolation(),
        ):
            with self.subTest(exc=exc):
                self.assertFalse(is_transient(exc))

    def test_doctests(self):
        runner = doctest.DocTestRunner()
        report = io.StringIO()
        for test in doctest.DocTestFinder().find(delivery):
            runner.run(test, out=report.write)
        self.assertGreater(runner.tries, 0)
        self.assertEqual(runner.failures, 0, report.getvalue())
