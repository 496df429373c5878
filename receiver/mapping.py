# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payload mapping without a database: paths, numbers, dates, samples.

The Create/Update from Payload action (``models/ir_actions_server_upsert.py``)
reads payload values with these helpers, then converts them for their
fields with Odoo's import semantics.
"""

import datetime
import json
import math
import re

from .payload import MISSING, get_path

__all__ = [
    "MISSING",
    "get_path",
    "join_path",
    "is_empty",
    "parse_number",
    "parse_datetime",
    "parse_date",
    "sample_paths",
]

# the oldest and newest instants PostgreSQL's timestamp and Python's datetime share
_MIN_EPOCH = -62135596800  # 0001-01-01
_MAX_EPOCH = 253402300799  # 9999-12-31 23:59:59
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def join_path(prefix, path):
    """Return ``path`` below ``prefix`` (the item of a list), for messages.

    >>> join_path("line_items.2", "sku"), join_path("", "email")
    ('line_items.2.sku', 'email')
    """
    return f"{prefix}.{path}" if prefix else path


def is_empty(value):
    """Tell whether a payload value carries nothing: absent, null or blank text.

    >>> [is_empty(v) for v in (MISSING, None, "", "  ", 0, False, [])]
    [True, True, True, True, False, False, False]
    """
    if value is MISSING or value is None:
        return True
    return isinstance(value, str) and not value.strip()


def parse_number(value):
    """Return ``value`` (a JSON number or text) as a float; raise ValueError.

    Text takes either decimal separator; with both, the last one is the
    decimal separator and the other groups thousands:

    >>> [parse_number(v) for v in (3, "2.5", "2,5", "1.234,5", "1,234.5", " -7 ")]
    [3.0, 2.5, 2.5, 1234.5, 1234.5, -7.0]
    >>> parse_number("1,2,3")
    Traceback (most recent call last):
    ...
    ValueError: '1,2,3' is not a number
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{json.dumps(value)[:50]} is not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = value.strip().replace(" ", "").replace("\u00a0", "")
        comma, dot = text.rfind(","), text.rfind(".")
        if comma > dot:  # 1.234,5 or 2,5
            text = text.replace(".", "").replace(",", ".", 1)
        elif comma >= 0:  # 1,234.5
            text = text.replace(",", "")
        if text.count(".") > 1 or not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
            raise ValueError(f"{value!r} is not a number")
        number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a number")
    return number


def parse_datetime(value, value_format="iso8601"):
    """Return the naive UTC datetime of a payload value; raise ValueError.

    ``value_format`` is ``iso8601`` (offsets honoured, none means UTC),
    ``epoch`` (seconds since 1970, UTC) or a ``strftime`` pattern (UTC
    unless it has ``%z``):

    >>> parse_datetime("2026-12-03T12:30:25+02:00")
    datetime.datetime(2026, 12, 3, 10, 30, 25)
    >>> parse_datetime("2026-12-03 12:30:25Z"), parse_datetime("2026-12-03")
    (datetime.datetime(2026, 12, 3, 12, 30, 25), datetime.datetime(2026, 12, 3, 0, 0))
    >>> parse_datetime(1796300000, "epoch")
    datetime.datetime(2026, 12, 3, 12, 13, 20)
    >>> parse_datetime("03/12/2026 08:00", "%d/%m/%Y %H:%M")
    datetime.datetime(2026, 12, 3, 8, 0)
    """
    value_format = value_format or "iso8601"
    if value_format == "epoch":
        try:
            seconds = parse_number(value)
        except ValueError:
            raise ValueError(f"{json.dumps(value)[:50]} is not epoch seconds") from None
        if not _MIN_EPOCH <= seconds <= _MAX_EPOCH:
            raise ValueError(f"{json.dumps(value)[:50]} is out of range")
        moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=seconds)
        return moment.replace(microsecond=0)
    if not isinstance(value, str):
        raise ValueError(f"{json.dumps(value)[:50]} is not a date")
    text = value.strip()
    try:
        if value_format == "iso8601":
            if text.endswith(("Z", "z")):
                text = text[:-1] + "+00:00"
            moment = datetime.datetime.fromisoformat(text)
        else:
            moment = datetime.datetime.strptime(text, value_format)
    except ValueError:
        raise ValueError(
            f"{json.dumps(value)[:50]} does not match the date format {value_format}"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def parse_date(value, value_format="iso8601"):
    """Return the date of a payload value; raise ValueError.

    A plain ISO date is taken as is; a moment is converted to UTC first:

    >>> parse_date("2026-12-03"), parse_date("2026-12-03T23:30:00-02:00")
    (datetime.date(2026, 12, 3), datetime.date(2026, 12, 4))
    """
    if (
        (value_format or "iso8601") == "iso8601"
        and isinstance(value, str)
        and _ISO_DATE.match(value.strip())
    ):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{json.dumps(value)[:50]} is not a date") from None
    return parse_datetime(value, value_format).date()


def sample_paths(sample, limit=200):
    """Return ``(path, value)`` of the leaves of a sample payload, in order.

    Lists show their first item (``items.0.sku``), and the list itself too,
    so that it can be mapped to lines:

    >>> sample_paths({"email": "a@b.c", "items": [{"sku": "A1"}, {"sku": "B2"}]})
    ... # doctest: +NORMALIZE_WHITESPACE
    [('email', 'a@b.c'), ('items', [{'sku': 'A1'}, {'sku': 'B2'}]),
     ('items.0.sku', 'A1')]
    """
    paths = []

    def walk(value, prefix):
        if len(paths) >= limit:
            return
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, join_path(prefix, str(key)))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            paths.append((prefix, value))
            walk(value[0], join_path(prefix, "0"))
        elif prefix:
            paths.append((prefix, value))

    walk(sample, "")
    return paths[:limit]
