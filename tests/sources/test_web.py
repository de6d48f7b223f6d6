"""Fetching against the real test server: redirects, caps, types, timeouts, the guard per hop."""

from __future__ import annotations

import ipaddress

import pytest

from ssbrace.errors import BlockedAddressError, FetchError
from ssbrace.sources.guard import AddressGuard
from ssbrace.sources.web import FetchOptions, fetch

LOCAL = AddressGuard(allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))


def options(**changes) -> FetchOptions:
    base = dict(guard=LOCAL, connect_timeout=2.0, read_timeout=1.0, max_bytes=10_000_000)
    base.update(changes)
    return FetchOptions(**base)


def test_fetches_a_page(http_server):
    page = fetch(http_server.url("pages/electrolyte-primer.html"), options())
    assert page.status == 200
    assert page.content_type == "text/html" and page.charset == "utf-8"
    assert b"Sulfide electrolytes conduct lithium ions" in page.body


def test_loopback_refused_before_any_connection(http_server):
    with pytest.raises(BlockedAddressError, match="use --allow-private"):
        fetch(http_server.url("pages/electrolyte-primer.html"), options(guard=AddressGuard()))
    assert http_server.state.hits["/pages/electrolyte-primer.html"] == 0


def test_redirects_are_followed_and_each_hop_checked(http_server):
    page = fetch(http_server.url("redirect/page"), options())
    assert page.url.endswith("/pages/electrolyte-primer.html")
    assert http_server.state.hits["/redirect/page-2"] == 1


def test_redirect_to_a_private_address_is_refused(http_server):
    with pytest.raises(BlockedAddressError, match="10.0.0.1 is a private address"):
        fetch(http_server.url("redirect/private"), options())


def test_redirect_to_unspecified_address_is_refused_even_with_allow_private(http_server):
    with pytest.raises(BlockedAddressError, match="0.0.0.0 is an unspecified address"):
        fetch(http_server.url("redirect/zero"), options(guard=AddressGuard(allow_private=True)))
    # 0.0.0.0 would have reached this server: the page must not have been served.
    assert http_server.state.hits["/pages/electrolyte-primer.html"] == 0


def test_redirect_to_file_scheme_is_refused(http_server):
    with pytest.raises(FetchError, match="only http and https"):
        fetch(http_server.url("redirect/file"), options())


def test_redirect_loop_stops(http_server):
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(http_server.url("redirect/loop"), options(max_redirects=3))
    assert http_server.state.hits["/redirect/loop"] == 4


@pytest.mark.parametrize("code", [404, 500])
def test_http_errors(http_server, code):
    with pytest.raises(FetchError, match=f"^HTTP {code}"):
        fetch(http_server.url(f"status/{code}"), options())


def test_hanging_server_times_out(http_server):
    http_server.state.slow_seconds = 5
    with pytest.raises(FetchError, match="timed out waiting for an answer"):
        fetch(http_server.url("slow"), options(read_timeout=0.5))


def test_streamed_page_stops_at_the_cap(http_server):
    with pytest.raises(FetchError, match="page larger than 1000000 bytes"):
        fetch(http_server.url("huge"), options(max_bytes=1_000_000))
    # The server got far less than its 50 MB out before the client hung up.
    assert http_server.state.hits["/huge:bytes"] < 20_000_000


def test_declared_length_over_the_cap_is_refused_without_reading(http_server):
    with pytest.raises(FetchError, match=r"page larger than 10000000 bytes \(declared 50000000\)"):
        fetch(http_server.url("huge-declared"), options())


def test_wrong_content_type(http_server):
    with pytest.raises(FetchError, match="unsupported content type application/pdf"):
        fetch(http_server.url("wrong-type"), options())


def test_conditional_get(http_server):
    first = fetch(http_server.url("conditional/feed.xml"), options())
    assert first.etag == '"v1"' and first.last_modified
    again = fetch(http_server.url("conditional/feed.xml"), options(), etag=first.etag)
    assert again.not_modified and again.body == b""
    assert http_server.state.not_modified["/conditional/feed.xml"] == 1
