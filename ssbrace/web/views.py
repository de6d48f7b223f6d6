"""The data behind each page, gathered from the analysis and the store (no logic of its own).

Pages render these objects with templates; the API turns the same objects into JSON, so a page and
its ``/api/v1`` twin always show the same figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from ssbrace.analysis.checks import Finding
from ssbrace.analysis.conflicts import Conflict
from ssbrace.analysis.facts import Fact, format_value
from ssbrace.analysis.roadmaps import Ledger
from ssbrace.analysis.scoreboard import Board, BoardRow, shown_score
from ssbrace.delivery import charts
from ssbrace.delivery.links import entity_url, evidence_url
from ssbrace.kb import search as kb_search
from ssbrace.kb import stories_repo
from ssbrace.kb.queries import EntityRow
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.search import ClaimFilter, DocumentView, Page
from ssbrace.pipeline import build_brief
from ssbrace.stories.brief import Brief
from ssbrace.web.formatting import label
from ssbrace.web.highlight import Segment, segments
from ssbrace.web.state import AppState, Snapshot

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

COUNTRY_TYPES = ("country", "region")
CLAIMS_PER_PAGE = 25


@dataclass(frozen=True)
class EntityItem:
    """One line of the countries or companies list."""

    entity: EntityRow
    board: BoardRow | None


@dataclass(frozen=True)
class Series:
    """One indicator of an entity over time: a fact per period."""

    kind: str
    dimension: str
    unit: str
    facts: tuple[Fact, ...]

    @property
    def title(self) -> str:
        what = label(self.kind) + (f" ({label(self.dimension)})" if self.dimension else "")
        return what[:1].upper() + what[1:]


@dataclass(frozen=True)
class EntityPage:
    """What a company or country page shows."""

    name: str
    entity: EntityRow | None
    board: BoardRow | None
    series: list[Series]
    ledgers: list[Ledger]
    partnerships: list[ClaimRecord]
    specs: list[Fact]
    companies: list[EntityRow] = field(default_factory=list)
    programs: list[EntityRow] = field(default_factory=list)
    program_facts: list[Fact] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    claims: Page[ClaimRecord] | None = None

    @property
    def type(self) -> str:
        return self.entity.type if self.entity else ""


@dataclass(frozen=True)
class DocumentPage:
    document: DocumentView
    claims: list[ClaimRecord]
    segments: list[Segment]
    unplaced: list[ClaimRecord]
    story_id: int | None


@dataclass(frozen=True)
class StoryItem:
    story: stories_repo.StoryRecord
    documents: list[stories_repo.DocRecord]
    brief: Brief | None = None


def find_claims(state: AppState, flt: ClaimFilter, limit: int, offset: int,
                snap: Snapshot | None = None) -> Page[ClaimRecord]:
    """A claim listing from the snapshot's records when it can answer the filter (no query; it lags the
    store by the snapshot's update), else from the store."""
    snap = snap or state.snapshot()
    index = snap.claim_index
    found = index.find(flt, limit=limit, offset=offset) if index is not None else None
    if found is not None:
        return found
    with state.store.session() as session:
        return kb_search.find_claims(session, flt, limit=limit, offset=offset)


def search(state: AppState, query: str, limit: int, offset: int) -> kb_search.SearchResults:
    """Full-text search, answered once per snapshot for the same query and page; match counts are kept
    by query words, so the next page of a query is not counted again; claims found are the snapshot's
    records (those it has)."""
    snap = state.snapshot()

    def find() -> kb_search.SearchResults:
        with state.store.session() as session:
            return kb_search.search(session, query, limit=limit, offset=offset, totals=snap.search_totals,
                                    known=snap.records_by_id)

    return snap.search(("search", query, limit, offset), find)


def board(state: AppState, by: str) -> Board:
    return state.snapshot().board(by)


def _board_rows(snap: Snapshot, by: str) -> dict[str, BoardRow]:
    return {row.entity.casefold(): row for row in snap.board(by).rows}


