# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Outgoing webhooks to a real local receiver: signed, once, retried, logged.

The test server runs in the test's transaction: "the commit" is the cursor's
precommit hooks run by hand (``_commit_point()``); real commits and rollbacks
are proved by ``test_outgoing_servers.py``.
"""

import json
from datetime import datetime, timedelta
from unittest.mock import patch

from psycopg2 import IntegrityError
from standardwebhooks.webhooks import Webhook

from odoo import fields
from odoo.exceptions import UserError, ValidationError

from odoo.addons.queue_job.job import Job

from ..receiver.signatures import get_scheme
from ..sender.schedule import RETRY_SCHEDULE
from .outgoing_receiver import OutgoingCase


def _lower(headers):
    return {name.lower(): value for name, value in headers.items()}


class TestOutgoing(OutgoingCase):
    def setUp(self):
        super().setUp()
        self.partner = self.env["res.partner"].create({"name": "Outgoing"})

    def _assert_signed(self, request, secrets):
        """Check the request verifies with each of ``secrets`` (both libraries)."""
        headers = _lower(request.headers)
        for secret in secrets:
            # the Standard Webhooks reference library
            Webhook(secret).verify(request.body, headers)
            # this addon's incoming verifier
            get_scheme("standard").verify(headers, request.body, [secret])

    # ------------------------------------------------------------------
    # Sending once, after the commit, signed
    # ------------------------------------------------------------------

    def test_write_sends_one_signed_message_after_commit(self):
        self._outgoing_rule(webhook_field_ids=[self._field("name"), self._field("ref")])
        self.partner.write({"name": "First"})
        self.partner.write({"ref": "R1"})  # the same record, the same transaction
        # nothing is stored nor sent before the commit
        self.env.flush_all()
        self.assertFalse(self._messages())
        self.assertEqual(self.receiver.requests, [])
        self._commit_point()
        message = self._messages()
        self.assertEqual(len(message), 1)
        self.assertEqual(
            (message.state, message.event_type, message.res_model, message.res_id),
            ("pending", "res.partner.updated", "res.partner", self.partner.id),
        )
        self.assertRegex(message.message_id, r"^msg_[0-9a-f]{32}$")
        # the body is the record at the commit, core's shape
        body = json.loads(message.body)
        self.assertEqual(body["name"], "First")
        self.assertEqual(body["ref"], "R1")
        self.assertEqual(
            (body["_model"], body["_id"], body["id"]),
            ("res.partner", self.partner.id, self.partner.id),
        )
        self.assertEqual(self.receiver.requests, [])
        self.assertEqual(self._run_outgoing_jobs(), 1)
        self.assertEqual(len(self.receiver.requests), 1)
        request = self.receiver.requests[0]
        self.assertEqual(request.body, message.body.encode())
        headers = _lower(request.headers)
        self.assertEqual(headers["webhook-id"], message.message_id)
        self.assertEqual(headers["content-type"], "application/json")
        self.assertTrue(headers["user-agent"].startswith("Odoo-webhook_automation/"))
        self._assert_signed(request, [self.endpoint.signing_secret])
        self.assertEqual(message.state, "delivered")
        self.assertEqual(message.attempt_count, 1)
        self.assertEqual(message.attempt_ids.status_code, 200)
        self.assertEqual(message.attempt_ids.trigger, "scheduled")
        # a job of a delivered message does nothing
        message._webhook_deliver("stale-token")
        self.assertEqual(len(self.receiver.requests), 1)

    def _field(self, name, model="res.partner"):
        return self.env["ir.model.fields"]._get(model, name).id

    def test_secret_is_standard_and_restricted(self):
        secret = self.endpoint.signing_secret
        self.assertTrue(secret.startswith("whsec_"))
        field = self.endpoint._fields["signing_secret"]
        self.assertEqual(field.groups, "base.group_system")

    def test_flushes_before_commit_send_one_message(self):
        self._outgoing_rule(webhook_field_ids=[self._field("name")])
        self.partner.write({"name": "Before a savepoint"})
        with self.env.cr.savepoint():  # flushes: the precommit hooks run
            pass
        self.partner.write({"name": "After it"})
        self._commit_point()
        message = self._messages()
        self.assertEqual(len(message), 1)
        self.assertEqual(json.loads(message.body)["name"], "After it")
        self.assertEqual(len(self._outgoing_jobs()), 1)

    def test_event_types_and_standard_style(self):
        self._outgoing_rule(
            trigger="on_create_or_write",
            webhook_payload_style="standard",
            webhook_field_ids=[self._field("name")],
        )
        created = self.env["res.partner"].create({"name": "New"})
        created.write({"name": "New, renamed"})  # still created in this transaction
        self._commit_point()
        self.partner.write({"name": "Updated"})
        self._commit_point()
        messages = self._messages()
        self.assertEqual(
            [(m.res_id, m.event_type) for m in messages],
            [
                (created.id, "res.partner.created"),
                (self.partner.id, "res.partner.updated"),
            ],
        )
        body = json.loads(messages[0].body)
        self.assertEqual(list(body), ["type", "timestamp", "data"])
        self.assertEqual(body["type"], "res.partner.created")
        self.assertRegex(body["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$")
        self.assertEqual(body["data"]["name"], "New, renamed")
        self.assertEqual(body["data"]["_id"], created.id)

    def test_deleted_record_sends_its_last_state(self):
        self._outgoing_rule(
            trigger="on_unlink", webhook_field_ids=[self._field("name")]
        )
        partner_id = self.partner.id
        self.partner.unlink()
        self._commit_point()
        message = self._messages()
        self.assertEqual(message.event_type, "res.partner.deleted")
        self.assertEqual(json.loads(message.body)["_id"], partner_id)
        self.assertEqual(json.loads(message.body)["name"], "Outgoing")

    def test_event_type_pattern(self):
        rule = self._outgoing_rule(webhook_event_type="contact.changed")
        with self.assertRaises(ValidationError):
            rule.action_server_ids.webhook_event_type = "contact changed!"
        self.partner.write({"name": "Typed"})
        self._commit_point()
        self.assertEqual(self._messages().event_type, "contact.changed")

    def test_without_endpoint_core_posts_at_once(self):
        rule = self._outgoing_rule()
        rule.action_server_ids.write(
            {"webhook_endpoint_id": False, "webhook_url": "https://example.com/hook"}
        )
        with patch("odoo.addons.base.models.ir_actions.requests.post") as post:
            self.partner.write({"name": "Core"})
        self.assertEqual(post.call_count, 1)
        self.assertEqual(post.call_args.args[0], "https://example.com/hook")
        self._commit_point()
        self.assertFalse(self.env["webhook.outgoing.message"].search([]))

    def test_body_over_256_kib_fails_the_write(self):
        self._outgoing_rule(webhook_field_ids=[self._field("comment")])
        with self.assertRaisesRegex(UserError, "more than the 262144 bytes"):
            with self.env.cr.savepoint():
                self.partner.write({"comment": "<p>%s</p>" % ("x" * 270_000)})
        self.assertFalse(self._messages())
        self.assertFalse(self._outgoing_jobs())
        self.assertEqual(self.receiver.requests, [])

    def test_sample_request_is_what_is_sent(self):
        rule = self._outgoing_rule(webhook_field_ids=[self._field("name")])
        action = rule.action_server_ids
        sample = action._get_sample_request(self.partner)
        self.assertEqual(
            json.loads(sample["body"]),
            {
                "_action": f"{action.name}(#{action.id})",
                "_id": self.partner.id,
                "_model": "res.partner",
                "id": self.partner.id,
                "name": "Outgoing",
            },
        )
        self.assertEqual(
            sorted(sample["headers"]),
            [
                "Content-Type",
                "User-Agent",
                "webhook-id",
                "webhook-signature",
                "webhook-timestamp",
            ],
        )
        self.assertEqual(
            json.loads(action.webhook_sample_payload)["_model"], "res.partner"
        )

    # ------------------------------------------------------------------
    # Secrets and headers
    # ------------------------------------------------------------------

    def test_rotation_sends_both_signatures(self):
        old = self.endpoint.signing_secret
        self.endpoint.action_rotate_signing_secret()
        new = self.endpoint.signing_secret
        self.assertNotEqual(old, new)
        self._outgoing_rule()
        self.partner.write({"name": "Rotated"})
        self._commit_point()
        self._run_outgoing_jobs()
        request = self.receiver.requests[0]
        signatures = _lower(request.headers)["webhook-signature"].split(" ")
        self.assertEqual(len(signatures), 2)
        self._assert_signed(request, [new, old])
        # the new secret's signature comes first
        headers = dict(_lower(request.headers), **{"webhook-signature": signatures[0]})
        Webhook(new).verify(request.body, headers)
        # after 24 hours only the new one signs
        self.endpoint.previous_secret_expiry = datetime.now() - timedelta(seconds=1)
        self.assertEqual(self.endpoint._get_signing_secrets(), [new])

    def test_extra_headers(self):
        self.endpoint.extra_headers = json.dumps({"Authorization": "Bearer t0k"})
        for forbidden in ("webhook-id", "Webhook-Signature", "Content-Type", "Host"):
            with self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.endpoint.extra_headers = json.dumps({forbidden: "x"})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.endpoint.extra_headers = json.dumps({"X-Split": "a\r\nX-Injected: b"})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.endpoint.extra_headers = "not json"
        self._outgoing_rule()
        self.partner.write({"name": "Headers"})
        self._commit_point()
        self._run_outgoing_jobs()
        headers = _lower(self.receiver.requests[0].headers)
        self.assertEqual(headers["authorization"], "Bearer t0k")

    def test_timeout_and_attempts_bounds(self):
        self.assertEqual((self.endpoint.timeout, self.endpoint.max_attempts), (15, 10))
        for values in ({"timeout": 31}, {"timeout": 0}, {"max_attempts": 0}):
            with self.assertRaises(IntegrityError), self.env.cr.savepoint():
                self.endpoint.write(values)
                self.endpoint.flush_recordset()

    # ------------------------------------------------------------------
    # Retries, dead letters, disabled endpoints
    # ------------------------------------------------------------------

    def _send_one(self):
        self._outgoing_rule()
        self.partner.write({"name": "Retried"})
        self._commit_point()
        return self._messages()

    def test_500_three_times_then_200_is_delivered_at_attempt_4(self):
        self.receiver.answers = [(500, {}, "no")] * 3 + [(200, {}, "yes")]
        message = self._send_one()
        for attempt in range(1, 4):
            self._run_outgoing_jobs()
            self.assertEqual(message.state, "pending")
            self.assertEqual(message.attempt_count, attempt)
            last = message.attempt_ids[0]
            end = last.date + timedelta(milliseconds=last.duration_ms)
            delay = (message.next_attempt_date - end).total_seconds()
            expected = RETRY_SCHEDULE[attempt - 1]
            self.assertGreaterEqual(delay, expected * 0.8 - 1)
            self.assertLessEqual(delay, expected * 1.2 + 1)
        self._run_outgoing_jobs()
        self.assertEqual(message.state, "delivered")
        self.assertEqual(message.attempt_count, 4)
        self.assertEqual(
            message.attempt_ids.sorted("id").mapped("status_code"), [500, 500, 500, 200]
        )
        self.assertEqual(message.attempt_ids.mapped("response_body")[0], "yes")
        self.assertEqual(len(set(self.receiver.webhook_ids())), 1)
        self.assertFalse(self.endpoint.first_failure_date)

    def test_410_kills_the_message_and_disables_the_endpoint(self):
        message = self._send_one()
        other = self.env["webhook.outgoing.message"].create(
            {"endpoint_id": self.endpoint.id, "body": "{}", "event_type": "x.y"}
        )
        other._enqueue()
        self.receiver.answers = [(410, {}, "gone")]
        self.env.flush_all()
        job = self._outgoing_jobs()[0]
        Job.load(self.env, job.uuid).perform()
        self.env.invalidate_all()
        self.assertEqual(message.state, "dead")
        self.assertEqual(
            (self.endpoint.state, self.endpoint.active), ("disabled", True)
        )
        self.assertIn("410", self.endpoint.disabled_reason)
        self.assertEqual(other.state, "paused")
        # new messages wait, paused
        self.partner.write({"name": "While disabled"})
        self._commit_point()
        newest = self._messages()[-1]
        self.assertEqual(newest.state, "paused")
        # enabling sends the paused ones, in order
        self.receiver.answers = [(200, {}, "ok")]
        self.endpoint.action_enable()
        self._run_outgoing_jobs(rounds=3)
        self.assertEqual((other.state, newest.state), ("delivered", "delivered"))
        self.assertEqual(
            self.receiver.webhook_ids()[-2:], [other.message_id, newest.message_id]
        )

    def test_429_retry_after_is_honoured(self):
        self.receiver.answers = [(429, {"Retry-After": "120"}, "slow down")]
        message = self._send_one()
        self._run_outgoing_jobs()
        attempt = message.attempt_ids
        end = attempt.date + timedelta(milliseconds=attempt.duration_ms)
        self.assertGreaterEqual((message.next_attempt_date - end).total_seconds(), 119)
        job = self._outgoing_jobs()
        self.assertGreaterEqual(
            job.eta, message.next_attempt_date - timedelta(seconds=1)
        )

    def test_429_waits_at_least_a_minute(self):
        self.receiver.answers = [(429, {}, "slow down")]
        message = self._send_one()
        self._run_outgoing_jobs()
        attempt = message.attempt_ids
        end = attempt.date + timedelta(milliseconds=attempt.duration_ms)
        self.assertGreaterEqual((message.next_attempt_date - end).total_seconds(), 59)

    def test_timeout_waits_at_least_a_minute(self):
        self.endpoint.timeout = 1
        self.receiver.delay = 2
        message = self._send_one()
        self._run_outgoing_jobs()
        attempt = message.attempt_ids
        self.assertEqual(attempt.status_code, 0)
        self.assertTrue(attempt.error.startswith("timeout:"), attempt.error)
        self.assertLess(attempt.duration_ms, 1900)
        end = attempt.date + timedelta(milliseconds=attempt.duration_ms)
        self.assertGreaterEqual((message.next_attempt_date - end).total_seconds(), 59)

    def test_redirect_is_not_followed(self):
        self.receiver.answers = [
            (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, "")
        ]
        message = self._send_one()
        self._run_outgoing_jobs()
        self.assertEqual(len(self.receiver.requests), 1)
        self.assertEqual(message.attempt_ids.status_code, 302)
        self.assertEqual(message.state, "pending")  # a failure: tried again later

    def test_dead_after_max_attempts_with_an_activity(self):
        self.endpoint.max_attempts = 2
        self.receiver.answers = [(503, {}, "down")]
        message = self._send_one()
        self._run_outgoing_jobs(rounds=5)
        self.assertEqual(message.state, "dead")
        self.assertEqual(message.attempt_count, 2)
        admins = self.env.ref("base.group_system").users.filtered(
            lambda user: not user.share
        )
        self.assertTrue(admins)
        self.assertEqual(self.endpoint.activity_ids.user_id, admins)
        # resend: the same webhook-id and body, attempts logged as manual
        self.receiver.answers = [(200, {}, "ok")]
        message.action_resend()
        self._run_outgoing_jobs()
        self.assertEqual(message.state, "delivered")
        self.assertEqual(message.attempt_ids[0].trigger, "manual")
        self.assertEqual(set(self.receiver.webhook_ids()), {message.message_id})
        self.assertEqual(
            {request.body for request in self.receiver.requests},
            {message.body.encode()},
        )
        with self.assertRaises(UserError):
            self.env["webhook.outgoing.message"].create(
                {"endpoint_id": self.endpoint.id, "body": "{}"}
            ).action_resend()

    def test_recover_dead_since(self):
        self.receiver.answers = [(200, {}, "ok")]
        messages = self.env["webhook.outgoing.message"].create(
            [
                {"endpoint_id": self.endpoint.id, "body": json.dumps({"n": n})}
                for n in range(3)
            ]
        )
        messages.write({"state": "dead"})
        since = fields.Datetime.now() - timedelta(hours=1)
        self.assertEqual(self.endpoint.action_recover_dead(since), 3)
        self._run_outgoing_jobs(rounds=5)
        self.assertEqual(set(messages.mapped("state")), {"delivered"})
        self.assertEqual(self.receiver.webhook_ids(), messages.mapped("message_id"))

    def test_failing_for_5_days_disables_the_endpoint(self):
        self.receiver.answers = [(500, {}, "down")]
        message = self._send_one()
        self.endpoint.first_failure_date = fields.Datetime.now() - timedelta(
            days=5, minutes=1
        )
        self._run_outgoing_jobs()
        self.assertEqual(self.endpoint.state, "disabled")
        self.assertEqual(message.state, "paused")
        # a success resets the run of failures
        self.receiver.answers = [(200, {}, "ok")]
        self.endpoint.action_enable()
        self.assertFalse(self.endpoint.first_failure_date)
        self._run_outgoing_jobs()
        self.assertEqual(message.state, "delivered")

    def test_failures_start_the_run_and_success_resets_it(self):
        self.receiver.answers = [(500, {}, "down"), (200, {}, "ok")]
        message = self._send_one()
        self._run_outgoing_jobs()
        self.assertTrue(self.endpoint.first_failure_date)
        self._run_outgoing_jobs()
        self.assertEqual(message.state, "delivered")
        self.assertFalse(self.endpoint.first_failure_date)

    # ------------------------------------------------------------------
    # Test events
    # ------------------------------------------------------------------

    def test_send_test_event(self):
        self.receiver.answers = [(202, {}, "accepted")]
        result = self.endpoint.action_send_test_event()
        self.assertEqual(result["status_code"], 202)
        self.assertTrue(result["success"])
        self.assertEqual(result["response_body"], "accepted")
        self.assertEqual(result["request_headers"]["webhook-id"], result["message_id"])
        request = self.receiver.requests[0]
        self.assertEqual(json.loads(request.body)["type"], "webhook.test")
        self._assert_signed(request, [self.endpoint.signing_secret])
        message = self._messages()
        self.assertEqual(message.event_type, "webhook.test")
        self.assertEqual(message.attempt_ids.trigger, "test")
        self.assertEqual(self.endpoint.outgoing_message_count, 1)
        self.assertEqual(self.endpoint.outgoing_attempt_count, 1)
        action = self.endpoint.action_open_messages()
        self.assertEqual(action["res_model"], "webhook.outgoing.message")
        action = self.endpoint.action_open_attempts()
        self.assertEqual(action["res_model"], "webhook.outgoing.attempt")

    def test_response_body_is_truncated(self):
        self.receiver.answers = [(200, {}, "é" * 30_000)]
        self.endpoint.action_send_test_event()
        attempt = self._messages().attempt_ids
        self.assertLessEqual(len(attempt.response_body.encode()), 20_000)
        self.assertGreater(len(attempt.response_body.encode()), 19_990)


class TestOutgoingToIncoming(OutgoingCase):
    """This addon's incoming webhook verifies an outgoing message: no code."""

    def test_incoming_standard_webhook_verifies_outgoing_message(self):
        incoming = self._create_webhook(
            name="Incoming from another Odoo",
            record_getter=False,
            log_webhook_calls=True,
            webhook_signature_scheme="standard",
            actions=[
                self._upsert_action(
                    mappings=[
                        {"field": "name", "path": "data.name", "required": True},
                        {"field": "ref", "path": "type"},
                    ],
                    webhook_upsert_mode="create",
                )
            ],
        )
        incoming.webhook_signing_secret = self.endpoint.signing_secret
        self.endpoint.write(
            {"url": incoming.url, "allowed_private_networks": "127.0.0.0/8, ::1"}
        )
        self._outgoing_rule(
            webhook_payload_style="standard",
            webhook_field_ids=[
                self.env["ir.model.fields"]._get("res.partner", "name").id
            ],
        )
        partner = self.env["res.partner"].create({"name": "Sent"})
        partner.write({"name": "Sent across"})
        self._commit_point()
        message = self._messages()
        self.assertEqual(len(message), 1)
        self._run_outgoing_jobs()
        self.assertEqual(
            message.attempt_ids.status_code, 200, message.attempt_ids.response_body
        )
        self.assertEqual(message.state, "delivered")
        created = self.env["res.partner"].search(
            [("name", "=", "Sent across"), ("ref", "=", "res.partner.updated")]
        )
        self.assertEqual(len(created), 1)
        log = self._last_log(incoming)
        self.assertEqual(log.delivery_id or message.message_id, message.message_id)
        # a forged copy is refused by the same verifier
        self.endpoint.action_rotate_signing_secret()
        self.endpoint.previous_signing_secret = False
        message.action_resend()
        self._run_outgoing_jobs()
        self.assertEqual(message.attempt_ids[0].status_code, 401)
