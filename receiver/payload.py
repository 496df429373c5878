# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payload parsing: from a request body to the ``payload`` dict of the actions.

>>> parse_json_object(b'{"name": "Ada"}')
{'name': 'Ada'}
>>> is_json_mimetype("application/vnd.api+json")
True
>>> get_path({"data": {"object": {"id": "evt_1"}}}, "data.object.id")
'evt_1'
"""

import json
import re
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict

from odoo.tools.translate import LazyTranslate

from .errors import WebhookMalformedPayload

_lt = LazyTranslate(__name__)

FORM_MIMETYPES = ("application/x-www-form-urlencoded",)
# what get_path() returns when the path leads nowhere
MISSING = object()
# a \uD800-\uDFFF escape: a surrogate, valid only in a high-low pair
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def is_json_mimetype(mimetype):
    """Tell whether a Content-Type announces JSON (application/json, */*+json)."""
    return mimetype == "application/json" or mimetype.endswith("+json")


def is_form_mimetype(mimetype):
    """Tell whether a Content-Type announces an URL-encoded form."""
    return mimetype in FORM_MIMETYPES


def _reject_json_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def parse_json_object(body):
    """Return the JSON object of ``body`` (bytes); raise a 400 error otherwise.

    NaN and Infinity are refused (they are not JSON), and so is anything but an
    object at the top level:

    >>> try:
    ...     parse_json_object(b"[1, 2]")
    ... except WebhookMalformedPayload as exc:
    ...     print(exc.status, exc.code)
    400 malformed_payload
    """
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        data = json.loads(text, parse_constant=_reject_json_constant)
    except UnicodeDecodeError as exc:
        raise WebhookMalformedPayload(
            _lt("The request body is not UTF-8 encoded JSON: %(error)s", error=exc)
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise WebhookMalformedPayload(
            _lt("The request body is not valid JSON: %(error)s", error=exc)
        ) from exc
    if SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(data):
        raise WebhookMalformedPayload(
            _lt(
                "The request body is not valid JSON: it escapes a lone UTF-16 "
                "surrogate (\\uD800 to \\uDFFF), which is no Unicode character."
            )
        )
    if not isinstance(data, dict):
        raise WebhookMalformedPayload(
            _lt(
                "The JSON body must be an object ({...}), not %(type)s.",
                type=type(data).__name__,
            )
        )
    return data


def _has_lone_surrogate(data):
    """Tell whether parsed JSON holds a string that cannot be encoded to UTF-8."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_form(body):
    """Return the fields of an URL-encoded form ``body`` (bytes), flattened.

    A field sent once is a string, one sent several times a list:

    >>> parse_form(b"name=Ada&tag=a&tag=b&empty=")
    {'name': 'Ada', 'tag': ['a', 'b'], 'empty': ''}
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebhookMalformedPayload(
            _lt("The form body is not UTF-8 encoded: %(error)s", error=exc)
        ) from exc
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookMalformedPayload(
            _lt("The form body cannot be parsed: %(error)s", error=exc)
        ) from exc
    return multidict_to_dict(MultiDict(pairs))


def multidict_to_dict(multidict):
    """Flatten a werkzeug MultiDict: one value stays a string, repeated keys a list."""
    return {
        key: values[0] if len(values) == 1 else values
        for key, values in multidict.lists()
    }


def parse_payload(body, content_type, query=None):
    """Return the payload of a call: the fields of ``query``, then the body's.

    Live calls, replays and the console's test calls all parse their body
    here. A JSON body is an object (a blank one adds nothing), a form's fields
    are flattened; the body's keys win over the query's. Returns None for a
    body of any other type, which the caller refuses (415):

    >>> parse_payload(b'{"name": "Ada"}', "application/json", {"name": "x", "n": "1"})
    {'name': 'Ada', 'n': '1'}
    >>> parse_payload(b"name=Ada", "application/x-www-form-urlencoded")
    {'name': 'Ada'}
    >>> parse_payload(b" ", "application/json", {"n": "1"})
    {'n': '1'}
    >>> parse_payload(b"<a/>", "application/xml") is None
    True
    """
    payload = dict(query or {})
    if is_form_mimetype(content_type):
        payload.update(parse_form(body))
    elif is_json_mimetype(content_type):
        if body.strip():
            payload.update(parse_json_object(body))
    elif body:
        return None
    return payload


def get_path(payload, path):
    """Return the value at dotted ``path`` in ``payload``, or :data:`MISSING`.

    Each part is a dict key, or an index in a list:

    >>> get_path({"lines": [{"sku": "A1"}]}, "lines.0.sku")
    'A1'
    >>> get_path({"a": 1}, "a.b") is MISSING
    True
    """
    value = payload
    for part in (path or "").split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


def to_search_value(value, field_type):
    """Return ``value`` as a search value for a field of ``field_type``, or None.

    Integer and many2one fields take numbers and numeric strings; text fields
    take text as is (and numbers as their text); other values are refused.

    >>> to_search_value("7", "many2one"), to_search_value(7.0, "integer")
    (7, 7)
    >>> to_search_value("S00007", "char"), to_search_value(7, "char")
    ('S00007', '7')
    >>> to_search_value({"id": 7}, "integer"), to_search_value(True, "char")
    (None, None)
    """
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    if field_type in ("integer", "many2one"):
        if isinstance(value, float):
            return int(value) if value.is_integer() else None
        if isinstance(value, str):
            text = value.strip()
            if not text.lstrip("-").isdigit() or not text.isascii():
                return None
            value = int(text)
        if not isinstance(value, int) or not -(2**31) <= value < 2**31:
            return None
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)
