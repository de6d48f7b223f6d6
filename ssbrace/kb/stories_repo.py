"""Queries behind stories, subscriptions and deliveries, in domain terms (plain records out)."""

from __future__ import annotations

import functools
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    Table,
    TextClause,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    union,
    update,
)
from sqlalchemy.orm import Session

from ssbrace.kb.claims_repo import COMPUTED_VERSIONS
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.store import changed_rows
from ssbrace.kb.tables import (
    Claim,
    ClaimReview,
    Delivery,
    Document,
    Story,
    StoryDocument,
    StoryKey,
    StoryPending,
    StoryTerms,
    StoryUnkeyed,
    Subscription,
    utcnow,
)
from ssbrace.models import CLAIM_FIELDS


@dataclass(frozen=True)
class DocRecord:
    """What stories and briefs need of one stored document."""

    id: int
    location: str
    url: str | None
    title: str | None
    publisher: str | None
    published: date | None
    fetched: date | None
    text: str
    duplicate_of: int | None
    topics: tuple[str, ...] = ()  # topic slugs its source is filed under (an OPML import, migration 0021)

    @property
    def day(self) -> date | None:
        """The date a document speaks for: its publication date, else the day it was fetched."""
        return self.published or self.fetched

    @property
    def link(self) -> str:
        """Where a reader can find it: its URL, else the path it was ingested from."""
        return self.url or self.location


@dataclass(frozen=True)
class StoryFields:
    """What one story states: the one declaration ``StoryRecord`` and its JSON shape extend."""

    id: int
    headline: str
    first_date: date | None
    last_date: date | None
    doc_count: int
    version: int


@dataclass(frozen=True)
class StoryRecord(StoryFields):
    created_at: datetime
    updated_at: datetime
    document_ids: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class SubscriptionRecord:
    email: str
    topic: str
    token: str


@dataclass(frozen=True)
class DeliveryRecord:
    recipient: str
    topic: str
    digest_key: str
    status: str
    error: str | None
    story_count: int
    created_at: datetime


def _doc(row: Document) -> DocRecord:
    fetched = row.fetched_at.date() if row.fetched_at else None
    return DocRecord(
        id=row.id,
        location=row.location,
        url=row.url,
        title=row.title,
        publisher=row.publisher,
        published=row.published,
        fetched=fetched,
        text=row.text or "",
        duplicate_of=row.duplicate_of,
        # the source is a many-to-one read once per session (the identity map keeps it), not once per document
        topics=tuple(row.source.topics or ()) if row.source_id is not None and row.source is not None else (),
    )


def get_document(session: Session, document_id: int) -> DocRecord | None:
    row = session.get(Document, document_id)
    return _doc(row) if row is not None else None


def get_documents(session: Session, ids: Iterable[int]) -> list[DocRecord]:
    """The documents with these ids, in id order."""
    ids = sorted(set(ids))
    if not ids:
        return []
    rows = session.scalars(select(Document).where(Document.id.in_(ids)).order_by(Document.id))
    return [_doc(r) for r in rows]


def recent_documents(session: Session, limit: int) -> list[DocRecord]:
    """The latest stored documents (by id), a background corpus for term weights."""
    rows = session.scalars(select(Document).order_by(Document.id.desc()).limit(limit))
    return [_doc(r) for r in rows]


def recent_document_ids(session: Session, limit: int) -> list[int]:
    """The ids of the latest stored documents (``recent_documents`` without reading them: an index scan)."""
    return list(session.scalars(select(Document.id).order_by(Document.id.desc()).limit(limit)))


def kept_terms(session: Session, ids: Iterable[int], digest: Callable[[str | None, str | None], str]
               ) -> dict[int, tuple[str, bytes | None]]:
    """For each stored document of ``ids``: the digest of its title and text now (``digest(title, sha256)``) and
    its kept term counts, None when none are kept, or b"" when they were counted from another title or text."""
    ids = sorted(set(ids))
    found: dict[int, tuple[str, bytes | None]] = {}
    for start in range(0, len(ids), 500):
        query = (select(Document.id, Document.title, Document.sha256, StoryTerms.digest, StoryTerms.terms)
                 .outerjoin(StoryTerms, StoryTerms.document_id == Document.id)
                 .where(Document.id.in_(ids[start : start + 500])))
        for document_id, title, sha256, kept_digest, terms in session.execute(query):
            now = digest(title, sha256)
            found[document_id] = (now, None if kept_digest is None else terms if kept_digest == now else b"")
    return found


