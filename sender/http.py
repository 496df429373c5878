# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One outgoing webhook request, to an address the SSRF guard checked.

:func:`send` resolves the URL's host once, checks every address
(:mod:`.ssrf`), then connects to a checked address itself: the name is never
resolved again, so a DNS answer that changes between check and connection
(DNS rebinding) cannot lead elsewhere. The Host header and, for https, the
TLS server name (SNI) and certificate check use the URL's host. Redirects are
never followed (a 3xx is an answer like any other), the connection must be
made within 5 s and the whole exchange within the endpoint's timeout. It
never raises for the network: the :class:`Result` says what happened, with
``status_code`` 0 and an ``error`` when there is no HTTP answer (``blocked:``
when the guard refused, without opening any socket).
"""

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field

from . import ssrf

CONNECT_TIMEOUT = 5.0  # seconds
# bytes of an answer kept (and read: the rest is not downloaded)
MAX_RESPONSE_BODY = 20_000


@dataclass
class Result:
    """The outcome of one request."""

    status_code: int = 0
    response_body: bytes = b""
    response_headers: dict = field(default_factory=dict)
    duration_ms: int = 0
    error: str = ""
    timed_out: bool = False
    blocked: bool = False
    address: str = ""

    @property
    def retry_after(self):
        """Return the raw Retry-After header of the answer, or None."""
        for name, value in self.response_headers.items():
            if name.lower() == "retry-after":
                return value
        return None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a given address, named by the URL's host."""

    def __init__(self, host, port, address, connect_timeout, timeout):
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address
        self.connect_timeout = connect_timeout

    def _open_socket(self):
        sock = socket.create_connection(
            (self.pinned_address, self.port), timeout=self.connect_timeout
        )
        sock.settimeout(self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def connect(self):
        self.sock = self._open_socket()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """An HTTPS connection to a given address; SNI and certificate: the host."""

    def __init__(self, host, port, address, connect_timeout, timeout, context):
        super().__init__(host, port, address, connect_timeout, timeout)
        self.ssl_context = context

    def connect(self):
        sock = self._open_socket()
        try:
            self.sock = self.ssl_context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _read_limited(response, limit):
    """Return at most ``limit`` bytes of the answer's body."""
    chunks, size = [], 0
    while size < limit:
        chunk = response.read(min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _describe(exc):
    """Return the ``error`` text of a network exception."""
    if isinstance(exc, ssl.SSLError):
        return f"tls: {exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection: refused"
    if isinstance(exc, http.client.HTTPException):
        return f"http: {type(exc).__name__}: {exc}"
    return f"connection: {exc or type(exc).__name__}"


def send(
    url,
    body,
    headers,
    timeout,
    allowed_networks=(),
    resolver=None,
    connect_timeout=CONNECT_TIMEOUT,
    ssl_context=None,
    response_limit=MAX_RESPONSE_BODY,
):
    """POST ``body`` (bytes) with ``headers`` to ``url``; return a :class:`Result`."""
    started = time.monotonic()
    result = Result()
    try:
        target = ssrf.check_url(url, allowed_networks, resolver)
    except ssrf.BlockedAddress as exc:
        result.error, result.blocked = str(exc), True
        return result
    except (ssrf.UnsafeUrl, ssrf.ResolutionError) as exc:
        result.error = str(exc) if str(exc).startswith("dns:") else f"url: {exc}"
        result.duration_ms = int((time.monotonic() - started) * 1000)
        return result
    deadline = started + timeout
    error, timed_out = None, False
    for address in target.addresses:
        if time.monotonic() >= deadline:
            timed_out = True
            break
        result.address = address
        try:
            _exchange(
                target,
                address,
                body,
                headers,
                result,
                deadline,
                connect_timeout,
                ssl_context,
                response_limit,
            )
            error = None
            break
        except TimeoutError as exc:
            error, timed_out = exc, True
            break
        except (OSError, http.client.HTTPException) as exc:
            error = exc
            if result.status_code:  # an answer came: no other address
                break
    if not result.status_code:
        result.timed_out = timed_out
        if timed_out:
            result.error = f"timeout: no answer within {timeout:g} s"
        elif error is not None:
            result.error = _describe(error)
    result.duration_ms = int((time.monotonic() - started) * 1000)
    return result


def _exchange(
    target,
    address,
    body,
    headers,
    result,
    deadline,
    connect_timeout,
    ssl_context,
    limit,
):
    """Send the request to ``address`` and fill ``result`` with the answer."""
    remaining = max(deadline - time.monotonic(), 0.001)
    if target.scheme == "https":
        context = ssl_context or ssl.create_default_context()
        connection = _PinnedHTTPSConnection(
            target.host,
            target.port,
            address,
            min(connect_timeout, remaining),
            remaining,
            context,
        )
    else:
        connection = _PinnedHTTPConnection(
            target.host,
            target.port,
            address,
            min(connect_timeout, remaining),
            remaining,
        )
    # the whole exchange is bounded: a receiver dripping bytes is cut at the
    # deadline, whatever the per-read timeout
    watchdog = threading.Timer(remaining, _abort, [connection])
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.putrequest(
            "POST", target.path, skip_host=True, skip_accept_encoding=True
        )
        connection.putheader("Host", target.host_header)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        result.status_code = response.status
        result.response_headers = dict(response.getheaders())
        result.response_body = _read_limited(response, limit)
    except OSError as exc:
        if time.monotonic() >= deadline - 0.01 or isinstance(exc, TimeoutError):
            raise TimeoutError(str(exc)) from exc
        raise
    finally:
        watchdog.cancel()
        connection.close()


def _abort(connection):
    """Cut the connection of an exchange that ran out of time."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)
