"""Queries for sources and documents. Ingestion and the CLI call these; nothing else touches the tables."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from ssbrace.kb.tables import Document, DocumentBand, Source, utcnow

SOURCE_KINDS = ("file", "folder", "url", "feed")


def _table(model: type[Any]) -> Table:
    """A mapped class's table, for multi-row inserts through SQLAlchemy Core (one statement for many rows)."""
    return cast("Table", model.__table__)


def find_source(session: Session, location: str) -> Source | None:
    return session.scalars(select(Source).where(Source.location == location)).first()


def get_source(session: Session, source_id: int) -> Source | None:
    return session.get(Source, source_id)


def add_source(session: Session, location: str, kind: str, name: str | None = None) -> tuple[Source, bool]:
    """The source at this location, created if new; returns (source, created).

    A known source keeps its id; a name given now replaces the old one, and a ``url`` source found to
    be a feed becomes a ``feed``.
    """
    assert kind in SOURCE_KINDS, kind
    source = find_source(session, location)
    if source is not None:
        if name:
            source.name = name
        if kind == "feed" and source.kind == "url":
            source.kind = "feed"
        session.flush()
        return source, False
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        # another writer may add the same location between the look-up and the insert (two drivers of one
        # backfill): the insert then does nothing and the source it added is the one returned
        from sqlalchemy.dialects import postgresql, sqlite

        dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        added = session.execute(dialect_insert(Source).values(location=location, kind=kind, name=name)
                                .on_conflict_do_nothing(index_elements=["location"]))
        found = find_source(session, location)
        assert found is not None
        return found, bool(added.rowcount)  # type: ignore[attr-defined]
    source = Source(location=location, kind=kind, name=name)
    session.add(source)
    session.flush()
    return source, True


def list_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.id)))


def count_documents_by_source(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Document.source_id, func.count(Document.id)).group_by(Document.source_id)
    ).all()
    return {source_id: count for source_id, count in rows if source_id is not None}


def record_poll(
    session: Session,
    source_id: int,
    status: str,
    *,
    kind: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    keep_validators: bool = False,
) -> None:
    """Store the outcome of polling a source, and the validators for the next conditional GET."""
    values: dict[str, object] = {"last_polled_at": utcnow(), "last_status": status[:500]}
    if not keep_validators:
        values.update(etag=etag, last_modified=last_modified)
    if kind is not None:
        values["kind"] = kind
    session.execute(update(Source).where(Source.id == source_id).values(**values))


def find_document_by_location(session: Session, location: str) -> Document | None:
    return session.scalars(select(Document).where(Document.location == location)).first()


def find_document_by_sha256(session: Session, sha256: str) -> Document | None:
    return session.scalars(select(Document).where(Document.sha256 == sha256)).first()


def known_locations(session: Session, locations: list[str]) -> dict[str, int]:
    """Which of these locations are stored already: location -> document id."""
    found: dict[str, int] = {}
    for start in range(0, len(locations), 500):  # SQLite caps bound parameters
        chunk = locations[start : start + 500]
        rows = session.execute(select(Document.location, Document.id).where(Document.location.in_(chunk)))
        found.update({location: doc_id for location, doc_id in rows})
    return found


# Bound parameters per statement stay well under SQLite's cap (32,766) and PostgreSQL's (65,535).
_IN_CHUNK = 500


def _documents_by(session: Session, key: Any, other: Any, values: Iterable[str]) -> dict[str, tuple[int, str]]:
    """key -> (id, other) of the stored documents whose ``key`` column is one of ``values``, one query per
    500 values."""
    wanted = sorted(set(values))
    found: dict[str, tuple[int, str]] = {}
    for begin in range(0, len(wanted), _IN_CHUNK):
        rows = session.execute(select(key, Document.id, other).where(key.in_(wanted[begin : begin + _IN_CHUNK])))
        found.update({k: (doc_id, o) for k, doc_id, o in rows})
    return found


def documents_at(session: Session, locations: Iterable[str]) -> dict[str, tuple[int, str]]:
    """The stored documents at these locations: location -> (id, sha256)."""
    return _documents_by(session, Document.location, Document.sha256, locations)


def documents_with_sha256(session: Session, digests: Iterable[str]) -> dict[str, tuple[int, str]]:
    """The stored documents with these texts: sha256 -> (id, location)."""
    return _documents_by(session, Document.sha256, Document.location, digests)


