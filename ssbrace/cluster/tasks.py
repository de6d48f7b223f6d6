"""What runs on the Dask workers: the pure, CPU-heavy work of a partition of documents, no store.

For ingestion (``read_partition``): fetch each document, read its main text, compute its duplicate keys
(sha256, MinHash) and extract its claims. For re-extraction (``extract_partition``): extract the claims of
stored texts. Each document's failure is returned with it, never raised: a partition is handed back whole,
and the driver reports the failed documents one line each, as the single-process path does.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from ssbrace import budget
from ssbrace.errors import SsbraceError
from ssbrace.sources.routing import KnownSource, Raw, Router
from ssbrace.sources.web import FetchOptions

if TYPE_CHECKING:
    from ssbrace.documents.dedup import Banding
    from ssbrace.models import Claim, ExtractedText
    from ssbrace.stories.features import Profile
    from ssbrace.stories.terms import TermCounts


@dataclass(frozen=True)
class Failure:
    """Why a document failed on a worker: the reason as the single-process path words it."""

    reason: str
    internal: bool  # an unexpected error (``--debug`` raises it), not an SsbraceError
    detail: str = ""  # the worker's traceback, for ``--debug``


def failure(exc: BaseException) -> Failure:
    if isinstance(exc, SsbraceError):
        return Failure(str(exc), internal=False)
    return Failure(f"internal error: {type(exc).__name__}: {exc}", internal=True,
                   detail="".join(traceback.format_exception(exc)))


@dataclass(frozen=True)
class ReadJob:
    """One document to read: its location (claims cite it) and how its raw form is fetched."""

    location: str
    fetch: Callable[[], Raw]


@dataclass(frozen=True)
class ReadConfig:
    max_bytes: int | None
    max_text_chars: int | None
    document_seconds: float | None
    banding: Banding | None = None  # the store's LSH banding: the worker cuts each signature's bands
    domain: str | None = None  # the domain pack whose entities stories compare: the worker finds them


@dataclass
class Read:
    """A document read on a worker: everything the driver needs to decide duplicates and store it."""

    extracted: ExtractedText
    content_type: str | None
    sha256: str
    minhash: bytes
    fetched_at: datetime | None
    claims: list[Claim] | None  # None when extraction failed: see ``claims_failure``
    claims_failure: Failure | None = None  # raised only if the document turns out new (as single-process)
    # Pure work done here rather than on the driver, which is the serial part of a run.
    bands: list[tuple[int, bytes]] | None = None  # the signature's LSH band keys (``dedup.band_keys``)
    word_count: int | None = None
    # The entities and figures of its title and text, which story grouping compares (``stories.cluster
    # .text_profile``); None when not worked out here (the driver then finds them itself).
    story: Profile | None = None
    # Its terms as story grouping counts them (``stories.terms``), counted here for the same reason.
    terms: TermCounts | None = None


@dataclass
class PartitionResult:
    """A partition's outcomes in job order, with which worker did it and how long it took."""

    worker: str
    seconds: float
    outcomes: list[Any]  # Read | Failure (ingest); list[Claim] | Failure (re-extraction)


def worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().name)
    except (ImportError, ValueError):
        return "local"


def read_partition(jobs: list[ReadJob], config: ReadConfig) -> PartitionResult:
    """Fetch, read and extract each document of a partition (a Dask task)."""
    started = time.monotonic()
    outcomes = [_read(job, config) for job in jobs]
    if config.domain is not None:
        _count_story_terms([o for o in outcomes if isinstance(o, Read)])
    return PartitionResult(worker_name(), time.monotonic() - started, outcomes)


def _count_story_terms(reads: list[Read]) -> None:
    """Each document's story terms, the partition's counted together (``count_terms`` costs less per text so)."""
    from ssbrace.stories.cluster import story_text
    from ssbrace.stories.terms import count_terms

    try:
        counted = count_terms([story_text(r.extracted.title, r.extracted.text or "") for r in reads])
    except Exception:  # not these documents' failure: the driver counts them itself
        return
    for read, terms in zip(reads, counted, strict=True):
        read.terms = terms


def _read(job: ReadJob, config: ReadConfig) -> Read | Failure:
    from ssbrace.documents.dedup import band_keys, to_bytes
    from ssbrace.documents.ingest import read_raw
    from ssbrace.documents.text import word_count
    from ssbrace.pipeline import claims_before_storing

    try:
        # The document's time budget, as in the single-process path. Worker threads are not the main
        # thread: the budget is checked between steps, a stage inside a library is not interrupted.
        with budget.time_budget(config.document_seconds):
            raw = job.fetch()
            text = read_raw(raw, max_bytes=config.max_bytes, max_text_chars=config.max_text_chars)
            claims: list[Claim] | None = None
            claims_failure = None
            try:
                claims = claims_before_storing(text.extracted, job.location)
            except Exception as exc:
                claims_failure = failure(exc)
            bands = band_keys(text.signature, config.banding) if config.banding is not None else None
            words = word_count(text.extracted.text)
            story = _story_profile(text.extracted, config.domain)
    except Exception as exc:
        return failure(exc)
    return Read(text.extracted, text.content_type, text.sha256, to_bytes(text.signature), raw.fetched_at,
                claims, claims_failure, bands, words, story)


def _story_profile(extracted: ExtractedText, domain: str | None) -> Profile | None:
    """What stories will compare of this document, found here: the driver groups stories alone, after the
    documents, so each millisecond it saves there is a millisecond off the run (docs/scale.md)."""
    from ssbrace.stories.features import entity_index, text_profile

    if domain is None:
        return None
    try:
        return text_profile(extracted.title, extracted.text or "", entity_index(domain))
    except Exception:  # not this document's failure: the driver works it out again
        return None


@dataclass(frozen=True)
class StoredText:
    """A stored document's text, sent to a worker to be extracted again."""

    document_id: int
    location: str
    text: str
    published: date | None


def extract_partition(texts: list[StoredText], domain: str | None) -> PartitionResult:
    """The claims of each stored text (a Dask task of ``reextract``)."""
    from ssbrace.extract.pipeline import extract_claims

    started = time.monotonic()
    outcomes: list[Any] = []
    for item in texts:
        try:
            outcomes.append(extract_claims(item.text, published=item.published, doc=item.location, domain=domain))
        except Exception as exc:
            outcomes.append(failure(exc))
    return PartitionResult(worker_name(), time.monotonic() - started, outcomes)


# --- feed entries: their fetch closes over the router, which the driver cannot send as it is ---


class _NoBook:
    """A worker's router never routes: it only fetches feed entries, and needs no register of sources."""

    def find(self, location: str) -> KnownSource | None:
        raise RuntimeError("a worker's router does not route")

    def register(self, location: str, kind: str, name: str | None, title: str | None = None) -> int:
        raise RuntimeError("a worker's router does not route")

    def record_poll(self, source_id: int, status: str, **values: Any) -> None:
        raise RuntimeError("a worker's router does not route")

    def stored_locations(self, locations: list[str]) -> dict[str, int]:
        raise RuntimeError("a worker's router does not route")


@cache
def worker_router(options: FetchOptions, document_seconds: float | None) -> Router:
    """The router of this worker process for these options: one HTTP client per worker, kept."""
    return Router(_NoBook(), options, document_seconds)


class PortableRouter(Router):
    """The driver's router: the same, but sent to a worker (inside a feed entry's fetch) as the worker's
    own router for the same options, not with the driver's store and HTTP client."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (worker_router, (self.options, self.document_seconds))
