"""Pydantic response models of the JSON API: pages, documents, stories, search and writes. The records' own
shapes (claim, entity, fact, ledger, conflict, finding) are ``delivery.records``'."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from pydantic.dataclasses import dataclass as pydantic_dataclass

from ssbrace.delivery.board import BoardRowOut
from ssbrace.delivery.records import (
    _SCHEMA,
    ClaimOut,
    ConflictOut,
    EntityOut,
    FactOut,
    FindingOut,
    LedgerOut,
    claim_out,
)
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.search import MARK_END, MARK_START, DocumentRow, DocumentView

T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    total: int = Field(description="items matching the filters, all pages together")
    limit: int
    offset: int
    next: str | None = Field(None, description="URL of the next page; null on the last one")
    items: list[T]


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


class ConflictsOut(BaseModel):
    conflicts: list[ConflictOut]
    findings: list[FindingOut]
    patent_gaps: list[dict[str, Any]] = Field(
        default_factory=list, description="each reported patent figure beside the count computed from the loaded "
        "exports: the definition, how far apart, which unit or country rule could explain it (as /patents/gaps)")


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


class Snippet(BaseModel):
    text: str = Field(description="plain text")
    matches: list[tuple[int, int]] = Field(description="[start, end) of each matched word in text")


_MARKS = re.compile(f"([{MARK_START}{MARK_END}])")


def snippet_out(marked: str) -> Snippet:
    """A marked snippet as plain text and match offsets."""
    text: list[str] = []
    matches: list[tuple[int, int]] = []
    start = None
    length = 0
    for part in _MARKS.split(marked):  # the text between marks in one piece (a page has 40 snippets)
        if part == MARK_START:
            start = length
        elif part == MARK_END:
            if start is not None:
                matches.append((start, length))
            start = None
        else:
            text.append(part)
            length += len(part)
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


# --- reviews of claims ---


class WrongIn(BaseModel):
    reason: str | None = Field(None, max_length=2000)
    by: str | None = Field(None, max_length=100, description="who reviews (recorded as \"web: NAME\"; the token has no name)")


class CorrectionIn(BaseModel):
    """The fields to correct, as a person types them (``ssbrace claims correct``'s options); at least one."""

    by: str | None = Field(None, max_length=100, description="who reviews (recorded as \"web: NAME\")")

    subject: str | None = Field(None, max_length=500)
    subject_type: str | None = Field(None, max_length=32)
    kind: str | None = Field(None, max_length=32)
    value: str | None = Field(None, max_length=64, description="1200, 3,000, 1.2bn, $400 million, 45%")
    unit: str | None = Field(None, max_length=16)
    bound: str | None = Field(None, max_length=8)
    year: str | None = Field(None, max_length=8)
    year_end: str | None = Field(None, max_length=8)
    stage: str | None = Field(None, max_length=32)
    technology: str | None = Field(None, max_length=32)
    metric: str | None = Field(None, max_length=32)
    reason: str | None = Field(None, max_length=2000)


class ReviewOut(BaseModel):
    """One review as stored: what it says, who, when, why, and the key that finds its claim again."""

    id: int
    uid: str
    claim_id: int | None = Field(description="the claim it applies to now; null: unmatched or undone")
    matched: bool
    document_id: int | None
    verdict: str
    changes: dict[str, list[str | int | float | None]] = Field(description="field -> [as extracted, corrected]")
    reason: str | None
    reviewer: str
    created_at: str
    undone_at: str | None
    undone_by: str | None
    supersedes: int | None
    doc_sha256: str
    doc_location: str
    doc_url: str | None
    key_kind: str
    key_subject: str
    key_sentence: str
    key_start: int
    key_value: float | None
    key_year: int | None
