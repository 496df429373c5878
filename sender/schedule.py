# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""When an outgoing message is tried again: the Standard Webhooks schedule.

After a failed attempt the next one waits 5 s, 5 min, 30 min, 2 h, 5 h,
10 h, 14 h, 20 h and then 24 h, each ±20% (jitter, so that the messages of an
endpoint that was down do not all come back at once). A 429 answer or a
timeout waits at least a minute; a ``Retry-After`` header is honoured, up to
24 hours.

>>> [base_delay(attempt) for attempt in (1, 2, 3, 9, 10, 50)]
[5, 300, 1800, 86400, 86400, 86400]
>>> fixed = lambda low, high: 1.0  # no jitter, for the examples
>>> next_delay(1, status_code=500, uniform=fixed)
5.0
>>> next_delay(1, status_code=429, uniform=fixed)
60.0
>>> next_delay(1, status_code=429, retry_after="120", uniform=fixed)
120.0
>>> next_delay(1, timed_out=True, uniform=fixed)
60.0
>>> parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412420.0)
60.0
>>> parse_retry_after("999999999")
86400.0
>>> parse_retry_after("soon") is None
True
>>> is_success(204), is_success(302), is_success(410)
(True, False, False)
"""

import random
import time
from email.utils import parsedate_to_datetime

# seconds to wait after failed attempt 1, 2, ...; the last one repeats
RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
JITTER = 0.2
# least wait after a 429 (Too Many Requests) answer or a timeout
THROTTLED_DELAY = 60
# longest Retry-After honoured
MAX_RETRY_AFTER = 24 * 3600
# an endpoint whose every attempt failed for this long is disabled
DISABLE_AFTER = 5 * 24 * 3600
# the status that tells the sender the endpoint is gone for good
GONE = 410
TOO_MANY_REQUESTS = 429


def base_delay(attempt):
    """Return the scheduled seconds after failed ``attempt`` (1, 2...), no jitter."""
    index = min(max(attempt, 1), len(RETRY_SCHEDULE)) - 1
    return RETRY_SCHEDULE[index]


def jittered(delay, uniform=None):
    """Return ``delay`` ±20%; ``uniform(a, b)`` is random.uniform by default."""
    factor = (uniform or random.uniform)(1 - JITTER, 1 + JITTER)
    return float(delay) * factor


def parse_retry_after(value, now=None):
    """Return the seconds a ``Retry-After`` value asks to wait, or None.

    The value is a number of seconds or an HTTP date; the result is between
    0 and 24 hours. An unreadable value is ignored (None).
    """
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        seconds = float(int(value[:12]))
    else:
        try:
            date = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if date is None or date.tzinfo is None:
            return None
        seconds = date.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), float(MAX_RETRY_AFTER))


def next_delay(
    attempt, status_code=0, retry_after=None, timed_out=False, uniform=None, now=None
):
    """Return the seconds to wait after failed ``attempt`` before the next one.

    The scheduled delay with jitter, at least a minute after a 429 or a
    timeout, at least what ``Retry-After`` (the header's raw value) asks.
    """
    delay = jittered(base_delay(attempt), uniform)
    if status_code == TOO_MANY_REQUESTS or timed_out:
        delay = max(delay, float(THROTTLED_DELAY))
    asked = parse_retry_after(retry_after, now)
    if asked is not None:
        delay = max(delay, asked)
    return delay


def is_success(status_code):
    """Tell whether an answer's status means delivered: 2xx only."""
    return 200 <= (status_code or 0) < 300
