# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""IP allowlists, without database: parsing, matching, normalizing."""

import doctest
import io
from ipaddress import ip_network

from odoo.tests import BaseCase

from ..receiver import addresses
from ..receiver.addresses import (
    InvalidAllowlistEntry,
    is_address_allowed,
    parse_allowlist,
)


class TestAllowlist(BaseCase):
    def assertAllowed(self, allowlist, *addresses):
        networks = parse_allowlist(allowlist)
        for address in addresses:
            self.assertTrue(
                is_address_allowed(networks, address), f"{address} in {allowlist!r}"
            )

    def assertNotAllowed(self, allowlist, *addresses):
        networks = parse_allowlist(allowlist)
        for address in addresses:
            self.assertFalse(
                is_address_allowed(networks, address),
                f"{address} not in {allowlist!r}",
            )

    def test_parse(self):
        self.assertEqual(
            parse_allowlist("203.0.113.7, 10.0.0.0/8\n2001:db8::/32"),
            (
                ip_network("203.0.113.7/32"),
                ip_network("10.0.0.0/8"),
                ip_network("2001:db8::/32"),
            ),
        )

    def test_separators(self):
        expected = (ip_network("192.0.2.1/32"), ip_network("192.0.2.2/32"))
        for text in (
            "192.0.2.1,192.0.2.2",
            "192.0.2.1, 192.0.2.2",
            "192.0.2.1 192.0.2.2",
            "192.0.2.1\n192.0.2.2",
            "192.0.2.1\r\n192.0.2.2\r\n",
            "\t192.0.2.1 ,\n\n, 192.0.2.2 ,",
            ",,192.0.2.1,,,192.0.2.2,,",
        ):
            self.assertEqual(parse_allowlist(text), expected, repr(text))

    def test_blank(self):
        for text in ("", " ", "\n\n", " , ,\n", None, False):
            self.assertEqual(parse_allowlist(text), ())

    def test_duplicates(self):
        self.assertEqual(
            parse_allowlist("10.0.0.0/8 10.1.2.3/8 10.0.0.0/8"),
            (ip_network("10.0.0.0/8"),),
        )

    def test_host_bits(self):
        self.assertEqual(parse_allowlist("10.0.0.1/8"), (ip_network("10.0.0.0/8"),))
        self.assertEqual(
            parse_allowlist("2001:db8::1/32"), (ip_network("2001:db8::/32"),)
        )
        self.assertAllowed("10.0.0.1/8", "10.200.3.4")
        self.assertNotAllowed("10.0.0.1/8", "11.0.0.1")

    def test_ipv4(self):
        self.assertAllowed("203.0.113.7", "203.0.113.7")
        self.assertNotAllowed("203.0.113.7", "203.0.113.8", "203.0.113.70")
        self.assertAllowed("192.168.0.0/16", "192.168.0.0", "192.168.255.255")
        self.assertNotAllowed("192.168.0.0/16", "192.169.0.0", "192.167.255.255")
        self.assertAllowed("0.0.0.0/0", "8.8.8.8", "127.0.0.1")
        self.assertNotAllowed("0.0.0.0/0", "2001:db8::1")
        # a netmask is accepted as well as a prefix length
        self.assertAllowed("172.16.0.0/255.240.0.0", "172.31.1.1")

    def test_ipv6(self):
        self.assertAllowed("2001:db8::1", "2001:db8::1", "2001:DB8:0:0::1")
        self.assertNotAllowed("2001:db8::1", "2001:db8::2")
        self.assertAllowed("2001:db8::/32", "2001:db8:ffff::1", "2001:db8::")
        self.assertNotAllowed("2001:db8::/32", "2001:db9::1", "10.0.0.1")
        self.assertAllowed("::/0", "::1", "fe80::1")
        self.assertAllowed("fe80::/10", "fe80::1%eth0")  # a link-local zone
        self.assertAllowed("::1", "::1")
        self.assertNotAllowed("::1", "127.0.0.1")

    def test_mixed(self):
        allowlist = "10.0.0.0/8\n2001:db8::/32, 203.0.113.7"
        self.assertAllowed(allowlist, "10.1.1.1", "2001:db8::5", "203.0.113.7")
        self.assertNotAllowed(allowlist, "192.0.2.1", "2001:db9::5", "::1")

    def test_ipv4_mapped(self):
        # dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d
        self.assertAllowed("10.0.0.0/8", "::ffff:10.1.2.3", "::FFFF:10.1.2.3")
        self.assertAllowed("203.0.113.7", "::ffff:203.0.113.7", "::ffff:cb00:7107")
        self.assertNotAllowed("10.0.0.0/8", "::ffff:11.1.2.3")
        # the IPv6 form matches IPv6 entries too
        self.assertAllowed("::ffff:0:0/96", "::ffff:10.1.2.3")
        # only the mapped form: an IPv4-compatible or 6to4 address is not IPv4
        self.assertNotAllowed("10.0.0.0/8", "::10.1.2.3", "2002:a01:203::1")

    def test_empty_allowlist_allows_everything(self):
        for allowlist in ("", None, " \n"):
            self.assertAllowed(allowlist, "192.0.2.1", "2001:db8::1", "", None, "junk")
        self.assertTrue(is_address_allowed((), "192.0.2.1"))
        self.assertTrue(is_address_allowed([], None))

    def test_unparsable_address(self):
        self.assertNotAllowed(
            "0.0.0.0/0, ::/0",
            "",
            None,
            "localhost",
            "10.0.0.256",
            "10.0.0.1/32",
            "10.0.0.1:8080",
            "[::1]",
            "é",
            "\x00",
            "1" * 10_000,
        )
        # spaces around an address are no problem
        self.assertAllowed("10.0.0.0/8", " 10.0.0.1 ")

    def test_malformed_entries(self):
        for text, entry in (
            ("10.0.0.0/8, 10.0.0.300", "10.0.0.300"),
            ("10.0.0.0/33", "10.0.0.0/33"),
            ("2001:db8::/129", "2001:db8::/129"),
            ("10.0.0.0/8;192.0.2.1", "10.0.0.0/8;192.0.2.1"),
            ("example.com", "example.com"),
            ("10.0.0.1-10.0.0.9", "10.0.0.1-10.0.0.9"),
            ("10.0.0.*", "10.0.0.*"),
            ("192.0.2.1\n2001:db8:::1", "2001:db8:::1"),
            ("10.0.0.0/8 /24", "/24"),
            ("10.0.0.0/-1", "10.0.0.0/-1"),
            ("[2001:db8::1]", "[2001:db8::1]"),
            ("é", "é"),
        ):
            with self.assertRaises(InvalidAllowlistEntry) as caught:
                parse_allowlist(text)
            self.assertEqual(caught.exception.entry, entry)
            self.assertIn(repr(entry), str(caught.exception))
            self.assertIsInstance(caught.exception, ValueError)

    def test_long_malformed_entry(self):
        entry = "x" * 10_000
        with self.assertRaises(InvalidAllowlistEntry) as caught:
            parse_allowlist(f"10.0.0.0/8 {entry}")
        self.assertEqual(caught.exception.entry, entry)
        self.assertLess(len(str(caught.exception)), 200)
        self.assertIn("x" * 64, str(caught.exception))

    def test_doctests(self):
        finder = doctest.DocTestFinder()
        runner = doctest.DocTestRunner()
        report = io.StringIO()
        for test in finder.find(addresses):
            runner.run(test, out=report.write)
        self.assertGreater(runner.tries, 0)
        self.assertEqual(runner.failures, 0, report.getvalue())
