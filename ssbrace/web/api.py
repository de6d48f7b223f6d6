"""The ``/api/v1`` JSON API: every page's data, paginated and filtered, and CSV downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel

from ssbrace.analysis.scoreboard import INDICATORS
from ssbrace.delivery.board import BoardOut, board_out, board_row_out
from ssbrace.delivery.links import evidence_url
from ssbrace.delivery.records import (
    ClaimOut,
    EntityOut,
    LedgerOut,
    StoryOut,
    claim_out,
    conflict_out,
    entity_out,
    fact_out,
    finding_out,
    ledger_out,
    story_out,
)
from ssbrace.kb import search as kb_search
from ssbrace.kb.search import ClaimFilter, Page
from ssbrace.models import CLAIM_FIELDS, CLAIM_KINDS
from ssbrace.web import views, watches
from ssbrace.web.api_models import (
    CSV_RESPONSES,
    EXPORT_RESPONSES,
    ClaimHitOut,
    ConflictsOut,
    DocumentDetailOut,
    DocumentHitOut,
    DocumentOut,
    EntityPageOut,
    PageOut,
    ReviewOut,
    SearchOut,
    document_detail_out,
    document_out,
    snippet_out,
)
from ssbrace.web.api_write import router as write_router
from ssbrace.web.auth import require_read_api
from ssbrace.web.params import DOCUMENT_FILTER, OFFSET, StoreId
from ssbrace.web.state import AppState

router = APIRouter(prefix="/api/v1")
reads = APIRouter(dependencies=[Depends(require_read_api)])
MAX_LIMIT = 500
BY = Query("country", pattern="^(country|company)$", description="rank countries (regions too) or companies")
LIMIT = Query(50, ge=1, le=MAX_LIMIT)


def _state(request: Request) -> AppState:
    return request.app.state.ssbrace


def _next(request: Request, page: Page) -> str | None:
    if page.next_offset is None:
        return None
    return str(request.url.include_query_params(offset=page.next_offset, limit=page.limit))


def _page(request: Request, page: Page, items: list) -> PageOut:
    return PageOut(total=page.total, limit=page.limit, offset=page.offset, next=_next(request, page), items=items)


def _json(model: BaseModel) -> Response:
    """The model as its JSON, already validated where it was built: returned as a ``Response``, FastAPI
    skips dumping it and validating it again against ``response_model`` (half the time of a listing)."""
    return Response(model.model_dump_json(), media_type="application/json")


def _claim_filter(state: AppState, entity: str | None, kind: str | None, topic: str | None, since: date | None,
                  document: int | None = None, subject_type: str | None = None) -> ClaimFilter:
    if kind and kind not in CLAIM_KINDS:
        raise HTTPException(422, f"unknown kind {kind!r}; one of {', '.join(CLAIM_KINDS)}")
    rule = None
    if topic:
        rule = state.topic_rule(topic)
        if rule is None:
            raise HTTPException(422, f"unknown topic {topic!r}; one of {', '.join(t.slug for t in state.pack.topics)}")
    return ClaimFilter(entity=entity or None, kind=kind or None, topic=rule, since=since, document_id=document,
                       subject_type=subject_type or None)


@reads.get("/scoreboard", summary="The scoreboard", response_model=BoardOut, tags=["scoreboard"])
def scoreboard(request: Request, by: str = BY) -> BoardOut:
    """The ranked board: every indicator with its sources and the claims behind it."""
    return board_out(_state(request).snapshot().board(by))


def _entities(request: Request, types: tuple[str, ...]) -> list[EntityOut]:
    return [entity_out(i.entity, i.board) for i in views.entity_list(_state(request), types)]


@reads.get("/countries", summary="List countries", response_model=list[EntityOut], tags=["entities"])
def countries(request: Request) -> list[EntityOut]:
    """Every country and region: its aliases, number of claims, and rank and score on the board by country."""
    return _entities(request, views.COUNTRY_TYPES)


@reads.get("/companies", summary="List companies", response_model=list[EntityOut], tags=["entities"])
def companies(request: Request) -> list[EntityOut]:
    """Every company: its country, aliases, number of claims, and rank and score on the board by company."""
    return _entities(request, ("company",))


def _entity_page(request: Request, name: str, offset: int, limit: int) -> EntityPageOut:
    state = _state(request)
    snap = state.snapshot()
    data = views.entity_page(state, name, snap=snap)
    if data is None:
        raise HTTPException(404, f"no entity called {name!r}")
    listing = views.find_claims(state, ClaimFilter(entity=data.name), limit, offset, snap)
    by = "country" if data.type in views.COUNTRY_TYPES else "company"
    return EntityPageOut(
        name=data.name, entity=entity_out(data.entity, data.board) if data.entity else None,
        board=board_row_out(data.board, by, [n for n, _, _ in INDICATORS]) if data.board else None,
        indicators=[fact_out(f) for s in data.series for f in s.facts], ledgers=[ledger_out(x) for x in data.ledgers],
        partnerships=[claim_out(c) for c in data.partnerships], specs=[fact_out(f) for f in data.specs],
        companies=[entity_out(e) for e in data.companies], programs=[entity_out(e) for e in data.programs],
        program_funding=[fact_out(f) for f in data.program_facts], conflicts=[c.summary for c in data.conflicts],
        claims=_page(request, listing, [claim_out(c) for c in listing.items]),
    )


@reads.get("/companies/{name:path}", summary="One company", response_model=EntityPageOut, tags=["entities"])
def company(request: Request, name: str, limit: int = LIMIT, offset: int = OFFSET) -> EntityPageOut:
    """A company: board row, target ledgers with slips, partnerships, specs and its claims (paginated)."""
    return _entity_page(request, name, offset, limit)


@reads.get("/countries/{name:path}", summary="One country", response_model=EntityPageOut, tags=["entities"])
def country(request: Request, name: str, limit: int = LIMIT, offset: int = OFFSET) -> EntityPageOut:
    """A country: indicators over time, its companies, its programs and its claims (paginated)."""
    return _entity_page(request, name, offset, limit)


@reads.get("/claims", summary="List claims", response_model=PageOut[ClaimOut], tags=["claims"])
def claims(request: Request, entity: str | None = None, kind: str | None = None,
           topic: str | None = Query(None, description="a topic slug of the domain pack"),
           since: date | None = Query(None, description="stated on or after this date (YYYY-MM-DD)"),
           document: int | None = DOCUMENT_FILTER, subject_type: str | None = None,
           limit: int = LIMIT, offset: int = OFFSET) -> PageOut[ClaimOut]:
    """Claims, newest statement first, filtered by entity, kind, topic, date and document."""
    state = _state(request)
    flt = _claim_filter(state, entity, kind, topic, since, document, subject_type)
    page = views.find_claims(state, flt, limit, offset)
    return _json(_page(request, page, [claim_out(c) for c in page.items]))  # type: ignore[return-value]


@reads.get("/claims/{claim_id}", summary="One claim", response_model=ClaimOut, tags=["claims"])
def claim(request: Request, claim_id: StoreId) -> ClaimOut:
    """One claim with its sentence, its evidence offsets, its source and any review."""
    with _state(request).store.session() as session:
        found = kb_search.get_claim(session, claim_id)
    if found is None:
        raise HTTPException(404, f"no claim {claim_id}")
    return claim_out(found)


@reads.get("/ledgers", summary="Target ledgers", response_model=list[LedgerOut], tags=["claims"])
def ledgers(request: Request, entity: str | None = None) -> list[LedgerOut]:
    """Target ledgers (company x stage), with slips and pull-ins."""
    found = views.state_ledgers(_state(request), entity)
    return [ledger_out(x) for x in found]


@reads.get("/conflicts", summary="Conflicts between sources", response_model=ConflictsOut, tags=["conflicts"])
def conflicts(request: Request, entity: str | None = None) -> ConflictsOut:
    """Conflicts (with their sides and sentences), consistency findings, and reported patent figures beside
    the counts computed from the loaded exports."""
    from ssbrace.web.patents import gaps_for

    found, findings = views.conflicts(_state(request))
    gaps = gaps_for(request)
    if entity:
        found = [c for c in found if entity.casefold() in {name.casefold() for name in c.entities}]
        findings = [f for f in findings if f.entity.casefold() == entity.casefold()]
        gaps = [g for g in gaps if g.entity.casefold() == entity.casefold()]
    return ConflictsOut(conflicts=[conflict_out(c) for c in found], findings=[finding_out(f) for f in findings],
                        patent_gaps=[g.as_dict() for g in gaps])


@reads.get("/documents", summary="List documents", response_model=PageOut[DocumentOut], tags=["documents"])
def documents(request: Request, since: date | None = None, limit: int = LIMIT,
              offset: int = OFFSET) -> PageOut[DocumentOut]:
    """Stored documents, latest publication date first, with their number of claims (paginated)."""
    with _state(request).store.session() as session:
        page = kb_search.find_documents(session, since=since, limit=limit, offset=offset)
    return _page(request, page, [document_out(d) for d in page.items])


@reads.get("/documents/{document_id}", summary="One document", response_model=DocumentDetailOut, tags=["documents"])
def document(request: Request, document_id: StoreId) -> DocumentDetailOut:
    """A document's text and its claims with their evidence offsets."""
    data = views.document_page(_state(request), document_id)
    if data is None:
        raise HTTPException(404, f"no document {document_id}")
    return document_detail_out(data.document, data.claims, data.story_id)


