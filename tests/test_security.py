# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Rotation with grace, address allowlists and run-as users, over HTTP."""

import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user
from odoo.tools import config, mute_logger

from .common import WebhookCase
from .test_signatures import SECRET, github_headers

CREATE_CONTACT = "env['res.partner'].create({'name': payload['name']})"


class TestRotation(WebhookCase):
    def _rule(self, **values):
        return self._create_webhook(
            record_getter=False,
            actions=[self._code_action(CREATE_CONTACT)],
            **values,
        )

    def _expire_grace(self, rule, field):
        rule.write({field: fields.Datetime.now() - timedelta(seconds=1)})

    def test_rotation_without_grace_stops_the_old_url_at_once(self):
        rule = self._rule()
        old_url = rule.url
        rule.action_rotate_webhook_uuid()
        self.assertNotEqual(rule.url, old_url)
        self.assertFalse(rule.webhook_in_grace)
        self.assertWebhookError(
            self._call(old_url, json={"name": "x"}), 404, "not_found"
        )
        self.assertWebhookOk(self._call(rule, json={"name": "New URL"}))

    def test_rotation_with_grace_keeps_the_old_url_until_it_expires(self):
        rule = self._rule(webhook_rotation_grace="1d")
        old_url = rule.url
        rule.action_rotate_webhook_uuid()
        self.assertTrue(rule.webhook_in_grace)
        expiry = rule.webhook_previous_uuid_expiry
        self.assertAlmostEqual(
            expiry,
            fields.Datetime.now() + timedelta(days=1),
            delta=timedelta(minutes=1),
        )
        self.assertWebhookOk(self._call(old_url, json={"name": "Old URL"}))
        self.assertWebhookOk(self._call(rule, json={"name": "New URL"}))
        self.assertEqual(
            self.env["res.partner"].search_count(
                [("name", "in", ["Old URL", "New URL"])]
            ),
            2,
        )
        self._expire_grace(rule, "webhook_previous_uuid_expiry")
        self.assertFalse(rule.webhook_in_grace)
        self.assertWebhookError(
            self._call(old_url, json={"name": "Too late"}), 404, "not_found"
        )
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Too late")]))

    def test_a_second_rotation_replaces_the_previous_url(self):
        rule = self._rule(webhook_rotation_grace="7d")
        first_url = rule.url
        rule.action_rotate_webhook_uuid()
        rule.action_rotate_webhook_uuid()
        self.assertWebhookError(
            self._call(first_url, json={"name": "x"}), 404, "not_found"
        )

    def test_signing_secret_change_with_grace(self):
        rule = self._rule(
            webhook_signature_scheme="github", webhook_rotation_grace="1h"
        )
        rule.webhook_signing_secret = SECRET
        self.assertFalse(rule.webhook_secret_in_grace)
        rule.webhook_signing_secret = "replacement-secret"
        self.assertTrue(rule.webhook_secret_in_grace)
        for secret in (SECRET, "replacement-secret"):
            body = json.dumps({"name": f"Signed with {secret}"}).encode()
            response = self._call(
                rule,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    **github_headers(body, secret),
                },
            )
            self.assertWebhookOk(response)
        self._expire_grace(rule, "webhook_previous_signing_secret_expiry")
        body = json.dumps({"name": "Old secret, too late"}).encode()
        response = self._call(
            rule,
            data=body,
            headers={"Content-Type": "application/json", **github_headers(body)},
        )
        self.assertWebhookError(response, 401, "signature_invalid")

    def test_signing_secret_change_without_grace(self):
        rule = self._rule(webhook_signature_scheme="github")
        rule.webhook_signing_secret = SECRET
        rule.webhook_signing_secret = "replacement-secret"
        self.assertFalse(rule.webhook_secret_in_grace)
        body = json.dumps({"name": "Old secret"}).encode()
        response = self._call(
            rule,
            data=body,
            headers={"Content-Type": "application/json", **github_headers(body)},
        )
        self.assertWebhookError(response, 401, "signature_invalid")

    def test_generate_signing_secret(self):
        rule = self._rule(webhook_signature_scheme="standard")
        rule.action_generate_webhook_signing_secret()
        first = rule.webhook_signing_secret
        self.assertTrue(first.startswith("whsec_"))
        rule.webhook_signature_scheme = "github"
        rule.action_generate_webhook_signing_secret()
        self.assertNotEqual(rule.webhook_signing_secret, first)
        self.assertGreaterEqual(len(rule.webhook_signing_secret), 32)

    def test_unknown_secrets_cost_one_query_whatever_the_secret(self):
        self._rule(webhook_rotation_grace="1d").action_rotate_webhook_uuid()
        base = self.base_url() + "/web/hook/"
        self._call(base + "warm-up", json={})  # the first request sets up the worker
        counts = []
        for secret in ("x", "0" * 36, "f" * 64, "z" * 500):
            self.env.flush_all()
            before = self.cr.sql_log_count
            self.assertWebhookError(
                self._call(base + secret, json={}), 404, "not_found"
            )
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(len(set(counts)), 1, counts)


