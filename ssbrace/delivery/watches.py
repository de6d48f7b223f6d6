"""Watches as rules over what topics look at (``stories.topics``): which stories and events a watch follows,
the topic its digest and feed are titled with, and the alert email that lists its events.

A watch on a company or programme follows the entity; one on a country or region also follows what its
companies do; a keyword matches on word boundaries, as topic keywords do, and also in the plural; a saved
search needs every one of its words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import escape

from ssbrace.delivery.events import Event
from ssbrace.domains.schema import Topic
from ssbrace.kb.watches_repo import WatchRecord
from ssbrace.stories.topics import StorySignals, matches

WATCH_KINDS = ("entity", "keyword", "search")
PLACE_TYPES = frozenset({"country", "region"})


def label(watch: WatchRecord) -> str:
    """How a watch is named in listings, subjects and feed titles."""
    if watch.kind == "entity":
        return watch.value
    return f"“{watch.value}”" if watch.kind == "keyword" else f"search: {watch.value}"


def slug(watch: WatchRecord) -> str:
    """The watch's path under /feeds and /topics (``/feeds/watches/3.atom``)."""
    return f"watches/{watch.id}"


def watch_topic(watch: WatchRecord) -> Topic:
    """The topic a watch reads as: its digest, feed and page are titled with it."""
    rules: dict[str, list[str]] = {}
    if watch.kind == "entity":
        rules["countries" if watch.entity_type in PLACE_TYPES else "entities"] = [watch.value]
    elif watch.kind == "keyword":
        rules["keywords"] = [watch.value]
    return Topic(name=label(watch), slug=slug(watch), **rules)


def _word(word: str) -> str:
    """A word and its plural: a watch on "sulfide electrolyte" is news when an article names electrolytes."""
    if len(word) > 2 and word[-1] in "yY" and word[-2].lower() not in "aeiou":
        return re.escape(word[:-1]) + "(?:y|ies)"
    return re.escape(word) + "(?:e?s)?"


def keyword_pattern(value: str) -> re.Pattern[str]:
    """A keyword as a watch matches it: whole words, any case, a hyphen or spaces between its words (as topic
    keywords), each word also in its plural."""
    parts = [_word(p) for p in re.split(r"[\s-]+", value.strip()) if p]
    return re.compile(r"(?<!\w)" + r"[\s-]+".join(parts) + r"(?!\w)", re.IGNORECASE)


def watch_matches(watch: WatchRecord, signals: StorySignals) -> bool:
    """Whether a story's or an event's signals concern what the watch follows."""
    if watch.kind in ("keyword", "search"):
        words = [watch.value] if watch.kind == "keyword" else watch.value.split()
        return bool(words) and all(keyword_pattern(w).search(signals.text) for w in words if w.strip())
    if watch.kind == "entity" and watch.entity_type in PLACE_TYPES:
        # a place's own claims, and its companies' (countries_of): a Japanese firm's slip is Japan's news
        folded = watch.value.casefold()
        return folded in {e.casefold() for e in signals.entities} or folded in {c.casefold() for c in signals.countries}
    return matches(watch_topic(watch), signals)


def alerts_for(watch: WatchRecord, events: Sequence[Event]) -> list[Event]:
    """The events a watch alerts on: changes to what it follows (figures, slips, conflicts)."""
    from ssbrace.delivery.events import WATCH_EVENTS

    return [e for e in events if e.type in WATCH_EVENTS and watch_matches(watch, e.signals)]


def watch_json(watch: WatchRecord) -> dict[str, object]:
    """A watch as the payload and the API show it (its address stays out)."""
    return {"id": watch.id, "kind": watch.kind, "value": watch.value, "entity_type": watch.entity_type,
            "label": label(watch)}


# --- the alert email ---

_TITLES = {"new_figure": "New figure", "target_slip": "Target slipped", "new_conflict": "New conflict",
           "new_claim": "New claim", "new_story": "New story"}


@dataclass(frozen=True)
class AlertMail:
    subject: str
    text: str
    html: str


def alert_mail(items: Sequence[tuple[str, str, str]], *, stops: Sequence[tuple[str, str]], stop_all: str,
               address: str, watch_count: int, base_url: str) -> AlertMail:
    """One email for one address: each (event type, summary, watch label) as a line, then what each link stops.

    Args:
        stops: (watch label, link) for each watch this message alerts for: the link stops that watch's emails.
        stop_all: the link that stops the emails of every watch sending to ``address``.
        watch_count: how many watches send to ``address`` (the all-link is offered when there are several).

    Titles and sentences come from documents: the HTML escapes them, the subject holds none of them.
    """
    followed = sorted({w for _, _, w in items})
    subject = (f"ssbrace alert: {_TITLES.get(items[0][0], items[0][0])} ({followed[0]})" if len(items) == 1
               else f"ssbrace: {len(items)} alerts on {', '.join(followed)}")
    lines = [f"- {_TITLES.get(kind, kind)} [{watch}]: {' '.join(summary.split())}" for kind, summary, watch in items]
    links = [(f"Stop the alert emails on {name}", url) for name, url in stops]
    if watch_count > 1 or not links:
        links.append((f"Stop every alert email to {address} ({watch_count} watches)" if watch_count > 1
                      else f"Stop every alert email to {address}", stop_all))
    text = "\n".join(["What changed on what you follow:", "", *lines, "", f"Your watches: {base_url.rstrip('/')}/watches",
                      *(f"{what}: {url}" for what, url in links), ""])
    rows = "".join(f"<li><strong>{escape(_TITLES.get(kind, kind))}</strong> [{escape(watch)}]: {escape(summary)}</li>"
                   for kind, summary, watch in items)
    stop_links = "".join(f'<li><a href="{escape(url)}">{escape(what)}</a></li>' for what, url in links)
    html = (f"<!doctype html><html><body><p>What changed on what you follow:</p><ul>{rows}</ul>"
            f'<p><a href="{escape(base_url.rstrip("/"))}/watches">Your watches</a></p><ul>{stop_links}</ul>'
            "</body></html>")
    return AlertMail(subject, text, html)
