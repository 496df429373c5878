# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Calls per Job: the job of an async call runs the next waiting calls too.

With ``webhook_job_batch_size`` N, the job of a call runs it, then up to
N - 1 more accepted calls of the webhook whose jobs wait, oldest first, each
all or nothing, and sets their jobs done: fewer jobs for the same calls.
A call that meets a transient error is undone and left to its own job, which
retries it; a call that fails for good is recorded as it would be alone.
"""

from psycopg2 import IntegrityError

from odoo.tools import mute_logger

from odoo.addons.queue_job.job import Job

from .common import WebhookCase

CREATE_CONTACT = """\
if payload.get('slow'):
    env.cr.execute('SELECT pg_sleep(2)')
if not payload.get('name'):
    raise ValueError('a name is required')
env['res.partner'].create({'name': payload['name'], 'ref': payload['name']})
"""


class TestJobBatches(WebhookCase):
    def _async_rule(self, batch_size, **values):
        return self._create_webhook(
            record_getter=False,
            webhook_mode="async",
            webhook_job_batch_size=batch_size,
            log_webhook_calls=True,
            actions=[self._code_action(CREATE_CONTACT)],
            **values,
        )

    def _accept(self, rule, payloads):
        logs = self.env["webhook.call.log"]
        for payload in payloads:
            response = self._call(rule, json=payload)
            self.assertEqual(response.status_code, 202, response.text)
            logs |= self._last_log(rule)
        return logs

    def _perform(self, log):
        """Run the job of ``log``'s call as queue_job's runner does.

        Returns the job's result.
        """
        self.env.flush_all()
        job = Job.load(self.env, log.job_id.uuid)
        job.set_started()
        job.store()
        with self.env.cr.savepoint():
            result = job.perform()
            job.set_done()
            job.store()
        self.env.flush_all()
        self.env.invalidate_all()
        return result

    def _contacts(self, prefix):
        """Return the names of the contacts named ``prefix``..., in creation order."""
        return (
            self.env["res.partner"]
            .search([("name", "=like", f"{prefix}%")], order="id")
            .mapped("name")
        )

    def test_a_job_runs_the_next_waiting_calls_in_order(self):
        rule = self._async_rule(4)
        names = [f"Batch {n}" for n in range(6)]
        logs = self._accept(rule, [{"name": name} for name in names])

        result = self._perform(logs[0])

        self.assertIn("and 3 more calls of the webhook", result)
        self.assertEqual(self._contacts("Batch"), names[:4])
        for log in logs[:4]:
            self.assertEqual(
                (log.state, log.status_code, log.attempts, log.job_id.state),
                ("done", 200, 1, "done"),
            )
        for log in logs[1:4]:
            self.assertIn("run by the job of another call", log.job_id.result)
        # the others wait for their own jobs, which run them once each
        self.assertEqual(set(logs[4:].mapped("state")), {"accepted"})
        self.assertEqual(set(logs[4:].job_id.mapped("state")), {"pending"})
        self.assertIn("and 1 more calls", self._perform(logs[4]))
        self.assertIn("run by the job of another call", logs[5].job_id.result)
        self.assertEqual(self._contacts("Batch"), names)
        self.assertEqual(set(logs.mapped("state")), {"done"})
        self.assertEqual(set(logs.job_id.mapped("state")), {"done"})

    def test_a_job_enqueued_after_another_ran_its_call_runs_nothing(self):
        # queue_job's runner sets a job enqueued whatever its state: it may do
        # so just after another job ran the call and set that job done
        rule = self._async_rule(2)
        logs = self._accept(rule, [{"name": "Once 0"}, {"name": "Once 1"}])
        self._perform(logs[0])
        self.assertEqual(logs[1].job_id.state, "done")
        logs[1].job_id.state = "enqueued"

        result = self._perform(logs[1])

        self.assertIn("already done: it was not run again", result)
        self.assertEqual(self._contacts("Once"), ["Once 0", "Once 1"])
        self.assertEqual((logs[1].state, logs[1].attempts), ("done", 1))

    def test_a_job_enqueued_after_another_failed_its_call_runs_nothing(self):
        rule = self._async_rule(2)
        logs = self._accept(rule, [{"name": "Failing 0"}, {}])
        self._perform(logs[0])
        self.assertEqual((logs[1].state, logs[1].job_id.state), ("failed", "done"))
        logs[1].job_id.state = "enqueued"

        result = self._perform(logs[1])

        self.assertIn("already failed: it was not run again", result)
        self.assertEqual((logs[1].state, logs[1].attempts), ("failed", 1))
        # Retry on the log runs it again, as any failed call
        logs[1].action_retry()
        self.assertEqual(logs[1].state, "accepted")
        self._run_jobs()
        self.assertEqual(logs[1].state, "failed")
        self.assertEqual(logs[1].job_id.result, "422 failed")
        self.assertIn("a name is required", logs[1].error_message)

    def test_one_job_per_call_by_default(self):
        rule = self._create_webhook(
            record_getter=False,
            webhook_mode="async",
            actions=[self._code_action(CREATE_CONTACT)],
        )
        self.assertEqual(rule.webhook_job_batch_size, 1)
        logs = self._accept(rule, [{"name": "Alone 0"}, {"name": "Alone 1"}])
        self._perform(logs[0])
        self.assertEqual(self._contacts("Alone"), ["Alone 0"])
        self.assertEqual((logs[1].state, logs[1].job_id.state), ("accepted", "pending"))

    def test_a_call_that_fails_for_good_does_not_stop_the_batch(self):
        rule = self._async_rule(3)
        logs = self._accept(rule, [{"name": "Good 0"}, {}, {"name": "Good 2"}])

        self._perform(logs[0])

        self.assertEqual(self._contacts("Good"), ["Good 0", "Good 2"])
        failed = logs[1]
        self.assertEqual((failed.state, failed.failed), ("failed", True))
        self.assertIn("a name is required", failed.error_message)
        self.assertEqual(failed.job_id.state, "done")
        self.assertEqual(logs[2].state, "done")

    def test_a_transient_error_leaves_the_call_to_its_own_job(self):
        # a call past the time limit is undone (503) and retried: transient
        rule = self._async_rule(5, webhook_time_limit=1)
        logs = self._accept(
            rule,
            [{"name": "Slow 0"}, {"name": "Slow 1", "slow": True}, {"name": "Slow 2"}],
        )

        result = self._perform(logs[0])

        # the slow call stopped the batch: undone, left waiting, not retried yet
        self.assertNotIn("more calls", result)
        self.assertEqual(self._contacts("Slow"), ["Slow 0"])
        slow = logs[1]
        self.assertEqual((slow.state, slow.attempts), ("accepted", 0))
        self.assertEqual((slow.job_id.state, slow.job_id.retry), ("pending", 0))
        self.assertEqual(logs[2].state, "accepted")
        # its own job tries it, and retries it as any call
        self._run_jobs()
        self.assertEqual(slow.job_id.retry, 1)
        self.assertEqual(self._contacts("Slow"), ["Slow 0", "Slow 2"])

    def test_the_circuit_breaker_stops_the_batch(self):
        rule = self._async_rule(10, webhook_failure_threshold=2)
        logs = self._accept(rule, [{}, {}, {"name": "Paused 2"}, {"name": "Paused 3"}])

        with mute_logger("odoo.addons.webhook_automation.models"):
            result = self._perform(logs[0])

        # the second failure paused the webhook: the job took no third call
        self.assertIn("and 1 more calls", result)
        self.assertEqual(
            (rule.webhook_paused, rule.webhook_pause_reason), (True, "failures")
        )
        self.assertEqual(logs.mapped("state"), ["failed"] * 2 + ["accepted"] * 2)
        self.assertEqual(self._contacts("Paused"), [])
        # their jobs wait until the webhook is resumed, without using attempts
        self._run_jobs()
        self.assertEqual(logs[2:].mapped("state"), ["accepted"] * 2)
        self.assertEqual(logs[2:].job_id.mapped("retry"), [0, 0])
        rule.action_webhook_resume()
        self._run_jobs()
        self.assertEqual(sorted(self._contacts("Paused")), ["Paused 2", "Paused 3"])
        self.assertEqual(logs.mapped("state"), ["failed"] * 2 + ["done"] * 2)

    def test_the_batch_size_must_be_positive(self):
        rule = self._async_rule(2)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            rule.webhook_job_batch_size = 0
            self.env.flush_all()