def keep_terms(session: Session, rows: Sequence[tuple[int, str, bytes]], *, below: int,
               stale: Iterable[int] = ()) -> None:
    """Keep documents' term counts, (document id, digest, counts), and drop those of documents older than
    ``below`` (no longer among the latest) and the ``stale`` ones (counted from another title or text)."""
    stale = sorted(set(stale))
    session.execute(delete(StoryTerms).where(or_(StoryTerms.document_id < below, StoryTerms.document_id.in_(stale))))
    if rows:
        session.execute(insert(StoryTerms), [{"document_id": i, "digest": d, "terms": t} for i, d, t in rows])


# A document computed from data (patent counts) is not reporting: it joins no story.
_reported = or_(Document.extractor_version.is_(None), Document.extractor_version.not_in(COMPUTED_VERSIONS))


def documents_in_arrival_order(session: Session) -> list[int]:
    """Every document id, oldest first (by date, undated by fetch time, then id)."""
    day = func.coalesce(Document.published, func.date(Document.fetched_at))
    return list(session.scalars(select(Document.id).where(_reported).order_by(day, Document.id)))


# Any fixed number: the key of the PostgreSQL advisory lock that makes story placement one writer at a time.
_PLACEMENT_LOCK = 0x55B5_7031


def lock_placement(session: Session) -> None:
    """Hold story placement for this transaction: two writers (two drivers of a sharded backfill, an ingest and
    an update) would otherwise both find the same documents in no story and both place them. On PostgreSQL an
    advisory lock, released at commit; on SQLite the write lock, taken now by a statement that changes nothing."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PLACEMENT_LOCK})
    elif dialect == "sqlite":
        session.execute(text("DELETE FROM story_documents WHERE 0"))


def pending_documents_in_arrival_order(session: Session) -> list[int]:
    """The ids of documents in no story yet, oldest first (by date, undated by fetch time, then id)."""
    # The set is kept by the database (table story_pending, migration 0025): reading it costs the same
    # however many documents are placed already; only the few pending rows are read and ordered here.
    pending = list(session.scalars(select(StoryPending.document_id).order_by(StoryPending.document_id)))
    if not pending:
        return []
    day = func.coalesce(Document.published, func.date(Document.fetched_at))
    ordered: list[tuple[int, date | None]] = []
    for start in range(0, len(pending), 500):
        chunk = pending[start : start + 500]
        ordered.extend(session.execute(select(Document.id, day).where(Document.id.in_(chunk), _reported)))
    if len(ordered) < len(pending):
        # computed documents never join a story, and a deleted one may leave its row: neither is pending
        gone = sorted(set(pending) - {row[0] for row in ordered})
        for start in range(0, len(gone), 500):
            session.execute(delete(StoryPending).where(StoryPending.document_id.in_(gone[start : start + 500])))
    ordered.sort(key=lambda row: (row[1] is not None, row[1] or "", row[0]))
    return [row[0] for row in ordered]


def claims_for_documents(session: Session, ids: Iterable[int], *, reviewed: bool = False) -> list[ClaimRecord]:
    """The claims of these documents as extracted (names as written: a story is about what its documents say).

    With ``reviewed``, what a reader is shown (a brief, a digest): claims marked wrong are left out and
    corrected fields read as corrected; grouping reads the claims as extracted, so a review never moves a
    document to another story.
    """
    ids = sorted(set(ids))
    if not ids:
        return []
    rows = list(session.scalars(select(Claim).where(Claim.document_id.in_(ids)).order_by(Claim.id)))
    reviews: dict[int, ClaimReview] = {}
    if reviewed and rows:
        active = select(ClaimReview).where(ClaimReview.claim_id.in_([r.id for r in rows]),
                                           ClaimReview.undone_at.is_(None))
        reviews = {r.claim_id: r for r in session.scalars(active) if r.claim_id is not None}
    out = []
    for r in rows:
        values = {name: getattr(r, name) for name in CLAIM_FIELDS}
        review = reviews.get(r.id)
        if review is not None:
            if review.verdict == "wrong":
                continue
            values.update((name, pair[1]) for name, pair in (review.changes or {}).items() if name in CLAIM_FIELDS)
        out.append(ClaimRecord(id=r.id, document_id=r.document_id, sentence=r.sentence, start=r.start, end=r.end,
                               confidence=r.confidence, **values))
    return out


def claims_version(session: Session, ids: Iterable[int]) -> tuple[object, ...]:
    """A value that changes whenever the claims of these documents, or their reviews, change: counts and
    largest ids (re-extraction gives claims new ids, a review adds a row, an undo stamps one)."""
    return claims_versions(session, {0: list(ids)})[0]


def claims_versions(session: Session, groups: Mapping[int, Iterable[int]]) -> dict[int, tuple[object, ...]]:
    """``claims_version`` of each group of documents (a page of stories), in two queries for all of them."""
    groups = {key: sorted(set(ids)) for key, ids in groups.items()}
    every = sorted({i for ids in groups.values() for i in ids})
    claims: dict[int, tuple[int, int | None]] = {}
    reviews: dict[int, tuple[int, int | None, int]] = {}
    for start in range(0, len(every), 500):
        chunk = every[start : start + 500]
        for doc, count, last in session.execute(select(Claim.document_id, func.count(Claim.id), func.max(Claim.id))
                                                .where(Claim.document_id.in_(chunk)).group_by(Claim.document_id)):
            claims[doc] = (count, last)
        for doc, count, last, undone in session.execute(
                select(Claim.document_id, func.count(ClaimReview.id), func.max(ClaimReview.id),
                       func.count(ClaimReview.undone_at))
                .join(Claim, Claim.id == ClaimReview.claim_id).where(Claim.document_id.in_(chunk))
                .group_by(Claim.document_id)):
            reviews[doc] = (count, last, undone)

    def largest(values: Iterable[int | None]) -> int | None:
        return max((v for v in values if v is not None), default=None)

    out: dict[int, tuple[object, ...]] = {}
    for key, ids in groups.items():
        c = [claims[i] for i in ids if i in claims]
        r = [reviews[i] for i in ids if i in reviews]
        out[key] = (sum(n for n, _ in c), largest(m for _, m in c),
                    sum(n for n, _, _ in r), largest(m for _, m, _ in r), sum(u for _, _, u in r))
    return out


def _members(session: Session, story_ids: Sequence[int], latest: int | None = None) -> dict[int, tuple[int, ...]]:
    """Each story's document ids in id order; with ``latest``, only its last ``latest`` of them."""
    members: dict[int, list[int]] = defaultdict(list)
    if story_ids:
        query = select(StoryDocument.story_id, StoryDocument.document_id).where(
            StoryDocument.story_id.in_(list(story_ids)))
        if latest is not None:
            # a window function keeps the read bounded however large a story has grown
            rank = func.row_number().over(partition_by=StoryDocument.story_id,
                                          order_by=StoryDocument.document_id.desc()).label("rank")
            inner = query.add_columns(rank).subquery()
            query = select(inner.c.story_id, inner.c.document_id).where(inner.c.rank <= latest)
        rows = session.execute(query.order_by("document_id"))
        for story_id, document_id in rows:
            members[story_id].append(document_id)
    return {k: tuple(v) for k, v in members.items()}


