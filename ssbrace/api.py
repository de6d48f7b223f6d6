"""The library's entry points: the functions the command line calls, for scripts and notebooks.

Each is a thin wrapper over the stage that does the work. Their heavy imports (SQLAlchemy, trafilatura,
scikit-learn) happen inside them, so ``import ssbrace`` stays cheap; ``ssbrace/__init__.py`` hands them
out lazily.

    store = open_store("kb.db")
    ingest(store, "articles/")
    k = knowledge(store)
    k.facts, k.conflicts, k.ledgers, k.board("country")
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ssbrace.settings import Settings, load_settings

if TYPE_CHECKING:
    from ssbrace.analysis.bundle import Knowledge
    from ssbrace.documents.ingest import IngestResult
    from ssbrace.domains.loader import DomainPack
    from ssbrace.following import AlertReport
    from ssbrace.kb.reviews_repo import ReviewRow
    from ssbrace.kb.store import Store
    from ssbrace.kb.watches_repo import WatchRecord, WebhookRecord
    from ssbrace.pipeline import ReextractResult
    from ssbrace.register import Removal, SourceInfo
    from ssbrace.review import ImportResult
    from ssbrace.sources.options import SourceOptions

log = logging.getLogger(__name__)

Inputs = str | Path | Iterable[str | Path]


def _settings(settings: Settings | None) -> Settings:
    # The same layers as the command line: defaults < config file < SSBRACE_* environment variables.
    return settings if settings is not None else load_settings()


def _as_url(db: str | Path) -> str:
    """A SQLAlchemy URL as given, or a file path made into a SQLite URL."""
    text = str(db)
    return text if "://" in text else f"sqlite:///{Path(text).expanduser().resolve()}"


def open_store(db: str | Path | None = None, *, settings: Settings | None = None) -> Store:
    """Open the knowledge store, creating it or migrating it to the newest schema.

    Args:
        db: a SQLAlchemy URL or the path of a SQLite file; default: the ``db`` setting.
        settings: where the default comes from (default: config file and ``SSBRACE_*`` variables).
    """
    from ssbrace.kb.store import Store

    return Store(_as_url(db) if db is not None else _settings(settings).db)


def _input_list(inputs: Inputs) -> list[str]:
    if isinstance(inputs, str | Path):
        return [str(inputs)]
    return [str(item) for item in inputs]


def ingest(store: Store, inputs: Inputs, *, settings: Settings | None = None, name: str | None = None,
           progress: Callable[[int, int, str], None] | None = None, raise_errors: bool = False,
           workers: int | None = None, scheduler: str | None = None,
           source_options: SourceOptions | None = None) -> IngestResult:
    """Ingest files, folders (recursive), pages and feeds through every stage: documents, claims,
    entities, stories. Nothing is stored twice; a failed input is reported in the result, not raised.

    Args:
        store: from ``open_store``.
        inputs: one path or URL, or several.
        settings: fetch limits and the domain pack (default: as for ``open_store``).
        name: a name for the sources the inputs register.
        progress: called with (done, total, label) as inputs are handled; on a cluster the label is
            the documents done and failed and each worker's throughput.
        raise_errors: let an unexpected error propagate instead of reporting the input as failed.
        workers: read and extract on a Dask ``LocalCluster`` of this many processes (docs/scale.md).
        scheduler: read and extract on the existing Dask cluster at this address instead.
        source_options: fetch options (``allow_private``, ``max_bytes``) stored with the sources the inputs
            register, so that ``update`` polls them the same way.
    """
    items = _input_list(inputs)
    if workers is not None or scheduler is not None:
        from ssbrace.cluster.engine import dask_client
        from ssbrace.cluster.ingest import run_ingest_distributed

        with dask_client(workers, scheduler) as client:
            result = run_ingest_distributed(store, items, _settings(settings), client, name=name,
                                            progress=progress, raise_errors=raise_errors)
    else:
        from ssbrace.pipeline import run_ingest

        result = run_ingest(store, items, _settings(settings), name=name, progress=progress,
                            raise_errors=raise_errors)
    if source_options:
        from ssbrace.register import remember_options

        remember_options(store, items, source_options)
    log.info("ingested %d input(s): %s", len(items), result.counts())
    return result


def update(store: Store, *, settings: Settings | None = None,
           progress: Callable[[int, int, str], None] | None = None, raise_errors: bool = False) -> IngestResult:
    """Poll every registered source not disabled once (feeds with a conditional GET), each with the options
    it was added with, and ingest what is new; what is stored already as it is reads "unchanged"."""
    from ssbrace.pipeline import run_update

    result = run_update(store, _settings(settings), progress=progress, raise_errors=raise_errors)
    log.info("updated the registered sources: %s", result.counts())
    return result


def reextract(store: Store, *, settings: Settings | None = None, only_outdated: bool = True,
              progress: Callable[[int, int], None] | None = None, raise_errors: bool = False,
              workers: int | None = None, scheduler: str | None = None,
              on_line: Callable[[str], None] | None = None) -> ReextractResult:
    """Re-run the extractor over stored documents, replacing their claims (after an upgrade).

    A document that fails keeps its old claims and is listed in the result's ``failures``.

    Args:
        only_outdated: only documents an older extractor version handled; False redoes every one.
        progress: called with (done, total) after each document (on a cluster: after each partition).
        raise_errors: let an unexpected error propagate instead of reporting the document as failed.
        workers: extract on a Dask ``LocalCluster`` of this many processes (docs/scale.md).
        scheduler: extract on the existing Dask cluster at this address instead.
        on_line: on a cluster, called after each partition with documents done and failed and each
            worker's throughput ("done 64, failed 0; worker 0: 5.1 docs/s, ...").
    """
    if workers is not None or scheduler is not None:
        from ssbrace.cluster.engine import dask_client
        from ssbrace.cluster.ingest import run_reextract_distributed

        with dask_client(workers, scheduler) as client:
            result = run_reextract_distributed(store, _settings(settings), client, only_outdated=only_outdated,
                                               progress=progress, raise_errors=raise_errors, on_line=on_line)
    else:
        from ssbrace.pipeline import run_reextract

        result = run_reextract(store, _settings(settings), only_outdated=only_outdated, progress=progress,
                               raise_errors=raise_errors)
    log.info("re-extracted %d document(s): %d claim(s), %d failed", result.documents, result.claims,
             result.failed)
    return result


def knowledge(store: Store, *, domain: str | DomainPack | None = None,
              weights: dict[str, float] | None = None, settings: Settings | None = None) -> Knowledge:
    """Everything the analysis derives from the store's claims, each part computed on first use.

    The result has ``records`` (the claims), ``facts``, ``conflicts``, ``ledgers`` (dated targets),
    ``findings`` (consistency checks) and ``board(by)`` (the scoreboard by "country" or "company"), plus
    ``claim_rows()`` and ``fact_rows()``: flat dicts for ``pandas.DataFrame``.

    Args:
        domain: a pack or its name or folder (default: the ``domain`` setting).
        weights: scoreboard weight overrides, indicator name -> weight.
    """
    from ssbrace.domains.loader import DomainPack, load_domain
    from ssbrace.pipeline import build_knowledge

    pack = domain if isinstance(domain, DomainPack) else load_domain(domain or _settings(settings).domain)
    return build_knowledge(store, pack, weights)



# --- the register of sources and documents: add with options, remove, disable, enable (issue 14) ---


def add_source(store: Store, location: str, *, name: str | None = None, allow_private: bool = False,
               max_bytes: int | None = None, settings: Settings | None = None) -> tuple[SourceInfo, bool]:
    """Register a file, folder, page or feed for ``update`` (nothing is fetched now); returns it and whether
    it is new. ``allow_private`` and ``max_bytes`` are stored with it and used each time it is polled.

    Raises:
        UsageError: not an http(s) URL nor an existing path.
        FetchError: a URL on a private address without ``allow_private``.
    """
    from ssbrace.register import add_source as register
    from ssbrace.sources.options import SourceOptions

    return register(store, location, _settings(settings), name=name,
                    options=SourceOptions(allow_private=allow_private, max_bytes=max_bytes))


def set_source_options(store: Store, ref: str | int, *, allow_private: bool = False, max_bytes: int | None = None,
                       clear: Iterable[str] = ()) -> tuple[SourceInfo, SourceOptions]:
    """Change the options ``update`` polls a source (by id, URL or path) with: the options named in ``clear``
    (``"max_bytes"``, ``"allow_private"`` or ``"all"``) are forgotten, so the run's settings hold for them
    again, then ``allow_private=True`` and ``max_bytes`` are set. Returns the source and its options now.

    Raises:
        UsageError: nothing to change, an unknown option name, or a size cap below 1.
        InputError: no such source.
    """
    from ssbrace.register import set_source_options as change
    from ssbrace.sources.options import SourceOptions

    return change(store, str(ref), given=SourceOptions(allow_private=allow_private, max_bytes=max_bytes),
                  clear=clear)


def remove_documents(store: Store, refs: Iterable[str | int], *, settings: Settings | None = None) -> Removal:
    """Remove documents (by id, location or URL) with their claims, entity links, search entries and story
    memberships, in one transaction; stories left empty go, the others are restated.

    Raises:
        InputError: a reference names no stored document; nothing is removed then.
    """
    from ssbrace.register import remove_documents as remove

    return remove(store, [refs] if isinstance(refs, str | int) else refs, _settings(settings))


def remove_source(store: Store, ref: str | int, *, keep_documents: bool = False,
                  settings: Settings | None = None) -> Removal:
    """Remove a source (by id, URL or path) and, unless ``keep_documents``, the documents it brought.

    Raises:
        InputError: no such source.
    """
    from ssbrace.register import remove_source as remove

    return remove(store, str(ref), _settings(settings), keep_documents=keep_documents)


def disable_source(store: Store, ref: str | int) -> SourceInfo:
    """Have ``update`` skip a source (by id, URL or path) until it is enabled again; its documents stay.

    Raises:
        InputError: no such source.
    """
    from ssbrace.register import set_source_enabled

    return set_source_enabled(store, str(ref), False)[0]


def enable_source(store: Store, ref: str | int) -> SourceInfo:
    """Have ``update`` poll a disabled source again.

    Raises:
        InputError: no such source.
    """
    from ssbrace.register import set_source_enabled

    return set_source_enabled(store, str(ref), True)[0]
# --- reviews of claims (ssbrace/review.py) ---


def mark_wrong(store: Store, claim_id: int, *, reviewer: str | None = None, reason: str | None = None) -> ReviewRow:
    """Mark a claim wrong: it leaves facts, boards, ledgers, conflicts and listings; ``undo_review`` brings
    it back. The review survives ``reextract``.

    Args:
        reviewer: who says so (default: the OS user).
        reason: why, in a few words.
    """
    from ssbrace.review import mark_wrong as mark

    with store.session() as session:
        return mark(session, claim_id, reviewer=reviewer, reason=reason)


def correct_claim(store: Store, claim_id: int, *, reviewer: str | None = None, reason: str | None = None,
                  **corrections: str | None) -> ReviewRow:
    """Correct a claim: ``correct_claim(store, 12, subject="Toyota", year="2028")``; values as typed
    ("1.2bn", "45%"), checked (``review.parse_corrections``: a UsageError when one does not parse)."""
    from ssbrace.review import correct_claim as correct
    from ssbrace.review import parse_corrections

    wanted = parse_corrections(corrections)
    with store.session() as session:
        return correct(session, claim_id, wanted, reviewer=reviewer, reason=reason)


def undo_review(store: Store, review_id: int, *, by: str | None = None) -> ReviewRow:
    """Stop applying a review; the claim reads as before it."""
    from ssbrace.review import undo_review as undo

    with store.session() as session:
        return undo(session, review_id, by=by)


def reviews(store: Store, *, include_undone: bool = False) -> list[ReviewRow]:
    """The store's reviews, oldest first; a review whose ``matched`` is False found no claim after re-extraction."""
    from ssbrace.review import list_reviews

    with store.session() as session:
        return list_reviews(session, include_undone=include_undone)


