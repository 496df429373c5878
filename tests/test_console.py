# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The test console (dry run, send for real, curl), live stats and settings."""

import json
import shlex
import socket
import subprocess
import threading
from datetime import timedelta

from odoo import fields
from odoo.modules import module

from .common import WebhookCase

SEED_TARGET_RECORD_OF_TARGET = "model.browse(int(payload['id']))"

UPSERT = """\
partner = env['res.partner'].create({'name': payload['name']})
record.write({'ref': payload['ref'], 'comment': False})
gone = env['res.partner'].search([('name', '=', 'Doomed')])
gone.unlink()
response = {'created': partner.id}
"""

COMMIT_THEN_FAIL = """\
env['res.partner'].create({'name': 'Committed partner'})
env.cr.commit()
"""

COMMIT_AND_IGNORE = """\
env['res.partner'].create({'name': 'Committed partner'})
try:
    env.cr.commit()
except Exception:
    pass
"""

SEND_MAILS = """\
server = env['ir.mail_server'].browse(payload['server'])
message = server.build_email(
    'shop@example.com', ['ada@example.com'], 'Direct mail', 'Hello'
)
server.send_email(message, mail_server_id=server.id)
mail = env['mail.mail'].create({
    'subject': 'Queued mail',
    'email_from': 'shop@example.com',
    'email_to': 'bob@example.com',
    'body_html': '<p>Hello</p>',
    'mail_server_id': server.id,
})
mail.send()
record.message_post(
    body='Hello', subject='Posted mail', partner_ids=record.ids,
    mail_server_id=server.id, force_send=True,
)
"""


