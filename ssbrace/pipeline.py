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
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from ssbrace import budget
from ssbrace.documents.dedup import StoredNearDuplicates, to_bytes
from ssbrace.documents.ingest import IngestResult, ItemResult, Text, read_raw
from ssbrace.documents.text import word_count
from ssbrace.entities.resolve import Resolver, link_claims, link_document_claims, seed_gazetteer
from ssbrace.errors import InputError, SsbraceError
from ssbrace.extract.pipeline import EXTRACTOR_VERSION, extract_claims
from ssbrace.kb import claims_repo, documents_repo, reference_repo, reviews_repo, stories_repo
from ssbrace.kb.store import Store
from ssbrace.models import Claim, ExtractedText
from ssbrace.settings import Settings
from ssbrace.sources.files import display_path
from ssbrace.sources.options import SourceOptions
from ssbrace.sources.reference import read_reference, reference_document, reference_path
from ssbrace.sources.routing import Found, KnownSource, Router, Settled
from ssbrace.sources.web import FetchOptions

if TYPE_CHECKING:
    from datetime import date, datetime

    from sqlalchemy.orm import Session

    from ssbrace.analysis.bundle import Knowledge
    from ssbrace.delivery.digest import DeliveryReport, Digest
    from ssbrace.domains.loader import DomainPack
    from ssbrace.domains.schema import Topic
    from ssbrace.kb.records import ClaimRecord
    from ssbrace.kb.stories_repo import DocRecord, StoryRecord
    from ssbrace.kb.story_ledger import StoryLedger
    from ssbrace.kb.tables import Document
    from ssbrace.stories.brief import Brief
    from ssbrace.stories.cluster import Assignment, ClusterConfig, StoryVectors
    from ssbrace.stories.features import EntityIndex, Profile
    from ssbrace.stories.terms import TermCounts
    from ssbrace.stories.topics import StoryContent

log = logging.getLogger(__name__)


# --- ingestion: route, read, store, then the per-document stages ---

AfterStore = Callable[..., int]  # (session, document) or, with a prepare hook, (session, document, prepared)
# Work done for a new text before its write transaction (claim extraction): (extracted, location) -> result.
Prepare = Callable[[ExtractedText, str], Any]
Progress = Callable[[int, int, str], None]  # done, total, what is being read


def claims_before_storing(extracted: ExtractedText, location: str, *,
                          domain: DomainPack | str | None = None) -> list[Claim]:
    """The claims of a new text, extracted before its write transaction opens (see ``Ingestion``)."""
    return extract_claims(extracted.text or "", published=extracted.published, doc=location, domain=domain)


def after_document_stored(session: Session, document: Document, claims: list[Claim] | None = None, *,
                          domain: DomainPack | str | None = None) -> int:
    """Store the document's claims (extracted now unless given) and link their entities; returns the count."""
    if claims is None:
        claims = extract_claims(document.text or "", published=document.published, doc=document.location,
                                domain=domain)
    stored = claims_repo.store_claims(session, document, claims, EXTRACTOR_VERSION)
    link_document_claims(session, document.id)
    # Reviews of the claims just replaced find their claims again (by key: the ids are new).
    reviews_repo.rematch_document(session, document)
    return stored


