# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Protections of the database (issue 15): pause, rate limit, backlog,
circuit breaker and time budget, over HTTP on the in-process server.

Calls are sent one at a time: what needs concurrent calls or several servers
(the rate limit across servers, concurrency slots, a crash, concurrent
failures) is in ``test_protection_servers.py``.
"""

import json

from psycopg2 import IntegrityError

from odoo import fields
from odoo.tools import mute_logger

from .common import WebhookCase, WebhookTransactionCase
from .test_signatures import github_headers

MARK = "record.write({'ref': str(payload.get('n'))})"
CREATE = "env['res.partner'].create({'name': payload['name']})"
FAIL_ON_DEMAND = """\
if payload.get('fail'):
    raise UserError('asked to fail')
env['res.partner'].create({'name': payload['name']})
"""
# writes, then sleeps in SQL far past a 1-second budget
WRITE_THEN_SLEEP = """\
env['res.partner'].create({'name': payload['name']})
env.cr.execute("SELECT pg_sleep(5)")
"""
SECRET = "protection-secret"
UNLIMITED = {
    "webhook_time_limit": 0,
    "webhook_max_backlog": 0,
    "webhook_rate_limit": 0,
    "webhook_max_concurrency": 0,
    "webhook_failure_threshold": 0,
}


class TestProtectionSettings(WebhookTransactionCase):
    """The protections' settings: defaults, constraints, pause buttons."""

    def test_defaults_of_new_and_existing_webhooks(self):
        rule = self._create_webhook()
        self.assertEqual(
            (
                rule.webhook_paused,
                rule.webhook_pause_reason,
                rule.webhook_rate_limit,
                rule.webhook_rate_period,
                rule.webhook_rate_burst,
                rule.webhook_max_concurrency,
                rule.webhook_max_backlog,
                rule.webhook_failure_threshold,
                rule.webhook_failure_count,
                rule.webhook_time_limit,
            ),
            (False, False, 0, "minute", 0, 0, 10000, 0, 0, 30),
        )
        # the webhook created with core before the install keeps no time limit
        uuid = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("webhook_automation_test.preinstall_uuid")
        )
        if uuid:
            core_rule = self.env["base.automation"].search(
                [("webhook_uuid", "=", uuid)]
            )
            self.assertEqual(core_rule.webhook_time_limit, 0)

    def test_limits_cannot_be_negative(self):
        rule = self._create_webhook()
        for field in (
            "webhook_rate_limit",
            "webhook_rate_burst",
            "webhook_max_concurrency",
            "webhook_max_backlog",
            "webhook_failure_threshold",
            "webhook_time_limit",
        ):
            with (
                self.subTest(field=field),
                mute_logger("odoo.sql_db"),
                self.assertRaises(IntegrityError),
                self.env.cr.savepoint(),
            ):
                rule.write({field: -1})
                rule.flush_recordset()

    def test_pause_and_resume_buttons(self):
        rule = self._create_webhook(webhook_failure_threshold=5)
        rule.action_webhook_pause()
        self.assertEqual(
            (rule.webhook_paused, rule.webhook_pause_reason), (True, "manual")
        )
        # as the circuit breaker leaves it
        rule.write(
            {
                "webhook_paused": True,
                "webhook_pause_reason": "failures",
                "webhook_failure_count": 5,
            }
        )
        self.assertEqual(rule.webhook_pause_reason, "failures")
        rule.action_webhook_resume()
        self.assertEqual(
            (
                rule.webhook_paused,
                rule.webhook_pause_reason,
                rule.webhook_failure_count,
            ),
            (False, False, 0),
        )
        paused = self._create_webhook(webhook_paused=True)
        self.assertEqual(paused.webhook_pause_reason, "manual")
        self.assertFalse(paused.copy().webhook_paused)


