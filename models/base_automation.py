# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
import logging
from urllib.parse import urlencode

from psycopg2 import OperationalError
from werkzeug.exceptions import RequestEntityTooLarge

from odoo import Command, _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools.safe_eval import safe_eval

from ..exceptions import (
    WebhookLengthRequired,
    WebhookMalformedPayload,
    WebhookMethodNotAllowed,
    WebhookNotFound,
    WebhookPayloadTooLarge,
    WebhookTargetMismatch,
    WebhookTargetNotFound,
    WebhookUnsupportedMediaType,
    describe_error,
    error_message,
    unwrap_error,
)
from ..webhook_call import WebhookCall, multidict_to_dict

_logger = logging.getLogger(__name__)

DEFAULT_MAX_BODY_SIZE = 1024 * 1024  # 1 MiB
FORM_MIMETYPES = ("application/x-www-form-urlencoded",)
# the environ key under which the body read by the pipeline is kept, so that a
# request replayed by Odoo after a serialization failure sees it again
BODY_ENVIRON_KEY = "webhook_automation.body"


# the two examples of Odoo's webhook documentation, used as demo data
DEMO_TARGET_RECORD = "model.env[payload.get('model')].browse(int(payload.get('id')))"
DEMO_CREATE_CONTACT_CODE = """\
# variables to retrieve and hold data from the payload
contact_name = payload.get('name')
contact_email = payload.get('email')
contact_phone = payload.get('phone')
# a Python function to turn the variables into a contact in Odoo
if contact_name and contact_email:
    new_partner = env['res.partner'].create({
        'name': contact_name,
        'email': contact_email,
        'phone': contact_phone,
        'company_type':'person',
        'customer_rank': 1,
    })
# an error message for missing required data in the payload
else:
    raise ValueError("Missing required fields: 'name' and 'email'")
"""


def is_json_mimetype(mimetype):
    """Tell whether a Content-Type announces JSON (application/json, */*+json)."""
    return mimetype == "application/json" or mimetype.endswith("+json")


