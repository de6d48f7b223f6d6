"""The driver of a distributed run: routes the inputs, hands partitions of documents to Dask workers, and
writes what they return into the store, in input order, as the single-process path would have.

What runs where:

- driver (this process): routing (folders listed, pages and feeds fetched to see what they are, sources
  registered), the skip of documents stored already, then for each document read by a worker the
  duplicate decision (location, sha256, near duplicates by the store's LSH bands) and its write: the
  document, its claims and their entity links in one transaction; stories once at the end. One writer,
  so SQLite works as well as PostgreSQL.
- workers (``tasks``): fetching a document (a file, an archive record, a feed entry's page), its main text,
  sha256 and MinHash signature, and its claims.

Results are written partition by partition in the order of the inputs, so document ids, which copy is the
original and which the near duplicate, and the claims are those of the single-process path on the same
input; near duplicates are found across partitions because the signatures come back and are compared with
the store at write time. Idempotent: a document already stored (by its location, or its text) is not stored
again, whether a task ran twice (a worker died) or the whole run is restarted, and documents stored by an
earlier run are not even sent to the workers.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from ssbrace.documents.dedup import banding, from_bytes
from ssbrace.documents.ingest import IngestResult, ItemResult, Text
from ssbrace.errors import SsbraceError
from ssbrace.pipeline import (
    Ingestion,
    ReextractResult,
    WorkedOut,
    after_batch_stored,
    after_document_stored,
)
from ssbrace.sources.files import display_path
from ssbrace.sources.routing import Found, Settled
from ssbrace.stories.features import resolve_domain

from .tasks import (
    Failure,
    PartitionResult,
    PortableRouter,
    Read,
    ReadConfig,
    ReadJob,
    StoredText,
    extract_partition,
    read_partition,
)
from .writes import BatchWriter

if TYPE_CHECKING:
    from distributed import Client, Future
    from sqlalchemy.orm import Session

    from ssbrace.kb.store import Store
    from ssbrace.kb.tables import Document
    from ssbrace.models import Claim, ExtractedText
    from ssbrace.settings import Settings

log = logging.getLogger(__name__)

# Documents per task: large enough that a task's overhead is small beside reading and extracting its
# documents (tens of milliseconds each), small enough that work spreads over the workers. The first round of
# partitions (one per worker thread) holds PARTITION_SIZE, so that a small input still reaches every worker;
# each round after holds twice as many, up to LARGEST_PARTITION: the driver's cost per partition (about
# 20 ms of its CPU: the task's messages, a transaction of a dozen statements) is then paid a quarter as
# often (docs/scale.md).
PARTITION_SIZE = 32
LARGEST_PARTITION = 128
# Partitions handed out ahead of the one being written, per worker thread: enough to keep every worker
# busy while the driver writes, few enough to bound the driver's memory on a stream of millions.
AHEAD_PER_THREAD = 2


class RemoteFailure(SsbraceError):
    """A document's failure on a worker, with the reason worded there."""


@dataclass
class WorkerStats:
    documents: int = 0
    failed: int = 0
    busy_s: float = 0.0