_STORY_COLUMNS = ("id", "headline", "first_date", "last_date", "doc_count", "version", "created_at", "updated_at")


def _stories(session: Session, rows: Sequence[Any], latest: int | None = None) -> list[StoryRecord]:
    """Records of story rows (ORM objects or rows of ``_STORY_COLUMNS``)."""
    members = _members(session, [r.id for r in rows], latest)
    return [
        StoryRecord(
            id=r.id,
            headline=r.headline,
            first_date=r.first_date,
            last_date=r.last_date,
            doc_count=r.doc_count,
            version=r.version,
            created_at=r.created_at,
            updated_at=r.updated_at,
            document_ids=members.get(r.id, ()),
        )
        for r in rows
    ]


def story_of_document(session: Session, document_id: int) -> int | None:
    return session.scalar(select(StoryDocument.story_id).where(StoryDocument.document_id == document_id))


def get_story(session: Session, story_id: int) -> StoryRecord | None:
    row = session.get(Story, story_id)
    return _stories(session, [row])[0] if row is not None else None


def stories_near(session: Session, start: date, end: date, limit: int | None = None,
                 latest_members: int | None = None) -> list[StoryRecord]:
    """Stories whose date span overlaps [start, end], plus stories with no date at all, in id order.

    ``limit`` keeps the most recently active of them (a busy week in a large store has thousands);
    ``latest_members`` reads only each story's last members (its ``document_ids`` are then those).
    """
    query = select(Story).where(
        or_(
            Story.last_date.is_(None),
            (Story.last_date >= start) & (Story.first_date <= end),
        )
    )
    if limit is not None:
        query = query.order_by(Story.last_date.desc().nulls_last(), Story.id.desc()).limit(limit)
    rows = sorted(session.scalars(query).all(), key=lambda r: r.id)
    return _stories(session, rows, latest_members)


