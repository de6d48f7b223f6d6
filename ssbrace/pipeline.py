"""The one orchestrator: the flow, stage after stage, with storage at its edges.

Per document, inside the document's own transaction (``after_document_stored``): claims are
extracted and stored, and their subjects and objects linked to entities, so that a document and its
claims are written together or not at all. Per batch, once every document of it is stored
(``after_batch_stored``): new documents are grouped into stories, so that the TF-IDF weights the
clustering uses see the whole batch, not the first few documents of an empty store.

The stages themselves (``extract``, ``entities``, ``stories.cluster``, ``analysis``) take records and
return results; this module reads their inputs from the store and writes their results back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ssbrace.documents.ingest import IngestResult, ingest, update_sources
from ssbrace.entities.resolve import Resolver, link_claims, link_document_claims, seed_gazetteer
from ssbrace.errors import InputError, SsbraceError
from ssbrace.extract.pipeline import EXTRACTOR_VERSION, extract_claims
from ssbrace.kb import claims_repo, documents_repo, reference_repo, stories_repo
from ssbrace.kb.store import Store
from ssbrace.settings import Settings
from ssbrace.sources.reference import read_reference, reference_document, reference_path

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sqlalchemy.orm import Session

    from ssbrace.analysis.bundle import Knowledge
    from ssbrace.domains.loader import DomainPack
    from ssbrace.stories.cluster import ClusterConfig

log = logging.getLogger(__name__)


# --- per document and per batch ---


def claims_before_storing(extracted: Any, location: str, *, domain: Any = None) -> list:
    """The claims of a new text, extracted before its write transaction opens (see ``Ingestor.prepare``)."""
    return extract_claims(extracted.text or "", published=extracted.published, doc=location, domain=domain)


def after_document_stored(session: Any, document: Any, claims: list | None = None, *, domain: Any = None) -> int:
    """Store the document's claims (extracted now unless given) and link their entities; returns the count."""
    if claims is None:
        claims = extract_claims(document.text or "", published=document.published, doc=document.location,
                                domain=domain)
    stored = claims_repo.store_claims(session, document, claims, EXTRACTOR_VERSION)
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


# --- re-extraction ---


@dataclass
class ReextractResult:
    documents: int = 0
    claims: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)  # (document id, why)

    @property
    def failed(self) -> int:
        return len(self.failures)


def run_reextract(store: Store, settings: Settings, *, only_outdated: bool = True,
                  progress: Callable[[int, int], None] | None = None, raise_errors: bool = False) -> ReextractResult:
    """Redo the per-document stages of stored documents (after an extractor upgrade), one transaction each.

    Reference claims, recorded by a person, are left as they are. A document that fails keeps its old
    claims and is reported in the result; the others go on.

    Args:
        only_outdated: only documents another extractor version (or none) handled.
        progress: called with (done, total) after each document.
        raise_errors: let an unexpected error propagate instead of reporting the document as failed.
    """
    with store.session() as session:
        ids = claims_repo.documents_to_reextract(session, EXTRACTOR_VERSION if only_outdated else None)
    result = ReextractResult()
    for done, doc_id in enumerate(ids, 1):
        try:
            with store.session() as session:
                document = documents_repo.get_document(session, doc_id)
                if document is not None:
                    result.claims += after_document_stored(session, document, domain=settings.domain)
                    result.documents += 1
        except SsbraceError as exc:
            result.failures.append((doc_id, str(exc)))
        except Exception as exc:
            if raise_errors:
                raise
            log.debug("re-extraction of document %s", doc_id, exc_info=True)
            result.failures.append((doc_id, f"internal error: {type(exc).__name__}: {exc}"))
        if result.failures and result.failures[-1][0] == doc_id:
            log.warning("document %s: re-extraction failed, its old claims stay: %s", doc_id,
                        result.failures[-1][1])
        if progress:
            progress(done, len(ids))
    return result


# --- reference claims ---


def load_reference(store: Store, path: Path | None = None, pack: DomainPack | None = None) -> int:
    """Load the pack's reference claims into the store in one transaction, their entities linked.

    Returns the claims added: 0 on a re-run; a source whose claims changed replaces them as a whole.
    """
    from ssbrace.domains.loader import load_domain

    pack = pack or load_domain()
    documents = [reference_document(source) for source in read_reference(path or reference_path(pack))]
    with store.session() as session:
        seed_gazetteer(session, pack)
        stored = reference_repo.stored_digests(session, [doc.location for doc in documents])
        resolver = Resolver.load(session)
        added = 0
        for doc in documents:
            known = stored.get(doc.location)
            if known is not None and known[1] == doc.sha256:
                continue  # already loaded, unchanged
            source = doc.source
            claim_ids = reference_repo.store_reference_document(
                session, document_id=known[0] if known else None, location=doc.location, url=source.url,
                title=source.title, publisher=source.publisher, published=source.published, text=doc.text,
                sha256=doc.sha256, word_count=doc.word_count,
                claims=list(zip(source.claims, doc.spans, strict=True)))
            link_claims(session, claim_ids, resolver)
            added += len(claim_ids)
        return added


