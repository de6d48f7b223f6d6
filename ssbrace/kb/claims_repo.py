"""Storing and listing claims. A document's claims are replaced atomically (delete + insert in the
caller's transaction)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from ssbrace.kb.tables import Claim as ClaimRow
from ssbrace.kb.tables import Document
from ssbrace.models import CLAIM_FIELDS, Claim, Evidence

# Extension fields of a claim (CLAIMS.md allows new optional fields) are kept in the row's JSON column.
_EXTRA_FIELDS = ("object_type", "scope")


def _table(model: type[Any]) -> Table:
    """A mapped class's table, for multi-row inserts through SQLAlchemy Core (one statement for many rows)."""
    return cast("Table", model.__table__)


def store_claims(session: Session, document: Document, claims: Iterable[Claim], version: str) -> int:
    """Replace the document's claims with ``claims`` inside the caller's transaction; returns the count."""
    if document.id is None:
        session.flush()
    session.execute(delete(ClaimRow).where(ClaimRow.document_id == document.id))
    rows = []
    for claim in claims:
        values: dict[str, Any] = {name: getattr(claim, name) for name in CLAIM_FIELDS}
        extra = {name: getattr(claim, name) for name in _EXTRA_FIELDS if getattr(claim, name, None) is not None}
        rows.append(ClaimRow(
            document_id=document.id,
            sentence=claim.evidence.sentence,
            start=claim.evidence.start,
            end=claim.evidence.end,
            confidence=claim.confidence,
            extra=extra or None,
            extractor_version=version,
            **values,
        ))
    session.add_all(rows)
    document.extractor_version = version
    session.flush()
    return len(rows)


def claim_rows(document_id: int, claims: Iterable[Claim], version: str,
               entities: Iterable[tuple[int | None, int | None]] | None = None) -> list[dict[str, Any]]:
    """The rows of a new document's claims for ``insert_claims``, each with its (subject, object) entity
    ids when they are known already (linked before the insert); the same values as ``store_claims``."""
    rows = []
    links = iter(entities) if entities is not None else None
    for claim in claims:
        values: dict[str, Any] = {name: getattr(claim, name) for name in CLAIM_FIELDS}
        extra = {name: getattr(claim, name) for name in _EXTRA_FIELDS if getattr(claim, name, None) is not None}
        subject_id, object_id = next(links) if links is not None else (None, None)
        rows.append({**values, "document_id": document_id, "sentence": claim.evidence.sentence,
                     "start": claim.evidence.start, "end": claim.evidence.end, "confidence": claim.confidence,
                     "extra": extra or None, "extractor_version": version, "subject_entity_id": subject_id,
                     "object_entity_id": object_id})
    return rows


def insert_claims(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add the claims of new documents (``claim_rows``) in one multi-row INSERT (executemany)."""
    if rows:
        session.execute(insert(_table(ClaimRow)), rows)


def to_claim(row: ClaimRow, doc: str = "") -> Claim:
    """A stored claim as the plain ``Claim`` of the contract."""
    values = {name: getattr(row, name) for name in CLAIM_FIELDS}
    extra = row.extra or {}
    return Claim(
        evidence=Evidence(row.sentence, row.start, row.end),
        confidence=row.confidence,
        doc=doc,
        **values,
        **{k: v for k, v in extra.items() if k in _EXTRA_FIELDS},
    )


def list_claims(session: Session, *, kind: str | None = None, subject: str | None = None,
                document_id: int | None = None, limit: int | None = None) -> list[Claim]:
    """Stored claims, filtered by kind, subject or document, in document then position order."""
    query = select(ClaimRow, Document.location).join(Document, Document.id == ClaimRow.document_id)
    if kind:
        query = query.where(ClaimRow.kind == kind)
    if subject:
        query = query.where(ClaimRow.subject == subject)
    if document_id is not None:
        query = query.where(ClaimRow.document_id == document_id)
    query = query.order_by(ClaimRow.document_id, ClaimRow.start, ClaimRow.id)
    if limit:
        query = query.limit(limit)
    return [to_claim(row, location) for row, location in session.execute(query)]


def count_claims(session: Session, document_id: int | None = None) -> int:
    query = select(func.count(ClaimRow.id))
    if document_id is not None:
        query = query.where(ClaimRow.document_id == document_id)
    return int(session.execute(query).scalar_one())


# Claims recorded by a person (``ssbrace load-reference``): the extractor never replaces them.
CURATED_VERSIONS = ("reference",
                    "patents-computed")  # counts computed from patent exports (ssbrace.patents.computed)
# Documents that are a computation, not reporting: their claims count, but they are no news story.
COMPUTED_VERSIONS = ("patents-computed",)


def documents_to_reextract(session: Session, current_version: str | None = None) -> list[int]:
    """Ids of the documents whose claims an extractor made, oldest first.

    Args:
        current_version: leave out the documents this extractor version handled already.
    """
    query = select(Document.id).where(or_(Document.extractor_version.is_(None),
                                          Document.extractor_version.not_in(CURATED_VERSIONS)))
    if current_version is not None:
        query = query.where(or_(Document.extractor_version.is_(None),
                                Document.extractor_version != current_version))
    return [row[0] for row in session.execute(query.order_by(Document.id))]