class StoredSources:
    """The store's register of sources, as ``sources.routing`` asks it (one short transaction per call)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def find(self, location: str) -> KnownSource | None:
        with self.store.session() as session:
            s = documents_repo.find_source(session, location)
            return None if s is None else KnownSource(s.id, s.kind, s.etag, s.last_modified, s.last_status,
                                                      SourceOptions.from_json(s.options))

    def register(self, location: str, kind: str, name: str | None, title: str | None = None) -> int:
        with self.store.session() as session:
            source, _ = documents_repo.add_source(session, location, kind, name)
            if source.name is None and title:
                source.name = title
            return source.id

    def record_poll(self, source_id: int, status: str, **values: Any) -> None:
        with self.store.session() as session:
            documents_repo.record_poll(session, source_id, status, **values)

    def stored_locations(self, locations: list[str]) -> dict[str, int]:
        with self.store.session() as session:
            return documents_repo.known_locations(session, locations)

    def locations(self) -> list[str]:
        """What ``update`` polls: the sources not disabled."""
        with self.store.session() as session:
            return documents_repo.enabled_source_locations(session)


class Ingestion:
    """One batch of inputs: routed (``sources.routing``), read (``documents.ingest``), each new text stored
    with its duplicates checked in its own transaction, then the per-document stages in that transaction.

    A crash or a bad input never leaves half a document and never loses the rest of a batch.

    Args:
        store: the knowledge store.
        settings: caps, timeouts, allow_private, near_duplicate_threshold, document_seconds.
        after_store: called inside each new document's transaction after its row is flushed;
            returns the number of claims it stored.
        prepare: called for each new text before its write transaction opens; its result is passed to
            ``after_store`` as a third argument. Slow work belongs here: SQLite holds its write lock
            from the first insert to the commit, and other writers wait for it meanwhile.
        progress: called as inputs are handled.
        fetch_options: overrides the options built from the settings (tests, benchmarks).
        raise_errors: let unexpected errors propagate (``--debug``) instead of reporting them.
    """

    def __init__(self, store: Store, settings: Settings, *, after_store: AfterStore | None = None,
                 prepare: Prepare | None = None, progress: Progress | None = None,
                 fetch_options: FetchOptions | None = None, raise_errors: bool = False) -> None:
        self.store = store
        self.settings = settings
        self.after_store = after_store
        self.prepare = prepare
        self.progress = progress
        self.options = fetch_options or FetchOptions.from_settings(settings)
        self.raise_errors = raise_errors
        self.sources = StoredSources(store)
        self.router = Router(self.sources, self.options, getattr(settings, "document_seconds", None))
        self.result = IngestResult()
        self._index: StoredNearDuplicates | None = None
        self._done = 0
        self._total = 0

    def __enter__(self) -> Ingestion:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.router.close()

    def ingest(self, inputs: Sequence[str], *, name: str | None = None) -> IngestResult:
        """Ingest paths (files, folders) and http(s) URLs (pages or feeds)."""
        return self._run(list(inputs), name)

    def update(self) -> IngestResult:
        """Poll every registered source not disabled; feeds with a conditional GET."""
        self.router.polling = True
        try:
            return self._run(self.sources.locations(), None)
        finally:
            self.router.polling = False

    def _run(self, inputs: list[str], name: str | None) -> IngestResult:
        self._open_index()
        self._total += len(inputs)
        for text in inputs:
            self._input(text, name)
        return self.result

    def _open_index(self) -> None:
        # Before any document's time budget starts: banding an older store's signatures is done once,
        # and may take long, but it is no document's doing.
        if self._index is None:
            index = StoredNearDuplicates(self.settings.near_duplicate_threshold)
            with self.store.session() as session:
                index.fill_missing(documents_repo.Bands(session))
            self._index = index

    @property
    def index(self) -> StoredNearDuplicates:
        self._open_index()
        assert self._index is not None
        return self._index

    def _tick(self, label: str, *, count: bool = True) -> None:
        if count:
            self._done += 1
        if self.progress is not None:
            self.progress(self._done, max(self._total, self._done), label)

    def _fail(self, label: str, exc: Exception) -> ItemResult:
        """Report a failure in one line; an unexpected error propagates when asked (``--debug``)."""
        if not isinstance(exc, SsbraceError):
            if self.raise_errors:
                raise exc
            log.debug("internal error on %s", label, exc_info=exc)
        reason = str(exc) if isinstance(exc, SsbraceError) else f"internal error: {type(exc).__name__}: {exc}"
        return self.result.add(ItemResult(input=label, status="failed", reason=reason))

    def _input(self, text: str, name: str | None) -> None:
        self._tick(text, count=False)
        before = self._done
        try:
            route = self.router.route(text, name)
            # The input counts as one unit of work already; its files or entries are the real units.
            self._total += max(route.units - 1, 0)
            route.finish([self._item(item) for item in route.items])
        except Exception as exc:  # one bad input must not end the batch
            self._fail(display_path(text), exc)
        if self._done == before:  # folders and feeds tick once per file or entry instead
            self._tick(text)

    def _item(self, item: Found | Settled) -> str:
        """Handle one document of an input; returns its status."""
        if isinstance(item, Settled):
            self.result.add(ItemResult(input=item.label, status=item.status, reason=item.reason,
                                       document_id=item.document_id))
            if item.counts:
                self._tick(item.label)
            return item.status
        try:
            # The time budget of one document: it fails alone when spent.
            with budget.time_budget(getattr(self.settings, "document_seconds", None)):
                raw = item.fetch()
                text = read_raw(raw, max_bytes=self.options.max_bytes,
                                max_text_chars=getattr(self.settings, "max_text_chars", None))
                outcome = self._store(item, text, fetched_at=raw.fetched_at)
        except Exception as exc:
            outcome = self._fail(item.label, exc)
        self._tick(item.label)
        return outcome.status

    def _store(self, found: Found, text: Text, *, fetched_at: datetime | None = None) -> ItemResult:
        """Store one text in its own transaction, or say why it is a duplicate."""
        extracted = text.extracted
        item = ItemResult(input=found.label, status="new", title=extracted.title)
        match = None
        try:
            with self.store.session() as session:
                same_place = documents_repo.find_document_by_location(session, found.location)
                if same_place is not None:
                    same = same_place.sha256 == text.sha256
                    changed = "" if same else " (its text has changed since; kept as stored)"
                    # polled again and found as stored: unchanged, not a duplicate of anything
                    status = "unchanged" if same and self.router.polling else "duplicate"
                    return self.result.add(replace(item, status=status, document_id=same_place.id,
                                                   reason=f"already stored as document {same_place.id}{changed}"))
                same_text = documents_repo.find_document_by_sha256(session, text.sha256)
                if same_text is not None:
                    return self.result.add(replace(item, status="duplicate", duplicate_of=same_text.id,
                                                   reason=f"same text as document {same_text.id} ({same_text.location})"))
                match = self.index.best_match(documents_repo.Bands(session), text.signature)
                # Reads so far took no lock; the write transaction starts at the insert below.
                prepared = self.prepare(extracted, found.location) if self.prepare is not None else None
                document = documents_repo.insert_document(
                    session, location=found.location, url=extracted.url, text=extracted.text, sha256=text.sha256,
                    minhash=to_bytes(text.signature), source_id=found.source_id, title=extracted.title,
                    author=extracted.author, publisher=extracted.publisher, published=extracted.published,
                    language=extracted.language, content_type=(text.content_type or "")[:64] or None,
                    word_count=word_count(extracted.text), duplicate_of=match[0] if match else None,
                    similarity=round(match[1], 4) if match else None, extractor_version=text.extractor_version,
                    fetched_at=fetched_at)
                item.document_id = document.id
                if match is None:
                    # Only originals are indexed, in the document's own transaction.
                    self.index.add(documents_repo.Bands(session), document.id, text.signature)
                if self.after_store is not None:
                    extra = (prepared,) if self.prepare is not None else ()
                    item.claims = int(self.after_store(session, document, *extra) or 0)
        except IntegrityError:
            # Another run stored the same location or text between our checks and our insert.
            return self.result.add(replace(item, status="duplicate", reason="stored meanwhile by another run",
                                           document_id=None))
        if match is not None:
            item.status = "near_duplicate"
            item.duplicate_of, item.similarity = match[0], round(match[1], 4)
            item.reason = f"similar to document {match[0]} (estimated Jaccard {match[1]:.2f})"
        return self.result.add(item)


def ingest_documents(store: Store, inputs: Sequence[str], settings: Settings, *, name: str | None = None,
                     **options: Any) -> IngestResult:
    """Ingest files, folders, pages and feeds into the store; ``options`` as for ``Ingestion`` (no stage
    after the documents' unless its hooks are given)."""
    with Ingestion(store, settings, **options) as ingestion:
        return ingestion.ingest(inputs, name=name)


def update_documents(store: Store, settings: Settings, **options: Any) -> IngestResult:
    """Poll every registered source once; ``options`` as for ``Ingestion``."""
    with Ingestion(store, settings, **options) as ingestion:
        return ingestion.update()


@dataclass(frozen=True)
class WorkedOut:
    """What grouping compares of new documents, worked out already (a distributed run's workers), by document
    id: their entities and figures, and their term counts. Grouping works out the rest itself."""

    profiles: Mapping[int, Profile] = field(default_factory=dict)
    terms: Mapping[int, TermCounts] = field(default_factory=dict)


def after_batch_stored(store: Store, settings: Settings, *, worked_out: WorkedOut | None = None) -> int:
    """Place every document that is in no story yet into one, then send the alerts of watches and webhooks
    (``following.run_alerts``); returns how many documents were placed."""
    with store.session() as session:
        placed = assign_pending(session, domain=settings.domain, worked_out=worked_out)
    if getattr(settings, "alerts", True):
        from ssbrace.following import run_alerts

        try:
            run_alerts(store, settings)
        except Exception as exc:  # the batch is stored whatever happens here; what was not sent stays queued
            log.warning("alerts not sent: %s", exc if isinstance(exc, SsbraceError) else f"{type(exc).__name__}: {exc}")
            log.debug("alerts after the batch", exc_info=True)
    return placed


def run_ingest(store: Store, inputs: Sequence[str], settings: Settings, **options: Any) -> IngestResult:
    """Ingest inputs through every stage: documents, claims, entities, then stories."""
    result = ingest_documents(store, inputs, settings, after_store=after_document_stored,
                              prepare=claims_before_storing, **options)
    after_batch_stored(store, settings)
    return result


def run_update(store: Store, settings: Settings, **options: Any) -> IngestResult:
    """Poll every registered source through every stage."""
    result = update_documents(store, settings, after_store=after_document_stored,
                              prepare=claims_before_storing, **options)
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

    def redo(self, store: Store, doc_id: int, stages: Callable[[Session, Document], int], *,
             raise_errors: bool = False) -> None:
        """Run ``stages`` (returning the claims stored) on one stored document in its own transaction; a
        failure is recorded here and the document keeps its old claims."""
        reason = None
        try:
            with store.session() as session:
                document = documents_repo.get_document(session, doc_id)
                if document is not None:
                    self.claims += stages(session, document)
                    self.documents += 1
        except SsbraceError as exc:
            reason = str(exc)
        except Exception as exc:
            if raise_errors:
                raise
            log.debug("re-extraction of document %s", doc_id, exc_info=True)
            reason = f"internal error: {type(exc).__name__}: {exc}"
        if reason is not None:
            log.warning("document %s: re-extraction failed, its old claims stay: %s", doc_id, reason)
            self.failures.append((doc_id, reason))


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
        result.redo(store, doc_id, lambda session, document: after_document_stored(session, document,
                                                                                    domain=settings.domain),
                    raise_errors=raise_errors)
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


CLAIMS_READ_AHEAD = 256  # documents whose claims one query reads


@dataclass
class StoryBatch:
    """What the placements of one batch share: one TF-IDF model and its vectors, and the documents and claims
    read so far (records do not change while stories are grouped), so that placing a document costs the
    same whatever the batch's size."""

    vectors: StoryVectors
    docs: dict[int, DocRecord] = field(default_factory=dict)
    claims: dict[int, list[ClaimRecord]] = field(default_factory=dict)
    # A rebuild keeps ids: a story founded by the same document as before gets its old id (feeds, links and
    # Atom entries stay valid); another new story gets an id above every old one.
    founded: dict[int, int] = field(default_factory=dict)  # founding document id -> story id before
    next_id: int | None = None
    # The batch's placements, held and written at its end (``kb.story_ledger``); None: each one written
    # as it is made.
    ledger: StoryLedger | None = None
    # Documents whose claims will be asked for, in the order they will be placed: read a few hundred at a
    # time, not one query per placement.
    upcoming: list[int] = field(default_factory=list)
    _ahead: int = 0

    def new_story_id(self, document_id: int) -> int | None:
        if document_id in self.founded:
            return self.founded[document_id]
        if self.next_id is None:
            return None
        self.next_id += 1
        return self.next_id

    def documents(self, session: Session, ids: set[int]) -> list[DocRecord]:
        missing = {i for i in ids if i not in self.docs}  # (a set minus the keys walks every key held)
        if missing:
            self.docs.update((d.id, d) for d in stories_repo.get_documents(session, missing))
        return [self.docs[i] for i in sorted(ids) if i in self.docs]

    def claims_of(self, session: Session, ids: list[int]) -> list[ClaimRecord]:
        missing = [i for i in ids if i not in self.claims]
        if missing:
            while len(missing) < CLAIMS_READ_AHEAD and self._ahead < len(self.upcoming):
                if self.upcoming[self._ahead] not in self.claims:
                    missing.append(self.upcoming[self._ahead])
                self._ahead += 1
            found: dict[int, list[ClaimRecord]] = {i: [] for i in missing}
            for claim in stories_repo.claims_for_documents(session, missing):
                found[claim.document_id].append(claim)
            self.claims.update(found)
        return [c for i in ids for c in self.claims[i]]


def story_batch(session: Session, docs: list[DocRecord], config: ClusterConfig | None = None,
                worked_out: WorkedOut | None = None) -> StoryBatch:
    """One model for a batch of new documents, fitted on them and the store's recent documents; their
    placements held in a ledger, which ``assign_pending`` writes at the end. ``worked_out``: what is known of
    some of them already."""
    from ssbrace.kb.story_ledger import StoryLedger
    from ssbrace.stories.cluster import DEFAULT_CONFIG, StoryVectors

    background = stories_repo.recent_document_ids(session, (config or DEFAULT_CONFIG).background)
    new = {d.id: d for d in docs}
    worked_out = worked_out or WorkedOut()
    counted = _corpus_terms(session, set(background) | new.keys(), new, min(background, default=0),
                            worked_out.terms)
    # one model and one set of vectors for the whole batch: rows added one by one would restack
    batch = StoryBatch(StoryVectors.from_kept_terms(counted), next_id=stories_repo.next_story_id(session),
                       ledger=StoryLedger(session, pending=set(new)))
    batch.vectors.profiles.update((i, p) for i, p in worked_out.profiles.items() if i in counted)
    batch.docs.update(new)
    return batch


def _corpus_terms(session: Session, ids: set[int], read: Mapping[int, DocRecord], keep_from: int,
                  given: Mapping[int, TermCounts]) -> dict[int, TermCounts]:
    """The term counts of these documents: those kept in the store, then those ``given`` (counted by a
    distributed run's workers), the others counted from their texts (those in ``read`` are not read again);
    each is kept when its id is ``keep_from`` or above, and counts kept for older documents are dropped (a
    batch weighs terms by the latest documents only, ``ClusterConfig.background``)."""
    from ssbrace.stories.terms import TermCounts, document_terms, terms_digest

    kept = stories_repo.kept_terms(session, ids, terms_digest)
    counted = {i: TermCounts.from_bytes(blob) for i, (_, blob) in kept.items() if blob}
    missing = sorted(i for i, (_, blob) in kept.items() if not blob)
    uncounted = [i for i in missing if i not in given]
    unread = [i for i in uncounted if i not in read]
    texts = {**read, **{d.id: d for d in stories_repo.get_documents(session, unread)}} if unread else read
    fresh = {i: given[i] for i in missing if i in given}
    fresh.update(zip(uncounted, document_terms([texts[i] for i in uncounted]), strict=True))
    counted.update(fresh)
    stories_repo.keep_terms(session, [(i, kept[i][0], c.to_bytes()) for i, c in fresh.items() if i >= keep_from],
                            below=keep_from, stale=[i for i in missing if kept[i][1] == b""])
    return counted


def assign_document(session: Session, document_id: int, *, config: ClusterConfig | None = None,
                    domain: str | None = None, batch: StoryBatch | None = None) -> int:
    """Put a stored document into a story (an open one or a new one) and return the story's id.

    Args:
        session: an open store session (the caller's transaction).
        document_id: the stored document.
        config: thresholds and window (default: ``stories.cluster.DEFAULT_CONFIG``).
        domain: the domain pack whose entities reinforce similarity (default: the setting).
        batch: the model and reads shared by a batch of placements (``assign_pending``, ``rebuild_stories``);
            without it a model is fitted for this document alone.

    Returns:
        The id of the story the document belongs to. Calling it again returns the same id.
    """
    from ssbrace.stories.cluster import (
        DEFAULT_CONFIG,
        document_keys,
        join_original,
        place_document,
        story_window,
    )
    from ssbrace.stories.features import entity_index, resolve_domain

    config = config or DEFAULT_CONFIG
    ledger = batch.ledger if batch is not None else None
    current = ledger.story_of(document_id) if ledger else stories_repo.story_of_document(session, document_id)
    if current is not None:
        return current
    doc = (batch.docs.get(document_id) if batch else None) or stories_repo.get_document(session, document_id)
    if doc is None:
        raise InputError(f"no document with id {document_id}")
    if doc.duplicate_of is not None and doc.duplicate_of != doc.id:
        story_id = assign_document(session, doc.duplicate_of, config=config, domain=domain, batch=batch)
        if batch is not None and ledger is not None:
            members = batch.documents(session, {*ledger.all_members(story_id), doc.id})
        else:
            story = stories_repo.get_story(session, story_id)
            members = stories_repo.get_documents(session, [*(story.document_ids if story else ()), doc.id])
        return _store_assignment(session, join_original(doc, story_id, members), batch, config.max_members)
    start, end = story_window(doc, config)
    index = entity_index(resolve_domain(domain))
    known = batch.vectors.profiles if batch is not None else None
    if known is not None and doc.id in known:
        own: list[ClaimRecord] = []  # its entities and figures are known: its claims are not read
    elif batch is not None:
        own = batch.claims_of(session, [doc.id])
    else:
        own = stories_repo.claims_for_documents(session, [doc.id])
    keys = document_keys(doc, own, index, known)
    candidates = _candidate_stories(session, keys, start, end, config, ledger)
    member_ids = {m for s in candidates for m in s.document_ids[-config.max_members :]}
    claims: list[ClaimRecord] = []
    background: list[DocRecord] = []
    if batch is not None:
        docs = batch.documents(session, member_ids | {doc.id})
        if candidates:
            claims = batch.claims_of(session, [d.id for d in docs if d.id not in batch.vectors.profiles])
    else:
        docs = stories_repo.get_documents(session, member_ids | {doc.id})
        if candidates:
            claims = stories_repo.claims_for_documents(session, [d.id for d in docs])
            background = stories_repo.recent_documents(session, config.background)
    assignment = place_document(doc, candidates, docs, claims, index, background=background, config=config,
                                vectors=batch.vectors if batch is not None else None)
    story_id = _store_assignment(session, assignment, batch, config.max_members)
    if ledger is not None:
        ledger.add_keys(story_id, doc.id, doc.day, keys)
    else:
        stories_repo.add_story_keys(session, story_id, doc.id, doc.day, keys)
    return story_id


def _candidate_stories(session: Session, keys: set[str], start: date, end: date,
                       config: ClusterConfig, ledger: StoryLedger | None = None) -> list[StoryRecord]:
    """The stories a document is compared with: those of its window that share its most telling keys, and the
    most recently active ones (a document that shares no key may still read like one of them)."""
    from ssbrace.stories.cluster import rank_by_keys

    if ledger is not None:
        postings = ledger.stories_with_keys(keys, start, end, config.key_postings)
        ranked = rank_by_keys(postings, config.max_stories, config.key_postings)
        recent = ledger.active_story_ids(start, end, config.recent_stories)
        return ledger.get_stories({*recent, *ranked}, latest_members=config.max_members)
    postings = stories_repo.stories_with_keys(session, keys, start, end, config.key_postings)
    ranked = rank_by_keys(postings, config.max_stories, config.key_postings)
    recent = stories_repo.active_story_ids(session, start, end, config.recent_stories)
    return stories_repo.get_stories(session, {*recent, *ranked}, latest_members=config.max_members)


def _store_assignment(session: Session, assignment: Assignment, batch: StoryBatch | None = None,
                      latest_members: int = 8) -> int:
    ledger = batch.ledger if batch is not None else None
    if assignment.story_id is None:
        story_id = batch.new_story_id(assignment.document_id) if batch else None
        if ledger is not None and story_id is not None:
            return ledger.create(assignment.document_id, assignment.day, assignment.headline, story_id)
        return stories_repo.create_story(session, assignment.document_id, assignment.day, assignment.headline,
                                         story_id)
    if ledger is not None:
        ledger.add(assignment.story_id, assignment.document_id, assignment.day, assignment.score,
                   assignment.headline, latest_members)
    else:
        stories_repo.add_to_story(session, assignment.story_id, assignment.document_id, assignment.day,
                                  assignment.score, assignment.headline)
    return int(assignment.story_id)


def rebuild_stories(session: Session, *, config: ClusterConfig | None = None, domain: str | None = None) -> int:
    """Forget every story and group all stored documents again, in order of arrival; returns the stories.

    One TF-IDF model is fitted on the whole store first, so a rebuild costs one fit, not one per document.
    A story founded by the same document as before keeps its id (and so its links and feed entries).
    """
    from ssbrace.kb.story_ledger import StoryLedger
    from ssbrace.stories.cluster import StoryVectors

    founded, last_id = stories_repo.founders(session), stories_repo.next_story_id(session)
    stories_repo.clear_stories(session)
    order = stories_repo.documents_in_arrival_order(session)
    if not order:
        return 0
    docs = stories_repo.get_documents(session, order)
    ledger = StoryLedger(session, pending=set(order))
    batch = StoryBatch(StoryVectors.fitted(docs), docs={d.id: d for d in docs}, founded=founded,
                       next_id=last_id, ledger=ledger)
    count = len({assign_document(session, document_id, config=config, domain=domain, batch=batch)
                 for document_id in order})
    ledger.flush()
    stories_repo.sync_story_ids(session)
    return count


@dataclass(frozen=True)
class PeriodRebuild:
    """What ``rebuild_period`` did: the period's documents grouped again, into how many stories, and the
    stories kept as they were because they reach past the period's edges."""

    documents: int
    stories: int
    kept: int


def rebuild_period(session: Session, start: date, end: date, *, config: ClusterConfig | None = None,
                   domain: str | None = None) -> PeriodRebuild:
    """Group the documents dated within [start, end] again, as ``rebuild_stories`` does for the whole store,
    so that a backfill can be grouped a month at a time (docs/stories.md, "A period at a time").

    The stories wholly inside the period are forgotten and its documents placed again in arrival order,
    with one TF-IDF model fitted on them and their neighbours (the documents within a story window of the
    period, which its placements may be compared with; a full rebuild fits the whole store); a story
    founded by the same document as before keeps its id.
    Documents dated outside the period are not moved: a story that reaches past an edge is kept as it is,
    its members in the period with it, and the stories outside are candidates as the store holds them.
    Placement holds its lock (``stories_repo.lock_placement``) for the transaction: two periods rebuilt at
    once take turns, as they hand out story ids.
    """
    from datetime import timedelta

    from ssbrace.kb import story_periods
    from ssbrace.kb.story_ledger import StoryLedger
    from ssbrace.stories.cluster import DEFAULT_CONFIG, StoryVectors

    stories_repo.lock_placement(session)
    touched = story_periods.stories_in_period(session, start, end)
    founded, last_id = stories_repo.founders(session, touched.inside), stories_repo.next_story_id(session)
    story_periods.forget_stories(session, touched.inside)
    order = [i for i in story_periods.documents_in_period(session, start, end) if i not in touched.crossing_members]
    if not order:
        return PeriodRebuild(0, 0, len(touched.crossing))
    config = config or DEFAULT_CONFIG
    margin = timedelta(days=config.window_days)
    near = stories_repo.get_documents(session, story_periods.documents_in_period(session, start - margin,
                                                                                 end + margin))
    ledger = StoryLedger(session, pending=set(order))
    batch = StoryBatch(StoryVectors.fitted(near), docs={d.id: d for d in near}, founded=founded,
                       next_id=last_id, ledger=ledger, upcoming=list(order))
    _index_older_stories(session, [batch.docs[i] for i in order], batch, config, domain)
    stories = {assign_document(session, document_id, config=config, domain=domain, batch=batch)
               for document_id in order}
    ledger.flush()
    stories_repo.sync_story_ids(session)
    return PeriodRebuild(len(order), len(stories), len(touched.crossing))


def assign_pending(session: Session, *, config: ClusterConfig | None = None, domain: str | None = None,
                   worked_out: WorkedOut | None = None) -> int:
    """Group the stored documents that are in no story yet, in order of arrival; returns how many.

    The batch shares one TF-IDF model, fitted on the new documents and the store's recent ones, and each
    document is read and turned into a vector once. Its placements are kept in memory and written at the
    end (``kb.story_ledger``). ``worked_out``: what is known of new documents already (``WorkedOut``)."""
    from ssbrace.stories.cluster import DEFAULT_CONFIG

    stories_repo.lock_placement(session)
    pending = stories_repo.pending_documents_in_arrival_order(session)
    if not pending:
        return 0
    docs = stories_repo.get_documents(session, pending)
    batch = story_batch(session, docs, config, worked_out)
    assert batch.ledger is not None
    batch.upcoming = [i for i in pending if i not in batch.vectors.profiles]
    _index_older_stories(session, docs, batch, config or DEFAULT_CONFIG, domain)
    count = 0
    for document_id in pending:
        # A near duplicate placed with its original earlier in this loop is skipped here.
        if batch.ledger.story_of(document_id) is None:
            assign_document(session, document_id, config=config, domain=domain, batch=batch)
            count += 1
    batch.ledger.flush()
    return count


def _index_older_stories(session: Session, docs: Sequence[DocRecord], batch: StoryBatch, config: ClusterConfig,
                         domain: str | None) -> None:
    """Stories grouped before the story index existed get their latest members indexed, for the windows of
    the documents about to be placed (once: an indexed story is not read again)."""
    from ssbrace.stories.cluster import document_keys, story_window
    from ssbrace.stories.features import entity_index, resolve_domain

    days = [story_window(d, config) for d in docs]
    older = stories_repo.stories_without_keys(session, min(s for s, _ in days), max(e for _, e in days))
    if not older:
        return
    index = entity_index(resolve_domain(domain))
    stories = stories_repo.get_stories(session, older, latest_members=config.max_members)
    members = batch.documents(session, {m for story in stories for m in story.document_ids})
    batch.claims_of(session, [m.id for m in members])  # one read for all of them
    by_id = {m.id: m for m in members}
    for story in stories:
        for member in (by_id[i] for i in story.document_ids if i in by_id):
            keys = document_keys(member, batch.claims_of(session, [member.id]), index, batch.vectors.profiles)
            stories_repo.add_story_keys(session, story.id, member.id, member.day, keys)


def group_stories(store: Store, settings: Settings, *, rebuild: bool = False) -> int:
    """Group the documents in no story yet (documents stored without the pipeline), or with ``rebuild``
    every document again; returns how many were placed, or with ``rebuild`` the number of stories."""
    with store.session() as session:
        if rebuild:
            return rebuild_stories(session, domain=settings.domain)
        return assign_pending(session, domain=settings.domain)


# --- briefs, topics, digests and feeds: stories read, the pure stages compose ---


def build_brief(session: Session, story_id: int, *, domain: str | None = None) -> Brief:
    """The brief of one story (``stories.brief.compose_brief`` over its documents and claims).

    Args:
        domain: the domain pack whose entities, abbreviations and boilerplate labels apply
            (default: the setting).

    Raises:
        InputError: no story with this id.
    """
    from ssbrace.stories.brief import compose_brief
    from ssbrace.stories.features import entity_index, resolve_domain
    from ssbrace.stories.sentences import text_rules

    story = stories_repo.get_story(session, story_id)
    if story is None:
        raise InputError(f"no story with id {story_id}")
    docs = stories_repo.get_documents(session, story.document_ids)
    claims = stories_repo.claims_for_documents(session, story.document_ids, reviewed=True)
    name = resolve_domain(domain)
    return compose_brief(story, docs, claims, index=entity_index(name), rules=text_rules(name))


# story_contents reads the documents and claims of this many stories, or of stories holding this many documents,
# in one query each: a page that stops early has read at most one such group past what it kept.
_CONTENTS_STORIES = 100
_CONTENTS_DOCUMENTS = 500


def story_contents(session: Session, stories: Iterable[StoryRecord]) -> Iterator[StoryContent]:
    """Each story with its documents and their claims, read lazily a group of stories at a time."""
    group: list[StoryRecord] = []
    members = 0
    for story in stories:
        group.append(story)
        members += len(story.document_ids)
        if len(group) >= _CONTENTS_STORIES or members >= _CONTENTS_DOCUMENTS:
            yield from _group_contents(session, group)
            group, members = [], 0
    yield from _group_contents(session, group)


def _group_contents(session: Session, stories: Sequence[StoryRecord]) -> Iterator[StoryContent]:
    """The contents of a few stories, as ``story_contents`` gives them: documents and claims in id order."""
    from ssbrace.stories.topics import StoryContent

    ids = [i for story in stories for i in story.document_ids]
    docs = {d.id: d for d in stories_repo.get_documents(session, ids)}
    claims: dict[int, list[ClaimRecord]] = defaultdict(list)
    for claim in stories_repo.claims_for_documents(session, ids, reviewed=True):
        claims[claim.document_id].append(claim)
    for story in stories:
        members = sorted(set(story.document_ids))
        yield StoryContent(story, [docs[i] for i in members if i in docs],
                           sorted((c for i in members for c in claims.get(i, ())), key=lambda c: c.id))


def stories_for_topic(session: Session, topic: Topic, index: EntityIndex, since: date | None = None,
                      limit: int | None = None) -> list[StoryRecord]:
    """The topic's stories active on or after ``since``, latest first (``stories.topics`` decides).

    Stories are read a chunk at a time as the rules go through them: a page of ``limit`` stops reading once full.
    """
    from ssbrace.stories.topics import select_for_topic

    stories = stories_repo.iter_stories(session, since=since)
    return select_for_topic(topic, story_contents(session, stories), index, limit)


def build_digest(session: Session, topic: Topic, since: datetime, *, now: datetime | None = None,
                 index: EntityIndex | None = None, domain: str = "solid_state_batteries", base_url: str = "",
                 with_changes: bool = True) -> Digest:
    """The digest of a topic's stories active since ``since``, with their briefs and what changed.

    Args:
        session: an open store session.
        topic: the topic (see ``ssbrace.stories.topics.find_topic``).
        since: start of the period (stories with a document dated that day or later).
        now: end of the period, for the heading.
        index: entity index for topic rules (default: the domain pack's).
        domain: domain pack name, when no index is given, and for the changes' analysis.
        base_url: public URL of the web app, for story links.
        with_changes: include the scoreboard and target-ledger changes.
    """
    from datetime import UTC
    from datetime import datetime as moment

    from ssbrace.analysis.changes import changes_since
    from ssbrace.analysis.config import config_from_pack
    from ssbrace.delivery.digest import NO_CHANGES, Digest, change_sections
    from ssbrace.domains.loader import load_domain
    from ssbrace.kb.queries import claim_records
    from ssbrace.stories.features import entity_index
    from ssbrace.stories.topics import changes_for_topic

    index = index if index is not None else entity_index(domain)
    stories = stories_for_topic(session, topic, index, since=since.date())
    briefs = [build_brief(session, s.id) for s in stories]
    changes: dict[str, list[str]] = {}
    note: str | None = NO_CHANGES
    if with_changes:
        found = changes_since(claim_records(session), since.date(), config_from_pack(load_domain(domain)))
        changes, note = change_sections(changes_for_topic(topic, found, index))
    return Digest(topic=topic, since=since, until=now or moment.now(UTC), briefs=briefs, changes=changes,
                  changes_note=note, base_url=base_url)


def deliver_digest(store: Store, settings: Settings, topic: Topic, since: datetime, *,
                   now: datetime | None = None, index: EntityIndex | None = None) -> DeliveryReport:
    """Send a topic's digest to each subscriber who has not received it yet, recording each attempt.

    Each delivery is recorded in its own transaction as soon as the server answers, so an
    interrupted run never forgets what it sent. A refused address is recorded and the others still
    get theirs.

    Raises:
        DeliveryError: the SMTP server cannot be reached or refuses the session; the addresses not
            reached are recorded as failed, none as sent.
    """
    from ssbrace.delivery.digest import DeliveryReport, render, unsubscribe_url
    from ssbrace.delivery.email import Outgoing, compose, send_all
    from ssbrace.errors import DeliveryError

    with store.session() as session:
        digest = build_digest(session, topic, since, now=now, index=index, domain=settings.domain,
                              base_url=settings.base_url)
        report = DeliveryReport(digest_key=digest.key, story_count=len(digest.briefs))
        if not digest.briefs:
            report.nothing_to_send = True
            return report
        pending = []
        for sub in stories_repo.subscriptions(session, topic.slug):
            if stories_repo.was_sent(session, sub.email, digest.key):
                report.skipped.append(sub.email)
            else:
                pending.append(sub)
    outgoing: list[Outgoing] = []
    for sub in pending:
        link = unsubscribe_url(settings.base_url, sub.token)
        outgoing.append(compose(settings, sub.email, digest.subject, render(digest, "text", unsubscribe=link),
                                render(digest, "html", unsubscribe=link), unsubscribe_link=link,
                                topic_slug=topic.slug))

    def record(recipient: str, status: str, error: str | None) -> None:
        with store.session() as session:
            stories_repo.record_delivery(session, recipient, topic.slug, digest.key, status, error,
                                         len(digest.briefs))
        if status == "sent":
            report.sent.append(recipient)
        elif status == "refused":
            report.refused.append((recipient, error or ""))
        else:
            report.failed.append((recipient, error or ""))

    done: set[str] = set()
    try:
        for result in send_all(settings, outgoing):
            record(result.recipient, result.status, result.error)
            done.add(result.recipient)
    except DeliveryError as exc:
        for message in outgoing:
            if message.recipient not in done:
                record(message.recipient, "failed", str(exc))
        raise
    return report


def build_feed(session: Session, topic: Topic, index: EntityIndex, *, base_url: str, since: date | None = None,
               limit: int | None = None) -> bytes:
    """The Atom document of a topic's latest stories (``delivery.atom.compose_feed`` over their briefs)."""
    from ssbrace.delivery.atom import MAX_ENTRIES, compose_feed

    stories = stories_for_topic(session, topic, index, since=since, limit=limit or MAX_ENTRIES)
    return compose_feed(topic, [(s, build_brief(session, s.id)) for s in stories], base_url=base_url)


# --- knowledge ---


def build_knowledge(store: Store, pack: DomainPack | None = None,
                    weights: dict[str, float] | None = None) -> Knowledge:
    """The analysis of the store's claims (facts, conflicts, ledgers, boards), read a subject at a time so
    that memory holds the outputs, not every claim (docs/scale.md); ``records`` reads the store again."""
    from ssbrace.analysis.bundle import Knowledge
    from ssbrace.domains.loader import load_domain
    from ssbrace.kb.queries import StoredClaimGroups

    return Knowledge.of_grouped(StoredClaimGroups(store), pack or load_domain(), weights)


def knowledge_in(session: Session, pack: DomainPack | None = None,
                 weights: dict[str, float] | None = None) -> Knowledge:
    """``build_knowledge`` inside a session the caller holds (the web reads its change check in the same one)."""
    from ssbrace.analysis.bundle import Knowledge
    from ssbrace.domains.loader import load_domain
    from ssbrace.kb.queries import claim_records

    return Knowledge.of(claim_records(session), pack or load_domain(), weights)
