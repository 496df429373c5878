# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who may see and change webhooks and their logs."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import WebhookCase, WebhookTransactionCase


class TestAccess(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(cls.env, "wh_admin", groups="base.group_system")
        cls.internal = new_test_user(cls.env, "wh_internal", groups="base.group_user")
        cls.portal = new_test_user(cls.env, "wh_portal", groups="base.group_portal")
        cls.public = cls.env.ref("base.public_user")

    def setUp(self):
        super().setUp()
        self.rule = self._create_webhook(
            record_getter=False,
            log_webhook_calls=True,
            actions=[self._code_action("raise UserError('refused')")],
        )
        self.response = self._call(self.rule, json={"a": 1})
        self.assertWebhookError(self.response, 422, "action_failed")
        self.log = self._last_log(self.rule)

    def test_administrators_see_rules_logs_and_tracebacks(self):
        rule = self.rule.with_user(self.admin)
        self.assertEqual(rule.webhook_call_count, 1)
        rule.action_generate_webhook_signing_secret()
        self.assertTrue(
            rule.read(["webhook_signing_secret"])[0]["webhook_signing_secret"]
        )
        log = self.log.with_user(self.admin)
        self.assertEqual(log.status_code, 422)
        self.assertIn("refused", log.error_traceback)
        log.unlink()
        self.assertFalse(self.log.exists())

    def test_logs_cannot_be_forged_or_edited(self):
        Log = self.env["webhook.call.log"].with_user(self.admin)
        with self.assertRaises(AccessError):
            Log.create({"automation_id": self.rule.id})
        # the pipeline's single INSERT checks the same right when not superuser
        with self.assertRaises(AccessError):
            Log._insert_log({"automation_id": self.rule.id, "request_id": "forged"})
        self.assertFalse(Log.sudo().search([("request_id", "=", "forged")]))
        with self.assertRaises(AccessError):
            self.log.with_user(self.admin).write({"status_code": 200})

    def test_other_users_see_nothing(self):
        for user in (self.internal, self.portal, self.public):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.env["webhook.call.log"].with_user(user).search([])
                with self.assertRaises(AccessError):
                    self.log.with_user(user).read(["status_code"])
                for field in ("webhook_uuid", "webhook_signing_secret"):
                    with self.assertRaises(AccessError):
                        self.rule.with_user(user).read([field])
                with self.assertRaises(AccessError):
                    self.rule.with_user(user).action_rotate_webhook_uuid()

    def _rpc_read_logs(self):
        """Ask the logs' bodies through JSON-RPC with the current session."""
        self.env.flush_all()
        return self.opener.post(
            f"{self.base_url()}/web/dataset/call_kw/webhook.call.log/search_read",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "model": "webhook.call.log",
                    "method": "search_read",
                    "args": [[]],
                    "kwargs": {"fields": ["request_body", "error_traceback"]},
                },
            },
            timeout=30,
        )

    def test_sessions_without_rights_cannot_read_logs_over_http(self):
        for login in ("wh_internal", "wh_portal"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                response = self._rpc_read_logs()
                self.assertEqual(response.status_code, 200)
                error = response.json()["error"]
                self.assertEqual(error["data"]["name"], "odoo.exceptions.AccessError")
                self.assertNotIn('"a": 1', response.text)
        # no session at all (the public user)
        self.logout()
        response = self._rpc_read_logs()
        error = response.json()["error"]
        self.assertEqual(error["data"]["name"], "odoo.http.SessionExpiredException")
        self.assertNotIn('"a": 1', response.text)

    def test_administrator_session_reads_logs_over_http(self):
        self.authenticate("wh_admin", "wh_admin")
        response = self._rpc_read_logs()
        records = response.json()["result"]
        self.assertEqual(len(records), 1)
        self.assertEqual(records[0]["request_body"], '{"a": 1}')
        self.assertIn("refused", records[0]["error_traceback"])


class TestAccessMappingAndOutgoing(WebhookTransactionCase):
    """Mappings, claims, endpoints, messages and attempts: administrators only."""

    MODELS = (
        "webhook.payload.mapping",
        "webhook.upsert.claim",
        "webhook.endpoint",
        "webhook.outgoing.message",
        "webhook.outgoing.attempt",
    )

    def setUp(self):
        super().setUp()
        self.admin = new_test_user(self.env, "wh_admin2", groups="base.group_system")
        self.internal = new_test_user(self.env, "wh_int2", groups="base.group_user")
        self.portal = new_test_user(self.env, "wh_portal2", groups="base.group_portal")
        self.public = self.env.ref("base.public_user")
        self.endpoint = self.env["webhook.endpoint"].create(
            {"name": "Receiver", "url": "https://receiver.example.com/hook"}
        )
        self.rule = self._create_webhook(
            actions=[
                self._upsert_action(
                    mappings=[{"field": "name", "path": "name"}],
                    match=("email", "email"),
                )
            ]
        )

    def test_other_users_can_neither_read_nor_write(self):
        for user in (self.internal, self.portal, self.public):
            for model in self.MODELS:
                with self.subTest(user=user.login, model=model):
                    with self.assertRaises(AccessError):
                        self.env[model].with_user(user).search([])
            with self.subTest(user=user.login, what="secret"):
                with self.assertRaises(AccessError):
                    self.endpoint.with_user(user).read(["signing_secret"])
                with self.assertRaises(AccessError):
                    self.env["webhook.endpoint"].with_user(user).create(
                        {"name": "Mine", "url": "https://evil.example.com/"}
                    )
                mapping = self.rule.action_server_ids.webhook_mapping_ids
                with self.assertRaises(AccessError):
                    mapping.with_user(user).write({"path": "evil"})

    def test_administrators_manage_them_but_not_forge_claims(self):
        endpoint = self.endpoint.with_user(self.admin)
        self.assertTrue(endpoint.signing_secret.startswith("whsec_"))
        mapping = self.rule.action_server_ids.webhook_mapping_ids.with_user(self.admin)
        mapping.path = "full_name"
        self.assertEqual(mapping.path, "full_name")
        with self.assertRaises(AccessError):
            self.env["webhook.upsert.claim"].with_user(self.admin).create(
                {"res_model": "res.partner", "field_name": "email", "key": "x"}
            )
        with self.assertRaises(AccessError):
            self.env["webhook.outgoing.attempt"].with_user(self.admin).create(
                {"url": "https://forged.example.com/"}
            )
