# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
import re
import time
import traceback
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from odoo.addons.queue_job.job import CANCELLED, DONE, FAILED

from ..receiver.delivery import CALL_STATES, call_state_from_job
from ..receiver.errors import unwrap_error

DEFAULT_RETENTION_DAYS = 30
# refused calls of a webhook with the same error code share one log row per
# window of this many seconds (floor(epoch / REFUSAL_WINDOW_SECONDS))
REFUSAL_WINDOW_SECONDS = 10
# the longest text a row of refused calls keeps of each field (headers...)
REFUSAL_TEXT_MAX_SIZE = 4096
# the fields a refusal updates on the row of its window: the latest call's
REFUSAL_LATEST_FIELDS = (
    "call_date",
    "request_id",
    "method",
    "remote_addr",
    "body_size",
    "duration_ms",
    "error_message",
)
DEFAULT_LOG_BODY_MAX_SIZE = 64 * 1024
# the fields of a log the job of its call reads (_fetch_job_log())
JOB_LOG_FIELDS = (
    "automation_id",
    "request_id",
    "method",
    "state",
    "failed",
    "attempts",
    "delivery_id",
    "job_id",
    "payload",
    "response_body",
)
# the fields of its job it reads, with the log: the attempts made, and the
# field queue_job tracks, which the ORM reads when the job's state is written
JOB_LOG_JOB_FIELDS = ("retry", "exc_message")
# precommit data: the ids of the jobs whose call logs recorded their outcome
# in the transaction (_record_job_outcome()), which their "done" need not sync
RECORDED_JOBS_KEY = "webhook_automation.recorded_jobs"
# the states of a job that ran for the last time (or never will)
JOB_END_STATES = (DONE, FAILED, CANCELLED)
PURGE_BATCH_SIZE = 1000
# autovacuum of the logs: after 1,000 new logs + 0.1 % of the table (2,000 of
# 1,000,000), so that the statistics' index-only scans stay index-only
AUTOVACUUM_INSERT_THRESHOLD = 1000
AUTOVACUUM_INSERT_SCALE_FACTOR = 0.001
MASK = "***"
# headers whose value is a credential: never stored
SENSITIVE_HEADERS = {
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
}
SENSITIVE_NAME_PATTERN = re.compile(
    r"signature|hmac|token|secret|api[-_]?key|password|credential|authoriz"
    r"|(?:^|[-_])auth(?:$|[-_])",
    re.IGNORECASE,
)


