"""Queries for entities, their aliases and the claims linked to them. ``ssbrace.entities`` decides which
entity a name means; this module only reads and writes what it decided."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ssbrace.kb.tables import Claim, Entity, EntityAlias, EntityMerge


@dataclass(frozen=True)
class ClaimNames:
    """The names a claim states and the entities they are linked to now."""

    id: int
    subject: str
    subject_type: str | None
    object: str | None
    object_type: str | None
    subject_entity_id: int | None
    object_entity_id: int | None


def entity_names(session: Session) -> dict[int, str]:
    """Entity id -> canonical name, for every entity."""
    return {entity_id: name for entity_id, name in session.execute(select(Entity.id, Entity.name))}


def alias_keys(session: Session) -> dict[str, int]:
    """Normalised alias -> entity id, for every alias."""
    return {key: entity_id for entity_id, key in session.execute(select(EntityAlias.entity_id, EntityAlias.normalised))}


def entities_by_name(session: Session) -> dict[str, tuple[int, str | None]]:
    """Canonical name -> (entity id, country)."""
    return {name: (eid, country) for eid, name, country in session.execute(
        select(Entity.id, Entity.name, Entity.country))}


def merged_away_names(session: Session) -> set[str]:
    """The names a person merged into another entity (they are not seeded again)."""
    return set(session.scalars(select(EntityMerge.dropped_name)))


def entities_version(session: Session) -> tuple[int, ...]:
    """What changes whenever entities or aliases are added, deleted or merged: their counts and newest ids,
    and the count of merges (one query). A resolver kept across transactions is reloaded when it changes."""
    parts = [func.count(Entity.id), func.max(Entity.id), func.count(EntityAlias.id), func.max(EntityAlias.id)]
    row = session.execute(select(*(select(part).scalar_subquery() for part in parts),
                                 select(func.count(EntityMerge.id)).scalar_subquery())).one()
    return tuple(int(value or 0) for value in row)


def has_gazetteer_entities(session: Session) -> bool:
    return session.scalar(select(Entity.id).where(Entity.from_gazetteer.is_(True)).limit(1)) is not None


def add_entity(session: Session, name: str, entity_type: str, country: str | None = None, *,
               from_gazetteer: bool) -> int:
    """Insert an entity and flush; returns its id."""
    entity = Entity(name=name, type=entity_type, country=country, from_gazetteer=from_gazetteer)
    session.add(entity)
    session.flush()
    return entity.id


def update_entity(session: Session, entity_id: int, **values: object) -> None:
    session.execute(update(Entity).where(Entity.id == entity_id).values(**values))


def add_alias(session: Session, entity_id: int, alias: str, normalised: str) -> None:
    session.add(EntityAlias(entity_id=entity_id, alias=alias, normalised=normalised))


def claim_ids_of_document(session: Session, document_id: int) -> list[int]:
    return list(session.scalars(select(Claim.id).where(Claim.document_id == document_id).order_by(Claim.id)))


def claim_names(session: Session, claim_ids: Iterable[int]) -> list[ClaimNames]:
    """The claims with these ids, in id order (the order new entities are created in)."""
    ids = sorted(set(claim_ids))
    found: list[ClaimNames] = []
    for start in range(0, len(ids), 500):  # SQLite caps bound parameters
        rows = session.scalars(select(Claim).where(Claim.id.in_(ids[start : start + 500])).order_by(Claim.id))
        found.extend(ClaimNames(r.id, r.subject, r.subject_type, r.object, (r.extra or {}).get("object_type"),
                                r.subject_entity_id, r.object_entity_id) for r in rows)
    return found


def set_claim_entities(session: Session, links: Iterable[tuple[int, int | None, int | None]]) -> None:
    """Store (claim id, subject entity id, object entity id) links."""
    for claim_id, subject_id, object_id in links:
        session.execute(update(Claim).where(Claim.id == claim_id).values(subject_entity_id=subject_id,
                                                                         object_entity_id=object_id))
    session.flush()


def find_entity(session: Session, name: str, normalised: str) -> Entity | None:
    """The entity whose canonical name is ``name``, else the one owning the alias ``normalised``."""
    entity = session.scalar(select(Entity).where(Entity.name == name))
    if entity is None:
        entity_id = session.scalar(select(EntityAlias.entity_id).where(EntityAlias.normalised == normalised))
        entity = session.get(Entity, entity_id) if entity_id is not None else None
    return entity


def merge_entities(session: Session, keep: Entity, drop: Entity, by: str) -> EntityMerge:
    """Move ``drop``'s aliases and claims to ``keep``, log the merge with what moved, delete ``drop``."""
    undo = {
        "type": drop.type, "country": drop.country, "from_gazetteer": drop.from_gazetteer,
        "kept_country": keep.country,
        "aliases": list(session.scalars(select(EntityAlias.id).where(EntityAlias.entity_id == drop.id))),
        "subject_claims": list(session.scalars(select(Claim.id).where(Claim.subject_entity_id == drop.id))),
        "object_claims": list(session.scalars(select(Claim.id).where(Claim.object_entity_id == drop.id))),
    }
    session.execute(update(EntityAlias).where(EntityAlias.entity_id == drop.id).values(entity_id=keep.id))
    session.execute(update(Claim).where(Claim.subject_entity_id == drop.id).values(subject_entity_id=keep.id))
    session.execute(update(Claim).where(Claim.object_entity_id == drop.id).values(object_entity_id=keep.id))
    if keep.country is None and drop.country is not None:
        keep.country = drop.country
    merge = EntityMerge(kept_id=keep.id, kept_name=keep.name, dropped_name=drop.name, by=by, undo=undo)
    session.add(merge)
    session.flush()
    session.expire(drop)
    session.delete(drop)
    session.flush()
    return merge


def entity_by_name(session: Session, name: str) -> Entity | None:
    return session.scalar(select(Entity).where(Entity.name == name))


def merges(session: Session) -> list[EntityMerge]:
    return list(session.scalars(select(EntityMerge).order_by(EntityMerge.id)))


def last_merge(session: Session, dropped_name: str) -> EntityMerge | None:
    """The latest logged merge that dropped an entity of this name (case-insensitive)."""
    return session.scalars(select(EntityMerge).where(func.lower(EntityMerge.dropped_name) == dropped_name.lower())
                           .order_by(EntityMerge.id.desc()).limit(1)).first()


def unmerge(session: Session, merge: EntityMerge) -> Entity:
    """Undo one merge: the dropped entity comes back with its aliases and the claims that moved (those
    still pointing at the kept entity), and the log entry goes. Returns the restored entity."""
    undo = merge.undo or {}
    restored = Entity(name=merge.dropped_name, type=undo["type"], country=undo.get("country"),
                      from_gazetteer=bool(undo.get("from_gazetteer")))
    session.add(restored)
    session.flush()
    kept = merge.kept_id
    if undo.get("aliases"):
        session.execute(update(EntityAlias).where(EntityAlias.id.in_(undo["aliases"]),
                                                  EntityAlias.entity_id == kept).values(entity_id=restored.id))
    for column, ids in ((Claim.subject_entity_id, undo.get("subject_claims")),
                        (Claim.object_entity_id, undo.get("object_claims"))):
        if ids:
            session.execute(update(Claim).where(Claim.id.in_(ids), column == kept).values({column: restored.id}))
    if kept is not None and "kept_country" in undo:
        keeper = session.get(Entity, kept)
        if keeper is not None and keeper.country != undo["kept_country"] and keeper.country == undo.get("country"):
            keeper.country = undo["kept_country"]  # the country the merge gave it goes back
    session.delete(merge)
    session.flush()
    return restored
