# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models
from odoo.tools import SQL

from odoo.addons.queue_job import delay as queue_job_delay
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.utils import must_run_without_delay

from .base import RECORDER_KEY

# the modules whose create() of a job adds nothing to its row: queue_job's
# sentinel check and mail's creation message and followers, which queue_job
# turns off; ours reports records to a dry run, which never enqueues
PLAIN_CREATE_MODULES = frozenset({"queue_job", "mail", "webhook_automation"})


class QueueJob(models.Model):
    _inherit = "queue.job"

    def write(self, vals):
        """Let the call logs of async webhook calls follow their jobs."""
        result = super().write(vals)
        if {"state", "retry"} & set(vals):
            webhook_jobs = self.filtered(
                lambda job: (
                    job.model_name == "base.automation"
                    and job.method_name == "_webhook_perform_call"
                )
            )
            if webhook_jobs:
                self.env["webhook.call.log"]._sync_from_jobs(webhook_jobs)
        return result

    @api.model
    def _webhook_can_insert_job(self):
        """Tell whether a new job may be stored by one INSERT, not ORM create()."""
        if must_run_without_delay(self.env) or queue_job_delay.Job is not Job:
            return False  # queue_job runs jobs at once, or trap_jobs() catches them
        if self.env.context.get(RECORDER_KEY) is not None:
            return False
        return self._webhook_create_is_plain()

    @api.model
    def _webhook_create_is_plain(self):
        """Tell whether no module but queue_job and mail extends create() of jobs."""
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
