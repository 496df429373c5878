# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The request pipeline of webhooks: one overridable hook per step."""

import json
import logging
from contextlib import contextmanager

from psycopg2 import OperationalError

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, Query
from odoo.tools.safe_eval import safe_eval

from ..receiver.addresses import is_address_allowed, parse_allowlist
from ..receiver.body import BodyTooLarge, UnsupportedTransferEncoding
from ..receiver.call import WebhookCall
from ..receiver.errors import (
    WebhookIpNotAllowed,
    WebhookLengthRequired,
    WebhookMethodNotAllowed,
    WebhookNotFound,
    WebhookPayloadTooLarge,
    WebhookResponseNotSerializable,
    WebhookTargetMismatch,
    WebhookTargetNotFound,
    WebhookUnsupportedMediaType,
    describe_error,
    error_details,
    error_message,
    unwrap_error,
)
from ..receiver.payload import (
    MISSING,
    get_path,
    is_form_mimetype,
    is_json_mimetype,
    parse_payload,
    to_search_value,
)
from .base_automation import DEFAULT_MAX_BODY_SIZE

_logger = logging.getLogger(__name__)

# fields of core's automation rules that the pipeline reads
RULE_CORE_FIELDS = ("name", "model_id", "record_getter", "log_webhook_calls", "active")


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    # ------------------------------------------------------------------
    # Request pipeline: each step is a hook that modules can extend.
    # check request -> read body -> authenticate -> parse payload ->
    # find target and run actions (as the run-as user) -> respond -> log
    # ------------------------------------------------------------------

    @api.model
    def _webhook_handle_request(self, rule_uuid, httprequest):
        """Serve one HTTP call of a webhook and return its WebhookCall, answered."""
        call = self._webhook_prepare_call(httprequest)
        rule_sudo = self._webhook_get_rule(rule_uuid)
        if not rule_sudo:
            call.error = WebhookNotFound(_("No active webhook answers at this URL."))
            return self._webhook_prepare_response(call)
        # the request's transaction is this call's alone: see _webhook_atomic()
        rule_sudo = rule_sudo.with_context(webhook_own_transaction=True)
        try:
            # nothing of the body is read before these checks pass
            rule_sudo._webhook_check_request(call)
            signed = rule_sudo._webhook_is_signed()
            if not signed:  # the URL is the secret: the caller is known
                rule_sudo._webhook_check_limits(call)
            call.body = rule_sudo._webhook_read_body(call, httprequest)
            rule_sudo._webhook_authenticate(call)
            if signed:  # a forger cannot use up the sender's limits
                rule_sudo._webhook_check_limits(call)
            call.payload = rule_sudo._webhook_parse_payload(call)
            rule_sudo._webhook_dispatch(call)
        except OperationalError as exc:
            if isinstance(exc, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
                raise  # Odoo replays the whole request on a fresh transaction
            call.error = exc
        except Exception as exc:  # pylint: disable=broad-except
            call.error = exc
        return rule_sudo._webhook_answer(call)

    def _webhook_answer(self, call):
        """Set the answer of ``call``, log it with its job, keep its delivery id."""
        self.ensure_one()
        self._webhook_prepare_response(call)
        self._webhook_record_outcome(call)
        if call.needs_job:
            call.job = self._webhook_prepare_job(call)
        log = self._webhook_log_call(call)
        self._webhook_settle_delivery(call, log)
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
        """Return the active webhook rule owning this secret, as superuser.

        The secret is the current one, or the one it replaced while its grace
        period lasts. One indexed query, which reads the rule's fields and its
        model's into the cache (``_webhook_fetch_rules()``).
        """
        query = self.sudo()._webhook_get_rule_query(rule_uuid or "")
        return self._webhook_fetch_rules(query)

    @api.model
    def _webhook_fetch_rules(self, query):
        """Return the rules of ``query`` as superuser, read into the cache.

        ``query`` joins the rule's model (``_webhook_join_rule_model()``); its
        one statement reads the rule's fields (``_webhook_get_rule_fields()``)
        and its model's (``_webhook_get_rule_model_fields()``) into the cache,
        as ORM ``_fetch_query()`` does, from a column list built once.
        """
        automation_sudo = self.sudo()
        rule_fields, model_fields, columns = automation_sudo._webhook_get_rule_columns()
        rows = self.env.execute_query(query.select(columns))
        if not rows:
            return automation_sudo.browse()
        rule_ids, model_ids, *column_values = zip(*rows, strict=True)
        automation_sudo = automation_sudo.browse(rule_ids)
        model_sudo = self.env["ir.model"].sudo().browse(model_ids)
        cache = self.env.cache
        # as _fetch_query(): what is in the cache is not overwritten
        for records, fields_, values_ in (
            (automation_sudo, rule_fields, column_values[: len(rule_fields)]),
            (model_sudo, model_fields, column_values[len(rule_fields) :]),
        ):
            for field, values in zip(fields_, values_, strict=True):
                cache.insert_missing(records, field, values)
        # the related field, without reading the model again
        cache.insert_missing(
            automation_sudo,
            self._fields["model_name"],
            [model.model for model in model_sudo],
        )
        return automation_sudo

    @api.model
    @tools.ormcache("self.env.lang")
    def _webhook_get_rule_columns(self):
        """Return the fields read with the rule and its model, and the SQL list.

        The list selects the rule's id, its model's id, the rule's fields,
        then its model's. Built once per language (translated names are read
        in the environment's) with the ORM's own ``_field_to_sql()``.
        """
        automation_sudo = self.sudo()
        model_sudo = self.env["ir.model"].sudo()
        table = automation_sudo._table
        query = automation_sudo._webhook_get_rule_query("")
        model_alias = automation_sudo._webhook_join_rule_model(query)
        rule_fields = tuple(
            field
            for field in automation_sudo._determine_fields_to_fetch(
                automation_sudo._webhook_get_rule_fields()
            )
            if field.name != "id" and field.column_type
        )
        model_fields = tuple(
            model_sudo._fields[name]
            for name in automation_sudo._webhook_get_rule_model_fields()
        )
        columns = [SQL.identifier(table, "id"), SQL.identifier(model_alias, "id")]
        columns.extend(
            automation_sudo._field_to_sql(
                table, field.name, query, flush=field.translate
            )
            for field in rule_fields
        )
        columns.extend(
            model_sudo._field_to_sql(
                model_alias, field.name, query, flush=field.translate
            )
            for field in model_fields
        )
        return rule_fields, model_fields, SQL(", ").join(columns)

    @api.model
    def _webhook_get_rule_model_fields(self):
        """Return the fields of the rule's model (ir.model) read with the rule.

        Every call reads the technical name (evaluation contexts, server
        actions); the label is what the chatter's "<Model> created" shows.
        """
        return ["model", "name"]

    @api.model
    def _webhook_join_rule_model(self, query):
        """Join the rule's model (ir.model) to ``query``; return its alias."""
        return query.join(self._table, "model_id", "ir_model", "id", "model_id")

    @api.model
    def _webhook_get_rule_query(self, rule_uuid):
        """Return the query of the active webhook rule owning secret ``rule_uuid``.

        Written in SQL rather than as a domain: every call runs it, and it
        is always the same (the indexed secret, or the previous one while
        its grace period lasts).
        """
        table = self._table
        query = Query(self.env, table, self._table_sql)
        query.add_where(
            SQL(
                "%s AND %s = 'on_webhook' AND (%s = %s OR (%s = %s AND %s > %s))",
                SQL.identifier(table, "active"),
                SQL.identifier(table, "trigger"),
                SQL.identifier(table, "webhook_uuid"),
                rule_uuid,
                SQL.identifier(table, "webhook_previous_uuid"),
                rule_uuid,
                SQL.identifier(table, "webhook_previous_uuid_expiry"),
                fields.Datetime.now(),
            )
        )
        self._webhook_join_rule_model(query)
        query.order = SQL.identifier(table, "id")
        query.limit = 1
        return query

    def _webhook_prefetch_model_name(self):
        """Read the rules and their model's name in one query, as a call does.

        Every call reads the model's name (core's evaluation context and
        server actions included): the query that finds the rule of an HTTP
        call reads it too (``_webhook_fetch_rules()``); jobs read their rule
        by id with the same query.
        """
        if not self:
            return
        table = self._table
        query = Query(self.env, table, self._table_sql)
        query.add_where(SQL("%s IN %s", SQL.identifier(table, "id"), tuple(self.ids)))
        self._webhook_join_rule_model(query)
        self._webhook_fetch_rules(query)

    def _webhook_get_actions(self):
        """Return the rule's actions, their fields read by the query finding them."""
        self.ensure_one()
        action_model = self.env["ir.actions.server"]
        return action_model.search_fetch(
            [("base_automation_id", "=", self.id)],
            [
                name
                for name, field in action_model._fields.items()
                if field.store and field.column_type and field.prefetch is True
            ],
        )

    @api.model
    def _webhook_get_rule_fields(self):
        """Return the fields read with the rule, in the query that finds it."""
        return [
            name
            for name, field in self._fields.items()
            if field.store
            and field.column_type
            and (name.startswith("webhook_") or name in RULE_CORE_FIELDS)
        ]

    def _webhook_get_allowed_methods(self):
        """Return the HTTP methods this webhook runs on.

        GET only where allowed and unsigned: a signature covers a body.
        """
        self.ensure_one()
        if self.webhook_allow_get and not self._webhook_is_signed():
            return ("GET", "POST")
        return ("POST",)

    def _webhook_is_signed(self):
        """Tell whether calls must be signed: their payload is then the body alone."""
        self.ensure_one()
        return self._webhook_get_signature_scheme() is not None

    def _webhook_get_max_body_size(self):
        """Return the largest body accepted, in bytes."""
        self.ensure_one()
        return self.webhook_max_body_size or DEFAULT_MAX_BODY_SIZE

    def _webhook_check_request(self, call):
        """Refuse what the rule does not accept, before the body is read.

        A paused webhook, an address out of the allowlist, a method, a
        declared size or a media type the webhook does not take: none of
        them costs a read.
        """
        self.ensure_one()
        self._webhook_check_paused(call)
        self._webhook_check_address(call)
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
        if call.is_chunked and call.transfer_encoding != "chunked":
            raise self._webhook_length_required(call)
        limit = self._webhook_get_max_body_size()
        if call.content_length is not None and call.content_length > limit:
            raise self._webhook_too_large(call.content_length, limit)
        if not self._webhook_is_supported_media_type(call):
            # e.g. multipart: refused unread
            raise self._webhook_unsupported_media_type(call)

    def _webhook_too_large(self, size, limit):
        """Return the 413 error of a body of ``size`` bytes (None: chunked, unknown)."""
        if size is None:  # read up to the limit and one byte: the rest is unknown
            return WebhookPayloadTooLarge(
                _(
                    "The request body is larger than this webhook accepts: at "
                    "most %(limit)s bytes.",
                    limit=limit,
                )
            )
        return WebhookPayloadTooLarge(
            _(
                "The request body has %(size)s bytes; this webhook accepts at "
                "most %(limit)s bytes.",
                size=size,
                limit=limit,
            )
        )

    def _webhook_length_required(self, call):
        """Return the 411 error of a body framed by a coding the server keeps."""
        return WebhookLengthRequired(
            _(
                "Transfer-Encoding %(coding)s is not supported: send the body "
                "with a Content-Length header, or chunked.",
                coding=call.transfer_encoding,
            )
        )

    def _webhook_read_body(self, call, httprequest):
        """Return the raw body as sent, reading at most the rule's limit + 1 byte.

        The webhook dispatcher reads it (``Transfer-Encoding`` wins over
        ``Content-Length``) and keeps it for whoever asks for the body later,
        Odoo's replay of the request after a serialization failure included.
        """
        self.ensure_one()
        limit = self._webhook_get_max_body_size()
        try:
            return request.dispatcher.read_body(limit)
        except BodyTooLarge as exc:
            size = None if call.is_chunked else exc.size
            raise self._webhook_too_large(size, limit) from None
        except UnsupportedTransferEncoding:
            raise self._webhook_length_required(call) from None

    def _webhook_parse_payload(self, call):
        """Return the payload: query parameters, overridden by the body's keys.

        With a signature scheme, the payload is the body alone: the query
        string is not signed.
        """
        self.ensure_one()
        query = None if self._webhook_is_signed() else call.query
        payload = parse_payload(call.body, call.content_type, query)
        if payload is None:  # refused before the read, unless replayed
            raise self._webhook_unsupported_media_type(call)
        return payload

    def _webhook_is_supported_media_type(self, call):
        """Tell whether the pipeline can parse the body of ``call`` (or it has none)."""
        if is_json_mimetype(call.content_type) or is_form_mimetype(call.content_type):
            return True
        return not (call.is_chunked or call.content_length)

    def _webhook_unsupported_media_type(self, call):
        """Return the 415 error of a body the pipeline cannot parse."""
        return WebhookUnsupportedMediaType(
            _(
                "Unsupported Content-Type %(content_type)s: send JSON "
                "(application/json) or a form "
                "(application/x-www-form-urlencoded).",
                content_type=call.content_type or _("(none)"),
            )
        )

    def _webhook_authenticate(self, call):
        """Check the call is signed as the webhook requires (body read)."""
        self.ensure_one()
        if call.from_console:
            return  # an administrator testing the webhook from its form
        self._webhook_check_signature(call)

    def _webhook_get_client_address(self, call):
        """Return the caller's address: the socket's, or the proxy's forwarded one.

        Odoo itself applies X-Forwarded-For only when it runs with --proxy-mode.
        """
        return call.remote_addr

    def _webhook_check_address(self, call):
        """Refuse callers whose address is not in the allowlist (403)."""
        self.ensure_one()
        if call.from_console:
            return
        networks = parse_allowlist(self.webhook_allowed_ips)
        address = self._webhook_get_client_address(call)
        if not is_address_allowed(networks, address):
            raise WebhookIpNotAllowed(
                _(
                    "Calls from %(address)s are not allowed on this webhook.",
                    address=address or _("an unknown address"),
                )
            )

    def _webhook_check_signature(self, call):
        """Refuse calls not signed as the signature scheme requires (401)."""
        self.ensure_one()
        scheme = self._webhook_get_signature_scheme()
        if scheme is None:
            return
        scheme.verify(call.headers, call.body, self._webhook_get_signing_secrets())

    def _webhook_get_run_env(self):
        """Return the environment the target lookup and the actions run in."""
        self.ensure_one()
        user = self.webhook_run_as_user_id
        if not user:
            return self.env  # the superuser, as in Odoo core
        if not user.active:
            raise AccessError(
                _(
                    "This webhook runs as %(user)s, who is archived.",
                    user=user.display_name,
                )
            )
        companies = user.company_id | user.company_ids
        return self.env(
            user=user.id,
            su=False,
            context=dict(self.env.context, allowed_company_ids=companies.ids),
        )

    def _webhook_execute(self, payload, response_data=None):
        """Find the target and run the actions: all of it, or nothing at all.

        ``response_data`` (a ResponseData) receives what code actions set as
        ``response``, checked to be JSON-serializable before anything commits.
        """
        self.ensure_one()
        with self._webhook_atomic():
            run_env = self._webhook_get_run_env()
            if response_data is not None:
                run_env = run_env(
                    context=dict(run_env.context, webhook_response=response_data)
                )
            target = self._webhook_get_target(payload, run_env)
            self._webhook_run_actions(target, payload)
            if response_data is not None:
                self._webhook_check_response_data(response_data)
        return target

    @contextmanager
    def _webhook_atomic(self):
        """Undo everything the block did if it fails.

        An HTTP call's transaction only holds the call: on failure it is
        rolled back whole, which costs nothing when the call succeeds (the
        log is written afterwards, in the fresh transaction). Elsewhere
        (console, replay, jobs), a savepoint keeps the caller's work.
        """
        if not self.env.context.get("webhook_own_transaction"):
            with self.env.cr.savepoint():
                yield
            return
        try:
            yield
        except Exception:
            self.env.cr.rollback()
            raise

    def _webhook_check_response_data(self, response_data):
        """Refuse a ``response`` that JSON cannot carry: a bug of the actions."""
        try:
            response_data.to_json()
        except (TypeError, ValueError) as exc:
            raise WebhookResponseNotSerializable(
                _(
                    "The response set by the actions is not JSON-serializable: "
                    "%(error)s",
                    error=exc,
                )
            ) from exc

    def _webhook_get_target_eval_context(self, payload, run_env):
        """Return the evaluation context of the Target Record expression."""
        self.ensure_one()
        eval_context = self._get_eval_context(payload=payload)
        eval_context.update(
            model=run_env[self.model_name], uid=run_env.uid, user=run_env.user
        )
        return eval_context

    def _webhook_get_target(self, payload, run_env=None):
        """Return the records to run the actions on (none without Target Record)."""
        self.ensure_one()
        run_env = self.env if run_env is None else run_env
        model = run_env[self.model_name]
        if self.webhook_target_field_id and self.webhook_target_payload_key:
            return self._webhook_find_target_by_field(payload, model)
        expression = (self.record_getter or "").strip()
        if not expression:
            return model
        try:
            target = safe_eval(
                expression, self._webhook_get_target_eval_context(payload, run_env)
            )
        except OperationalError:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            if isinstance(unwrap_error(exc), AccessError):
                # as a missing record: the caller cannot tell them apart
                raise self._webhook_target_not_found(model) from unwrap_error(exc)
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
        # a record the run-as user may not read is answered as a missing one:
        # a caller cannot tell them apart
        if (
            not target
            or len(target.exists()) != len(target)
            or (
                not run_env.su
                and target.with_env(run_env)._filtered_access("read") != target
            )
        ):
            raise self._webhook_target_not_found(model)
        return target.with_env(run_env)

    def _webhook_target_not_found(self, model):
        """Return the 422 error of a target that is missing or out of reach."""
        return WebhookTargetNotFound(
            _("No %(model)s record matches this payload.", model=model._name)
        )

    def _webhook_find_target_by_field(self, payload, model):
        """Return the records whose Target Field equals the payload's value."""
        self.ensure_one()
        field = self.webhook_target_field_id
        key = self.webhook_target_payload_key.strip()
        value = get_path(payload, key)
        if value is MISSING:
            raise WebhookTargetNotFound(
                _("The payload has no %(key)s to find the target record.", key=key)
            )
        search_value = to_search_value(value, field.ttype)
        if search_value is None:
            raise WebhookTargetNotFound(
                _(
                    "The payload's %(key)s (%(value)s) cannot designate a %(field)s.",
                    key=key,
                    value=json.dumps(value)[:100],
                    field=field.field_description,
                )
            )
        target = model.search([(field.name, "=", search_value)])
        if not target:
            raise WebhookTargetNotFound(
                _(
                    "No %(model)s record has %(field)s = %(value)s.",
                    model=model._name,
                    field=field.field_description,
                    value=json.dumps(value)[:100],
                )
            )
        return target

    def _webhook_run_actions(self, target, payload):
        """Run the rule's actions on ``target``, or once without record if empty.

        The actions run in ``target``'s environment: the run-as user's, or the
        superuser's as in core.
        """
        self.ensure_one()
        actions = (
            self._webhook_get_actions()
            .with_env(target.env)
            .with_context(webhook_payload=payload, active_model=target._name)
        )
        if not target:
            for action in actions:
                action._webhook_run_once()
            return
        if "date_automation_last" in target._fields:
            target_sudo = target.sudo()
            target_sudo.date_automation_last = fields.Datetime.now()
        for action in actions:
            for record in target:
                action.with_context(
                    active_ids=record.ids, active_id=record.id, domain_post=None
                ).run()

    def _webhook_prepare_response(self, call):
        """Set the status, JSON body and headers answering ``call``."""
        call.response = {"status": "ok", "request_id": call.request_id}
        if call.duplicate_of is not None:
            original = call.duplicate_of
            call.status = original["status"]
            call.response = {
                **original["response"],
                "request_id": call.request_id,
                "duplicate": True,
                "original_request_id": original["request_id"],
            }
            return call
        if call.error is None and call.accepted:
            call.status = 202
            call.response = {"status": "accepted", "request_id": call.request_id}
            return call
        if call.error is None:
            call.status = 200
            data = call.response_data.to_json() if call.response_data else None
            if data is not None:
                call.response["data"] = data
            return call
        status, code, public = describe_error(call.error)
        if public:
            message = error_message(call.error)
        else:
            message = self._webhook_get_private_error_message(code, call)
        call.status = status
        error = {"code": code, "message": message}
        if public:
            error.update(
                (key, value)
                for key, value in error_details(call.error).items()
                if key not in error
            )
        call.response = {
            "status": "error",
            "error": error,
            "request_id": call.request_id,
        }
        call.response_headers = dict(getattr(call.error, "headers", None) or {})
        return call

    @api.model
    def _webhook_get_private_error_message(self, code, call):
        """Return what a caller reads of an error whose message stays in the log."""
        if code == "access_denied":
            return _(
                "The webhook's actions are not allowed to do this. Your Odoo "
                "administrator can find the details in the webhook's logs under "
                "request id %(request_id)s.",
                request_id=call.request_id,
            )
        if code == "target_not_found":
            return _(
                "The record to act on does not exist (any more). Your Odoo "
                "administrator can find the details in the webhook's logs under "
                "request id %(request_id)s.",
                request_id=call.request_id,
            )
        return _(
            "The webhook failed unexpectedly. Your Odoo administrator can "
            "find the details in the webhook's logs under request id "
            "%(request_id)s.",
            request_id=call.request_id,
        )

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
        log_model = self.env["webhook.call.log"]
        values = log_model._prepare_log_values(self, call)
        if call.refused:
            # refusals of one window update one row: in a short READ
            # COMMITTED transaction, concurrent ones wait for it instead of
            # failing with serialization errors (and being replayed)
            with self._webhook_limiter_cursor() as cr:
                log = log_model.with_env(log_model.env(cr=cr))._insert_log(values)
            return log.with_env(self.env)
        return log_model._insert_log(values, job=call.job)
