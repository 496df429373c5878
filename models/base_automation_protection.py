# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Protection of the database: pause, rate and concurrency limits, backlog,
circuit breaker and time budget of webhooks.

Every piece of state lives in PostgreSQL, so that the limits hold across the
workers and servers of one database:

- the rate limit is a token bucket computed as GCRA: one row per webhook in
  ``webhook_rate_bucket`` holds its "theoretical arrival time", updated by
  one statement per call in a short transaction of its own;
- a concurrency slot is a transaction-level advisory lock of the call's own
  transaction: it goes away with the transaction, or with the connection of
  a worker that was killed;
- the backlog is counted on the logs of the accepted async calls;
- the circuit breaker counts consecutive failed executions on the rule's
  row, where one statement decides whether this failure pauses it;
- the time budget is PostgreSQL's ``statement_timeout`` and ``lock_timeout``
  for the SQL side, checked against the clock around the actions.
"""

import logging
import math
import time
from contextlib import contextmanager

from markupsafe import Markup
from psycopg2 import errors as pg_errors
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import _, api, fields, models
from odoo.sql_db import Cursor
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError

from ..receiver.errors import (
    WebhookBacklogFull,
    WebhookConcurrencyLimited,
    WebhookPaused,
    WebhookRateLimited,
    WebhookTimeLimitExceeded,
    unwrap_error,
)

_logger = logging.getLogger(__name__)

RATE_PERIODS = {"second": 1, "minute": 60, "hour": 3600}
DEFAULT_MAX_BACKLOG = 10000
DEFAULT_TIME_LIMIT = 30  # seconds, for new webhooks; existing ones keep 0
PAUSED_RETRY_AFTER = 300  # seconds
CONCURRENCY_RETRY_AFTER = 1
BACKLOG_RETRY_AFTER = 60
TIME_LIMIT_RETRY_AFTER = 60
# PostgreSQL's timeouts fire once the budget is spent, give or take this much
TIMEOUT_TOLERANCE = 0.05  # seconds
# a job meeting the concurrency limit is tried again this much later, without
# using one of its attempts
JOB_CONCURRENCY_RETRY_DELAY = 5
# a job of a paused webhook is tried again this much later (the Retry-After
# of its refused calls), without using one of its attempts; resuming the
# webhook starts its waiting jobs at once
JOB_PAUSED_RETRY_DELAY = 300
# advisory lock keys of concurrency slots: this addon's namespace in the top
# bits (b"WH"), the rule's id, then the slot: (NS << 48) | (id << 16) | slot
ADVISORY_LOCK_NAMESPACE = 0x5748
MAX_CONCURRENCY = 0xFFFF
RATE_BUCKET_TABLE = "webhook_rate_bucket"


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    webhook_paused = fields.Boolean(
        string="Paused",
        copy=False,
        help="A paused webhook runs nothing: every call is answered 503 "
        "(webhook_paused) with Retry-After: 300, so that senders try again "
        "later. Resume it to serve calls again.",
    )
    webhook_pause_reason = fields.Selection(
        [("manual", "Paused by hand"), ("failures", "Too many failures")],
        string="Pause Reason",
        readonly=True,
        copy=False,
        help="Why the webhook is paused: by an administrator, or by its "
        "circuit breaker after too many failed calls in a row.",
    )
    webhook_rate_limit = fields.Integer(
        string="Rate Limit",
        default=0,
        help="How many calls the webhook accepts per period, over all servers. "
        "Calls over the limit are answered 429 (rate_limited) with a "
        "Retry-After header. 0: no limit.",
    )
    webhook_rate_period = fields.Selection(
        [("second", "Second"), ("minute", "Minute"), ("hour", "Hour")],
        string="Rate Period",
        default="minute",
        help="The period of the rate limit.",
    )
    webhook_rate_burst = fields.Integer(
        string="Burst",
        default=0,
        help="How many calls are accepted at once after a quiet time; then the "
        "calls are accepted evenly over the period. 0: as many as the rate "
        "limit.",
    )
    webhook_max_concurrency = fields.Integer(
        string="Max Concurrent Calls",
        default=0,
        help="How many calls of this webhook may run at the same time, over all "
        "workers and servers (asynchronous calls: their jobs). More calls are "
        "answered 429 (concurrency_limited); jobs wait. 0: no limit.",
    )
    webhook_max_backlog = fields.Integer(
        string="Max Waiting Calls",
        default=DEFAULT_MAX_BACKLOG,
        help="Asynchronous mode: how many accepted calls may wait for their job "
        "(or run). More calls are answered 503 (backlog_full) with "
        "Retry-After: 60. 0: no limit.",
    )
    webhook_failure_threshold = fields.Integer(
        string="Pause After Failures",
        default=0,
        help="Pause the webhook after this many failed calls in a row (errors "
        "of the target lookup or of the actions; refused calls do not count), "
        "and notify the administrators. 0: never.",
    )
    webhook_failure_count = fields.Integer(
        string="Failures In A Row",
        readonly=True,
        copy=False,
        default=0,
        help="Failed calls since the last successful one. Resuming the webhook "
        "resets it.",
    )
    webhook_time_limit = fields.Integer(
        string="Time Limit",
        default=DEFAULT_TIME_LIMIT,
        help="How many seconds one call's target lookup and actions may take. "
        "Past it, everything the call did is undone and it is answered 503 "
        "(time_limit_exceeded); an asynchronous call is retried later. "
        "0: no limit.",
    )

    _sql_constraints = [
        (
            "webhook_protection_not_negative",
            "CHECK(COALESCE(webhook_rate_limit, 0) >= 0"
            " AND COALESCE(webhook_rate_burst, 0) >= 0"
            " AND COALESCE(webhook_max_concurrency, 0) >= 0"
            " AND COALESCE(webhook_max_backlog, 0) >= 0"
            " AND COALESCE(webhook_failure_threshold, 0) >= 0"
            " AND COALESCE(webhook_failure_count, 0) >= 0"
            " AND COALESCE(webhook_time_limit, 0) >= 0)",
            "The limits, thresholds and time limit of a webhook cannot be negative.",
        ),
        (
            "webhook_max_concurrency_range",
            f"CHECK(COALESCE(webhook_max_concurrency, 0) <= {MAX_CONCURRENCY})",
            f"A webhook runs at most {MAX_CONCURRENCY} calls at once.",
        ),
    ]

    def init(self):
        """Create the table of the rate limits' buckets: one row per webhook.

        Unlogged: a crash of PostgreSQL empties it, which only forgets how
        much of their rate limits the webhooks used; writing it costs no WAL.
        Rows go with their webhook (ON DELETE CASCADE).
        """
        result = super().init()
        self.env.cr.execute(
            SQL(
                "CREATE UNLOGGED TABLE IF NOT EXISTS %s ("
                " automation_id integer PRIMARY KEY"
                " REFERENCES base_automation (id) ON DELETE CASCADE,"
                " tat numeric NOT NULL)",
                SQL.identifier(RATE_BUCKET_TABLE),
            )
        )
        return result

    # ------------------------------------------------------------------
    # Pause and resume
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("webhook_paused") and not vals.get("webhook_pause_reason"):
                vals["webhook_pause_reason"] = "manual"
        return super().create(vals_list)

    def write(self, vals):
        if "webhook_paused" in vals:
            vals = dict(vals)
            if vals["webhook_paused"]:
                if not vals.get("webhook_pause_reason"):
                    vals["webhook_pause_reason"] = "manual"
            else:  # resumed: a new start for the circuit breaker
                vals.update(webhook_pause_reason=False, webhook_failure_count=0)
        resumed = self.filtered("webhook_paused") if "webhook_paused" in vals else None
        result = super().write(vals)
        if resumed and not vals["webhook_paused"]:
            resumed._webhook_wake_waiting_jobs()
        return result

    def action_webhook_pause(self):
        """Pause the webhooks by hand: their calls are refused until resumed."""
        self.write({"webhook_paused": True, "webhook_pause_reason": "manual"})
        return True

    def action_webhook_resume(self):
        """Resume the webhooks; their circuit breakers start counting from zero."""
        self.write({"webhook_paused": False})
        return True

    def _webhook_wake_waiting_jobs(self):
        """Let the jobs of the webhooks' accepted calls start now (no ``eta``).

        The jobs a pause postponed would otherwise wait out their delay.
        """
        if not self:
            return
        self.env["webhook.call.log"].flush_model(["automation_id", "state", "job_id"])
        self.env["queue.job"].flush_model(["state", "eta"])
        self.env.cr.execute(
            SQL(
                "UPDATE queue_job AS job SET eta = NULL FROM webhook_call_log AS log"
                " WHERE log.automation_id IN %s AND log.state = 'accepted'"
                " AND job.id = log.job_id AND job.state = 'pending'"
                " AND job.eta IS NOT NULL",
                tuple(self.ids),
            )
        )
        self.env["queue.job"].invalidate_model(["eta"])

    # ------------------------------------------------------------------
    # Pipeline steps (called by base_automation_pipeline.py)
    # ------------------------------------------------------------------

    def _webhook_check_paused(self, call):
        """Refuse every call of a paused webhook (503), before anything else."""
        self.ensure_one()
        if self.webhook_paused and not call.from_console:
            raise WebhookPaused(
                _(
                    "This webhook is paused: it runs nothing until an "
                    "administrator resumes it. Try again later."
                ),
                headers={"Retry-After": str(PAUSED_RETRY_AFTER)},
            )

    def _webhook_check_limits(self, call):
        """Take a slot of the rate and concurrency limits, or refuse (429).

        Called once the caller is authenticated: at once for a webhook
        without signature (its URL is its secret), after the signature
        check otherwise. The concurrency slot comes first, so that a call it
        refuses uses no rate budget; an async call only takes a rate token
        (its job takes the slot when it runs).
        """
        self.ensure_one()
        if call.from_console:
            return
        if self.webhook_max_concurrency > 0 and not self._webhook_is_async():
            self._webhook_check_concurrency()
        if self.webhook_rate_limit > 0:
            self._webhook_take_rate_token(call)

    def _webhook_check_backlog(self, call):
        """Refuse an async call while too many accepted ones wait (503)."""
        self.ensure_one()
        limit = self.webhook_max_backlog
        if call.from_console or limit <= 0:
            return
        if self._webhook_count_waiting_calls(limit) < limit:
            return
        self._webhook_give_back_rate_token(call)
        raise WebhookBacklogFull(
            _(
                "This webhook has %(count)s calls waiting to run: try again later.",
                count=limit,
            ),
            headers={"Retry-After": str(BACKLOG_RETRY_AFTER)},
        )

    def _webhook_record_outcome(self, call):
        """Count a failed execution for the circuit breaker, or reset the count."""
        self.ensure_one()
        if call.from_console or call.refused or call.duplicate_of is not None:
            return
        if call.error is None:
            # an accepted async call has not run yet: its job tells
            if not call.accepted and self.webhook_failure_count > 0:
                self._webhook_reset_failures()
            return
        if self.webhook_failure_threshold > 0:
            self._webhook_count_failure()

    # ------------------------------------------------------------------
    # Rate limit: GCRA, one statement per call
    # ------------------------------------------------------------------

    @contextmanager
    def _webhook_limiter_cursor(self):
        """Yield a cursor of its own, for one short transaction committed at once.

        The limiters' rows are locked only for this transaction, not for the
        whole call. READ COMMITTED: concurrent calls updating the same row
        wait for it and then use its latest version, where Odoo's REPEATABLE
        READ would fail them with serialization errors. (In tests, the cursor
        is a test cursor sharing the test's transaction.)
        """
        # the cursor commits when the block ends: that is its whole point
        with self.env.registry.cursor() as cr:
            if isinstance(cr, Cursor):
                cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
            yield cr

    def _webhook_get_rate_interval(self):
        """Return the seconds between two calls of the rate limit, and the burst."""
        self.ensure_one()
        period = RATE_PERIODS.get(self.webhook_rate_period or "minute", 60)
        limit = self.webhook_rate_limit
        return period / limit, self.webhook_rate_burst or limit

    def _webhook_take_rate_token(self, call):
        """Take one call of the rate limit, or refuse with 429 and Retry-After.

        GCRA: the bucket's ``tat`` (theoretical arrival time) moves one
        interval later per call accepted, never earlier than now; a call is
        accepted while ``tat`` stays within ``burst`` intervals of now. One
        statement decides; a refusal reads ``tat`` again for Retry-After.
        """
        self.ensure_one()
        interval, burst = self._webhook_get_rate_interval()
        interval_sql = SQL("%s::numeric", repr(interval))
        with self._webhook_limiter_cursor() as cr:
            # EXCLUDED.tat is now + interval: now is EXCLUDED.tat - interval.
            # A refusal reads the bucket as the statement found it (unchanged)
            # for Retry-After: the next call is accepted once tat - (burst -
            # 1) intervals is past. The bucket is UNLOGGED: its transaction
            # need not wait for the disk either.
            cr.execute(
                SQL(
                    "WITH durability AS ("
                    " SELECT set_config('synchronous_commit', 'off', true)),"
                    " taken AS ("
                    " INSERT INTO %(table)s AS bucket (automation_id, tat)"
                    " VALUES (%(id)s, extract(epoch FROM clock_timestamp())"
                    " + %(interval)s)"
                    " ON CONFLICT (automation_id) DO UPDATE"
                    " SET tat = GREATEST(bucket.tat + %(interval)s, EXCLUDED.tat)"
                    " WHERE GREATEST(bucket.tat + %(interval)s, EXCLUDED.tat)"
                    " <= EXCLUDED.tat + %(window)s - %(interval)s"
                    " RETURNING tat)"
                    " SELECT EXISTS (SELECT FROM taken),"
                    " (SELECT tat - %(ahead)s * %(interval)s"
                    " - extract(epoch FROM clock_timestamp())"
                    " FROM %(table)s WHERE automation_id = %(id)s),"
                    " (SELECT 1 FROM durability)",
                    table=SQL.identifier(RATE_BUCKET_TABLE),
                    id=self.id,
                    interval=interval_sql,
                    window=SQL("%s * %s", burst, interval_sql),
                    ahead=burst - 1,
                )
            )
            taken, *row = cr.fetchone()
            if taken:
                call.rate_token_taken = True
                return
        wait = max(1, math.ceil(float(row[0]))) if row and row[0] is not None else 1
        raise WebhookRateLimited(
            _(
                "Too many calls: this webhook accepts %(limit)s calls per "
                "%(period)s. Try again in %(seconds)s seconds.",
                limit=self.webhook_rate_limit,
                period=self._webhook_get_rate_period_label(),
                seconds=wait,
            ),
            headers={"Retry-After": str(wait)},
        )

    def _webhook_get_rate_period_label(self):
        """Return the rate period as a word of the sentence answering a 429."""
        self.ensure_one()
        return {
            "second": _("second"),
            "minute": _("minute"),
            "hour": _("hour"),
        }.get(self.webhook_rate_period or "minute", _("minute"))

    def _webhook_give_back_rate_token(self, call):
        """Give back the rate token of a call refused later (e.g. backlog full)."""
        self.ensure_one()
        if not call.rate_token_taken:
            return
        interval = self._webhook_get_rate_interval()[0]
        with self._webhook_limiter_cursor() as cr:
            cr.execute(
                SQL(
                    "UPDATE %s SET tat = tat - %s::numeric WHERE automation_id = %s",
                    SQL.identifier(RATE_BUCKET_TABLE),
                    repr(interval),
                    self.id,
                )
            )
        call.rate_token_taken = False

    # ------------------------------------------------------------------
    # Concurrency: advisory locks of the call's own transaction
    # ------------------------------------------------------------------

    def _webhook_take_concurrency_slot(self):
        """Hold a free slot of the webhook until this transaction ends; False if none.

        A slot is a transaction-level advisory lock: it is released at commit
        or rollback, and with the connection of a worker that was killed.
        """
        self.ensure_one()
        slots = min(self.webhook_max_concurrency, MAX_CONCURRENCY)
        self.env.cr.execute(
            SQL(
                "SELECT slot FROM generate_series(0, %s) AS slot"
                " WHERE pg_try_advisory_xact_lock("
                "(%s::bigint << 48) | (%s::bigint << 16) | slot) LIMIT 1",
                slots - 1,
                ADVISORY_LOCK_NAMESPACE,
                self.id,
            )
        )
        return self.env.cr.fetchone() is not None

    def _webhook_check_concurrency(self):
        """Take a concurrency slot, or refuse the call (429, Retry-After: 1)."""
        self.ensure_one()
        if self._webhook_take_concurrency_slot():
            return
        raise WebhookConcurrencyLimited(
            _(
                "This webhook already runs %(count)s calls at once: try again "
                "in a moment.",
                count=self.webhook_max_concurrency,
            ),
            headers={"Retry-After": str(CONCURRENCY_RETRY_AFTER)},
        )

    def _webhook_job_check_paused(self):
        """In the job of an async call of a paused webhook, retry once resumed.

        The job is postponed without using one of its attempts; resuming
        the webhook starts it at once.
        """
        self.ensure_one()
        if not self.webhook_paused:
            return
        raise RetryableJobError(
            _("The webhook is paused: this call runs once the webhook is resumed."),
            seconds=JOB_PAUSED_RETRY_DELAY,
            ignore_retry=True,
        )

    def _webhook_job_check_limits(self):
        """In the job of an async call, take a concurrency slot or retry later.

        The job is postponed without using one of its attempts.
        """
        self.ensure_one()
        if self.webhook_max_concurrency <= 0 or self._webhook_take_concurrency_slot():
            return
        raise RetryableJobError(
            _(
                "The webhook already runs %(count)s calls at once: this call "
                "runs later.",
                count=self.webhook_max_concurrency,
            ),
            seconds=JOB_CONCURRENCY_RETRY_DELAY,
            ignore_retry=True,
        )

    # ------------------------------------------------------------------
    # Backlog
    # ------------------------------------------------------------------

    def _webhook_count_waiting_calls(self, limit):
        """Return how many accepted calls wait for their job or run, up to ``limit``.

        Counts at most ``limit`` rows, on the partial index of waiting calls.
        """
        self.ensure_one()
        log_model = self.env["webhook.call.log"]
        log_model.flush_model(["automation_id", "state"])
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM (SELECT 1 FROM %s WHERE automation_id = %s"
                " AND state IN ('accepted', 'running') LIMIT %s) AS waiting",
                SQL.identifier(log_model._table),
                self.id,
                limit,
            )
        )
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------
    # Circuit breaker
    # ------------------------------------------------------------------

    def _webhook_count_failure(self):
        """Count a failed execution; pause the webhook at its threshold, notify once.

        One statement decides, on the rule's latest row: the failure that
        reaches the threshold pauses it (reason ``failures``); failures of a
        paused webhook are not counted, so only that one notifies. Called for
        async jobs failed for good too.
        """
        self.ensure_one()
        with self._webhook_limiter_cursor() as cr:
            cr.execute(
                SQL(
                    "UPDATE base_automation"
                    " SET webhook_failure_count = %(count)s,"
                    " webhook_paused = %(count)s >= webhook_failure_threshold,"
                    " webhook_pause_reason = CASE"
                    " WHEN %(count)s >= webhook_failure_threshold"
                    " THEN 'failures' END"
                    " WHERE id = %(id)s AND webhook_paused IS NOT TRUE"
                    " AND webhook_failure_threshold > 0"
                    " RETURNING webhook_paused",
                    count=SQL("COALESCE(webhook_failure_count, 0) + 1"),
                    id=self.id,
                )
            )
            row = cr.fetchone()
            paused = bool(row and row[0])
            if paused:
                _logger.warning(
                    "Webhook %s paused after %s failed calls in a row",
                    self.id,
                    self.webhook_failure_threshold,
                )
                self.with_env(self.env(cr=cr))._webhook_notify_paused()
        self.invalidate_recordset(
            ["webhook_failure_count", "webhook_paused", "webhook_pause_reason"]
        )
        return paused

    def _webhook_record_job_failure(self):
        """Count an async call whose job failed for good (retries exhausted)."""
        for rule in self:
            if rule.webhook_failure_threshold > 0:
                rule._webhook_count_failure()

    def _webhook_reset_failures(self):
        """Reset the count of failed executions after a successful one."""
        self.ensure_one()
        with self._webhook_limiter_cursor() as cr:
            cr.execute(
                SQL(
                    "UPDATE base_automation SET webhook_failure_count = 0"
                    " WHERE id = %s AND webhook_failure_count > 0",
                    self.id,
                )
            )
        self.invalidate_recordset(["webhook_failure_count"])

    def _webhook_get_pause_recipients(self):
        """Return the partners told that the circuit breaker paused a webhook."""
        admins = self.env.ref("base.group_system").sudo().users
        return admins.filtered(lambda user: not user.share).partner_id

    def _webhook_notify_paused(self):
        """Notify the administrators that the webhook paused itself."""
        self.ensure_one()
        partners = self._webhook_get_pause_recipients()
        if not partners:
            return
        self.env["mail.thread"].sudo().message_notify(
            model=self._name,
            res_id=self.id,
            partner_ids=partners.ids,
            author_id=self.env.ref("base.partner_root").id,
            subject=_("Webhook %(name)s paused", name=self.name),
            body=Markup("<p>%s</p><p>%s</p>")
            % (
                _(
                    "The webhook %(name)s failed %(count)s times in a row: it "
                    "was paused, and answers 503 (webhook_paused) to its calls.",
                    name=self.name,
                    count=self.webhook_failure_threshold,
                ),
                _(
                    "Look at its logs, fix the cause, then resume it from its "
                    "form (Resume button)."
                ),
            ),
            force_send=False,
        )

    # ------------------------------------------------------------------
    # Time budget
    # ------------------------------------------------------------------

    def _webhook_execute(self, payload, response_data=None):
        """Run the call within the webhook's time limit: past it, undo all (503)."""
        self.ensure_one()
        budget = self.webhook_time_limit
        if budget <= 0:
            return super()._webhook_execute(payload, response_data)
        deadline = time.monotonic() + budget
        rule = self.with_context(webhook_deadline=deadline)
        previous = rule._webhook_set_timeouts(budget * 1000)
        try:
            target = super(BaseAutomation, rule)._webhook_execute(
                payload, response_data
            )
        except Exception as exc:
            if rule._webhook_is_timeout(exc, deadline):
                raise rule._webhook_time_limit_exceeded() from unwrap_error(exc)
            raise
        finally:
            # a call's own transaction ends with its log: the bounds hold one
            # statement each, which the log's fits in; after a failure, its
            # rollback undid them already. Elsewhere (console, replay, jobs)
            # the caller's transaction goes on: give it its bounds back.
            if not self.env.context.get("webhook_own_transaction"):
                rule._webhook_restore_timeouts(previous)
        return target

    def _webhook_run_actions(self, target, payload):
        """Run the actions only within the time budget, and check it after them."""
        self._webhook_check_deadline()
        result = super()._webhook_run_actions(target, payload)
        self._webhook_check_deadline()
        return result

    def _webhook_set_timeouts(self, milliseconds):
        """Bound each statement and lock wait of the execution; return old bounds."""
        self.env.cr.execute(
            SQL(
                "SELECT current_setting('statement_timeout'),"
                " current_setting('lock_timeout'),"
                " set_config('statement_timeout', %s, true),"
                " set_config('lock_timeout', %s, true)",
                str(milliseconds),
                str(milliseconds),
            )
        )
        return self.env.cr.fetchone()[:2]

    def _webhook_restore_timeouts(self, previous):
        """Give the statements after the execution (its log) their usual bounds."""
        statement_timeout, lock_timeout = previous
        self.env.cr.execute(
            SQL(
                "SELECT set_config('statement_timeout', %s, true),"
                " set_config('lock_timeout', %s, true)",
                statement_timeout,
                lock_timeout,
            )
        )

    def _webhook_check_deadline(self):
        """Stop the execution (503) once its time budget is spent."""
        deadline = self.env.context.get("webhook_deadline")
        if deadline is not None and time.monotonic() >= deadline:
            raise self._webhook_time_limit_exceeded()

    def _webhook_is_timeout(self, exc, deadline):
        """Tell whether ``exc`` is PostgreSQL stopping the execution at its budget.

        Only once the budget is spent: a statement cancelled earlier (by an
        action's own timeout, an administrator) or a lock that cannot be had
        at once (NOWAIT) keeps its error, which Odoo and queue_job retry.
        """
        return (
            isinstance(
                unwrap_error(exc), (pg_errors.QueryCanceled, pg_errors.LockNotAvailable)
            )
            and time.monotonic() >= deadline - TIMEOUT_TOLERANCE
        )

    def _webhook_time_limit_exceeded(self):
        """Return the 503 error of an execution past its time budget."""
        return WebhookTimeLimitExceeded(
            _(
                "The call took longer than this webhook's time limit of "
                "%(seconds)s seconds: everything it did was undone.",
                seconds=self.webhook_time_limit,
            ),
            headers={"Retry-After": str(TIME_LIMIT_RETRY_AFTER)},
        )
