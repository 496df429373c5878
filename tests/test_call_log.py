# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the call logs keep, what they hide, and how long."""

import json
from datetime import timedelta

from odoo import fields

from .common import WebhookCase


class TestCallLog(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "Logged"})

    def _rule(self, **values):
        return self._create_webhook(
            record_getter=f"model.browse({self.partner.id})",
            actions=[self._code_action("record.write({'ref': payload.get('ref')})")],
            **values,
        )

    def test_log_entry_contents(self):
        rule = self._rule(log_webhook_calls=True)
        headers = {
            "Authorization": "Bearer top-secret",
            "Cookie": "session_id=abc",
            "X-Hub-Signature-256": "sha256=deadbeef",
            "Stripe-Signature": "t=1,v1=cafe",
            "X-Shopify-Hmac-Sha256": "b64==",
            "X-Api-Key": "key-123",
            "X-Delivery-Id": "delivery-42",
            "X-Auth": "auth-5",
        }
        response = self._call(
            rule,
            json={"ref": "R-1"},
            headers=headers,
            params={
                "q": "1",
                "access_token": "tok-9",
                "api_key": "k-7",
                "author": "Ann",
            },
        )
        body = self.assertWebhookOk(response)
        log = self._last_log(rule)
        self.assertEqual(log.request_id, body["request_id"])
        self.assertEqual(log.method, "POST")
        self.assertEqual(log.content_type, "application/json")
        self.assertEqual(log.remote_addr, "127.0.0.1")
        self.assertEqual(log.status_code, 200)
        self.assertFalse(log.failed)
        self.assertGreaterEqual(log.duration_ms, 0)
        self.assertEqual(json.loads(log.request_body), {"ref": "R-1"})
        self.assertEqual(log.body_size, len(b'{"ref": "R-1"}'))
        self.assertFalse(log.body_truncated)
        self.assertEqual(
            json.loads(log.query_string),
            {"q": "1", "access_token": "***", "api_key": "***", "author": "Ann"},
        )
        self.assertEqual(json.loads(log.response_body), body)
        self.assertEqual(log.target_model, "res.partner")
        self.assertEqual(log._get_target_ids(), [self.partner.id])
        logged_headers = json.loads(log.request_headers)
        for name in headers:
            if name == "X-Delivery-Id":
                self.assertEqual(logged_headers[name], "delivery-42")
            else:
                self.assertEqual(logged_headers[name], "***", name)
        secrets = (
            "top-secret",
            "abc",
            "deadbeef",
            "cafe",
            "b64==",
            "key-123",
            "auth-5",
        )
        for secret in secrets:
            self.assertNotIn(secret, log.request_headers)
        self.assertNotIn("tok-9", log.query_string)
        self.assertNotIn("k-7", log.query_string)
        # the secret of the URL is never stored
        values = " ".join(str(v) for v in log.read()[0].values())
        self.assertNotIn(rule.webhook_uuid, values)
        # the smart button shows this rule's calls
        self.assertEqual(rule.webhook_call_count, 1)
        action = rule.action_view_webhook_logs()
        self.assertEqual(self.env["webhook.call.log"].search(action["domain"]), log)

    def test_secret_stays_out_of_the_server_log(self):
        rule = self._rule()
        with self._capture_log_lines("werkzeug") as access_log:
            self.assertWebhookOk(self._call(rule, json={"ref": "R-3"}))
        self.assertEqual(len(access_log), 1)
        self.assertIn('"POST /web/hook/*** HTTP/1.1" 200', access_log[0])
        self.assertNotIn(rule.webhook_uuid, access_log[0])

    def test_body_is_capped(self):
        self.env["ir.config_parameter"].set_param(
            "webhook_automation.log_body_max_size", "20"
        )
        rule = self._rule(log_webhook_calls=True)
        self.assertWebhookOk(self._call(rule, json={"ref": "R", "long": "l" * 100}))
        log = self._last_log(rule)
        self.assertTrue(log.body_truncated)
        self.assertEqual(len(log.request_body), 20)
        self.assertGreater(log.body_size, 100)

    def test_without_log_calls_only_metadata_is_kept(self):
        rule = self._rule()
        self.assertFalse(rule.log_webhook_calls)
        self.assertWebhookOk(
            self._call(rule, json={"ref": "R-2"}, headers={"X-Any": "1"})
        )
        response = self._call(
            rule, data=b"[]", headers={"Content-Type": "application/json"}
        )
        self.assertWebhookError(response, 400, "malformed_payload")
        logs = rule.webhook_log_ids
        self.assertEqual(logs.mapped("status_code"), [400, 200])
        self.assertFalse(any(logs.mapped("request_body")))
        self.assertFalse(any(logs.mapped("request_headers")))
        self.assertFalse(any(logs.mapped("response_body")))
        self.assertEqual(logs[0].error_code, "malformed_payload")
        self.assertEqual(rule.webhook_call_count, 2)
        self.assertEqual(rule.webhook_failed_count, 1)
        self.assertEqual(rule.webhook_last_call, logs[0].call_date)

    def test_failed_call_keeps_its_log(self):
        rule = self._create_webhook(
            record_getter=f"model.browse({self.partner.id})",
            log_webhook_calls=True,
            actions=[
                self._code_action("record.write({'ref': 'x'})\nraise UserError('no')")
            ],
        )
        response = self._call(rule, json={"a": 1})
        self.assertWebhookError(response, 422, "action_failed", "no")
        log = self._last_log(rule)
        self.assertTrue(log.failed)
        self.assertEqual(log.error_type, "UserError")
        self.assertEqual(json.loads(log.request_body), {"a": 1})
        self.assertFalse(self.partner.ref)

    def test_retention_cron_deletes_old_logs_in_batches(self):
        rule = self._rule()
        Log = self.env["webhook.call.log"]
        now = fields.Datetime.now()
        old = Log.create(
            [
                {"automation_id": rule.id, "call_date": now - timedelta(days=31 + i)}
                for i in range(5)
            ]
        )
        recent = Log.create(
            [
                {"automation_id": rule.id, "call_date": now - timedelta(days=29)},
                {"automation_id": rule.id, "call_date": now},
            ]
        )
        self.assertEqual(Log._cron_purge_old_logs(batch_size=2), 2)
        self.assertEqual(len(old.exists()), 3)
        while Log._cron_purge_old_logs(batch_size=2):
            pass
        self.assertFalse(old.exists())
        self.assertEqual(recent.exists(), recent)
        # the retention period is a system parameter
        self.env["ir.config_parameter"].set_param(
            "webhook_automation.log_retention_days", "7"
        )
        Log._cron_purge_old_logs()
        self.assertEqual(recent.exists(), recent[1])
        cron = self.env.ref("webhook_automation.ir_cron_purge_webhook_call_logs")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        cron.method_direct_trigger()