def export_reviews(store: Store) -> list[str]:
    """The active reviews as JSON lines, for ``import_reviews`` into another store holding the same documents."""
    from ssbrace.review import export_reviews as export

    with store.session() as session:
        return list(export(session))


def import_reviews(store: Store, lines: Iterable[str]) -> ImportResult:
    """Apply exported reviews to this store, matched by document hash or address and the claim's key (not by
    ids), in one transaction; re-importing adds nothing. The result says how many matched a claim."""
    from ssbrace.review import import_reviews as load

    with store.session() as session:
        return load(session, lines)


# --- exports for analysts' tools: typed tables as CSV, JSON Lines or Parquet (issue 15) ---


def export(store: Store, table: str, *, analysis: Knowledge | None = None,
           settings: Settings | None = None) -> Iterator[dict[str, Any]]:
    """The rows of one export table, typed (numbers, dates, integer years, booleans, lists of ids), one at a
    time: claims are read from the store a page at a time, facts, conflicts and ledgers come from the
    analysis (built a subject at a time, see ``knowledge``), stories from the store.

    Args:
        store: from ``open_store``.
        table: claims, facts, conflicts, ledgers or stories (``delivery.exports.TABLES`` lists each column).
        analysis: this store's ``knowledge`` already built (the web app keeps one); default: a fresh one.
        settings: the domain pack for a fresh analysis (default: as for ``open_store``).

    Raises:
        UsageError: no such table.
    """
    from ssbrace.delivery.exports import check_table, table_rows

    check_table(table)  # refused before any work
    items: Iterable[Any]
    if table == "claims":
        from ssbrace.kb.queries import StoredClaims

        items = StoredClaims(store)  # read again from the store as it is iterated, a page at a time
    elif table == "stories":
        items = _stories(store)
    else:
        items = getattr(analysis if analysis is not None else knowledge(store, settings=settings), table)
    return table_rows(table, items)