def get_stories(session: Session, ids: Iterable[int], latest_members: int | None = None) -> list[StoryRecord]:
    """These stories, in id order (``latest_members`` as in ``stories_near``)."""
    ids = list(ids)
    if not ids:
        return []
    # plain rows, not ORM objects: candidates are read for every placement
    rows = session.execute(select(*(getattr(Story, f) for f in _STORY_COLUMNS)).where(Story.id.in_(ids))
                           .order_by(Story.id)).all()
    return _stories(session, rows, latest_members)


def add_story_keys(session: Session, story_id: int, document_id: int, day: date | None, keys: Iterable[str]) -> None:
    """Index a story's new member by its keys (``stories_with_keys`` finds the story through them); a member
    with no key gets the key "*", which marks it indexed (``stories_without_keys``) and is never looked up."""
    keys = sorted({k[:200] for k in keys}) or ["*"]
    session.execute(insert(StoryKey), [{"key": k, "document_id": document_id, "story_id": story_id, "day": day}
                                       for k in keys])


def stories_with_keys(session: Session, keys: Iterable[str], start: date, end: date,
                      most: int) -> dict[str, tuple[int, ...] | None]:
    """For each key, the stories having a member dated in [start, end] (or undated) that carries it; None for
    a key more than ``most`` members of the window carry (too common to tell stories apart: it is not read
    further, so a lookup costs the same however crowded the window is)."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    rows: dict[str, list[int]] = {key: [] for key in keys}
    for key, ids in key_postings(session, keys, start, end, most + 1).items():
        rows[key].extend(ids)
    return {key: None if len(ids) > most else tuple(sorted(set(ids))) for key, ids in rows.items()}


def key_postings(session: Session, keys: Sequence[str], start: date, end: date, n: int) -> dict[str, list[int]]:
    """For each key, the story of each of at most ``n`` members dated in [start, end] (or undated) carrying
    it (one story per member: a story appears once for each of its members that carries the key)."""
    rows: dict[str, list[int]] = {}
    if keys:
        for key, story_id in session.execute(_postings_statement(len(keys)),
                                             {"start": start, "end": end, "n": n,
                                              **{f"k{i}": key for i, key in enumerate(keys)}}):
            rows.setdefault(key, []).append(story_id)
    return rows


@functools.lru_cache(maxsize=256)
def _postings_statement(n_keys: int) -> TextClause:
    """One statement for ``n_keys`` keys: for each, an indexed read of at most :n rows of the window (written
    as text: composing the same union from expression objects cost more than running it)."""
    part = ("SELECT * FROM (SELECT key, story_id FROM story_keys WHERE key = :k{i} "
            "AND (day BETWEEN :start AND :end OR day IS NULL) LIMIT :n) AS p{i}")
    sql = " UNION ALL ".join(part.format(i=i) for i in range(n_keys))
    return text(sql).bindparams(bindparam("start", type_=Date), bindparam("end", type_=Date))


def active_story_ids(session: Session, start: date, end: date, limit: int) -> list[int]:
    """The ``limit`` most recently active stories whose dates overlap [start, end] (or that have none)."""
    query = (select(Story.id).where(or_(Story.last_date.is_(None), (Story.last_date >= start) & (Story.first_date <= end)))
             .order_by(Story.last_date.desc().nulls_last(), Story.id.desc()).limit(limit))
    return list(session.scalars(query))


def active_stories(session: Session, start: date, end: date, limit: int) -> list[tuple[int, date | None]]:
    """``active_story_ids`` with each story's last date: (id, last_date), most recently active first."""
    query = (select(Story.id, Story.last_date)
             .where(or_(Story.last_date.is_(None), (Story.last_date >= start) & (Story.first_date <= end)))
             .order_by(Story.last_date.desc().nulls_last(), Story.id.desc()).limit(limit))
    return [(story_id, last) for story_id, last in session.execute(query)]


