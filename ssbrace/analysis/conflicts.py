"""Conflicts: claims that cannot all be true, each shown with its sides, sentences and sources.

Three sorts:
- ``number``: figures for the same entity, kind, metric and period that disagree beyond tolerance
  (specs also across neighbouring years, within a technology family);
- ``standing``: orderings that cannot both hold (A ahead of B and B ahead of A on the same aspect in
  overlapping periods; two different firsts; a first that is said to rank lower);
- ``scope``: figures for one entity and period that differ because they measure different scopes
  (automotive batteries vs all lithium-ion batteries); shown, not counted as conflicts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from ssbrace.analysis.config import AnalysisConfig
from ssbrace.analysis.facts import (
    Fact,
    agree,
    build_facts,
    format_value,
    period_label,
    sides_conflict,
    split_sides,
)
from ssbrace.kb.records import ClaimRecord


@dataclass(frozen=True)
class SideFields:
    """One position in a conflict, as its label: the one declaration ``Side`` and its JSON shape extend."""

    label: str  # "37%", "China ahead of Japan"


@dataclass(frozen=True)
class Side(SideFields):
    """One position in a conflict: a label and the claims stating it."""

    claims: tuple[ClaimRecord, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({c.source_name for c in self.claims}))


@dataclass(frozen=True)
class ConflictFields:
    """What one conflict is about: the one declaration ``Conflict`` and its JSON shape extend."""

    type: str  # number | standing | scope
    entity: str
    kind: str
    topic: str  # what is disputed: "automotive_batteries share, 2022"
    period: str


@dataclass(frozen=True)
class Conflict(ConflictFields):
    sides: tuple[Side, ...]

    @property
    def claims(self) -> tuple[ClaimRecord, ...]:
        return tuple(c for side in self.sides for c in side.claims)

    @property
    def entities(self) -> tuple[str, ...]:
        """Every entity the conflict is about: a standing dispute concerns both sides of the comparison
        ("Korea overtakes Japan" against "Korea trails Japan" belongs to Korea's page as much as Japan's)."""
        names = [self.entity]
        for claim in self.claims:
            for name in (claim.subject, claim.object):
                if name and name not in names:
                    names.append(name)
        return tuple(names)

    @property
    def newest(self) -> date | None:
        """The date of the latest statement involved (what ``changes`` compares)."""
        dates = [c.seen for c in self.claims if c.seen]
        return max(dates) if dates else None

    @property
    def summary(self) -> str:
        sides = " vs ".join(f"{s.label} ({', '.join(s.sources)})" for s in self.sides)
        word = "scope difference" if self.type == "scope" else "conflict"
        return f"{self.entity}: {self.topic} ({self.period}) {word}: {sides}"


def _side_label(claims: Sequence[ClaimRecord]) -> str:
    """The side's figures as stated: '37%' or '36.2% / about 36%'."""
    from ssbrace.analysis.facts import numeric_value, unit_of  # local: keeps the public import list short

    labels = []
    for c in claims:
        text = format_value(numeric_value(c), unit_of(c), c.bound)
        if text not in labels:
            labels.append(text)
    return " / ".join(labels)


def _topic(fact: Fact) -> str:
    dim = fact.key.dimension.replace("_", " ")
    kind = fact.key.kind.replace("_", " ")
    return f"{kind} ({dim})" if dim else kind


# --- numbers -------------------------------------------------------------------------------------


