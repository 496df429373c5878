# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reading a body within its limit: receiver/body.py, no database."""

import io

from odoo.tests import BaseCase

from ..receiver.body import (
    BodyTooLarge,
    UnsupportedTransferEncoding,
    get_framing,
    read_body,
)


class CountingStream(io.BytesIO):
    """A WSGI input that counts the bytes handed out."""

    handed_out = 0

    def read(self, size=-1):
        data = super().read(size)
        self.handed_out += len(data)
        return data


class TestReadBody(BaseCase):
    def _environ(self, data, dechunked=False, **headers):
        environ = {"wsgi.input": CountingStream(data)}
        if dechunked:
            environ["wsgi.input_terminated"] = True
        environ.update(headers)
        return environ

    def test_transfer_encoding_wins_over_content_length(self):
        for spelling in ("chunked", "Chunked", "CHUNKED", " chunked "):
            with self.subTest(spelling=spelling):
                environ = self._environ(
                    b"x" * 10_000,
                    dechunked=True,
                    HTTP_TRANSFER_ENCODING=spelling,
                    CONTENT_LENGTH="2",
                )
                framing = get_framing(environ)
                self.assertTrue(framing.chunked)
                self.assertIsNone(framing.length)
                with self.assertRaises(BodyTooLarge):
                    read_body(environ, framing, limit=1024)
                # never more than the limit and one byte
                self.assertEqual(environ["wsgi.input"].handed_out, 1025)

    def test_chunked_body_within_the_limit(self):
        environ = self._environ(
            b'{"a": 1}', dechunked=True, HTTP_TRANSFER_ENCODING="chunked"
        )
        self.assertEqual(read_body(environ, get_framing(environ), 8), b'{"a": 1}')

    def test_declared_length_over_the_limit_reads_nothing(self):
        environ = self._environ(b"x" * 100, CONTENT_LENGTH="100")
        with self.assertRaises(BodyTooLarge) as caught:
            read_body(environ, get_framing(environ), limit=99)
        self.assertEqual(caught.exception.size, 100)
        self.assertEqual(environ["wsgi.input"].handed_out, 0)

    def test_a_stream_longer_than_its_content_length_is_cut(self):
        environ = self._environ(b"abcdefgh", CONTENT_LENGTH="3")
        self.assertEqual(read_body(environ, get_framing(environ), 10), b"abc")

    def test_other_transfer_codings_are_refused_unread(self):
        for coding in ("gzip, chunked", "identity", "chunked, chunked"):
            with self.subTest(coding=coding):
                environ = self._environ(
                    b"x" * 100, HTTP_TRANSFER_ENCODING=coding, CONTENT_LENGTH="5"
                )
                with self.assertRaises(UnsupportedTransferEncoding):
                    read_body(environ, get_framing(environ), limit=1024)
                self.assertEqual(environ["wsgi.input"].handed_out, 0)

    def test_no_or_invalid_length_means_no_body(self):
        for length in (None, "", "abc", "-1", "１２"):
            with self.subTest(length=length):
                environ = self._environ(b"hidden")
                if length is not None:
                    environ["CONTENT_LENGTH"] = length
                self.assertEqual(read_body(environ, get_framing(environ), 10), b"")
