"""The flow, stage after stage, for each batch of inputs.

Per document, inside the document's own transaction (``after_document_stored``): claims are
extracted and stored, and their subjects and objects linked to entities, so that a document and its
claims are written together or not at all. Per batch, once every document of it is stored
(``after_batch_stored``): new documents are grouped into stories, so that the TF-IDF weights the
clustering uses see the whole batch, not the first few documents of an empty store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from ssbrace.documents.ingest import IngestResult, ingest, update_sources
from ssbrace.extract.pipeline import EXTRACTOR_VERSION, extract_claims
from ssbrace.kb.claims_repo import ReextractResult, reextract_all, store_claims
from ssbrace.kb.resolve import link_document_claims
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Document
from ssbrace.models import Claim, ExtractedText
from ssbrace.settings import Settings
from ssbrace.stories.cluster import assign_pending


def claims_before_storing(extracted: ExtractedText, location: str, *, domain: str | None = None) -> list[Claim]:
    """The claims of a new text, extracted before its write transaction opens (see ``Ingestor.prepare``)."""
    return extract_claims(extracted.text or "", published=extracted.published, doc=location, domain=domain)


def after_document_stored(session: Session, document: Document, claims: list[Claim] | None = None, *,
                          domain: str | None = None) -> int:
    """Store the document's claims (extracted now unless given) and link their entities; returns the count."""
    if claims is None:
        claims = extract_claims(document.text or "", published=document.published, doc=document.location,
                                domain=domain)
    stored = store_claims(session, document, claims, EXTRACTOR_VERSION)
    link_document_claims(session, document.id)
    return stored


def after_batch_stored(store: Store, settings: Settings) -> int:
    """Place every document that is in no story yet into one; returns how many were placed."""
    with store.session() as session:
        return assign_pending(session, domain=settings.domain)


def run_ingest(store: Store, inputs: Sequence[str], settings: Settings, **options: Any) -> IngestResult:
    """Ingest inputs through every stage: documents, claims, entities, then stories."""
    result = ingest(store, inputs, settings, after_store=after_document_stored, prepare=claims_before_storing,
                    **options)
    after_batch_stored(store, settings)
    return result


def run_update(store: Store, settings: Settings, **options: Any) -> IngestResult:
    """Poll every registered source through every stage."""
    result = update_sources(store, settings, after_store=after_document_stored, prepare=claims_before_storing,
                            **options)
    after_batch_stored(store, settings)
    return result


def run_reextract(store: Store, settings: Settings, *, only_outdated: bool = True,
                  progress: Callable[[int, int], None] | None = None) -> ReextractResult:
    """Redo the per-document stages of stored documents (after an extractor upgrade).

    Reference claims, recorded by a person, are left as they are.
    """
    return reextract_all(store, domain=settings.domain, only_outdated=only_outdated, progress=progress,
                         after_store=lambda session, document: after_document_stored(
                             session, document, domain=settings.domain))
