# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from contextlib import closing
from datetime import datetime, timedelta

import psycopg2

from odoo import _, api, models
from odoo.tools import SQL

from odoo.addons.queue_job import delay as queue_job_delay
from odoo.addons.queue_job.job import DEFAULT_MAX_RETRIES, STARTED, Job
from odoo.addons.queue_job.utils import must_run_without_delay

from .base import RECORDER_KEY

# the modules whose create() of a job adds nothing to its row: queue_job's
# sentinel check and mail's creation message and followers, which queue_job
# turns off; ours reports records to a dry run, which never enqueues
PLAIN_CREATE_MODULES = frozenset({"queue_job", "mail", "webhook_automation"})

_logger = logging.getLogger(__name__)

# the jobs _webhook_requeue_dead_jobs() watches: (model, method)
WEBHOOK_JOB_FUNCTIONS = (
    ("base.automation", "_webhook_perform_call"),
    ("webhook.outgoing.message", "_webhook_deliver"),
)
# seconds a started job may go without the lock of its worker (the instant
# between queue_job's commit of "started" and the job's first statement)
# before a free row means its server died; the system parameter overrides it
DEAD_JOB_GRACE = 60
# cursor cache (forgotten at commit and rollback; savepoints flush the
# precommit data): (uuid, id) of the webhook job running in the transaction
RUNNING_JOB_KEY = "webhook_automation.running_job"
DEAD_JOB_GRACE_PARAM = "webhook_automation.dead_job_grace"


