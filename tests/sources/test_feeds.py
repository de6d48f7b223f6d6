"""Feed detection by content and parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssbrace.sources.feeds import FeedError, looks_like_feed, parse_feed

WEB = Path(__file__).resolve().parents[1] / "data" / "web"


def read(name: str) -> bytes:
    return (WEB / name).read_bytes().replace(b"{{BASE}}", b"http://127.0.0.1:9")


@pytest.mark.parametrize("name", ["feeds/summary.xml", "feeds/fulltext.atom", "feeds/broken.xml"])
def test_feeds_are_recognised_by_content(name):
    assert looks_like_feed(read(name))


@pytest.mark.parametrize(
    "body",
    [b"<!DOCTYPE html><html><body><p>x</p></body></html>", b"plain words", b"<?xml version='1.0'?><note/>"],
)
def test_other_documents_are_not_feeds(body):
    assert not looks_like_feed(body)


def test_bom_comment_and_prefix_before_root():
    body = b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- generated -->\n<rdf:RDF xmlns:rdf='x'></rdf:RDF>"
    assert looks_like_feed(body)


def test_rss_entries_with_links_and_dates():
    feed = parse_feed(read("feeds/summary.xml"))
    assert feed.title == "Cell Chemistry Notes"
    assert [e.link for e in feed.entries] == [
        "http://127.0.0.1:9/pages/entry-one.html",
        "http://127.0.0.1:9/pages/entry-two.html",
    ]
    assert str(feed.entries[1].published) == "2024-06-18"
    assert feed.entries[0].content_html is None


def test_atom_entries_carry_full_content():
    feed = parse_feed(read("feeds/fulltext.atom"))
    assert len(feed.entries) == 2
    entry = feed.entries[0]
    assert entry.author == "Lena Park"
    assert "anode-free cell" in entry.content_html
    assert entry.location == "http://127.0.0.1:9/articles/anode-free"


def test_broken_xml_is_reported():
    with pytest.raises(FeedError, match="^feed XML is broken: "):
        parse_feed(read("feeds/broken.xml"))


def test_html_is_not_a_feed():
    with pytest.raises(FeedError, match="not a feed: the document is an HTML page"):
        parse_feed(read("pages/electrolyte-primer.html"))
