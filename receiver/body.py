# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reading a request body within a limit, whatever its framing says.

The WSGI server de-chunks a body sent with ``Transfer-Encoding: chunked``
(in any letter case), and werkzeug 2.2 then hands out the whole stream,
unbounded, when the header is not spelled exactly ``chunked``. The webhook
never asks werkzeug for the body: it reads the WSGI input itself, at most
the webhook's limit plus one byte.

Framing follows RFC 9112: ``Transfer-Encoding`` wins over
``Content-Length``; a body without either is empty.

>>> import io
>>> environ = {"CONTENT_LENGTH": "5", "wsgi.input": io.BytesIO(b"hello world")}
>>> framing = get_framing(environ)
>>> framing
Framing(chunked=False, length=5, transfer_encoding='')
>>> read_body(environ, framing, limit=10)
b'hello'
"""

from collections import namedtuple

READ_SIZE = 64 * 1024

# chunked: the body ends where its stream ends (de-chunked by the server);
# length: the declared Content-Length, None without one (or when chunked)
Framing = namedtuple("Framing", "chunked length transfer_encoding")


class BodyTooLarge(Exception):
    """The body holds more bytes than the limit; ``size`` is what was seen."""

    def __init__(self, size):
        super().__init__(size)
        self.size = size


class UnsupportedTransferEncoding(Exception):
    """The body is framed by a transfer coding the server does not undo."""


def get_framing(environ):
    """Return how the body of the WSGI request ``environ`` is framed.

    >>> get_framing({"HTTP_TRANSFER_ENCODING": "Chunked", "CONTENT_LENGTH": "2"})
    Framing(chunked=True, length=None, transfer_encoding='chunked')
    >>> get_framing({"CONTENT_LENGTH": "-3"})
    Framing(chunked=False, length=None, transfer_encoding='')
    """
    transfer_encoding = environ.get("HTTP_TRANSFER_ENCODING", "").strip().lower()
    if transfer_encoding:
        return Framing(True, None, transfer_encoding)
    text = (environ.get("CONTENT_LENGTH") or "").strip()
    length = int(text) if text.isdigit() and text.isascii() else None
    return Framing(False, length, "")


def read_body(environ, framing, limit):
    """Return the body of ``environ``, reading at most ``limit`` + 1 bytes.

    Raises :class:`BodyTooLarge` past ``limit`` and
    :class:`UnsupportedTransferEncoding` for a transfer coding other than
    chunked alone (which the server has not undone: its bytes are not the
    body).

    >>> import io
    >>> environ = {"wsgi.input": io.BytesIO(b"x" * 100), "wsgi.input_terminated": True}
    >>> try:
    ...     read_body(environ, Framing(True, None, "chunked"), limit=10)
    ... except BodyTooLarge as exc:
    ...     print("too large, read", exc.size)
    too large, read 11
    """
    stream = environ["wsgi.input"]
    if framing.chunked:
        if framing.transfer_encoding != "chunked" or not environ.get(
            "wsgi.input_terminated"
        ):
            raise UnsupportedTransferEncoding(framing.transfer_encoding)
        return _read_up_to(stream, limit + 1, limit)
    if not framing.length:
        return b""
    if framing.length > limit:
        raise BodyTooLarge(framing.length)
    return _read_up_to(stream, framing.length, limit)


def _read_up_to(stream, size, limit):
    """Read ``size`` bytes of ``stream`` or up to its end; raise past ``limit``."""
    parts = []
    read = 0
    while read < size:
        part = stream.read(min(READ_SIZE, size - read))
        if not part:
            break
        parts.append(part)
        read += len(part)
    if read > limit:
        raise BodyTooLarge(read)
    return b"".join(parts)
