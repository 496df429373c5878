# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The jobs of async calls neither re-run nor leak (issue 15, finding 5).

A job runs as the superuser what a sender sent: requeuing a done job (which
a Job Queue Manager who is not an administrator may do) must not run the call
again, an archived webhook must not run its waiting calls, and the payload
lives in the call log alone, never in the job's arguments.
"""

import json

from odoo import Command
from odoo.exceptions import UserError
from odoo.tools import SQL

from .common import WebhookCase

CREATE_CONTACT = """\
if not payload.get('name'):
    raise ValueError('a name is required')
env['res.partner'].create({'name': payload['name']})
"""
TOKEN = "tok-9f3c-never-in-a-job"


class TestJobSafety(WebhookCase):
    def _async_rule(self, **values):
        values.setdefault("log_webhook_calls", False)
        return self._create_webhook(
            record_getter=False,
            webhook_mode="async",
            actions=[self._code_action(CREATE_CONTACT)],
            **values,
        )

    def _accept(self, rule, payload):
        response = self._call(rule, json=payload)
        self.assertEqual(response.status_code, 202, response.text)
        return self._last_log(rule)

    def _count(self, name):
        return self.env["res.partner"].search_count([("name", "=", name)])

    def _row_text(self, table, record_id):
        """Return the database row ``record_id`` of ``table`` as one text."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT row_to_json(t)::text FROM %s t WHERE id = %s",
                SQL.identifier(table),
                record_id,
            )
        )
        return self.env.cr.fetchone()[0]

    def test_a_requeued_done_job_does_not_run_again(self):
        rule = self._async_rule()
        log = self._accept(rule, {"name": "Once"})
        self._run_jobs()
        self.assertEqual(self._count("Once"), 1)
        self.assertEqual((log.state, log.attempts), ("done", 1))
        # a Job Queue Manager who is not an administrator requeues the job
        manager = self.env["res.users"].create(
            {
                "name": "Queue manager",
                "login": "queue-manager",
                "groups_id": [
                    Command.link(self.env.ref("base.group_user").id),
                    Command.link(self.env.ref("queue_job.group_queue_job_manager").id),
                ],
            }
        )
        log.job_id.with_user(manager).requeue()
        self.assertEqual(log.job_id.state, "pending")
        self.assertEqual(log.state, "done")  # the call ran: it stays done
        with self._capture_log_lines(
            "odoo.addons.webhook_automation.models.base_automation_delivery"
        ) as lines:
            self.assertEqual(len(self._run_jobs()), 1)
        self.assertEqual(self._count("Once"), 1)
        self.assertEqual((log.state, log.attempts, log.status_code), ("done", 1, 200))
        self.assertEqual(log.job_id.state, "done")
        self.assertIn("already done: it was not run again", log.job_id.result)
        self.assertIn(f"call {log.request_id} is already done", "\n".join(lines))

    def test_the_waiting_call_of_an_archived_webhook_fails(self):
        rule = self._async_rule(
            webhook_delivery_id_source="header", webhook_delivery_id_key="X-Delivery"
        )
        response = self._call(
            rule, json={"name": "Archived"}, headers={"X-Delivery": "arch-1"}
        )
        self.assertEqual(response.status_code, 202, response.text)
        log = self._last_log(rule)
        rule.active = False
        self.assertEqual(len(self._run_jobs()), 1)
        self.assertEqual(self._count("Archived"), 0)
        self.assertEqual(
            (log.state, log.status_code, log.error_code), ("failed", 404, "not_found")
        )
        self.assertIn("was archived", log.error_message)
        self.assertIn("not run", log.error_message)
        # failed for good: not retried, and the delivery may be sent again
        self.assertEqual(log.job_id.state, "done")
        self.assertFalse(self._run_jobs())
        self.assertFalse(
            self.env["webhook.delivery"].search([("delivery_id", "=", "arch-1")])
        )
        self.assertEqual(self._count("Archived"), 0)

    def test_the_job_holds_the_log_id_not_the_payload(self):
        rule = self._async_rule()
        log = self._accept(rule, {"name": "Private", "token": TOKEN})
        job = log.job_id
        self.assertEqual(job.args, [log.id])
        self.assertNotIn(TOKEN, json.dumps(job.args))
        self.assertNotIn(TOKEN, job.func_string)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT args::text, kwargs::text, func_string FROM queue_job WHERE id = %s",
            [job.id],
        )
        self.assertNotIn(TOKEN, " ".join(self.env.cr.fetchone()))
        self.assertNotIn(TOKEN, self._row_text("queue_job", job.id))
        # the payload is in the log alone, for administrators only
        self.assertEqual(
            json.loads(log.sudo().payload), {"name": "Private", "token": TOKEN}
        )
        self._run_jobs()
        self.assertEqual(self._count("Private"), 1)
        self.assertEqual(log.state, "done")
        self.assertNotIn(TOKEN, self._row_text("queue_job", job.id))

    def test_without_log_calls_nothing_of_the_payload_remains(self):
        rule = self._async_rule()
        done = self._accept(rule, {"name": "Kept nowhere", "token": TOKEN})
        failed = self._accept(rule, {"token": TOKEN})  # no name: a business error
        self.assertIn(TOKEN, self._row_text("webhook_call_log", done.id))
        self._run_jobs()
        self.assertEqual(self._count("Kept nowhere"), 1)
        self.assertEqual((done.state, failed.state), ("done", "failed"))
        for log in done | failed:
            self.assertNotIn(TOKEN, self._row_text("webhook_call_log", log.id))
            self.assertNotIn(TOKEN, self._row_text("queue_job", log.job_id.id))
        # nothing left to run again
        with self.assertRaisesRegex(UserError, "payload was not kept"):
            failed.action_retry()

    def test_with_log_calls_the_payload_is_kept_for_a_retry(self):
        rule = self._async_rule(log_webhook_calls=True)
        failed = self._accept(rule, {"token": TOKEN})
        self._run_jobs()
        self.assertEqual(failed.state, "failed")
        self.assertEqual(json.loads(failed.sudo().payload), {"token": TOKEN})
        failed.action_retry()
        self.assertEqual(failed.state, "accepted")
        self._run_jobs()
        self.assertEqual(failed.state, "failed")  # still no name: failed again
        self.assertIn("a name is required", failed.error_message)
