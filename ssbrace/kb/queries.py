"""The knowledge queries the analysis, the CLI, the report and the web app share."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, overload

from sqlalchemy import ColumnElement, Row, Select, and_, case, exists, func, not_, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from ssbrace.kb.records import ClaimRecord, ReviewNote
from ssbrace.kb.tables import Claim, ClaimReview, Document, Entity, EntityAlias
from ssbrace.models import CLAIM_FIELDS

if TYPE_CHECKING:
    from ssbrace.kb.store import Store


@dataclass(frozen=True)
class EntityRow:
    """One entity as ``ssbrace entities`` lists it."""

    id: int
    name: str
    type: str
    country: str | None
    from_gazetteer: bool
    aliases: tuple[str, ...]
    claim_count: int


def _as_date(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


# The subject's and object's entities, joined twice: aliased once, shared by every claim query.
SUBJECT_ENTITY = aliased(Entity, name="subject_entity")
OBJECT_ENTITY = aliased(Entity, name="object_entity")

# --- reviews: applied here, where every claim is read for analysis, listings and pages ---

# A claim's active review (at most one: ``kb.reviews_repo`` supersedes the older), joined to every claim read.
REVIEW = aliased(ClaimReview, name="review")


def _review_applies() -> ColumnElement[bool]:
    return and_(REVIEW.claim_id == Claim.id, REVIEW.undone_at.is_(None))


def _reviewed_subject_entity() -> ColumnElement[Any]:
    """The subject's entity after review: a corrected subject's own entity (null when it has none)."""
    return case((REVIEW.new_subject.is_not(None), REVIEW.new_subject_entity_id), else_=Claim.subject_entity_id)


def not_wrong_claim() -> ColumnElement[bool]:
    """True for a claim no active review marks wrong (a condition on ``Claim`` alone, for counts)."""
    return ~exists().where(ClaimReview.claim_id == Claim.id, ClaimReview.undone_at.is_(None),
                           ClaimReview.verdict == "wrong")


def reviewed_kind_is(kind: str, fast: bool = True) -> ColumnElement[bool]:
    """The claim's kind after review is ``kind`` (a condition on ``Claim`` alone); ``fast=False`` keeps the
    kind index out of the plan (see ``kb.search``)."""
    active = and_(ClaimReview.undone_at.is_(None), ClaimReview.new_kind.is_not(None))
    as_extracted = (Claim.kind if fast else Claim.kind + "") == kind
    moved_away = select(ClaimReview.claim_id).where(active, ClaimReview.new_kind != kind,
                                                    ClaimReview.claim_id.is_not(None))
    moved_here = select(ClaimReview.claim_id).where(active, ClaimReview.new_kind == kind,
                                                    ClaimReview.claim_id.is_not(None))
    return or_(and_(as_extracted, Claim.id.not_in(moved_away)), Claim.id.in_(moved_here))


def reviewed_entity_in(ids: list[int]) -> ColumnElement[bool]:
    """The claim names one of these entities after review, as subject or object (a condition on ``Claim``)."""
    active = and_(ClaimReview.undone_at.is_(None), ClaimReview.new_subject.is_not(None),
                  ClaimReview.claim_id.is_not(None))
    moved_away = select(ClaimReview.claim_id).where(active, or_(ClaimReview.new_subject_entity_id.is_(None),
                                                                ClaimReview.new_subject_entity_id.not_in(ids)))
    moved_here = select(ClaimReview.claim_id).where(active, ClaimReview.new_subject_entity_id.in_(ids))
    return or_(and_(Claim.subject_entity_id.in_(ids), Claim.id.not_in(moved_away)),
               Claim.object_entity_id.in_(ids), Claim.id.in_(moved_here))


def review_note(m: Any) -> ReviewNote | None:
    """The review read with a claim (``claim_select``'s ``r_*`` columns), or None."""
    if m["r_id"] is None:
        return None
    changes = tuple((name, pair[0], pair[1]) for name, pair in (m["r_changes"] or {}).items())
    return ReviewNote(id=m["r_id"], verdict=m["r_verdict"], reviewer=m["r_reviewer"], at=m["r_at"],
                      reason=m["r_reason"], changes=changes)


# What a stored claim carries beside its contract fields, read straight into ``ClaimRecord``.
_CLAIM_EXTRAS = ("id", "sentence", "start", "end", "confidence", "document_id")
_PROVENANCE = ("publisher", "published", "url", "title", "location")


def claim_select(*, wrong: bool = False) -> Select[Any]:
    """The columns ``claim_record`` reads: a claim, its document's provenance, its linked entities and its
    active review. Claims marked wrong are left out unless ``wrong`` (a claim's own page shows them)."""
    stmt = (
        select(
            *(getattr(Claim, name) for name in (*_CLAIM_EXTRAS, *CLAIM_FIELDS)), Claim.extra, Claim.created_at,
            *(getattr(Document, name) for name in _PROVENANCE),
            SUBJECT_ENTITY.name.label("s_name"), SUBJECT_ENTITY.type.label("s_type"),
            SUBJECT_ENTITY.country.label("s_country"), OBJECT_ENTITY.name.label("o_name"),
            OBJECT_ENTITY.type.label("o_type"),
            REVIEW.id.label("r_id"), REVIEW.verdict.label("r_verdict"), REVIEW.changes.label("r_changes"),
            REVIEW.reviewer.label("r_reviewer"), REVIEW.created_at.label("r_at"), REVIEW.reason.label("r_reason"),
        )
        .join(Document, Document.id == Claim.document_id)
        .outerjoin(REVIEW, _review_applies())
        .outerjoin(SUBJECT_ENTITY, SUBJECT_ENTITY.id == _reviewed_subject_entity())
        .outerjoin(OBJECT_ENTITY, OBJECT_ENTITY.id == Claim.object_entity_id)
    )
    return stmt if wrong else stmt.where(or_(REVIEW.id.is_(None), REVIEW.verdict != "wrong"))


class SharedValues:
    """One object for each distinct value read: a claim's names, units, publisher, URL, title and dates are
    shared by the many claims that state them instead of copied into each (a million claims read in one
    analysis hold a few thousand names, not a million copies of each)."""

    def __init__(self) -> None:
        self._text: dict[str, str] = {}
        self._dates: dict[date, date] = {}

    def share(self, values: dict[str, Any]) -> None:
        """Replace a record's repeated values (``_SHARED_TEXT``, ``_SHARED_DATES``) by the first equal one seen."""
        text, dates = self._text, self._dates
        for name in _SHARED_TEXT:
            value = values[name]
            if value is not None:
                values[name] = text.setdefault(value, value)
        for name in _SHARED_DATES:
            value = values[name]
            if value is not None:
                values[name] = dates.setdefault(value, value)


# The values many claims repeat (a claim's own id, sentence, offsets and figures are its own).
_SHARED_TEXT = ("kind", "subject", "subject_type", "object", "unit", "bound", "currency", "stage", "technology",
                "metric", "relation", "aspect", "segment", "program", "publisher", "url", "title", "location",
                "subject_country", "object_type")
_SHARED_DATES = ("published", "created")


def claim_record(row: Row[Any], shared: SharedValues | None = None) -> ClaimRecord:
    """One row of ``claim_select`` as a plain record, names taken from the linked entities and a review's
    corrections applied; with ``shared``, repeated values (names, units, dates, publishers) are one object
    across the records it reads."""
    m = row._mapping
    values = {name: m[name] for name in (*_CLAIM_EXTRAS, *CLAIM_FIELDS, *_PROVENANCE)}
    review = review_note(m)
    if review is not None:
        values.update((name, new) for name, _old, new in review.changes if name in CLAIM_FIELDS)
    subj, subj_type, s_type, s_country = values["subject"], values["subject_type"], m["s_type"], m["s_country"]
    values.update(
        subject=m["s_name"] or subj,
        subject_type=(s_type if s_type in {"country", "region"} else subj_type) or subj_type,
        object=m["o_name"] or m["object"], bound=m["bound"] or "eq", extra=dict(m["extra"] or {}),
        published=_as_date(m["published"]), created=_as_date(m["created_at"]),
        subject_country=s_country if s_country else (subj if subj_type == "country" else None),
        object_type=m["o_type"], review=review,
    )
    if shared is not None:
        shared.share(values)
    return ClaimRecord(**values)


def claim_records(session: Session, kinds: tuple[str, ...] | None = None) -> list[ClaimRecord]:
    """Every claim (or those of some kinds) with its entities' names and its document's provenance.

    One query with two entity joins; rows stream into plain records (about 100,000 rows a few seconds).
    """
    stmt = claim_select().order_by(Claim.id)
    if kinds:
        stmt = stmt.where(Claim.kind.in_(kinds))
    shared = SharedValues()
    return [claim_record(row, shared) for row in session.execute(stmt)]


# --- the claims a group at a time (the chunked analysis) ---

# Rows fetched per round trip when streaming: a server-side cursor on PostgreSQL, SQLite's own cursor.
STREAM_ROWS = 5000


def _record_subject() -> ColumnElement[Any]:
    """``ClaimRecord.subject`` in SQL: the linked entity's name, else the name as written (``claim_record``
    takes the first that is not empty)."""
    return case((SUBJECT_ENTITY.name != "", SUBJECT_ENTITY.name), else_=func.coalesce(REVIEW.new_subject, Claim.subject))


def _ranked_standing() -> ColumnElement[bool]:
    """The standings the analysis compares with one another, across entities (``standing_conflicts``)."""
    return and_(func.coalesce(REVIEW.new_kind, Claim.kind) == "standing", Claim.aspect.is_not(None), Claim.aspect != "")


def _grouped(session: Session, stmt: Select[Any], key: str, rows: int) -> Iterator[list[ClaimRecord]]:
    """The records of ``stmt`` (ordered by ``key``, then id) cut into runs of one ``key`` each."""
    shared = SharedValues()
    group: list[ClaimRecord] = []
    done: set[Any] = set()
    for row in session.execute(stmt.execution_options(yield_per=rows)):
        record = claim_record(row, shared)
        if group and getattr(record, key) != getattr(group[0], key):
            done.add(getattr(group[0], key))
            yield group
            group = []
        if not group and getattr(record, key) in done:
            # The database's order kept equal keys apart (a collation that is not deterministic): refuse
            # rather than split a group and analyse its halves apart.
            raise RuntimeError(f"claims of {key} {getattr(record, key)!r} did not come together; "
                               "the database's text ordering is not deterministic")
        group.append(record)
    if group:
        yield group


def claims_by_subject(session: Session, rows: int = STREAM_ROWS) -> Iterator[list[ClaimRecord]]:
    """Every claim but the ranked standings, one list per subject (the record's ``subject``), each in id
    order; streamed, so only one subject's claims are held at a time (subjects in the database's order)."""
    stmt = claim_select().where(not_(_ranked_standing())).order_by(_record_subject(), Claim.id)
    yield from _grouped(session, stmt, "subject", rows)


def standings_by_aspect(session: Session, rows: int = STREAM_ROWS) -> Iterator[list[ClaimRecord]]:
    """The ranked standings (those with an aspect), one list per aspect, each in id order; streamed."""
    stmt = claim_select().where(_ranked_standing()).order_by(Claim.aspect, Claim.id)
    yield from _grouped(session, stmt, "aspect", rows)


def claim_count(session: Session) -> int:
    return int(session.scalar(select(func.count(Claim.id)).where(not_wrong_claim())) or 0)


class StoredClaims(Sequence[ClaimRecord]):
    """The store's claims as records in id order, read from the store each time they are iterated (a page
    at a time) instead of held: what an analysis built a group at a time offers as its ``records``.

    ``len`` counts them once (then keeps the count); indexing reads one row (slow: for an occasional look).
    """

    def __init__(self, store: Store, count: int | None = None, rows: int = STREAM_ROWS) -> None:
        self.store = store
        self.size = count
        self.rows = rows

    def __len__(self) -> int:
        if self.size is None:
            with self.store.session() as session:
                self.size = claim_count(session)
        return self.size

    def __iter__(self) -> Iterator[ClaimRecord]:
        shared = SharedValues()
        with self.store.session() as session:
            stmt = claim_select().order_by(Claim.id).execution_options(yield_per=self.rows)
            for row in session.execute(stmt):
                yield claim_record(row, shared)

    @overload
    def __getitem__(self, index: int) -> ClaimRecord: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ClaimRecord]: ...

    def __getitem__(self, index: int | slice) -> ClaimRecord | Sequence[ClaimRecord]:
        if isinstance(index, slice):
            return list(self)[index]
        size = len(self)
        position = index + size if index < 0 else index
        if not 0 <= position < size:
            raise IndexError(index)
        with self.store.session() as session:
            row = session.execute(claim_select().order_by(Claim.id).offset(position).limit(1)).one()
            return claim_record(row)