class WebhookCallLog(models.Model):
    _name = "webhook.call.log"
    _description = "Webhook Call Log"
    _order = "call_date desc, id desc"
    _rec_name = "request_id"

    automation_id = fields.Many2one(
        "base.automation",
        string="Webhook",
        required=True,
        ondelete="cascade",
        # indexed first in webhook_call_log_automation_stats_index (init)
        readonly=True,
    )
    model_name = fields.Char(related="automation_id.model_name", string="Model")
    call_date = fields.Datetime(
        string="Date",
        required=True,
        default=fields.Datetime.now,
        index=True,
        readonly=True,
    )
    request_id = fields.Char(
        string="Request ID",
        readonly=True,
        index="btree_not_null",
        help="Quoted in the webhook's answer, to find this call.",
    )
    method = fields.Char(readonly=True)
    content_type = fields.Char(readonly=True)
    remote_addr = fields.Char(string="Remote Address", readonly=True)
    request_headers = fields.Text(
        string="Headers",
        readonly=True,
        help="Credentials and signatures are masked.",
    )
    query_string = fields.Text(string="Query Parameters", readonly=True)
    request_body = fields.Text(string="Body", readonly=True)
    body_size = fields.Integer(string="Body Size (bytes)", readonly=True)
    body_truncated = fields.Boolean(readonly=True)
    status_code = fields.Integer(string="Status", readonly=True)
    failed = fields.Boolean(readonly=True)
    response_body = fields.Text(string="Response", readonly=True)
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)
    error_type = fields.Char(readonly=True)
    error_code = fields.Char(readonly=True)
    error_message = fields.Text(readonly=True)
    error_traceback = fields.Text(
        string="Traceback", readonly=True, groups="base.group_system"
    )
    target_model = fields.Char(readonly=True)
    target_ids = fields.Char(
        string="Target IDs", readonly=True, help="Comma-separated record ids."
    )
    target_count = fields.Integer(compute="_compute_target_count")

    # reliable delivery
    state = fields.Selection(
        CALL_STATES,
        readonly=True,
        help="Accepted: an asynchronous call waiting for its job. Running: its "
        "job is running. Done, Failed: the outcome. Duplicate: a delivery id "
        "already served, answered with the first call's answer.",
    )
    mode = fields.Selection(
        [("sync", "Synchronous"), ("async", "Asynchronous")], readonly=True
    )
    delivery_id = fields.Char(string="Delivery ID", readonly=True)
    original_request_id = fields.Char(
        string="Original Request ID",
        readonly=True,
        help="The call whose answer this duplicate received.",
    )
    job_id = fields.Many2one("queue.job", readonly=True, index="btree_not_null")
    attempts = fields.Integer(readonly=True)
    replay_of_id = fields.Many2one(
        "webhook.call.log",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
    )
    from_console = fields.Boolean(
        string="Sent From Odoo",
        readonly=True,
        help="Replayed or sent from the webhook's form by an administrator.",
    )
    payload = fields.Text(
        readonly=True,
        groups="base.group_system",
        help="The parsed payload of an asynchronous call, which its job runs. "
        "Removed once the call is done or failed for good when the webhook "
        "does not log its calls.",
    )

    # refused calls (bad signature, address not allowed, rate limited...)
    refused_count = fields.Integer(
        string="Refusals",
        readonly=True,
        help="Refused calls are logged without their body, one row per error "
        "and per 10 seconds: the number of refused calls this row stands for.",
    )
    # floor(epoch / 10) of a row of refused calls; empty for other calls
    refusal_window = fields.Integer(readonly=True)

    def init(self):
        """Index the calls of a webhook by date: log pages, counts and stats.

        The first index covers the live statistics (failed, status_code), so
        that they read no table row; the partial ones count failures and the
        calls waiting for their job; the unique one keeps one row of refused
        calls per webhook, error and window. Every index slows down each
        call's INSERT: keep them few.
        """
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS webhook_call_log_automation_stats_index "
                "ON webhook_call_log (automation_id, call_date DESC, id DESC) "
                "INCLUDE (failed, status_code)"
            )
        )
        self._set_autovacuum_settings()
        create_index(
            self.env.cr,
            "webhook_call_log_automation_failed_index",
            self._table,
            ["automation_id", "call_date DESC"],
            where="failed",
        )
        create_index(
            self.env.cr,
            "webhook_call_log_waiting_index",
            self._table,
            ["automation_id"],
            where="state IN ('accepted', 'running')",
        )
        # one row of refused calls per webhook, error and window: the
        # arbiter of the INSERT ... ON CONFLICT of _get_refusal_sql()
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS "
                "webhook_call_log_refusal_window_index "
                "ON webhook_call_log (automation_id, error_code, refusal_window) "
                "WHERE refusal_window IS NOT NULL"
            )
        )

    def _set_autovacuum_settings(self):
        """Have autovacuum mark the new logs all-visible every few thousand calls.

        The statistics of a webhook walk its newest logs on covering
        indexes; a log not vacuumed yet costs a visit of its table page.
        PostgreSQL's default waits for 20 % of the table in new rows (12 days
        of logs at 1,000,000 logs over 60 days); this table waits for
        AUTOVACUUM_INSERT_THRESHOLD + 0.1 % of it (PostgreSQL 13 and later).
        """
        if self.env.cr._cnx.server_version < 130000:
            return
        self.env.cr.execute(
            SQL(
                "ALTER TABLE webhook_call_log SET ("
                "autovacuum_vacuum_insert_threshold = %s, "
                "autovacuum_vacuum_insert_scale_factor = %s)",
                AUTOVACUUM_INSERT_THRESHOLD,
                AUTOVACUUM_INSERT_SCALE_FACTOR,
            )
        )

    @api.depends("target_ids")
    def _compute_target_count(self):
        for log in self:
            log.target_count = len(log._get_target_ids())

    def _get_target_ids(self):
        """Return the ids of the target records as integers."""
        self.ensure_one()
        return [int(res_id) for res_id in (self.target_ids or "").split(",") if res_id]

    def action_open_target(self):
        """Open the records the call ran on."""
        self.ensure_one()
        res_ids = self._get_target_ids()
        action = {
            "type": "ir.actions.act_window",
            "res_model": self.target_model,
            "name": _("Target of %(request)s", request=self.request_id),
        }
        if len(res_ids) == 1:
            action.update(view_mode="form", res_id=res_ids[0])
        else:
            action.update(view_mode="list,form", domain=[("id", "in", res_ids)])
        return action

    # ------------------------------------------------------------------
    # Building log values
    # ------------------------------------------------------------------

    @api.model
    def _prepare_log_values(self, automation, call):
        """Return the values of the log of ``call`` on webhook ``automation``."""
        values = {
            "automation_id": automation.id,
            "request_id": call.request_id,
            "method": call.method,
            "content_type": call.content_type,
            "remote_addr": call.remote_addr,
            "body_size": len(call.body) if call.body else call.content_length or 0,
            "status_code": call.status,
            "failed": call.status >= 400,
            "duration_ms": call.duration_ms,
            "state": self._get_call_state(call),
            "mode": automation.webhook_mode or "sync",
            "delivery_id": call.delivery_id,
            "original_request_id": (call.duplicate_of or {}).get("request_id"),
            "replay_of_id": call.replay_of_id,
            "from_console": call.from_console,
            "attempts": 0 if call.accepted or call.duplicate_of is not None else 1,
        }
        values.update(self._prepare_outcome_values(call))
        if call.refused:
            values = self._prepare_refusal_values(automation, call, values)
        elif automation.log_webhook_calls:
            values.update(
                self._prepare_detail_values(
                    call, automation._webhook_get_sensitive_headers()
                )
            )
        if call.needs_job:  # what its job runs (the job holds the log's id)
            values["payload"] = json.dumps(call.payload)
        # PostgreSQL text cannot hold NUL characters, which a hostile call may send
        return {
            name: value.replace("\x00", "\ufffd") if isinstance(value, str) else value
            for name, value in values.items()
        }

    @api.model
    def _prepare_refusal_values(self, automation, call, values):
        """Return the log ``values`` of a refused call, bounded and counted.

        Refusals cost the sender nothing but a URL: their row keeps no body,
        query or response whatever Log Calls says (the masked headers when
        it is on), each text cut at ``REFUSAL_TEXT_MAX_SIZE``, and the
        refusals of a window share it (``_get_refusal_sql()``).
        """
        values = dict(
            values, refused_count=1, refusal_window=self._get_refusal_window()
        )
        values.pop("error_traceback", None)  # the same for every refusal
        if automation.log_webhook_calls:  # to see who sends what
            values["request_headers"] = self._get_logged_headers(
                call, automation._webhook_get_sensitive_headers()
            )
        return {
            name: value[:REFUSAL_TEXT_MAX_SIZE] if isinstance(value, str) else value
            for name, value in values.items()
        }

    @api.model
    def _get_refusal_window(self):
        """Return the window of the refusals logged now: floor(epoch / 10)."""
        return int(time.time()) // REFUSAL_WINDOW_SECONDS

    @api.model
    def _insert_log(self, values, job=None):
        """Insert one log row with a single INSERT and return it.

        Every call writes a log, so this skips what ORM ``create()`` adds to
        an append-only row (default and access machinery, one query for the
        transaction's date): about half a millisecond per call. ``values`` are
        those of ``_prepare_log_values``, which is where to add fields.
        ``job``, queue_job's ``Job`` of an accepted call, is stored by the
        same query, with the log's id as its argument, and set as the log's
        job. A refused call adds itself to the row of its window instead
        (``_get_refusal_sql()``), which is returned. The log and its job by
        one INSERT: 2 statements and 2.96 ms (median, commit included)
        against 5 and 4.75 ms for the log then ``with_delay()``
        (``queue.job._webhook_can_insert_job()``).
        """
        if not self.env.su:  # the pipeline logs as superuser; others are checked
            self.check_access("create")
        values = dict(self._get_insert_defaults(), **values)
        if values.get("refusal_window"):
            query = self._get_refusal_sql(values)
        elif job is None:
            query = self._webhook_get_insert_sql(values)
        else:  # as with_delay(), whose jobs are created as superuser
            query = self._get_log_and_job_sql(values, job)
        self.env.cr.execute(query)
        log = self.browse(self.env.cr.fetchone()[0])
        # what create() does for the webhook's One2many of logs
        for name, value in values.items():
            field = self._fields[name]
            if field.type == "many2one" and value:
                for inverse in self.pool.field_inverses[field]:
                    self.env[inverse.model_name].browse(value).invalidate_recordset(
                        [inverse.name]
                    )
        return log

    @api.model
    def _get_log_and_job_sql(self, values, job):
        """Return the INSERT of a log and of its ``job``, in one statement.

        The log's id is taken from its sequence first, so that the job's
        arguments hold it (``queue.job._webhook_get_job_sql()``).
        """
        log_id = SQL("(SELECT id FROM new_log)")
        return SQL(
            "WITH new_log AS (SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS id), "
            "job AS (%s) %s",
            self._table,
            self.env["queue.job"]._webhook_get_job_sql(job, log_id=log_id),
            self._webhook_get_insert_sql(
                dict(values, id=log_id, job_id=SQL("(SELECT id FROM job)"))
            ),
        )

    @api.model
    def _get_refusal_sql(self, values):
        """Return the INSERT of a refused call, which counts it on its window's row.

        One statement, safe across workers and servers: the first refusal of
        a webhook, error code and window inserts the row, the next ones add
        one to its ``refused_count`` and show the latest call
        (``REFUSAL_LATEST_FIELDS``). Returns the row's id.
        """
        latest = [name for name in REFUSAL_LATEST_FIELDS if name in values]
        latest += ["write_uid", "write_date"]
        return self._webhook_get_insert_sql(
            values,
            on_conflict=SQL(
                "(automation_id, error_code, refusal_window) "
                "WHERE refusal_window IS NOT NULL "
                "DO UPDATE SET refused_count = webhook_call_log.refused_count + 1, %s",
                SQL(", ").join(
                    SQL("%s = EXCLUDED.%s", SQL.identifier(name), SQL.identifier(name))
                    for name in latest
                ),
            ),
        )

    @api.model
    def _get_job_log(self, log_ref):
        """Return the log of the call whose job is running, or an empty recordset.

        ``log_ref`` is the log's id, or the call's request id in the jobs
        queued by 18.0.1.6.0 and 18.0.1.6.1 (jobs of 18.0.1.5 and older hold
        the log's id too; both hold the payload as well).
        """
        if isinstance(log_ref, int):
            return self._fetch_job_log(log_ref)
        self.env["queue.job"]._webhook_hold_job_lock()
        return self.search([("request_id", "=", log_ref)], limit=1)

    @api.model
    def _fetch_job_log(self, log_id):
        """Return log ``log_id`` with what its job reads, fetched by one query.

        The log's ``JOB_LOG_FIELDS`` and its job's ``JOB_LOG_JOB_FIELDS`` go
        into the cache: the job reads neither the log nor its job again,
        where ``exists()``, the log's and the job's reads took three queries.
        The same query takes the running job's lock on its row (see
        ``queue.job._webhook_hold_job_lock()``). Empty if the log no longer
        exists.
        """
        fields = [self._fields[name] for name in JOB_LOG_FIELDS]
        job_model = self.env["queue.job"]
        job_fields = [job_model._fields[name] for name in JOB_LOG_JOB_FIELDS]
        self.flush_model(JOB_LOG_FIELDS)
        job_model.flush_model(JOB_LOG_JOB_FIELDS)
        # the running job holds its row from here (see
        # queue.job._webhook_hold_job_lock()): one statement for both
        self.env.cr.execute(
            SQL(
                "SELECT %s, %s, job.uuid FROM webhook_call_log AS log"
                " LEFT JOIN LATERAL (SELECT * FROM queue_job"
                " WHERE queue_job.id = log.job_id FOR KEY SHARE) AS job ON TRUE"
                " WHERE log.id = %s",
                SQL(", ").join(SQL.identifier("log", field.name) for field in fields),
                SQL(", ").join(
                    SQL.identifier("job", field.name) for field in job_fields
                ),
                log_id,
            )
        )
        row = self.env.cr.fetchone()
        if row is None or not job_model._webhook_holds_running_job(row[-1]):
            job_model._webhook_hold_job_lock()  # the call's log is not the job's
        if row is None:
            return self.browse()
        log = self.browse(log_id)
        job_uuid, row = row[-1], row[:-1]
        for field, value in zip(fields, row, strict=False):
            self.env.cache.update(log, field, [field.convert_to_cache(value, log)])
        job = log.job_id
        if job:
            for field, value in zip(job_fields, row[len(fields) :], strict=True):
                self.env.cache.update(job, field, [field.convert_to_cache(value, job)])
            if job_uuid == self.env.context.get("job_uuid"):
                job_model._webhook_remember_running_job(job_uuid, job.id)
        return log

    def _get_job_payload(self):
        """Return the payload the job of this call runs, or None if not kept."""
        self.ensure_one()
        return json.loads(self.payload) if self.payload else None

    def _prepare_payload_release_values(self):
        """Return the values forgetting the payload of a call that has run.

        Where the webhook does not log its calls, nothing of the payload is
        kept once its job no longer needs it.
        """
        self.ensure_one()
        if self.automation_id.log_webhook_calls:
            return {}
        return {"payload": False}

    def _link_job(self, job_uuid):
        """Set the job of this log from the job's uuid, in one UPDATE."""
        self.ensure_one()
        self.env["queue.job"].flush_model(["uuid"])
        self.env.cr.execute(
            SQL(
                "UPDATE webhook_call_log SET job_id = "
                "(SELECT id FROM queue_job WHERE uuid = %s), "
                "write_date = (now() AT TIME ZONE 'UTC') WHERE id = %s",
                job_uuid,
                self.id,
            )
        )
        self.invalidate_recordset(["job_id", "write_date"])

    @api.model
    def _get_insert_defaults(self):
        """Return the values of a new log that calls do not set."""
        return {"call_date": fields.Datetime.now()}

    @api.model
    def _prepare_outcome_values(self, call):
        """Return the target and error fields of a call that has run."""
        values = {}
        target = call.target
        if target is not None and target._name and target.ids:
            values["target_model"] = target._name
            values["target_ids"] = ",".join(str(res_id) for res_id in target.ids)
        if call.error is not None:
            values.update(self._prepare_error_values(call))
        return values

    @api.model
    def _get_call_state(self, call):
        """Return the state of a call that has just been answered."""
        if call.duplicate_of is not None:
            return "duplicate"
        if call.status >= 400:
            return "failed"
        if call.accepted:
            return "accepted"
        return "done"

    @api.model
    def _prepare_error_values(self, call):
        """Return the error fields of a failed call."""
        error = unwrap_error(call.error)
        return {
            "error_type": type(error).__name__,
            "error_code": call.response.get("error", {}).get("code"),
            "error_message": str(error),
            "error_traceback": "".join(
                traceback.format_exception(type(error), error, error.__traceback__)
            ),
        }

    @api.model
    def _prepare_detail_values(self, call, sensitive_names=()):
        """Return what Log Calls adds: headers, query, body and response.

        ``sensitive_names`` are lower-case header names masked besides the
        usual credentials (e.g. the signature header of the webhook).
        """
        body, truncated = self._get_logged_body(call.body)
        return {
            "request_headers": self._get_logged_headers(call, sensitive_names),
            "query_string": json.dumps(self._mask_values(call.query), indent=2)
            if call.query
            else False,
            "request_body": body,
            "body_truncated": truncated,
            "response_body": json.dumps(call.response, indent=2),
        }

    @api.model
    def _get_logged_headers(self, call, sensitive_names=()):
        """Return the headers of ``call`` as JSON, credentials masked."""
        return json.dumps(
            self._mask_values(call.headers, sensitive_names),
            indent=2,
            sort_keys=True,
        )

    @api.model
    def _get_log_body_max_size(self):
        """Return how many bytes of a body are kept in the log."""
        return self._webhook_get_int_param(
            "webhook_automation.log_body_max_size", DEFAULT_LOG_BODY_MAX_SIZE, minimum=0
        )

    @api.model
    def _get_logged_body(self, body):
        """Return the body as text, capped, and whether it was cut."""
        if not body:
            return False, False
        limit = self._get_log_body_max_size()
        truncated = len(body) > limit
        return body[:limit].decode("utf-8", errors="replace"), truncated

    @api.model
    def _mask_values(self, values, sensitive_names=()):
        """Return headers or query parameters with credentials replaced by ***."""
        return {
            name: MASK
            if name.lower() in sensitive_names or self._is_sensitive_name(name)
            else value
            for name, value in values.items()
        }

    @api.model
    def _is_sensitive_name(self, name):
        """Tell whether a header or parameter carries a credential or a signature."""
        return name.lower() in SENSITIVE_HEADERS or bool(
            SENSITIVE_NAME_PATTERN.search(name)
        )

    # ------------------------------------------------------------------
    # Retention
    # ------------------------------------------------------------------

    @api.model
    def _get_retention_days(self):
        """Return how many days logs are kept (system parameter)."""
        return self._webhook_get_int_param(
            "webhook_automation.log_retention_days", DEFAULT_RETENTION_DAYS
        )

    # ------------------------------------------------------------------
    # Async calls and their jobs
    # ------------------------------------------------------------------

    def _record_job_outcome(self, call, attempt):
        """Record the outcome of the job that ran this async call."""
        self.ensure_one()
        values = {
            "status_code": call.status,
            "failed": call.status >= 400,
            "state": "failed" if call.status >= 400 else "done",
            "attempts": attempt,
            "error_type": False,
            "error_code": False,
            "error_message": False,
            "error_traceback": False,
        }
        values.update(self._prepare_outcome_values(call))
        if self.response_body:
            values["response_body"] = json.dumps(call.response, indent=2)
        values.update(self._prepare_payload_release_values())
        self.write(values)
        if self.job_id:  # its job's "done" has nothing to add (_sync_from_jobs())
            recorded = self.env.cr.precommit.data.setdefault(RECORDED_JOBS_KEY, set())
            recorded.add(self.job_id.id)

    @api.model
    def _sync_from_jobs(self, jobs):
        """Follow the state, attempts and last error of the jobs of async calls.

        A job that ends "done" in the transaction where its call recorded its
        outcome changes nothing (no query); one that waits or runs updates
        its logs by one UPDATE (``_sync_from_waiting_job()``); the others
        (failed, cancelled, done some other way) go through the ORM.
        """
        jobs = self._filter_unrecorded_jobs(jobs)
        waiting = jobs.filtered(lambda job: job.state not in JOB_END_STATES)
        for job in waiting:
            self._sync_from_waiting_job(job)
        if jobs - waiting:
            self._sync_from_ended_jobs(jobs - waiting)

    @api.model
    def _filter_unrecorded_jobs(self, jobs):
        """Return ``jobs`` but those done where their call recorded its outcome."""
        recorded = self.env.cr.precommit.data.get(RECORDED_JOBS_KEY)
        if not recorded:
            return jobs
        return jobs.filtered(lambda job: not (job.state == DONE and job.id in recorded))

    @api.model
    def _sync_from_waiting_job(self, job):
        """Let the logs of ``job``, which waits or runs, follow it: one UPDATE.

        Its state (accepted or running), its attempts and, when it waits for
        a retry, the error of its last attempt; a call that ran stays done or
        failed (``action_retry()`` sets it accepted before requeuing its job).
        """
        state = call_state_from_job(job.state, failed=False)
        error = job.result if job.state == "pending" and job.retry else None
        self.flush_model(["state", "attempts", "error_message"])
        self.env.cr.execute(
            SQL(
                "UPDATE webhook_call_log SET state = %s,"
                " attempts = GREATEST(attempts, %s),"
                " error_message = COALESCE(%s, error_message),"
                " write_uid = %s, write_date = (now() AT TIME ZONE 'UTC')"
                " WHERE job_id = %s AND state NOT IN ('done', 'failed')",
                state,
                job.retry or 0,
                error or None,
                self.env.uid,
                job.id,
            )
        )
        self.invalidate_model(
            ["state", "attempts", "error_message", "write_uid", "write_date"]
        )

    @api.model
    def _sync_from_ended_jobs(self, jobs):
        """Let the logs of ``jobs``, which ended, follow them (ORM: rare)."""
        logs = self.sudo().search([("job_id", "in", jobs.ids)])
        for log in logs:
            if log.state == "done":
                continue  # a call that ran stays done, even if its job is requeued
            job = log.job_id
            values = {
                "state": call_state_from_job(job.state, log.failed),
                "attempts": max(log.attempts, job.retry),
            }
            if job.state == "failed" and not log.failed:
                # failed for good after its retries: a dead letter, whose
                # delivery id the sender may send again
                values.update(
                    failed=True,
                    status_code=500,
                    error_type=(job.exc_name or "").rpartition(".")[2] or False,
                    error_code="retries_exhausted",
                    error_message=job.exc_message or job.result,
                )
                if log.delivery_id:
                    self.env["webhook.delivery"]._release(
                        log.automation_id.id, log.delivery_id
                    )
                # an execution failed for good: the circuit breaker counts it
                automation_sudo = log.automation_id.sudo()
                automation_sudo._webhook_record_job_failure()
            elif job.state == "pending" and job.retry and job.result:
                values["error_message"] = job.result  # why the last attempt failed
            if values["state"] == "failed":  # failed for good, or cancelled
                values.update(log._prepare_payload_release_values())
            log.write(values)

    def action_retry(self):
        """Run a failed async call again: its job goes back to the queue."""
        for log in self:
            if log.mode != "async" or log.state != "failed":
                raise UserError(_("Only failed asynchronous calls can be retried."))
            if not log.job_id:
                raise UserError(
                    _(
                        "This call has no job: it was refused before it was "
                        "accepted, or its job was deleted (jobs are deleted some "
                        "days after they end). Replay it instead."
                    )
                )
            log_sudo = log.sudo()  # the payload is for administrators only
            if not log_sudo.payload and len(log_sudo.job_id.args) < 2:
                # jobs queued by 18.0.1.6.1 and older hold the payload themselves
                raise UserError(
                    _(
                        "This call cannot be retried: its payload was not kept "
                        "once it failed, since its webhook does not log its "
                        "calls (Log Calls)."
                    )
                )
            if log.delivery_id:
                # a dead letter released its delivery id: claim it back, unless
                # the sender has sent the delivery again meanwhile
                first = self.env["webhook.delivery"]._claim(
                    log.automation_id.id, log.delivery_id, log.request_id
                )
                if first is not None:
                    raise UserError(
                        _(
                            "The sender has sent this delivery again (request "
                            "%(request)s): retrying this call would run it twice.",
                            request=first["request_id"],
                        )
                    )
                self.env["webhook.delivery"]._store_answer(
                    log.automation_id.id,
                    log.delivery_id,
                    202,
                    {"status": "accepted", "request_id": log.request_id},
                )
            log.write(
                {
                    "state": "accepted",
                    "failed": False,
                    "status_code": 202,
                    "error_type": False,
                    "error_code": False,
                    "error_message": False,
                    "error_traceback": False,
                }
            )
            job_sudo = log.job_id.sudo()  # queue_job's manager group not required
            job_sudo.requeue()
        return True

    def _check_replayable(self):
        """Refuse to replay calls whose payload was not kept whole."""
        for log in self:
            if log.refused_count:
                raise UserError(
                    _(
                        "This call was refused before it ran: refused calls "
                        "are logged without their body, and cannot be replayed."
                    )
                )
            if log.body_truncated:
                raise UserError(
                    _(
                        "This call cannot be replayed: its body was cut in the "
                        "log (larger than the logged body size)."
                    )
                )
            if not log.request_headers:
                raise UserError(
                    _(
                        "This call cannot be replayed: its body was not kept. Turn "
                        "on Log Calls on the webhook to keep the body of the "
                        "next calls."
                    )
                )
            if log.state == "duplicate":
                raise UserError(
                    _("This call is a duplicate: replay the original call instead.")
                )

    def action_replay(self, bypass_idempotency=False):
        """Run the payload of this call again, as a new call linked to it."""
        self.ensure_one()
        self._check_replayable()
        automation_sudo = self.automation_id.sudo()
        call = automation_sudo._webhook_replay(self, bypass_idempotency)
        new_log = self.search([("request_id", "=", call.request_id)], limit=1)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": new_log.id,
            "view_mode": "form",
            "name": _("Replay of %(request)s", request=self.request_id),
        }

    def action_replay_bypass_idempotency(self):
        """Replay this call even if its delivery id was already served."""
        return self.action_replay(bypass_idempotency=True)

    def action_open_job(self):
        """Open the queue_job job of this async call."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "queue.job",
            "res_id": self.job_id.id,
            "view_mode": "form",
        }

    @api.model
    def _cron_purge_old_logs(self, batch_size=PURGE_BATCH_SIZE):
        """Delete logs and delivery ids older than their retention, in batches.

        Returns how many logs were deleted. While either remains, the cron
        runner commits the batch and runs the job again.
        """
        deliveries = self.env["webhook.delivery"]._purge_old_deliveries(batch_size)
        remaining = 1 if deliveries == batch_size else 0
        old_logs = self.browse()
        days = self._get_retention_days()
        if days > 0:
            domain = [("call_date", "<", fields.Datetime.now() - timedelta(days=days))]
            old_logs = self.search(domain, limit=batch_size)
            old_logs.unlink()
            if len(old_logs) == batch_size:
                remaining += self.search_count(domain)
        self.env["ir.cron"]._notify_progress(
            done=len(old_logs) + deliveries, remaining=remaining
        )
        return len(old_logs)