def _story_out(item: views.StoryItem) -> StoryOut:
    return story_out(item.story, item.documents, item.brief)


@reads.get("/stories", summary="List stories", response_model=PageOut[StoryOut], tags=["stories"])
def stories(request: Request, since: date | None = None, limit: int = LIMIT, offset: int = OFFSET) -> PageOut[StoryOut]:
    """Stories (documents that report the same event), latest first, with their briefs (paginated)."""
    items, total = views.stories(_state(request), since, limit, offset)
    page = Page(items, total, limit, offset)
    return _page(request, page, [_story_out(i) for i in items])


@reads.get("/stories/{story_id}", summary="One story", response_model=StoryOut, tags=["stories"])
def story(request: Request, story_id: StoreId) -> StoryOut:
    """One story: its documents and its brief, each bullet citing the documents it rests on."""
    item = views.story(_state(request), story_id)
    if item is None:
        raise HTTPException(404, f"no story {story_id}")
    return _story_out(item)


@reads.get("/search", summary="Search documents and claims", response_model=SearchOut, tags=["search"])
def search(request: Request, q: str = Query(..., min_length=1, max_length=500), limit: int = Query(20, ge=1, le=100),
           offset: int = OFFSET) -> SearchOut:
    """Full-text search over documents and claims (FTS5 on SQLite, tsvector on PostgreSQL)."""
    found = views.search(_state(request), q, limit, offset)
    docs = [DocumentHitOut(document=document_out(h.document), snippet=snippet_out(h.snippet)) for h in found.documents.items]
    hits = [ClaimHitOut(claim=claim_out(h.claim), snippet=snippet_out(h.snippet)) for h in found.claims.items]
    return _json(SearchOut(query=found.query, method=found.method,  # type: ignore[return-value]
                           documents=_page(request, found.documents, docs), claims=_page(request, found.claims, hits)))


