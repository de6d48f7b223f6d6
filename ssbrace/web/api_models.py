"""Pydantic response models of the JSON API, and the conversions from the analysis' records."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.dataclasses import dataclass as pydantic_dataclass

from ssbrace.analysis.checks import Finding
from ssbrace.analysis.conflicts import Conflict
from ssbrace.analysis.facts import Fact, format_value
from ssbrace.analysis.roadmaps import Ledger
from ssbrace.analysis.scoreboard import BoardRow
from ssbrace.delivery.board import BoardRowOut
from ssbrace.delivery.links import entity_url, evidence_url
from ssbrace.kb.queries import EntityRow
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.search import MARK_END, MARK_START, DocumentRow, DocumentView
from ssbrace.models import CLAIM_FIELDS, ClaimFields

T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    total: int = Field(description="items matching the filters, all pages together")
    limit: int
    offset: int
    next: str | None = Field(None, description="URL of the next page; null on the last one")
    items: list[T]


class EvidenceOut(BaseModel):
    sentence: str
    start: int
    end: int
    url: str = Field(description="this app's document page, anchored at the highlighted sentence")


class SourceOut(BaseModel):
    document_id: int
    title: str | None
    url: str | None
    publisher: str | None
    published: date | None
    location: str | None


# Response shapes list every field as present, defaults or not: the API always sends them.
_SCHEMA = ConfigDict(json_schema_serialization_defaults_required=True)


@pydantic_dataclass(kw_only=True, config=_SCHEMA)
class ClaimOut(ClaimFields):
    """A claim in the shape of CLAIMS.md, with its id, evidence link and source."""

    id: int
    confidence: float
    evidence: EvidenceOut
    source: SourceOut


def claim_out(c: ClaimRecord) -> ClaimOut:
    return ClaimOut(
        id=c.id, confidence=c.confidence, **{name: getattr(c, name) for name in CLAIM_FIELDS},
        evidence=EvidenceOut(sentence=c.sentence, start=c.start, end=c.end, url=evidence_url(c)),
        source=SourceOut(document_id=c.document_id, title=c.title, url=c.url, publisher=c.publisher,
                         published=c.published, location=c.location),
    )


class EntityOut(BaseModel):
    name: str
    type: str
    country: str | None
    aliases: list[str]
    claim_count: int
    rank: int | None = None
    score: float | None = None
    url: str


def entity_out(e: EntityRow, row: BoardRow | None = None) -> EntityOut:
    return EntityOut(name=e.name, type=e.type, country=e.country, aliases=list(e.aliases), claim_count=e.claim_count,
                     rank=row.rank if row else None, score=round(row.score, 4) if row else None,
                     url=entity_url(e.name, e.type))


class FactOut(BaseModel):
    entity: str
    kind: str
    dimension: str
    unit: str
    year: int | None
    year_end: int | None
    period: str
    value: float | None
    bound: str
    display: str
    agree: bool
    sources: list[str]
    claims: list[int]
    evidence: str


def fact_out(f: Fact) -> FactOut:
    return FactOut(entity=f.key.entity, kind=f.key.kind, dimension=f.key.dimension, unit=f.key.unit, year=f.key.year,
                   year_end=f.key.year_end, period=f.period, value=f.value, bound=f.bound,
                   display=format_value(f.value, f.key.unit, f.bound), agree=f.agree, sources=list(f.sources),
                   claims=[c.id for c in f.claims], evidence=evidence_url(f.chosen))


class LedgerEntryOut(BaseModel):
    reported: date | None
    target: str
    midpoint: float
    move: str
    delta: float
    claim_id: int
    source: str
    evidence: str


class LedgerOut(BaseModel):
    entity: str
    stage: str
    current: str
    moved: float
    slips: int
    pull_ins: int
    summary: str
    entries: list[LedgerEntryOut]


def ledger_out(led: Ledger) -> LedgerOut:
    return LedgerOut(entity=led.entity, stage=led.stage, current=led.current.target, moved=led.moved, slips=led.slips,
                     pull_ins=led.pull_ins, summary=led.summary,
                     entries=[LedgerEntryOut(reported=e.reported, target=e.target, midpoint=e.midpoint, move=e.move,
                                             delta=e.delta, claim_id=e.claim.id, source=e.claim.source_name,
                                             evidence=evidence_url(e.claim)) for e in led.entries])


class EntityPageOut(BaseModel):
    name: str
    entity: EntityOut | None
    board: BoardRowOut | None
    indicators: list[FactOut] = Field(description="facts over time, one per indicator and period")
    ledgers: list[LedgerOut]
    partnerships: list[ClaimOut]
    specs: list[FactOut]
    companies: list[EntityOut]
    programs: list[EntityOut]
    program_funding: list[FactOut]
    conflicts: list[str]
    claims: PageOut[ClaimOut]


class SideOut(BaseModel):
    label: str
    sources: list[str]
    claims: list[ClaimOut]


class ConflictOut(BaseModel):
    type: str
    entity: str
    kind: str
    topic: str
    period: str
    summary: str
    sides: list[SideOut]


def conflict_out(c: Conflict) -> ConflictOut:
    return ConflictOut(type=c.type, entity=c.entity, kind=c.kind, topic=c.topic, period=c.period, summary=c.summary,
                       sides=[SideOut(label=s.label, sources=list(s.sources), claims=[claim_out(x) for x in s.claims])
                              for s in c.sides])


class FindingOut(BaseModel):
    check: str
    entity: str
    summary: str
    claims: list[ClaimOut]


def finding_out(f: Finding) -> FindingOut:
    return FindingOut(check=f.check, entity=f.entity, summary=f.summary, claims=[claim_out(c) for c in f.claims])


class ConflictsOut(BaseModel):
    conflicts: list[ConflictOut]
    findings: list[FindingOut]


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class DocumentOut(DocumentRow):
    """A stored document as the store lists it, with the app's page of it."""

    page: str


