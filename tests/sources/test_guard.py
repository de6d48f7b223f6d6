"""The address guard classifies addresses before any connection."""

from __future__ import annotations

import ipaddress

import pytest

from ssbrace.errors import BlockedAddressError
from ssbrace.sources.guard import AddressGuard, classify


@pytest.mark.parametrize(
    "address, kind",
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.5", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("::ffff:127.0.0.1", "loopback"),
        ("100.64.0.1", "private"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_classify(address, kind):
    assert classify(ipaddress.ip_address(address)) == kind


def test_loopback_refused_without_allow_private():
    with pytest.raises(
        BlockedAddressError, match=r"127\.0\.0\.1 is a loopback address \(use --allow-private\)"
    ):
        AddressGuard().resolve("127.0.0.1", 80)


def test_names_are_resolved_and_every_address_checked():
    with pytest.raises(BlockedAddressError, match="localhost .* loopback"):
        AddressGuard().resolve("localhost", 80)


def test_allow_private_opens_private_ranges_but_not_unspecified_or_multicast():
    guard = AddressGuard(allow_private=True)
    assert guard.resolve("127.0.0.1", 80) == ["127.0.0.1"]
    assert guard.resolve("10.0.0.1", 80) == ["10.0.0.1"]
    with pytest.raises(BlockedAddressError, match="unspecified"):
        guard.resolve("0.0.0.0", 80)
    with pytest.raises(BlockedAddressError, match="multicast"):
        guard.resolve("224.0.0.1", 80)


def test_allow_networks_opens_only_those_networks():
    guard = AddressGuard(allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    assert guard.resolve("127.0.0.1", 80) == ["127.0.0.1"]
    with pytest.raises(BlockedAddressError, match="10.0.0.1 is a private address"):
        guard.resolve("10.0.0.1", 80)


def test_public_literal_passes_without_a_lookup():
    assert AddressGuard().resolve("8.8.8.8", 443) == ["8.8.8.8"]