class SmtpListener(threading.Thread):
    """A tiny SMTP server on 127.0.0.1 that counts the connections it gets."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.messages = 0

    def run(self):
        while True:
            try:
                conn, _address = self.sock.accept()
            except OSError:  # closed
                return
            self.connections += 1
            with conn, conn.makefile("rb") as lines:
                self._serve(conn, lines)

    def _serve(self, conn, lines):
        conn.sendall(b"220 localhost ready\r\n")
        for line in lines:
            verb = line[:4].upper()
            if verb == b"DATA":
                conn.sendall(b"354 go on\r\n")
                for data_line in lines:
                    if data_line in (b".\r\n", b".\n"):
                        break
                self.messages += 1
                conn.sendall(b"250 queued\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")

    def close(self):
        self.sock.close()


class TestConsole(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.target = cls.env["res.partner"].create(
            {"name": "Console target", "ref": "old"}
        )
        cls.doomed = cls.env["res.partner"].create({"name": "Doomed"})

    def _rule(self, **values):
        return self._create_webhook(
            webhook_target_field_id=self.env["ir.model.fields"]
            ._get("res.partner", "name")
            .id,
            webhook_target_payload_key="target",
            log_webhook_calls=True,
            actions=[self._code_action(UPSERT)],
            **values,
        )

    def _snapshot(self):
        self.env.invalidate_all()
        return (
            self.env["res.partner"].search_count([]),
            self.target.ref,
            self.doomed.exists().id,
            self.env["webhook.call.log"].search_count([]),
        )

    def test_dry_run_reports_changes_and_changes_nothing(self):
        rule = self._rule()
        rule.webhook_test_payload = json.dumps(
            {"target": "Console target", "name": "Dry partner", "ref": "new"}
        )
        before = self._snapshot()
        rule.action_webhook_test_dry_run()
        self.assertEqual(self._snapshot(), before)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Dry partner")]))
        self.assertEqual(rule.webhook_test_result_kind, "dry_run")
        self.assertEqual(rule.webhook_test_result_status, 200)
        answer = json.loads(rule.webhook_test_result_body)
        self.assertEqual(answer["status"], "ok")
        self.assertIn("created", answer["data"])
        changes = json.loads(rule.webhook_test_result_changes)
        by_operation = {
            (change["operation"], change["model"], change["name"]): change
            for change in changes
        }
        self.assertIn(("create", "res.partner", "Dry partner"), by_operation)
        update = by_operation[("write", "res.partner", "Console target")]
        self.assertEqual(update["id"], self.target.id)
        self.assertEqual(update["fields"], {"ref": ["old", "new"]})
        deleted = by_operation[("unlink", "res.partner", "Doomed")]
        self.assertEqual(deleted["id"], self.doomed.id)
        html = rule.webhook_test_changes_html
        self.assertIn("Dry partner", html)
        self.assertIn("old", html)

    def test_dry_run_of_the_seed_create_contact_webhook(self):
        from .common import SEED_CREATE_CONTACT_CODE

        rule = self._create_webhook(
            record_getter=False,
            actions=[self._code_action(SEED_CREATE_CONTACT_CODE)],
        )
        rule.webhook_test_payload = json.dumps(
            {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "42"}
        )
        rule.action_webhook_test_dry_run()
        self.assertEqual(rule.webhook_test_result_status, 200)
        changes = json.loads(rule.webhook_test_result_changes)
        self.assertEqual(
            [(c["operation"], c["model"], c["name"]) for c in changes],
            [("create", "res.partner", "Ada Lovelace")],
        )
        self.assertFalse(
            self.env["res.partner"].search([("name", "=", "Ada Lovelace")])
        )

    def test_dry_run_of_an_error(self):
        rule = self._rule()
        rule.webhook_test_payload = json.dumps(
            {"target": "Nobody", "name": "x", "ref": "y"}
        )
        rule.action_webhook_test_dry_run()
        self.assertEqual(rule.webhook_test_result_status, 422)
        self.assertEqual(
            json.loads(rule.webhook_test_result_body)["error"]["code"],
            "target_not_found",
        )
        self.assertEqual(json.loads(rule.webhook_test_result_changes), [])
        rule.webhook_test_payload = "{not json"
        rule.action_webhook_test_dry_run()
        self.assertEqual(
            rule.webhook_test_result_status, 400, rule.webhook_test_result_body
        )

    def test_dry_run_cannot_commit(self):
        for code in (COMMIT_THEN_FAIL, COMMIT_AND_IGNORE):
            rule = self._create_webhook(
                record_getter=False, actions=[self._code_action(code)]
            )
            rule.webhook_test_payload = "{}"
            before = self._snapshot()
            rule.action_webhook_test_dry_run()
            self.assertGreaterEqual(rule.webhook_test_result_status, 400)
            self.assertIn(
                "A dry run cannot commit",
                json.loads(rule.webhook_test_result_body)["error"]["message"],
            )
            self.assertEqual(self._snapshot(), before)
            with self.env.registry.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM res_partner WHERE name = %s",
                    ["Committed partner"],
                )
                self.assertEqual(cr.fetchone()[0], 0, code)
        # the next dry run of a rule that does not commit is not affected
        rule = self._rule()
        rule.webhook_test_payload = json.dumps(
            {"target": "Console target", "name": "Dry partner", "ref": "new"}
        )
        rule.action_webhook_test_dry_run()
        self.assertEqual(rule.webhook_test_result_status, 200)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Dry partner")]))

    def test_dry_run_sends_no_mail(self):
        smtp = SmtpListener()
        smtp.start()
        self.addCleanup(smtp.close)
        server = self.env["ir.mail_server"].create(
            {
                "name": "Counting SMTP",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp.port,
                "smtp_encryption": "none",
            }
        )
        rule = self._create_webhook(
            record_getter=SEED_TARGET_RECORD_OF_TARGET,
            actions=[self._code_action(SEND_MAILS)],
        )
        self.target.email = "console@example.com"  # message_post() notifies it
        rule.webhook_test_payload = json.dumps(
            {"id": self.target.id, "server": server.id}
        )
        # Odoo sends no mail while a test runs: let it, as in production
        self.patch(module, "current_test", False)
        rule.action_webhook_test_dry_run()
        self.assertEqual(smtp.connections, 0)
        self.assertEqual(
            rule.webhook_test_result_status, 200, rule.webhook_test_result_body
        )
        html = rule.webhook_test_changes_html
        self.assertIn("Mail not sent", html)
        self.assertIn("Direct mail", html)
        self.assertIn("Queued mail", html)
        self.assertIn("Posted mail", html)  # sent after the commit that never comes
        self.assertFalse(
            self.env["mail.mail"].search([("subject", "=", "Queued mail")])
        )
        # the listener does receive the mails of a call sent for real
        rule.action_webhook_test_send()
        self.assertEqual(
            rule.webhook_test_result_status, 200, rule.webhook_test_result_body
        )
        self.assertGreater(smtp.connections, 0)
        self.assertGreaterEqual(smtp.messages, 2)

    def test_send_for_real_commits_and_is_logged(self):
        rule = self._rule(webhook_signature_scheme="github")
        rule.webhook_signing_secret = "console-secret"  # skipped by the console
        rule.webhook_test_payload = json.dumps(
            {"target": "Console target", "name": "Real partner", "ref": "real"}
        )
        rule.action_webhook_test_send()
        self.assertEqual(rule.webhook_test_result_kind, "real")
        self.assertEqual(rule.webhook_test_result_status, 200)
        self.assertEqual(self.target.ref, "real")
        self.assertTrue(self.env["res.partner"].search([("name", "=", "Real partner")]))
        self.assertFalse(self.doomed.exists())
        log = self._last_log(rule)
        self.assertTrue(log.from_console)
        self.assertEqual((log.status_code, log.state), (200, "done"))

    def test_console_runs_as_the_run_as_user(self):
        from odoo.tests import new_test_user

        runner = new_test_user(
            self.env,
            "wh_console_runner",
            groups="webhook_automation.group_webhook_runner",
        )
        rule = self._rule(webhook_run_as_user_id=runner.id)
        rule.webhook_test_payload = json.dumps(
            {"target": "Console target", "name": "Forbidden", "ref": "x"}
        )
        rule.action_webhook_test_dry_run()
        self.assertEqual(
            rule.webhook_test_result_status, 403, rule.webhook_test_result_body
        )

    def test_payload_prefill(self):
        rule = self._create_webhook(
            webhook_target_field_id=self.env["ir.model.fields"]
            ._get("res.partner", "email")
            .id,
            webhook_target_payload_key="data.customer.email",
            log_webhook_calls=True,
        )
        self.assertEqual(
            json.loads(rule.webhook_test_payload), {"data": {"customer": {"email": ""}}}
        )
        self._call(rule, json={"data": {"customer": {"email": "x@example.com"}}})
        rule.webhook_test_payload = False
        rule.invalidate_recordset()
        rule._compute_webhook_test_payload()
        self.assertEqual(
            json.loads(rule.webhook_test_payload),
            {"data": {"customer": {"email": "x@example.com"}}},
        )

    def test_copy_as_curl_is_signed_and_works(self):
        rule = self._rule(webhook_signature_scheme="stripe")
        rule.action_generate_webhook_signing_secret()
        rule.webhook_test_payload = json.dumps(
            {"target": "Console target", "name": "Curl partner", "ref": "curl"}
        )
        command = rule.webhook_test_curl
        self.assertIn("Stripe-Signature: t=", command)
        self.assertNotIn(rule.webhook_signing_secret, command)
        argv = shlex.split(command)
        self.env.flush_all()
        result = subprocess.run(
            [*argv, "--silent", "--max-time", "30"],
            capture_output=True,
            check=True,
            text=True,
        )
        self.env.invalidate_all()
        answer = json.loads(result.stdout)
        self.assertEqual(answer["status"], "ok", answer)
        self.assertEqual(self.target.ref, "curl")


class TestLiveStats(WebhookCase):
    def test_stats_over_24_hours_and_7_days(self):
        rule = self._create_webhook(
            record_getter=False,
            actions=[
                self._code_action("if payload.get('fail'):\n    raise UserError('no')")
            ],
        )
        for payload, status in (({}, 200), ({}, 200), ({"fail": 1}, 422)):
            response = self._call(rule, json=payload)
            self.assertEqual(response.status_code, status, response.text)
        logs = self.env["webhook.call.log"].search([("automation_id", "=", rule.id)])
        # one call three days ago, one a month ago
        Log = self.env["webhook.call.log"]
        for days in (3, 30):
            Log.create(
                {
                    "automation_id": rule.id,
                    "call_date": fields.Datetime.now() - timedelta(days=days),
                    "status_code": 500,
                    "failed": True,
                }
            )
        rule.invalidate_recordset()
        self.assertEqual(rule.webhook_calls_24h, 3)
        self.assertAlmostEqual(rule.webhook_failure_rate_24h, 1 / 3)
        self.assertEqual(rule.webhook_calls_7d, 4)
        self.assertAlmostEqual(rule.webhook_failure_rate_7d, 2 / 4)
        self.assertEqual(rule.webhook_last_status, 422)
        self.assertEqual(len(logs), 3)
        action = rule.action_view_webhook_stats()
        self.assertEqual(action["views"][0][1], "graph")
        self.assertEqual(action["domain"], [("automation_id", "=", rule.id)])


class TestSettings(WebhookCase):
    def test_settings_set_the_defaults_of_new_webhooks(self):
        settings = self.env["res.config.settings"].create(
            {
                "webhook_log_retention_days": 7,
                "webhook_default_max_body_size": 2048,
                "webhook_default_timestamp_tolerance": 60,
                "webhook_delivery_retention_days": 3,
            }
        )
        settings.execute()
        ICP = self.env["ir.config_parameter"]
        self.assertEqual(ICP.get_param("webhook_automation.log_retention_days"), "7")
        self.assertEqual(
            ICP.get_param("webhook_automation.delivery_retention_days"), "3"
        )
        rule = self._create_webhook(record_getter=False)
        self.assertEqual(rule.webhook_max_body_size, 2048)
        self.assertEqual(rule.webhook_timestamp_tolerance, 60)
        response = self._call(
            rule, data=b"x" * 4096, headers={"Content-Type": "application/json"}
        )
        self.assertWebhookError(response, 413, "payload_too_large")
