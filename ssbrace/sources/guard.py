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


def classify(address: IPAddress) -> str | None:
    """Name the non-public range an address belongs to, or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # ::ffff:127.0.0.1 is 127.0.0.1 in disguise.
        return classify(address.ipv4_mapped)
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
        addresses = _unique(info[4][0] for info in infos)
        # Every address is checked, not just the first: a name with one public and one private
        # address could otherwise be steered to the private one.
        for text in addresses:
            self.check_address(ipaddress.ip_address(text.split("%")[0]), host)
        return addresses


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
