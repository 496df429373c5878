# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook errors and the one table that maps exceptions to HTTP answers.

Every step of the request pipeline reports a problem by raising. The
pipeline then asks :func:`describe_error` how to answer: which status code,
which machine-readable ``code`` and whether the exception's own message may
be shown to the caller (business errors) or must be replaced by a generic
one (anything unexpected). Add a row to :data:`ERROR_TABLE` to teach the
webhook a new exception class.
"""

import dis
import re

from psycopg2 import IntegrityError, InterfaceError, OperationalError
from werkzeug.exceptions import RequestEntityTooLarge

from odoo.exceptions import AccessError, MissingError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY


class WebhookError(Exception):
    """An error of the webhook call that is answered with its own status."""

    status = 500
    code = "internal_error"
    # a refusal: the call was turned away before anything ran (logged without
    # its body, coalesced, not counted by the circuit breaker)
    refused = False

    def __init__(self, message, headers=None, details=None):
        super().__init__(message)
        self.headers = headers or {}
        # more for the caller, beside code and message (e.g. the payload
        # path of a mapping error): JSON values, shown under ``error``
        self.details = details or {}


class WebhookNotFound(WebhookError):
    """No active webhook answers to this secret (unknown, archived or rotated)."""

    status = 404
    code = "not_found"
    refused = True


class WebhookMethodNotAllowed(WebhookError):
    """The HTTP method is not accepted by this webhook."""

    status = 405
    code = "method_not_allowed"
    refused = True


class WebhookLengthRequired(WebhookError):
    """The body comes without Content-Length (chunked): its size is unknown."""

    status = 411
    code = "length_required"
    refused = True


class WebhookPayloadTooLarge(WebhookError):
    """The body is larger than the webhook accepts."""

    status = 413
    code = "payload_too_large"
    refused = True


class WebhookUnsupportedMediaType(WebhookError):
    """The body's Content-Type is not one the webhook can parse."""

    status = 415
    code = "unsupported_media_type"
    refused = True


class WebhookMalformedPayload(WebhookError):
    """The body announces a format it does not respect (e.g. broken JSON)."""

    status = 400
    code = "malformed_payload"


class WebhookDeliveryIdMissing(WebhookError):
    """The webhook expects a delivery id and the call has none."""

    status = 400
    code = "delivery_id_missing"


class WebhookTargetNotFound(WebhookError):
    """The Target Record expression found no record for this payload."""

    status = 422
    code = "target_not_found"


class WebhookSignatureMissing(WebhookError):
    """A header the signature scheme needs is absent or cannot be parsed."""

    status = 401
    code = "signature_missing"
    refused = True


class WebhookSignatureInvalid(WebhookError):
    """The signature does not match the body with any accepted secret."""

    status = 401
    code = "signature_invalid"
    refused = True


class WebhookTimestampOutOfTolerance(WebhookError):
    """The signed timestamp is too far from now (a replayed or delayed call)."""

    status = 401
    code = "timestamp_out_of_tolerance"
    refused = True


class WebhookIpNotAllowed(WebhookError):
    """The caller's address is not in the webhook's allowlist."""

    status = 403
    code = "ip_not_allowed"
    refused = True


class WebhookResponseNotSerializable(WebhookError):
    """A code action set a ``response`` that JSON cannot carry (a bug)."""

    status = 500
    code = "internal_error"


class WebhookTargetMismatch(WebhookError):
    """The Target Record expression returned something else than the rule's records."""

    status = 422
    code = "target_model_mismatch"


class WebhookPaused(WebhookError):
    """The webhook is paused (by hand or by its circuit breaker): nothing runs."""

    status = 503
    code = "webhook_paused"
    refused = True


class WebhookRateLimited(WebhookError):
    """The webhook's rate limit is used up for now."""

    status = 429
    code = "rate_limited"
    refused = True


class WebhookConcurrencyLimited(WebhookError):
    """As many calls of the webhook as it allows are running already."""

    status = 429
    code = "concurrency_limited"
    refused = True


class WebhookBacklogFull(WebhookError):
    """Too many accepted async calls of the webhook wait for their job."""

    status = 503
    code = "backlog_full"
    refused = True


class WebhookTimeLimitExceeded(WebhookError):
    """An execution ran past the webhook's time budget: it was rolled back."""

    status = 503
    code = "time_limit_exceeded"


class WebhookMappingError(WebhookError):
    """The payload does not fit the mapping of a Create/Update from Payload action.

    ``details`` names the payload's ``path`` and, where it helps, the
    ``field``, ``value`` or ``model`` concerned.
    """

    status = 422
    code = "mapping_invalid_value"