class QueueJob(models.Model):
    _inherit = "queue.job"

    def write(self, vals):
        """Let the call logs of async webhook calls follow their jobs."""
        result = super().write(vals)
        if {"state", "retry"} & set(vals):
            log_model = self.env["webhook.call.log"]
            # first those done where their call recorded its outcome: nothing
            # to sync, nor to read (the job's row is not in the cache then)
            webhook_jobs = log_model._filter_unrecorded_jobs(self).filtered(
                lambda job: (
                    job.model_name == "base.automation"
                    and job.method_name == "_webhook_perform_call"
                )
            )
            if webhook_jobs:
                log_model._sync_from_jobs(webhook_jobs)
        return result

    @api.model
    def _webhook_can_insert_job(self):
        """Tell whether a new job may be stored by one INSERT, not ORM create().

        Measured (``scripts/benchmark --e2e-only``, ``bench_setup.py``
        ``accept_paths``, 200 accepts of each path in turn, commit included,
        2 shared cores): the log and its job by one INSERT take 2 statements,
        median 2.96 ms; the log's INSERT, then ``with_delay()`` and the link,
        5 statements, 4.75 ms. An accept answers in about 4.5 ms (202, 4
        statements over HTTP against 7): the INSERT saves 3 statements and
        1.8 ms of each. This choice costs 4.3 µs per accept, of which the
        check below 0.03 µs and ``_webhook_create_is_plain()`` 2.9 µs.
        """
        # trap_jobs(), queue_job's helper for the tests of any module, swaps
        # queue_job's Job for a mock that catches the jobs with_delay() makes:
        # those tests see ours too (0.03 µs per accept, see above)
        if must_run_without_delay(self.env) or queue_job_delay.Job is not Job:
            return False  # queue_job runs jobs at once, or trap_jobs() catches them
        if self.env.context.get(RECORDER_KEY) is not None:
            return False
        return self._webhook_create_is_plain()

    @api.model
    def _webhook_create_is_plain(self):
        """Tell whether no module but queue_job and mail extends create() of jobs.

        The INSERT skips create(): a module that extends it (an automation
        rule on jobs patches it at run time) gets with_delay() instead. The
        walk of the class's MRO costs 2.9 µs per accept, against 1.8 ms that
        the INSERT saves (``_webhook_can_insert_job()``); it is not cached,
        since automation rules patch the registry's class in place.
        """
        cls = type(self)
        if "create" in vars(cls):  # patched at run time: automation rules on jobs
            return False
        return all(
            getattr(klass, "_module", None) in PLAIN_CREATE_MODULES
            for klass in cls.__mro__[1:]
            if "create" in vars(klass) and klass.__module__ != models.__name__
        )

    @api.model
    def _webhook_get_job_sql(self, job, log_id=None):
        """Return the INSERT storing the new ``job``, which returns its id.

        The row holds the values queue_job's ``Job.store()`` creates it with
        (``Job._store_values()``, which models may extend), so its runner,
        channels, retries and views handle the job as any other. ``log_id``,
        an SQL expression of the id of the call log inserted by the same
        statement, becomes the only argument of ``job``, which has none yet.
        """
        values = job._store_values(create=True)
        if log_id is not None:
            values.update(self._webhook_prepare_log_id_values(job, log_id))
        return self._webhook_get_insert_sql(values)

    @api.model
    def _webhook_prepare_log_id_values(self, job, log_id):
        """Return the arguments of ``job`` as SQL: the call log's id ``log_id``.

        Also the job's function string, which shows the arguments.
        """
        if job.args or job.kwargs:
            raise ValueError("The job of a webhook call takes the log's id alone.")
        call = job.func_string.removesuffix(")")  # "base.automation(7,).method("
        return {
            "args": SQL("jsonb_build_array(%s)", log_id),
            "func_string": SQL("%s || (%s)::text || ')'", call, log_id),
        }

    # ------------------------------------------------------------------
    # Jobs whose server died
    # ------------------------------------------------------------------

    @api.model
    def _webhook_hold_job_lock(self):
        """Lock the running job's row until its transaction ends: its worker lives.

        The first statement of the webhook jobs (``WEBHOOK_JOB_FUNCTIONS``),
        the only one this adds to them; none outside a job (no ``job_uuid``
        in the context). queue_job 18.0.1.6.0 commits the "started" state of
        a job, then runs it in a new transaction that holds nothing on the
        job's row: this lock tells ``_webhook_requeue_dead_jobs()`` that the
        job's worker lives. When a server dies, PostgreSQL rolls back the
        transactions of its closed connections, which frees the lock.

        ``FOR KEY SHARE``, the weakest row lock: it blocks the ``FOR UPDATE``
        of ``_webhook_requeue_dead_jobs()`` and nothing queue_job does, which
        writes the row at the end of the job in this transaction, or from
        another cursor while this one still holds the lock when the job
        asks for a retry or fails (a stronger lock would block that cursor,
        and the worker, for ever).
        """
        job_uuid = self.env.context.get("job_uuid")
        if job_uuid:
            self.env.cr.execute(
                SQL("SELECT id FROM queue_job WHERE uuid = %s FOR KEY SHARE", job_uuid)
            )
            row = self.env.cr.fetchone()
            if row:
                self._webhook_remember_running_job(job_uuid, row[0])

    @api.model
    def _webhook_holds_running_job(self, job_uuid):
        """Tell whether the job whose row was just locked is the running one.

        ``job_uuid`` is the uuid of the job row a query locked ``FOR KEY
        SHARE`` (the job of a call's log): if it is the running job's, that
        query took the lock of ``_webhook_hold_job_lock()``. True outside a
        job, where nothing is to be held.
        """
        running_uuid = self.env.context.get("job_uuid")
        if not running_uuid:
            return True
        return job_uuid == running_uuid

    @api.model
    def _webhook_remember_running_job(self, job_uuid, job_id):
        """Remember the id of the running job for the rest of its transaction.

        queue_job's ``Job.store()`` looks the job up by uuid before it writes
        "done": :meth:`search` answers from this memo, a query less per job.
        """
        cr = self.env.cr
        cr.cache[RUNNING_JOB_KEY] = (job_uuid, job_id)

        def forget():
            cr.cache.pop(RUNNING_JOB_KEY, None)

        cr.postcommit.add(forget)
        cr.postrollback.add(forget)

    @api.model
    def search(self, domain, offset=0, limit=None, order=None):
        """Find the running job by its uuid without a query (``Job.store()``)."""
        job_id = self._webhook_get_remembered_job_id(domain, offset)
        if job_id:
            return self.browse(job_id)
        return super().search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _webhook_get_remembered_job_id(self, domain, offset=0):
        """Return the running job's id if ``domain`` looks it up by uuid, else None.

        Only as superuser (queue_job's lookup, where no record rule applies)
        and in the job's own transaction (see ``_webhook_remember_running_job``).
        """
        memo = self.env.cr.cache.get(RUNNING_JOB_KEY)
        if not memo or not self.env.su or offset or len(domain) != 1:
            return None
        term = domain[0]
        if not isinstance(term, list | tuple) or len(term) != 3:
            return None
        field, operator, value = term
        # Job.db_record(): [("uuid", "in", (uuid,))]
        if operator == "in" and isinstance(value, list | tuple) and len(value) == 1:
            operator, value = "=", value[0]
        if (field, operator, value) == ("uuid", "=", memo[0]):
            return memo[1]
        return None

    @api.model
    def _webhook_get_dead_job_grace(self):
        """Return the seconds after which a started job's free row means it died."""
        return self._webhook_get_int_param(
            DEAD_JOB_GRACE_PARAM, DEAD_JOB_GRACE, minimum=0
        )

    @api.model
    def _webhook_get_dead_job_domain(self, started_before):
        """Return the domain of the webhook jobs started by ``started_before``."""
        functions = [
            ["&", ("model_name", "=", model), ("method_name", "=", method)]
            for model, method in WEBHOOK_JOB_FUNCTIONS
        ]
        return [
            ("state", "=", STARTED),
            ("date_started", "<=", started_before),
            *(["|"] * (len(functions) - 1)),
            *(term for function in functions for term in function),
        ]

    def _webhook_filter_unheld(self, keep_locks=False):
        """Return the started jobs of ``self`` whose row no other transaction holds.

        The worker of a running job holds its row
        (``_webhook_hold_job_lock()``), so does a transaction that requeues
        or ends the job: ``FOR UPDATE SKIP LOCKED`` passes over both. So it
        does over a row changed since this transaction began (repeatable
        read raises a serialization failure): it is no longer the started
        job this transaction saw. With ``keep_locks``, the rows returned stay
        locked until this transaction ends; else nothing stays locked.
        """
        self.flush_recordset(["state"])
        unheld_ids = []
        for job in self:
            savepoint = self.env.cr.savepoint(flush=False)
            try:
                with savepoint if keep_locks else closing(savepoint):
                    self.env.cr.execute(
                        SQL(
                            "SELECT id FROM queue_job WHERE id = %s AND state = %s"
                            " FOR UPDATE SKIP LOCKED",
                            job.id,
                            STARTED,
                        ),
                        log_exceptions=False,
                    )
                    if self.env.cr.fetchone():
                        unheld_ids.append(job.id)
            except psycopg2.errors.SerializationFailure:
                continue
        return self.browse(unheld_ids)

    @api.model
    def _webhook_prepare_dead_job_failure(self, job_):
        """Return the failure values of ``job_`` (a queue_job ``Job``) left for good.

        Its server died during its last allowed attempt.
        """
        message = _(
            "The server running this job died during attempt %(attempt)s of "
            "%(max)s: the job is not tried again.",
            attempt=job_.retry,
            max=job_.max_retries or DEFAULT_MAX_RETRIES,
        )
        return {"exc_name": "ServerDied", "exc_message": message, "exc_info": message}

    @api.model
    def _webhook_requeue_dead_jobs(self, grace=None):
        """Queue again the webhook jobs left started by a server that died.

        A cron, every minute. A job started ``grace`` seconds ago or more
        (the system parameter ``webhook_automation.dead_job_grace``, 60 by
        default) whose row no transaction holds lost its worker: a live
        worker holds it from its job's first statement
        (``_webhook_hold_job_lock()``). Its attempt counts: the job goes back
        to pending, or is failed if that was its last allowed attempt
        (``max_retries``, or queue_job's default when unlimited), so that a
        job that kills its server each time does not run for ever. Returns
        the jobs requeued or failed.

        Never while the worker lives: the rows are probed ``FOR UPDATE SKIP
        LOCKED``, which passes over the rows of live workers. Never twice:
        the first of two concurrent runs locks the row until it commits; the
        other passes over it meanwhile, and afterwards too, as the row is
        no longer started, or has changed since its snapshot (see
        ``_webhook_filter_unheld()``). A worker stalled for longer than the
        grace between queue_job's commit of "started" and the job's first
        statement would be taken for dead: keep the grace above any stall.

        Jobs left enqueued by a server that died are requeued by queue_job's
        own cron "Jobs Garbage Collector" (``requeue_stuck_jobs()``, active,
        every 5 minutes, for jobs enqueued 5 minutes ago), not by this one;
        queue_job 18.0.1.6.0 has nothing for started jobs.
        """
        if grace is None:
            grace = self._webhook_get_dead_job_grace()
        # queue_job stores the start to the microsecond (datetime.now())
        started_before = datetime.now() - timedelta(seconds=grace)
        jobs_sudo = self.sudo().search(
            self._webhook_get_dead_job_domain(started_before), order="id"
        )
        dead_sudo = jobs_sudo._webhook_filter_unheld(keep_locks=True)
        requeued, failed = [], []
        for job_sudo in dead_sudo:
            job_ = Job.load(job_sudo.env, job_sudo.uuid)
            job_.retry += 1  # the attempt its server died in
            if job_.retry >= (job_.max_retries or DEFAULT_MAX_RETRIES):
                job_.set_failed(**self._webhook_prepare_dead_job_failure(job_))
                failed.append(job_.uuid)
            else:
                job_.set_pending(
                    result=_(
                        "The server running attempt %(attempt)s died: the job "
                        "is queued again.",
                        attempt=job_.retry,
                    ),
                    reset_retry=False,
                )
                requeued.append(job_.uuid)
            job_.store()
        if requeued:
            _logger.warning(
                "Webhook jobs left started by a server that died, queued again: %s",
                ", ".join(requeued),
            )
        if failed:
            _logger.warning(
                "Webhook jobs whose server died during their last attempt, failed: %s",
                ", ".join(failed),
            )
        return dead_sudo