def entity_rows(session: Session, entity_type: str | None = None) -> list[EntityRow]:
    """Entities with their aliases and the number of claims naming them (as subject or object)."""
    mentions = union_all(
        select(Claim.subject_entity_id.label("eid")).where(Claim.subject_entity_id.is_not(None)),
        select(Claim.object_entity_id.label("eid")).where(Claim.object_entity_id.is_not(None)),
    ).subquery()
    counts: dict[int, int] = dict(session.execute(select(mentions.c.eid, func.count()).group_by(mentions.c.eid)).all())
    aliases: dict[int, list[str]] = {}
    for eid, alias in session.execute(select(EntityAlias.entity_id, EntityAlias.alias).order_by(EntityAlias.id)):
        aliases.setdefault(eid, []).append(alias)
    stmt = select(Entity.id, Entity.name, Entity.type, Entity.country, Entity.from_gazetteer).order_by(Entity.name)
    if entity_type:
        stmt = stmt.where(Entity.type == entity_type)
    rows = []
    for eid, name, etype, country, gaz in session.execute(stmt):
        own = tuple(a for a in aliases.get(eid, []) if a != name)
        rows.append(EntityRow(eid, name, etype, country, bool(gaz), own, int(counts.get(eid, 0))))
    return rows


def entity_countries(session: Session) -> dict[str, str]:
    """Entity name -> its country (companies, programs) for every entity that has one."""
    return {name: country for name, country in session.execute(
        select(Entity.name, Entity.country).where(Entity.country.is_not(None))) if country is not None}


