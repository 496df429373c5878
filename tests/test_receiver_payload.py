# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payload parsing and log masking, without a database."""

import doctest
import io
import logging

from odoo.tests import BaseCase

from ..receiver import body as body_module
from ..receiver import call, changes, errors, log_masking, mapping, payload
from ..receiver.errors import WebhookMalformedPayload, describe_error
from ..receiver.log_masking import SigningSecretSqlFilter
from ..receiver.payload import MISSING, get_path, parse_json_object


class TestPayload(BaseCase):
    def test_json_objects(self):
        self.assertEqual(
            parse_json_object(b'{"a": [1, {"b": null}]}'), {"a": [1, {"b": None}]}
        )
        self.assertEqual(
            parse_json_object(b'{"s": "\\ud83d\\ude00"}'), {"s": "\U0001f600"}
        )

    def test_refused_bodies(self):
        for body in (
            b"",
            b"[]",
            b'"text"',
            b"{",
            b'{"a": NaN}',
            b'{"a": Infinity}',
            b"\xff\xfe{\x00}\x00",  # UTF-16: JSON between systems is UTF-8
            b'{"a": "\xe9"}',  # latin-1 bytes
            b'{"lone": "\\ud800"}',
            b'{"lone": "x\\uDC00y"}',
            b"[" * 100_000 + b"]" * 100_000,
        ):
            with self.subTest(body=body[:30]):
                with self.assertRaises(WebhookMalformedPayload) as caught:
                    parse_json_object(body)
                self.assertEqual(
                    describe_error(caught.exception)[:2], (400, "malformed_payload")
                )

    def test_get_path(self):
        data = {"data": {"object": {"id": "evt_1", "lines": [{"sku": "A"}]}}}
        self.assertEqual(get_path(data, "data.object.id"), "evt_1")
        self.assertEqual(get_path(data, "data.object.lines.0.sku"), "A")
        for path in (
            "data.x",
            "data.object.lines.1",
            "data.object.id.more",
            "",
            "data.object.lines.-1",
        ):
            with self.subTest(path=path):
                self.assertIs(get_path(data, path), MISSING)

    def test_doctests(self):
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        report = io.StringIO()
        for module in (
            payload,
            log_masking,
            changes,
            call,
            body_module,
            errors,
            mapping,
        ):
            for test in doctest.DocTestFinder().find(module):
                runner.run(test, out=report.write)
        self.assertGreater(runner.tries, 0)
        self.assertEqual(runner.failures, 0, report.getvalue())


class TestLogMasking(BaseCase):
    def _record(self, *args):
        return logging.LogRecord(
            "odoo.sql_db", logging.DEBUG, "", 0, "query: %s %s", args, None
        )

    def test_signing_secret_values_are_masked(self):
        query = (
            'UPDATE "base_automation" SET "webhook_signing_secret" = \'s3cr3t\', '
            "\"name\" = 'it''s' WHERE id = 3"
        )
        for arg in (query, query.encode()):
            record = self._record(arg, "x")
            SigningSecretSqlFilter().filter(record)
            message = record.getMessage()
            self.assertNotIn("s3cr3t", message)
            self.assertIn("'***'", message)
            self.assertIn("WHERE id = 3", message)

    def test_other_queries_are_untouched(self):
        record = self._record("SELECT 'a' FROM res_partner", 1)
        SigningSecretSqlFilter().filter(record)
        self.assertEqual(record.getMessage(), "query: SELECT 'a' FROM res_partner 1")
