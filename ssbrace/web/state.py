"""What the app keeps between requests: the store, the domain pack and the analysis of the claims.

The analysis (facts, conflicts, ledgers, boards) is the same ``Knowledge`` bundle the CLI and the report
build, by the same function (``ssbrace.pipeline.knowledge_in``); the app keeps one, with every part and
index computed, as a ``Snapshot``, so a page costs a lookup, not a pass over every claim.

No request waits for the analysis to be brought up to date: a request at most notices (once a second) that
the store may have changed and starts a background update; requests keep answering from the snapshot they
find until the new one is swapped in whole. An update reads only the claims that changed and recomputes only
the touched entities' parts (``Knowledge.updated``); when most claims changed it reads everything again,
still in the background. Only the very first snapshot,
started when the app is created, is waited for, and for at most ``FIRST_WAIT_SECONDS``: after that a
request is answered 503 "building" until it is ready.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ssbrace.analysis.bundle import Knowledge
from ssbrace.analysis.conflicts import Conflict
from ssbrace.analysis.facts import Fact
from ssbrace.analysis.roadmaps import Ledger
from ssbrace.analysis.scoreboard import Board
from ssbrace.domains.loader import DomainPack, load_domain
from ssbrace.kb.queries import (
    ClaimSources,
    EntityRow,
    changed_claims,
    claim_records_by_id,
    claim_sources,
    entity_rows,
)
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.search import ClaimFilter, ClaimIndex, TopicRule, entity_names, store_fingerprint
from ssbrace.kb.store import Store
from ssbrace.pipeline import knowledge_in
from ssbrace.settings import Settings

# How long a page may show the analysis before the store is asked whether it changed: writes from other
# processes (ingest, extract) show up within this delay plus the update, and a busy server asks once, not
# per request.
RECHECK_SECONDS = 1.0
# How long a request waits for the very first snapshot before it is answered "building" (503): a small
# store is ready well within it; 100,000 claims take about ten seconds.
FIRST_WAIT_SECONDS = 5.0
# An update that finds more than this share of the claims changed reads them all again (one scan is then
# cheaper than lookups by id).
FULL_READ_SHARE = 0.3
# Rendered page fragments kept per snapshot (entity pages are the many; each is tens of KB).
FRAGMENTS = 256
# Search results (a page of hits: a few KB) and match counts (by query words) kept per snapshot.
SEARCHES = 256
SEARCH_TOTALS = 4096
# Story briefs kept, by what each rests on (``views.stories``): a listing page shows up to 50.
BRIEFS = 512
log = logging.getLogger(__name__)


class Building(Exception):
    """The first analysis of the store is not ready yet."""


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


class Lru(MutableMapping[Any, Any]):
    """A dict that keeps its ``size`` most recently used entries, safe to share between request threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __getitem__(self, key: Any) -> Any:
        with self._lock:
            value = self._items[key]
            self._items.move_to_end(key)
            return value

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __delitem__(self, key: Any) -> None:
        with self._lock:
            del self._items[key]

    def __iter__(self) -> Iterator[Any]:
        with self._lock:
            return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def get_or_make(self, key: Any, make: Callable[[], Any]) -> Any:
        try:
            return self[key]
        except KeyError:
            pass
        value = make()  # outside the lock: two requests may make it at once, and both get the same value
        self[key] = value
        return value


@dataclass
class Snapshot:
    """One analysis of the store, and indexes the pages look things up in."""

    fingerprint: tuple
    knowledge: Knowledge
    entities: list[EntityRow]
    sources: ClaimSources | None = None  # what the claims were read from, to tell what a change touched
    names: dict[str, tuple[int, ...]] | None = None  # entity names as the store matches them (``entity_names``)
    _boards: dict[str, Board] = field(default_factory=dict)
    _cells: dict[str, dict[tuple[str, str], Cell]] = field(default_factory=dict)
    _fragments: Lru = field(default_factory=lambda: Lru(FRAGMENTS))
    _searches: Lru = field(default_factory=lambda: Lru(SEARCHES))
    # Match counts by query words, for ``kb.search.search(totals=...)``: a repeated or paged query is not
    # counted again while the store is unchanged.
    search_totals: Lru = field(default_factory=lambda: Lru(SEARCH_TOTALS))

    def warm(self) -> Snapshot:
        """Compute every part and index now (in the updater), so that no request computes one."""
        k = self.knowledge
        _ = k.facts, k.conflicts, k.ledgers, k.moves, k.findings
        for by in ("country", "company"):
            self.board_cells(by)
        _ = self.by_entity, self.facts_by_entity, self.ledgers_by_entity, self.conflicts_by_entity
        _ = self.entity_index, self.records_by_id
        if self.claim_index is not None:
            self.claim_index.find(ClaimFilter(), limit=1)  # every claim sorted once (0.1-0.2 s at 100,000)
        return self

    def fragment(self, key: tuple, make: Callable[[], Any]) -> Any:
        """A rendered piece of a page, made once per snapshot (the snapshot never changes, so neither does it)."""
        return self._fragments.get_or_make(key, make)

    def search(self, key: tuple, make: Callable[[], Any]) -> Any:
        """Search results, found once per snapshot: they lag the store as the snapshot does (``store_fingerprint``
        counts documents too, so a new document makes a new snapshot)."""
        return self._searches.get_or_make(key, make)

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

    @cached_property
    def records_by_id(self) -> dict[int, ClaimRecord]:
        return {record.id: record for record in self.knowledge.records}

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

    @cached_property
    def claim_index(self) -> ClaimIndex | None:
        """Claim listings by entity, kind and date answered from this snapshot's records (None when it was
        built without the links and names that takes)."""
        if self.sources is None or self.names is None:
            return None
        return ClaimIndex(self.knowledge.records, self.sources.links, self.names)


