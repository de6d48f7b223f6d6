"""Entity resolution: every claim's subject and object linked to one entity.

Order of trust: the gazetteer's names and aliases (exact, after normalising), then a fuzzy match
against every known alias (spelling variants, shortened company names), then a new entity that later
variants merge into. A person settles the rest with ``merge_entities``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from ssbrace.domains.loader import DomainPack, load_domain
from ssbrace.errors import InputError
from ssbrace.kb import entities_repo as repo
from ssbrace.kb.tables import Entity

# Legal-form words dropped from the end of company names ("Idemitsu Kosan Co., Ltd." -> "Idemitsu Kosan").
# These are grammar of company names in general, not names of any company.
CORPORATE_SUFFIXES = frozenset(
    {
        "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "plc",
        "ag", "gmbh", "se", "sa", "nv", "bv", "kk", "holdings", "group", "oyj", "ab", "spa", "srl",
    }
)
# A fuzzy score (0-100) at or above this links a name to an existing entity. 90 accepts one or two
# typos in a ten-letter name ("Quantumscap" -> "QuantumScape") and rejects different firms that share a
# word ("LG Chem" vs "LG Energy Solution" score ~50).
FUZZY_THRESHOLD = 90.0
_PUNCT = re.compile(r"[^\w\s&+-]")
_SPACE = re.compile(r"\s+")


def normalise(name: str) -> str:
    """Lookup key of a name: NFKC, casefolded, punctuation dropped, corporate suffixes trimmed."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("’", "'")
    text = _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()
    words = text.split(" ")
    while len(words) > 1 and words[-1] in CORPORATE_SUFFIXES:
        words.pop()
    return " ".join(words)


def display_name(name: str) -> str:
    """A new entity's display name: as written, trimmed of trailing corporate suffixes and commas."""
    words = _SPACE.sub(" ", name).strip().split(" ")
    while len(words) > 1 and normalise(words[-1]) in CORPORATE_SUFFIXES | {""}:
        words.pop()
    return " ".join(words).rstrip(",. ")


@dataclass
class Resolver:
    """An in-memory index of every alias in the store, kept in step with the rows it adds."""

    session: Session
    by_key: dict[str, int] = field(default_factory=dict)  # normalised alias -> entity id
    names: dict[int, str] = field(default_factory=dict)  # entity id -> canonical name
    keys: list[str] = field(default_factory=list)  # fuzzy-match candidates (normalised aliases)
    created: int = 0

    @classmethod
    def load(cls, session: Session) -> Resolver:
        """Read every alias once; later lookups are dictionary hits."""
        resolver = cls(session, by_key=repo.alias_keys(session), names=repo.entity_names(session))
        resolver.keys = list(resolver.by_key)
        return resolver

    def _add_alias(self, entity_id: int, alias: str) -> None:
        key = normalise(alias)
        if not key or key in self.by_key:
            return  # an alias belongs to one entity: the first one to claim it keeps it
        repo.add_alias(self.session, entity_id, alias, key)
        self.by_key[key] = entity_id
        self.keys.append(key)

    def fuzzy(self, key: str) -> int | None:
        """The entity a name most likely means, or None when no alias is close or two are equally close."""
        if not self.keys:
            return None
        # Shortened company names ("Idemitsu" for "Idemitsu Kosan"): the name's words start exactly
        # one entity's alias. Two or more candidates means the short name is ambiguous.
        prefix = key + " "
        starts = {self.by_key[k] for k in self.keys if k.startswith(prefix)} if len(key) >= 4 else set()
        if len(starts) == 1:
            return starts.pop()
        if len(starts) > 1:
            return None
        best = process.extract(key, self.keys, scorer=fuzz.ratio, limit=2, score_cutoff=FUZZY_THRESHOLD)
        if not best:
            return None
        if len(best) > 1 and best[1][1] == best[0][1] and self.by_key[best[1][0]] != self.by_key[best[0][0]]:
            return None
        return self.by_key[best[0][0]]

    def resolve(self, name: str, entity_type: str, create: bool = True) -> int | None:
        """The entity id for a name: alias, then fuzzy (recorded as a new alias), then a new entity."""
        key = normalise(name)
        if not key:
            return None
        found = self.by_key.get(key)
        if found is not None:
            return found
        found = self.fuzzy(key)
        if found is not None:
            self._add_alias(found, name.strip())
            return found
        if not create:
            return None
        canonical = _unique_name(self, display_name(name))
        entity_id = repo.add_entity(self.session, canonical, entity_type, from_gazetteer=False)
        self.names[entity_id] = canonical
        self._add_alias(entity_id, canonical)
        self._add_alias(entity_id, name.strip())
        self.created += 1
        return entity_id


def _unique_name(resolver: Resolver, name: str) -> str:
    taken = set(resolver.names.values())
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    return candidate


def seed_gazetteer(session: Session, pack: DomainPack | None = None) -> int:
    """Insert the pack's places, companies, programs and institutions with their aliases; idempotent.

    Returns the number of entities created. Names a person merged away stay merged.
    """
    pack = pack or load_domain()
    dropped = repo.merged_away_names(session)
    existing = repo.entities_by_name(session)
    resolver = Resolver.load(session)
    gaz = pack.gazetteer
    rows: list[tuple[str, str, str | None, list[str]]] = []
    rows += [(p.name, p.type, p.name if p.type == "country" else None, [*p.aliases, *p.demonyms]) for p in gaz.places]
    rows += [(c.name, "company", c.country, list(c.aliases)) for c in gaz.companies]
    rows += [(p.name, "program", p.country, list(p.aliases)) for p in gaz.programs]
    rows += [(i.name, "institution", i.country, list(i.aliases)) for i in gaz.institutions]
    created = 0
    for name, etype, country, aliases in rows:
        if name in dropped:
            continue
        if name in existing:
            entity_id, old_country = existing[name]
            if old_country != country:
                repo.update_entity(session, entity_id, country=country, from_gazetteer=True)
        else:
            # A name first met in a claim may already exist as a new entity: it becomes the gazetteer's.
            met = resolver.by_key.get(normalise(name))
            if met is not None:
                entity_id = met
                repo.update_entity(session, entity_id, name=name, type=etype, country=country,
                                   from_gazetteer=True)
            else:
                entity_id = repo.add_entity(session, name, etype, country, from_gazetteer=True)
                created += 1
            existing[name] = (entity_id, country)
            resolver.names[entity_id] = name
        for alias in (name, *aliases):
            resolver._add_alias(entity_id, alias)
    session.flush()
    return created