def entity_list(state: AppState, types: tuple[str, ...]) -> list[EntityItem]:
    """Entities of these types that have claims, best board rank first, then by name."""
    snap = state.snapshot()
    rows = _board_rows(snap, "company" if "company" in types else "country")
    items = [EntityItem(e, rows.get(e.name.casefold())) for e in snap.entities
             if e.type in types and (e.claim_count or e.name.casefold() in rows)]
    items.sort(key=lambda i: (i.board.rank if i.board else 10**9, -i.entity.claim_count, i.entity.name))
    return items


def _series(facts: list[Fact]) -> list[Series]:
    groups: dict[tuple[str, str, str], list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.key.kind != "partnership" and fact.value is not None:
            groups[(fact.key.kind, fact.key.dimension, fact.key.unit)].append(fact)
    out = [Series(k, d, u, tuple(sorted(fs, key=lambda f: (f.key.year or 0, f.key.year_end or 0))))
           for (k, d, u), fs in groups.items()]
    out.sort(key=lambda s: (s.kind, s.dimension))
    return out


def entity_page(state: AppState, name: str, page: int = 1, snap: Snapshot | None = None) -> EntityPage | None:
    """A company's or country's page (from ``snap``, else the latest snapshot); None when the store knows
    nothing of the name."""
    snap = snap or state.snapshot()
    entity = snap.entity(name)
    canonical = entity.name if entity else name
    claims = snap.claims_of(canonical)
    if entity is None and not claims:
        return None
    is_place = entity is not None and entity.type in COUNTRY_TYPES
    board_row = _board_rows(snap, "country" if is_place else "company").get(canonical.casefold())
    facts = [f for f in snap.facts_by_entity.get(canonical.casefold(), [])]
    ledgers = snap.ledgers_by_entity.get(canonical.casefold(), [])
    partnerships = sorted((c for c in claims if c.kind == "partnership"),
                          key=lambda c: (c.seen or date.min, c.id), reverse=True)
    companies = programs = []
    if is_place:
        companies = [e for e in snap.entities if e.type == "company" and (e.country or "").casefold() == canonical.casefold()]
        programs = [e for e in snap.entities if e.type == "program" and (e.country or "").casefold() == canonical.casefold()]
    conflicts = snap.conflicts_by_entity.get(canonical.casefold(), [])
    listing = find_claims(state, ClaimFilter(entity=canonical), CLAIMS_PER_PAGE, (max(page, 1) - 1) * CLAIMS_PER_PAGE,
                          snap)
    return EntityPage(
        name=canonical, entity=entity, board=board_row, series=_series(facts), ledgers=ledgers,
        partnerships=partnerships, specs=[f for f in facts if f.key.kind == "spec"], companies=companies,
        programs=programs, program_facts=[f for f in facts if f.key.kind == "funding"], conflicts=conflicts,
        claims=listing,
    )


def conflicts(state: AppState) -> tuple[list[Conflict], list[Finding]]:
    k = state.snapshot().knowledge
    return list(k.conflicts), list(k.findings)


def document_page(state: AppState, document_id: int) -> DocumentPage | None:
    with state.store.session() as session:
        doc = kb_search.get_document_view(session, document_id)
        if doc is None:
            return None
        # Claims marked wrong too: the page shows them struck out, with who said so and why.
        claims = kb_search.find_claims(session, ClaimFilter(document_id=document_id, with_wrong=True),
                                       limit=10_000).items
        story_id = stories_repo.story_of_document(session, document_id)
    claims.sort(key=lambda c: (c.start, c.id))
    marked, unplaced = segments(doc.text, claims)
    return DocumentPage(doc, claims, marked, unplaced, story_id)


def _brief(state: AppState, session: Session, story: stories_repo.StoryRecord,
           version: tuple[object, ...] | None = None) -> Brief:
    """The story's brief, composed once for what it rests on (the story as last updated, its documents'
    claims and their reviews), not on every request: composing one reads and weighs every sentence.
    ``version``: ``stories_repo.claims_version`` of its documents, read already (a page of stories)."""
    if version is None:
        version = stories_repo.claims_version(session, story.document_ids)
    key = (story.id, story.updated_at, story.document_ids, version)
    brief: Brief = state.briefs.get_or_make(key, lambda: build_brief(session, story.id))
    return brief


def story_items(state: AppState, session: Session, found: Sequence[stories_repo.StoryRecord]) -> list[StoryItem]:
    """The stories with their documents and kept briefs, as every story listing (stories, topics, watches) shows them.

    The page's documents and the versions of their claims are read in one go for all its stories (a query
    or two per story made a page of 20 cost 25 ms before any brief was composed)."""
    docs = {d.id: d for d in stories_repo.get_documents(session, {i for s in found for i in s.document_ids})}
    versions = stories_repo.claims_versions(session, {s.id: s.document_ids for s in found})
    return [StoryItem(s, [docs[i] for i in sorted(set(s.document_ids)) if i in docs],
                      _brief(state, session, s, versions[s.id])) for s in found]


def stories(state: AppState, since: date | None = None, limit: int = 50, offset: int = 0) -> tuple[list[StoryItem], int]:
    """One page of the stories, latest first, with their documents and briefs, and how many there are in all;
    only the page's stories are read (a store of 100,000 stories read them all per request)."""
    with state.store.session() as session:
        page = stories_repo.list_stories(session, since=since, limit=limit, offset=offset) if limit > 0 else []
        items = story_items(state, session, page)
        total = stories_repo.count_stories(session, since=since)
    return items, total


def story(state: AppState, story_id: int) -> StoryItem | None:
    with state.store.session() as session:
        found = stories_repo.get_story(session, story_id)
        if found is None:
            return None
        return StoryItem(found, stories_repo.get_documents(session, found.document_ids), _brief(state, session, found))


# --- charts (the report's SVG helpers, linked to this app's pages) ----------------------------------


# Kinds whose figures over the years are separate events rather than one quantity changing.
EVENT_KINDS = frozenset({"funding", "investment"})


def score_chart(b: Board, limit: int = 12) -> str:
    bars = [charts.Bar(r.entity, r.score * 100, shown_score(r.score), entity_url(r.entity, "company" if b.by == "company" else "country"),
                       f"rank {r.rank}") for r in b.rows[:limit] if r.score > 0]
    return charts.bar_chart(bars, f"Composite score by {b.by} (top {limit})", "score, 0-100")


def series_chart(series: Series, entity: str) -> str:
    points = []
    for f in series.facts:
        if f.key.year is None or f.value is None:
            continue
        year = (f.key.year + (f.key.year_end or f.key.year)) / 2
        tip = f"{f.period}: {format_value(f.value, f.key.unit, f.bound)} ({', '.join(f.sources)})"
        points.append((year, float(f.value), evidence_url(f.chosen), tip))
    # grants and investments are separate events: dots, not a line through unrelated programmes or deals
    connect = series.kind not in EVENT_KINDS
    return charts.line_chart([charts.Series(entity, tuple(points), connect=connect)], series.title,
                             series.unit or "value", width=620, unit=series.unit)


def ledger_chart(ledgers: list[Ledger], title: str) -> str:
    rows = []
    for led in ledgers:
        pts = tuple(charts.TimelinePoint(e.midpoint, e.target, e.move, e.reported.isoformat() if e.reported else "?",
                                         evidence_url(e.claim), e.claim.source_name) for e in led.entries)
        rows.append(charts.TimelineRow(label(led.stage), pts, f"{led.moved:+.1f} y" if led.moved else "held"))
    return charts.timeline(rows, title)


def state_ledgers(state: AppState, entity: str | None = None) -> list[Ledger]:
    snap = state.snapshot()
    if entity:
        return list(snap.ledgers_by_entity.get(entity.strip().casefold(), []))
    return list(snap.knowledge.ledgers)
