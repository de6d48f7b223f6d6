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
    patent_gaps: list[PatentGapOut] = Field(
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
    """The fields to correct, as a person types them (the options of ssbrace claims correct); at least one."""

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
# --- patents (/api/v1/patents): the counts computed from loaded exports, and their gaps to reported figures ---


class PatentCountRow(BaseModel):
    key: str = Field(description="the country, applicant or year")
    count: int
    share: float = Field(description="the count over the total, 0 to 1")


class PatentCountsOut(BaseModel):
    by: str = Field(description="country, applicant or year")
    definition: str = Field(description="the hash of the landscape definition the counts were made under")
    unit: str = Field(description="publication, simple_family or extended_family")
    country_by: str = Field(description="which rule gives a patent its country")
    date_field: str = Field(description="the date that places a patent in a year")
    unconfirmed_codes: list[str] = Field(default_factory=list, description="codes counted although their CPC titles "
                                         "are not confirmed (asked with unconfirmed_codes=true)")
    year_from: int | None
    year_to: int | None
    total: int = Field(description="units in the landscape and the range")
    read: int = Field(description="records read")
    admitted: int = Field(description="records holding a landscape code or keyword")
    undated: int = Field(description="admitted records without the definition's date")
    exports: list[str]
    rows: list[PatentCountRow]
    cagr: float | None = Field(None, description="growth per year over the range, when counted by year")


class PatentExportOut(BaseModel):
    id: int
    format: str
    name: str
    location: str
    digest: str = Field(description="the file's SHA-256: the same file is loaded once")
    records: int
    loaded_at: str = Field(description="when it was loaded, ISO 8601")


class PatentVariantOut(BaseModel):
    unit: str
    country_by: str
    value: float


class PatentGapOut(BaseModel):
    check: str = Field(description="always patent_gap")
    entity: str
    kind: str = Field(description="patents or patent_share")
    reported: float | None
    bound: str
    source: str
    sentence: str
    computed: float = Field(description="the count, or the share in percent, from the loaded exports")
    definition: str
    year_from: int | None
    year_to: int | None
    gap: float | None = Field(description="reported over computed, minus one; null when nothing was computed")
    explained_by: list[PatentVariantOut] = Field(description="other counting choices that come close")
    closest: PatentVariantOut | None
    exports: list[str]
    sources: list[str]
    unit: str
    country_by: str
    date_field: str
    gap_text: str
    explanation: str
    summary: str


# --- text downloads: CSV, JSON Lines and Parquet bodies, described for the OpenAPI document ---

def _text_body(media: str, what: str, fmt: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "description": what}
    if fmt:
        schema["format"] = fmt
    return {media: {"schema": schema}}


CSV_RESPONSES: dict[int | str, dict[str, Any]] = {200: {
    "description": "CSV with a header line, one row per item",
    "content": _text_body("text/csv", "CSV text (UTF-8); a cell starting with = + - or @ is prefixed with a quote")}}

EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {200: {
    "description": "the table in the format the path names",
    "content": {**_text_body("text/csv", "CSV text: dates as YYYY-MM-DD, booleans true or false, id lists joined "
                                         "with semicolons"),
                **_text_body("application/x-ndjson", "JSON Lines: one object per row, every column present"),
                **_text_body("application/vnd.apache.parquet", "a Parquet file with typed columns", "binary")}}}