class AppState:
    """Settings, store, pack and the analysis snapshot of one running app, kept up to date in the background."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or Store(settings.db)
        self.pack: DomainPack = load_domain(settings.domain)
        self._snapshot: Snapshot | None = None
        self._checked = time.monotonic()
        self._updating = threading.Lock()  # one update at a time
        self._starting = threading.Lock()  # one updater thread at a time
        self._worker: threading.Thread | None = None
        self._failure: Exception | None = None
        self._closed = False
        self.last_update: dict[str, Any] = {}  # how the latest update went: "how" (full/incremental), seconds, claims
        self.briefs = Lru(BRIEFS)  # story briefs by what they rest on: they outlive snapshots
        self._start_update()  # the first snapshot is built from the start, not on the first request

    def snapshot(self) -> Snapshot:
        """The latest analysis of the store (at most a recheck and an update behind it); never waits for an
        update, except for the very first snapshot (``FIRST_WAIT_SECONDS``, then ``Building``)."""
        current = self._snapshot
        if current is None:
            return self._first()
        now = time.monotonic()
        if now - self._checked >= RECHECK_SECONDS:
            self._checked = now
            self._start_update()
        return current

    def refresh(self) -> Snapshot:
        """Bring the snapshot up to date now and return it: a write route calls this so that the writer's
        next read shows its write (the writer waits for the update; readers do not)."""
        with self._updating:
            self._update()
        assert self._snapshot is not None
        return self._snapshot

    def _first(self) -> Snapshot:
        worker = self._start_update()
        worker.join(FIRST_WAIT_SECONDS)
        if self._snapshot is not None:
            return self._snapshot
        if worker.is_alive():
            raise Building("the analysis of the store is being built; try again in a few seconds")
        failure, self._failure = self._failure, None
        raise failure or Building("the analysis of the store could not be built")

    def _start_update(self) -> threading.Thread:
        """The updater thread, started unless one runs already."""
        with self._starting:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run_update, name="ssbrace-snapshot", daemon=True)
                self._worker.start()
            return self._worker

    def _run_update(self) -> None:
        try:
            with self._updating:
                if not self._closed:
                    self._update()
        except Exception as exc:  # noqa: BLE001 - kept for the request waiting on the first snapshot
            self._failure = exc
            if self._snapshot is not None:
                log.warning("updating the analysis failed (the previous one is served): %s", exc)

    def _update(self) -> None:
        """Swap in a snapshot of the store as it is now, if it changed: incremental when it can be."""
        current = self._snapshot
        started = time.perf_counter()
        # The fingerprint is read first: a write landing during the update changes it again, so the next
        # check sees it (read after, it could hide that write).
        with self.store.session() as session:
            fingerprint = store_fingerprint(session)
            if current is not None and current.fingerprint == fingerprint:
                return
            sources = claim_sources(session)
            changed, removed = (changed_claims(current.sources, sources) if current and current.sources
                                else (set(), set()))
            incremental = (current is not None and current.sources is not None
                           and len(changed) + len(removed) <= FULL_READ_SHARE * max(len(sources.links), 1))
            if incremental and not changed and not removed:
                assert current is not None
                knowledge = current.knowledge  # documents or stories changed, no claim's record did
            elif incremental:
                assert current is not None
                knowledge = current.knowledge.updated(claim_records_by_id(session, changed), removed)
            else:
                knowledge = knowledge_in(session, self.pack)
            entities = entity_rows(session)
            names = entity_names(session)
        self._snapshot = Snapshot(fingerprint, knowledge, entities, sources, names).warm()
        self._checked = time.monotonic()
        self.last_update = {"how": "incremental" if incremental else "full", "claims": len(knowledge.records),
                            "changed": len(changed) + len(removed), "seconds": time.perf_counter() - started}

    def topic_rule(self, slug: str) -> TopicRule | None:
        """The pack's topic with this slug as a claim filter; None when the pack has no such topic."""
        for topic in self.pack.topics:
            if topic.slug == slug:
                return TopicRule(tuple(topic.kinds), tuple(topic.entities), tuple(topic.countries),
                                 tuple(topic.keywords))
        return None

    def close(self) -> None:
        self._closed = True
        worker = self._worker
        if worker is not None:
            worker.join(timeout=30)
        self.store.dispose()
