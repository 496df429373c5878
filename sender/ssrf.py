# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The SSRF guard: which addresses an outgoing webhook may connect to.

A URL is parsed (http and https only), its host resolved, and every address
it resolves to is checked: loopback, private, link-local, CGNAT, reserved,
multicast, unique-local IPv6 and the IPv6 forms of such IPv4 addresses are
refused unless the endpoint allows them (``allowed_private_networks``, a
text parsed like the incoming allowlist). The sender then connects to one of
the checked addresses, never resolving the name again.

>>> target = parse_url("https://hooks.example.com/in?x=1")
>>> (target.scheme, target.host, target.port, target.path)
('https', 'hooks.example.com', 443, '/in?x=1')
>>> get_block_reason("169.254.169.254")
'link-local'
>>> get_block_reason("::ffff:10.0.0.1")
'private (IPv4-mapped)'
>>> get_block_reason("93.184.215.14") is None
True
>>> resolver = {"intranet.example.com": ["10.1.2.3"]}.get
>>> try:
...     check_url("http://intranet.example.com/", resolver=resolver)
... except BlockedAddress as exc:
...     print(exc)
blocked: 10.1.2.3 (intranet.example.com) is a private address
>>> check_url(
...     "http://intranet.example.com/",
...     allowed_networks=(ipaddress.ip_network("10.0.0.0/8"),),
...     resolver=resolver,
... ).addresses
('10.1.2.3',)
"""

import contextlib
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..receiver.addresses import is_address_allowed

SCHEMES = {"http": 80, "https": 443}
# ranges that are not "global" for the ipaddress module but are not named by
# one of its is_* properties either
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")


class UnsafeUrl(ValueError):
    """A URL an outgoing webhook cannot be sent to (scheme, host, syntax)."""


class ResolutionError(OSError):
    """The host of a URL has no address (DNS failure)."""


class BlockedAddress(ValueError):
    """An address the SSRF guard refuses; ``str()`` starts with ``blocked:``."""

    def __init__(self, address, reason, host=None):
        self.address = address
        self.reason = reason
        self.host = host
        named = address if not host or host == address else f"{address} ({host})"
        article = "an" if reason[:1] in "aeiou" else "a"
        super().__init__(f"blocked: {named} is {article} {reason} address")


@dataclass(frozen=True)
class Target:
    """Where a URL points: scheme, host (no brackets), port and path+query."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple = ()

    @property
    def host_header(self):
        """Return the Host header of a request to this target."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port == SCHEMES[self.scheme]:
            return host
        return f"{host}:{self.port}"


def parse_url(url):
    """Return the :class:`Target` of an http(s) URL; raise UnsafeUrl otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeUrl("The URL is empty.")
    url = url.strip()
    if any(ord(char) < 33 or ord(char) == 127 for char in url):
        raise UnsafeUrl("The URL holds spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"The URL cannot be read: {exc}.") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UnsafeUrl("Only http and https URLs can receive webhooks.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeUrl("The URL has no host.")
    try:
        host.encode("idna")
    except UnicodeError:
        raise UnsafeUrl(f"The host {host!r} is not a valid name.") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, host, port or SCHEMES[scheme], path)


def _embedded_ipv4(address):
    """Return the IPv4 address an IPv6 address carries, and its form, or None."""
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped, "IPv4-mapped"
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF), "NAT64"
    if address.sixtofour is not None:
        return address.sixtofour, "6to4"
    if address.teredo is not None:
        return address.teredo[1], "Teredo"
    # IPv4-compatible ::a.b.c.d (deprecated) is "reserved" below
    return None


def _own_block_reason(address):
    """Return why ``address`` (ip_address) is refused by itself, or None."""
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("CGNAT", address.version == 4 and address in CGNAT),
        ("unique-local", address.version == 6 and address in UNIQUE_LOCAL),
        ("NAT64 local-use", address.version == 6 and address in NAT64_LOCAL),
        ("site-local", address.version == 6 and address.is_site_local),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    )
    for reason, refused in checks:
        if refused:
            return reason
    if not address.is_global:
        return "reserved"
    return None


def get_block_reason(address):
    """Return why the address (str or ip_address) may not be called, or None.

    IPv6 forms of IPv4 addresses (mapped, NAT64, 6to4, Teredo) are judged by
    the IPv4 address they carry, and said so.

    >>> get_block_reason("2002:7f00:1::")
    'loopback (6to4)'
    >>> get_block_reason("fd12:3456::1"), get_block_reason("100.64.0.1")
    ('unique-local', 'CGNAT')
    """
    if isinstance(address, str):
        try:
            address = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return "invalid"
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        inner, form = embedded
        reason = _own_block_reason(inner)
        if reason:
            return f"{reason} ({form})"
        if form == "IPv4-mapped":
            return None
    return _own_block_reason(address)


def check_address(address, allowed_networks=(), host=None):
    """Raise :class:`BlockedAddress` unless ``address`` may be called.

    An address inside ``allowed_networks`` (ip_network tuple, see
    ``receiver.addresses.parse_allowlist``) is allowed whatever it is;
    for an IPv4-mapped address, the IPv4 ranges count too.
    """
    reason = get_block_reason(address)
    if reason is None:
        return
    if allowed_networks and is_address_allowed(allowed_networks, str(address)):
        return
    raise BlockedAddress(str(address), reason, host)


def system_resolver(host):
    """Return the addresses of ``host`` as the system resolves them."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolutionError(f"dns: {host} cannot be resolved ({exc})") from None
    return [info[4][0] for info in infos]


def resolve(host, resolver=None):
    """Return the unique addresses of ``host``, in the resolver's order.

    An IP address is returned as is (normalized), without any lookup.
    ``resolver(host)`` returns a list of addresses (default: the system's).
    """
    with contextlib.suppress(ValueError):  # a name, not an address
        return (str(ipaddress.ip_address(host)),)
    addresses = (resolver or system_resolver)(host)
    if not addresses:
        raise ResolutionError(f"dns: {host} has no address")
    unique = []
    for address in addresses:
        address = str(address).split("%", 1)[0]
        if address not in unique:
            unique.append(address)
    return tuple(unique)


def check_url(url, allowed_networks=(), resolver=None):
    """Return the :class:`Target` of ``url`` with its checked addresses.

    Every address the host resolves to must pass (``localhost`` is also
    ``::1``); raise :class:`UnsafeUrl`, :class:`ResolutionError` or
    :class:`BlockedAddress`. No socket is opened.
    """
    target = parse_url(url)
    addresses = resolve(target.host, resolver)
    for address in addresses:
        check_address(address, allowed_networks, target.host)
    return Target(target.scheme, target.host, target.port, target.path, addresses)
