# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook settings of automation rules, their statistics and their buttons.

The request pipeline lives in ``base_automation_pipeline.py``, the demo
webhooks in ``base_automation_demo.py``.
"""

from datetime import timedelta
from uuid import uuid4

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..receiver.addresses import InvalidAllowlistEntry, parse_allowlist
from ..receiver.signatures import (
    SignatureSettings,
    generate_secret,
    get_scheme,
    get_scheme_selection,
)

DEFAULT_MAX_BODY_SIZE = 1024 * 1024  # 1 MiB
# call counts shown on webhooks stop there (shown as is: "10000" means 10000+)
COUNT_LIMIT = 10000
DEFAULT_TIMESTAMP_TOLERANCE = 300  # seconds
# how long a replaced URL or signing secret keeps working
ROTATION_GRACE_PERIODS = {
    "none": None,
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
    "7d": timedelta(days=7),
}


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    # looked up on every call
    webhook_uuid = fields.Char(index=True)
    # every record write searches automation rules by trigger (core)
    trigger = fields.Selection(index=True)
    webhook_allow_get = fields.Boolean(
        string="Accept GET",
        help="Also run the webhook on GET requests, with the query string as "
        "payload. Off for new webhooks; on for the ones created before "
        "Webhook Automation was installed, as Odoo used to accept GET. A "
        "webhook with a signature refuses GET: a signature covers a body.",
    )
    webhook_max_body_size = fields.Integer(
        string="Max Body Size",
        default=lambda self: self._webhook_default_int(
            "webhook_automation.default_max_body_size", DEFAULT_MAX_BODY_SIZE
        ),
        help="Largest request body accepted, in bytes. Larger calls are refused "
        "with 413 before their body is read.",
    )

    # target lookup without code
    webhook_target_field_id = fields.Many2one(
        "ir.model.fields",
        string="Target Field",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('store', '=', True), "
        "('ttype', 'in', ('char', 'text', 'selection', 'integer', 'many2one'))]",
        help="Find the target records by this field: those whose value equals "
        "the payload's value (exactly; numbers and numeric strings for integer "
        "and many2one fields).",
    )
    webhook_target_payload_key = fields.Char(
        string="Payload Key",
        help="The dotted path of the value in the payload, e.g. order, or "
        "data.object.metadata.odoo_ref.",
    )
    webhook_target_mode = fields.Selection(
        [
            ("none", "No record"),
            ("field", "Find by field"),
            ("expression", "Python expression"),
        ],
        string="Target",
        compute="_compute_webhook_target_mode",
        inverse="_inverse_webhook_target_mode",
        readonly=False,
        help="No record: the actions run once, e.g. to create records. Find by "
        "field: the records whose field equals a payload value. Python "
        "expression: the Target Record expression, for the other cases.",
    )

    # security
    webhook_signature_scheme = fields.Selection(
        selection="_selection_webhook_signature_scheme",
        string="Signature",
        default="none",
        help="How the sender signs its calls. Calls without a valid signature "
        "are refused with 401 and run nothing. With a signature, the payload "
        "is the signed body alone: query parameters are ignored.",
    )
    webhook_signing_secret = fields.Char(
        string="Signing Secret",
        copy=False,
        groups="base.group_system",
        help="The secret shared with the sender. Generate one, or paste the "
        "provider's own (e.g. Stripe's whsec_... endpoint secret).",
    )
    webhook_signature_header = fields.Char(
        string="Signature Header",
        default="X-Signature",
        help="The header holding the signature (generic HMAC only).",
    )
    webhook_signature_algorithm = fields.Selection(
        [("sha256", "SHA-256"), ("sha1", "SHA-1"), ("sha512", "SHA-512")],
        string="Signature Algorithm",
        default="sha256",
    )
    webhook_signature_encoding = fields.Selection(
        [("hex", "Hexadecimal"), ("base64", "Base64")],
        string="Signature Encoding",
        default="hex",
    )
    webhook_signature_prefix = fields.Char(
        string="Signature Prefix",
        help="Text before the signature in the header, e.g. sha256= (generic "
        "HMAC only). When set, a signature without it is refused.",
    )
    webhook_timestamp_tolerance = fields.Integer(
        string="Timestamp Tolerance",
        default=lambda self: self._webhook_default_int(
            "webhook_automation.default_timestamp_tolerance",
            DEFAULT_TIMESTAMP_TOLERANCE,
        ),
        help="Seconds a signed timestamp may differ from now, in the past or in "
        "the future (Stripe and Standard Webhooks): older calls are refused as "
        "replays.",
    )
    webhook_allowed_ips = fields.Text(
        string="Allowed Addresses",
        help="Addresses or CIDR ranges (IPv4 and IPv6) allowed to call the "
        "webhook, separated by commas, spaces or new lines. Empty: any address.",
    )
    webhook_run_as_user_id = fields.Many2one(
        "res.users",
        string="Run As",
        ondelete="restrict",
        domain=[("share", "=", False)],
        help="Whose access rights and record rules apply to the target lookup "
        "and the actions. Empty: the superuser, who bypasses them all.",
    )
    webhook_rotation_grace = fields.Selection(
        [
            ("none", "None"),
            ("1h", "1 hour"),
            ("1d", "1 day"),
            ("7d", "7 days"),
        ],
        string="Rotation Grace Period",
        default="none",
        help="How long a replaced URL or signing secret keeps working, so that "
        "senders can be updated without losing calls.",
    )
    webhook_previous_uuid = fields.Char(
        copy=False, index="btree_not_null", groups="base.group_system"
    )
    webhook_previous_uuid_expiry = fields.Datetime(
        string="Previous URL Accepted Until", copy=False, readonly=True
    )
    webhook_previous_signing_secret = fields.Char(
        copy=False, groups="base.group_system"
    )
    webhook_previous_signing_secret_expiry = fields.Datetime(
        string="Previous Secret Accepted Until", copy=False, readonly=True
    )
    webhook_in_grace = fields.Boolean(
        string="Previous URL Still Accepted", compute="_compute_webhook_in_grace"
    )
    webhook_secret_in_grace = fields.Boolean(
        string="Previous Secret Still Accepted", compute="_compute_webhook_in_grace"
    )

    # statistics
    webhook_log_ids = fields.One2many(
        "webhook.call.log", "automation_id", string="Webhook Calls"
    )
    webhook_call_count = fields.Integer(
        string="Calls",
        compute="_compute_webhook_call_stats",
        help="Calls in the logs, counted up to 10,000.",
    )
    webhook_failed_count = fields.Integer(
        string="Failed Calls",
        compute="_compute_webhook_call_stats",
        help="Failed calls in the logs, counted up to 10,000.",
    )
    webhook_last_call = fields.Datetime(
        string="Last Call", compute="_compute_webhook_call_stats"
    )

    _sql_constraints = [
        (
            "webhook_max_body_size_positive",
            "CHECK(webhook_max_body_size IS NULL OR webhook_max_body_size > 0)",
            "The maximum body size of a webhook must be positive.",
        ),
        (
            "webhook_timestamp_tolerance_positive",
            "CHECK(webhook_timestamp_tolerance IS NULL "
            "OR webhook_timestamp_tolerance > 0)",
            "The timestamp tolerance of a webhook must be a positive number of "
            "seconds.",
        ),
    ]

    @api.model
    def _webhook_default_int(self, key, default):
        """Return the positive integer system parameter ``key``, or ``default``."""
        value = self._webhook_get_int_param(key, default)
        return value if value > 0 else default

    @api.model
    def _selection_webhook_signature_scheme(self):
        """Return the signature schemes: none, then the registered ones."""
        return [("none", _("None"))] + get_scheme_selection()

    def _compute_webhook_call_stats(self):
        stats = self._webhook_read_stats()
        for automation in self:
            automation._webhook_assign_stats(stats.get(automation.id) or {})

    def _webhook_assign_stats(self, figures):
        """Set the statistics fields of one webhook from _webhook_read_stats()."""
        self.webhook_call_count = figures.get("calls", 0)
        self.webhook_failed_count = figures.get("failed", 0)
        self.webhook_last_call = figures.get("last_call", False)

    def _webhook_read_stats(self):
        """Return {rule id: {figure: value}}: every statistic of the webhooks.

        One walk of the (webhook, date) index from the newest call, at most
        COUNT_LIMIT entries, gives the count of calls and those of the last
        24 hours and 7 days with their failures (a window busier than
        COUNT_LIMIT calls: the latest COUNT_LIMIT of them); the failed calls
        are counted on their partial index, up to COUNT_LIMIT too, and the
        last call is the index's first entry. Both indexes cover what they
        are asked: the cost is the same with a million logs. Figures:
        calls, failed, last_call, last_status, calls_24h, failed_24h,
        calls_7d, failed_7d.
        """
        ids = [automation_id for automation_id in self.ids if automation_id]
        if not ids:
            return {}
        self.env["webhook.call.log"].flush_model(
            ["automation_id", "failed", "call_date", "status_code"]
        )
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                SELECT rule.id, latest.calls, failed.calls, last.call_date,
                       last.status_code, latest.calls_24h, latest.failed_24h,
                       latest.calls_7d, latest.failed_7d
                  FROM unnest(%(ids)s) AS rule(id)
                  CROSS JOIN LATERAL (
                        SELECT count(*) AS calls,
                               count(*) FILTER (WHERE call_date >= %(day)s)
                                   AS calls_24h,
                               count(*) FILTER (WHERE call_date >= %(day)s AND failed)
                                   AS failed_24h,
                               count(*) FILTER (WHERE call_date >= %(week)s)
                                   AS calls_7d,
                               count(*) FILTER (WHERE call_date >= %(week)s AND failed)
                                   AS failed_7d
                          FROM (SELECT call_date, failed FROM webhook_call_log
                                 WHERE automation_id = rule.id
                                 ORDER BY call_date DESC, id DESC
                                 LIMIT %(limit)s) AS calls
                       ) AS latest
                  CROSS JOIN LATERAL (
                        SELECT count(*) AS calls
                          FROM (SELECT 1 FROM webhook_call_log
                                 WHERE automation_id = rule.id AND failed
                                 LIMIT %(limit)s) AS calls
                       ) AS failed
                  LEFT JOIN LATERAL (
                        SELECT call_date, status_code FROM webhook_call_log
                         WHERE automation_id = rule.id
                         ORDER BY call_date DESC, id DESC LIMIT 1
                       ) AS last ON TRUE
                """,
                ids=ids,
                day=now - timedelta(days=1),
                week=now - timedelta(days=7),
                limit=COUNT_LIMIT,
            )
        )
        names = (
            "calls", "failed", "last_call", "last_status",
            "calls_24h", "failed_24h", "calls_7d", "failed_7d",
        )  # fmt: skip
        return {
            row[0]: dict(zip(names, row[1:], strict=True))
            for row in self.env.cr.fetchall()
        }

    def _webhook_read_call_counts(self):
        """Return {rule id: (calls, failed calls, last call date)}: the list's."""
        return {
            rule_id: (figures["calls"], figures["failed"], figures["last_call"])
            for rule_id, figures in self._webhook_read_stats().items()
        }

    @api.depends(
        "webhook_previous_uuid_expiry", "webhook_previous_signing_secret_expiry"
    )
    def _compute_webhook_in_grace(self):
        now = fields.Datetime.now()
        for automation in self:
            uuid_expiry = automation.webhook_previous_uuid_expiry
            secret_expiry = automation.webhook_previous_signing_secret_expiry
            automation.webhook_in_grace = bool(uuid_expiry and uuid_expiry > now)
            automation.webhook_secret_in_grace = bool(
                secret_expiry and secret_expiry > now
            )

    @api.depends(
        "webhook_target_field_id", "webhook_target_payload_key", "record_getter"
    )
    def _compute_webhook_target_mode(self):
        for automation in self:
            # either one set: the administrator is setting up the lookup
            if (
                automation.webhook_target_field_id
                or automation.webhook_target_payload_key
            ):
                automation.webhook_target_mode = "field"
            elif (automation.record_getter or "").strip():
                automation.webhook_target_mode = "expression"
            else:
                automation.webhook_target_mode = "none"

    def _inverse_webhook_target_mode(self):
        for automation in self:
            mode = automation.webhook_target_mode
            if mode != "field":
                automation.webhook_target_field_id = False
                automation.webhook_target_payload_key = False
            if mode != "expression":
                automation.record_getter = False

    @api.constrains("webhook_target_field_id", "model_id")
    def _check_webhook_target_field(self):
        for automation in self:
            field = automation.webhook_target_field_id
            if field and field.model_id != automation.model_id:
                raise ValidationError(
                    _(
                        "The Target Field of %(name)s must be a field of %(model)s.",
                        name=automation.name,
                        model=automation.model_id.name,
                    )
                )

    @api.depends("trigger_field_ids")
    def _compute_trigger(self):
        """Keep webhooks on their trigger when the model changes (core resets it)."""
        webhooks = self.filtered(lambda automation: automation.trigger == "on_webhook")
        return super(BaseAutomation, self - webhooks)._compute_trigger()

    @api.constrains("record_getter", "trigger")
    def _check_webhook_record_getter(self):
        for automation in self.filtered(lambda a: a.trigger == "on_webhook"):
            if automation.record_getter and automation.record_getter.strip():
                try:
                    compile(automation.record_getter.strip(), "<target>", "eval")
                except SyntaxError as exc:
                    raise ValidationError(
                        _(
                            "The Target Record of %(name)s is not a valid Python "
                            "expression: %(error)s",
                            name=automation.name,
                            error=exc.msg,
                        )
                    ) from exc

    @api.constrains("webhook_allowed_ips")
    def _check_webhook_allowed_ips(self):
        for automation in self:
            try:
                parse_allowlist(automation.webhook_allowed_ips)
            except InvalidAllowlistEntry as exc:
                raise ValidationError(
                    _(
                        "The allowed addresses of %(name)s contain %(entry)s, which "
                        "is neither an IP address nor a CIDR range (e.g. "
                        "203.0.113.7, 10.0.0.0/8, 2001:db8::/32).",
                        name=automation.name,
                        entry=exc.entry,
                    )
                ) from exc

    @api.constrains("webhook_run_as_user_id")
    def _check_webhook_run_as_user(self):
        for automation in self:
            user = automation.webhook_run_as_user_id
            if user and (user.share or not user.active):
                raise ValidationError(
                    _(
                        "%(name)s can only run as an active internal user, not "
                        "%(user)s.",
                        name=automation.name,
                        user=user.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Security settings, as the pipeline uses them
    # ------------------------------------------------------------------

    def _webhook_get_signature_settings(self):
        """Return the SignatureSettings of this webhook."""
        self.ensure_one()
        return SignatureSettings(
            header=(self.webhook_signature_header or "X-Signature").strip(),
            algorithm=self.webhook_signature_algorithm or "sha256",
            encoding=self.webhook_signature_encoding or "hex",
            prefix=self.webhook_signature_prefix or "",
            tolerance=self.webhook_timestamp_tolerance or DEFAULT_TIMESTAMP_TOLERANCE,
        )

    def _webhook_get_signature_scheme(self):
        """Return the signature scheme checking the calls, or None."""
        self.ensure_one()
        return get_scheme(
            self.webhook_signature_scheme, self._webhook_get_signature_settings()
        )

    def _webhook_get_signing_secrets(self):
        """Return the signing secrets accepted now: current, then previous."""
        self.ensure_one()
        automation_sudo = self.sudo()
        secrets = [automation_sudo.webhook_signing_secret]
        if automation_sudo.webhook_secret_in_grace:
            secrets.append(automation_sudo.webhook_previous_signing_secret)
        return [secret for secret in secrets if secret]

    def _webhook_get_sensitive_headers(self):
        """Return the lower-case names of the headers masked in the logs."""
        self.ensure_one()
        scheme = self._webhook_get_signature_scheme()
        return set(scheme.get_header_names()) if scheme else set()

    def _webhook_get_grace_delta(self):
        """Return how long a replaced secret keeps working, or None."""
        self.ensure_one()
        return ROTATION_GRACE_PERIODS.get(self.webhook_rotation_grace or "none")

    # ------------------------------------------------------------------
    # Rotation
    # ------------------------------------------------------------------

    def write(self, vals):
        if "webhook_signing_secret" in vals:
            self._webhook_keep_previous_secret(vals["webhook_signing_secret"])
        return super().write(vals)

    def _webhook_keep_previous_secret(self, new_secret):
        """Keep the signing secret being replaced for the grace period, if any."""
        now = fields.Datetime.now()
        for automation_sudo in self.sudo():
            old_secret = automation_sudo.webhook_signing_secret
            if not old_secret or old_secret == new_secret:
                continue
            grace = automation_sudo._webhook_get_grace_delta()
            automation_sudo.update(
                {
                    "webhook_previous_signing_secret": old_secret if grace else False,
                    "webhook_previous_signing_secret_expiry": now + grace
                    if grace
                    else False,
                }
            )

    def action_rotate_webhook_uuid(self):
        """Give the webhook a new URL; the old one works for the grace period."""
        now = fields.Datetime.now()
        for automation in self:
            grace = automation._webhook_get_grace_delta()
            old_uuid = automation.webhook_uuid
            automation.write(
                {
                    "webhook_uuid": str(uuid4()),
                    "webhook_previous_uuid": old_uuid if grace else False,
                    "webhook_previous_uuid_expiry": now + grace if grace else False,
                }
            )

    def action_generate_webhook_signing_secret(self):
        """Set a new strong signing secret, suited to the signature scheme."""
        for automation in self:
            automation.webhook_signing_secret = generate_secret(
                automation.webhook_signature_scheme
            )

    # ------------------------------------------------------------------
    # UI actions
    # ------------------------------------------------------------------

    def action_view_webhook_logs(self):
        """Open the calls of this webhook (replaces core's ir.logging view)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "webhook_automation.webhook_call_log_action"
        )
        action["domain"] = [("automation_id", "=", self.id)]
        action["context"] = {"default_automation_id": self.id}
        action["name"] = action["display_name"] = _(
            "Calls of %(name)s", name=self.display_name
        )
        return action

    def action_view_webhook_waiting_calls(self):
        """Open the async calls of this webhook that wait for their job."""
        action = self.action_view_webhook_logs()
        action["context"] = dict(action["context"], search_default_waiting=1)
        return action
