# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The safety net of outgoing webhooks: no accepted message waits on a person.

A pending message whose attempt is overdue and whose job will not run (lost,
failed, done, cancelled, or left enqueued or started by a server that died)
is given a new job by a cron; its old job, if it ever runs, does nothing.
A crashed server with real commits is in ``test_outgoing_servers.py``.
"""

from datetime import timedelta

from odoo import fields

from odoo.addons.queue_job.job import Job

from ..models.webhook_outgoing_message import (
    MAX_RECOVERIES,
    RECOVERY_MARGIN,
    RECOVERY_MARGIN_PARAM,
)
from .outgoing_receiver import OutgoingCase

LATE = timedelta(seconds=RECOVERY_MARGIN + 60)


class TestOutgoingRecovery(OutgoingCase):
    def setUp(self):
        super().setUp()
        self._outgoing_rule()
        self.partners = self.env["res.partner"].create(
            [{"name": f"Recovered {n}"} for n in range(3)]
        )
        self.Message = self.env["webhook.outgoing.message"]
        # core's create() writes, which the rule sends: deliver those first
        self._commit_point()
        self._run_outgoing_jobs()
        self._messages().unlink()
        self.receiver.requests.clear()

    def _pending_message(self, partner=None, late=LATE):
        """Change a partner, commit; return its pending message, ``late`` overdue."""
        partner = partner or self.partners[0]
        partner.write({"name": partner.name + " changed"})
        self._commit_point()
        message = self._messages().filtered(lambda m: m.res_id == partner.id)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.state, "pending")
        message.write({"next_attempt_date": fields.Datetime.now() - late})
        return message

    def _job(self, message):
        """Return the queue.job of the message's current token (may be empty)."""
        return message._get_jobs_by_token().get(
            message.job_token, self.env["queue.job"]
        )

    def _set_job(self, job, state, since=LATE):
        """Put the job in ``state`` since ``since`` ago, as a server would."""
        moment = fields.Datetime.now() - since
        job.write(
            {
                "state": state,
                "date_enqueued": moment,
                "date_started": moment if state == "started" else False,
            }
        )
        self.env.flush_all()

    def _recover(self):
        count = self.Message._cron_recover_stuck()
        self.env.flush_all()
        self.env.invalidate_all()
        return count

    def _assert_queued_again(self, message, old_token):
        """The message has a new token and one pending job of that token."""
        self.assertEqual(message.state, "pending")
        self.assertNotEqual(message.job_token, old_token)
        job = self._job(message)
        self.assertEqual(job.state, "pending")
        self.assertGreaterEqual(
            message.next_attempt_date,
            fields.Datetime.now() - timedelta(seconds=5),
        )

    # ------------------------------------------------------------------
    # Jobs that will not run
    # ------------------------------------------------------------------

    def test_lost_job_is_replaced_and_the_message_delivered_once(self):
        message = self._pending_message()
        old_token = message.job_token
        self._job(message).unlink()
        self.assertEqual(self._recover(), 1)
        self._assert_queued_again(message, old_token)
        self.assertEqual(self._run_outgoing_jobs(), 1)
        self.assertEqual(message.state, "delivered")
        self.assertEqual(self.receiver.webhook_ids(), [message.message_id])

    def test_failed_done_and_cancelled_jobs_are_replaced(self):
        messages = self.Message
        for partner, state in zip(
            self.partners, ("failed", "done", "cancelled"), strict=True
        ):
            message = self._pending_message(partner)
            self._set_job(self._job(message), state)
            messages |= message
        old_jobs = {message: self._job(message) for message in messages}
        tokens = {message: message.job_token for message in messages}
        self.assertEqual(self._recover(), 3)
        for message in messages:
            self._assert_queued_again(message, tokens[message])
            # what the admin sees of the old job is kept as it was
            self.assertIn(old_jobs[message].state, ("failed", "done", "cancelled"))
        self._run_outgoing_jobs()
        self.assertEqual(set(messages.mapped("state")), {"delivered"})
        self.assertCountEqual(
            self.receiver.webhook_ids(), messages.mapped("message_id")
        )

    def test_job_left_started_by_a_dead_server_is_cancelled_and_does_nothing(self):
        for state in ("started", "enqueued"):
            with self.subTest(state=state):
                self.receiver.requests.clear()
                message = self._pending_message(self.partners[state == "enqueued"])
                old_token, old_job = message.job_token, self._job(message)
                self._set_job(old_job, state)
                self.assertEqual(self._recover(), 1)
                self._assert_queued_again(message, old_token)
                # cancelled: the job runner frees the channel's place it held
                self.assertEqual(old_job.state, "cancelled")
                # the old job runs after all (its server was only slow): nothing
                result = Job.load(self.env, old_job.uuid).perform()
                self.assertIn("Nothing to do", result)
                self.assertEqual(self.receiver.requests, [])
                self._run_outgoing_jobs()
                self.assertEqual(message.state, "delivered")
                self.assertEqual(self.receiver.webhook_ids(), [message.message_id])

    def test_a_message_whose_jobs_always_fail_before_sending_ends_dead(self):
        message = self._pending_message()
        for recovery in range(MAX_RECOVERIES):
            self._set_job(self._job(message), "failed")
            message.write({"next_attempt_date": fields.Datetime.now() - LATE})
            self.assertEqual(self._recover(), 1)
            self.assertEqual(message.state, "pending")
            self.assertEqual(message.recovery_count, recovery + 1)
        self._set_job(self._job(message), "failed")
        message.write({"next_attempt_date": fields.Datetime.now() - LATE})
        self.assertEqual(self._recover(), 1)
        # no new job: dead, and the administrators are told
        self.assertEqual(message.state, "dead")
        self.assertFalse(message.job_token)
        activity = self.endpoint.activity_ids.filtered(
            lambda activity: message.message_id in (activity.note or "")
        )
        self.assertTrue(activity)
        self.assertIn("ended before sending it", str(activity[0].note))
        self.assertEqual(self._recover(), 0)
        # Resend starts over, and an attempt clears the count
        message.action_resend()
        self.assertEqual(message.recovery_count, 0)
        self._run_outgoing_jobs()
        self.assertEqual(message.state, "delivered")
        self.assertEqual(self.receiver.webhook_ids(), [message.message_id])

    def test_an_attempt_resets_the_recovery_count(self):
        message = self._pending_message()
        self._job(message).unlink()
        self.assertEqual(self._recover(), 1)
        self.assertEqual(message.recovery_count, 1)
        self.receiver.answers = [(500, {}, "no")]
        self._run_outgoing_jobs()
        self.assertEqual(message.state, "pending")
        self.assertEqual(message.attempt_count, 1)
        self.assertEqual(message.recovery_count, 0)

    def test_a_chain_whose_head_died_is_replaced_at_once(self):
        self.endpoint.action_disable()
        messages = self.Message
        for partner in self.partners:
            partner.write({"name": partner.name + " while disabled"})
            self._commit_point()
        messages = self._messages()
        self.assertEqual(set(messages.mapped("state")), {"paused"})
        self.endpoint.action_enable()  # a chain: each job waits for the last
        self.env.flush_all()
        jobs = [self._job(message) for message in messages]
        self.assertEqual(
            [job.state for job in jobs], ["pending"] + ["wait_dependencies"] * 2
        )
        self._set_job(jobs[0], "started")
        messages.write({"next_attempt_date": fields.Datetime.now() - LATE})
        self.assertEqual(self._recover(), 3)
        self.assertEqual({job.state for job in jobs}, {"cancelled"})
        self._run_outgoing_jobs()
        self.assertEqual(set(messages.mapped("state")), {"delivered"})
        self.assertCountEqual(
            self.receiver.webhook_ids(), messages.mapped("message_id")
        )

    def test_a_waiting_job_whose_parent_is_lost_is_replaced(self):
        self.endpoint.action_disable()
        for partner in self.partners[:2]:
            partner.write({"name": partner.name + " while disabled"})
            self._commit_point()
        self.endpoint.action_enable()
        self.env.flush_all()
        messages = self._messages()
        head, waiting = (self._job(message) for message in messages)
        self.assertEqual(waiting.state, "wait_dependencies")
        head.unlink()
        messages.write({"next_attempt_date": fields.Datetime.now() - LATE})
        self.assertEqual(self._recover(), 2)
        self._run_outgoing_jobs()
        self.assertEqual(set(messages.mapped("state")), {"delivered"})

    # ------------------------------------------------------------------
    # What is left alone
    # ------------------------------------------------------------------

    def test_jobs_that_will_run_are_left_alone(self):
        # late, but its job is pending: the runner will run it
        pending = self._pending_message(self.partners[0])
        # late, its job started recently: it is being sent
        started = self._pending_message(self.partners[1])
        self._set_job(self._job(started), "started", since=timedelta(seconds=10))
        # its job is lost, but it is not late enough yet
        early = self._pending_message(
            self.partners[2], late=timedelta(seconds=RECOVERY_MARGIN - 60)
        )
        self._job(early).unlink()
        tokens = {m: m.job_token for m in pending | started | early}
        self.assertEqual(self._recover(), 0)
        for message, token in tokens.items():
            self.assertEqual(message.job_token, token)
        self.assertEqual(self._job(started).state, "started")

    def test_delivered_dead_and_paused_messages_are_left_alone(self):
        messages = self.Message
        for partner, state in zip(
            self.partners, ("delivered", "dead", "paused"), strict=True
        ):
            message = self._pending_message(partner)
            self._job(message).unlink()
            message.write({"state": state})
            messages |= message
        self.assertEqual(self._recover(), 0)
        self.assertEqual(messages.mapped("state"), ["delivered", "dead", "paused"])
        self.assertFalse(self._outgoing_jobs())

    def test_the_margin_is_a_system_parameter(self):
        message = self._pending_message(late=timedelta(seconds=90))
        self._job(message).unlink()
        self.assertEqual(self._recover(), 0)  # 90 s < 5 min
        self.env["ir.config_parameter"].set_param(RECOVERY_MARGIN_PARAM, "60")
        self.assertEqual(self.Message._get_recovery_margin(), 60)
        self.assertEqual(self._recover(), 1)
        self.env["ir.config_parameter"].set_param(RECOVERY_MARGIN_PARAM, "soon")
        self.assertEqual(self.Message._get_recovery_margin(), RECOVERY_MARGIN)

    def test_the_cron_runs_every_minute(self):
        cron = self.env.ref("webhook_automation.ir_cron_recover_outgoing_messages")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "minutes"))
        self.assertEqual(cron.model_id.model, "webhook.outgoing.message")
        self.assertEqual(cron.code.strip(), "model._cron_recover_stuck()")
        # the margin outlasts any attempt and the job runner's slack
        self.assertGreater(RECOVERY_MARGIN, 30 + 60)

    def test_many_late_messages_are_recovered_in_batches(self):
        messages = self.Message
        for partner in self.partners:
            message = self._pending_message(partner)
            self._job(message).unlink()
            messages |= message
        self.assertEqual(self.Message._cron_recover_stuck(batch_size=2), 3)
        self.env.flush_all()
        self.assertEqual(len(self._outgoing_jobs()), 3)
