# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The state of one webhook call as it goes through the pipeline."""

import datetime
import json
import time
import uuid
from dataclasses import dataclass, field

from odoo.http import request

from .body import get_framing
from .errors import is_refusal
from .payload import multidict_to_dict


@dataclass
class WebhookCall:
    """What the pipeline knows of one call: filled step by step, then logged."""

    method: str
    content_type: str = ""
    # the body's framing (receiver.body.get_framing): Content-Length, or
    # Transfer-Encoding, which wins over it
    content_length: int | None = None
    is_chunked: bool = False
    transfer_encoding: str = ""
    headers: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    remote_addr: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: float = field(default_factory=time.perf_counter)
    body: bytes = b""
    payload: dict | None = None
    target: object = None
    error: BaseException | None = None
    status: int = 200
    response: dict = field(default_factory=dict)
    response_headers: dict = field(default_factory=dict)
    # sent from the webhook form by an administrator: no address or signature
    from_console: bool = False
    # reliable delivery: the sender's delivery id, the answer of the first call
    # with that id when this one repeats it, whether an async call was accepted
    delivery_id: str | None = None
    delivery_claimed: bool = False
    bypass_idempotency: bool = False
    # run the actions now even on an async webhook (dry runs of the console)
    force_sync: bool = False
    duplicate_of: dict | None = None
    accepted: bool = False
    # the call holds a token of the webhook's rate limit (given back if it
    # is refused later, e.g. for a full backlog)
    rate_token_taken: bool = False
    # the job of an accepted call, stored with its log (queue_job's Job)
    job: object = None
    # the log of the call this one replays, if any
    replay_of_id: int | None = None
    # what code actions put in ``response``: the ``data`` of a 200 answer
    response_data: object = None

    @property
    def needs_job(self):
        """Whether the call was accepted to run later and has no error yet.

        >>> call = WebhookCall(method="POST", accepted=True)
        >>> call.needs_job
        True
        >>> call.error = ValueError("refused after acceptance")
        >>> call.needs_job
        False
        """
        return self.accepted and self.error is None

    @property
    def refused(self):
        """Whether the call was turned away before anything ran (401, 429...).

        >>> from odoo.addons.webhook_automation.receiver.errors import WebhookPaused
        >>> WebhookCall(method="POST", error=WebhookPaused("paused")).refused
        True
        >>> WebhookCall(method="POST").refused
        False
        """
        return self.error is not None and is_refusal(self.error)

    @property
    def duration_ms(self):
        """Milliseconds spent on the call so far."""
        return int((time.perf_counter() - self.started) * 1000)

    def make_response(self):
        """Return the JSON HTTP response answering the call."""
        headers = {**self.response_headers, "Cache-Control": "no-store"}
        return request.make_json_response(
            self.response, headers=list(headers.items()), status=self.status
        )

    @classmethod
    def from_httprequest(cls, httprequest):
        """Describe a werkzeug request without reading its body."""
        framing = get_framing(httprequest.environ)
        return cls(
            method=httprequest.method,
            content_type=httprequest.mimetype or "",
            content_length=framing.length,
            is_chunked=framing.chunked,
            transfer_encoding=framing.transfer_encoding,
            headers=dict(httprequest.headers),
            query=multidict_to_dict(httprequest.args),
            remote_addr=httprequest.remote_addr or "",
        )


class ResponseData:
    """What the code actions of one call set as ``response``, for its answer.

    Passed to the actions through the context, where values must be
    hashable: this object is (by identity).

    >>> data = ResponseData()
    >>> data.value = {"id": 7, "day": datetime.date(2026, 11, 28)}
    >>> data.to_json()
    {'id': 7, 'day': '2026-11-28'}
    """

    def __init__(self):
        self.value = None

    def to_json(self):
        """Return the value made of JSON types; raise TypeError if it cannot be."""
        if self.value is None:
            return None
        return json.loads(json.dumps(self.value, default=_json_default))


def _json_default(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    raise TypeError(
        f"Object of type {type(value).__name__} is not JSON serializable: "
        "set response to JSON values (dict, list, str, number, bool, None, dates)"
    )
