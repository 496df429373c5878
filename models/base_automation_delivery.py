# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reliable delivery of webhooks: idempotency, async mode on queue_job, replay."""

import json
import logging
import time

import psycopg2

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL, config

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.jobrunner import _is_runner_enabled

from ..receiver.call import ResponseData, WebhookCall
from ..receiver.delivery import (
    MAX_DELIVERY_ID_LENGTH,
    get_delivery_id,
    retry_delay,
)
from ..receiver.errors import (
    WebhookDeliveryIdMissing,
    WebhookMalformedPayload,
    WebhookNotFound,
    describe_error,
    error_message,
    is_transient,
)
from ..receiver.signatures import get_scheme

_logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_DELAY = 10  # seconds, doubled after each failed attempt
JOB_CHANNEL = "root.webhook"
# a job running several calls (Calls per Job) takes no new one after this
# many seconds: its transaction, and the job rows it holds, stay short
BATCH_TIME_BUDGET = 10
# with several calls per job, the job of a call starts this many seconds
# after it was accepted, unless a running job of the webhook ran it already:
# queue_job's runner would otherwise start the jobs of the calls that the
# running jobs are about to take
BATCH_JOB_DELAY = 1


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    webhook_delivery_id_source = fields.Selection(
        [("none", "None"), ("header", "Header"), ("payload", "Payload")],
        string="Delivery ID",
        default="none",
        help="Where the sender puts the unique id of each delivery. A delivery "
        "that succeeded (or was accepted) is not run again when the sender "
        "repeats it: the repeat gets the first answer.",
    )
    webhook_delivery_id_key = fields.Char(
        string="Delivery ID Key",
        help="The header name (e.g. X-GitHub-Delivery), or the dotted path in "
        "the payload (e.g. id, data.object.id).",
    )
    webhook_mode = fields.Selection(
        [("sync", "Synchronous"), ("async", "Asynchronous")],
        string="Mode",
        default="sync",
        help="Synchronous: answer once the actions are done (200) or failed. "
        "Asynchronous: check the call, store it and answer 202 at once; a job "
        "runs the actions, with retries.",
    )
    webhook_max_attempts = fields.Integer(
        string="Max Attempts",
        default=DEFAULT_MAX_ATTEMPTS,
        help="Asynchronous mode: how many times a call is tried when it meets "
        "transient errors (locks, conflicts, lost connections) before it is "
        "failed for good.",
    )
    webhook_job_batch_size = fields.Integer(
        string="Calls per Job",
        default=1,
        help="Asynchronous mode: a job runs up to this many accepted calls of "
        "the webhook, oldest first, each all or nothing: fewer jobs for the "
        "same calls, more calls per second. 1: one job per call.",
    )
    webhook_waiting_count = fields.Integer(
        string="Waiting Calls", compute="_compute_webhook_waiting_count"
    )
    webhook_job_runner_known = fields.Boolean(
        string="Job Runner Running", compute="_compute_webhook_job_runner_known"
    )

    _sql_constraints = [
        (
            "webhook_max_attempts_positive",
            "CHECK(webhook_max_attempts IS NULL OR webhook_max_attempts > 0)",
            "The maximum number of attempts of a webhook must be positive.",
        ),
        (
            "webhook_job_batch_size_positive",
            "CHECK(webhook_job_batch_size IS NULL OR webhook_job_batch_size > 0)",
            "The number of calls per job of a webhook must be positive.",
        ),
    ]

    def _compute_webhook_waiting_count(self):
        counts = dict(
            self.env["webhook.call.log"]._read_group(
                [
                    ("automation_id", "in", self.ids),
                    ("state", "in", ("accepted", "running")),
                ],
                ["automation_id"],
                ["__count"],
            )
        )
        for automation in self:
            automation.webhook_waiting_count = counts.get(automation, 0)

    def _compute_webhook_job_runner_known(self):
        known = self._webhook_is_job_runner_known()
        for automation in self:
            automation.webhook_job_runner_known = known

    @api.model
    def _webhook_is_job_runner_known(self):
        """Tell whether this server runs queue_job's job runner."""
        if "queue_job" not in config["server_wide_modules"]:
            return False
        return _is_runner_enabled()

    @api.onchange("webhook_signature_scheme")
    def _onchange_webhook_signature_scheme_delivery_id(self):
        """Pre-fill the delivery id the chosen provider sends."""
        for automation in self:
            scheme = get_scheme(automation.webhook_signature_scheme)
            if scheme and scheme.delivery_id:
                source, key = scheme.delivery_id
                automation.webhook_delivery_id_source = source
                automation.webhook_delivery_id_key = key

    @api.constrains("webhook_delivery_id_source", "webhook_delivery_id_key")
    def _check_webhook_delivery_id_key(self):
        for automation in self:
            source = automation.webhook_delivery_id_source
            if (
                source in ("header", "payload")
                and not (automation.webhook_delivery_id_key or "").strip()
            ):
                raise ValidationError(
                    _(
                        "%(name)s takes its delivery id from the %(source)s: say "
                        "which header or payload key holds it.",
                        name=automation.name,
                        source=source,
                    )
                )

    # ------------------------------------------------------------------
    # Pipeline steps
    # ------------------------------------------------------------------

    def _webhook_is_async(self):
        """Tell whether calls are answered at once and run by a job."""
        self.ensure_one()
        return self.webhook_mode == "async"

    def _webhook_get_delivery_id(self, call):
        """Return the delivery id of ``call``, or None if the webhook has none."""
        self.ensure_one()
        source = self.webhook_delivery_id_source
        if source not in ("header", "payload"):
            return None
        key = self.webhook_delivery_id_key
        delivery_id = get_delivery_id(source, key, call.headers, call.payload)
        if not delivery_id:
            raise WebhookDeliveryIdMissing(
                _(
                    "This webhook expects a delivery id in the %(where)s "
                    "%(key)s, and this call has none.",
                    where=_("header") if source == "header" else _("payload key"),
                    key=key,
                )
            )
        if len(delivery_id) > MAX_DELIVERY_ID_LENGTH:
            raise WebhookMalformedPayload(
                _(
                    "The delivery id is longer than %(max)s characters.",
                    max=MAX_DELIVERY_ID_LENGTH,
                )
            )
        return delivery_id

    def _webhook_check_delivery(self, call):
        """Claim the call's delivery id, or find the call that claimed it first.

        Concurrent calls with the same id wait on the database's unique index
        for the first one's outcome (Odoo replays them after it commits).
        """
        self.ensure_one()
        if not call.delivery_id:  # a replay knows it from the log
            call.delivery_id = self._webhook_get_delivery_id(call)
        if not call.delivery_id or call.bypass_idempotency:
            return
        call.duplicate_of = self.env["webhook.delivery"]._claim(
            self.id, call.delivery_id, call.request_id
        )
        call.delivery_claimed = call.duplicate_of is None

    def _webhook_dispatch(self, call):
        """Run, enqueue or answer as a duplicate a call whose payload is parsed."""
        self.ensure_one()
        self._webhook_check_delivery(call)
        if call.duplicate_of is not None:
            return
        if self._webhook_is_async() and not call.force_sync:
            self._webhook_check_backlog(call)
            call.accepted = True
            return
        call.response_data = ResponseData()
        call.target = self._webhook_execute(call.payload, call.response_data)

    def _webhook_settle_delivery(self, call, log):
        """Keep the answer of a claimed delivery id; enqueue accepted calls."""
        self.ensure_one()
        if call.delivery_claimed:
            if call.status < 400:
                self.env["webhook.delivery"]._store_answer(
                    self.id, call.delivery_id, call.status, call.response
                )
            else:  # a failed delivery may be sent again, and run again
                self.env["webhook.delivery"]._release(self.id, call.delivery_id)
        if call.needs_job and call.job is None:
            self._webhook_enqueue(call, log)

    def _webhook_prepare_job(self, call):
        """Return the job of accepted ``call``, to store with its log, or None.

        The job is queue_job's ``Job``, inserted by the same query as the
        call's log (``webhook.call.log._insert_log()``), which gives it its
        argument: the log's id (the log holds the payload). None when
        ``queue.job._webhook_can_insert_job()`` says a module extends the
        creation of jobs: ``_webhook_enqueue()`` then goes through
        ``with_delay()`` once the log exists.
        """
        self.ensure_one()
        if not self.env["queue.job"]._webhook_can_insert_job():
            return None
        # queue_job takes the job's company from the context, or reads env.company
        rule = self.with_context(company_id=self._webhook_get_job_company_id())
        return Job(
            rule._webhook_perform_call, **self._webhook_prepare_job_options(call)
        )

    def _webhook_enqueue(self, call, log):
        """Create the job of an accepted call with ``with_delay()``, set it on ``log``.

        Used when ``_webhook_prepare_job()`` gave no job to store with the log.
        """
        self.ensure_one()
        options = self._webhook_prepare_job_options(call)
        job = self.with_delay(**options)._webhook_perform_call(log.id)
        log._link_job(job.uuid)
        return job

    def _webhook_prepare_job_options(self, call):
        """Return the options of the job of ``call``: retries, channel, description."""
        self.ensure_one()
        options = {
            "max_retries": self.webhook_max_attempts or DEFAULT_MAX_ATTEMPTS,
            "channel": JOB_CHANNEL,
            "description": _(
                "Webhook %(name)s: call %(request_id)s",
                name=self.name,
                request_id=call.request_id,
            ),
        }
        if self.webhook_job_batch_size > 1:
            # a job running calls of the webhook takes it first, if any runs
            options["eta"] = BATCH_JOB_DELAY
        return options

    def _webhook_get_job_company_id(self):
        """Return the company of the jobs this environment creates (env.company)."""
        if self.env.context.get("allowed_company_ids"):
            return self.env.company.id
        return self._webhook_get_user_company_id(self.env.uid)

    @api.model
    @tools.ormcache("uid")
    def _webhook_get_user_company_id(self, uid):
        """Return the company of user ``uid`` (Odoo clears the cache on changes)."""
        user_sudo = self.env["res.users"].sudo().browse(uid)
        return user_sudo.company_id.id

    # ------------------------------------------------------------------
    # The job
    # ------------------------------------------------------------------

    @api.model
    def _webhook_get_retry_delay_base(self):
        """Return the delay before the second attempt of an async call, in seconds."""
        return self._webhook_get_int_param(
            "webhook_automation.retry_delay", DEFAULT_RETRY_DELAY, minimum=1
        )

    def _webhook_perform_call(self, log_id, payload=None):
        """Run an accepted async call: target and actions, all or nothing (a job).

        ``log_id`` is the id of the call's log, which holds the payload; jobs
        queued by older versions hold the payload (and the log's id or the
        call's request id). A call that has already run, done or failed, is
        not run again (a job requeued in the Job Queue, or enqueued by
        queue_job's runner while another job ran its call: see Calls per Job);
        a call of an archived webhook is failed.
        """
        self.ensure_one()
        rule_sudo = self.sudo()
        # its first statement, which holds the job's row: its worker lives
        log_sudo = rule_sudo.env["webhook.call.log"]._get_job_log(log_id)
        if log_sudo.state in ("done", "failed"):
            _logger.warning(
                "Webhook %s: call %s is already %s, not run again",
                rule_sudo.id,
                log_sudo.request_id,
                log_sudo.state,
            )
            if log_sudo.state == "done":
                return _(
                    "Call %(request_id)s is already done: it was not run again.",
                    request_id=log_sudo.request_id,
                )
            return _(
                "Call %(request_id)s has already failed: it was not run again. "
                "Retry it from its call log.",
                request_id=log_sudo.request_id,
            )
        if payload is None:
            payload = log_sudo._get_job_payload() if log_sudo else None
            if payload is None:
                return _(
                    "Nothing to run: the log of this call, or its payload, "
                    "no longer exists."
                )
        rule_sudo._webhook_prefetch_model_name()
        attempt = (log_sudo.job_id.retry or 0) + 1
        call = WebhookCall(method=log_sudo.method or "POST", payload=payload)
        if not rule_sudo.active:
            call.error = WebhookNotFound(
                _(
                    "The webhook %(name)s was archived after this call was "
                    "accepted: the call was not run.",
                    name=rule_sudo.name,
                )
            )
        else:
            # not paused, a concurrency slot, or a retry later that does not
            # count as an attempt (outside the run: it is no failure of the call)
            rule_sudo._webhook_job_check_paused()
            rule_sudo._webhook_job_check_limits()
            rule_sudo._webhook_run_job_call(call, log_sudo, attempt)
        rule_sudo._webhook_finish_job_call(call, log_sudo, attempt)
        more = 0
        if rule_sudo.active and rule_sudo.webhook_job_batch_size > 1:
            more = rule_sudo._webhook_run_batched_calls(
                rule_sudo.webhook_job_batch_size - 1
            )
        if more:
            return _(
                "%(status)s %(state)s, and %(count)s more calls of the webhook",
                status=call.status,
                state=log_sudo.state,
                count=more,
            )
        return _("%(status)s %(state)s", status=call.status, state=log_sudo.state)

    def _webhook_run_job_call(self, call, log, attempt):
        """Run an accepted call's target and actions (in a job); keep its error.

        A transient error raises ``RetryableJobError``: queue_job tries the
        job again later. Any other error is the call's outcome.
        """
        self.ensure_one()
        try:
            call.target = self._webhook_execute(call.payload)
        except Exception as exc:  # pylint: disable=broad-except
            status = describe_error(exc)[0]
            if is_transient(exc) or status >= 500:
                _logger.info(
                    "Webhook %s: attempt %s of call %s failed, retrying",
                    self.id,
                    attempt,
                    log.request_id,
                )
                raise RetryableJobError(
                    f"{type(exc).__name__}: {error_message(exc)}",
                    seconds=retry_delay(attempt, self._webhook_get_retry_delay_base()),
                ) from exc
            call.error = exc

    def _webhook_finish_job_call(self, call, log, attempt):
        """Answer, count and log the outcome of a call a job ran."""
        self.ensure_one()
        self._webhook_prepare_response(call)
        self._webhook_record_outcome(call)  # the circuit breaker
        if log:
            log._record_job_outcome(call, attempt)
        if call.error is not None and log.delivery_id:
            # the delivery failed for good: the sender may send it again
            self.env["webhook.delivery"]._release(self.id, log.delivery_id)

    # ------------------------------------------------------------------
    # Several calls per job
    # ------------------------------------------------------------------

    def _webhook_run_batched_calls(self, limit):
        """Run up to ``limit`` more accepted calls of the webhook in this job.

        Oldest first, each all or nothing, within ``BATCH_TIME_BUDGET``
        seconds, while the webhook is not paused. Stops at the first call
        that cannot run now (none left, a transient error, a conflict): its
        own job runs it. Returns how many calls ran.
        """
        self.ensure_one()
        deadline = time.monotonic() + BATCH_TIME_BUDGET
        count = 0
        while (
            count < limit
            and time.monotonic() < deadline
            # the circuit breaker may pause it meanwhile
            and not self.webhook_paused
        ):
            if not self._webhook_run_next_batched_call():
                break
            count += 1
        return count

    def _webhook_claim_batched_call(self):
        """Lock the oldest accepted call whose job waits; return (log id, job id).

        ``FOR UPDATE ... SKIP LOCKED`` of the log and of its job: another job
        running calls of the webhook takes the next one. Its job's delay
        (``BATCH_JOB_DELAY``) is ignored: the runner starts that job only if
        no running job took the call meanwhile. A call waiting to be retried
        is left to its job. None if no call waits.
        """
        self.ensure_one()
        self.env["webhook.call.log"].flush_model(["automation_id", "state", "job_id"])
        self.env["queue.job"].flush_model(["state", "retry", "eta"])
        self.env.cr.execute(
            SQL(
                "SELECT log.id, job.id FROM webhook_call_log AS log"
                " JOIN queue_job AS job ON job.id = log.job_id"
                " WHERE log.automation_id = %s AND log.state = 'accepted'"
                " AND job.state = 'pending' AND job.retry = 0"
                " ORDER BY log.id LIMIT 1"
                " FOR UPDATE OF log, job SKIP LOCKED",
                self.id,
            )
        )
        return self.env.cr.fetchone()

    def _webhook_run_next_batched_call(self):
        """Claim, run and record the next accepted call, its job done; or False.

        All in a savepoint of the job's transaction: a transient error or a
        conflict undoes the call and its claim, and leaves it to its own job.
        """
        self.ensure_one()
        log_model = self.env["webhook.call.log"].with_context(job_uuid=False)
        try:
            with self.env.cr.savepoint():
                claimed = self._webhook_claim_batched_call()
                if not claimed:
                    return False
                log = log_model._fetch_job_log(claimed[0])
                payload = log._get_job_payload()
                if payload is None:
                    return False  # left to its job, which says why
                call = WebhookCall(method=log.method or "POST", payload=payload)
                self._webhook_run_job_call(call, log, attempt=1)
                self._webhook_finish_job_call(call, log, attempt=1)
                self._webhook_set_batched_job_done(claimed[1], call)
        except RetryableJobError:
            return False
        except (
            psycopg2.errors.SerializationFailure,
            psycopg2.errors.LockNotAvailable,
        ):
            return False
        return True

    def _webhook_set_batched_job_done(self, job_id, call):
        """Set the job of a call run by another job done, as queue_job would."""
        self.ensure_one()
        self.env["queue.job"].flush_model()
        self.env.cr.execute(
            SQL(
                "UPDATE queue_job SET state = 'done',"
                " date_enqueued = (now() AT TIME ZONE 'UTC'),"
                " date_started = (now() AT TIME ZONE 'UTC'),"
                " date_done = (now() AT TIME ZONE 'UTC'), exec_time = 0,"
                " result = %s WHERE id = %s",
                _(
                    "%(status)s: run by the job of another call of the webhook.",
                    status=call.status,
                ),
                job_id,
            )
        )
        self.env["queue.job"].invalidate_model(
            ["state", "date_enqueued", "date_started", "date_done", "result"]
        )

    # ------------------------------------------------------------------
    # Replay
    # ------------------------------------------------------------------

    def _webhook_replay(self, log, bypass_idempotency=False):
        """Run the call of ``log`` again, as a new call; return that call."""
        self.ensure_one()
        call = WebhookCall(
            method=log.method or "POST",
            content_type=log.content_type or "",
            headers=json.loads(log.request_headers or "{}"),
            query=json.loads(log.query_string or "{}"),
            remote_addr=log.remote_addr or "",
            body=(log.request_body or "").encode(),
            from_console=True,
            bypass_idempotency=bypass_idempotency,
            replay_of_id=log.id,
            delivery_id=log.delivery_id or None,
        )
        call.content_length = len(call.body)
        try:
            call.payload = self._webhook_parse_payload(call)
            self._webhook_dispatch(call)
        except Exception as exc:  # pylint: disable=broad-except
            if is_transient(exc):
                raise
            call.error = exc
        self._webhook_answer(call)
        return call