def _reject_json_constant(name):
    raise ValueError(f"{name} is not valid JSON")


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    # looked up on every call
    webhook_uuid = fields.Char(index=True)
    webhook_allow_get = fields.Boolean(
        string="Accept GET",
        help="Also run the webhook on GET requests, with the query string as "
        "payload. Off for new webhooks; on for the ones created before "
        "Webhook Automation was installed, as Odoo used to accept GET.",
    )
    webhook_max_body_size = fields.Integer(
        string="Max Body Size",
        default=DEFAULT_MAX_BODY_SIZE,
        help="Largest request body accepted, in bytes. Larger calls are refused "
        "with 413 before their body is read.",
    )
    webhook_log_ids = fields.One2many(
        "webhook.call.log", "automation_id", string="Webhook Calls"
    )
    webhook_call_count = fields.Integer(
        string="Calls", compute="_compute_webhook_call_stats"
    )
    webhook_failed_count = fields.Integer(
        string="Failed Calls", compute="_compute_webhook_call_stats"
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
    ]

    def _compute_webhook_call_stats(self):
        stats = {automation_id: [0, 0, False] for automation_id in self.ids}
        for automation, failed, count, last in self.env["webhook.call.log"]._read_group(
            [("automation_id", "in", self.ids)],
            ["automation_id", "failed"],
            ["__count", "call_date:max"],
        ):
            automation_stats = stats[automation.id]
            automation_stats[0] += count
            automation_stats[1] += count if failed else 0
            automation_stats[2] = max(automation_stats[2] or last, last)
        for automation in self:
            count, failed, last = stats.get(automation.id, (0, 0, False))
            automation.webhook_call_count = count
            automation.webhook_failed_count = failed
            automation.webhook_last_call = last

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

    @api.model
    def _webhook_create_demo_rules(self):
        """Create the two webhooks of Odoo's documentation (demo data), once."""
        rules = self.browse()
        partner_model = self.env["ir.model"]._get("res.partner")
        rules |= self._webhook_create_demo_rule(
            "demo_webhook_create_contact",
            {
                "name": _("Create a contact"),
                "model_id": partner_model.id,
                "record_getter": False,
            },
            {
                "name": _("Create the contact from the payload"),
                "state": "code",
                "code": DEMO_CREATE_CONTACT_CODE,
            },
        )
        order_model = self.env["ir.model"]._get("sale.order")
        usd = self.env.ref("base.USD", raise_if_not_found=False)
        if order_model and usd:
            currency_field = self.env["ir.model.fields"]._get(
                "sale.order", "currency_id"
            )
            rules |= self._webhook_create_demo_rule(
                "demo_webhook_sale_order_currency",
                {
                    "name": _("Update sale order currency to USD"),
                    "model_id": order_model.id,
                    "record_getter": DEMO_TARGET_RECORD,
                },
                {
                    "name": _("Set the currency to USD"),
                    "state": "object_write",
                    "update_path": "currency_id",
                    "update_field_id": currency_field.id,
                    "evaluation_type": "value",
                    "value": str(usd.id),
                },
            )
        return rules

    @api.model
    def _webhook_create_demo_rule(self, xml_name, rule_values, action_values):
        """Create one demo webhook with one action, unless it exists already."""
        xml_id = f"webhook_automation.{xml_name}"
        existing = self.env.ref(xml_id, raise_if_not_found=False)
        if existing:
            return existing
        action_values = {
            "model_id": rule_values["model_id"],
            "usage": "base_automation",
            **action_values,
        }
        rule = self.create(
            {
                "trigger": "on_webhook",
                "log_webhook_calls": True,
                "action_server_ids": [Command.create(action_values)],
                **rule_values,
            }
        )
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": xml_id, "record": rule, "noupdate": True}]
        )
        return rule

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
        action["name"] = _("Calls of %(name)s", name=self.display_name)
        return action

    # ------------------------------------------------------------------
    # Request pipeline: each step is a hook that modules can extend.
    # read request -> parse payload -> authenticate -> find target ->
    # execute -> log -> respond
    # ------------------------------------------------------------------

    @api.model
    def _webhook_handle_request(self, rule_uuid, httprequest):
        """Serve one HTTP call of a webhook and return its WebhookCall, answered."""
        call = self._webhook_prepare_call(httprequest)
        rule_sudo = self._webhook_get_rule(rule_uuid)
        if not rule_sudo:
            call.error = WebhookNotFound(_("No active webhook answers at this URL."))
            return self._webhook_prepare_response(call)
        try:
            rule_sudo._webhook_check_request(call)
            call.body = rule_sudo._webhook_read_body(call, httprequest)
            call.payload = rule_sudo._webhook_parse_payload(call, httprequest)
            rule_sudo._webhook_authenticate(call)
            call.target = rule_sudo._webhook_execute(call.payload)
        except OperationalError as exc:
            if isinstance(exc, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
                raise  # Odoo replays the whole request on a fresh transaction
            call.error = exc
        except Exception as exc:  # pylint: disable=broad-except
            call.error = exc
        rule_sudo._webhook_prepare_response(call)
        rule_sudo._webhook_log_call(call)
        return call

    @api.model
    def _webhook_handle_error(self, httprequest, exception):
        """Answer in JSON a call that failed outside the pipeline, and log it."""
        call = self._webhook_prepare_call(httprequest)
        call.error = exception
        rule_uuid = httprequest.path.rstrip("/").rpartition("/")[2]
        rule_sudo = self._webhook_get_rule(rule_uuid)
        if not rule_sudo:
            call.error = WebhookNotFound(_("No active webhook answers at this URL."))
            return self._webhook_prepare_response(call).make_response()
        if isinstance(exception, RequestEntityTooLarge):
            # raised by Odoo while it parsed a form larger than the rule allows
            call.error = rule_sudo._webhook_too_large(
                call.content_length, rule_sudo._webhook_get_max_body_size()
            )
        rule_sudo._webhook_prepare_response(call)
        # the request's transaction is rolled back: log in a transaction of its own
        with self.env.registry.cursor() as cr:
            rule_sudo.with_env(rule_sudo.env(cr=cr))._webhook_log_call(call)
        return call.make_response()

    @api.model
    def _webhook_prepare_call(self, httprequest):
        """Return the WebhookCall describing ``httprequest`` (body not read yet)."""
        return WebhookCall.from_httprequest(httprequest)

    @api.model
    def _webhook_get_rule(self, rule_uuid):
        """Return the active webhook rule owning this secret, as superuser."""
        if not rule_uuid or len(rule_uuid) > 64:
            return self.browse()
        automation_sudo = self.sudo().search(
            [("webhook_uuid", "=", rule_uuid), ("trigger", "=", "on_webhook")],
            limit=1,
        )
        return automation_sudo

    def _webhook_get_allowed_methods(self):
        """Return the HTTP methods this webhook runs on."""
        self.ensure_one()
        return ("GET", "POST") if self.webhook_allow_get else ("POST",)

    def _webhook_get_max_body_size(self):
        """Return the largest body accepted, in bytes."""
        self.ensure_one()
        return self.webhook_max_body_size or DEFAULT_MAX_BODY_SIZE

    def _webhook_check_request(self, call):
        """Refuse what the rule does not accept, before the body is read."""
        self.ensure_one()
        allowed = self._webhook_get_allowed_methods()
        if call.method not in allowed:
            raise WebhookMethodNotAllowed(
                _(
                    "This webhook does not accept %(method)s requests; "
                    "use %(allowed)s.",
                    method=call.method,
                    allowed=" or ".join(allowed),
                ),
                headers={"Allow": ", ".join(allowed)},
            )
        if call.content_length is None and call.is_chunked:
            # the size of a chunked body is only known once read: refuse it
            # rather than read an unbounded stream
            raise WebhookLengthRequired(
                _("Send the request body with a Content-Length header.")
            )
        limit = self._webhook_get_max_body_size()
        if call.content_length is not None and call.content_length > limit:
            raise self._webhook_too_large(call.content_length, limit)

    def _webhook_too_large(self, size, limit):
        """Return the 413 error for a body of ``size`` bytes."""
        return WebhookPayloadTooLarge(
            _(
                "The request body has %(size)s bytes; this webhook accepts at "
                "most %(limit)s bytes.",
                size=size,
                limit=limit,
            )
        )

    def _webhook_read_body(self, call, httprequest):
        """Return the raw body, read at most up to the rule's size limit."""
        self.ensure_one()
        environ = httprequest.environ
        if BODY_ENVIRON_KEY in environ:
            return environ[BODY_ENVIRON_KEY]
        if call.content_type in FORM_MIMETYPES:
            # Odoo's dispatcher parsed the form already (bounded by the size
            # limit set in ir.http): keep an equivalent encoding for the logs
            body = urlencode(list(httprequest.form.items(multi=True))).encode()
        elif call.content_length is not None:
            body = httprequest.get_data(cache=True)
        else:
            body = b""  # no Content-Length, not chunked (refused earlier): no body
        environ[BODY_ENVIRON_KEY] = body
        return body

    def _webhook_parse_payload(self, call, httprequest):
        """Return the payload: query parameters, overridden by the body's keys."""
        self.ensure_one()
        payload = dict(call.query)
        if call.content_type in FORM_MIMETYPES:
            payload.update(multidict_to_dict(httprequest.form))
        elif is_json_mimetype(call.content_type):
            if call.body.strip():
                payload.update(self._webhook_parse_json(call.body))
        elif call.body or call.content_length:
            raise WebhookUnsupportedMediaType(
                _(
                    "Unsupported Content-Type %(content_type)s: send JSON "
                    "(application/json) or a form "
                    "(application/x-www-form-urlencoded).",
                    content_type=call.content_type or _("(none)"),
                )
            )
        return payload

    def _webhook_parse_json(self, body):
        """Return the JSON object of ``body``; raise 400 for anything else."""
        try:
            data = json.loads(body, parse_constant=_reject_json_constant)
        except (ValueError, RecursionError) as exc:
            raise WebhookMalformedPayload(
                _("The request body is not valid JSON: %(error)s", error=exc)
            ) from exc
        if not isinstance(data, dict):
            raise WebhookMalformedPayload(
                _(
                    "The JSON body must be an object ({...}), not %(type)s.",
                    type=type(data).__name__,
                )
            )
        return data

    def _webhook_authenticate(self, call):
        """Check the caller may run this webhook: the secret URL is enough here."""
        self.ensure_one()

    def _webhook_execute(self, payload):
        """Find the target and run the actions: all of it, or nothing at all."""
        self.ensure_one()
        with self.env.cr.savepoint():
            target = self._webhook_get_target(payload)
            self._webhook_run_actions(target, payload)
        return target

    def _webhook_get_target(self, payload):
        """Return the records to run the actions on (none without Target Record)."""
        self.ensure_one()
        model = self.env[self.model_name]
        expression = (self.record_getter or "").strip()
        if not expression:
            return model
        try:
            target = safe_eval(expression, self._get_eval_context(payload=payload))
        except OperationalError:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            raise WebhookTargetNotFound(
                _(
                    "The Target Record could not be found from this payload: %(error)s",
                    error=error_message(exc),
                )
            ) from unwrap_error(exc)
        if not isinstance(target, models.BaseModel) or target._name != model._name:
            raise WebhookTargetMismatch(
                _(
                    "The Target Record must be %(model)s records, this payload "
                    "designates %(target)s.",
                    model=model._name,
                    target=target._name
                    if isinstance(target, models.BaseModel)
                    else type(target).__name__,
                )
            )
        if not target or len(target.exists()) != len(target):
            raise WebhookTargetNotFound(
                _(
                    "No %(model)s record matches this payload.",
                    model=model._name,
                )
            )
        return target

    def _webhook_run_actions(self, target, payload):
        """Run the rule's actions on ``target``, or once without record if empty."""
        self.ensure_one()
        automation = self.with_context(webhook_payload=payload)
        if target:
            automation._process(target.with_env(automation.env))
            return
        for action in automation.action_server_ids:
            action.with_context(active_model=self.model_name)._webhook_run_once()

    def _webhook_prepare_response(self, call):
        """Set the status, JSON body and headers answering ``call``."""
        call.response = {"status": "ok", "request_id": call.request_id}
        if call.error is None:
            call.status = 200
            return call
        status, code, public = describe_error(call.error)
        if public:
            message = error_message(call.error)
        else:
            message = _(
                "The webhook failed unexpectedly. Your Odoo administrator can "
                "find the details in the webhook's logs under request id "
                "%(request_id)s.",
                request_id=call.request_id,
            )
        call.status = status
        call.response = {
            "status": "error",
            "error": {"code": code, "message": message},
            "request_id": call.request_id,
        }
        call.response_headers = dict(getattr(call.error, "headers", None) or {})
        return call

    def _webhook_log_call(self, call):
        """Record the call in the webhook's logs and in the server log."""
        self.ensure_one()
        if call.status >= 500:
            _logger.error(
                "Webhook %s failed (request %s)",
                self.id,
                call.request_id,
                exc_info=call.error,
            )
        else:
            _logger.info(
                "Webhook %s answered %s in %sms (request %s)",
                self.id,
                call.status,
                call.duration_ms,
                call.request_id,
            )
        return self.env["webhook.call.log"].create(
            self.env["webhook.call.log"]._prepare_log_values(self, call)
        )
