"""Storing and listing claims. A document's claims are replaced atomically (delete + insert in the
caller's transaction); ``reextract_all`` redoes the documents extracted by an older extractor."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from ssbrace.domains.loader import DomainPack
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Claim as ClaimRow
from ssbrace.kb.tables import Document
from ssbrace.models import CLAIM_FIELDS, Claim, Evidence

log = logging.getLogger(__name__)

# Extension fields of a claim (CLAIMS.md allows new optional fields) are kept in the row's JSON column.
_EXTRA_FIELDS = ("object_type", "scope")


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


@dataclass
class ReextractResult:
    documents: int = 0
    claims: int = 0
    failed: int = 0


# Claims recorded by a person (``ssbrace load-reference``): the extractor never replaces them.
CURATED_VERSIONS = ("reference",)


def reextract_all(store: Store, *, domain: DomainPack | str | None = None, only_outdated: bool = True,
                  progress: Callable[[int, int], None] | None = None,
                  after_store: Callable[[Session, Document], int] | None = None) -> ReextractResult:
    """Re-run the extractor on stored documents, one transaction per document.

    Args:
        store: the knowledge store.
        domain: the domain pack (object, name or folder) to extract with.
        only_outdated: only documents extracted by another extractor version (or never).
        progress: called with (done, total) after each document.
        after_store: the per-document stages to run (default: extract and store the claims only);
            ``ssbrace.pipeline`` passes the full set, entity linking included.
    """
    from ssbrace.extract.pipeline import EXTRACTOR_VERSION, extract_claims

    def extract_only(session: Session, document: Document) -> int:
        claims = extract_claims(document.text or "", published=document.published,
                                doc=document.location, domain=domain)
        return store_claims(session, document, claims, EXTRACTOR_VERSION)

    rerun = after_store or extract_only
    with store.session() as session:
        query = select(Document.id).where(or_(Document.extractor_version.is_(None),
                                              Document.extractor_version.not_in(CURATED_VERSIONS)))
        if only_outdated:
            query = query.where(or_(Document.extractor_version.is_(None),
                                    Document.extractor_version != EXTRACTOR_VERSION))
        ids = [row[0] for row in session.execute(query.order_by(Document.id))]
    result = ReextractResult()
    for done, doc_id in enumerate(ids, 1):
        try:
            with store.session() as session:
                document = session.get(Document, doc_id)
                if document is None:
                    continue
                result.claims += rerun(session, document)
                result.documents += 1
        except Exception as exc:  # one bad document must not stop the others; its old claims stay
            log.warning("document %s: re-extraction failed, its old claims stay: %s: %s", doc_id,
                        type(exc).__name__, exc)
            log.debug("re-extraction of document %s", doc_id, exc_info=True)
            result.failed += 1
        if progress:
            progress(done, len(ids))
    return result
