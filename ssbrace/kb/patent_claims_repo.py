"""Storing computed patent counts as claims: one "computed" document per computation slot, its claims
replaced as a whole (document text, claims and the computation row in the caller's transaction, where the
caller links the claims' entities too)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ssbrace.kb.patent_tables import PatentComputation
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Claim, Document


@dataclass(frozen=True)
class ComputationRow:
    id: int
    slot: str
    document_id: int
    definition: str
    inputs: str
    choices: dict[str, Any]
    exports: list[dict[str, Any]]
    claims: int
    computed_at: datetime


def _row(c: PatentComputation) -> ComputationRow:
    return ComputationRow(c.id, c.slot, c.document_id, c.definition, c.inputs, dict(c.choices), list(c.exports),
                          c.claims, c.computed_at)


def find_computation(store: Store, slot: str) -> ComputationRow | None:
    with store.session() as session:
        found = session.execute(select(PatentComputation).where(PatentComputation.slot == slot)).scalar_one_or_none()
        return _row(found) if found else None


def computations(store: Store) -> list[ComputationRow]:
    with store.session() as session:
        return [_row(c) for c in session.execute(select(PatentComputation).order_by(PatentComputation.id)).scalars()]


@dataclass(frozen=True)
class ComputedDocument:
    location: str
    title: str
    publisher: str
    text: str
    sha256: str
    version: str


def save_computation(session: Session, *, slot: str, definition: str, inputs: str, choices: dict[str, Any],
                     exports: list[dict[str, Any]], document: ComputedDocument,
                     claims: Sequence[dict[str, Any]]) -> ComputationRow:
    """Store a computation's claims, replacing what the slot held before, inside the caller's transaction.

    Args:
        claims: the claim rows' values (CLAIMS.md fields, ``sentence``, ``start``, ``end``, ``confidence``,
            ``extra``) without their document.
    """
    now = datetime.now(UTC)
    row = session.execute(select(PatentComputation).where(PatentComputation.slot == slot)).scalar_one_or_none()
    doc = session.get(Document, row.document_id) if row is not None else session.execute(
        select(Document).where(Document.location == document.location)).scalar_one_or_none()
    if doc is None:
        doc = Document(location=document.location, text="", sha256="")
        session.add(doc)
    else:
        session.execute(delete(Claim).where(Claim.document_id == doc.id))
    doc.title, doc.publisher, doc.text = document.title, document.publisher, document.text
    doc.sha256 = document.sha256
    doc.published, doc.content_type = now.date(), "text/plain"
    doc.word_count, doc.extractor_version = len(document.text.split()), document.version
    session.flush()
    session.add_all(Claim(document_id=doc.id, extractor_version=document.version, **values) for values in claims)
    session.flush()
    if row is None:
        row = PatentComputation(slot=slot, document_id=doc.id)
        session.add(row)
    row.definition, row.inputs, row.choices, row.exports = definition, inputs, choices, exports
    row.claims, row.computed_at = len(claims), now
    session.flush()
    return _row(row)