def dated_stories_meet(session: Session, start: date, end: date) -> bool:
    """Whether a dated story's span meets [start, end] (the story index has no dated key there otherwise)."""
    query = select(Story.id).where(Story.last_date >= start, Story.first_date <= end).limit(1)
    return session.scalar(query) is not None


def undated_story_ids(session: Session) -> list[int]:
    """Stories with no date at all (every window's candidates)."""
    return list(session.scalars(select(Story.id).where(Story.last_date.is_(None)).order_by(Story.id)))


def undated_key_postings(session: Session) -> dict[str, list[int]]:
    """The keys of undated members, each with its members' stories (every window looks them up)."""
    rows: dict[str, list[int]] = {}
    for key, story_id in session.execute(select(StoryKey.key, StoryKey.story_id).where(StoryKey.day.is_(None))):
        rows.setdefault(key, []).append(story_id)
    return rows


def _table(model: type[Any]) -> Table:
    """A mapped class's table, for statements over many rows through SQLAlchemy Core."""
    return cast("Table", model.__table__)


def next_story_id(session: Session) -> int:
    """The largest story id handed out so far: the stored ones', and on PostgreSQL the id sequence's too, so
    that stories written under explicit ids above it never take the id of a story removed since."""
    largest = max_story_id(session)
    if session.get_bind().dialect.name == "postgresql":
        issued = session.scalar(text("SELECT pg_sequence_last_value(pg_get_serial_sequence('stories', 'id'))"))
        largest = max(largest, int(issued or 0))
    return largest


def insert_stories(session: Session, rows: list[dict[str, Any]]) -> None:
    """New stories under explicit ids, one statement for many (``story_ledger``)."""
    if rows:
        session.execute(insert(_table(Story)), rows)


def update_stories(session: Session, rows: list[dict[str, Any]]) -> None:
    """Stored stories' new dates, counts, version and headline, by id (rows as for ``insert_stories``)."""
    if rows:
        table = _table(Story)
        statement = (update(table).where(table.c.id == bindparam("story_id"))
                     .values(headline=bindparam("headline"), first_date=bindparam("first_date"),
                             last_date=bindparam("last_date"), doc_count=bindparam("doc_count"),
                             version=bindparam("version"), updated_at=bindparam("updated_at")))
        session.execute(statement, [{**{k: v for k, v in r.items() if k not in ("id", "created_at")},
                                     "story_id": r["id"]} for r in rows])


def insert_memberships(session: Session, rows: list[dict[str, Any]]) -> None:
    """Documents' places in stories: (document_id, story_id, score, added_at) rows."""
    if rows:
        session.execute(insert(_table(StoryDocument)), rows)


def insert_story_keys(session: Session, rows: list[dict[str, Any]]) -> None:
    """Story index rows: (key, document_id, story_id, day)."""
    if rows:
        session.execute(insert(_table(StoryKey)), rows)


# Up to this many unindexed stories are read whole and checked by id; more (a store grouped before the index)
# are found through the window's date index instead.
_FEW_UNKEYED = 1000


def stories_without_keys(session: Session, start: date, end: date) -> list[int]:
    """Stories of the window none of whose members is in the story index (grouped before it existed)."""
    # The set is kept by the database (table story_unkeyed, migration 0025): a store whose stories were all
    # grouped by placement holds none, so the window's stories (every story, in a crowded week) are not read.
    few = list(session.scalars(select(StoryUnkeyed.story_id).limit(_FEW_UNKEYED + 1)))
    window = or_(Story.last_date.is_(None), (Story.last_date >= start) & (Story.first_date <= end))
    if len(few) <= _FEW_UNKEYED:
        return list(session.scalars(select(Story.id).where(Story.id.in_(few), window).order_by(Story.id))) if few else []
    # Dated and undated apart: each half reads the date index (with the two joined by OR, SQLite scanned every
    # story: 10-20 ms at 100,000).
    unkeyed = select(Story.id).join(StoryUnkeyed, StoryUnkeyed.story_id == Story.id)
    dated = unkeyed.where(Story.last_date >= start, Story.first_date <= end)
    return sorted(set(session.scalars(union(dated, unkeyed.where(Story.last_date.is_(None))))))