class TestAllowlist(WebhookCase):
    def _rule(self, allowed):
        return self._create_webhook(
            record_getter=False,
            log_webhook_calls=True,
            webhook_allowed_ips=allowed,
            actions=[self._code_action(CREATE_CONTACT)],
        )

    def test_addresses_in_the_list_are_served(self):
        for allowed in (
            "127.0.0.1",
            "10.0.0.0/8, 127.0.0.0/8",
            "2001:db8::/32\n127.0.0.5/8",  # host bits set: taken as its network
        ):
            with self.subTest(allowed=allowed):
                rule = self._rule(allowed)
                self.assertWebhookOk(self._call(rule, json={"name": allowed}))

    def test_other_addresses_are_refused(self):
        rule = self._rule("10.0.0.0/8 192.168.1.7 2001:db8::/32")
        response = self._call(rule, json={"name": "Intruder"})
        body = self.assertWebhookError(response, 403, "ip_not_allowed")
        self.assertIn("127.0.0.1", body["error"]["message"])
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Intruder")]))
        log = self._last_log(rule)
        self.assertEqual((log.status_code, log.error_code), (403, "ip_not_allowed"))

    def test_malformed_entries_are_refused_when_saving(self):
        for entry in ("10.0.0.300", "example.com", "10.0.0.0/33", "::g"):
            with self.subTest(entry=entry):
                with self.assertRaises(ValidationError) as caught:
                    self._rule(f"127.0.0.1, {entry}")
                self.assertIn(entry, str(caught.exception))

    def test_forwarded_address_counts_only_in_proxy_mode(self):
        rule = self._rule("203.0.113.0/24")
        headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "odoo.example"}
        # Odoo ignores X-Forwarded-For without --proxy-mode: the socket's
        # address (127.0.0.1) is the caller's
        self.assertWebhookError(
            self._call(rule, json={"name": "Spoofer"}, headers=headers),
            403,
            "ip_not_allowed",
        )
        with patch.dict(config.options, {"proxy_mode": True}):
            self.assertWebhookOk(
                self._call(rule, json={"name": "Behind proxy"}, headers=headers)
            )
            other = {**headers, "X-Forwarded-For": "198.51.100.1"}
            self.assertWebhookError(
                self._call(rule, json={"name": "Other"}, headers=other),
                403,
                "ip_not_allowed",
            )
        # both refusals share one row (same code, same 10 s window): the
        # latest caller's address is on it
        refusal = self.env["webhook.call.log"].search(
            [("automation_id", "=", rule.id), ("error_code", "=", "ip_not_allowed")]
        )
        self.assertEqual(refusal.sorted("id")[-1].remote_addr, "198.51.100.1")
        self.assertEqual(sum(refusal.mapped("refused_count")), 2)
        self.assertEqual(
            self.env["res.partner"]
            .search([("name", "in", ["Spoofer", "Behind proxy", "Other"])])
            .mapped("name"),
            ["Behind proxy"],
        )


