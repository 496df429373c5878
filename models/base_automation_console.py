# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The test console of the webhook form, and its live statistics."""

import contextlib
import json
import shlex
import time
import uuid

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..receiver.call import WebhookCall
from ..receiver.changes import ChangeRecorder
from ..receiver.errors import is_transient
from .base import DRY_RUN_CURSOR_ATTR, RECORDER_KEY


class DryRunCommitError(UserError):
    """The actions of a dry run called commit(): the dry run fails, nothing is kept."""


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    # the console
    webhook_test_payload = fields.Text(
        string="Test Payload",
        compute="_compute_webhook_test_payload",
        store=True,
        readonly=False,
        help="The JSON body the console sends, pre-filled from the last logged "
        "call, or from the target settings.",
    )
    webhook_test_headers = fields.Text(
        string="Extra Headers",
        help="Optional headers the console sends, as a JSON object, e.g. "
        '{"X-Shop": "eu"}.',
    )
    webhook_test_result_kind = fields.Selection(
        [("dry_run", "Dry run"), ("real", "Sent for real")],
        string="Last Test",
        readonly=True,
        copy=False,
    )
    webhook_test_result_status = fields.Integer(
        string="Test Status", readonly=True, copy=False
    )
    webhook_test_result_body = fields.Text(
        string="Test Response", readonly=True, copy=False
    )
    webhook_test_result_duration = fields.Integer(
        string="Test Duration (ms)", readonly=True, copy=False
    )
    webhook_test_result_changes = fields.Text(
        string="Test Changes (JSON)", readonly=True, copy=False
    )
    webhook_test_changes_html = fields.Html(
        string="Changes",
        compute="_compute_webhook_test_changes_html",
        sanitize=False,
    )
    webhook_test_curl = fields.Char(
        string="Copy as curl", compute="_compute_webhook_test_curl"
    )

    # live statistics: computed with the counts (base_automation.py)
    webhook_calls_24h = fields.Integer(
        string="Calls (24 h)", compute="_compute_webhook_call_stats"
    )
    webhook_failure_rate_24h = fields.Float(
        string="Failure Rate (24 h)", compute="_compute_webhook_call_stats"
    )
    webhook_calls_7d = fields.Integer(
        string="Calls (7 days)", compute="_compute_webhook_call_stats"
    )
    webhook_failure_rate_7d = fields.Float(
        string="Failure Rate (7 days)", compute="_compute_webhook_call_stats"
    )
    webhook_last_status = fields.Integer(
        string="Last Status", compute="_compute_webhook_call_stats"
    )

    @api.depends(
        "webhook_target_field_id",
        "webhook_target_payload_key",
        "model_id",
        "record_getter",
    )
    def _compute_webhook_test_payload(self):
        for automation in self:
            current = (automation.webhook_test_payload or "").strip()
            # an empty object is the skeleton made before the target was set
            if not current or current.replace(" ", "").replace("\n", "") == "{}":
                automation.webhook_test_payload = automation._webhook_sample_payload()

    def _webhook_sample_payload(self):
        """Return a JSON payload to start testing with."""
        self.ensure_one()
        if self.id:
            last = self.env["webhook.call.log"].search(
                [
                    ("automation_id", "=", self.id),
                    ("request_body", "!=", False),
                    ("body_truncated", "=", False),
                    ("content_type", "=", "application/json"),
                ],
                limit=1,
            )
            if last:
                return last.request_body
        sample = {}
        key = (self.webhook_target_payload_key or "").strip()
        if self.webhook_target_field_id and key:
            node = sample
            parts = key.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = (
                1
                if self.webhook_target_field_id.ttype in ("integer", "many2one")
                else ""
            )
        elif (self.record_getter or "").strip() and self.model_name:
            sample = {"model": self.model_name, "id": 1}
        return json.dumps(sample, indent=2)

    @api.depends("webhook_test_result_changes")
    def _compute_webhook_test_changes_html(self):
        for automation in self:
            changes = json.loads(automation.webhook_test_result_changes or "null")
            automation.webhook_test_changes_html = (
                automation._webhook_render_changes(changes)
                if changes is not None
                else False
            )

    def _webhook_render_changes(self, changes):
        """Return the HTML table of the changes of a test call."""
        if not changes:
            return Markup('<p class="text-muted mb-0">%s</p>') % _("No record changed.")
        labels = {
            "create": _("Created"),
            "write": _("Updated"),
            "unlink": _("Deleted"),
            "mail": _("Mail not sent"),
        }
        rows = []
        for change in changes:
            if change["operation"] == "mail":
                details = _("To: %(recipients)s", recipients=change["recipients"])
            else:
                details = Markup("<br/>").join(
                    Markup("<code>%s</code>: %s &#8594; %s")
                    % (name, json.dumps(old, default=str), json.dumps(new, default=str))
                    for name, (old, new) in change["fields"].items()
                )
            rows.append(
                Markup(
                    "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>"
                )
                % (
                    labels.get(change["operation"], change["operation"]),
                    change["model"],
                    change["id"] or "",
                    change["name"] or "",
                    details,
                )
            )
        header = Markup(
            "<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
            "</tr></thead>"
        ) % (_("Change"), _("Model"), _("ID"), _("Record"), _("Fields: old → new"))
        return (
            Markup('<table class="table table-sm o_webhook_test_changes">')
            + header
            + Markup("<tbody>")
            + Markup("").join(rows)
            + Markup("</tbody></table>")
        )

    def _compute_webhook_test_curl(self):
        for automation in self:
            automation.webhook_test_curl = (
                automation._webhook_curl_command() if automation.url else False
            )

    def _webhook_curl_command(self):
        """Return a curl command sending the test payload, signed if need be."""
        self.ensure_one()
        body = (self.webhook_test_payload or "{}").encode()
        headers = {"Content-Type": "application/json"}
        with contextlib.suppress(UserError):  # malformed extra headers: left out
            headers.update(self._webhook_get_test_headers())
        scheme = self._webhook_get_signature_scheme()
        secrets = self._webhook_get_signing_secrets() if scheme else []
        if scheme and secrets:
            headers.update(
                scheme.sign(
                    body,
                    secrets[0],
                    now=time.time(),
                    delivery_id=f"msg_{uuid.uuid4().hex}",
                )
            )
        words = ["curl", "-X", "POST", shlex.quote(self.url)]
        for name, value in headers.items():
            words += ["-H", shlex.quote(f"{name}: {value}")]
        words += ["--data-raw", shlex.quote(body.decode())]
        return " ".join(words)

    def _webhook_assign_stats(self, figures):
        """Also set the live statistics: the same walk of the logs."""
        res = super()._webhook_assign_stats(figures)
        calls_24h = figures.get("calls_24h", 0)
        calls_7d = figures.get("calls_7d", 0)
        self.webhook_calls_24h = calls_24h
        self.webhook_failure_rate_24h = (
            figures.get("failed_24h", 0) / calls_24h if calls_24h else 0.0
        )
        self.webhook_calls_7d = calls_7d
        self.webhook_failure_rate_7d = (
            figures.get("failed_7d", 0) / calls_7d if calls_7d else 0.0
        )
        self.webhook_last_status = figures.get("last_status") or 0
        return res

    def _webhook_read_live_stats(self):
        """Return {rule id: (calls 24h, failed 24h, calls 7d, failed 7d, last status)}.

        The figures of _webhook_read_stats() (one query for every statistic).
        """
        return {
            rule_id: (
                figures["calls_24h"],
                figures["failed_24h"],
                figures["calls_7d"],
                figures["failed_7d"],
                figures["last_status"] or 0,
            )
            for rule_id, figures in self._webhook_read_stats().items()
        }

    # ------------------------------------------------------------------
    # Console actions
    # ------------------------------------------------------------------

    def _webhook_get_test_headers(self):
        """Return the console's extra headers (a dict of strings)."""
        self.ensure_one()
        text = (self.webhook_test_headers or "").strip()
        if not text:
            return {}
        try:
            headers = json.loads(text)
        except ValueError as exc:
            raise UserError(
                _("The extra headers are not valid JSON: %(error)s", error=exc)
            ) from exc
        if not isinstance(headers, dict) or not all(
            isinstance(value, str) for value in headers.values()
        ):
            raise UserError(
                _(
                    "Write the extra headers as a JSON object of texts: "
                    '{"Name": "value"}.'
                )
            )
        return headers

    def _webhook_console_call(self, force_sync):
        """Send the console's payload through the pipeline; return the call."""
        self.ensure_one()
        body = (self.webhook_test_payload or "{}").encode()
        call = WebhookCall(
            method="POST",
            content_type="application/json",
            content_length=len(body),
            headers={
                **self._webhook_get_test_headers(),
                "Content-Type": "application/json",
            },
            remote_addr="",
            body=body,
            from_console=True,
            force_sync=force_sync,
        )
        try:
            call.payload = self._webhook_parse_payload(call)
            self._webhook_dispatch(call)
        except Exception as exc:  # pylint: disable=broad-except
            if is_transient(exc):
                raise
            call.error = exc
        return call

    def action_webhook_test_dry_run(self):
        """Run the test payload, show what it would change, and undo it all."""
        self.ensure_one()
        recorder = ChangeRecorder()
        self.env.flush_all()  # the dry run reads the test payload in its own cursor
        cr = self.env.registry.cursor()
        try:
            self._webhook_seal_dry_run_cursor(cr, recorder)
            env = self.env(
                cr=cr, context=dict(self.env.context, **{RECORDER_KEY: recorder})
            )
            rule_sudo = self.with_env(env).sudo()
            call = rule_sudo._webhook_console_call(force_sync=True)
            if recorder.commit_refused:  # even if the actions caught the error
                call.error = DryRunCommitError(self._webhook_dry_run_commit_message())
            rule_sudo._webhook_prepare_response(call)
            env.flush_all()
        finally:
            cr.rollback()
            cr.close()
        self._webhook_store_test_result("dry_run", call, recorder.summary())
        return True

    def _webhook_seal_dry_run_cursor(self, cr, recorder):
        """Make dry run cursor ``cr`` refuse to commit and hold back its mails."""

        def refuse_commit():
            recorder.commit_refused = True
            raise DryRunCommitError(self._webhook_dry_run_commit_message())

        cr.commit = refuse_commit  # this cursor only, closed after the dry run
        setattr(cr, DRY_RUN_CURSOR_ATTR, recorder)  # see ir.mail_server

    def _webhook_dry_run_commit_message(self):
        """Return the error shown when the actions of a dry run commit."""
        return _(
            "A dry run cannot commit: the actions called commit(). Nothing was saved."
        )

    def action_webhook_test_send(self):
        """Send the test payload for real: it runs, commits and is logged."""
        self.ensure_one()
        recorder = ChangeRecorder()
        rule_sudo = self.with_context(**{RECORDER_KEY: recorder}).sudo()
        call = rule_sudo._webhook_console_call(force_sync=False)
        rule_sudo._webhook_answer(call)
        self._webhook_store_test_result("real", call, recorder.summary())
        return True

    def _webhook_store_test_result(self, kind, call, changes):
        """Show the answer of a console call on the form."""
        self.ensure_one()
        self.write(
            {
                "webhook_test_result_kind": kind,
                "webhook_test_result_status": call.status,
                "webhook_test_result_body": json.dumps(call.response, indent=2),
                "webhook_test_result_duration": call.duration_ms,
                "webhook_test_result_changes": json.dumps(changes, default=str),
            }
        )

    def action_view_webhook_stats(self):
        """Open the graph of this webhook's calls per day and state."""
        action = self.action_view_webhook_logs()
        action["view_mode"] = "graph,pivot,list,form"
        action["views"] = [
            (
                self.env.ref("webhook_automation.webhook_call_log_view_graph").id,
                "graph",
            ),
            (
                self.env.ref("webhook_automation.webhook_call_log_view_pivot").id,
                "pivot",
            ),
            (False, "list"),
            (False, "form"),
        ]
        return action
