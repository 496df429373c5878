# Copyright 2026 Webhook Automation authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""IP allowlists: which addresses may call a webhook.

An allowlist is a text of IPv4 and IPv6 addresses and CIDR ranges, separated
by commas, spaces or new lines. An empty allowlist allows any address.

>>> networks = parse_allowlist("203.0.113.7, 10.0.0.0/8\\n2001:db8::/32")
>>> is_address_allowed(networks, "10.1.2.3")
True
>>> is_address_allowed(networks, "::ffff:10.1.2.3")  # IPv4-mapped IPv6
True
>>> is_address_allowed(networks, "192.0.2.1")
False
>>> is_address_allowed(parse_allowlist(""), "192.0.2.1")
True
>>> parse_allowlist("10.0.0.1/8 10.0.0.0/8 2001:DB8:0::1")
(IPv4Network('10.0.0.0/8'), IPv6Network('2001:db8::1/128'))
>>> try:
...     parse_allowlist("10.0.0.0/8, 10.0.0.300")
... except InvalidAllowlistEntry as exc:
...     print(exc.entry, "|", exc)
10.0.0.300 | '10.0.0.300' is neither an IP address nor a CIDR range.
"""

import ipaddress
import re

_SEPARATORS = re.compile(r"[\s,]+")
# entries longer than this are cut in error messages (the entry itself is kept)
_MAX_SHOWN_LENGTH = 64


class InvalidAllowlistEntry(ValueError):
    """An allowlist entry that is neither an IP address nor a CIDR range."""

    def __init__(self, entry):
        self.entry = entry
        shown = entry
        if len(shown) > _MAX_SHOWN_LENGTH:
            shown = shown[:_MAX_SHOWN_LENGTH] + "..."
        super().__init__(f"{shown!r} is neither an IP address nor a CIDR range.")


def parse_allowlist(text):
    """Return the tuple of ip_network of an allowlist text.

    Blank entries are ignored and duplicates dropped; a range with host bits
    set (``10.0.0.1/8``) is taken as its network (``10.0.0.0/8``). Raise
    :class:`InvalidAllowlistEntry` on a malformed entry.
    """
    networks = []
    for entry in _SEPARATORS.split(text or ""):
        if not entry:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise InvalidAllowlistEntry(entry) from None
        if network not in networks:
            networks.append(network)
    return tuple(networks)


def is_address_allowed(networks, address):
    """Tell whether ``address`` (str) is in one of ``networks``.

    An empty allowlist allows any address; a non-empty one refuses an
    address that cannot be parsed. An IPv4-mapped IPv6 address
    (``::ffff:10.1.2.3``, as dual-stack sockets report IPv4 clients) also
    matches the IPv4 entries.
    """
    if not networks:
        return True
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    candidates = [parsed]
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        candidates.append(parsed.ipv4_mapped)
    return any(
        candidate.version == network.version and candidate in network
        for network in networks
        for candidate in candidates
    )
