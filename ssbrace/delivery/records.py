"""The one JSON shape of each record: what the CLI's ``--json``, the JSON API and the report's JSON give.

Each shape extends the fields its record declares (``ClaimFields``, ``EntityRow``, ``FactKey``,
``LedgerFields``, ``LedgerEntryFields``, ``ConflictFields``, ``SideFields``, ``FindingFields``) and adds what a
reader needs beside them: figures formatted, claim ids, this app's links. ``to_json`` turns any record
into that shape as plain data; the API serves the same classes as its response models.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from functools import singledispatch
from typing import Any

from pydantic import ConfigDict, Field
from pydantic.dataclasses import dataclass as pydantic_dataclass

from ssbrace.analysis.checks import Finding, FindingFields
from ssbrace.analysis.conflicts import Conflict, ConflictFields, SideFields
from ssbrace.analysis.facts import Fact, FactKey, format_value, numeric_value, unit_of
from ssbrace.analysis.roadmaps import Ledger, LedgerEntryFields, LedgerFields
from ssbrace.analysis.scoreboard import Board, BoardRow
from ssbrace.delivery.board import board_json
from ssbrace.delivery.links import entity_url, evidence_url
from ssbrace.kb.queries import EntityRow
from ssbrace.kb.records import ClaimRecord, ReviewNote
from ssbrace.kb.stories_repo import DocRecord, StoryFields, StoryRecord
from ssbrace.models import CLAIM_FIELDS, ClaimFields
from ssbrace.stories.brief import Brief, publisher_key

# Response shapes list every field as present, defaults or not: the API always sends them.
_SCHEMA = ConfigDict(json_schema_serialization_defaults_required=True)


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class EvidenceOut:
    sentence: str
    start: int
    end: int
    url: str = Field(description="this app's document page, anchored at the highlighted sentence")


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class SourceOut:
    document_id: int
    name: str = Field(description="the publisher, else the document's address: how the app cites it")
    title: str | None
    url: str | None
    publisher: str | None
    published: date | None
    location: str | None


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class ChangeOut:
    field: str
    old: str | int | float | None
    new: str | int | float | None


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class ReviewNoteOut:
    """A person's review of a claim: its corrections are applied to the claim's fields already."""

    id: int
    verdict: str = Field(description="wrong (left out of every analysis) or corrected")
    reviewer: str
    at: datetime
    reason: str | None
    changes: tuple[ChangeOut, ...] = Field(description="each corrected field with its value as extracted")


def review_note_out(note: ReviewNote | None) -> ReviewNoteOut | None:
    if note is None:
        return None
    return ReviewNoteOut(id=note.id, verdict=note.verdict, reviewer=note.reviewer, at=note.at, reason=note.reason,
                         changes=tuple(ChangeOut(field=f, old=old, new=new) for f, old, new in note.changes))


@pydantic_dataclass(kw_only=True, config=_SCHEMA)
class ClaimOut(ClaimFields):
    """A claim in the shape of CLAIMS.md, with its id, evidence link and source."""

    id: int
    confidence: float
    display: str | None = Field(description="the value as it reads ('over US$830 million'); null without one")
    seen: date | None = Field(description="when it was stated: the document's date, else when it was stored")
    evidence: EvidenceOut
    source: SourceOut
    review: ReviewNoteOut | None = Field(None, description="a person's review of the claim; null when none")


def claim_out(c: ClaimRecord) -> ClaimOut:
    return ClaimOut(
        id=c.id, confidence=c.confidence, **{name: getattr(c, name) for name in CLAIM_FIELDS},
        display=format_value(numeric_value(c), unit_of(c), c.bound) if c.value is not None else None, seen=c.seen,
        evidence=EvidenceOut(sentence=c.sentence, start=c.start, end=c.end, url=evidence_url(c)),
        source=SourceOut(document_id=c.document_id, name=c.source_name, title=c.title, url=c.url, publisher=c.publisher,
                         published=c.published, location=c.location),
        review=review_note_out(c.review),
    )


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class EntityOut(EntityRow):
    """An entity as the store lists it, with its rank and score on a board when it has one, and its page."""

    rank: int | None = None
    score: float | None = None
    url: str


def entity_out(e: EntityRow, row: BoardRow | None = None) -> EntityOut:
    return EntityOut(id=e.id, name=e.name, type=e.type, country=e.country, from_gazetteer=e.from_gazetteer,
                     aliases=tuple(e.aliases), claim_count=e.claim_count, rank=row.rank if row else None,
                     score=round(row.score, 4) if row else None, url=entity_url(e.name, e.type))


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class FactOut(FactKey):
    """One consolidated fact: its key, the value, how it reads, and the claims behind it."""

    period: str
    value: float | None
    bound: str
    display: str
    agree: bool
    sources: tuple[str, ...]
    claims: tuple[int, ...]
    evidence: str  # the page of the statement the value comes from


def fact_out(f: Fact) -> FactOut:
    k = f.key
    return FactOut(entity=k.entity, kind=k.kind, dimension=k.dimension, unit=k.unit, year=k.year, year_end=k.year_end,
                   period=f.period, value=f.value, bound=f.bound, display=format_value(f.value, k.unit, f.bound),
                   agree=f.agree, sources=tuple(f.sources), claims=tuple(c.id for c in f.claims),
                   evidence=evidence_url(f.chosen))


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class LedgerEntryOut(LedgerEntryFields):
    """One dated target of a ledger, with the claim that states it."""

    reported: date | None
    claim_id: int
    sentence: str
    source: str
    evidence: str


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class LedgerOut(LedgerFields):
    """The target history of one company x stage: the target in force, how far it moved, every entry."""

    current: str
    first: str
    moved: float
    slips: int
    pull_ins: int
    summary: str
    entries: tuple[LedgerEntryOut, ...]


def ledger_out(led: Ledger) -> LedgerOut:
    return LedgerOut(entity=led.entity, stage=led.stage, current=led.current.target, first=led.first.target,
                     moved=led.moved, slips=led.slips, pull_ins=led.pull_ins, summary=led.summary,
                     entries=tuple(LedgerEntryOut(target=e.target, midpoint=e.midpoint, move=e.move, delta=e.delta,
                                                  reported=e.reported, claim_id=e.claim.id, sentence=e.claim.sentence,
                                                  source=e.claim.source_name, evidence=evidence_url(e.claim))
                                   for e in led.entries))


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class SideOut(SideFields):
    sources: tuple[str, ...]
    claims: tuple[ClaimOut, ...]


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class ConflictOut(ConflictFields):
    """Figures or standings that disagree (or differ in scope), each side with its claims."""

    summary: str
    sides: tuple[SideOut, ...]


def conflict_out(c: Conflict) -> ConflictOut:
    return ConflictOut(type=c.type, entity=c.entity, kind=c.kind, topic=c.topic, period=c.period, summary=c.summary,
                       sides=tuple(SideOut(label=s.label, sources=tuple(s.sources),
                                           claims=tuple(claim_out(x) for x in s.claims)) for s in c.sides))


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class FindingOut(FindingFields):
    """A consistency finding and the claims it rests on."""

    claims: tuple[ClaimOut, ...]


def finding_out(f: Finding) -> FindingOut:
    return FindingOut(check=f.check, entity=f.entity, summary=f.summary, claims=tuple(claim_out(c) for c in f.claims))


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class StoryDocumentOut:
    id: int
    title: str | None
    url: str | None
    publisher: str | None
    published: date | None
    location: str
    near_duplicate_of: int | None


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class BulletOut:
    text: str
    section: str
    citations: tuple[int, ...] = Field(description="ids of the documents the bullet rests on")


@pydantic_dataclass(frozen=True, kw_only=True, config=_SCHEMA)
class StoryOut(StoryFields):
    """A story: its documents, how many publishers they come from, and its brief when one is written."""

    source_count: int = Field(description="distinct publishers: the brief is 'based on N sources'")
    documents: tuple[StoryDocumentOut, ...]
    brief: tuple[BulletOut, ...] = ()


def story_out(story: StoryRecord, documents: list[DocRecord], brief: Brief | None = None) -> StoryOut:
    return StoryOut(id=story.id, headline=story.headline, first_date=story.first_date, last_date=story.last_date,
                    doc_count=story.doc_count, version=story.version,
                    source_count=brief.source_count if brief else len({publisher_key(d) for d in documents}),
                    documents=tuple(StoryDocumentOut(id=d.id, title=d.title, url=d.url, publisher=d.publisher,
                                                     published=d.published, location=d.location,
                                                     near_duplicate_of=d.duplicate_of) for d in documents),
                    brief=tuple(BulletOut(text=b.text, section=b.section, citations=tuple(b.citations))
                                for b in (brief.bullets if brief else [])))


@singledispatch
def to_json(record: object) -> dict[str, Any]:
    """A record in its one JSON shape, as plain data (dates stay ``date``: the JSON writer formats them)."""
    raise TypeError(f"no JSON shape for {type(record).__name__}")


@to_json.register
def _(record: ClaimRecord) -> dict[str, Any]:
    return asdict(claim_out(record))


@to_json.register
def _(record: EntityRow) -> dict[str, Any]:
    return asdict(entity_out(record))


@to_json.register
def _(record: Fact) -> dict[str, Any]:
    return asdict(fact_out(record))


@to_json.register
def _(record: Ledger) -> dict[str, Any]:
    return asdict(ledger_out(record))


@to_json.register
def _(record: Conflict) -> dict[str, Any]:
    return asdict(conflict_out(record))


@to_json.register
def _(record: Finding) -> dict[str, Any]:
    return asdict(finding_out(record))


@to_json.register
def _(record: StoryOut) -> dict[str, Any]:
    return asdict(record)


@to_json.register
def _(record: Board) -> dict[str, Any]:
    return board_json(record)