# --- CSV ---------------------------------------------------------------------------------------------


def _cell(value: object) -> object:
    # A cell starting with = + - @ is run as a formula by spreadsheets: prefix it so it stays text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _csv(header: list[str], rows: Iterable[list[object]], filename: str) -> StreamingResponse:
    def chunks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for n, row in enumerate(rows, 1):
            writer.writerow([_cell(v) for v in row])
            if n % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return StreamingResponse(chunks(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@reads.get("/scoreboard.csv", summary="The scoreboard as CSV", tags=["scoreboard"], response_class=StreamingResponse, responses=CSV_RESPONSES)
def scoreboard_csv(request: Request, by: str = BY) -> StreamingResponse:
    """The board as CSV: rank, entity, score, then each indicator's value, display, sources and evidence."""
    board = board_out(_state(request).snapshot().board(by))
    base = str(request.base_url).rstrip("/")
    header = ["rank", by, "score"]
    for name in board.labels:
        header += [name, f"{name}_display", f"{name}_sources", f"{name}_evidence"]
    rows = []
    for row in board.rows:
        line: list[object] = [row.rank, row.entity, row.score]
        for ind in row.indicators.values():
            line += ([ind.value, ind.display, ind.sources, base + ind.evidence if ind.evidence else ""]
                     if ind else ["", "", "", ""])
        rows.append(line)
    return _csv(header, rows, f"scoreboard-{by}.csv")


# A claim as CSV: its id, the contract fields, then its evidence (the source columns follow).
CLAIM_COLUMNS = ["id", *CLAIM_FIELDS, "confidence", "sentence", "start", "end"]


@reads.get("/claims.csv", summary="Claims as CSV", tags=["claims"], response_class=StreamingResponse, responses=CSV_RESPONSES)
def claims_csv(request: Request, entity: str | None = None, kind: str | None = None, topic: str | None = None,
               since: date | None = None, document: int | None = DOCUMENT_FILTER) -> StreamingResponse:
    """Every claim matching the filters as CSV, with its source and evidence link."""
    state = _state(request)
    flt = _claim_filter(state, entity, kind, topic, since, document)
    base = str(request.base_url).rstrip("/")

    def rows() -> Iterator[list[object]]:
        with state.store.session() as session:
            for c in kb_search.iter_claims(session, flt):
                yield [getattr(c, col) for col in CLAIM_COLUMNS] + [
                    c.document_id, c.title, c.url, c.publisher, c.published, base + evidence_url(c)]

    header = CLAIM_COLUMNS + ["document_id", "title", "url", "publisher", "published", "evidence"]
    return _csv(header, rows(), "claims.csv")


@reads.get("/reviews", summary="List reviews of claims", response_model=list[ReviewOut], tags=["reviews"])
def reviews(request: Request, include_undone: bool = Query(False, alias="all",
                                                           description="undone and superseded reviews too")
            ) -> list[ReviewOut]:
    """People's reviews of claims, oldest first; matched is false when the claim was not found after re-extraction."""
    from ssbrace.review import list_reviews, review_json

    with _state(request).store.session() as session:
        rows = list_reviews(session, include_undone=include_undone)
    return [ReviewOut(**review_json(r)) for r in rows]
# --- exports: typed tables for analysts' tools (ssbrace export; docs/exports.md) -----------------------

ExportTable = Literal["claims", "facts", "conflicts", "ledgers", "stories"]
ExportFormat = Literal["csv", "jsonl", "parquet"]


@reads.get("/export/{table}.{fmt}", summary="Export a table", tags=["exports"], response_class=Response, responses=EXPORT_RESPONSES)
def export_table(request: Request, table: ExportTable, fmt: ExportFormat) -> Response:
    """One table as the ssbrace export command writes it: claims, facts (with the ids of their claims), conflicts (a row
    per side), ledgers (a row per dated target) or stories, as CSV, JSON Lines or Parquet. Columns and types
    are listed in docs/exports.md."""
    from ssbrace.api import export
    from ssbrace.delivery.export_writers import MEDIA_TYPES, TEXT_WRITERS, write_parquet

    state = _state(request)
    # claims and stories stream from the store; the other tables come from the analysis the app keeps
    analysis = None if table in ("claims", "stories") else state.snapshot().knowledge
    rows = export(state.store, table, analysis=analysis)
    headers = {"Content-Disposition": f'attachment; filename="{table}.{fmt}"'}
    if fmt == "parquet":  # Parquet's footer comes last: the file is built whole, then sent
        buffer = io.BytesIO()
        write_parquet(table, rows, buffer)
        return Response(buffer.getvalue(), media_type=MEDIA_TYPES[fmt], headers=headers)
    return StreamingResponse(TEXT_WRITERS[fmt](table, rows), media_type=MEDIA_TYPES[fmt], headers=headers)


router.include_router(reads)
router.include_router(write_router)
router.include_router(watches.api)  # watches and webhooks (issue 15)
