# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Outgoing webhooks: one event for one endpoint, tried until delivered or dead."""

import logging
import time
import uuid
from datetime import datetime, timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.queue_job.delay import chain
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from ..sender import http as sender_http
from ..sender.message import MAX_BODY_SIZE, build_headers, new_message_id
from ..sender.schedule import GONE, is_success, next_delay

_logger = logging.getLogger(__name__)

JOB_CHANNEL = "root.webhook.outgoing"
# a job that finds its message busy (another transaction holds it) tries
# again after this many seconds, this many times
BUSY_RETRY_DELAY = 10
JOB_MAX_RETRIES = 30
# the safety net (_cron_recover_stuck): a pending message whose attempt is
# this many seconds overdue, and whose job will not run (lost, failed, done,
# cancelled, or left enqueued or started by a server that died), gets a new
# job. Longer than any attempt (the endpoint's timeout, at most 30 s) plus
# the job runner's slack; the system parameter below overrides it.
RECOVERY_MARGIN = 300
RECOVERY_MARGIN_PARAM = "webhook_automation.outgoing_recovery_margin"
RECOVERY_BATCH_SIZE = 500
# a message whose jobs fail this many times in a row before making any
# attempt (e.g. the job kills its server) is dead: no new job every few
# minutes for ever
MAX_RECOVERIES = 10
# states of a job that runs, or will, unless it is stale (see above)
JOB_RUNNING_STATES = ("enqueued", "started")
MESSAGE_STATES = [
    ("pending", "Pending"),
    ("delivered", "Delivered"),
    ("dead", "Dead"),
    ("paused", "Paused"),
]
TRIGGERS = [("scheduled", "Scheduled"), ("manual", "Manual"), ("test", "Test")]
# the values of a job row that differ from one message's first job to another
JOB_OWN_VALUES = frozenset({"uuid", "name", "records", "args", "func_string"})


