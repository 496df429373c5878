# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Outgoing webhooks: where signed events are sent, and with which secret."""

import json
import logging
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..receiver.addresses import InvalidAllowlistEntry, parse_allowlist
from ..receiver.signatures import generate_secret
from ..sender import ssrf
from ..sender.message import parse_extra_headers
from ..sender.schedule import DISABLE_AFTER

_logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 15
MAX_TIMEOUT = 30
DEFAULT_MAX_ATTEMPTS = 10
# how long the previous secret still signs after a rotation
ROTATION_OVERLAP = timedelta(hours=24)
TEST_EVENT_TYPE = "webhook.test"


def _new_signing_secret(*_args):
    """Return a new Standard Webhooks secret (also the field's default)."""
    return generate_secret("standard")


class WebhookEndpoint(models.Model):
    _name = "webhook.endpoint"
    _description = "Outgoing Webhook Endpoint"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    url = fields.Char(
        string="URL",
        required=True,
        tracking=True,
        help="Where the events are POSTed (http or https).",
    )
    active = fields.Boolean(default=True)
    state = fields.Selection(
        [("enabled", "Enabled"), ("disabled", "Disabled")],
        default="enabled",
        required=True,
        tracking=True,
        help="A disabled endpoint keeps its new messages paused; enabling it "
        "sends them, in order.",
    )
    disabled_reason = fields.Char(readonly=True)
    signing_secret = fields.Char(
        default=_new_signing_secret,
        required=True,
        copy=False,
        groups="base.group_system",
        help="Standard Webhooks secret (whsec_...): the receiver verifies the "
        "webhook-signature header with it.",
    )
    previous_signing_secret = fields.Char(
        copy=False, groups="base.group_system", readonly=True
    )
    previous_secret_expiry = fields.Datetime(
        string="Previous Secret Signs Until",
        copy=False,
        readonly=True,
        help="After a rotation, the previous secret also signs until then.",
    )
    extra_headers = fields.Text(
        help="Headers sent with every message, as a JSON object, e.g. "
        '{"Authorization": "Bearer ..."}. The webhook-* headers and '
        "Content-Type are the sender's.",
    )
    timeout = fields.Integer(
        default=DEFAULT_TIMEOUT,
        help="Seconds an attempt may take in all (at most 30); connecting "
        "may take 5 of them.",
    )
    max_attempts = fields.Integer(
        default=DEFAULT_MAX_ATTEMPTS,
        help="Attempts of a message before it is dead.",
    )
    first_failure_date = fields.Datetime(
        readonly=True,
        copy=False,
        help="Start of the current run of failed attempts; the endpoint is "
        "disabled when every attempt failed for 5 days.",
    )
    allowed_private_networks = fields.Text(
        help="Private, loopback or link-local addresses (CIDRs, separated by "
        "commas, spaces or new lines) this endpoint may reach. Empty: only "
        "public addresses.",
    )
    outgoing_message_ids = fields.One2many(
        "webhook.outgoing.message", "endpoint_id", string="Outgoing Messages"
    )
    outgoing_message_count = fields.Integer(
        string="Messages Count", compute="_compute_outgoing_counts"
    )
    outgoing_attempt_count = fields.Integer(
        string="Attempts Count", compute="_compute_outgoing_counts"
    )

    _sql_constraints = [
        (
            "timeout_range",
            f"CHECK(timeout > 0 AND timeout <= {MAX_TIMEOUT})",
            "The timeout of an endpoint is between 1 and 30 seconds.",
        ),
        (
            "max_attempts_positive",
            "CHECK(max_attempts > 0)",
            "The maximum number of attempts of an endpoint must be positive.",
        ),
    ]

    def _compute_outgoing_counts(self):
        messages = dict(
            self.env["webhook.outgoing.message"]._read_group(
                [("endpoint_id", "in", self.ids)], ["endpoint_id"], ["__count"]
            )
        )
        attempts = dict(
            self.env["webhook.outgoing.attempt"]._read_group(
                [("endpoint_id", "in", self.ids)], ["endpoint_id"], ["__count"]
            )
        )
        for endpoint in self:
            endpoint.outgoing_message_count = messages.get(endpoint, 0)
            endpoint.outgoing_attempt_count = attempts.get(endpoint, 0)

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    @api.constrains("allowed_private_networks")
    def _check_allowed_private_networks(self):
        for endpoint in self:
            try:
                parse_allowlist(endpoint.allowed_private_networks)
            except InvalidAllowlistEntry as exc:
                raise ValidationError(
                    _(
                        "Allowed private networks of %(name)s: %(error)s",
                        name=endpoint.name,
                        error=str(exc),
                    )
                ) from None

    @api.constrains("url", "allowed_private_networks")
    def _check_url(self):
        for endpoint in self:
            try:
                endpoint._get_target()
            except ssrf.ResolutionError:
                # not a risk: each attempt resolves and checks it again
                continue
            except (ssrf.UnsafeUrl, ssrf.BlockedAddress) as exc:
                raise ValidationError(
                    _(
                        "%(name)s cannot send to %(url)s: %(error)s",
                        name=endpoint.name,
                        url=endpoint.url,
                        error=str(exc),
                    )
                ) from None

    @api.constrains("extra_headers")
    def _check_extra_headers(self):
        for endpoint in self:
            try:
                parse_extra_headers(endpoint.extra_headers)
            except ValueError as exc:
                raise ValidationError(
                    _(
                        "Extra headers of %(name)s: %(error)s",
                        name=endpoint.name,
                        error=str(exc),
                    )
                ) from None

    # ------------------------------------------------------------------
    # Sending hooks
    # ------------------------------------------------------------------

    def _get_allowed_networks(self):
        """Return the ip_network tuple of the private networks allowed."""
        self.ensure_one()
        return parse_allowlist(self.allowed_private_networks)

    def _get_resolver(self):
        """Return the resolver of host names (None: the system's); tests patch it."""
        return None

    def _get_target(self):
        """Return the checked target of the URL; raise ssrf's errors."""
        self.ensure_one()
        return ssrf.check_url(
            self.url, self._get_allowed_networks(), self._get_resolver()
        )

    def _get_signing_secrets(self):
        """Return the secrets that sign now: the current one, then the previous one."""
        self.ensure_one()
        endpoint_sudo = self.sudo()
        secrets = [endpoint_sudo.signing_secret]
        expiry = endpoint_sudo.previous_secret_expiry
        if (
            endpoint_sudo.previous_signing_secret
            and expiry
            and expiry > fields.Datetime.now()
        ):
            secrets.append(endpoint_sudo.previous_signing_secret)
        return secrets

    def _get_extra_headers(self):
        """Return the extra headers of every message (dict)."""
        self.ensure_one()
        try:
            return parse_extra_headers(self.extra_headers)
        except ValueError:
            return {}

    def _get_user_agent(self):
        """Return the User-Agent header: Odoo-webhook_automation/<version>."""
        module_sudo = self.env["ir.module.module"].sudo()
        version = module_sudo.search(
            [("name", "=", "webhook_automation")], limit=1
        ).latest_version
        return f"Odoo-webhook_automation/{version or 'unknown'}"

    def _get_timeout(self):
        """Return the seconds an attempt may take in all."""
        self.ensure_one()
        return min(max(self.timeout or DEFAULT_TIMEOUT, 1), MAX_TIMEOUT)

    # ------------------------------------------------------------------
    # Outcomes of attempts
    # ------------------------------------------------------------------

    def _lock_for_update(self):
        """Lock the endpoint's row without waiting; raise if another holds it."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM webhook_endpoint WHERE id IN %s"
                " FOR NO KEY UPDATE NOWAIT",
                tuple(self.ids),
            )
        )

    def _record_attempt_outcome(self, success, now=None):
        """Keep the run of failures of the endpoint; disable it after 5 days.

        Done in a savepoint: a concurrent attempt of the same endpoint that
        holds its row only means this bookkeeping is skipped, never that the
        attempt's record is lost.
        """
        self.ensure_one()
        now = now or fields.Datetime.now()
        if success and not self.first_failure_date:
            return
        try:
            with self.env.cr.savepoint():
                self._lock_for_update()
                if success:
                    self.first_failure_date = False
                elif not self.first_failure_date:
                    self.first_failure_date = now
                elif (
                    self.state == "enabled"
                    and (now - self.first_failure_date).total_seconds() >= DISABLE_AFTER
                ):
                    self._disable(
                        _(
                            "Every attempt failed for 5 days, since %(date)s.",
                            date=self.first_failure_date,
                        )
                    )
                self.env.flush_all()
        except psycopg2.errors.LockNotAvailable:
            _logger.info("Endpoint %s is busy: outcome of an attempt not kept", self.id)
        except psycopg2.errors.SerializationFailure:
            _logger.info("Endpoint %s changed: outcome of an attempt not kept", self.id)

    def _disable(self, reason):
        """Disable the endpoint: its pending messages are paused."""
        self.write({"state": "disabled", "disabled_reason": reason})
        messages = self.env["webhook.outgoing.message"].search(
            [("endpoint_id", "in", self.ids), ("state", "=", "pending")]
        )
        messages._pause()
        for endpoint in self:
            endpoint.message_post(
                body=_("Endpoint disabled: %(reason)s", reason=reason)
            )

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_rotate_signing_secret(self):
        """Set a new secret at once; the previous one also signs for 24 hours."""
        for endpoint in self:
            endpoint_sudo = endpoint.sudo()
            endpoint_sudo.write(
                {
                    "previous_signing_secret": endpoint_sudo.signing_secret,
                    "previous_secret_expiry": fields.Datetime.now() + ROTATION_OVERLAP,
                    "signing_secret": _new_signing_secret(),
                }
            )
            endpoint.message_post(
                body=_(
                    "Signing secret rotated: the previous one also signs until "
                    "%(date)s.",
                    date=endpoint_sudo.previous_secret_expiry,
                )
            )
        return True

    def action_disable(self):
        """Disable the endpoints by hand: new messages wait, paused."""
        self.filtered(lambda endpoint: endpoint.state == "enabled")._disable(
            _("Disabled by %(user)s.", user=self.env.user.name)
        )
        return True

    def action_enable(self):
        """Enable the endpoints and send their paused messages, in order."""
        for endpoint in self:
            endpoint.write(
                {
                    "state": "enabled",
                    "disabled_reason": False,
                    "first_failure_date": False,
                }
            )
            paused = self.env["webhook.outgoing.message"].search(
                [("endpoint_id", "=", endpoint.id), ("state", "=", "paused")],
                order="id",
            )
            paused._enqueue_in_order(trigger="scheduled")
        return True

    def action_recover_dead(self, since):
        """Send again, in order, the dead messages created since ``since``."""
        since = fields.Datetime.to_datetime(since)
        if not since:
            raise UserError(_("Say since when dead messages should be recovered."))
        messages = self.env["webhook.outgoing.message"].search(
            [
                ("endpoint_id", "in", self.ids),
                ("state", "=", "dead"),
                ("create_date", ">=", since),
            ],
            order="id",
        )
        messages._enqueue_in_order(trigger="manual", reset=True)
        return len(messages)

    def action_send_test_event(self):
        """Send a webhook.test event now; return what was sent and answered."""
        self.ensure_one()
        message = (
            self.env["webhook.outgoing.message"]
            .sudo()
            .create(self._prepare_test_message_values())
        )
        attempt = message._send_now(trigger="test")
        return {
            "message_id": message.message_id,
            "status_code": attempt.status_code,
            "duration_ms": attempt.duration_ms,
            "error": attempt.error or False,
            "response_body": attempt.response_body or "",
            "request_headers": json.loads(attempt.request_headers or "{}"),
            "body": message.body,
            "success": message.state == "delivered",
        }

    def _prepare_test_message_values(self):
        """Return the values of the message of a test event."""
        self.ensure_one()
        now = fields.Datetime.now()
        body = json.dumps(
            {
                "type": TEST_EVENT_TYPE,
                "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "data": {"endpoint": self.name, "sent_by": self.env.user.name},
            }
        )
        return {
            "endpoint_id": self.id,
            "event_type": TEST_EVENT_TYPE,
            "body": body,
            "state": "pending",
        }

    def action_open_messages(self):
        """Open the messages of the endpoint."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Messages"),
            "res_model": "webhook.outgoing.message",
            "view_mode": "list,form",
            "domain": [("endpoint_id", "=", self.id)],
            "context": {"default_endpoint_id": self.id},
        }

    def action_open_attempts(self):
        """Open the attempts of the endpoint's messages."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Attempts"),
            "res_model": "webhook.outgoing.attempt",
            "view_mode": "list,form",
            "domain": [("endpoint_id", "=", self.id)],
        }

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_disable_failing(self):
        """Disable the endpoints whose every attempt failed for 5 days."""
        limit = fields.Datetime.now() - timedelta(seconds=DISABLE_AFTER)
        endpoints = self.search(
            [("state", "=", "enabled"), ("first_failure_date", "<=", limit)]
        )
        for endpoint in endpoints:
            endpoint._disable(
                _(
                    "Every attempt failed for 5 days, since %(date)s.",
                    date=endpoint.first_failure_date,
                )
            )