class StoredClaimGroups:
    """A store's claims a group at a time, for ``Knowledge.of_grouped``: by subject (``claims_by_subject``),
    the ranked standings by aspect (``standings_by_aspect``), and all of them as a ``StoredClaims`` view."""

    def __init__(self, store: Store, rows: int = STREAM_ROWS) -> None:
        self.store = store
        self.rows = rows
        self.records = StoredClaims(store, rows=rows)

    def by_subject(self) -> Iterator[list[ClaimRecord]]:
        with self.store.session() as session:
            yield from claims_by_subject(session, self.rows)

    def by_aspect(self) -> Iterator[list[ClaimRecord]]:
        with self.store.session() as session:
            yield from standings_by_aspect(session, self.rows)


def claim_records_by_id(session: Session, ids: Iterable[int], chunk: int = 500) -> list[ClaimRecord]:
    """The claims with these ids (those still stored), in id order."""
    wanted = sorted(set(ids))
    out: list[ClaimRecord] = []
    shared = SharedValues()
    for start in range(0, len(wanted), chunk):
        stmt = claim_select().where(Claim.id.in_(wanted[start:start + chunk])).order_by(Claim.id)
        out += [claim_record(row, shared) for row in session.execute(stmt)]
    return out


@dataclass(frozen=True)
class ClaimSources:
    """What a stored claim's record is read from besides its own row, which never changes (re-extraction
    replaces claims with new ids): its entity links and document, and those entities' and documents' fields.
    Comparing two of these tells which claims a change to the store reached (``changed_claims``)."""

    links: dict[int, tuple[int | None, int | None, int]]  # claim id -> (subject entity, object entity, document)
    entities: dict[int, tuple[Any, ...]]  # entity id -> the fields a record takes from it
    documents: dict[int, tuple[Any, ...]]  # document id -> the provenance a record takes from it
    reviews: dict[int, int] = field(default_factory=dict)  # claim id -> its active review's id