class WebhookOutgoingMessage(models.Model):
    _name = "webhook.outgoing.message"
    _description = "Outgoing Webhook Message"
    _order = "id desc"
    _rec_name = "message_id"

    endpoint_id = fields.Many2one(
        "webhook.endpoint", required=True, ondelete="cascade", index=True
    )
    action_id = fields.Many2one(
        "ir.actions.server",
        ondelete="set null",
        index="btree_not_null",
    )
    event_type = fields.Char(index=True)
    res_model = fields.Char(string="Source Model", index=True)
    res_id = fields.Many2oneReference(
        string="Source Record ID", model_field="res_model", index=True
    )
    message_id = fields.Char(
        string="Message ID",
        default=new_message_id,
        required=True,
        readonly=True,
        copy=False,
        help="The webhook-id header: the same for every attempt of the message.",
    )
    body = fields.Text(readonly=True, help="The exact body sent (UTF-8 JSON).")
    state = fields.Selection(
        MESSAGE_STATES, default="pending", required=True, index=True, readonly=True
    )
    attempt_count = fields.Integer(readonly=True, copy=False)
    next_attempt_date = fields.Datetime(readonly=True, copy=False)
    attempt_ids = fields.One2many(
        "webhook.outgoing.attempt", "message_id", string="Attempts"
    )
    last_status_code = fields.Integer(readonly=True, copy=False)
    # attempts since the message was (re)queued, counted against max_attempts
    cycle_attempt_count = fields.Integer(readonly=True, copy=False)
    # the job that may send the message now; other jobs of it do nothing
    job_token = fields.Char(readonly=True, copy=False)
    # jobs given by the safety net since the last attempt (see MAX_RECOVERIES)
    recovery_count = fields.Integer(readonly=True, copy=False)

    _sql_constraints = [
        ("message_id_unique", "UNIQUE(message_id)", "A message id is unique."),
    ]

    @api.depends("message_id", "event_type")
    def _compute_display_name(self):
        for message in self:
            message.display_name = f"{message.event_type or ''} {message.message_id}"

    # ------------------------------------------------------------------
    # Queueing
    # ------------------------------------------------------------------

    @api.model
    def _check_body_size(self, body):
        """Raise a UserError if ``body`` (text) is too large to be sent."""
        size = len(body.encode())
        if size > MAX_BODY_SIZE:
            raise UserError(
                _(
                    "This change cannot be saved: the webhook message it sends "
                    "would be %(size)s bytes, more than the %(max)s bytes an "
                    "outgoing webhook may send. Choose fewer fields in the "
                    "action.",
                    size=size,
                    max=MAX_BODY_SIZE,
                )
            )

    def _prepare_job_options(self, trigger, eta=None):
        """Return the options of the job sending the message."""
        self.ensure_one()
        return {
            "channel": JOB_CHANNEL,
            "eta": eta,
            "max_retries": JOB_MAX_RETRIES,
            "description": self._get_job_description(
                self.endpoint_id.name, self.event_type, self.message_id, trigger
            ),
        }

    @api.model
    def _get_job_description(self, endpoint_name, event_type, message_id, trigger):
        """Return the name of a message's job, as the jobs list shows it."""
        return _(
            "Outgoing webhook %(endpoint)s: %(event)s %(message)s (%(trigger)s)",
            endpoint=endpoint_name,
            event=event_type,
            message=message_id,
            trigger=trigger,
        )

    def _get_delayable(self, trigger, eta=None):
        """Give the message a new job token; return the delayable of its job."""
        self.ensure_one()
        token = uuid.uuid4().hex
        self.write(
            {
                "state": "pending",
                "job_token": token,
                "next_attempt_date": eta or fields.Datetime.now(),
            }
        )
        options = self._prepare_job_options(trigger, eta)
        return self.delayable(**options)._webhook_deliver(token, trigger)

    def _enqueue(self, trigger="scheduled", eta=None):
        """Queue the sending of each message, in this transaction."""
        for message in self:
            message._get_delayable(trigger, eta).delay()

    @api.model
    def _prepare_new_values(self, values):
        """Complete the values of a new pending message with its first job's token."""
        if values.get("state", "pending") == "pending":
            values.update(
                job_token=uuid.uuid4().hex,
                next_attempt_date=fields.Datetime.now(),
            )
        return values

    @api.model
    def _create_new(self, vals_list, trigger="scheduled"):
        """Store new messages and queue the first job of the pending ones.

        ``vals_list`` are the values of create(). Through ORM create() and
        ``with_delay()`` when a module extends either; otherwise by two
        INSERTs, one for the messages and one for the jobs, which hold the
        values queue_job's ``Job.store()`` would give them: a write on 100
        records costs the user's save two statements, not 200 creations.
        Returns the messages, in the order of ``vals_list``.
        """
        vals_list = [self._prepare_new_values(dict(values)) for values in vals_list]
        if not self._can_insert_new():
            messages = self.create(vals_list)
            messages.filtered(lambda message: message.state == "pending")._enqueue(
                trigger
            )
            return messages
        for values in vals_list:
            values.setdefault("message_id", new_message_id())
            values.setdefault("state", "pending")
        ids = {}
        groups = {}
        for index, values in enumerate(vals_list):
            groups.setdefault(tuple(values), []).append(index)
        for indexes in groups.values():
            self.env.cr.execute(
                self._webhook_get_insert_rows_sql([vals_list[i] for i in indexes])
            )
            new_ids = [row[0] for row in self.env.cr.fetchall()]
            ids.update(zip(indexes, new_ids, strict=True))
        messages = self.browse(ids[index] for index in range(len(vals_list)))
        pending = [
            (message, values)
            for message, values in zip(messages, vals_list, strict=True)
            if values["state"] == "pending"
        ]
        self._insert_first_jobs(pending, trigger)
        return messages

    @api.model
    def _can_insert_new(self):
        """Tell whether new messages and their jobs may be stored by INSERTs.

        Not when a module extends the creation of messages, or the jobs'
        (see ``queue.job._webhook_can_insert_job()``), or adds job values.
        """
        cls = type(self)
        if "create" in vars(cls) or hasattr(
            self, "_job_store_values_for__webhook_deliver"
        ):
            return False  # patched at run time, or job values by message
        # only ours (dry runs, which never send) and queue_job's (job values)
        plain = all(
            getattr(klass, "_module", None) in ("webhook_automation", "queue_job")
            for klass in cls.__mro__[1:]
            if ("create" in vars(klass) or "_job_store_values" in vars(klass))
            and klass.__module__ != models.__name__
        )
        return plain and self.env["queue.job"]._webhook_can_insert_job()

    @api.model
    def _insert_first_jobs(self, pending, trigger):
        """Store the first job of each new message, in one INSERT.

        ``pending`` holds (message, values) pairs, the values the message was
        inserted with. The first job is built by queue_job; the others are
        copies of its row with their own uuid, name, record and arguments.
        """
        if not pending:
            return
        endpoint_ids = {values["endpoint_id"] for _message, values in pending}
        endpoint_names = {
            endpoint.id: endpoint.name
            for endpoint in self.env["webhook.endpoint"].browse(endpoint_ids)
        }
        descriptions = {}

        def describe(values):
            # translated once per endpoint and event type, not once per job
            key = (values["endpoint_id"], values.get("event_type"))
            if key not in descriptions:
                descriptions[key] = self._get_job_description(
                    endpoint_names[key[0]], key[1], "\x00", trigger
                )
            return descriptions[key].replace("\x00", values["message_id"])

        first, first_values = pending[0]
        queue_job = self.env["queue.job"]
        template = Job(
            first._webhook_deliver,
            args=(first_values["job_token"], trigger),
            channel=JOB_CHANNEL,
            max_retries=JOB_MAX_RETRIES,
            description=describe(first_values),
        )._store_values(create=True)
        # the values shared by every job, converted to their column once
        shared = {
            name: SQL(
                "%s",
                queue_job._fields[name].convert_to_column_insert(
                    value, queue_job, template
                ),
            )
            for name, value in template.items()
            if name not in JOB_OWN_VALUES
        }
        rows = []
        for message, values in pending:
            args = (values["job_token"], trigger)
            rows.append(
                {
                    **shared,
                    "uuid": str(uuid.uuid4()),
                    "name": describe(values),
                    "records": message,
                    "args": args,
                    "func_string": "{}._webhook_deliver({})".format(
                        repr(message), ", ".join(map(repr, args))
                    ),
                }
            )
        self.env.cr.execute(queue_job._webhook_get_insert_rows_sql(rows))

    def _enqueue_in_order(self, trigger="scheduled", reset=False):
        """Queue the messages one after the other (each job waits for the last)."""
        if not self:
            return
        if reset:
            self.write({"cycle_attempt_count": 0, "recovery_count": 0})
        delayables = [message._get_delayable(trigger) for message in self]
        if len(delayables) == 1:
            delayables[0].delay()
        else:
            chain(*delayables).delay()

    def _pause(self):
        """Pause pending messages (their endpoint is disabled); skip those in flight.

        A message whose job is sending it holds its row: that job, or its
        next one, pauses it when it sees the endpoint disabled.
        """
        if not self:
            return
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM webhook_outgoing_message"
                " WHERE id IN %s AND state = 'pending'"
                " FOR NO KEY UPDATE SKIP LOCKED",
                tuple(self.ids),
            )
        )
        free = self.browse(row[0] for row in self.env.cr.fetchall())
        free.write({"state": "paused", "job_token": False, "next_attempt_date": False})

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_resend(self):
        """Send the messages again (any state but pending), in order, as manual."""
        messages = self.filtered(lambda message: message.state != "pending")
        if not messages:
            raise UserError(_("These messages are already waiting to be sent."))
        messages.sorted("id")._enqueue_in_order(trigger="manual", reset=True)
        return True

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _lock_or_retry(self):
        """Lock the message's row, or ask queue_job to try the job again later."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM webhook_outgoing_message WHERE id = %s"
                " FOR NO KEY UPDATE SKIP LOCKED",
                self.id,
            )
        )
        if not self.env.cr.fetchone():
            raise RetryableJobError(
                "The message is being changed or sent", seconds=BUSY_RETRY_DELAY
            )
        self.invalidate_recordset()

    def _webhook_deliver(self, token, trigger="scheduled"):
        """Send one attempt of the message (a job); do nothing if it is obsolete.

        The job whose token the message holds sends; another one (the message
        was delivered, resent, paused or deleted since) returns at once.
        """
        self.env["queue.job"]._webhook_hold_job_lock()  # its worker lives
        message_sudo = self.sudo().exists()
        if not message_sudo:
            return _("The message no longer exists.")
        message_sudo.ensure_one()
        message_sudo._lock_or_retry()
        if message_sudo.state != "pending" or message_sudo.job_token != token:
            return _(
                "Nothing to do: the message is %(state)s.", state=message_sudo.state
            )
        if message_sudo.endpoint_id.state != "enabled":
            message_sudo._pause()
            return _("The endpoint is disabled: the message is paused.")
        attempt = message_sudo._send_now(trigger)
        return _(
            "%(status)s %(state)s",
            status=attempt.status_code or attempt.error,
            state=message_sudo.state,
        )

    def _prepare_headers(self, timestamp):
        """Return the headers of an attempt made at ``timestamp`` (Unix time)."""
        self.ensure_one()
        endpoint = self.endpoint_id
        return build_headers(
            self.message_id,
            self._get_body_bytes(),
            endpoint._get_signing_secrets(),
            timestamp,
            endpoint._get_user_agent(),
            endpoint._get_extra_headers(),
        )

    def _get_body_bytes(self):
        """Return the bytes of the body."""
        self.ensure_one()
        return (self.body or "").encode()

    def _send_request(self, headers):
        """Send the body with ``headers`` to the endpoint; return sender's Result."""
        self.ensure_one()
        endpoint = self.endpoint_id
        try:
            allowed = endpoint._get_allowed_networks()
        except ValueError:
            allowed = ()
        return sender_http.send(
            endpoint.url,
            self._get_body_bytes(),
            headers,
            endpoint._get_timeout(),
            allowed_networks=allowed,
            resolver=endpoint._get_resolver(),
        )

    def _send_now(self, trigger):
        """Make one attempt now, record it and what follows; return the attempt."""
        self.ensure_one()
        started = datetime.utcnow().replace(microsecond=0)
        headers = self._prepare_headers(time.time())
        result = self._send_request(headers)
        ended = started + timedelta(milliseconds=result.duration_ms)
        attempt = self.env["webhook.outgoing.attempt"].create(
            self._prepare_attempt_values(result, headers, trigger, started)
        )
        try:
            self._process_attempt_result(result, trigger, ended)
        except RetryableJobError:
            raise
        except Exception:  # the attempt is kept whatever happens next
            _logger.exception(
                "Outgoing webhook message %s: the outcome of attempt %s failed",
                self.message_id,
                attempt.id,
            )
        return attempt

    def _prepare_attempt_values(self, result, headers, trigger, started):
        """Return the values of the attempt record of ``result``."""
        self.ensure_one()
        return {
            "message_id": self.id,
            "date": started,
            "url": self.endpoint_id.url,
            "status_code": result.status_code,
            "response_body": result.response_body.decode("utf-8", "replace"),
            "duration_ms": result.duration_ms,
            "error": result.error or False,
            "trigger": trigger,
            "request_headers": headers,
        }

    def _process_attempt_result(self, result, trigger, ended):
        """Deliver, retry later, kill the message or disable the endpoint."""
        self.ensure_one()
        endpoint = self.endpoint_id
        values = {
            "attempt_count": self.attempt_count + 1,
            "last_status_code": result.status_code,
            "recovery_count": 0,
        }
        if trigger != "test":
            values["cycle_attempt_count"] = self.cycle_attempt_count + 1
        if is_success(result.status_code):
            self.write(
                {
                    **values,
                    "state": "delivered",
                    "job_token": False,
                    "next_attempt_date": False,
                }
            )
            endpoint._record_attempt_outcome(True)
            return
        if trigger == "test":
            self.write({**values, "state": "dead", "job_token": False})
            return
        if result.status_code == GONE:
            self.write({**values, "state": "dead", "job_token": False})
            endpoint._disable(
                _(
                    "The receiver answered 410 Gone to message %(id)s.",
                    id=self.message_id,
                )
            )
            return
        self.write(values)
        endpoint._record_attempt_outcome(False, ended)
        if self.state != "pending":  # paused: the endpoint was just disabled
            return
        if self.cycle_attempt_count >= endpoint.max_attempts:
            self.write(
                {"state": "dead", "job_token": False, "next_attempt_date": False}
            )
            self._notify_dead()
            return
        delay = next_delay(
            self.cycle_attempt_count,
            status_code=result.status_code,
            retry_after=result.retry_after,
            timed_out=result.timed_out,
        )
        self._enqueue(trigger="scheduled", eta=ended + timedelta(seconds=delay))

    def _notify_dead(self, note=None):
        """Give the administrators an activity on the endpoint of dead messages.

        ``note`` says why the message is dead; by default, its failed attempts.
        """
        self.ensure_one()
        endpoint = self.endpoint_id
        summary = _("Outgoing webhook messages are dead")
        admins = self.env.ref("base.group_system").users.filtered(
            lambda user: user.active and not user.share
        )
        open_for = endpoint.activity_ids.filtered(
            lambda activity: activity.summary == summary
        ).user_id
        for admin in admins - open_for:
            endpoint.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=note
                or _(
                    "Message %(id)s (%(event)s) failed %(count)s times and will "
                    "not be tried again. Resend it, or recover the dead messages "
                    "of the endpoint once the receiver works again.",
                    id=self.message_id,
                    event=self.event_type,
                    count=self.cycle_attempt_count,
                ),
                user_id=admin.id,
            )

    # ------------------------------------------------------------------
    # Safety net: nothing accepted waits on a person
    # ------------------------------------------------------------------

    @api.model
    def _get_recovery_margin(self):
        """Return the seconds after which an overdue message's job is deemed lost."""
        return self._webhook_get_int_param(
            RECOVERY_MARGIN_PARAM, RECOVERY_MARGIN, minimum=1
        )

    @api.model
    def _search_overdue(self, overdue_before, limit, after_id=0):
        """Return pending messages due before ``overdue_before``, by id.

        At most ``limit`` of them, of ids above ``after_id``.
        """
        return self.search(
            [
                ("state", "=", "pending"),
                ("id", ">", after_id),
                "|",
                ("next_attempt_date", "=", False),
                ("next_attempt_date", "<", overdue_before),
            ],
            order="id",
            limit=limit,
        )

    def _try_lock(self):
        """Lock the message's row; return False if it is held or changed meanwhile.

        A job sending the message holds its row; one that changed it since
        this transaction began (e.g. delivered it) makes the lock fail too.
        """
        self.ensure_one()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM webhook_outgoing_message"
                        " WHERE id = %s AND state = 'pending' AND job_token"
                        " IS NOT DISTINCT FROM %s FOR NO KEY UPDATE NOWAIT",
                        self.id,
                        self.job_token or None,
                    )
                )
                return bool(self.env.cr.fetchone())
        except (
            psycopg2.errors.LockNotAvailable,
            psycopg2.errors.SerializationFailure,
        ):
            return False

    def _get_jobs_by_token(self):
        """Return {job token: queue.job (sudo)} of the messages' jobs that exist."""
        tokens = tuple(token for token in self.mapped("job_token") if token)
        if not tokens:
            return {}
        # queue_job stores the arguments as a JSON string holding a JSON list
        token = SQL(
            "(CASE jsonb_typeof(args) WHEN 'string' THEN (args #>> '{}')::jsonb"
            " ELSE args END) ->> 0"
        )
        self.env["queue.job"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT id, token FROM (SELECT id, %s AS token FROM queue_job"
                " WHERE model_name = %s AND method_name = %s) AS job"
                " WHERE token IN %s",
                token,
                self._name,
                "_webhook_deliver",
                tokens,
            )
        )
        rows = self.env.cr.fetchall()
        jobs_sudo = self.env["queue.job"].sudo().browse(row[0] for row in rows)
        by_id = {job_sudo.id: job_sudo for job_sudo in jobs_sudo}
        return {token: by_id[job_id] for job_id, token in rows}

    @api.model
    def _job_will_run(self, job_sudo, stale_before, memo=None):
        """Tell whether queue_job will run ``job_sudo`` (a queue.job, sudo).

        A pending job will; an enqueued or started one unless it has been so
        since before ``stale_before`` and, if started, its worker holds its
        row no more (its server died); one waiting for
        others if they all will; a missing, failed, done or cancelled one
        will not. ``memo`` keeps the answers of a run, by job id.
        """
        memo = {} if memo is None else memo
        if not job_sudo:
            return False
        if job_sudo.id in memo:
            return memo[job_sudo.id]
        memo[job_sudo.id] = False  # a cycle never runs
        if not job_sudo.exists():
            return False
        state = job_sudo.state
        if state == "pending":
            will_run = True
        elif state in JOB_RUNNING_STATES:
            since = job_sudo.date_started if state == "started" else None
            since = since or job_sudo.date_enqueued or job_sudo.date_created
            will_run = bool(since) and since >= stale_before
            if state == "started" and not will_run:
                # its worker, if alive, holds its row (_webhook_hold_job_lock)
                will_run = not job_sudo._webhook_filter_unheld()
        elif state == "wait_dependencies":
            uuids = set((job_sudo.dependencies or {}).get("depends_on") or [])
            parents_sudo = job_sudo.search([("uuid", "in", list(uuids))])
            # a job it waits for was deleted, or is done and let it go already:
            # it is stuck
            will_run = len(parents_sudo) == len(uuids) and all(
                parent_sudo.state != "done"
                and self._job_will_run(parent_sudo, stale_before, memo)
                for parent_sudo in parents_sudo
            )
        else:
            will_run = False
        memo[job_sudo.id] = will_run
        return will_run

    def _retire_jobs(self, jobs_by_token):
        """Cancel the messages' old jobs if queued or running (frees the channel).

        Best effort: a job another transaction changes meanwhile is left as it
        is; the message's new token makes it do nothing anyway.
        """
        for message in self:
            job_sudo = jobs_by_token.get(message.job_token)
            if not job_sudo or job_sudo.state not in (
                "pending",
                "wait_dependencies",
                *JOB_RUNNING_STATES,
            ):
                continue
            try:
                with self.env.cr.savepoint():
                    job_sudo._change_job_state(
                        "cancelled",
                        result=_("Superseded: the message was given a new job."),
                    )
            except (
                psycopg2.errors.LockNotAvailable,
                psycopg2.errors.SerializationFailure,
            ):
                _logger.info("Job %s is busy: not cancelled", job_sudo.uuid)

    @api.model
    def _cron_recover_stuck(self, batch_size=RECOVERY_BATCH_SIZE):
        """Give a new job to the pending messages whose job will not run.

        A message whose attempt is overdue by more than the margin (see
        ``RECOVERY_MARGIN``) and whose job was lost, failed, done, cancelled
        or left enqueued or started by a server that died gets a new job and
        a new token: its old job, if it ever runs, does nothing. Delivery
        stays at least once; a message recovered ``MAX_RECOVERIES`` times in a
        row without an attempt is dead instead (see ``_recover()``). Returns
        the number of stuck messages found.
        """
        margin = timedelta(seconds=self._get_recovery_margin())
        overdue_before = fields.Datetime.now() - margin
        recovered = 0
        last_id = 0
        memo = {}
        while True:
            messages = self._search_overdue(overdue_before, batch_size, last_id)
            if not messages:
                break
            last_id = max(messages.ids)
            jobs_sudo = messages._get_jobs_by_token()
            stuck = messages._filter_stuck(jobs_sudo, overdue_before, memo)
            stuck = stuck.filtered(lambda message: message._try_lock())
            if stuck:
                _logger.warning(
                    "Outgoing webhooks: %s pending messages had no job that "
                    "would run (a server died?); they are queued again: %s",
                    len(stuck),
                    stuck.mapped("message_id")[:20],
                )
                stuck._retire_jobs(jobs_sudo)
                stuck._recover(trigger="scheduled")
                recovered += len(stuck)
            if len(messages) < batch_size:
                break
        return recovered

    def _recover(self, trigger="scheduled"):
        """Queue the stuck messages again, or kill those recovered too often.

        A message whose last ``MAX_RECOVERIES`` jobs all ended before making
        an attempt is dead, with an activity for the administrators: its
        jobs fail for a reason that another job will not change.
        """
        hopeless = self.filtered(
            lambda message: message.recovery_count >= MAX_RECOVERIES
        )
        for message in hopeless:
            _logger.error(
                "Outgoing webhook message %s is dead: %s jobs in a row ended "
                "without making an attempt",
                message.message_id,
                message.recovery_count,
            )
            message.write(
                {"state": "dead", "job_token": False, "next_attempt_date": False}
            )
            message._notify_dead(
                note=_(
                    "Message %(id)s (%(event)s) is dead: %(count)s jobs in a row "
                    "ended before sending it (see the failed jobs in Queue Jobs). "
                    "Fix the cause, then resend it.",
                    id=message.message_id,
                    event=message.event_type,
                    count=message.recovery_count,
                )
            )
        for message in self - hopeless:
            message.recovery_count += 1
        (self - hopeless)._enqueue(trigger=trigger)

    def _filter_stuck(self, jobs_by_token, stale_before, memo=None):
        """Return the messages whose job (in ``jobs_by_token``) will not run."""
        no_job = self.env["queue.job"].sudo()
        return self.filtered(
            lambda message: (
                not self._job_will_run(
                    jobs_by_token.get(message.job_token, no_job), stale_before, memo
                )
            )
        )
