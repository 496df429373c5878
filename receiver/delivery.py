# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reliable delivery: delivery ids, call states and retry delays.

>>> get_delivery_id("header", "X-GitHub-Delivery", {"x-github-delivery": "72d3"}, {})
'72d3'
>>> get_delivery_id("payload", "data.object.id", {}, {"data": {"object": {"id": 42}}})
'42'
>>> [retry_delay(attempt, 10) for attempt in (1, 2, 3, 4)]
[10, 20, 40, 80]
>>> call_state_from_job("started", failed=False)
'running'
"""  # noqa: E501

from .payload import MISSING, get_path

# the states of a call, as the call log shows them
CALL_STATES = [
    ("accepted", "Accepted"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("duplicate", "Duplicate"),
]
# queue_job's job states, seen as call states
JOB_STATE_TO_CALL_STATE = {
    "wait_dependencies": "accepted",
    "pending": "accepted",
    "enqueued": "accepted",
    "started": "running",
    "done": "done",
    "cancelled": "failed",
    "failed": "failed",
}
# the longest wait between two attempts of an async call
MAX_RETRY_DELAY = 6 * 3600
# delivery ids longer than this are refused (a unique index holds them)
MAX_DELIVERY_ID_LENGTH = 255


def get_delivery_id(source, key, headers, payload):
    """Return the delivery id of a call as a string, or None if it has none.

    ``source`` is ``header`` or ``payload``; ``key`` a header name (any case)
    or a dotted path into the payload. Only scalar values count as ids.
    """
    if not key or source not in ("header", "payload"):
        return None
    if source == "header":
        wanted = key.strip().lower()
        value = next(
            (
                value
                for name, value in (headers or {}).items()
                if name.lower() == wanted
            ),
            None,
        )
    else:
        value = get_path(payload or {}, key.strip())
        if value is MISSING or isinstance(value, (dict, list, bool)):
            value = None
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def retry_delay(attempt, base):
    """Return the seconds to wait after failed ``attempt`` (1, 2...): doubling.

    >>> retry_delay(30, 10) == MAX_RETRY_DELAY
    True
    """
    return min(max(base, 1) * 2 ** max(attempt - 1, 0), MAX_RETRY_DELAY)


def call_state_from_job(job_state, failed):
    """Return the state of an async call from its job's state.

    A job that ended normally may still carry a failed call: a business
    error (4xx) is a final answer, not a reason to retry.
    """
    state = JOB_STATE_TO_CALL_STATE.get(job_state, "accepted")
    if state == "done" and failed:
        return "failed"
    return state