class TestProtection(WebhookCase):
    def _partner_count(self, name):
        return self.env["res.partner"].search_count([("name", "=", name)])

    def _notifications(self, rule):
        return self.env["mail.message"].search(
            [
                ("model", "=", "base.automation"),
                ("res_id", "=", rule.id),
                ("message_type", "=", "user_notification"),
            ]
        )

    def _logs(self, rule):
        return self.env["webhook.call.log"].search(
            [("automation_id", "=", rule.id)], order="id"
        )

    def _count_queries(self, rule, payload, status):
        self.env.flush_all()
        before = self.cr.sql_log_count
        response = self.http.post(rule.url, json=payload, timeout=30)
        self.assertEqual(response.status_code, status, response.text)
        self.env.invalidate_all()
        return self.cr.sql_log_count - before

    # ------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------

    def test_unlimited_webhook_answers_as_before(self):
        partner = self.env["res.partner"].create({"name": "Unlimited"})
        rule = self._create_webhook(
            record_getter="model.browse(int(payload.get('id')))",
            actions=[self._code_action(MARK)],
            **UNLIMITED,
        )
        for n in range(3):
            response = self._call(rule, json={"id": partner.id, "n": n})
            self.assertWebhookOk(response)
            self.assertNotIn("Retry-After", response.headers)
            self.assertEqual(partner.ref, str(n))
        self.assertFalse(rule.webhook_paused)

    # ------------------------------------------------------------------
    # Pause
    # ------------------------------------------------------------------

    def test_paused_webhook_runs_nothing(self):
        rule = self._create_webhook(
            record_getter=False,
            log_webhook_calls=True,
            actions=[self._code_action(CREATE)],
        )
        rule.webhook_paused = True
        self.assertEqual(rule.webhook_pause_reason, "manual")
        response = self._call(rule, json={"name": "While paused"})
        self.assertWebhookError(response, 503, "webhook_paused")
        self.assertEqual(response.headers["Retry-After"], "300")
        self.assertEqual(self._partner_count("While paused"), 0)
        log = self._last_log(rule)
        self.assertEqual(
            (log.status_code, log.error_code, log.refused_count),
            (503, "webhook_paused", 1),
        )
        self.assertFalse(log.request_body)
        # resumed: served again
        rule.action_webhook_resume()
        self.assertWebhookOk(self._call(rule, json={"name": "Resumed"}))
        self.assertEqual(self._partner_count("Resumed"), 1)

    def test_jobs_of_a_paused_webhook_wait_until_it_is_resumed(self):
        rule = self._create_webhook(
            record_getter=False,
            webhook_mode="async",
            log_webhook_calls=True,
            actions=[self._code_action(CREATE)],
        )
        response = self._call(rule, json={"name": "Accepted before the pause"})
        self.assertEqual(response.status_code, 202, response.text)
        log = self._last_log(rule)
        rule.action_webhook_pause()

        jobs = self._run_jobs()

        # postponed, without using an attempt: nothing ran
        self.assertEqual(jobs, log.job_id)
        self.assertEqual((jobs.state, jobs.retry), ("pending", 0))
        self.assertIn("paused", jobs.result)
        self.assertGreater(jobs.eta, fields.Datetime.now())
        self.assertEqual((log.state, log.attempts), ("accepted", 0))
        self.assertEqual(self._partner_count("Accepted before the pause"), 0)
        # resumed by its field, as the form's toggle does: the job may start
        # at once, and runs the call
        rule.webhook_paused = False
        self.assertFalse(jobs.eta)
        self._run_jobs()
        self.assertEqual((log.state, log.attempts), ("done", 1))
        self.assertEqual(self._partner_count("Accepted before the pause"), 1)

    # ------------------------------------------------------------------
    # Rate limit
    # ------------------------------------------------------------------

    def test_rate_limit(self):
        rule = self._create_webhook(
            record_getter=False,
            actions=[self._code_action(CREATE)],
            webhook_rate_limit=2,
            webhook_rate_period="minute",
            webhook_rate_burst=2,
        )
        for name in ("Rate 1", "Rate 2"):
            self.assertWebhookOk(self._call(rule, json={"name": name}))
        response = self._call(rule, json={"name": "Rate 3"})
        self.assertWebhookError(response, 429, "rate_limited")
        retry_after = response.headers["Retry-After"]
        self.assertRegex(retry_after, r"^\d+$")
        # the next call of 2 per minute comes 30 s after the burst
        self.assertTrue(1 <= int(retry_after) <= 30, retry_after)
        self.assertEqual(self._partner_count("Rate 3"), 0)
        self.assertEqual(self._last_log(rule).error_code, "rate_limited")

    def test_rate_burst_defaults_to_the_limit(self):
        rule = self._create_webhook(
            record_getter=False, webhook_rate_limit=3, webhook_rate_period="hour"
        )
        statuses = [self._call(rule, json={}).status_code for _index in range(4)]
        self.assertEqual(statuses, [200, 200, 200, 429])

    def test_rate_limit_of_a_signed_webhook_counts_authenticated_calls_only(self):
        rule = self._create_webhook(
            record_getter=False,
            webhook_signature_scheme="github",
            webhook_rate_limit=1,
            webhook_rate_period="hour",
        )
        rule.webhook_signing_secret = SECRET
        body = json.dumps({}).encode()
        headers = {"Content-Type": "application/json"}
        for _index in range(3):  # forgers use none of the sender's budget
            forged = self._call(
                rule, data=body, headers={**headers, **github_headers(body, "x")}
            )
            self.assertWebhookError(forged, 401, "signature_invalid")
        signed = {**headers, **github_headers(body, SECRET)}
        self.assertWebhookOk(self._call(rule, data=body, headers=signed))
        self.assertWebhookError(
            self._call(rule, data=body, headers=signed), 429, "rate_limited"
        )

    def test_rate_limit_costs(self):
        """The rate limit costs one statement, accepted or refused."""
        limited = self._create_webhook(
            record_getter=False, webhook_rate_limit=1, webhook_rate_period="hour"
        )
        paused = self._create_webhook(record_getter=False, webhook_paused=True)
        self._count_queries(paused, {}, 503)  # warm-up
        refused = self._count_queries(paused, {}, 503)
        self._count_queries(limited, {}, 200)
        self._count_queries(limited, {}, 429)  # the first refusal creates its log row
        self.assertEqual(self._count_queries(limited, {}, 429), refused + 1)

    def test_rate_bucket_goes_with_its_webhook(self):
        rule = self._create_webhook(record_getter=False, webhook_rate_limit=5)
        self.assertWebhookOk(self._call(rule, json={}))
        query = "SELECT count(*) FROM webhook_rate_bucket WHERE automation_id = %s"
        self.env.cr.execute(query, [rule.id])
        self.assertEqual(self.env.cr.fetchone()[0], 1)
        rule_id = rule.id
        rule.unlink()
        self.env.cr.execute(query, [rule_id])
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    # ------------------------------------------------------------------
    # Backlog
    # ------------------------------------------------------------------

    def test_backlog_full(self):
        rule = self._create_webhook(
            record_getter=False,
            webhook_mode="async",
            webhook_max_backlog=3,
            actions=[self._code_action(CREATE)],
        )
        for index in range(3):
            response = self._call(rule, json={"name": f"Backlog {index}"})
            self.assertEqual(response.status_code, 202, response.text)
        response = self._call(rule, json={"name": "Backlog 3"})
        self.assertWebhookError(response, 503, "backlog_full")
        self.assertEqual(response.headers["Retry-After"], "60")
        logs = self._logs(rule)
        self.assertEqual(logs.mapped("state"), ["accepted"] * 3 + ["failed"])
        self.assertEqual(len(logs.job_id), 3)
        # once the jobs ran, calls are accepted again
        self._run_jobs()
        self.assertEqual(self._partner_count("Backlog 0"), 1)
        response = self._call(rule, json={"name": "Backlog 4"})
        self.assertEqual(response.status_code, 202, response.text)

    def test_calls_refused_for_backlog_use_no_rate_budget(self):
        rule = self._create_webhook(
            record_getter=False,
            webhook_mode="async",
            webhook_max_backlog=2,
            webhook_rate_limit=3,
            webhook_rate_period="hour",
        )
        statuses = [self._call(rule, json={}).status_code for _index in range(4)]
        self.assertEqual(statuses, [202, 202, 503, 503])
        self._run_jobs()
        # the two refusals gave their tokens back: one is left
        statuses = [self._call(rule, json={}).status_code for _index in range(2)]
        self.assertEqual(statuses, [202, 429])

    # ------------------------------------------------------------------
    # Circuit breaker
    # ------------------------------------------------------------------

    def test_failures_pause_the_webhook_and_notify_once(self):
        rule = self._create_webhook(
            record_getter=False,
            webhook_failure_threshold=3,
            actions=[self._code_action(FAIL_ON_DEMAND)],
        )
        for expected_count in (1, 2, 3):
            response = self._call(rule, json={"fail": True})
            self.assertWebhookError(response, 422, "action_failed")
            self.assertEqual(rule.webhook_failure_count, expected_count)
        self.assertEqual(
            (rule.webhook_paused, rule.webhook_pause_reason), (True, "failures")
        )
        notifications = self._notifications(rule)
        self.assertEqual(len(notifications), 1)
        admin = self.env.ref("base.user_admin")
        self.assertIn(admin.partner_id, notifications.partner_ids)
        self.assertIn(rule.name, notifications.subject)
        # then refused, whatever the payload, and nothing more is counted
        response = self._call(rule, json={"name": "After the pause"})
        self.assertWebhookError(response, 503, "webhook_paused")
        self.assertEqual(response.headers["Retry-After"], "300")
        self.assertEqual(self._partner_count("After the pause"), 0)
        self.assertEqual(rule.webhook_failure_count, 3)
        self.assertEqual(len(self._notifications(rule)), 1)
        rule.action_webhook_resume()
        self.assertEqual(rule.webhook_failure_count, 0)
        self.assertWebhookOk(self._call(rule, json={"name": "After the pause"}))

    def test_a_success_resets_the_count(self):
        rule = self._create_webhook(
            record_getter=False,
            webhook_failure_threshold=3,
            actions=[self._code_action(FAIL_ON_DEMAND)],
        )
        for payload in ({"fail": 1}, {"fail": 1}, {"name": "Reset"}, {"fail": 1}):
            self._call(rule, json=payload)
        self.assertEqual(rule.webhook_failure_count, 1)
        self.assertFalse(rule.webhook_paused)
        self.assertFalse(self._notifications(rule))

    def test_a_target_not_found_counts(self):
        rule = self._create_webhook(
            record_getter="model.browse(int(payload.get('id')))",
            webhook_failure_threshold=2,
        )
        for _index in range(2):
            self.assertWebhookError(
                self._call(rule, json={"id": 999999999}), 422, "target_not_found"
            )
        self.assertEqual(rule.webhook_pause_reason, "failures")

    def test_refusals_do_not_count(self):
        rule = self._create_webhook(
            record_getter=False,
            webhook_signature_scheme="github",
            webhook_failure_threshold=1,
        )
        rule.webhook_signing_secret = SECRET
        body = b"{}"
        for _index in range(3):
            response = self._call(
                rule,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    **github_headers(body, "wrong"),
                },
            )
            self.assertWebhookError(response, 401, "signature_invalid")
        self.assertEqual(rule.webhook_failure_count, 0)
        self.assertFalse(rule.webhook_paused)

    def test_healthy_webhook_gains_no_query(self):
        """The breaker's count is read with the rule: a success costs nothing more."""
        off = self._create_webhook(record_getter=False, **UNLIMITED)
        on = self._create_webhook(
            record_getter=False, **{**UNLIMITED, "webhook_failure_threshold": 3}
        )
        self._count_queries(off, {}, 200)
        self._count_queries(on, {}, 200)
        self.assertEqual(
            self._count_queries(on, {}, 200), self._count_queries(off, {}, 200)
        )

    # ------------------------------------------------------------------
    # Time budget
    # ------------------------------------------------------------------

    def test_time_limit_undoes_everything(self):
        rule = self._create_webhook(
            record_getter=False,
            log_webhook_calls=True,
            webhook_time_limit=1,
            actions=[self._code_action(WRITE_THEN_SLEEP)],
        )
        with mute_logger("odoo.sql_db", "odoo.addons.webhook_automation.models"):
            response = self._call(rule, json={"name": "Too slow"})
        self.assertWebhookError(response, 503, "time_limit_exceeded")
        self.assertEqual(self._partner_count("Too slow"), 0)
        log = self._last_log(rule)
        self.assertEqual(
            (log.status_code, log.error_code), (503, "time_limit_exceeded")
        )

    def test_time_limit_counts_as_a_failure(self):
        rule = self._create_webhook(
            record_getter=False,
            webhook_time_limit=1,
            webhook_failure_threshold=1,
            actions=[self._code_action(WRITE_THEN_SLEEP)],
        )
        with mute_logger("odoo.sql_db", "odoo.addons.webhook_automation.models"):
            response = self._call(rule, json={"name": "Too slow"})
        self.assertWebhookError(response, 503, "time_limit_exceeded")
        self.assertEqual(rule.webhook_pause_reason, "failures")

    def test_time_limit_bounds_only_the_execution(self):
        """A call within budget runs and is logged; a caller's transaction that
        goes on (console, replay, jobs) gets its own timeouts back."""
        self.env.cr.execute("SHOW statement_timeout")
        statement_timeout = self.env.cr.fetchone()[0]
        rule = self._create_webhook(
            record_getter=False,
            webhook_time_limit=2,
            actions=[self._code_action(CREATE)],
        )
        # the console's path: the execution runs in the caller's transaction
        rule.sudo()._webhook_execute({"name": "In time too"})
        self.assertEqual(self._partner_count("In time too"), 1)
        self.env.cr.execute("SHOW statement_timeout")
        self.assertEqual(self.env.cr.fetchone()[0], statement_timeout)
        self.env.cr.execute("SHOW lock_timeout")
        self.assertEqual(self.env.cr.fetchone()[0], "0")
        # over HTTP, the call's transaction ends with its log (here, the
        # test's transaction goes on with the call's bounds)
        self.assertWebhookOk(self._call(rule, json={"name": "In time"}))
        self.assertEqual(self._partner_count("In time"), 1)
        self.assertEqual(self._last_log(rule).status_code, 200)

    def test_async_call_past_its_time_limit_is_retried(self):
        rule = self._create_webhook(
            record_getter=False,
            webhook_mode="async",
            webhook_time_limit=1,
            actions=[self._code_action(WRITE_THEN_SLEEP)],
        )
        response = self._call(rule, json={"name": "Slow job"})
        self.assertEqual(response.status_code, 202, response.text)
        with mute_logger("odoo.sql_db", "odoo.addons.webhook_automation.models"):
            jobs = self._run_jobs()
        self.assertEqual(len(jobs), 1)
        self.assertEqual((jobs.state, jobs.retry), ("pending", 1))
        self.assertIn("TimeLimitExceeded", jobs.result)
        self.assertEqual(self._partner_count("Slow job"), 0)
        self.assertEqual(self._last_log(rule).state, "accepted")

    def test_jobs_failed_for_good_count(self):
        """The hook of the job path: a dead letter counts as a failure."""
        rule = self._create_webhook(webhook_failure_threshold=2)
        rule._webhook_record_job_failure()
        self.assertEqual((rule.webhook_failure_count, rule.webhook_paused), (1, False))
        rule._webhook_record_job_failure()
        self.assertEqual(
            (rule.webhook_paused, rule.webhook_pause_reason), (True, "failures")
        )
        self.assertEqual(len(self._notifications(rule)), 1)
        # without a threshold, nothing is counted
        other = self._create_webhook()
        other._webhook_record_job_failure()
        self.assertEqual(other.webhook_failure_count, 0)
