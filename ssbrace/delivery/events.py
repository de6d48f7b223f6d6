"""Events: what changed with a batch (a new claim, figure, slipped target, conflict or story), each with a key
that names it the same way on every run, and the versioned JSON payload webhooks receive.

An event is found by comparing the analysis of the claims stored before a batch with the analysis after it
(``ssbrace.following`` reads both); this module only compares, names and shapes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from ssbrace.analysis.conflicts import Conflict
from ssbrace.analysis.facts import Fact, format_value
from ssbrace.analysis.roadmaps import Move
from ssbrace.delivery.records import to_json
from ssbrace.kb.records import ClaimRecord
from ssbrace.stories.features import EntityIndex
from ssbrace.stories.topics import StoryContent, StorySignals, claim_signals, story_signals

SCHEMA = "ssbrace.event/1"
# Every event type, in the order a reader meets them; a webhook registers for some of them.
EVENT_TYPES = ("new_claim", "new_figure", "target_slip", "new_conflict", "new_story")
# What a watch alerts on: the changes to a followed entity (its new claims and stories go to its digest).
WATCH_EVENTS = ("new_figure", "target_slip", "new_conflict")


def _plain(value: Any) -> Any:
    """JSON-ready data: dates as ISO strings."""
    return json.loads(json.dumps(value, default=str))


@dataclass(frozen=True)
class Event:
    """One change, with what watches match it against and what its payload carries."""

    type: str
    identity: str  # the same text on every run for the same change
    summary: str
    signals: StorySignals
    occurred: date | None = None
    data: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> str:
        """The stable event key: a delivery is unique per recipient and key."""
        return hashlib.sha256(self.identity.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Analysis:
    """The parts of an analysis events are read from (``analysis.bundle.Knowledge`` has them all)."""

    facts: Sequence[Fact] = ()
    moves: Sequence[Move] = ()
    conflicts: Sequence[Conflict] = ()


def claim_events(claims: Iterable[ClaimRecord], index: EntityIndex) -> list[Event]:
    """One ``new_claim`` per claim."""
    return [Event("new_claim", f"new_claim|{c.id}", f"{c.subject}: {c.kind.replace('_', ' ')}: {c.sentence}",
                  claim_signals([c], index), c.seen, {"claim": _plain(to_json(c))}) for c in claims]


def _fact_identity(fact: Fact) -> str:
    k = fact.key
    return f"{k.entity}|{k.kind}|{k.dimension}|{k.unit}|{k.year}|{k.year_end}"


def figure_events(before: Sequence[Fact], after: Sequence[Fact], new_ids: set[int], index: EntityIndex) -> list[Event]:
    """A ``new_figure`` for each fact a new claim created or whose consolidated value it changed; a new source
    repeating the figure already known is no new figure."""
    known = {_fact_identity(f): format_value(f.value, f.key.unit, f.bound) for f in before}
    events = []
    for fact in after:
        fresh = [c for c in fact.claims if c.id in new_ids]
        shown = format_value(fact.value, fact.key.unit, fact.bound)
        if fact.value is None or not fresh or known.get(_fact_identity(fact)) == shown:
            continue
        claim = max(fresh, key=lambda c: c.id)
        what = fact.key.kind.replace("_", " ") + (f" ({fact.key.dimension.replace('_', ' ')})"
                                                   if fact.key.dimension else "")
        summary = f"{fact.key.entity}: {what} {shown}, {fact.period} ({claim.source_name})"
        events.append(Event("new_figure", f"new_figure|{_fact_identity(fact)}|{shown}", summary,
                            claim_signals([claim], index), claim.seen,
                            {"fact": _plain(to_json(fact)), "claim": _plain(to_json(claim))}))
    return events


def slip_events(moves: Iterable[Move], new_ids: set[int], index: EntityIndex) -> list[Event]:
    """A ``target_slip`` for each target a new claim moved later."""
    events = []
    for move in moves:
        claim = move.entry.claim
        if move.entry.move != "slip" or claim.id not in new_ids:
            continue
        led = move.ledger
        data = {"entity": led.entity, "stage": led.stage, "previous": move.previous, "target": move.entry.target,
                "delta_years": move.entry.delta, "claim": _plain(to_json(claim))}
        events.append(Event("target_slip", f"target_slip|{led.entity}|{led.stage}|{move.previous}|{move.entry.target}",
                            move.summary, claim_signals([claim], index), claim.seen, data))
    return events


def _conflict_identity(c: Conflict) -> str:
    return f"{c.type}|{c.entity}|{c.kind}|{c.topic}|{c.period}"


def conflict_events(before: Sequence[Conflict], after: Sequence[Conflict], new_ids: set[int],
                    index: EntityIndex) -> list[Event]:
    """A ``new_conflict`` for each conflict that exists only because of a new claim (scope differences are
    shown, not counted, and raise none)."""
    known = {_conflict_identity(c) for c in before}
    events = []
    for conflict in after:
        identity = _conflict_identity(conflict)
        if conflict.type == "scope" or identity in known or not any(c.id in new_ids for c in conflict.claims):
            continue
        events.append(Event("new_conflict", f"new_conflict|{identity}", conflict.summary,
                            claim_signals(conflict.claims, index), conflict.newest,
                            {"conflict": _plain(to_json(conflict))}))
    return events


def story_events(contents: Iterable[StoryContent], index: EntityIndex, base_url: str = "") -> list[Event]:
    """A ``new_story`` for each story founded by the batch."""
    events = []
    for content in contents:
        story = content.story
        docs = [{"id": d.id, "title": d.title, "url": d.url, "publisher": d.publisher, "published": d.published}
                for d in content.docs]
        data = {"story": {"id": story.id, "headline": story.headline, "first_date": story.first_date,
                          "last_date": story.last_date, "documents": docs,
                          "url": f"{base_url.rstrip('/')}/stories/{story.id}"}}
        events.append(Event("new_story", f"new_story|{story.id}", story.headline or f"story {story.id}",
                            story_signals(content, index), story.first_date, _plain(data)))
    return events


def batch_events(before: Analysis, after: Analysis, new_claims: Sequence[ClaimRecord],
                 stories: Iterable[StoryContent], index: EntityIndex, base_url: str = "") -> list[Event]:
    """Every event of a batch: its claims, the figures, slips and conflicts they brought, its new stories."""
    new_ids = {c.id for c in new_claims}
    events = [*claim_events(new_claims, index), *figure_events(before.facts, after.facts, new_ids, index),
              *slip_events(after.moves, new_ids, index),
              *conflict_events(before.conflicts, after.conflicts, new_ids, index),
              *story_events(stories, index, base_url)]
    if not base_url:
        return events
    return [replace(e, data=_absolute(e.data, base_url.rstrip("/"))) for e in events]


def _absolute(value: Any, base: str) -> Any:
    """The records' links to this app's pages (``/documents/3#claim-9``) made absolute: a receiver is elsewhere."""
    if isinstance(value, dict):
        return {k: base + v if k == "url" and isinstance(v, str) and v.startswith("/") else _absolute(v, base)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_absolute(v, base) for v in value]
    return value


def payload(event: Event, *, delivery_id: str, created: datetime, watch: dict[str, Any] | None = None) -> bytes:
    """The body a webhook receives, schema ``ssbrace.event/1`` (docs/webhooks.md): UTF-8 JSON, keys sorted,
    written once and kept, so a retry sends the same bytes under the same signature."""
    body = {
        "schema": SCHEMA,
        "delivery": delivery_id,
        "event": event.type,
        "key": event.key,
        "created_at": created.isoformat(timespec="seconds"),
        "occurred_on": event.occurred.isoformat() if event.occurred else None,
        "summary": event.summary,
        "entities": sorted(event.signals.entities),
        "watch": watch,
        "data": event.data,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
