# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reliable delivery over HTTP: idempotency, async mode, retries, replay.

Jobs run in the test's transaction through ``_run_jobs``; the same flows on
real, separate servers with queue_job's runner are in ``test_servers.py``.
"""

import json
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import WebhookCase

CREATE_CONTACT = """\
if not payload.get('name'):
    raise ValueError('a name is required')
env['res.partner'].create({'name': payload['name']})
"""
# fails with a transient database error (a statement timeout) while the
# partner named "Gate" has ref "closed"
GATED_CONTACT = """\
gate = env['res.partner'].search([('name', '=', 'Gate')], limit=1)
if gate.ref == 'closed':
    env.cr.execute("SET LOCAL statement_timeout = 1")
    env.cr.execute("SELECT pg_sleep(0.2)")
env['res.partner'].create({'name': payload['name']})
"""


class DeliveryCase(WebhookCase):
    def _rule(self, code=CREATE_CONTACT, **values):
        values.setdefault("log_webhook_calls", True)
        return self._create_webhook(
            record_getter=False, actions=[self._code_action(code)], **values
        )

    def _count(self, name):
        return self.env["res.partner"].search_count([("name", "=", name)])

    def _logs(self, rule):
        return self.env["webhook.call.log"].search(
            [("automation_id", "=", rule.id)], order="id"
        )


class TestIdempotency(DeliveryCase):
    def test_a_repeated_delivery_gets_the_first_answer(self):
        rule = self._rule(
            webhook_delivery_id_source="header", webhook_delivery_id_key="X-Delivery"
        )
        headers = {"X-Delivery": "d-1"}
        first = self.assertWebhookOk(
            self._call(rule, json={"name": "Once"}, headers=headers)
        )
        again = self._call(rule, json={"name": "Once"}, headers=headers)
        body = self.assertWebhookOk(again)
        self.assertIs(body["duplicate"], True)
        self.assertEqual(body["original_request_id"], first["request_id"])
        self.assertNotEqual(body["request_id"], first["request_id"])
        self.assertEqual(self._count("Once"), 1)
        logs = self._logs(rule)
        self.assertEqual(logs.mapped("state"), ["done", "duplicate"])
        self.assertEqual(logs.mapped("delivery_id"), ["d-1", "d-1"])
        self.assertEqual(logs[1].original_request_id, first["request_id"])
        # another delivery id runs
        self.assertWebhookOk(
            self._call(rule, json={"name": "Once"}, headers={"X-Delivery": "d-2"})
        )
        self.assertEqual(self._count("Once"), 2)

    def test_delivery_id_in_the_payload(self):
        rule = self._rule(
            webhook_delivery_id_source="payload",
            webhook_delivery_id_key="data.object.id",
        )
        payload = {"name": "Stripe event", "data": {"object": {"id": 7}}}
        self.assertWebhookOk(self._call(rule, json=payload))
        body = self.assertWebhookOk(self._call(rule, json=payload))
        self.assertTrue(body["duplicate"])
        self.assertEqual(self._count("Stripe event"), 1)

    def test_a_call_without_delivery_id_is_refused(self):
        rule = self._rule(
            webhook_delivery_id_source="header", webhook_delivery_id_key="X-Delivery"
        )
        response = self._call(rule, json={"name": "No id"})
        body = self.assertWebhookError(response, 400, "delivery_id_missing")
        self.assertIn("X-Delivery", body["error"]["message"])
        self.assertEqual(self._count("No id"), 0)
        self.assertEqual(self._last_log(rule).error_code, "delivery_id_missing")
        rule.webhook_delivery_id_source = "payload"
        rule.webhook_delivery_id_key = "event.id"
        for payload in ({"name": "x"}, {"event": {"id": {"nested": 1}}}, {"event": []}):
            with self.subTest(payload=payload):
                self.assertWebhookError(
                    self._call(rule, json=payload), 400, "delivery_id_missing"
                )

    def test_a_failed_delivery_runs_again(self):
        rule = self._rule(
            webhook_delivery_id_source="header", webhook_delivery_id_key="X-Delivery"
        )
        headers = {"X-Delivery": "retry-me"}
        self.assertWebhookError(
            self._call(rule, json={}, headers=headers), 422, "action_failed"
        )
        body = self.assertWebhookOk(
            self._call(rule, json={"name": "Fixed"}, headers=headers)
        )
        self.assertNotIn("duplicate", body)
        self.assertEqual(self._count("Fixed"), 1)
        self.assertEqual(self._logs(rule).mapped("state"), ["failed", "done"])

    def test_signature_scheme_prefills_the_delivery_id(self):
        rule = self._rule()
        view = "webhook_automation.base_automation_view_form_webhook"
        expected = {
            "github": ("header", "X-GitHub-Delivery"),
            "standard": ("header", "webhook-id"),
            "shopify": ("header", "X-Shopify-Webhook-Id"),
            "stripe": ("payload", "id"),
        }
        for scheme, (source, key) in expected.items():
            with self.subTest(scheme=scheme):
                with Form(rule, view=view) as form:
                    form.webhook_signature_scheme = scheme
                    self.assertEqual(form.webhook_delivery_id_source, source)
                    self.assertEqual(form.webhook_delivery_id_key, key)
                    form.webhook_signing_secret = "secret"
        # the administrator can change it afterwards
        with Form(rule, view=view) as form:
            form.webhook_delivery_id_key = "X-Custom-Id"
            form.webhook_delivery_id_source = "header"
        self.assertEqual(rule.webhook_delivery_id_key, "X-Custom-Id")

    def test_old_delivery_ids_are_purged(self):
        rule = self._rule(
            webhook_delivery_id_source="header", webhook_delivery_id_key="X-Delivery"
        )
        self.assertWebhookOk(
            self._call(rule, json={"name": "Old"}, headers={"X-Delivery": "old"})
        )
        self.assertWebhookOk(
            self._call(rule, json={"name": "New"}, headers={"X-Delivery": "new"})
        )
        Delivery = self.env["webhook.delivery"]
        old = Delivery.search([("delivery_id", "=", "old")])
        self.env.cr.execute(
            "UPDATE webhook_delivery SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=31), old.id),
        )
        # delivery ids have a retention of their own, even if logs are kept forever
        self.env["ir.config_parameter"].set_param(
            "webhook_automation.log_retention_days", "0"
        )
        self.env["webhook.call.log"]._cron_purge_old_logs()
        self.assertEqual(
            Delivery.search([("automation_id", "=", rule.id)]).mapped("delivery_id"),
            ["new"],
        )
        # a purged delivery id is served again
        body = self.assertWebhookOk(
            self._call(rule, json={"name": "Old"}, headers={"X-Delivery": "old"})
        )
        self.assertNotIn("duplicate", body)


class TestAsync(DeliveryCase):
    def _async_rule(self, code=CREATE_CONTACT, **values):
        return self._rule(code=code, webhook_mode="async", **values)

    def test_accepted_at_once_and_run_by_a_job(self):
        rule = self._async_rule()
        response = self._call(rule, json={"name": "Later"})
        self.assertEqual(response.status_code, 202, response.text)
        body = response.json()
        self.assertEqual(body, {"status": "accepted", "request_id": body["request_id"]})
        self.assertEqual(self._count("Later"), 0)
        log = self._last_log(rule)
        self.assertEqual(
            (log.state, log.status_code, log.attempts), ("accepted", 202, 0)
        )
        self.assertEqual(log.job_id.channel, "root.webhook")
        self.assertEqual(log.job_id.max_retries, 5)
        self.assertEqual(rule.webhook_waiting_count, 1)
        self.assertFalse(rule.webhook_job_runner_known)
        self._run_jobs()
        self.assertEqual(self._count("Later"), 1)
        self.assertEqual((log.state, log.status_code, log.attempts), ("done", 200, 1))
        self.assertEqual(log.job_id.state, "done")
        self.assertEqual(rule.webhook_waiting_count, 0)

    def test_checks_that_need_no_action_are_made_before_accepting(self):
        rule = self._async_rule(
            webhook_signature_scheme="github",
            webhook_delivery_id_source="header",
            webhook_delivery_id_key="X-GitHub-Delivery",
        )
        rule.webhook_signing_secret = "s"
        self.assertWebhookError(
            self._call(rule, json={"name": "x"}), 401, "signature_missing"
        )
        self.assertWebhookError(
            self._call(rule, data=b"{", headers={"Content-Type": "application/json"}),
            401,
            "signature_missing",
        )
        self.assertFalse(self._logs(rule).job_id)
        # refused before being accepted: nothing to retry
        with self.assertRaisesRegex(UserError, "has no job"):
            self._last_log(rule).action_retry()

    def test_duplicates_of_an_accepted_call(self):
        rule = self._async_rule(
            webhook_delivery_id_source="header", webhook_delivery_id_key="X-Delivery"
        )
        headers = {"X-Delivery": "a-1"}
        first = self._call(rule, json={"name": "Async once"}, headers=headers)
        second = self._call(rule, json={"name": "Async once"}, headers=headers)
        self.assertEqual((first.status_code, second.status_code), (202, 202))
        self.assertTrue(second.json()["duplicate"])
        self.assertEqual(
            second.json()["original_request_id"], first.json()["request_id"]
        )
        self.assertEqual(len(self._logs(rule).job_id), 1)
        self._run_jobs()
        self.assertEqual(self._count("Async once"), 1)

    def test_business_errors_fail_at_once(self):
        rule = self._async_rule(
            webhook_delivery_id_source="header", webhook_delivery_id_key="X-Delivery"
        )
        headers = {"X-Delivery": "bad-1"}
        self.assertEqual(self._call(rule, json={}, headers=headers).status_code, 202)
        self._run_jobs()
        log = self._last_log(rule)
        self.assertEqual(
            (log.state, log.status_code, log.error_code, log.attempts),
            ("failed", 422, "action_failed", 1),
        )
        self.assertIn("a name is required", log.error_message)
        self.assertFalse(self._run_jobs())  # no retry
        # the failed delivery may be sent again
        again = self._call(rule, json={"name": "Second try"}, headers=headers)
        self.assertEqual(again.status_code, 202)
        self.assertNotIn("duplicate", again.json())
        self._run_jobs()
        self.assertEqual(self._count("Second try"), 1)

    def test_transient_errors_are_retried(self):
        gate = self.env["res.partner"].create({"name": "Gate", "ref": "closed"})
        rule = self._async_rule(code=GATED_CONTACT)
        self.assertEqual(self._call(rule, json={"name": "Patient"}).status_code, 202)
        log = self._last_log(rule)
        self._run_jobs()
        self.assertEqual((log.state, log.attempts), ("accepted", 1))
        self.assertIn("canceling statement", log.error_message)
        self.assertEqual(log.job_id.state, "pending")
        self.assertTrue(log.job_id.eta)
        self.assertEqual(self._count("Patient"), 0)
        gate.ref = "open"
        self._run_jobs()
        self.assertEqual((log.state, log.attempts, log.status_code), ("done", 2, 200))
        self.assertEqual(self._count("Patient"), 1)

    def test_dead_letter_and_retry(self):
        gate = self.env["res.partner"].create({"name": "Gate", "ref": "closed"})
        rule = self._async_rule(
            code=GATED_CONTACT,
            webhook_max_attempts=2,
            webhook_delivery_id_source="header",
            webhook_delivery_id_key="X-Delivery",
        )
        headers = {"X-Delivery": "stubborn-1"}
        response = self._call(rule, json={"name": "Stubborn"}, headers=headers)
        self.assertEqual(response.status_code, 202)
        log = self._last_log(rule)
        self._run_jobs()
        self._run_jobs()
        self.assertEqual((log.state, log.attempts, log.status_code), ("failed", 2, 500))
        # failed for good: the sender may send the delivery again
        self.assertFalse(
            self.env["webhook.delivery"].search([("delivery_id", "=", "stubborn-1")])
        )
        self.assertEqual(log.job_id.state, "failed")
        self.assertEqual(log.error_code, "retries_exhausted")
        self.assertTrue(log.error_message)
        dead = self.env["webhook.call.log"].search(
            [
                ("automation_id", "=", rule.id),
                ("mode", "=", "async"),
                ("state", "=", "failed"),
                ("job_id", "!=", False),
            ]
        )
        self.assertEqual(dead, log)
        gate.ref = "open"
        log.action_retry()
        self.assertEqual(log.state, "accepted")
        # the retried call holds its delivery id again: a resend is a duplicate
        resent = self._call(rule, json={"name": "Stubborn"}, headers=headers)
        self.assertTrue(resent.json()["duplicate"])
        self._run_jobs()
        self.assertEqual((log.state, log.status_code), ("done", 200))
        self.assertEqual(self._count("Stubborn"), 1)
        with self.assertRaises(UserError):
            log.action_retry()  # only failed calls

    def test_no_retry_of_a_dead_letter_sent_again(self):
        gate = self.env["res.partner"].create({"name": "Gate", "ref": "closed"})
        rule = self._async_rule(
            code=GATED_CONTACT,
            webhook_max_attempts=1,
            webhook_delivery_id_source="header",
            webhook_delivery_id_key="X-Delivery",
        )
        headers = {"X-Delivery": "twice-1"}
        self._call(rule, json={"name": "Twice"}, headers=headers)
        dead = self._last_log(rule)
        self._run_jobs()
        self.assertEqual(dead.state, "failed")
        gate.ref = "open"
        resent = self._call(rule, json={"name": "Twice"}, headers=headers)
        self.assertNotIn("duplicate", resent.json())
        self._run_jobs()
        with self.assertRaisesRegex(UserError, "run it twice"):
            dead.action_retry()
        self.assertEqual(self._count("Twice"), 1)


class TestJobStorage(DeliveryCase):
    """Accepting a call stores queue_job's job: one INSERT, or its create().

    The INSERT is taken unless a module extends the creation of jobs; both
    give the job the same row, which queue_job runs as any other.
    """

    # the columns that differ from one job to another
    OWN_COLUMNS = ("id", "uuid", "name", "func_string", "args", "date_created")

    def _job_row(self, job):
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM queue_job WHERE id = %s", [job.id])
        names = [column.name for column in self.env.cr.description]
        row = dict(zip(names, self.env.cr.fetchone(), strict=True))
        return {name: row[name] for name in names if name not in self.OWN_COLUMNS}

    def test_an_automation_rule_on_jobs_still_sees_webhook_jobs(self):
        rule = self._rule(webhook_mode="async")
        self.assertEqual(self._call(rule, json={"name": "Inserted"}).status_code, 202)
        inserted_log = self._last_log(rule)
        inserted = inserted_log.job_id
        # a rule on the creation of jobs: Odoo extends create() of queue.job
        self.env["base.automation"].create(
            {
                "name": "Count the jobs",
                "model_id": self.env["ir.model"]._get_id("queue.job"),
                "trigger": "on_create",
                "action_server_ids": [
                    Command.create(
                        {
                            "name": "Count the jobs",
                            "model_id": self.env["ir.model"]._get_id("queue.job"),
                            "state": "code",
                            "code": "env['res.partner'].create("
                            "{'name': 'Job seen in ' + record.channel})",
                        }
                    )
                ],
            }
        )
        self.assertEqual(self._call(rule, json={"name": "Created"}).status_code, 202)
        created_log = self._last_log(rule)
        created = created_log.job_id
        self.assertEqual(self._count("Job seen in root.webhook"), 1)
        self.assertNotEqual(created, inserted)
        self.assertEqual(self._job_row(created), self._job_row(inserted))
        # each job holds its log's id, the log the payload
        self.assertEqual(
            [job.args for job in inserted | created],
            [[inserted_log.id], [created_log.id]],
        )
        self.assertEqual(
            [job.func_string for job in inserted | created],
            [
                f"{rule!r}._webhook_perform_call({inserted_log.id})",
                f"{rule!r}._webhook_perform_call({created_log.id})",
            ],
        )
        self._run_jobs()
        self.assertEqual(self._count("Inserted"), 1)
        self.assertEqual(self._count("Created"), 1)
        self.assertEqual((inserted | created).mapped("state"), ["done", "done"])

    def test_the_job_belongs_to_the_company_of_the_caller(self):
        rule = self._rule(webhook_mode="async")
        public_user = self.env.ref("base.public_user")
        self.assertEqual(self._call(rule, json={"name": "First"}).status_code, 202)
        self.assertEqual(self._last_log(rule).job_id.company_id, public_user.company_id)
        other = self.env["res.company"].create({"name": "Webhook Branch"})
        public_user.write({"company_ids": [Command.link(other.id)]})
        public_user.write({"company_id": other.id})
        self.assertEqual(self._call(rule, json={"name": "Second"}).status_code, 202)
        self.assertEqual(self._last_log(rule).job_id.company_id, other)

    def test_jobs_queued_before_the_upgrade_still_run(self):
        """Older jobs hold the payload, with the log's id or the request id.

        Version 18.0.1.5 gave the job the log's id and the payload, 18.0.1.6
        the request id and the payload; the payload is now in the log.
        """
        rule = self._rule(webhook_mode="async")
        for name, old_args in (
            ("Queued by 18.0.1.5", lambda log: [log.id]),
            ("Queued by 18.0.1.6", lambda log: [log.request_id]),
        ):
            with self.subTest(name=name):
                self.assertEqual(self._call(rule, json={"name": "x"}).status_code, 202)
                log = self._last_log(rule)
                self.assertEqual(log.job_id.args, [log.id])
                # as queue_job's Job.store() writes a job
                job = log.job_id.with_context(
                    _job_edit_sentinel=log.job_id.EDIT_SENTINEL
                )
                job.args = [*old_args(log), {"name": name}]
                self.assertEqual(len(self._run_jobs()), 1)
                self.assertEqual(self._count(name), 1)
                self.assertEqual(self._count("x"), 0)
                self.assertEqual(log.state, "done")
                self.assertEqual(log.job_id.state, "done")

    def test_queue_job_test_helpers_still_catch_webhook_jobs(self):
        rule = self._rule(webhook_mode="async")
        with trap_jobs() as trap:
            response = self._call(rule, json={"name": "Trapped"})
            self.assertEqual(response.status_code, 202, response.text)
            trap.assert_jobs_count(1, only=rule._webhook_perform_call)
        log = self._last_log(rule)
        trap.assert_enqueued_job(
            rule._webhook_perform_call,
            args=(log.id,),
            properties={"channel": "root.webhook", "max_retries": 5},
        )


class TestReplay(DeliveryCase):
    def test_replay_runs_the_payload_again(self):
        rule = self._rule()
        self.assertWebhookOk(self._call(rule, json={"name": "Replayed"}))
        log = self._last_log(rule)
        self.assertEqual(rule.webhook_log_ids, log)  # now in the cache
        action = log.action_replay()
        replay = self.env["webhook.call.log"].browse(action["res_id"])
        # the log is one INSERT: the webhook's list of logs sees it at once
        self.assertEqual(rule.webhook_log_ids, replay | log)
        self.assertEqual(replay.create_uid, self.env.user)
        self.assertTrue(replay.create_date and replay.call_date)
        self.assertEqual(replay.replay_of_id, log)
        self.assertEqual((replay.state, replay.status_code), ("done", 200))
        self.assertTrue(replay.from_console)
        self.assertNotEqual(replay.request_id, log.request_id)
        self.assertEqual(self._count("Replayed"), 2)

    def test_replay_respects_idempotency_unless_bypassed(self):
        rule = self._rule(
            webhook_delivery_id_source="header", webhook_delivery_id_key="X-Delivery"
        )
        self.assertWebhookOk(
            self._call(rule, json={"name": "Idempotent"}, headers={"X-Delivery": "r1"})
        )
        log = self._last_log(rule)
        replay = self.env["webhook.call.log"].browse(log.action_replay()["res_id"])
        self.assertEqual(replay.state, "duplicate")
        self.assertEqual(self._count("Idempotent"), 1)
        forced = self.env["webhook.call.log"].browse(
            log.action_replay_bypass_idempotency()["res_id"]
        )
        self.assertEqual(forced.state, "done")
        self.assertEqual(self._count("Idempotent"), 2)

    def test_replay_of_a_form_body_and_of_an_async_call(self):
        rule = self._rule(webhook_mode="async")
        response = self._call(rule, data={"name": "Form replay"})
        self.assertEqual(response.status_code, 202)
        log = self._last_log(rule)
        replay = self.env["webhook.call.log"].browse(log.action_replay()["res_id"])
        self.assertEqual((replay.state, replay.status_code), ("accepted", 202))
        self.assertEqual(replay.job_id.args, [replay.id])  # linked both ways
        self.assertNotEqual(replay.job_id, log.job_id)
        self._run_jobs()
        self.assertEqual(self._count("Form replay"), 2)

    def test_calls_without_their_body_cannot_be_replayed(self):
        rule = self._rule(log_webhook_calls=False, webhook_allow_get=True)
        self.assertWebhookOk(self._call(rule, json={"name": "Unlogged"}))
        with self.assertRaisesRegex(UserError, "body was not kept"):
            self._last_log(rule).action_replay()
        # a GET has no body, but its query parameters were not kept either
        self.assertWebhookOk(
            self._call(rule, method="GET", params={"name": "Unlogged GET"})
        )
        with self.assertRaisesRegex(UserError, "body was not kept"):
            self._last_log(rule).action_replay()
        self.assertEqual(self._count("Unlogged"), 1)
        self.assertEqual(self._count("Unlogged GET"), 1)

    def test_replay_uses_the_logged_delivery_id_even_if_masked(self):
        rule = self._rule(
            webhook_delivery_id_source="header",
            webhook_delivery_id_key="X-Delivery-Token",
        )
        headers = {"X-Delivery-Token": "tok-1"}
        self.assertWebhookOk(self._call(rule, json={"name": "Masked"}, headers=headers))
        log = self._last_log(rule)
        self.assertEqual(json.loads(log.request_headers)["X-Delivery-Token"], "***")
        self.assertEqual(log.delivery_id, "tok-1")
        replay = self.env["webhook.call.log"].browse(log.action_replay()["res_id"])
        self.assertEqual((replay.state, replay.delivery_id), ("duplicate", "tok-1"))
        self.assertEqual(self._count("Masked"), 1)
