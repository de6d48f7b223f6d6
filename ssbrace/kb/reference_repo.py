"""Storing reference documents: claims a person recorded from a cited page, with exact evidence spans."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ssbrace.kb.claims_repo import CURATED_VERSIONS
from ssbrace.kb.tables import Claim, Document
from ssbrace.models import CLAIM_FIELDS

EXTRACTOR_VERSION = CURATED_VERSIONS[0]
# Reference claims were read and recorded by a person from the cited page.
REFERENCE_CONFIDENCE = 1.0


def stored_digests(session: Session, locations: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Location -> (document id, sha256) of the reference documents stored already."""
    return {loc: (doc_id, sha) for doc_id, loc, sha in session.execute(
        select(Document.id, Document.location, Document.sha256).where(Document.location.in_(list(locations))))}


def _claim_row(record: dict[str, Any], span: tuple[int, int], text: str) -> Claim:
    values = {name: record.get(name) for name in CLAIM_FIELDS}
    values["bound"] = values["bound"] or "eq"
    extra = {"ref_id": record.get("id")}
    if record["source"].get("date_approx"):
        extra["date_approx"] = True
    if record.get("usd_converted"):
        extra["usd_converted"] = True
    start, end = span
    return Claim(**values, sentence=text[start:end], start=start, end=end, confidence=REFERENCE_CONFIDENCE,
                 extra=extra, extractor_version=EXTRACTOR_VERSION)


def store_reference_document(session: Session, *, document_id: int | None, location: str, url: str, title: str,
                             publisher: str, published: date | None, text: str, sha256: str, word_count: int,
                             claims: Sequence[tuple[dict[str, Any], tuple[int, int]]]) -> list[int]:
    """Insert a reference document, or replace a stored one's text and claims as a whole; returns the claim ids.

    Args:
        document_id: the stored document this one replaces, None for a new one.
        claims: each claim's record (CLAIMS.md fields, ``source``, ``id``) and its span in ``text``.
    """
    if document_id is not None:
        document = session.get(Document, document_id)
        assert document is not None
        document.claims.clear()
        document.text, document.sha256 = text, sha256
    else:
        document = Document(location=location, url=url, text=text, sha256=sha256)
        session.add(document)
    document.title, document.publisher, document.published = title, publisher, published
    document.word_count = word_count
    document.extractor_version = EXTRACTOR_VERSION
    rows = [_claim_row(record, span, text) for record, span in claims]
    document.claims.extend(rows)
    session.flush()
    return [row.id for row in rows]
