# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


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