def band_sharers(session: Session, tag: str, keys: Iterable[tuple[int, bytes]]
                 ) -> tuple[dict[tuple[int, bytes], list[int]], dict[int, bytes]]:
    """For many signatures' band keys at once (a batch of documents): which stored originals share each
    (band, key), and those originals' MinHash bytes; the batched form of ``band_candidates``."""
    by_band: dict[int, list[bytes]] = {}
    for band, key in set(keys):
        by_band.setdefault(int(band), []).append(bytes(key))
    sharers: dict[tuple[int, bytes], list[int]] = {}
    # One lookup per band (tag, band, key IN ...): each walks the (tag, band, key) index, and the statement is
    # the same for every batch (SQLAlchemy compiles it once), unlike one OR term per key.
    for band, found in sorted(by_band.items()):
        found.sort()
        for start in range(0, len(found), _IN_CHUNK):
            rows = session.execute(select(DocumentBand.document_id, DocumentBand.key)
                                   .where(DocumentBand.tag == tag, DocumentBand.band == band,
                                          DocumentBand.key.in_(found[start : start + _IN_CHUNK])))
            for doc_id, key in rows:
                sharers.setdefault((band, bytes(key)), []).append(int(doc_id))
    ids = sorted({doc_id for found in sharers.values() for doc_id in found})
    signatures: dict[int, bytes] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        rows = session.execute(
            select(Document.id, Document.minhash)
            .where(Document.id.in_(ids[start : start + _IN_CHUNK]), Document.minhash.is_not(None),
                   Document.duplicate_of.is_(None)))
        signatures.update(_signatures(rows))
    return sharers, signatures


