"""Writing a partition's documents on the driver in one transaction, with a few statements instead of a dozen
per document: the driver is the serial part of a distributed run, and its cost per document bounds how far
more workers help (docs/scale.md).

The decisions are those of ``pipeline.Ingestion._store``, made in input order, for each document in turn:
stored at the same location (a duplicate, with a note when its text changed since), the same text as a
stored document (a duplicate), else stored, as a near duplicate of the most similar original sharing an LSH
band with it (ties to the older document) or as an original. Here "stored" also means "earlier in this
batch": the batch's own documents are kept in memory, with their bands, and take the ids the single-process
path would give them (one multi-row INSERT, ids in order). So the documents, their ids, duplicates, claims
and entities are the same as one process's; ``tests/distributed`` compares them.

What is read and written, per batch: the stored documents at the batch's locations (one query), with its
texts (one query), sharing its bands (one per band, then their signatures), then the documents (one
multi-row INSERT, their ids read back by location), their bands and their claims (one executemany each;
on PostgreSQL all three stream in through COPY, ``kb.bulk.copy_rows``, which costs the driver a fifth less), the
claims' entities resolved before the claims are inserted by one resolver kept for the run (``KeptResolver``:
two small queries per batch; every alias is read again only when someone else changed the entities). A batch that fails as a whole is rolled back, and its caller writes the documents
one at a time instead (``Ingestion._store``), so that one bad document loses nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ssbrace.documents.dedup import StoredNearDuplicates, band_keys, from_bytes
from ssbrace.documents.ingest import ItemResult
from ssbrace.documents.text import word_count
from ssbrace.entities.resolve import KeptResolver, link_new_claims
from ssbrace.kb import claims_repo, documents_repo
from ssbrace.kb.bulk import copy_rows
from ssbrace.kb.tables import Claim as ClaimRow
from ssbrace.kb.tables import Document, DocumentBand, utcnow

if TYPE_CHECKING:
    from sqlalchemy import Table

    from ssbrace.cluster.tasks import Failure, Read
    from ssbrace.kb.store import Store
    from ssbrace.models import Claim
    from ssbrace.sources.routing import Found
    from ssbrace.stories.features import Profile
    from ssbrace.stories.terms import TermCounts

# A document of this batch, before it has an id: its position in the batch. Stored ones are plain ids.
# Ordered after every stored document (it is newer), among themselves by position.
_Ref = tuple[int, int]  # (0, stored id) or (1, position in the batch)


def _older(a: _Ref, b: _Ref) -> bool:
    return a < b


@dataclass
class _Plan:
    """What one document of the batch comes to, before the writes."""

    kind: str  # "same_place" | "same_text" | "store" | "error"
    ref: _Ref | None = None  # the stored or batch document it duplicates (same_place, same_text, near duplicate)
    note: str = ""  # same_place: "(its text has changed since...)"; same_text: the location
    similarity: float | None = None
    claims: list[Claim] | None = None
    error: Exception | None = None


def _table(model: type[Any]) -> Table:
    return cast("Table", model.__table__)


def _no_nul(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL: U+FFFD instead, as the store does for rows written through the ORM."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value else value


class BatchWriter:
    """Writes batches of documents read by the workers (``tasks.Read``) into the store.

    Args:
        store: the store (SQLite or PostgreSQL).
        index: the near-duplicate index of the run (its banding and threshold).
        version: the extractor version the claims are stored under.
        claims_failure: the exception a document whose claims failed on a worker fails with, if it is new.
    """

    def __init__(self, store: Store, index: StoredNearDuplicates, version: str,
                 claims_failure: Callable[[Failure], Exception], *, copy: bool | None = None) -> None:
        self.store = store
        self.index = index
        self.version = version
        self.claims_failure = claims_failure
        self.postgres = store.engine.dialect.name == "postgresql"
        # PostgreSQL: the rows streamed by COPY, not sent as an INSERT's parameters (SQLite: executemany)
        self.copy = self.postgres if copy is None else copy and self.postgres
        self.entities = KeptResolver()
        # Stored document id -> its entities (claims' names included) and figures, for story grouping.
        self.profiles: dict[int, Profile] = {}
        self.terms: dict[int, TermCounts] = {}  # stored document id -> its story terms, the worker's count

    def write(self, batch: list[tuple[Found, Read]]) -> list[ItemResult | Exception]:
        """Decide and store every document of ``batch`` in one transaction; each one's outcome, in order:
        its result, or the exception it fails with (nothing of it stored). Raises if the transaction fails
        (nothing of the batch stored)."""
        if not batch:
            return []
        cut = self.index.cut
        keys = [read.bands if read.bands is not None else band_keys(from_bytes(read.minhash), cut)
                for _, read in batch]
        try:
            with self.store.session() as session:
                at = documents_repo.documents_at(session, [found.location for found, _ in batch])
                same = documents_repo.documents_with_sha256(session, [read.sha256 for _, read in batch])
                sharers, signatures = documents_repo.band_sharers(session, cut.tag, {k for ks in keys for k in ks})
                plans = self._plan(batch, keys, at, same, sharers, signatures)
                ids = self._store(session, batch, keys, plans)
        except BaseException:
            self.entities.forget()  # it may hold entities of the rolled-back transaction
            raise
        self._keep_story_inputs(batch, plans, ids)
        return [self._result(position, found, read, plan, ids)
                for position, ((found, read), plan) in enumerate(zip(batch, plans, strict=True))]

    # --- the decisions, in input order ---

    def _plan(self, batch: list[tuple[Found, Read]], keys: list[list[tuple[int, bytes]]],
              at: dict[str, tuple[int, str]], same: dict[str, tuple[int, str]],
              sharers: dict[tuple[int, bytes], list[int]], signatures: dict[int, bytes]) -> list[_Plan]:
        here_at: dict[str, tuple[int, str]] = {}  # this batch's stored documents: location -> (position, sha256)
        here_text: dict[str, tuple[int, str]] = {}  # sha256 -> (position, location)
        here_bands: dict[tuple[int, bytes], list[int]] = {}  # originals of this batch by band
        values: dict[_Ref, np.ndarray] = {}
        plans: list[_Plan] = []
        for position, (found, read) in enumerate(batch):
            if found.location in at:
                doc_id, sha256 = at[found.location]
                plans.append(_Plan("same_place", (0, doc_id), self._changed(sha256, read.sha256)))
                continue
            if found.location in here_at:
                other, sha256 = here_at[found.location]
                plans.append(_Plan("same_place", (1, other), self._changed(sha256, read.sha256)))
                continue
            if read.sha256 in same:
                doc_id, location = same[read.sha256]
                plans.append(_Plan("same_text", (0, doc_id), location))
                continue
            if read.sha256 in here_text:
                other, location = here_text[read.sha256]
                plans.append(_Plan("same_text", (1, other), location))
                continue
            mine = np.frombuffer(read.minhash, dtype=np.uint64)
            candidates: set[_Ref] = set()
            for key in keys[position]:
                candidates.update((0, d) for d in sharers.get(key, ()) if d in signatures)
                candidates.update((1, p) for p in here_bands.get(key, ()))
            match = self._best(mine, candidates, signatures, values)
            if read.claims_failure is not None:  # raised only now that the document is known to be new
                plans.append(_Plan("error", error=self.claims_failure(read.claims_failure)))
                continue
            plans.append(_Plan("store", match[0] if match else None, similarity=match[1] if match else None,
                               claims=read.claims or []))
            here_at[found.location] = (position, read.sha256)
            here_text[read.sha256] = (position, found.location)
            if match is None:  # only originals are indexed
                values[(1, position)] = mine
                for key in keys[position]:
                    here_bands.setdefault(key, []).append(position)
        return plans

    @staticmethod
    def _changed(stored: str, read: str) -> str:
        return "" if stored == read else " (its text has changed since; kept as stored)"

    def _best(self, mine: np.ndarray, candidates: set[_Ref], signatures: dict[int, bytes],
              values: dict[_Ref, np.ndarray]) -> tuple[_Ref, float] | None:
        """As ``StoredNearDuplicates.best_match``: the most similar candidate at or above the threshold, ties
        going to the older document."""
        best: tuple[_Ref, float] | None = None
        for ref in sorted(candidates):
            other = values.get(ref)
            if other is None:
                other = values[ref] = np.frombuffer(signatures[ref[1]], dtype=np.uint64)
            if len(other) != self.index.num_perm or len(other) != len(mine):
                continue
            similarity = float(np.count_nonzero(mine == other)) / float(len(mine))
            if similarity >= self.index.threshold and (
                best is None or similarity > best[1] or (similarity == best[1] and _older(ref, best[0]))
            ):
                best = (ref, similarity)
        return best

    # --- the writes: a few statements for the whole batch ---

    def _store(self, session: Any, batch: list[tuple[Found, Read]], keys: list[list[tuple[int, bytes]]],
               plans: list[_Plan]) -> dict[int, int]:
        """Insert the batch's new documents, their bands, and their claims with their entities linked;
        returns position -> document id."""
        clean = _no_nul if self.postgres else (lambda value: value)
        positions = [p for p, plan in enumerate(plans) if plan.kind == "store"]
        if not positions:
            return {}
        rows = []
        for position in positions:
            found, read = batch[position]
            plan = plans[position]
            extracted = read.extracted
            stored_ref = plan.ref[1] if plan.ref is not None and plan.ref[0] == 0 else None
            rows.append({key: clean(value) for key, value in {
                "location": found.location, "url": extracted.url, "text": extracted.text, "sha256": read.sha256,
                "minhash": read.minhash, "source_id": found.source_id, "title": extracted.title,
                "author": extracted.author, "publisher": extracted.publisher, "published": extracted.published,
                "language": extracted.language, "content_type": (read.content_type or "")[:64] or None,
                "word_count": read.word_count if read.word_count is not None else word_count(extracted.text),
                "duplicate_of": stored_ref,
                "similarity": round(plan.similarity, 4) if plan.similarity is not None else None,
                "extractor_version": self.version, "fetched_at": read.fetched_at or utcnow(),
            }.items()})
        if self.copy:
            copy_rows(session.connection(), _table(Document), rows)
            at = documents_repo.documents_at(session, [row["location"] for row in rows])
            ids = {position: at[row["location"]][0] for position, row in zip(positions, rows, strict=True)}
        else:
            ids = dict(zip(positions, documents_repo.insert_documents(session, rows), strict=True))
        # A near duplicate of a document earlier in this batch: its original's id is known only now.
        later = [(ids[p], ids[ref[1]]) for p in positions if (ref := plans[p].ref) is not None and ref[0] == 1]
        if later:
            documents_repo.set_duplicates_of(session, later)
        bands = [(ids[p], keys[p]) for p in positions if plans[p].ref is None]
        if self.copy:
            copy_rows(session.connection(), _table(DocumentBand), [
                {"document_id": doc_id, "tag": self.index.cut.tag, "band": band, "key": key}
                for doc_id, found_keys in bands for band, key in found_keys])
        else:
            documents_repo.insert_bands(session, self.index.cut.tag, bands)
        resolver = self.entities.get(session)
        claim_rows: list[dict[str, Any]] = []
        for position in positions:
            claims = plans[position].claims or []
            # The names as stored (NUL replaced on PostgreSQL), in claim order: entities are created in that
            # order, as when the stored claims are linked one document at a time.
            names = [(clean(c.subject), c.subject_type, clean(c.object), getattr(c, "object_type", None))
                     for c in claims]
            links = link_new_claims(resolver, names)
            claim_rows += [{key: clean(value) for key, value in row.items()}
                           for row in claims_repo.claim_rows(ids[position], claims, self.version, links)]
        if self.copy:
            copy_rows(session.connection(), _table(ClaimRow), claim_rows)
        else:
            claims_repo.insert_claims(session, claim_rows)
        self.entities.written(session)
        return ids

    def _keep_story_inputs(self, batch: list[tuple[Found, Read]], plans: list[_Plan], ids: dict[int, int]) -> None:
        """The stored documents' story profiles (the worker's, with the claims' names as stored, as
        ``stories.cluster`` reads them back) and term counts. A text PostgreSQL stored changed (NUL) is left
        to the driver."""
        from ssbrace.stories.features import with_claims

        for position, document_id in ids.items():
            read = batch[position][1]
            extracted = read.extracted
            if self.postgres and "\x00" in f"{extracted.title or ''}{extracted.text or ''}":
                continue
            if read.terms is not None:
                self.terms[document_id] = read.terms
            if read.story is None:
                continue
            names = set()
            for claim in plans[position].claims or []:
                names.add(_no_nul(claim.subject) if self.postgres else claim.subject)
                if claim.object:
                    names.add(_no_nul(claim.object) if self.postgres else claim.object)
            self.profiles[document_id] = with_claims(read.story, names)

    def _result(self, position: int, found: Found, read: Read, plan: _Plan,
                ids: dict[int, int]) -> ItemResult | Exception:
        if plan.kind == "error":
            assert plan.error is not None
            return plan.error
        item = ItemResult(input=found.label, status="new", title=read.extracted.title)
        ref_id = None
        if plan.ref is not None:
            ref_id = plan.ref[1] if plan.ref[0] == 0 else ids[plan.ref[1]]
        if plan.kind == "same_place":
            item.status, item.document_id = "duplicate", ref_id
            item.reason = f"already stored as document {ref_id}{plan.note}"
        elif plan.kind == "same_text":
            item.status, item.duplicate_of = "duplicate", ref_id
            item.reason = f"same text as document {ref_id} ({plan.note})"
        else:
            item.document_id, item.claims = ids[position], len(plan.claims or [])
            if ref_id is not None and plan.similarity is not None:
                item.status = "near_duplicate"
                item.duplicate_of, item.similarity = ref_id, round(plan.similarity, 4)
                item.reason = f"similar to document {ref_id} (estimated Jaccard {plan.similarity:.2f})"
        return item