def list_stories(session: Session, since: date | None = None, limit: int | None = None,
                 offset: int = 0) -> list[StoryRecord]:
    """Stories active on or after ``since`` (all when None), latest first; with ``limit``, that many from
    ``offset`` on (a page: only its stories and their members are read)."""
    query = select(Story)
    if since is not None:
        query = query.where(Story.last_date >= since)
    query = query.order_by(Story.last_date.desc().nulls_last(), Story.id.desc())
    if limit:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return _stories(session, session.scalars(query).all())


# A reader that stops early (a page of a topic's stories) reads at most this many stories past what it kept.
LISTING_CHUNK = 100


def iter_stories(session: Session, since: date | None = None, chunk: int = LISTING_CHUNK) -> Iterator[StoryRecord]:
    """The stories ``list_stories`` lists, in its order, read ``chunk`` at a time as the caller goes on.

    Each chunk starts after the last story read (by its date and id, through the listing index of revision
    0026), so a caller that stops after a few stories has read one chunk, not every story since ``since``, and
    a deep chunk costs what the first does (OFFSET would step over every story before it).
    """
    dated = select(Story).where(Story.last_date.is_not(None) if since is None else Story.last_date >= since)
    yield from _in_chunks(session, dated, (Story.last_date.desc().nulls_last(), Story.id.desc()),
                          lambda row: tuple_(Story.last_date, Story.id) < (row.last_date, row.id), chunk)
    if since is None:  # the undated stories come last (NULLS LAST), by id
        yield from _in_chunks(session, select(Story).where(Story.last_date.is_(None)), (Story.id.desc(),),
                              lambda row: Story.id < row.id, chunk)


def _in_chunks(session: Session, query: Select[Story], order: Sequence[Any],
               after: Callable[[Story], ColumnElement[bool]], chunk: int) -> Iterator[StoryRecord]:
    """The stories of ``query`` in ``order``, ``chunk`` at a time, each chunk those ``after`` the last one read."""
    last: Story | None = None
    while True:
        page = query if last is None else query.where(after(last))
        rows = session.scalars(page.order_by(*order).limit(chunk)).all()
        yield from _stories(session, rows)
        if len(rows) < chunk:
            return
        last = rows[-1]


def count_stories(session: Session, since: date | None = None) -> int:
    """How many stories ``list_stories`` lists in all (an index count: no story or member is read)."""
    query = select(func.count()).select_from(Story)
    if since is not None:
        query = query.where(Story.last_date >= since)
    return int(session.scalar(query) or 0)


def create_story(session: Session, document_id: int, day: date | None, headline: str,
                 story_id: int | None = None) -> int:
    """A new story founded by one document (with ``story_id``, under that id: a rebuild keeps ids)."""
    now = utcnow()
    story = Story(
        id=story_id,
        headline=headline,
        first_date=day,
        last_date=day,
        doc_count=1,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(story)
    session.flush()
    session.add(StoryDocument(document_id=document_id, story_id=story.id, score=None, added_at=now))
    session.flush()
    return story.id


def add_to_story(
    session: Session, story_id: int, document_id: int, day: date | None, score: float | None, headline: str
) -> None:
    """Attach a document to a story and widen its dates; the version moves so briefs are rebuilt."""
    story = session.get(Story, story_id)
    if story is None:
        raise LookupError(f"no story {story_id}")
    now = utcnow()
    session.add(StoryDocument(document_id=document_id, story_id=story_id, score=score, added_at=now))
    if day is not None:
        story.first_date = min(d for d in (story.first_date, day) if d is not None)
        story.last_date = max(d for d in (story.last_date, day) if d is not None)
    story.doc_count = (story.doc_count or 0) + 1
    story.version = (story.version or 0) + 1
    story.updated_at = now
    story.headline = headline
    session.flush()


def founders(session: Session, story_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Document id -> the story it founded (its founding member is stored without a score), for every story or
    for ``story_ids`` (a rebuild gives a founder its story's id back)."""
    query = select(StoryDocument.document_id, StoryDocument.story_id).where(StoryDocument.score.is_(None))
    if story_ids is None:
        return {document_id: story_id for document_id, story_id in session.execute(query)}
    found: dict[int, int] = {}
    for start in range(0, len(story_ids), 500):
        rows = session.execute(query.where(StoryDocument.story_id.in_(list(story_ids[start : start + 500]))))
        found.update((document_id, story_id) for document_id, story_id in rows)
    return found


def max_story_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Story.id))) or 0)


