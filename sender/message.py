# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An outgoing message: its id, its headers per Standard Webhooks, its size.

The signature is made by :class:`~..receiver.signatures.StandardScheme`, the
code that verifies incoming Standard Webhooks calls: one ``v1,<base64>`` per
active secret (the new one first during a rotation), space-separated.

>>> secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
>>> headers = build_headers("msg_p5jXN8AQM9LWM0D4loKWxJek", b'{"test": 2432232314}',
...     [secret], timestamp=1614265330, user_agent="Odoo-webhook_automation/1")
>>> headers["webhook-signature"]
'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
>>> from ..receiver.signatures import get_scheme
>>> get_scheme("standard").verify(headers, b'{"test": 2432232314}', [secret],
...     now=1614265330)
>>> check_extra_headers({"X-Tenant": "acme", "webhook-id": "forged"})
Traceback (most recent call last):
...
ValueError: The header webhook-id is set by the sender and cannot be overridden.
"""

import json
import re
import uuid

from ..receiver.signatures import get_scheme

MESSAGE_ID_PREFIX = "msg_"
# a body larger than this is refused when the message is created
MAX_BODY_SIZE = 256 * 1024
CONTENT_TYPE = "application/json"
# headers the sender sets itself, or that would break the request
RESERVED_HEADERS = frozenset(
    (
        "content-type",
        "content-length",
        "host",
        "transfer-encoding",
        "connection",
        "user-agent",
    )
)
RESERVED_PREFIX = "webhook-"
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


def new_message_id(*_args):
    """Return a new message id: ``msg_`` and a uuid4 (hex); arguments are ignored.

    >>> len(new_message_id()), new_message_id()[:4]
    (36, 'msg_')
    """
    return MESSAGE_ID_PREFIX + uuid.uuid4().hex


def check_extra_headers(headers):
    """Raise ValueError unless ``headers`` is a dict of extra headers we can send.

    Names must be HTTP tokens, values text without line breaks; the
    ``webhook-*`` headers, Content-Type and the framing headers are the
    sender's.
    """
    if not isinstance(headers, dict):
        raise ValueError("Extra headers must be a JSON object of names and values.")
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise ValueError(f"{name!r} is not a valid header name.")
        lowered = name.lower()
        if lowered in RESERVED_HEADERS or lowered.startswith(RESERVED_PREFIX):
            raise ValueError(
                f"The header {name} is set by the sender and cannot be overridden."
            )
        if not isinstance(value, str):
            raise ValueError(f"The value of the header {name} must be text.")
        if any(char in value for char in "\r\n\0"):
            raise ValueError(f"The value of the header {name} holds a line break.")


def parse_extra_headers(text):
    """Return the dict of a JSON extra headers text (empty: {}); raise ValueError.

    >>> parse_extra_headers('{"Authorization": "Bearer x"}')
    {'Authorization': 'Bearer x'}
    >>> parse_extra_headers("")
    {}
    """
    if not (text or "").strip():
        return {}
    try:
        headers = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"Extra headers are not valid JSON: {exc}") from None
    check_extra_headers(headers)
    return headers


def sign(message_id, body, secrets, timestamp):
    """Return the ``webhook-signature`` value: one ``v1,<sig>`` per secret."""
    scheme = get_scheme("standard")
    signatures = []
    for secret in secrets:
        headers = scheme.sign(body, secret, now=timestamp, delivery_id=message_id)
        signatures.append(headers[scheme.signature_header])
    return " ".join(signatures)


def build_headers(message_id, body, secrets, timestamp, user_agent, extra=None):
    """Return the headers of one attempt (dict, in the order they are sent)."""
    headers = {}
    for name, value in (extra or {}).items():
        lowered = name.lower()
        if lowered in RESERVED_HEADERS or lowered.startswith(RESERVED_PREFIX):
            continue
        headers[name] = value
    headers.update(
        {
            "Content-Type": CONTENT_TYPE,
            "User-Agent": user_agent,
            "webhook-id": message_id,
            "webhook-timestamp": str(int(timestamp)),
            "webhook-signature": sign(message_id, body, secrets, int(timestamp)),
        }
    )
    return headers
