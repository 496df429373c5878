# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
import re
import traceback
from datetime import timedelta

from odoo import _, api, fields, models

from ..receiver.errors import unwrap_error

DEFAULT_RETENTION_DAYS = 30
DEFAULT_LOG_BODY_MAX_SIZE = 64 * 1024
PURGE_BATCH_SIZE = 1000
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
        index=True,
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
    status_code = fields.Integer(string="Status", readonly=True, index=True)
    failed = fields.Boolean(readonly=True, index=True)
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
        }
        target = call.target
        if target is not None and target._name and target.ids:
            values["target_model"] = target._name
            values["target_ids"] = ",".join(str(res_id) for res_id in target.ids)
        if call.error is not None:
            values.update(self._prepare_error_values(call))
        if automation.log_webhook_calls:
            values.update(
                self._prepare_detail_values(
                    call, automation._webhook_get_sensitive_headers()
                )
            )
        # PostgreSQL text cannot hold NUL characters, which a hostile call may send
        return {
            name: value.replace("\x00", "\ufffd") if isinstance(value, str) else value
            for name, value in values.items()
        }

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
            "request_headers": json.dumps(
                self._mask_values(call.headers, sensitive_names),
                indent=2,
                sort_keys=True,
            ),
            "query_string": json.dumps(self._mask_values(call.query), indent=2)
            if call.query
            else False,
            "request_body": body,
            "body_truncated": truncated,
            "response_body": json.dumps(call.response, indent=2),
        }

    @api.model
    def _get_int_param(self, key, default):
        """Return the integer system parameter ``key``, or ``default`` if unset."""
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return int(value) if value else default
        except ValueError:
            return default

    @api.model
    def _get_log_body_max_size(self):
        """Return how many bytes of a body are kept in the log."""
        return max(
            self._get_int_param(
                "webhook_automation.log_body_max_size", DEFAULT_LOG_BODY_MAX_SIZE
            ),
            0,
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
        return self._get_int_param(
            "webhook_automation.log_retention_days", DEFAULT_RETENTION_DAYS
        )

    @api.model
    def _cron_purge_old_logs(self, batch_size=PURGE_BATCH_SIZE):
        """Delete logs older than the retention period, one batch per run."""
        days = self._get_retention_days()
        if days <= 0:
            return 0
        domain = [("call_date", "<", fields.Datetime.now() - timedelta(days=days))]
        old_logs = self.search(domain, limit=batch_size)
        old_logs.unlink()
        remaining = self.search_count(domain) if len(old_logs) == batch_size else 0
        # when logs remain, the cron runner commits this batch and runs again
        self.env["ir.cron"]._notify_progress(done=len(old_logs), remaining=remaining)
        return len(old_logs)