def sync_story_ids(session: Session) -> None:
    """After stories were written under explicit ids, PostgreSQL's id sequence must move past them (SQLite
    takes the largest id plus one by itself)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence('stories', 'id'), "
                             "GREATEST((SELECT max(id) FROM stories), 1))"))


def clear_stories(session: Session) -> int:
    """Forget every story (documents stay); returns how many there were."""
    count = session.scalar(select(func.count()).select_from(Story)) or 0
    session.execute(delete(StoryKey))
    session.execute(delete(StoryDocument))
    session.execute(delete(Story))
    session.flush()
    return int(count)


# --- subscriptions and deliveries ---


def subscribe(session: Session, email: str, topic: str) -> bool:
    """Subscribe an address to a topic; False when it already was."""
    existing = session.scalar(
        select(Subscription).where(Subscription.email == email, Subscription.topic == topic)
    )
    if existing is not None:
        return False
    session.add(Subscription(email=email, topic=topic, token=secrets.token_urlsafe(16)))
    session.flush()
    return True


def unsubscribe(session: Session, email: str, topic: str | None = None) -> int:
    """Remove an address from one topic (or every topic); returns how many subscriptions went."""
    query = delete(Subscription).where(Subscription.email == email)
    if topic is not None:
        query = query.where(Subscription.topic == topic)
    result = session.execute(query)
    return changed_rows(result)


def unsubscribe_by_token(session: Session, token: str) -> SubscriptionRecord | None:
    """Remove the subscription an unsubscribe link names; None when the token is unknown."""
    row = session.scalar(select(Subscription).where(Subscription.token == token))
    if row is None:
        return None
    record = SubscriptionRecord(email=row.email, topic=row.topic, token=row.token)
    session.delete(row)
    session.flush()
    return record


def subscriptions(session: Session, topic: str | None = None) -> list[SubscriptionRecord]:
    query = select(Subscription).order_by(Subscription.topic, Subscription.email)
    if topic is not None:
        query = query.where(Subscription.topic == topic)
    return [SubscriptionRecord(email=r.email, topic=r.topic, token=r.token) for r in session.scalars(query)]


def was_sent(session: Session, recipient: str, digest_key: str) -> bool:
    """Whether this digest already reached this address."""
    found = session.scalar(
        select(Delivery.id).where(
            Delivery.recipient == recipient, Delivery.digest_key == digest_key, Delivery.status == "sent"
        )
    )
    return found is not None


def record_delivery(
    session: Session,
    recipient: str,
    topic: str,
    digest_key: str,
    status: str,
    error: str | None = None,
    story_count: int = 0,
) -> None:
    if status not in {"sent", "refused", "failed"}:
        raise ValueError(f"unknown delivery status {status!r}")
    session.add(
        Delivery(
            recipient=recipient,
            topic=topic,
            digest_key=digest_key,
            status=status,
            error=error,
            story_count=story_count,
            created_at=utcnow(),
        )
    )
    session.flush()


def deliveries(session: Session, recipient: str | None = None) -> list[DeliveryRecord]:
    query = select(Delivery).order_by(Delivery.id)
    if recipient is not None:
        query = query.where(Delivery.recipient == recipient)
    return [
        DeliveryRecord(
            recipient=r.recipient,
            topic=r.topic,
            digest_key=r.digest_key,
            status=r.status,
            error=r.error,
            story_count=r.story_count,
            created_at=r.created_at,
        )
        for r in session.scalars(query)
    ]