class WebhookMappingMissingValue(WebhookMappingError):
    """A value the mapping requires (or the match value) is not in the payload."""

    code = "mapping_missing_value"


class WebhookMappingInvalidValue(WebhookMappingError):
    """A payload value cannot be converted for its field."""

    code = "mapping_invalid_value"


class WebhookMappingRelationNotFound(WebhookMappingError):
    """No related record matches the payload's value."""

    code = "mapping_relation_not_found"


class WebhookMappingNoMatch(WebhookMappingError):
    """Update mode: no record has the payload's match value."""

    code = "mapping_no_match"


class WebhookMappingAmbiguousMatch(WebhookMappingError):
    """Several records have the payload's match value."""

    code = "mapping_ambiguous_match"


class WebhookTooManyItems(WebhookError):
    """The payload's list of items is longer than the action accepts."""

    status = 413
    code = "too_many_items"


# (exception class, HTTP status, error code, whether its message is shown).
# The first row whose class matches wins, so keep subclasses above parents.
# WebhookError subclasses carry their status and code themselves.
ERROR_TABLE = [
    (WebhookError, None, None, True),
    (RequestEntityTooLarge, 413, "payload_too_large", False),
    # their messages name users, record rules and records: never shown
    (MissingError, 422, "target_not_found", False),
    (AccessError, 403, "access_denied", False),
    (UserError, 422, "action_failed", True),  # ValidationError...
    (ValueError, 422, "action_failed", True),
    (IntegrityError, 422, "constraint_violation", False),
    # only reached once Odoo gave up replaying the transaction
    (PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, 503, "busy", False),
    (Exception, 500, "internal_error", False),
]

# safe_eval() re-raises most errors as ValueError("<error> while evaluating
# <code>"), chaining the original one: we answer with the original.
_SAFE_EVAL_WRAPPER = re.compile(r" while evaluating\n", re.MULTILINE)
# code of server actions is compiled by safe_eval() with str(action) as filename
_ACTION_CODE_FILENAME = re.compile(r"^ir\.actions\.server\(\d+,\)$")
_RAISE_OPCODE = dis.opmap["RAISE_VARARGS"]


def unwrap_error(exc):
    """Return the exception that safe_eval() wrapped into a ValueError, if any."""
    while (
        type(exc) is ValueError
        and exc.__context__ is not None
        and _SAFE_EVAL_WRAPPER.search(str(exc))
    ):
        exc = exc.__context__
    return exc


def is_raised_on_purpose(exc):
    """Tell whether ``exc`` comes from an explicit ``raise`` in an action's code."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    if not _ACTION_CODE_FILENAME.match(code.co_filename):
        return False
    return code.co_code[tb.tb_lasti] == _RAISE_OPCODE


def describe_error(exc):
    """Return ``(status, code, message_is_public)`` for an exception."""
    exc = unwrap_error(exc)
    for exc_class, status, code, public in ERROR_TABLE:
        if isinstance(exc, exc_class):
            if exc_class is WebhookError:
                return exc.status, exc.code, exc.status < 500
            if status == 500 and is_raised_on_purpose(exc):
                return 422, "action_failed", True
            return status, code, public
    return 500, "internal_error", False


def error_details(exc):
    """Return what an error adds to the ``error`` object of the answer.

    >>> error_details(WebhookMappingNoMatch("none", details={"path": "email"}))
    {'path': 'email'}
    >>> error_details(ValueError("x"))
    {}
    """
    return dict(getattr(unwrap_error(exc), "details", None) or {})


def is_refusal(exc):
    """Tell whether ``exc`` turned the call away before anything ran.

    >>> is_refusal(WebhookSignatureInvalid("bad signature"))
    True
    >>> is_refusal(WebhookTargetNotFound("no such record"))
    False
    """
    return getattr(unwrap_error(exc), "refused", False) is True


def is_transient(exc):
    """Tell whether an error may go away if the call is tried again later.

    Concurrency and connection problems of the database are; business
    errors (4xx answers) are not, nor is anything that is not a database
    error.
    """
    exc = unwrap_error(exc)
    return isinstance(exc, (OperationalError, InterfaceError))


def error_message(exc):
    """Return the human message of a business exception."""
    exc = unwrap_error(exc)
    if isinstance(exc, UserError):
        return exc.args[0] if exc.args else str(exc)
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc) or type(exc).__name__
