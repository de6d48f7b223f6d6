"""The address guard: refuse hosts that resolve to private, loopback, link-local or reserved ranges."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field

from ssbrace.errors import BlockedAddressError, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Ranges that are never a sensible place to fetch an article from, even with --allow-private:
# 0.0.0.0 reaches the local machine on Linux, multicast and 240/4 are not hosts.
_ALWAYS_REFUSED = ("unspecified", "multicast", "reserved")
# Ranges that --allow-private opens (tests, intranets).
_PRIVATE = ("loopback", "link-local", "private")


# NAT64 prefixes (RFC 6052 well-known, RFC 8215 local use): the last 32 bits are an IPv4 address.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, 6to4, Teredo server and client, NAT64."""
    found = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    if any(address in net for net in _NAT64):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def classify(address: IPAddress) -> str | None:
    """Name the non-public range an address belongs to, or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1, 2002:7f00:1:: (6to4), Teredo and NAT64 forms reach the IPv4 address they
        # carry: they are as private as it is.
        for inner in embedded_ipv4(address):
            kind = classify(inner)
            if kind is not None:
                return kind
        if address.ipv4_mapped is not None:
            return None
        if address.is_site_local:
            return "private"  # fec0::/10, deprecated but still routed inside some sites
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_reserved:
        return "reserved"
    # is_private covers RFC 1918, CGNAT-like shared space, ULA fc00::/7, documentation ranges...
    if address.is_private or not address.is_global:
        return "private"
    return None


@dataclass(frozen=True)
class AddressGuard:
    """Which addresses a fetch may connect to.

    ``allow_networks`` opens chosen networks (an intranet, a test server) without opening every
    private range.
    """

    allow_private: bool = False
    allow_networks: tuple[IPNetwork, ...] = field(default=())

    def check_address(self, address: IPAddress, host: str | None = None) -> None:
        """Raise BlockedAddressError when this address may not be reached."""
        kind = classify(address)
        if kind is None:
            return
        shown = str(address) if host is None or host == str(address) else f"{host} ({address})"
        article = "an" if kind[0] in "aeiou" else "a"
        if kind in _ALWAYS_REFUSED:
            raise BlockedAddressError(f"refused: {shown} is {article} {kind} address")
        if self.allow_private or any(address in net for net in self.allow_networks):
            return
        raise BlockedAddressError(f"refused: {shown} is {article} {kind} address (use --allow-private)")

    def resolve(self, host: str, port: int) -> list[str]:
        """Resolve a host and check every address it has; return them in resolver order."""
        host = host.strip("[]")
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            self.check_address(literal)
            return [str(literal)]
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}") from None
        addresses = _unique(str(info[4][0]) for info in infos)
        # Every address is checked, not just the first: a name with one public and one private
        # address could otherwise be steered to the private one.
        for text in addresses:
            self.check_address(ipaddress.ip_address(text.split("%")[0]), host)
        return addresses


    def check_location(self, host: str) -> None:
        """Check a host when a source is registered, without a DNS query.

        Literal addresses in every spelling getaddrinfo accepts (``10.0.0.1``, ``2130706433``,
        ``0x7f.1``, ``[::ffff:10.0.0.1]``) and ``localhost`` names are judged now; other names are
        judged when fetched, as they may resolve differently by then.

        Raises:
            BlockedAddressError: the host is an address (or localhost) the guard refuses.
        """
        host = host.strip("[]").rstrip(".")
        if host.lower() == "localhost" or host.lower().endswith(".localhost"):
            self.check_address(ipaddress.ip_address("127.0.0.1"), host)
            return
        try:
            infos = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
        except (socket.gaierror, UnicodeError, ValueError):
            return  # a name, not an address
        for text in _unique(str(info[4][0]) for info in infos):
            self.check_address(ipaddress.ip_address(text.split("%")[0]), host)


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