def document_out(d: DocumentRow) -> DocumentOut:
    return DocumentOut(**{f.name: getattr(d, f.name) for f in fields(DocumentRow)}, page=f"/documents/{d.id}")


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class DocumentDetailOut(DocumentOut):
    text: str
    author: str | None
    story_id: int | None
    claims: list[ClaimOut]


def document_detail_out(d: DocumentView, claims: list[ClaimRecord], story_id: int | None) -> DocumentDetailOut:
    return DocumentDetailOut(**{f.name: getattr(d, f.name) for f in fields(DocumentRow)}, page=f"/documents/{d.id}",
                             text=d.text, author=d.author, story_id=story_id, claims=[claim_out(c) for c in claims])


class StoryDocumentOut(BaseModel):
    id: int
    title: str | None
    url: str | None
    publisher: str | None
    published: date | None


class BulletOut(BaseModel):
    text: str
    section: str
    citations: list[int] = Field(description="ids of the documents the bullet rests on")


class StoryOut(BaseModel):
    id: int
    headline: str
    first_date: date | None
    last_date: date | None
    doc_count: int
    version: int
    documents: list[StoryDocumentOut]
    source_count: int = Field(0, description="distinct publishers: the brief is 'based on N sources'")
    brief: list[BulletOut] = Field(default_factory=list)


class Snippet(BaseModel):
    text: str = Field(description="plain text")
    matches: list[tuple[int, int]] = Field(description="[start, end) of each matched word in text")


def snippet_out(marked: str) -> Snippet:
    """A marked snippet as plain text and match offsets."""
    text, matches, start = [], [], None
    length = 0
    for ch in marked:
        if ch == MARK_START:
            start = length
        elif ch == MARK_END:
            if start is not None:
                matches.append((start, length))
            start = None
        else:
            text.append(ch)
            length += 1
    return Snippet(text="".join(text), matches=matches)


class DocumentHitOut(BaseModel):
    document: DocumentOut
    snippet: Snippet


class ClaimHitOut(BaseModel):
    claim: ClaimOut
    snippet: Snippet


class SearchOut(BaseModel):
    query: str
    method: str = Field(description="fts5, postgresql or like")
    documents: PageOut[DocumentHitOut]
    claims: PageOut[ClaimHitOut]


class SourceIn(BaseModel):
    location: str = Field(description="an http(s) page or feed URL", max_length=2000)
    name: str | None = Field(None, max_length=200)


class SourceCreated(BaseModel):
    id: int
    kind: str
    location: str
    created: bool


class IngestIn(BaseModel):
    url: str = Field(max_length=2000)


class IngestItemOut(BaseModel):
    input: str
    status: str
    document_id: int | None = None
    reason: str | None = None
    title: str | None = None
    claims: int = 0


class IngestOut(BaseModel):
    totals: dict[str, int]
    items: list[IngestItemOut]


class SubscriptionIn(BaseModel):
    email: str = Field(max_length=320)
    topic: str = Field(max_length=64)


class SubscriptionOut(BaseModel):
    email: str
    topic: str
    created: bool
