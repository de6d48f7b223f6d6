"""An Atom feed (RFC 4287) of a topic's stories, built with ElementTree so every text is escaped."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path

from markupsafe import escape

from ssbrace import __version__
from ssbrace.domains.schema import Topic
from ssbrace.errors import DeliveryError
from ssbrace.kb.stories_repo import StoryRecord
from ssbrace.stories.brief import Brief

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 50


def _urn(name: str) -> str:
    """A stable id: the same name always gives the same urn:uuid."""
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def _stamp(moment: datetime | date | None) -> str:
    """RFC 3339 in UTC; a date is taken as its midnight, a naive time (SQLite) as UTC."""
    if moment is None:
        moment = datetime.now(UTC)
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time.min)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _updated(story: StoryRecord) -> datetime:
    moment = story.updated_at
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def entry_html(brief: Brief) -> str:
    """The brief as an HTML fragment (escaped here; ElementTree escapes it once more as XML text)."""
    items = []
    for bullet in brief.bullets:
        refs = "".join(f"[{brief.citation_number(d)}]" for d in bullet.citations)
        items.append(f"<li>{escape(bullet.text)} {refs}</li>")
    sources = []
    for n, source in enumerate(brief.sources, 1):
        label = str(escape(source.title or source.link))
        if source.link.startswith(("http://", "https://")):
            label = f'<a href="{escape(source.link)}">{label}</a>'
        sources.append(f"<li>[{n}] {label}{', ' + escape(source.publisher) if source.publisher else ''}</li>")
    return f"<ul>{''.join(items)}</ul><p>{escape(brief.based_on)}</p><ol>{''.join(sources)}</ol>"


# Characters XML 1.0 cannot carry at all, even escaped (ElementTree would write them as they are).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _xml_safe(text)
    return element


def compose_feed(topic: Topic, entries: Sequence[tuple[StoryRecord, Brief]], *, base_url: str) -> bytes:
    """The Atom document of a topic's stories, each with its brief, latest first (UTF-8 bytes).

    ``ssbrace.pipeline.build_feed`` reads the stories and their briefs.
    """
    base = base_url.rstrip("/")
    stories = [story for story, _ in entries]
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", _urn(f"{base}/feeds/{topic.slug}"))
    _sub(feed, "title", f"ssbrace: {topic.name}")
    _sub(feed, "subtitle", f"Stories on {topic.name}, each bullet citing its sources")
    updated = max((_updated(s) for s in stories), default=None)
    _sub(feed, "updated", _stamp(updated))
    _sub(feed, "link", rel="self", href=f"{base}/feeds/{topic.slug}.atom", type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=f"{base}/topics/{topic.slug}", type="text/html")
    author = _sub(feed, "author")
    _sub(author, "name", "ssbrace")
    _sub(feed, "generator", "ssbrace", version=__version__)
    for story, brief in entries:
        entry = _sub(feed, "entry")
        _sub(entry, "id", _urn(f"{base}/stories/{story.id}"))
        _sub(entry, "title", brief.headline, type="text")
        _sub(entry, "updated", _stamp(_updated(story)))
        _sub(entry, "published", _stamp(story.first_date or story.created_at))
        _sub(entry, "link", rel="alternate", href=f"{base}/stories/{story.id}", type="text/html")
        for source in brief.sources:
            if source.link.startswith(("http://", "https://")):
                _sub(entry, "link", rel="related", href=source.link, title=source.title or source.link)
        summary = " ".join(b.text for b in brief.bullets[:1]) or brief.headline
        _sub(entry, "summary", summary, type="text")
        _sub(entry, "content", entry_html(brief), type="html")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def write_feed(data: bytes, out: Path) -> None:
    """Write a feed atomically: a reader never sees half a file.

    Raises:
        DeliveryError: the folder is missing or not writable.
    """
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as exc:
        raise DeliveryError(f"cannot write feed {out}: {exc.strerror or exc}") from None
