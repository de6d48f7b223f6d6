"""Finding claims and documents: filtered, paginated listings and full-text search.

Full text uses the FTS5 tables of migration 0004 on SQLite, ``to_tsvector``/``to_tsquery`` on
PostgreSQL, and LIKE when neither is there (a SQLite built without FTS5). Everything returns plain
records; the web app and the CLI format them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, case, func, or_, select, text
from sqlalchemy.orm import Session

from ssbrace.kb.queries import (
    OBJECT_ENTITY,
    SUBJECT_ENTITY,
    claim_record,
    claim_select,
    not_wrong_claim,
    reviewed_entity_in,
    reviewed_kind_is,
)
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.tables import Claim, ClaimReview, Document, Entity, EntityAlias, EntityMerge, Story

T = TypeVar("T")

# Marks around matched words in snippets: control characters no document text is expected to hold;
# the web layer escapes the snippet first and then turns them into <mark> tags.
MARK_START = "\x02"
MARK_END = "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)
SNIPPET_CHARS = 220


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and the size of the whole listing."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @property
    def next_offset(self) -> int | None:
        end = self.offset + len(self.items)
        return end if end < self.total else None


@dataclass(frozen=True)
class TopicRule:
    """What makes a claim belong to a topic (the fields of a domain pack's topic)."""

    kinds: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimFilter:
    """Filters of a claim listing; every one that is set must hold."""

    entity: str | None = None  # subject or object, by canonical name, alias or the name as written
    kind: str | None = None
    topic: TopicRule | None = None
    since: date | None = None  # stated (document date, else stored) on or after
    document_id: int | None = None
    subject_type: str | None = None
    with_wrong: bool = False  # claims a review marked wrong too (a document's page shows them, struck out)


@dataclass(frozen=True)
class DocumentRow:
    id: int
    title: str | None
    url: str | None
    location: str
    publisher: str | None
    published: date | None
    language: str | None
    word_count: int
    claim_count: int = 0


@dataclass(frozen=True)
class DocumentView(DocumentRow):
    """A document with its text and source, as its page shows it."""

    text: str = ""
    author: str | None = None
    content_type: str | None = None
    fetched: date | None = None
    source_location: str | None = None
    duplicate_of: int | None = None


@dataclass(frozen=True)
class DocumentHit:
    document: DocumentRow
    snippet: str  # plain text with MARK_START/MARK_END around matched words


@dataclass(frozen=True)
class ClaimHit:
    claim: ClaimRecord
    snippet: str


@dataclass(frozen=True)
class SearchResults:
    query: str
    documents: Page[DocumentHit]
    claims: Page[ClaimHit]
    method: str = field(default="fts5")  # fts5 | postgresql | like


# --- claims ----------------------------------------------------------------------------------------


def _as_date(value: datetime | date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _entity_ids(session: Session, name: str) -> list[int]:
    """Entities known by this name: canonical name or alias, case-insensitive."""
    folded = name.strip().casefold()
    conn = session.connection()
    ids = set(conn.scalars(select(Entity.id).where(func.lower(Entity.name) == folded)))
    ids.update(conn.scalars(
        select(EntityAlias.entity_id).where(or_(func.lower(EntityAlias.alias) == folded,
                                                EntityAlias.normalised == folded))))
    return sorted(ids)


def entity_names(session: Session) -> dict[str, tuple[int, ...]]:
    """Every key ``_entity_ids`` matches a name by -> those entities' ids. The names are lowered by the
    database, as ``_entity_ids`` compares them (SQLite's ``lower`` folds ASCII only), so a lookup here
    finds exactly the entities that query finds."""
    index: dict[str, set[int]] = defaultdict(set)
    conn = session.connection()
    for eid, lowered in conn.execute(select(Entity.id, func.lower(Entity.name))):
        index[lowered].add(eid)
    for eid, lowered, normalised in conn.execute(
            select(EntityAlias.entity_id, func.lower(EntityAlias.alias), EntityAlias.normalised)):
        index[lowered].add(eid)
        index[normalised].add(eid)
    return {key: tuple(sorted(ids)) for key, ids in index.items()}


def _conditions(session: Session, flt: ClaimFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if flt.entity:
        # A known entity is matched by its links (two index lookups); a name no entity carries is
        # matched as written (a scan, for claims that were never linked).
        ids = _entity_ids(session, flt.entity)
        name = flt.entity.strip()
        if ids:
            where.append(reviewed_entity_in(ids))
        else:
            where.append(or_(Claim.subject == name, Claim.object == name))
    if flt.kind:
        # With an entity, its links are the selective index; "kind || ''" keeps SQLite's planner from
        # trading them for the far less selective kind index (tens of thousands of rows per kind).
        where.append(reviewed_kind_is(flt.kind, fast=not flt.entity))
    if flt.subject_type:
        where.append(Claim.subject_type == flt.subject_type)
    if flt.document_id is not None:
        where.append(Claim.document_id == flt.document_id)
    if flt.since is not None:
        where.append(or_(Document.published >= flt.since,
                         and_(Document.published.is_(None), Claim.created_at >= flt.since)))
    if flt.topic is not None:
        where.append(_topic_condition(flt.topic))
    if not flt.with_wrong:
        where.append(not_wrong_claim())
    return where


def _topic_condition(rule: TopicRule) -> ColumnElement[bool]:
    either: list[ColumnElement[bool]] = []
    if rule.kinds:
        either.append(Claim.kind.in_(rule.kinds))
    if rule.entities:
        either += [SUBJECT_ENTITY.name.in_(rule.entities), Claim.subject.in_(rule.entities),
                   OBJECT_ENTITY.name.in_(rule.entities)]
    if rule.countries:
        either += [SUBJECT_ENTITY.country.in_(rule.countries), Claim.subject.in_(rule.countries)]
    for keyword in rule.keywords:
        either.append(Claim.sentence.ilike(f"%{_escape_like(keyword)}%", escape="\\"))
    return or_(*either) if either else Claim.id.is_(None)  # an empty topic matches nothing


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_claims(session: Session, flt: ClaimFilter | None = None, *, limit: int = 50,
                offset: int = 0) -> Page[ClaimRecord]:
    """Claims matching the filter, newest statement first, one page of them and the total."""
    flt = flt or ClaimFilter()
    where = _conditions(session, flt)
    count = select(func.count(Claim.id)).select_from(Claim)
    if flt.since is not None:  # the only filter on the document: without it, the count reads claims alone
        count = count.join(Document, Document.id == Claim.document_id)
    if flt.topic is not None:
        count = (count.outerjoin(SUBJECT_ENTITY, SUBJECT_ENTITY.id == Claim.subject_entity_id)
                 .outerjoin(OBJECT_ENTITY, OBJECT_ENTITY.id == Claim.object_entity_id))
    # Through the session's connection: these are plain reads, and the ORM's layer costs more than the query.
    conn = session.connection()
    total = conn.scalar(count.where(*where)) or 0
    stmt = (claim_select(wrong=flt.with_wrong).where(*where)
            .order_by(Document.published.desc().nulls_last(), Claim.id.desc())
            .limit(limit).offset(offset))
    return Page([claim_record(row) for row in conn.execute(stmt)], int(total), limit, offset)


def _newest_first(record: ClaimRecord) -> int:
    """``find_claims``' order (document date descending, undated last, then id descending), as a key for
    ``sorted(..., reverse=True)``. One int, not a tuple: the sort compares keys in C without letting other
    threads run, and 100,000 tuples took 80-700 ms of requests' time where ints take 10-20."""
    day = record.published.toordinal() + 1 if record.published is not None else 0
    return (day << 64) + record.id  # ids are signed 64-bit: they never reach the next day's range


def _dated(newest_first: list[ClaimRecord]) -> int:
    """How many of these claims (in ``find_claims``' order) have a document date: they come first."""
    return bisect_left(newest_first, True, key=lambda r: r.published is None)


class ClaimIndex:
    """``find_claims`` over claim records held in memory (the web's analysis snapshot holds every one).

    ``find`` answers a filter of entity, kind, date and document exactly as the store would have when
    the records were read, or None for filters it leaves to the store: a topic, a subject type, a name no
    entity carries (matched as written) and a document alone (its page reads the store anyway). Every
    claim and each kind's are sorted together once, each entity's (and kind's) on first use; a date is a
    binary search in them.
    """

    def __init__(self, records: Sequence[ClaimRecord], links: Mapping[int, tuple[int | None, int | None, int]],
                 names: Mapping[str, tuple[int, ...]]) -> None:
        self._names = names
        self._by_entity: dict[int, list[ClaimRecord]] = defaultdict(list)
        # A record whose links were not read with it (a claim written between the two reads) cannot be
        # placed: the entity filters then go to the store until the next snapshot.
        self._complete = True
        for record in records:
            link = links.get(record.id)
            if link is None:
                self._complete = False
                continue
            subject, obj = link[0], link[1]
            if subject is not None:
                self._by_entity[subject].append(record)
            if obj is not None and obj != subject:
                self._by_entity[obj].append(record)
        self._records = records
        self._sorted: dict[tuple[tuple[int, ...] | None, str | None], tuple[list[ClaimRecord], int]] = {}

    def _listing(self, ids: tuple[int, ...] | None, kind: str | None) -> tuple[list[ClaimRecord], int]:
        """The claims of these entities (None: every claim) of this kind, in ``find_claims``' order, and how
        many of them are dated (the dated ones come first)."""
        found = self._sorted.get((ids, kind))
        if found is not None:
            return found
        if ids is None:
            # Every claim, and each kind's, sorted in one go (a tenth of a second at 100,000 claims; the web
            # asks for it while it prepares a snapshot, so that no request waits for it).
            every = sorted(self._records, key=_newest_first, reverse=True)
            kinds: dict[str | None, list[ClaimRecord]] = defaultdict(list)
            for record in every:
                kinds[record.kind].append(record)
            kinds[None] = every
            for name, chosen in kinds.items():
                self._sorted[(None, name)] = (chosen, _dated(chosen))
            return self._sorted.setdefault((None, kind), ([], 0))  # a kind no claim has: sorted once all the same
        pool = {r.id: r for eid in ids for r in self._by_entity.get(eid, ())}.values()
        chosen = sorted((r for r in pool if kind is None or r.kind == kind), key=_newest_first, reverse=True)
        found = self._sorted[(ids, kind)] = (chosen, _dated(chosen))  # two threads may sort it at once: both right
        return found

    def find(self, flt: ClaimFilter, *, limit: int = 50, offset: int = 0) -> Page[ClaimRecord] | None:
        if flt.topic is not None or flt.subject_type is not None or flt.with_wrong:
            return None
        ids: tuple[int, ...] | None = None
        if flt.entity:
            ids = self._names.get(flt.entity.strip().casefold())
            if not ids or not self._complete:
                return None
        elif flt.document_id is not None:
            return None
        chosen, dated = self._listing(ids, flt.kind)
        if flt.since is not None:
            since = flt.since
            # Dated claims are newest first: those stated on or after ``since`` are a prefix. Undated ones
            # count from the day they were stored.
            end = bisect_right(chosen, -since.toordinal(), lo=0, hi=dated,
                               key=lambda r: -r.published.toordinal() if r.published else 0)
            chosen = chosen[:end] + [r for r in chosen[dated:] if r.created is not None and r.created >= since]
        if flt.document_id is not None:
            chosen = [r for r in chosen if r.document_id == flt.document_id]
        return Page(chosen[offset:offset + limit], len(chosen), limit, offset)


def iter_claims(session: Session, flt: ClaimFilter | None = None, batch: int = 2000) -> Iterator[ClaimRecord]:
    """Every claim matching the filter, in id order, fetched in batches (for CSV downloads)."""
    flt = flt or ClaimFilter()
    where = _conditions(session, flt)
    last = 0
    while True:
        stmt = claim_select(wrong=flt.with_wrong).where(*where, Claim.id > last)
        rows = session.execute(stmt.order_by(Claim.id).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield claim_record(row)
        last = rows[-1][0]


def get_claim(session: Session, claim_id: int) -> ClaimRecord | None:
    """One claim as reviewed, a claim marked wrong included (its ``review`` says so)."""
    row = session.execute(claim_select(wrong=True).where(Claim.id == claim_id)).first()
    return claim_record(row) if row is not None else None


# --- documents -------------------------------------------------------------------------------------


def _claim_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.connection().execute(select(Claim.document_id, func.count(Claim.id))
                                        .where(Claim.document_id.in_(list(ids))).group_by(Claim.document_id))
    return {doc_id: int(n) for doc_id, n in rows}


# The columns ``_doc_row`` reads (a ``Document`` or a row of these columns).
_DOC_ROW_COLUMNS = (Document.id, Document.title, Document.url, Document.location, Document.publisher,
                    Document.published, Document.language, Document.word_count)


def _doc_row(doc: Any, claim_count: int = 0) -> DocumentRow:
    return DocumentRow(doc.id, doc.title, doc.url, doc.location, doc.publisher, _as_date(doc.published),
                       doc.language, doc.word_count or 0, claim_count)


def find_documents(session: Session, *, since: date | None = None, limit: int = 50,
                   offset: int = 0) -> Page[DocumentRow]:
    """Documents, newest publication first, with their claim counts."""
    where = [Document.published >= since] if since is not None else []
    total = session.scalar(select(func.count(Document.id)).where(*where)) or 0
    docs = list(session.scalars(select(Document).where(*where)
                                .order_by(Document.published.desc().nulls_last(), Document.id.desc())
                                .limit(limit).offset(offset)))
    counts = _claim_counts(session, [d.id for d in docs])
    return Page([_doc_row(d, counts.get(d.id, 0)) for d in docs], int(total), limit, offset)


def get_document_view(session: Session, document_id: int) -> DocumentView | None:
    """One document with its text, its source and its claim count; None when there is none."""
    doc = session.get(Document, document_id)
    if doc is None:
        return None
    base = _doc_row(doc, _claim_counts(session, [doc.id]).get(doc.id, 0))
    return DocumentView(**base.__dict__, text=doc.text, author=doc.author, content_type=doc.content_type,
                        fetched=_as_date(doc.fetched_at), source_location=doc.source.location if doc.source else None,
                        duplicate_of=doc.duplicate_of)


# --- full text -------------------------------------------------------------------------------------


def query_words(query: str) -> list[str]:
    """The words of a user's query; punctuation and FTS operators are dropped, never interpreted."""
    return _WORD.findall(query)[:16]


def _fts_query(words: list[str], prefix: bool = True) -> str:
    # Each word quoted (so AND, OR, NEAR, columns and stars are plain words); the last one a prefix, so
    # a query typed as far as "electrol" finds "electrolyte".
    quoted = [f'"{w}"' for w in words]
    if prefix:
        quoted[-1] += "*"
    return " ".join(quoted)


def search_method(session: Session) -> str:
    """How this store searches: ``fts5``, ``postgresql`` or ``like``."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return "postgresql"
    if bind.dialect.name == "sqlite":
        # Kept with the pooled connection: the FTS5 tables come with a migration and never go.
        info = session.connection().info
        if "ssbrace_fts5" not in info:
            found = session.connection().execute(
                text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents_fts'"))
            info["ssbrace_fts5"] = found.first() is not None
        if info["ssbrace_fts5"]:
            return "fts5"
    return "like"


def mark_words(value: str, words: Sequence[str], width: int | None = SNIPPET_CHARS) -> str:
    """A window of ``value`` around the first matched word, every match wrapped in MARK_START/MARK_END."""
    if not words:
        return value[:width] if width else value
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    if width:
        first = pattern.search(value)
        start = max(0, (first.start() if first else 0) - width // 3)
        chunk = value[start:start + width]
        value = ("…" if start else "") + chunk + ("…" if start + width < len(value) else "")
    return pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", value)


# Ranking reads the bm25 score of every row it orders, so a word that half the store holds would cost a
# score per match. The newest RANK_WINDOW matches are ranked (FTS5 walks rowids newest first and stops);
# the count is of every match. Snippets are cut for the rows of the page only.
RANK_WINDOW = 1000
# SQLite only, so run on the driver's cursor: SQLAlchemy's work per statement (about a tenth of a
# millisecond) is more than some of these statements take.
_FTS_COUNTS = """
    SELECT (SELECT count(*) FROM documents_fts WHERE documents_fts MATCH :q),
           (SELECT count(*) FROM claims_fts WHERE claims_fts MATCH :q)"""
_DOC_FTS = """
    SELECT rowid FROM (SELECT rowid, bm25(documents_fts, 5.0, 1.0) AS score FROM documents_fts
                       WHERE documents_fts MATCH :q ORDER BY rowid DESC LIMIT :window)
    ORDER BY score, rowid DESC LIMIT :limit OFFSET :offset"""
_CLAIM_FTS = """
    SELECT rowid FROM (SELECT rowid, bm25(claims_fts, 1.0, 3.0, 2.0) AS score FROM claims_fts
                       WHERE claims_fts MATCH :q ORDER BY rowid DESC LIMIT :window)
    ORDER BY score, rowid DESC LIMIT :limit OFFSET :offset"""
# Snippets of the page's rows, in one pass over the matches between its oldest and newest row (at most
# the ranked window): a lookup by rowid opens the index's every segment again, twenty lookups cost 2-10 ms
# where this pass costs well under one. CASE calls the snippet function for the page's rows only.
_SNIPPETS = """
    SELECT rowid, CASE WHEN rowid IN ({ids}) THEN {function} END FROM {table}
    WHERE {table} MATCH ? AND rowid BETWEEN ? AND ?"""
_DOC_SNIPPET = "snippet(documents_fts, 1, char(2), char(3), '…', 24)"
_CLAIM_SNIPPET = "highlight(claims_fts, 0, char(2), char(3))"


def _fts5_matched(session: Session, words: list[str], limit: int, offset: int,
                  totals: tuple[int, int] | None) -> tuple[list[tuple[int, str | None]], int, list[tuple[int, str | None]], int]:
    q = _fts_query(words)
    ranked = {"q": q, "window": min(max(RANK_WINDOW, offset + limit), 2**63 - 1), "limit": limit, "offset": offset}
    # Snippets are cut with whole words (a prefix would be expanded again, ten times slower): a row found
    # through the prefix alone gets no snippet here and is marked by ``mark_words`` instead.
    whole = _fts_query(words, prefix=False)
    cursor = session.connection().connection.cursor()
    try:
        def snippets(ranking: str, table: str, function: str) -> list[tuple[int, str | None]]:
            ids = [int(i) for i, in cursor.execute(ranking, ranked).fetchall()]
            if not ids:
                return []
            found = dict(cursor.execute(
                _SNIPPETS.format(ids=",".join("?" * len(ids)), function=function, table=table),
                (*ids, whole, min(ids), max(ids))).fetchall())
            return [(i, found.get(i)) for i in ids]

        docs = snippets(_DOC_FTS, "documents_fts", _DOC_SNIPPET)
        claims = snippets(_CLAIM_FTS, "claims_fts", _CLAIM_SNIPPET)
        if totals is None:
            doc_total, claim_total = cursor.execute(_FTS_COUNTS, {"q": q}).fetchone()
            totals = int(doc_total or 0), int(claim_total or 0)
    finally:
        cursor.close()
    return docs, totals[0], claims, totals[1]


def _doc_vector() -> ColumnElement[Any]:
    return func.to_tsvector("english", func.coalesce(Document.title, "") + " " + Document.text)


def _claim_vector() -> ColumnElement[Any]:
    return func.to_tsvector("english", Claim.sentence + " " + Claim.subject + " " + func.coalesce(Claim.object, ""))


def _pg_tsquery(words: list[str]) -> ColumnElement[Any]:
    # A \w+ word holds no tsquery operator, so joining them with & is safe; the last one is a prefix,
    # as on SQLite, so that "electrol" finds "electrolyte".
    return func.to_tsquery("english", " & ".join([*words[:-1], f"{words[-1]}:*"]))


def _matched(session: Session, method: str, words: list[str], limit: int, offset: int,
             totals: tuple[int, int] | None) -> tuple[list[tuple[int, str | None]], int, list[tuple[int, str | None]], int]:
    """(document id, snippet) and (claim id, snippet) pages with their totals, by the store's method
    (``totals``, when known, are not counted again)."""
    if method == "fts5":
        return _fts5_matched(session, words, limit, offset, totals)
    if method == "postgresql":
        tsq = _pg_tsquery(words)
        doc_where = [_doc_vector().op("@@")(tsq)]
        claim_where = [_claim_vector().op("@@")(tsq)]
        doc_order = func.ts_rank(_doc_vector(), tsq).desc()
        claim_order = func.ts_rank(_claim_vector(), tsq).desc()
    else:
        doc_where = [(func.coalesce(Document.title, "") + " " + Document.text).ilike(f"%{_escape_like(w)}%", escape="\\")
                     for w in words]
        claim_where = [(Claim.sentence + " " + Claim.subject).ilike(f"%{_escape_like(w)}%", escape="\\")
                       for w in words]
        doc_order = Document.id.desc()
        claim_order = Claim.id.desc()
    docs: list[tuple[int, str | None]] = [(int(i), None) for i in session.scalars(
        select(Document.id).where(*doc_where).order_by(doc_order, Document.id.desc()).limit(limit).offset(offset))]
    claims: list[tuple[int, str | None]] = [(int(i), None) for i in session.scalars(
        select(Claim.id).where(*claim_where).order_by(claim_order, Claim.id.desc()).limit(limit).offset(offset))]
    if totals is None:
        totals = (int(session.scalar(select(func.count(Document.id)).where(*doc_where)) or 0),
                  int(session.scalar(select(func.count(Claim.id)).where(*claim_where)) or 0))
    return docs, totals[0], claims, totals[1]


def search(session: Session, query: str, *, limit: int = 20, offset: int = 0,
           totals: MutableMapping[tuple[str, ...], tuple[int, int]] | None = None,
           known: Mapping[int, ClaimRecord] | None = None) -> SearchResults:
    """Documents and claims matching every word of the query, best matches first.

    ``totals``: how many documents and claims match, by query words, kept by a caller for as long as the
    store is unchanged (counting every match is most of a common word's cost); filled here.
    ``known``: claim records the caller holds already, by id (the web's snapshot holds every one); a hit
    among them is not read again.
    """
    words = query_words(query)
    method = search_method(session)
    if not words:
        return SearchResults(query, Page([], 0, limit, offset), Page([], 0, limit, offset), method)
    found = totals.get(tuple(words)) if totals is not None else None
    doc_hits, doc_total, claim_hits, claim_total = _matched(session, method, words, limit, offset, found)
    if totals is not None:
        totals[tuple(words)] = doc_total, claim_total
    conn = session.connection()  # plain reads of a page's rows: the ORM's layer is not needed
    claim_count = (select(func.count(Claim.id)).where(Claim.document_id == Document.id)
                   .scalar_subquery().label("claim_count"))
    docs = {row.id: row for row in conn.execute(select(*_DOC_ROW_COLUMNS, Document.text, claim_count)
                                               .where(Document.id.in_([i for i, _ in doc_hits])))}
    documents = [DocumentHit(_doc_row(docs[i], docs[i].claim_count), snippet or mark_words(docs[i].text, words))
                 for i, snippet in doc_hits if i in docs]
    known = known or {}
    records = {i: known[i] for i, _ in claim_hits if i in known}
    missing = [i for i, _ in claim_hits if i not in records]
    if missing:
        records.update((r.id, r) for r in (claim_record(row) for row in conn.execute(
            claim_select().where(Claim.id.in_(missing)))))
    claims = [ClaimHit(records[i], snippet or mark_words(records[i].sentence, words, width=None))
              for i, snippet in claim_hits if i in records]
    return SearchResults(query, Page(documents, doc_total, limit, offset), Page(claims, claim_total, limit, offset),
                         method)


# --- change detection ------------------------------------------------------------------------------


def store_fingerprint(session: Session) -> tuple[object, ...]:
    """A cheap value that changes whenever claims, documents, entities, their names or merges, or stories
    change.

    Counts and largest ids only (index lookups, no table scan): re-extraction replaces claims with new
    ids, a merge adds a merge row, a new gazetteer name adds an alias, a story's documents move its date.
    Documents count for search (a document without claims is found too).
    """
    claims = session.execute(select(func.count(Claim.id), func.max(Claim.id))).one()
    documents = session.execute(select(func.count(Document.id), func.max(Document.id))).one()
    entities = session.execute(select(func.count(Entity.id), func.max(Entity.id))).one()
    aliases = session.scalar(select(func.count(EntityAlias.id)))
    merges = session.scalar(select(func.count(EntityMerge.id)))
    stories = session.execute(select(func.count(Story.id), func.max(Story.updated_at))).one()
    # Reviews: a new one adds a row, an undo changes the active ones' sum (a small table: read whole).
    reviews = session.execute(select(func.count(ClaimReview.id), func.max(ClaimReview.id),
                                     func.sum(case((ClaimReview.undone_at.is_(None), ClaimReview.id), else_=0)),
                                     func.count(ClaimReview.claim_id))).one()
    return (*claims, *documents, *entities, aliases, merges, stories[0], str(stories[1]), *reviews)
