"""What the app keeps between requests: the store, the domain pack and the analysis of the claims.

The analysis (facts, conflicts, ledgers, boards) is the same ``Knowledge`` bundle the CLI and the report
build, by the same function (``ssbrace.pipeline.knowledge_in``); the app keeps one and rebuilds it only
when the store's fingerprint changes, so a page costs a lookup, not a pass over every claim.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from ssbrace.analysis.bundle import Knowledge
from ssbrace.analysis.conflicts import Conflict
from ssbrace.analysis.facts import Fact
from ssbrace.analysis.roadmaps import Ledger
from ssbrace.analysis.scoreboard import Board
from ssbrace.domains.loader import DomainPack, load_domain
from ssbrace.kb.queries import EntityRow, entity_rows
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.search import TopicRule, store_fingerprint
from ssbrace.kb.store import Store
from ssbrace.pipeline import knowledge_in
from ssbrace.settings import Settings

# How long a page may show the analysis before the store is asked whether it changed: writes from other
# processes (ingest, extract) show up within this delay, and a busy server asks once, not per request.
RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class Cell:
    """What a board cell shows besides its figure."""

    lead: ClaimRecord | None
    sources: str
    n_sources: int


def sources_line(claims: Iterable[ClaimRecord], most: int = 6) -> str:
    """'Reuters, Nikkei, ... and 12 more': the distinct sources of some claims, for a tooltip."""
    names = sorted({c.source_name for c in claims})
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


@dataclass
class Snapshot:
    """One analysis of the store, and indexes the pages look things up in."""

    fingerprint: tuple
    knowledge: Knowledge
    entities: list[EntityRow]
    _boards: dict[str, Board] = field(default_factory=dict)
    _cells: dict[str, dict[tuple[str, str], Cell]] = field(default_factory=dict)

    def board(self, by: str) -> Board:
        if by not in self._boards:
            self._boards[by] = self.knowledge.board(by)
        return self._boards[by]

    def board_cells(self, by: str) -> dict[tuple[str, str], Cell]:
        """(entity, indicator) -> the claim its figure links to and its sources, worked out once per board."""
        if by not in self._cells:
            self._cells[by] = {(row.entity, name): Cell(ind.lead, sources_line(ind.claims), ind.n_sources)
                               for row in self.board(by).rows for name, ind in row.indicators.items()}
        return self._cells[by]

    @cached_property
    def by_entity(self) -> dict[str, list[ClaimRecord]]:
        """Entity name (casefolded) -> claims naming it as subject or object."""
        index: dict[str, list[ClaimRecord]] = defaultdict(list)
        for record in self.knowledge.records:
            index[record.subject.casefold()].append(record)
            if record.object and record.object.casefold() != record.subject.casefold():
                index[record.object.casefold()].append(record)
        return index

    def claims_of(self, name: str) -> list[ClaimRecord]:
        return self.by_entity.get(name.casefold(), [])

    @cached_property
    def facts_by_entity(self) -> dict[str, list[Fact]]:
        index: dict[str, list[Fact]] = defaultdict(list)
        for fact in self.knowledge.facts:
            index[fact.key.entity.casefold()].append(fact)
        return index

    @cached_property
    def ledgers_by_entity(self) -> dict[str, list[Ledger]]:
        index: dict[str, list[Ledger]] = defaultdict(list)
        for ledger in self.knowledge.ledgers:
            index[ledger.entity.casefold()].append(ledger)
        return index

    @cached_property
    def conflicts_by_entity(self) -> dict[str, list[Conflict]]:
        index: dict[str, list[Conflict]] = defaultdict(list)
        for conflict in self.knowledge.conflicts:
            for name in conflict.entities:
                index[name.casefold()].append(conflict)
        return index

    @cached_property
    def entity_index(self) -> dict[str, EntityRow]:
        """Canonical names and aliases (casefolded) -> entity."""
        index: dict[str, EntityRow] = {}
        for row in self.entities:
            for name in (*row.aliases, row.name):  # the canonical name wins over another's alias
                index[name.casefold()] = row
        return index

    def entity(self, name: str) -> EntityRow | None:
        return self.entity_index.get(name.strip().casefold())


class AppState:
    """Settings, store, pack and the cached analysis of one running app."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or Store(settings.db)
        self.pack: DomainPack = load_domain(settings.domain)
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        """The analysis of the store as it is now (rebuilt when claims, entities or stories changed)."""
        current = self._snapshot
        now = time.monotonic()
        if current is not None and now - self._checked < RECHECK_SECONDS:
            return current
        with self.store.session() as session:
            fingerprint = store_fingerprint(session)
        self._checked = now
        if current is not None and current.fingerprint == fingerprint:
            return current
        # One rebuild at a time. While one runs, readers that have a snapshot answer from it instead of
        # queueing behind the rebuild (during an ingest the store changes all the time); only the very
        # first snapshot is waited for.
        if not self._lock.acquire(blocking=current is None):
            return current  # type: ignore[return-value]
        try:
            current = self._snapshot
            if current is not None and current.fingerprint == fingerprint:
                return current
            # The fingerprint, the claims and the entities are read in one session: one state of the store.
            with self.store.session() as session:
                fingerprint = store_fingerprint(session)
                knowledge = knowledge_in(session, self.pack)
                entities = entity_rows(session)
            self._snapshot = Snapshot(fingerprint, knowledge, entities)
            self._checked = time.monotonic()
            return self._snapshot
        finally:
            self._lock.release()

    def topic_rule(self, slug: str) -> TopicRule | None:
        """The pack's topic with this slug as a claim filter; None when the pack has no such topic."""
        for topic in self.pack.topics:
            if topic.slug == slug:
                return TopicRule(tuple(topic.kinds), tuple(topic.entities), tuple(topic.countries),
                                 tuple(topic.keywords))
        return None

    def close(self) -> None:
        self.store.dispose()