def number_conflicts(facts: Iterable[Fact], config: AnalysisConfig) -> list[Conflict]:
    """Facts whose claims split into disagreeing sides, and specs that disagree across adjacent years."""
    found: list[Conflict] = []
    specs: dict[tuple, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.key.kind == "partnership":
            continue
        if len(fact.sides) > 1:
            # Two figures from one article for the same key measure two things (an initial and an
            # expanded capacity, applicant origin vs filing office): a scope difference, not a conflict.
            same_source = not sides_conflict(fact.sides)
            topic = _topic(fact) + (", two figures in one source" if same_source else "")
            found.append(Conflict("scope" if same_source else "number", fact.key.entity, fact.key.kind, topic,
                                  fact.period, tuple(Side(_side_label(s), s) for s in fact.sides)))
        if fact.key.kind == "spec" and fact.key.year is not None:
            family = config.family(fact.claims[0].technology)
            specs[(fact.key.entity, fact.key.dimension, fact.key.unit, family)].append(fact)
    # A spec restated a year later is the same product often enough to compare; different years only
    # (same-year disagreements were found above).
    for group in specs.values():
        group.sort(key=lambda f: f.key.year or 0)
        for a, b in combinations(group, 2):
            if abs((b.key.year or 0) - (a.key.year or 0)) > config.spec_year_window or a.key.year == b.key.year:
                continue
            sides = split_sides(a.claims + b.claims, config)
            if sides_conflict(sides):
                period = f"{a.period} / {b.period}"
                found.append(Conflict("number", a.key.entity, "spec", _topic(a), period,
                                      tuple(Side(_side_label(s), s) for s in sides)))
    return found


def scope_differences(facts: Iterable[Fact], config: AnalysisConfig) -> list[Conflict]:
    """Figures for one entity, kind and period under different scopes that would disagree as numbers."""
    groups: dict[tuple, list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.key.kind in config.scope_fields and fact.value is not None:
            groups[(fact.key.entity, fact.key.kind, fact.key.unit, fact.key.year, fact.key.year_end)].append(fact)
    found = []
    for (entity, kind, _unit, year, year_end), group in groups.items():
        if len(group) < 2:
            continue
        if all(agree(a.chosen, b.chosen, config) for a, b in combinations(group, 2)):
            continue
        field = config.scope_fields[kind]
        sides = tuple(
            Side(f"{(f.key.dimension or 'unspecified').replace('_', ' ')}: "
                 f"{format_value(f.value, f.key.unit, f.bound)}", f.claims)
            for f in sorted(group, key=lambda f: f.key.dimension)
        )
        found.append(Conflict("scope", entity, kind, f"{kind.replace('_', ' ')} by {field}",
                              period_label(year, year_end), sides))
    return found


# --- standings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Order:
    """What one standing claim says: ``winner`` ahead of ``loser``, or ``winner`` first, or ``loser`` not first."""

    winner: str | None
    loser: str | None
    first: bool
    claim: ClaimRecord


def _orders(claim: ClaimRecord) -> list[_Order]:
    s, o, rel = claim.subject, claim.object, claim.relation
    if rel in {"leads", "overtakes"}:
        out = [_Order(s, o, False, claim)] if o else []
        if not o or claim.rank == 1:
            out.append(_Order(s, None, True, claim))
        return out
    if rel == "trails":
        return [_Order(o, s, False, claim)] if o else [_Order(None, s, False, claim)]
    if rel == "ranks" and claim.rank is not None:
        return [_Order(s, None, True, claim)] if claim.rank == 1 else [_Order(None, s, False, claim)]
    return []


def standing_period(claim: ClaimRecord) -> tuple[int, int] | None:
    """Years a standing covers; an undated standing speaks of its publication year ('now')."""
    start = claim.year if claim.year is not None else claim.year_end
    end = claim.year_end if claim.year_end is not None else claim.year
    if start is None:
        if claim.seen is None:
            return None
        start = end = claim.seen.year
    return (start, end if end is not None else start)


def _overlap(a: ClaimRecord, b: ClaimRecord) -> bool:
    pa, pb = standing_period(a), standing_period(b)
    return pa is not None and pb is not None and pa[0] <= pb[1] and pb[0] <= pa[1]


def _standing_scope(claim: ClaimRecord) -> str:
    return claim.technology or claim.segment or ""


def _years(claim: ClaimRecord) -> range:
    period = standing_period(claim)
    if period is None:
        return range(0)
    return range(period[0], min(period[1], period[0] + 50) + 1)  # a standing over more than 50 years is capped


def _docs_by_year(claims: list[ClaimRecord]) -> dict[int, set[int]]:
    """Year -> up to two documents with a claim covering it (two are enough to find another document)."""
    out: dict[int, set[int]] = defaultdict(set)
    for c in claims:
        for year in _years(c):
            if len(out[year]) < 2:
                out[year].add(c.document_id)
    return out


def _hits(claims: list[ClaimRecord], other: dict[int, set[int]]) -> list[ClaimRecord]:
    """Claims overlapping in time with a claim of the other side from another document."""
    return [c for c in claims if any(other.get(y, set()) - {c.document_id} for y in _years(c))]


def _pairs_clash(left: list[ClaimRecord], right: list[ClaimRecord]) -> tuple[list, list] | None:
    """The claims of each side that overlap in time with some claim of the other, from another document.

    Linear in the claims: each side is indexed by year once instead of comparing every pair.
    """
    hits_l = _hits(left, _docs_by_year(right))
    if not hits_l:
        return None
    hits_r = _hits(right, _docs_by_year(left))
    return _unique(hits_l), _unique(hits_r)


def _unique(claims: list[ClaimRecord]) -> list[ClaimRecord]:
    """Claims once each, by id (records compare field by field, which is slow)."""
    return sorted({c.id: c for c in claims}.values(), key=lambda c: c.id)


def _period_of(claims: Iterable[ClaimRecord]) -> str:
    spans = [p for p in (standing_period(c) for c in claims) if p]
    if not spans:
        return "undated"
    return period_label(min(p[0] for p in spans), max(p[1] for p in spans))


def standing_conflicts(records: Iterable[ClaimRecord]) -> list[Conflict]:
    """Orderings that cannot both hold, per aspect; across technologies or segments a scope difference."""
    by_aspect: dict[str, list[_Order]] = defaultdict(list)
    for claim in records:
        if claim.kind == "standing" and claim.aspect:
            by_aspect[claim.aspect].extend(_orders(claim))
    found: list[Conflict] = []
    for aspect, orders in by_aspect.items():
        ahead: dict[tuple[str, str], list[ClaimRecord]] = defaultdict(list)
        firsts: dict[str, list[ClaimRecord]] = defaultdict(list)
        not_first: dict[str, list[ClaimRecord]] = defaultdict(list)
        for order in orders:
            if order.first and order.winner:
                firsts[order.winner].append(order.claim)
            elif order.winner and order.loser:
                ahead[(order.winner, order.loser)].append(order.claim)
            elif order.loser:
                not_first[order.loser].append(order.claim)
        clashes: list[tuple[str, str, list[ClaimRecord], str, list[ClaimRecord]]] = []
        behind: dict[str, list[str]] = defaultdict(list)  # loser -> winners
        for winner, loser in ahead:
            behind[loser].append(winner)
        for (a, b), claims in ahead.items():
            if a < b and (b, a) in ahead:  # each unordered pair once; a stated first place joins its side
                clashes.append((a, f"{a} ahead of {b}", claims + firsts.get(a, []),
                                f"{b} ahead of {a}", ahead[(b, a)] + firsts.get(b, [])))
        for a, claims in firsts.items():
            for w in behind.get(a, []):
                if w != a and (a, w) not in ahead:
                    clashes.append((a, f"{a} first", claims, f"{w} ahead of {a}", ahead[(w, a)]))
            if a in not_first:
                clashes.append((a, f"{a} first", claims, f"{a} not first", not_first[a]))
        # Two firsts clash only between entities of one type (a country and a company can both lead).
        # Only entities claimed first in a common year can clash (a year index keeps this near-linear).
        first_years: dict[tuple[str, int], set[str]] = defaultdict(set)
        for a, claims in firsts.items():
            for c in claims:
                for year in _years(c):
                    first_years[(c.subject_type, year)].add(a)
        candidate_pairs = {pair for names in first_years.values() if len(names) > 1
                           for pair in combinations(sorted(names), 2)}
        for a, b in sorted(candidate_pairs):
            clashes.append((a, f"{a} first", firsts[a], f"{b} first", firsts[b]))
        for entity, label_l, left, label_r, right in clashes:
            hit = _pairs_clash(left, right)
            if hit is None:
                continue
            side_l, side_r = hit
            scopes = {_standing_scope(c) for c in side_l} | {_standing_scope(c) for c in side_r}
            kind = "scope" if len(scopes) > 1 else "standing"
            if kind == "scope":
                # Split by scope: a same-scope clash inside the mixed set is still a conflict.
                for scope in sorted(scopes):
                    same_l = [c for c in side_l if _standing_scope(c) == scope]
                    same_r = [c for c in side_r if _standing_scope(c) == scope]
                    if same_l and same_r and _pairs_clash(same_l, same_r):
                        sl, sr = _pairs_clash(same_l, same_r)  # type: ignore[misc]
                        found.append(_standing(entity, aspect, scope, label_l, sl, label_r, sr, "standing"))
                        taken = {c.id for c in sl} | {c.id for c in sr}
                        side_l = [c for c in side_l if c.id not in taken]
                        side_r = [c for c in side_r if c.id not in taken]
                hit = _pairs_clash(side_l, side_r) if side_l and side_r else None
                if hit is None:
                    continue
                side_l, side_r = hit
            found.append(_standing(entity, aspect, "", label_l, side_l, label_r, side_r, kind))
    return found


def _standing(entity: str, aspect: str, scope: str, label_l: str, left: list[ClaimRecord], label_r: str,
              right: list[ClaimRecord], kind: str) -> Conflict:
    topic = f"standing in {aspect.replace('_', ' ')}" + (f" ({scope.replace('_', ' ')})" if scope else "")
    if kind == "scope":
        label_l += " [" + ", ".join(sorted({_standing_scope(c) or "all" for c in left})) + "]"
        label_r += " [" + ", ".join(sorted({_standing_scope(c) or "all" for c in right})) + "]"
    return Conflict(kind, entity, "standing", topic, _period_of(left + right),
                    (Side(label_l, tuple(left)), Side(label_r, tuple(right))))


def find_conflicts(records: Sequence[ClaimRecord], config: AnalysisConfig,
                   facts: Sequence[Fact] | None = None) -> list[Conflict]:
    """Every number conflict, standing conflict and scope difference, conflicts first."""
    facts = list(facts) if facts is not None else build_facts(records, config)
    found = fact_conflicts(facts, config) + standing_conflicts(records)
    found.sort(key=conflict_order)
    return found


def fact_conflicts(facts: Iterable[Fact], config: AnalysisConfig) -> list[Conflict]:
    """The conflicts and scope differences read from facts: each concerns one entity's facts only."""
    facts = list(facts)
    return number_conflicts(facts, config) + scope_differences(facts, config)


_TYPE_ORDER = {"number": 0, "standing": 1, "scope": 2}


def conflict_order(conflict: Conflict) -> tuple:
    """Conflicts first, then by entity, kind and period; the rest of the key makes the order total, so a
    list spliced from parts (``analysis.incremental``) comes out as a fresh one does."""
    return (_TYPE_ORDER[conflict.type], conflict.entity, conflict.kind, conflict.period, conflict.topic,
            tuple(s.label for s in conflict.sides), tuple(c.id for c in conflict.claims))