def insert_documents(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Add many documents in one multi-row INSERT (column values as for ``insert_document``); returns
    their ids in the order of ``rows``, inside the caller's transaction.

    Through the table (SQLAlchemy Core), not the ORM's bulk insert, which splits the rows into a statement
    per pattern of missing values; and the ids are read back by location (unique) rather than with
    RETURNING, which SQLAlchemy can only keep in row order on SQLite by inserting one row at a time."""
    if not rows:
        return []
    session.execute(insert(_table(Document)), rows)
    ids = documents_at(session, [row["location"] for row in rows])
    return [ids[row["location"]][0] for row in rows]


def set_duplicates_of(session: Session, links: list[tuple[int, int]]) -> None:
    """(document id, original's id) for near duplicates whose original was inserted in the same statement."""
    for doc_id, original in links:
        session.execute(update(Document).where(Document.id == doc_id).values(duplicate_of=original))


def insert_bands(session: Session, tag: str, bands: list[tuple[int, list[tuple[int, bytes]]]]) -> None:
    """Index many originals' signature bands at once: (document id, [(band, key), ...]) each."""
    rows = [{"document_id": doc_id, "tag": tag, "band": band, "key": key} for doc_id, keys in bands
            for band, key in keys]
    if rows:
        session.execute(insert(_table(DocumentBand)), rows)


def insert_document(
    session: Session,
    *,
    location: str,
    text: str,
    sha256: str,
    minhash: bytes | None,
    source_id: int | None = None,
    url: str | None = None,
    title: str | None = None,
    author: str | None = None,
    publisher: str | None = None,
    published: date | None = None,
    language: str | None = None,
    content_type: str | None = None,
    word_count: int = 0,
    duplicate_of: int | None = None,
    similarity: float | None = None,
    extractor_version: str | None = None,
    fetched_at: datetime | None = None,
) -> Document:
    """Add one document and flush, so that it has an id inside the caller's transaction."""
    document = Document(
        location=location,
        text=text,
        sha256=sha256,
        minhash=minhash,
        source_id=source_id,
        url=url,
        title=title,
        author=author,
        publisher=publisher,
        published=published,
        language=language,
        content_type=content_type,
        word_count=word_count,
        duplicate_of=duplicate_of,
        similarity=similarity,
        extractor_version=extractor_version,
        fetched_at=fetched_at or utcnow(),
    )
    session.add(document)
    session.flush()
    return document


def iter_signatures(session: Session) -> Iterator[tuple[int, bytes]]:
    """(id, MinHash bytes) of every original (not itself a near duplicate), to rebuild the LSH index."""
    rows = session.execute(
        select(Document.id, Document.minhash)
        .where(Document.minhash.is_not(None), Document.duplicate_of.is_(None))
        .order_by(Document.id)
    )
    return _signatures(rows)


def _signatures(rows: Iterable[tuple[int, bytes | None]]) -> Iterator[tuple[int, bytes]]:
    # The queries ask for a signature already; the check tells the type checker so.
    return ((int(doc_id), bytes(data)) for doc_id, data in rows if data is not None)


class Bands:
    """The document bands of one session, as ``documents.dedup.StoredNearDuplicates`` reads and writes them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def originals_without_bands(self, tag: str) -> Iterator[tuple[int, bytes]]:
        return originals_without_bands(self.session, tag)

    def add_bands(self, document_id: int, tag: str, keys: list[tuple[int, bytes]]) -> None:
        add_bands(self.session, document_id, tag, keys)

    def band_candidates(self, tag: str, keys: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
        return band_candidates(self.session, tag, keys)


def add_bands(session: Session, document_id: int, tag: str, keys: list[tuple[int, bytes]]) -> None:
    """Index an original's signature bands (in the caller's transaction, with the document)."""
    session.add_all(DocumentBand(document_id=document_id, tag=tag, band=band, key=key) for band, key in keys)
    session.flush()


def band_candidates(session: Session, tag: str, keys: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    """(id, MinHash bytes) of the originals that share at least one band with these keys."""
    if not keys:
        return []
    # The tag inside each term: SQLite then looks every band up in the index (a multi-index OR) instead of
    # scanning all the rows of the tag.
    match = or_(*(and_(DocumentBand.tag == tag, DocumentBand.band == band, DocumentBand.key == key)
                  for band, key in keys))
    ids = select(DocumentBand.document_id).where(match).distinct()
    rows = session.execute(
        select(Document.id, Document.minhash)
        .where(Document.id.in_(ids), Document.minhash.is_not(None), Document.duplicate_of.is_(None))
        .order_by(Document.id)
    )
    return list(_signatures(rows))


def originals_without_bands(session: Session, tag: str) -> Iterator[tuple[int, bytes]]:
    """(id, MinHash bytes) of originals not yet banded with ``tag``.

    Ingestion bands every original it stores, so once a tag has rows only documents after the newest
    banded one can lack them: the scan starts there instead of reading the whole table on every run.
    """
    # Walked backwards along the primary key (document_id first), stopping at the newest row of the tag.
    # coalesce() keeps the planner off the (tag, band, key) index, which would sort every row of the tag.
    newest = session.scalar(
        select(DocumentBand.document_id)
        .where(func.coalesce(DocumentBand.tag, "") == tag)
        .order_by(DocumentBand.document_id.desc())
        .limit(1)
    ) or 0
    banded = (
        select(DocumentBand.document_id)
        .where(DocumentBand.document_id == Document.id, DocumentBand.tag == tag)
        .exists()
    )
    rows = session.execute(
        select(Document.id, Document.minhash)
        .where(Document.id > newest, Document.minhash.is_not(None), Document.duplicate_of.is_(None), ~banded)
        .order_by(Document.id)
    ).all()
    yield from _signatures(rows)


def list_documents(session: Session, *, limit: int = 50, offset: int = 0) -> list[Document]:
    """Newest first."""
    query = select(Document).order_by(Document.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def count_documents(session: Session) -> int:
    return session.scalar(select(func.count(Document.id))) or 0


def get_document(session: Session, document_id: int) -> Document | None:
    return session.get(Document, document_id)


# --- finding what to remove or disable, and a source's stored state (migration 0021) ---


def find_source_by_ref(session: Session, ref: str, locations: Iterable[str] = ()) -> Source | None:
    """A source by id (digits) or by location, as ``sources list`` shows it; ``locations`` are other spellings
    of the same location to try (a path made absolute)."""
    text = ref.strip()
    if text.isdigit():
        return session.get(Source, int(text))
    for location in (text, *locations):
        found = find_source(session, location)
        if found is not None:
            return found
    return None


def find_document_by_ref(session: Session, ref: str) -> Document | None:
    """A document by id (digits), by location (the path or URL it was ingested from) or by its URL."""
    text = ref.strip()
    if text.isdigit():
        return session.get(Document, int(text))
    return (find_document_by_location(session, text)
            or session.scalars(select(Document).where(Document.url == text).order_by(Document.id)).first())


def set_source_disabled(session: Session, source_id: int, disabled: bool) -> bool:
    """Disable or enable a source; False when it already was in that state."""
    source = session.get(Source, source_id)
    if source is None or bool(source.disabled) == disabled:
        return False
    source.disabled = disabled
    session.flush()
    return True


def set_source_options(session: Session, source_id: int, options: dict[str, Any]) -> None:
    """Store the fetch options ``update`` polls the source with (merged over those stored before)."""
    source = session.get(Source, source_id)
    if source is not None:
        merged = {**(source.options or {}), **options}
        source.options = merged or None
        session.flush()


def replace_source_options(session: Session, source_id: int, options: dict[str, Any]) -> None:
    """Store exactly these fetch options with a source (an empty object clears them all)."""
    source = session.get(Source, source_id)
    if source is not None:
        source.options = dict(options) or None
        session.flush()


def set_source_categories(session: Session, source_id: int, categories: list[str], topics: list[str]) -> None:
    """Store a source's labels (as an OPML file wrote them) and the topic slugs among them."""
    source = session.get(Source, source_id)
    if source is not None:
        source.categories = list(categories) or None
        source.topics = list(topics) or None
        session.flush()


def enabled_source_locations(session: Session) -> list[str]:
    """The locations ``update`` polls: every source not disabled, in id order."""
    query = select(Source.location).where(Source.disabled.is_(False)).order_by(Source.id)
    return list(session.scalars(query))


def minhashes_of(session: Session, ids: Iterable[int]) -> list[tuple[int, bytes]]:
    """(id, MinHash bytes) of these documents, those that have one."""
    wanted = sorted(set(ids))
    found: list[tuple[int, bytes]] = []
    for start in range(0, len(wanted), _IN_CHUNK):
        rows = session.execute(select(Document.id, Document.minhash)
                               .where(Document.id.in_(wanted[start : start + _IN_CHUNK])).order_by(Document.id))
        found.extend(_signatures(rows))
    return found