def link_claims(session: Session, claim_ids: list[int], resolver: Resolver | None = None) -> int:
    """Link the subject and object of the given stored claims to entities; returns how many were linked."""
    resolver = resolver or Resolver.load(session)
    linked = 0
    changed = []
    for claim in repo.claim_names(session, claim_ids):
        subject_id = resolver.resolve(claim.subject, claim.subject_type or "company")
        object_id = None
        if claim.object:
            object_id = resolver.resolve(claim.object, claim.object_type or "company")
        if subject_id != claim.subject_entity_id or object_id != claim.object_entity_id:
            changed.append((claim.id, subject_id, object_id))
        linked += subject_id is not None
    repo.set_claim_entities(session, changed)
    return linked


class KeptResolver:
    """A resolver kept across the transactions of one run (the driver's batches), read again from the store
    only when its entities changed otherwise (``entities_version``): the same answers as a resolver loaded
    for each transaction, without reading every alias each time. ``forget`` after a rolled-back transaction."""

    def __init__(self, pack: DomainPack | None = None) -> None:
        self.pack = pack
        self.resolver: Resolver | None = None
        self.version: tuple[int, ...] | None = None

    def get(self, session: Session) -> Resolver:
        """The resolver for this transaction, the gazetteer seeded first if it is not in the store yet (as
        ``link_document_claims`` does)."""
        if not repo.has_gazetteer_entities(session):
            seed_gazetteer(session, self.pack)
            self.resolver = None
        if self.resolver is None or repo.entities_version(session) != self.version:
            self.resolver = Resolver.load(session)
        self.resolver.session = session
        return self.resolver

    def written(self, session: Session) -> None:
        """Call after this transaction's links, before its commit: the version the kept resolver is at."""
        session.flush()
        self.version = repo.entities_version(session)

    def forget(self) -> None:
        self.resolver = self.version = None


def link_new_claims(resolver: Resolver, names: Iterable[tuple[str, str | None, str | None, str | None]]
                    ) -> list[tuple[int | None, int | None]]:
    """The (subject, object) entities of claims not stored yet, given as (subject, subject type, object,
    object type), resolved in order: the same entities, created in the same order, as ``link_claims`` gives
    the same claims once stored, so that they can be inserted with their links (no update per claim)."""
    links = []
    for subject, subject_type, obj, object_type in names:
        subject_id = resolver.resolve(subject, subject_type or "company")
        object_id = resolver.resolve(obj, object_type or "company") if obj else None
        links.append((subject_id, object_id))
    return links


def link_document_claims(session: Session, document_id: int, pack: DomainPack | None = None) -> int:
    """Link the subject and object of one document's claims to entities; returns the claims linked.

    Seeds the gazetteer into the store the first time it is needed.
    """
    if not repo.has_gazetteer_entities(session):
        seed_gazetteer(session, pack)
    return link_claims(session, repo.claim_ids_of_document(session, document_id))


def find_entity(session: Session, name: str) -> Entity:
    """The entity a person means by a name (canonical name or alias); InputError when unknown."""
    entity = repo.find_entity(session, name, normalise(name))
    if entity is None:
        raise InputError(f"no entity named {name!r} (see `ssbrace entities`)")
    return entity


def merge_entities(session: Session, keep_name: str, drop_name: str, by: str = "person",
                   force: bool = False) -> Entity:
    """Merge the entity ``drop_name`` into ``keep_name``: aliases and claims move, the merge is logged
    with what moved (``unmerge_entity`` puts it back).

    Returns the kept entity. Merging an entity into itself, or entities of different types (a country into
    a company) unless ``force``, is an InputError.
    """
    keep = find_entity(session, keep_name)
    drop = find_entity(session, drop_name)
    if keep.id == drop.id:
        raise InputError(f"{keep_name!r} and {drop_name!r} are already the same entity ({keep.name})")
    if keep.type != drop.type and not force:
        raise InputError(f"{keep.name!r} is a {keep.type} and {drop.name!r} a {drop.type}: merging would credit "
                         f"{drop.name}'s claims to {keep.name} (--force if that is meant)")
    repo.merge_entities(session, keep, drop, by)
    return keep


def unmerge_entity(session: Session, dropped_name: str) -> Entity:
    """Undo the latest merge that dropped ``dropped_name``: the entity comes back with its aliases and claims.

    Raises:
        InputError: no such merge, the merge was logged before undo data was kept, or the name is in use.
    """
    merge = repo.last_merge(session, dropped_name)
    if merge is None:
        raise InputError(f"no merge of {dropped_name!r} is logged (see `ssbrace entities merges`)")
    if not merge.undo:
        raise InputError(f"the merge of {merge.dropped_name!r} into {merge.kept_name!r} predates undo records; "
                         "it cannot be undone")
    if repo.entity_by_name(session, merge.dropped_name) is not None:
        raise InputError(f"an entity named {merge.dropped_name!r} exists again; nothing to undo")
    return repo.unmerge(session, merge)