def _stories(store: Store) -> Iterator[Any]:
    from ssbrace.kb import stories_repo

    with store.session() as session:
        yield from stories_repo.list_stories(session)


def export_to(store: Store, table: str, out: str | Path | IO[str] | IO[bytes], fmt: str | None = None, *,
              analysis: Knowledge | None = None, settings: Settings | None = None) -> str:
    """Write one export table to a file (replaced only once complete) or an open stream; returns the format.

    Args:
        out: a path, or an open file: text for CSV and JSON Lines, binary for Parquet.
        fmt: csv, jsonl or parquet; default: told by the path's suffix (.csv, .jsonl, .parquet).

    Raises:
        UsageError: no such table or format, or no format given for a stream.
    """
    from ssbrace.delivery.export_writers import export_format, write_export
    from ssbrace.delivery.exports import check_table

    check_table(table)
    path = Path(out) if isinstance(out, str | Path) else None
    chosen = export_format(path, fmt)
    write_export(table, export(store, table, analysis=analysis, settings=settings), chosen,
                 path if path is not None else out)  # type: ignore[arg-type]
    return chosen


# --- following: watches, webhooks and their alerts (issue 15) ---


def watch(store: Store, target: str, *, kind: str = "auto", email: str | None = None, webhook: str | None = None,
          settings: Settings | None = None) -> WatchRecord:
    """Follow an entity (by any of its names), a keyword or a saved search; alerts go to ``email`` and/or
    ``webhook``. Adding the same watch again returns the stored one.

    Raises:
        UsageError: an unknown kind, a bad address, or a webhook URL the address guard refuses.
        InputError: ``kind="entity"`` and no entity has this name.
    """
    from ssbrace.following import add_watch

    return add_watch(store, _settings(settings), target, kind=kind, email=email, webhook=webhook).watch


def add_webhook(store: Store, url: str, events: Iterable[str], *, secret: str | None = None,
                settings: Settings | None = None) -> WebhookRecord:
    """Register a URL for event types (new_claim, new_figure, target_slip, new_conflict, new_story); the
    record holds the secret that signs its deliveries (docs/webhooks.md).

    Raises:
        UsageError: unknown events, or a private address without the ``webhook_allow_private`` setting.
    """
    from ssbrace.following import add_webhook as register

    return register(store, _settings(settings), url, list(events), secret=secret)[0]


def send_alerts(store: Store, *, settings: Settings | None = None) -> AlertReport:
    """Send what is queued for watches and webhooks (``ingest`` and ``update`` do it after each batch)."""
    from ssbrace.following import deliver_alerts

    return deliver_alerts(store, _settings(settings))