@dataclass
class Phases:
    """Where the driver's time goes: wall seconds and this thread's CPU seconds per phase, each phase's own
    (a phase entered inside another is not counted in the outer one). ``bench/distributed.py`` reports them."""

    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    _stack: list[list[Any]] = field(default_factory=list)

    def _charge(self, name: str, wall: float, cpu: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + wall
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        now, cpu = time.perf_counter(), time.thread_time()
        if self._stack:
            outer = self._stack[-1]
            self._charge(outer[0], now - outer[1], cpu - outer[2])
        self._stack.append([name, now, cpu])
        try:
            yield
        finally:
            now, cpu = time.perf_counter(), time.thread_time()
            _, wall0, cpu0 = self._stack.pop()
            self._charge(name, now - wall0, cpu - cpu0)
            if self._stack:
                self._stack[-1][1:] = [now, cpu]


@dataclass
class Throughput:
    """Documents done and failed, and each worker's share, for the progress line and the end summary; and
    the driver's time per phase (routing, waiting for workers, writing, stories)."""

    started: float = field(default_factory=time.monotonic)
    done: int = 0
    failed: int = 0
    workers: dict[str, WorkerStats] = field(default_factory=dict)
    phases: Phases = field(default_factory=Phases)

    def partition(self, result: PartitionResult) -> None:
        stats = self.workers.setdefault(result.worker, WorkerStats())
        stats.documents += len(result.outcomes)
        stats.failed += sum(isinstance(o, Failure) for o in result.outcomes)
        stats.busy_s += result.seconds

    def line(self) -> str:
        """``done 120, failed 2; worker 0: 6.1 docs/s, worker 1: 5.8 docs/s`` (per second of the run)."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rates = ", ".join(f"worker {name}: {s.documents / elapsed:.1f} docs/s"
                          for name, s in sorted(self.workers.items()))
        return f"done {self.done}, failed {self.failed}" + (f"; {rates}" if rates else "")


@dataclass
class _Route:
    """One input while its documents are in flight: its statuses, in item order, for ``route.finish``."""

    text: str
    finish: Callable[[list[str]], None]
    statuses: list[str] = field(default_factory=list)
    counted: int = 0  # its documents counted in the progress so far
    broken: bool = False  # routing or the stream of its items failed: no finish, as single-process


@dataclass
class _Partition:
    size: int  # documents it takes
    items: list[tuple[_Route, Found]] = field(default_factory=list)
    skip: dict[str, int] = field(default_factory=dict)  # location -> document id stored before the run
    submitted: bool = False
    future: Future | None = None  # None once submitted: every document was stored before


class DistributedIngestion(Ingestion):
    """``Ingestion`` with the per-document reading and extraction done by Dask workers.

    Args:
        client: a Dask client (``engine.dask_client``).
        partition_size: documents per task, every task; None: growing from ``PARTITION_SIZE`` to
            ``LARGEST_PARTITION``.
        throughput: counts shared with the caller (the CLI's progress line).
        others: as for ``Ingestion``; ``after_store`` and ``prepare`` are set here (claims, entities).
    """

    def __init__(self, store: Store, settings: Settings, client: Client, *,
                 partition_size: int | None = None, throughput: Throughput | None = None,
                 **options: Any) -> None:
        super().__init__(store, settings, after_store=after_document_stored, prepare=self._claims, **options)
        self.client = client
        self.partition_size = max(1, partition_size) if partition_size else PARTITION_SIZE
        self.largest = self.partition_size if partition_size else LARGEST_PARTITION
        self.throughput = throughput or Throughput()
        self.router = PortableRouter(self.sources, self.options, getattr(settings, "document_seconds", None))
        self.config = ReadConfig(self.options.max_bytes, getattr(settings, "max_text_chars", None),
                                 getattr(settings, "document_seconds", None),
                                 banding(settings.near_duplicate_threshold), resolve_domain(settings.domain))
        # A partition's documents written in one transaction; ``--debug`` (raise_errors) writes them one at a
        # time, so that an unexpected error stops the run at its document, as in one process.
        self.batches = not self.raise_errors
        self._writer: BatchWriter | None = None
        threads = self.threads = sum(client.nthreads().values()) or 1
        self.ahead = max(2, AHEAD_PER_THREAD * threads)
        self._opened = 0  # partitions opened so far
        self._size = self.partition_size  # documents the next partition takes
        self._run_id = uuid.uuid4().hex[:12]
        self._slots: deque[_Partition | Callable[[], object]] = deque()
        self._open: _Partition | None = None
        self._in_flight = 0
        self._submitted = 0
        self._next_claims: list[Claim] | Failure | None = None
        self._seen = 0  # result items whose failures are counted in the throughput

    # --- routing, on the driver ---

    def _run(self, inputs: list[str], name: str | None) -> IngestResult:
        with self.throughput.phases("routing"):
            self._open_index()
            self._total += len(inputs)
            for text in inputs:
                self._route(text, name)
            self._drain(everything=True)
        return self.result

    def _route(self, text: str, name: str | None) -> None:
        self._tick(text, count=False)
        route = _Route(text, lambda statuses: None)
        try:
            routed = self.router.route(text, name)
            route.finish = routed.finish
            self._total += max(routed.units - 1, 0)
            for item in routed.items:  # an archive's records are read here, as they come
                if isinstance(item, Settled):
                    self._queue(partial(self._settled, route, item))
                else:
                    self._add(route, item)
        except Exception as exc:  # one bad input must not end the batch
            route.broken = True
            self._queue(partial(self._fail, display_path(text), exc))
        self._queue(partial(self._finish, route))

    def _settled(self, route: _Route, item: Settled) -> None:
        route.statuses.append(self._item(item))
        route.counted += item.counts

    def _finish(self, route: _Route) -> None:
        if not route.broken:
            try:
                route.finish(route.statuses)
            except Exception as exc:
                self._fail(display_path(route.text), exc)
        if not route.counted:  # nothing in it counted (folders and feeds count their files or entries)
            self._tick(route.text)

    # --- partitions, out to the workers and back in order ---

    def _queue(self, slot: Callable[[], object]) -> None:
        self._slots.append(slot)
        self._drain()

    def _add(self, route: _Route, item: Found) -> None:
        if self._open is None:
            if self._opened and self._opened % self.threads == 0:  # a new round: larger partitions
                self._size = min(self.largest, self._size * 2)
            self._open = _Partition(self._size)
            self._opened += 1
            self._slots.append(self._open)
        self._open.items.append((route, item))
        if len(self._open.items) >= self._open.size:
            self._submit(self._open)
            self._drain()

    def _submit(self, part: _Partition) -> None:
        if part is self._open:
            self._open = None
        # Stored by an earlier run (a restart): not sent to be read again.
        part.skip = self.sources.stored_locations([found.location for _, found in part.items])
        jobs = [ReadJob(found.location, found.fetch) for _, found in part.items if found.location not in part.skip]
        part.submitted = True
        if not jobs:
            return
        self._submitted += 1
        key = f"ssbrace-read-{self._run_id}-{self._submitted}"
        part.future = self.client.submit(read_partition, jobs, self.config, key=key, pure=False)
        self._in_flight += 1

    def _drain(self, *, everything: bool = False) -> None:
        """Write the slots at the head that are ready; wait for the head while too much is in flight."""
        while self._slots:
            head = self._slots[0]
            if isinstance(head, _Partition):
                if not head.submitted:
                    if not everything:
                        return
                    self._submit(head)
                future = head.future
                if future is not None and not (everything or self._in_flight > self.ahead or future.done()):
                    return
                self._write_partition(head)
            else:
                head()
            self._slots.popleft()

    def _write_partition(self, part: _Partition) -> None:
        with self.throughput.phases("writing"):
            self._write_partition_now(part)

    def _write_partition_now(self, part: _Partition) -> None:
        outcomes: list[Any] = []
        if part.future is not None:
            self._in_flight -= 1
            try:
                with self.throughput.phases("waiting"):
                    result: PartitionResult = part.future.result()
                self.throughput.partition(result)
                outcomes = list(result.outcomes)
            except Exception as exc:  # the task itself was lost (its workers kept dying): its documents fail
                reason = f"lost on the cluster: {type(exc).__name__}: {exc}"
                log.warning("partition %s: %s", part.future.key, reason)
                outcomes = [Failure(reason, internal=False)] * sum(f.location not in part.skip for _, f in part.items)
            finally:
                part.future.release()
        fresh = [found for _, found in part.items if found.location not in part.skip]
        written = self._write_batch(list(zip(fresh, outcomes, strict=True))) if self.batches else None
        done = iter(outcomes)
        for route, found in part.items:
            if found.location in part.skip:
                doc_id = part.skip[found.location]
                item = Settled(found.label, "duplicate", f"already stored as document {doc_id}", document_id=doc_id)
                self._settled(route, item)
                continue
            outcome = next(done)
            if written is None:  # one document at a time: no batch, or the batch failed
                status = self._write(found, outcome)
            else:
                if isinstance(outcome, Failure):
                    status = self._fail(found.label, self._remote(outcome)).status
                else:
                    stored = written.pop(0)
                    status = (self.result.add(stored) if isinstance(stored, ItemResult)
                              else self._fail(found.label, stored)).status
                self._tick(found.label)
            route.statuses.append(status)
            route.counted += 1

    def _write_batch(self, pending: list[tuple[Found, Read | Failure]]) -> list[ItemResult | Exception] | None:
        """The documents read (not failed) of a partition written in one transaction (``writes``), their
        outcomes in order; None when that transaction failed: then they are written one at a time."""
        batch = [(found, outcome) for found, outcome in pending if isinstance(outcome, Read)]
        if self._writer is None:
            from ssbrace.extract.pipeline import EXTRACTOR_VERSION

            self._writer = BatchWriter(self.store, self.index, EXTRACTOR_VERSION, self._remote)
        try:
            return self._writer.write(batch)
        except Exception as exc:
            log.warning("a batch of %d document(s) failed to be written (%s: %s); writing them one at a time",
                        len(batch), type(exc).__name__, exc)
            return None

    @property
    def worked_out(self) -> WorkedOut:
        """What the workers found of the stored documents for story grouping (``after_batch_stored`` uses it)."""
        if self._writer is None:
            return WorkedOut()
        return WorkedOut(self._writer.profiles, self._writer.terms)

    def _write(self, found: Found, outcome: Read | Failure) -> str:
        try:
            if isinstance(outcome, Failure):
                raise self._remote(outcome)
            text = Text(outcome.extracted, outcome.content_type, outcome.sha256, from_bytes(outcome.minhash))
            self._next_claims = outcome.claims if outcome.claims_failure is None else outcome.claims_failure
            status = self._store(found, text, fetched_at=outcome.fetched_at).status
        except Exception as exc:
            status = self._fail(found.label, exc).status
        self._tick(found.label)
        return status

    def _claims(self, extracted: ExtractedText, location: str) -> list[Claim]:
        """The ``prepare`` hook: the claims the worker extracted (asked only for a new document)."""
        claims, self._next_claims = self._next_claims, None
        if isinstance(claims, Failure):
            raise self._remote(claims)
        return claims or []

    def _remote(self, failed: Failure) -> Exception:
        if failed.internal and self.raise_errors:
            return RuntimeError(f"{failed.reason}\n{failed.detail}")
        return RemoteFailure(failed.reason)

    def _tick(self, label: str, *, count: bool = True) -> None:
        if count:
            self._done += 1
            self.throughput.done = self._done
            # Counted as results come (``result.failed`` reads every item: too slow per tick on millions).
            fresh = self.result.items[self._seen :]
            self.throughput.failed += sum(item.status == "failed" for item in fresh)
            self._seen += len(fresh)
        if self.progress is not None:
            self.progress(self._done, max(self._total, self._done), self.throughput.line())


def run_ingest_distributed(store: Store, inputs: Sequence[str], settings: Settings, client: Client, *,
                           name: str | None = None, partition_size: int | None = None,
                           throughput: Throughput | None = None, **options: Any) -> IngestResult:
    """``pipeline.run_ingest`` with reading and extraction on a Dask cluster: documents, claims, entities,
    then stories; ``options`` as for ``Ingestion`` (progress, raise_errors, fetch_options)."""
    throughput = throughput or Throughput()
    ingestion = DistributedIngestion(store, settings, client, partition_size=partition_size,
                                     throughput=throughput, **options)
    with ingestion:
        result = ingestion.ingest(inputs, name=name)
    with throughput.phases("stories"):
        after_batch_stored(store, settings, worked_out=ingestion.worked_out)
    return result


# --- re-extraction ---


def run_reextract_distributed(store: Store, settings: Settings, client: Client, *, only_outdated: bool = True,
                              progress: Callable[[int, int], None] | None = None, raise_errors: bool = False,
                              partition_size: int = PARTITION_SIZE,
                              throughput: Throughput | None = None,
                              on_line: Callable[[str], None] | None = None) -> ReextractResult:
    """``pipeline.run_reextract`` with the extraction on a Dask cluster; the claims are written (and their
    entities linked) on the driver, one transaction per document, in document order. Re-running it after an
    interruption redoes only what an older extractor version still holds (``only_outdated``).

    ``on_line`` is called after each partition with the line ingestion's progress shows: documents done and
    failed, each worker's throughput (``done 64, failed 0; worker 0: 5.1 docs/s, worker 1: 4.8 docs/s``)."""
    from ssbrace.extract.pipeline import EXTRACTOR_VERSION
    from ssbrace.kb import claims_repo, documents_repo

    with store.session() as session:
        ids = claims_repo.documents_to_reextract(session, EXTRACTOR_VERSION if only_outdated else None)
    result = ReextractResult()
    stats = throughput or Throughput()
    threads = sum(client.nthreads().values()) or 1
    ahead = max(2, AHEAD_PER_THREAD * threads)
    run_id = uuid.uuid4().hex[:12]
    chunks = [ids[i : i + max(1, partition_size)] for i in range(0, len(ids), max(1, partition_size))]
    pending: deque[tuple[int, list[int], Future]] = deque()
    done = 0

    def submit(number: int, chunk: list[int]) -> None:
        with store.session() as session:
            texts = [StoredText(d.id, d.location, d.text or "", d.published)
                     for d in (documents_repo.get_document(session, i) for i in chunk) if d is not None]
        future = client.submit(extract_partition, texts, settings.domain, key=f"ssbrace-reextract-{run_id}-{number}",
                               pure=False)
        pending.append((len(chunk), [t.document_id for t in texts], future))

    def write(size: int, doc_ids: list[int], future: Future) -> None:
        nonlocal done
        try:
            part: PartitionResult = future.result()
            stats.partition(part)
            outcomes: list[Any] = list(part.outcomes)
        except Exception as exc:
            outcomes = [Failure(f"lost on the cluster: {type(exc).__name__}: {exc}", internal=False)] * len(doc_ids)
        finally:
            future.release()
        for doc_id, outcome in zip(doc_ids, outcomes, strict=True):
            result.redo(store, doc_id, partial(_store_outcome, outcome=outcome, raise_errors=raise_errors),
                        raise_errors=raise_errors)
        done += size
        stats.done, stats.failed = result.documents + result.failed, result.failed
        if progress:
            progress(done, len(ids))
        if on_line:
            on_line(stats.line())

    for number, chunk in enumerate(chunks, 1):
        submit(number, chunk)
        while len(pending) > ahead or (pending and pending[0][2].done()):
            write(*pending.popleft())
    while pending:
        write(*pending.popleft())
    return result


def _store_outcome(session: Session, document: Document, *, outcome: Any, raise_errors: bool) -> int:
    """A worker's claims for one document stored in place of its old ones; a worker's failure raised here."""
    if isinstance(outcome, Failure):
        if outcome.internal and raise_errors:
            raise RuntimeError(f"{outcome.reason}\n{outcome.detail}")
        raise RemoteFailure(outcome.reason)
    return after_document_stored(session, document, outcome)