class TestRunAs(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.runner = new_test_user(
            cls.env,
            "wh_runner",
            groups="webhook_automation.group_webhook_runner",
            name="Webhook runner",
        )
        cls.partner = cls.env["res.partner"].create({"name": "Runner target"})

    def _rule(self, **values):
        return self._create_webhook(webhook_run_as_user_id=self.runner.id, **values)

    def test_actions_run_with_the_users_rights(self):
        rule = self._rule(
            record_getter=False, actions=[self._code_action(CREATE_CONTACT)]
        )
        with mute_logger("odoo.addons.base.models.ir_actions"):
            response = self._call(rule, json={"name": "Not allowed"})
        self.assertWebhookError(response, 403, "access_denied")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Not allowed")]))
        # give the runner the right the action needs
        self.runner.groups_id |= self.env.ref("base.group_partner_manager")
        self.assertWebhookOk(self._call(rule, json={"name": "Allowed"}))
        created = self.env["res.partner"].search([("name", "=", "Allowed")])
        self.assertEqual(created.create_uid, self.runner)

    def test_update_record_action_on_target(self):
        rule = self._rule(
            record_getter="model.browse(int(payload['id']))",
            actions=[self._code_action("record.write({'ref': payload['ref']})")],
        )
        with mute_logger("odoo.addons.base.models.ir_actions"):
            response = self._call(rule, json={"id": self.partner.id, "ref": "R1"})
        self.assertWebhookError(response, 403, "access_denied")
        self.assertFalse(self.partner.ref)
        self.runner.groups_id |= self.env.ref("base.group_partner_manager")
        self.assertWebhookOk(
            self._call(rule, json={"id": self.partner.id, "ref": "R2"})
        )
        self.assertEqual(self.partner.ref, "R2")
        self.assertEqual(self.partner.write_uid, self.runner)

    def test_records_of_other_companies_are_out_of_reach(self):
        other_company = self.env["res.company"].create({"name": "Other company"})
        foreign = self.env["res.partner"].create(
            {"name": "Foreign", "company_id": other_company.id}
        )
        self.runner.groups_id |= self.env.ref("base.group_partner_manager")
        rule = self._rule(
            record_getter="model.browse(int(payload['id']))",
            actions=[self._code_action("record.write({'ref': 'changed'})")],
        )
        with mute_logger("odoo.addons.base.models.ir_actions"):
            response = self._call(rule, json={"id": foreign.id})
        # answered as a missing record: a caller cannot tell that it exists
        out_of_reach = self.assertWebhookError(response, 422, "target_not_found")
        self.assertFalse(foreign.ref)
        missing = self.assertWebhookError(
            self._call(rule, json={"id": foreign.id + 10**6}), 422, "target_not_found"
        )
        self.assertEqual(
            out_of_reach["error"]["message"].replace(out_of_reach["request_id"], ""),
            missing["error"]["message"].replace(missing["request_id"], ""),
        )
        self.assertNotIn("Other company", response.text)
        # the same call as the superuser (no run-as user) reaches it, as in core
        rule.webhook_run_as_user_id = False
        self.assertWebhookOk(self._call(rule, json={"id": foreign.id}))
        self.assertEqual(foreign.ref, "changed")

    def test_only_active_internal_users(self):
        portal = new_test_user(self.env, "wh_runner_portal", groups="base.group_portal")
        with self.assertRaises(ValidationError):
            self._create_webhook(webhook_run_as_user_id=portal.id)
        rule = self._rule(
            record_getter=False, actions=[self._code_action(CREATE_CONTACT)]
        )
        self.runner.active = False
        response = self._call(rule, json={"name": "Archived runner"})
        self.assertWebhookError(response, 403, "access_denied")