# --- stories ---


def assign_document(session: Session, document_id: int, *, config: ClusterConfig | None = None,
                    domain: str | None = None, vectorizer: TfidfVectorizer | None = None) -> int:
    """Put a stored document into a story (an open one or a new one) and return the story's id.

    Args:
        session: an open store session (the caller's transaction).
        document_id: the stored document.
        config: thresholds and window (default: ``stories.cluster.DEFAULT_CONFIG``).
        domain: the domain pack whose entities reinforce similarity (default: the setting).
        vectorizer: a TF-IDF model already fitted (``rebuild_stories`` fits one on the whole store).

    Returns:
        The id of the story the document belongs to. Calling it again returns the same id.
    """
    from ssbrace.stories.cluster import DEFAULT_CONFIG, join_original, place_document, story_window
    from ssbrace.stories.features import entity_index, resolve_domain

    config = config or DEFAULT_CONFIG
    current = stories_repo.story_of_document(session, document_id)
    if current is not None:
        return current
    doc = stories_repo.get_document(session, document_id)
    if doc is None:
        raise InputError(f"no document with id {document_id}")
    if doc.duplicate_of is not None and doc.duplicate_of != doc.id:
        story_id = assign_document(session, doc.duplicate_of, config=config, domain=domain, vectorizer=vectorizer)
        story = stories_repo.get_story(session, story_id)
        members = stories_repo.get_documents(session, [*(story.document_ids if story else ()), doc.id])
        return _store_assignment(session, join_original(doc, story_id, members))
    start, end = story_window(doc, config)
    candidates = stories_repo.stories_near(session, start, end, limit=config.max_stories)
    member_ids = {m for s in candidates for m in s.document_ids[-config.max_members :]}
    docs = stories_repo.get_documents(session, member_ids | {doc.id})
    claims, background = [], []
    if candidates:
        claims = stories_repo.claims_for_documents(session, [d.id for d in docs])
        if vectorizer is None:
            background = stories_repo.recent_documents(session, config.background)
    assignment = place_document(doc, candidates, docs, claims, entity_index(resolve_domain(domain)),
                                background=background, config=config, vectorizer=vectorizer)
    return _store_assignment(session, assignment)


def _store_assignment(session: Session, assignment: Any) -> int:
    if assignment.story_id is None:
        return stories_repo.create_story(session, assignment.document_id, assignment.day, assignment.headline)
    stories_repo.add_to_story(session, assignment.story_id, assignment.document_id, assignment.day, assignment.score,
                         assignment.headline)
    return int(assignment.story_id)


def rebuild_stories(session: Session, *, config: ClusterConfig | None = None, domain: str | None = None) -> int:
    """Forget every story and group all stored documents again, in order of arrival; returns the stories.

    One TF-IDF model is fitted on the whole store first, so a rebuild costs one fit, not one per document.
    """
    from ssbrace.stories.cluster import fit_vectorizer

    stories_repo.clear_stories(session)
    order = stories_repo.documents_in_arrival_order(session)
    if not order:
        return 0
    vectorizer = fit_vectorizer(stories_repo.get_documents(session, order))
    return len({assign_document(session, document_id, config=config, domain=domain, vectorizer=vectorizer)
                for document_id in order})


def assign_pending(session: Session, *, config: ClusterConfig | None = None, domain: str | None = None) -> int:
    """Group the stored documents that are in no story yet, in order of arrival; returns how many."""
    count = 0
    for document_id in stories_repo.pending_documents_in_arrival_order(session):
        # A near duplicate placed with its original earlier in this loop is skipped here.
        if stories_repo.story_of_document(session, document_id) is None:
            assign_document(session, document_id, config=config, domain=domain)
            count += 1
    return count


def group_stories(store: Store, settings: Settings, *, rebuild: bool = False) -> int:
    """Group the documents in no story yet (documents stored without the pipeline), or with ``rebuild``
    every document again; returns how many were placed, or with ``rebuild`` the number of stories."""
    with store.session() as session:
        if rebuild:
            return rebuild_stories(session, domain=settings.domain)
        return assign_pending(session, domain=settings.domain)


# --- knowledge ---


def build_knowledge(store: Store, pack: DomainPack | None = None,
                    weights: dict[str, float] | None = None) -> Knowledge:
    """Read every claim of the store and wrap it for analysis (facts, conflicts, ledgers, boards)."""
    from ssbrace.analysis.bundle import Knowledge
    from ssbrace.domains.loader import load_domain
    from ssbrace.kb.queries import claim_records

    with store.session() as session:
        records = claim_records(session)
    return Knowledge.of(records, pack or load_domain(), weights)
