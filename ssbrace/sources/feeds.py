"""RSS and Atom feeds: recognised by their content, parsed with feedparser."""

from __future__ import annotations

import codecs
import re
import xml.sax
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import feedparser

from ssbrace import budget, isolated
from ssbrace.errors import InputError

# The first element of a feed, after any XML declaration, comments, doctype or processing instruction.
_PROLOGUE = re.compile(rb"^(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*", re.S | re.I)
_FEED_ROOT = re.compile(rb"<(?:[\w.-]+:)?(rss|feed|RDF)\b", re.I)
_HTML_ROOT = re.compile(rb"<(?:html|head|body)\b", re.I)
# Feeds longer than this (bytes) are parsed in a child even in the main thread, as big pages are
# (``documents.html_worker``): the alarm reaches only Python code, not expat parsing in C. Feeds are 10-500 KB.
ISOLATE_ABOVE_BYTES = 1_000_000


class FeedError(InputError):
    """A feed could not be read: broken XML, or not a feed at all."""


@dataclass
class FeedEntry:
    """One item of a feed: where the article is, and the text the feed carries itself."""

    link: str | None
    entry_id: str | None
    title: str | None
    author: str | None
    published: date | None
    content_html: str | None  # full content (content:encoded or atom:content), if any
    summary_html: str | None

    @property
    def location(self) -> str | None:
        return self.link or self.entry_id


@dataclass
class Feed:
    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)


def _ascii_head(body: bytes) -> bytes:
    """The first 4 KB as ASCII-compatible bytes: a UTF-8 BOM dropped, UTF-16 (BOM or not) re-encoded."""
    head = body[:4096]
    if head.startswith(codecs.BOM_UTF8):
        return head[len(codecs.BOM_UTF8) :]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif head.startswith(b"<\x00?\x00"):
        encoding = "utf-16-le"
    elif head.startswith(b"\x00<\x00?"):
        encoding = "utf-16-be"
    else:
        return head
    # An odd cut at 4 KB may split a character: errors are replaced, only the start matters here.
    return head.decode(encoding, errors="replace").lstrip("\ufeff").encode("utf-8")


def looks_like_feed(body: bytes) -> bool:
    """True when the document's root element is rss, feed (Atom) or rdf:RDF."""
    head = _ascii_head(body)
    start = _PROLOGUE.match(head)
    rest = head[start.end() if start else 0 :]
    return bool(_FEED_ROOT.match(rest))


def looks_like_html(body: bytes) -> bool:
    """True when the document starts like an HTML page."""
    head = _ascii_head(body)
    start = _PROLOGUE.match(head)
    rest = head[start.end() if start else 0 :]
    return bool(_HTML_ROOT.match(rest))


def _date(parsed: Sequence[int] | None) -> date | None:
    if not parsed:
        return None
    try:
        return date(*parsed[:3])
    except (TypeError, ValueError):
        return None


def parse_feed(body: bytes, url: str | None = None) -> Feed:
    """Parse an RSS/Atom document.

    Raises:
        FeedError: the XML is broken (feedparser's lenient parser is not trusted to guess), or the
            document is not a feed.
    """
    if not looks_like_feed(body):
        if looks_like_html(body):
            raise FeedError("not a feed: the document is an HTML page")
        raise FeedError("not a feed: no rss, feed or RDF root element")
    parsed = feedparser.parse(body, response_headers={"content-location": url} if url else None)
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and isinstance(problem, xml.sax.SAXException):
        raise FeedError(f"feed XML is broken: {_one_line(problem)}")
    feed = Feed(title=parsed.feed.get("title"))
    for item in parsed.entries:
        content = None
        for part in item.get("content") or []:
            if part.get("value"):
                content = part["value"]
                break
        feed.entries.append(
            FeedEntry(
                link=item.get("link"),
                entry_id=item.get("id"),
                title=item.get("title"),
                author=item.get("author"),
                published=_date(item.get("published_parsed") or item.get("updated_parsed")),
                content_html=content,
                summary_html=item.get("summary"),
            )
        )
    return feed


def parse_feed_within_budget(body: bytes, url: str | None = None) -> Feed:
    """``parse_feed`` within the current document's time budget: feedparser has no point where the budget is
    checked, so where the alarm cannot stop it (another thread) or the feed is big, it runs in a child process
    that is killed when the budget runs out (``ssbrace.isolated``).

    Raises:
        FeedError: as ``parse_feed``.
        TimeBudgetExceeded: the budget ran out while parsing.
        InputError: feedparser failed otherwise, or its process died.
    """
    stage = "parsing the feed"
    if isolated.should_isolate(len(body), ISOLATE_ABOVE_BYTES):
        return isolated.run(parse_feed, body, url, stage=stage, failure="cannot parse the feed",
                            preload=("feedparser",))
    with budget.interruptible(stage):
        return parse_feed(body, url)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())
