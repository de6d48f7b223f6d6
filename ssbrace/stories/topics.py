"""Topics of the domain pack as rules over a story: entities, countries, claim kinds, keywords.

A story belongs to every topic it matches; a topic matches when any one of its rules does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from ssbrace.analysis.changes import Changes
from ssbrace.domains.schema import Topic
from ssbrace.errors import UsageError
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.stories_repo import DocRecord, StoryRecord
from ssbrace.stories.features import EntityIndex


@dataclass(frozen=True)
class StorySignals:
    """What topic rules look at in a story."""

    entities: frozenset[str]  # canonical names, from claims and the gazetteer
    countries: frozenset[str]
    kinds: frozenset[str]
    text: str
    topics: frozenset[str] = frozenset()  # slugs its documents' sources are filed under (OPML categories)


@cache
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    # "solid-state" also matches "solid state" and "Solid-State"
    parts = [re.escape(p) for p in re.split(r"[\s-]+", keyword.strip()) if p]
    return re.compile(r"(?<!\w)" + r"[\s-]+".join(parts) + r"(?!\w)", re.IGNORECASE)


def matches(topic: Topic, signals: StorySignals) -> bool:
    """Whether a story belongs to a topic: any rule of the topic holds, or a source filed it there."""
    if topic.slug in signals.topics:
        return True
    folded = {e.casefold() for e in signals.entities}
    if any(e.casefold() in folded for e in topic.entities):
        return True
    countries = {c.casefold() for c in signals.countries}
    if any(c.casefold() in countries for c in topic.countries):
        return True
    if any(k in signals.kinds for k in topic.kinds):
        return True
    return any(_keyword_pattern(k).search(signals.text) for k in topic.keywords if k.strip())


@dataclass(frozen=True)
class StoryContent:
    """A story with its documents and their claims, as the pipeline reads them for the topic rules."""

    story: StoryRecord
    docs: list[DocRecord]
    claims: list[ClaimRecord]


def story_signals(content: StoryContent, index: EntityIndex) -> StorySignals:
    """Entities, countries, claim kinds and text of a story's documents: its claims' signals, and the
    entities its text names."""
    text = "\n".join(f"{d.title or ''}\n{d.text}" for d in content.docs)
    of_claims = claim_signals(content.claims, index)
    named = set(index.find(text))
    return StorySignals(
        entities=of_claims.entities | named,
        countries=of_claims.countries | index.countries_of(named),
        kinds=of_claims.kinds,
        text=f"{content.story.headline}\n{text}",
        topics=frozenset(t for d in content.docs for t in d.topics),
    )


def claim_signals(claims: Iterable[ClaimRecord], index: EntityIndex) -> StorySignals:
    """What topic rules look at in a change (a new fact, a moved target, a conflict): its claims'
    subjects and objects, their places, kinds and sentences."""
    claims = list(claims)
    entities = {n for c in claims for n in (c.subject, c.object) if n}
    countries = {c.subject for c in claims if c.subject_type in ("country", "region")}
    countries |= {c.subject_country for c in claims if c.subject_country}
    countries |= index.countries_of(entities)
    return StorySignals(frozenset(entities), frozenset(countries), frozenset(c.kind for c in claims),
                        "\n".join(c.sentence for c in claims))


def changes_for_topic(topic: Topic, changes: Changes, index: EntityIndex) -> Changes:
    """The changes a topic's digest lists: those whose claims match the topic's rules, as stories do."""
    def keep(claims: Iterable[ClaimRecord]) -> bool:
        return matches(topic, claim_signals(claims, index))

    return Changes(changes.since, [n for n in changes.new_facts if keep(n.fact.claims)],
                   [m for m in changes.moved_targets if keep([m.entry.claim])],
                   [c for c in changes.new_conflicts if keep(c.claims)])


def find_topic(topics: Sequence[Topic], name: str) -> Topic:
    """A topic by slug or name (any case).

    Raises:
        UsageError: no such topic; the message lists the known slugs.
    """
    wanted = name.strip().casefold()
    for topic in topics:
        if wanted in {topic.slug.casefold(), topic.name.casefold()}:
            return topic
    known = ", ".join(t.slug for t in topics) or "none defined in the domain pack"
    raise UsageError(f"unknown topic {name!r} (known: {known})")


def topics_of_story(content: StoryContent, topics: Sequence[Topic], index: EntityIndex) -> list[Topic]:
    signals = story_signals(content, index)
    return [t for t in topics if matches(t, signals)]


def select_for_topic(
    topic: Topic, contents: Iterable[StoryContent], index: EntityIndex, limit: int | None = None
) -> list[StoryRecord]:
    """The stories of ``contents`` that belong to the topic, in their order, at most ``limit``.

    ``contents`` may be lazy: it is read no further than the limit.
    """
    found = []
    for content in contents:
        if matches(topic, story_signals(content, index)):
            found.append(content.story)
            if limit and len(found) >= limit:
                break
    return found
