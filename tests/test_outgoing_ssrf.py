# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The SSRF guard of outgoing webhooks: refused addresses open no socket."""

import doctest
import ipaddress
import socket
from contextlib import contextmanager
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import BaseCase

from ..sender import http as sender_http
from ..sender import message as sender_message
from ..sender import schedule as sender_schedule
from ..sender import ssrf
from .outgoing_receiver import OutgoingCase

REFUSED = {
    "http://127.0.0.1/": "loopback",
    "http://127.0.0.1:5432/": "loopback",
    "http://[::1]/": "loopback",
    "http://[::ffff:10.0.0.1]/": "private (IPv4-mapped)",
    "http://169.254.169.254/latest/meta-data/": "link-local",
    "http://10.1.2.3/": "private",
    "http://192.168.0.10/": "private",
    "http://172.16.0.1/": "private",
    "http://100.64.0.1/": "CGNAT",
    "http://0.0.0.0/": "unspecified",
    "http://[::]/": "unspecified",
    "http://224.0.0.1/": "multicast",
    "http://240.0.0.1/": "reserved",
    "http://[fd00::1]/": "unique-local",
    "http://[fe80::1]/": "link-local",
    "http://[64:ff9b::a9fe:a9fe]/": "link-local (NAT64)",
    "http://[2002:a00:1::]/": "private (6to4)",
    "http://2130706433/": "loopback",  # 127.0.0.1 as a number
}
# a name resolving to a private address (the resolver is mocked)
RESOLVED = {
    "intranet.example.com": ["10.0.0.7"],
    "mixed.example.com": ["93.184.215.14", "192.168.1.1"],
    "localhost.example.com": ["127.0.0.1", "::1"],
    "public.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
}


def fake_resolver(host):
    if host in RESOLVED:
        return RESOLVED[host]
    # numbers and dotted forms resolve as the system would, with no DNS
    return [socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)[0][4][0]]


@contextmanager
def no_socket():
    """Fail the test if anything in this thread opens a network connection."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a connection was opened: {args!r}")

    with (
        patch.object(sender_http.socket, "create_connection", refuse),
        patch.object(socket.socket, "connect", refuse),
    ):
        yield


class TestSsrfUnit(BaseCase):
    def test_doctests(self):
        for module in (ssrf, sender_schedule, sender_message):
            result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
            self.assertFalse(result.failed, module.__name__)

    def test_refused_addresses(self):
        for url, reason in REFUSED.items():
            with self.subTest(url=url), no_socket():
                result = sender_http.send(url, b"{}", {}, 5, resolver=fake_resolver)
                self.assertTrue(result.blocked)
                self.assertEqual(result.status_code, 0)
                self.assertTrue(result.error.startswith("blocked: "), result.error)
                self.assertIn(
                    f"is a {reason} address", result.error.replace("an ", "a ")
                )

    def test_every_address_of_a_name_is_checked(self):
        for host, blocked in (
            ("intranet.example.com", "10.0.0.7"),
            ("mixed.example.com", "192.168.1.1"),
            ("localhost.example.com", "127.0.0.1"),
        ):
            with self.subTest(host=host), no_socket():
                result = sender_http.send(
                    f"https://{host}/hook", b"{}", {}, 5, resolver=fake_resolver
                )
                self.assertTrue(result.error.startswith(f"blocked: {blocked} ({host})"))
        target = ssrf.check_url("https://public.example.com/", resolver=fake_resolver)
        self.assertEqual(len(target.addresses), 2)

    def test_allowed_networks(self):
        allowed = (ipaddress.ip_network("10.0.0.0/8"),)
        target = ssrf.check_url(
            "http://intranet.example.com/", allowed, resolver=fake_resolver
        )
        self.assertEqual(target.addresses, ("10.0.0.7",))
        # ::ffff:10.0.0.1 is 10.0.0.1
        ssrf.check_url("http://[::ffff:10.0.0.1]/", allowed)
        with self.assertRaises(ssrf.BlockedAddress):
            ssrf.check_url("http://127.0.0.1/", allowed)

    def test_other_schemes_are_refused(self):
        for url in ("ftp://example.com/", "file:///etc/passwd", "gopher://x/", "//x/"):
            with self.subTest(url=url), self.assertRaises(ssrf.UnsafeUrl):
                ssrf.parse_url(url)

    def test_connects_to_the_checked_address_only(self):
        """The name is resolved once: the connection goes to the checked address."""
        answers = iter([["93.184.215.14"], ["127.0.0.1"]])
        calls = []

        def rebinding_resolver(host):
            return next(answers)

        def record(address, timeout=None):
            calls.append(address)
            raise ConnectionRefusedError

        with (
            patch.object(sender_http.socket, "create_connection", record),
            patch.object(socket, "getaddrinfo", side_effect=AssertionError),
        ):
            result = sender_http.send(
                "http://rebind.example.com:8080/",
                b"{}",
                {},
                5,
                resolver=rebinding_resolver,
            )
        self.assertEqual(calls, [("93.184.215.14", 8080)])
        self.assertEqual(result.error, "connection: refused")


class TestSsrfEndpoint(OutgoingCase):
    def test_refused_url_at_save(self):
        for url in REFUSED:
            with self.subTest(url=url), self.assertRaises(ValidationError):
                with self.env.cr.savepoint():
                    self.env["webhook.endpoint"].create({"name": "SSRF", "url": url})

    def test_allowed_private_networks_are_parsed_like_the_allowlist(self):
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.endpoint.allowed_private_networks = "127.0.0.0/8, not-a-network"
        self.endpoint.allowed_private_networks = "127.0.0.0/8\n10.0.0.0/8 ::1"

    def test_refused_attempt_is_logged_and_counts_as_a_failure(self):
        endpoint = self.env["webhook.endpoint"].create(
            {"name": "Intranet", "url": "http://intranet.example.com/hook"}
        )
        message = self.env["webhook.outgoing.message"].create(
            {"endpoint_id": endpoint.id, "body": "{}", "event_type": "x.y"}
        )
        message._enqueue()
        with (
            patch.object(type(endpoint), "_get_resolver", lambda self: fake_resolver),
            no_socket(),
        ):
            self._run_outgoing_jobs()
        attempt = message.attempt_ids
        self.assertEqual(attempt.status_code, 0)
        self.assertEqual(
            attempt.error,
            "blocked: 10.0.0.7 (intranet.example.com) is a private address",
        )
        self.assertEqual(message.state, "pending")
        self.assertTrue(message.next_attempt_date)
        self.assertTrue(endpoint.first_failure_date)
        self.assertEqual(self.receiver.requests, [])

    def test_redirect_to_a_private_address_is_not_followed(self):
        self.receiver.answers = [
            (307, {"Location": "http://169.254.169.254/latest/meta-data/"}, "")
        ]
        result = self.endpoint.action_send_test_event()
        self.assertEqual(result["status_code"], 307)
        self.assertFalse(result["success"])
        self.assertEqual(len(self.receiver.requests), 1)
