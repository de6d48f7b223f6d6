"""The knowledge queries the analysis, the CLI, the report and the web app share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import Session, aliased

from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.tables import Claim, Document, Entity, EntityAlias


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


def claim_select() -> Select:
    """The columns ``claim_record`` reads: a claim, its document's provenance and its linked entities."""
    return (
        select(
            Claim.id, Claim.kind, Claim.subject, Claim.subject_type, Claim.object, Claim.value, Claim.unit,
            Claim.bound, Claim.amount, Claim.currency, Claim.value_usd, Claim.year, Claim.year_end,
            Claim.stage, Claim.technology, Claim.metric, Claim.relation, Claim.aspect, Claim.rank,
            Claim.segment, Claim.program, Claim.sentence, Claim.start, Claim.end, Claim.confidence,
            Claim.extra, Claim.document_id, Claim.created_at,
            Document.publisher, Document.published, Document.url, Document.title, Document.location,
            SUBJECT_ENTITY.name, SUBJECT_ENTITY.type, SUBJECT_ENTITY.country, OBJECT_ENTITY.name,
            OBJECT_ENTITY.type,
        )
        .join(Document, Document.id == Claim.document_id)
        .outerjoin(SUBJECT_ENTITY, SUBJECT_ENTITY.id == Claim.subject_entity_id)
        .outerjoin(OBJECT_ENTITY, OBJECT_ENTITY.id == Claim.object_entity_id)
    )


def claim_record(row: Sequence[Any]) -> ClaimRecord:
    """One row of ``claim_select`` as a plain record, names taken from the linked entities."""
    (cid, kind, subj, subj_type, objname, value, unit, bound, amount, currency, value_usd, year,
     year_end, stage, technology, metric, relation, aspect, rank, segment, program, sentence, start,
     end, confidence, extra, document_id, created_at, publisher, published, url, title, location,
     s_name, s_type, s_country, o_name, o_type) = row
    subject_type = s_type if s_type in {"country", "region"} else subj_type
    return ClaimRecord(
        id=cid, kind=kind, subject=s_name or subj, subject_type=subject_type or subj_type,
        object=o_name or objname, value=value, unit=unit, bound=bound or "eq", amount=amount,
        currency=currency, value_usd=value_usd, year=year, year_end=year_end, stage=stage,
        technology=technology, metric=metric, relation=relation, aspect=aspect, rank=rank,
        segment=segment, program=program, sentence=sentence, start=start, end=end,
        confidence=confidence, extra=dict(extra or {}), document_id=document_id, publisher=publisher,
        published=_as_date(published), url=url, title=title, location=location,
        subject_country=s_country if s_country else (subj if subj_type == "country" else None),
        object_type=o_type, created=_as_date(created_at),
    )


def claim_records(session: Session, kinds: tuple[str, ...] | None = None) -> list[ClaimRecord]:
    """Every claim (or those of some kinds) with its entities' names and its document's provenance.

    One query with two entity joins; rows stream into plain records (about 100,000 rows a few seconds).
    """
    stmt = claim_select().order_by(Claim.id)
    if kinds:
        stmt = stmt.where(Claim.kind.in_(kinds))
    return [claim_record(row) for row in session.execute(stmt)]


def entity_rows(session: Session, entity_type: str | None = None) -> list[EntityRow]:
    """Entities with their aliases and the number of claims naming them (as subject or object)."""
    mentions = union_all(
        select(Claim.subject_entity_id.label("eid")).where(Claim.subject_entity_id.is_not(None)),
        select(Claim.object_entity_id.label("eid")).where(Claim.object_entity_id.is_not(None)),
    ).subquery()
    counts = dict(session.execute(select(mentions.c.eid, func.count()).group_by(mentions.c.eid)).all())
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
        select(Entity.name, Entity.country).where(Entity.country.is_not(None)))}