def claim_sources(session: Session) -> ClaimSources:
    """The links of every claim and the fields of every entity and document (three narrow scans)."""
    # As reviewed: a claim marked wrong is not there, a corrected subject links its own entity.
    links = {cid: (s, o, d) for cid, s, o, d in session.execute(
        select(Claim.id, _reviewed_subject_entity(), Claim.object_entity_id, Claim.document_id)
        .outerjoin(REVIEW, _review_applies()).where(or_(REVIEW.id.is_(None), REVIEW.verdict != "wrong")))}
    reviews = {cid: rid for cid, rid in session.execute(
        select(ClaimReview.claim_id, ClaimReview.id).where(ClaimReview.undone_at.is_(None))) if cid is not None}
    entities = {row[0]: tuple(row[1:]) for row in session.execute(
        select(Entity.id, Entity.name, Entity.type, Entity.country))}
    documents = {row[0]: tuple(row[1:]) for row in session.execute(
        select(Document.id, *(getattr(Document, name) for name in _PROVENANCE)))}
    return ClaimSources(links, entities, documents, reviews)


def changed_claims(old: ClaimSources, new: ClaimSources) -> tuple[set[int], set[int]]:
    """(ids of claims added or whose record may read differently now, ids of claims no longer stored)."""
    removed = old.links.keys() - new.links.keys()
    entities = {eid for eid, fields in new.entities.items() if old.entities.get(eid, fields) != fields}
    entities |= old.entities.keys() - new.entities.keys()
    documents = {did for did, fields in new.documents.items() if old.documents.get(did, fields) != fields}
    changed = set()
    for cid, link in new.links.items():
        before = old.links.get(cid)
        if (before != link or old.reviews.get(cid) != new.reviews.get(cid) or link[0] in entities
                or link[1] in entities or link[2] in documents):
            changed.add(cid)
    return changed, set(removed)
