"""Facts: the consolidated value of one entity x kind x metric x period, with every claim behind it.

Agreement is bound-aware: each claim stands for an interval ("over 7,000" is 7,000 and up, "about 40%"
is 40% give or take the approx tolerance, "7,200" is 7,200 give or take the exact tolerance); claims
agree when their intervals overlap. Claims of one fact are split into sides of mutually agreeing claims
by one sweep over the intervals sorted by their lower ends (n log n per fact).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ssbrace.analysis.config import AnalysisConfig
from ssbrace.kb.records import ClaimRecord

MONEY_KINDS = frozenset({"funding", "investment"})
# Kinds consolidated into facts with a value; targets and standings have their own analyses.
NUMERIC_KINDS = frozenset({"patents", "patent_share", "funding", "investment", "market_share", "spec", "capacity"})
_BOUND_ORDER = {"eq": 0, "approx": 1, "gt": 2, "lt": 2}


@dataclass(frozen=True)
class FactKey:
    entity: str
    kind: str
    dimension: str  # the metric: segment, spec metric, technology, programme, partner...
    unit: str
    year: int | None
    year_end: int | None


@dataclass(frozen=True)
class Fact:
    """One consolidated fact and the claims behind it."""

    key: FactKey
    entity_type: str
    value: float | None
    bound: str
    claims: tuple[ClaimRecord, ...]
    sides: tuple[tuple[ClaimRecord, ...], ...]  # groups of mutually agreeing claims; one when sources agree
    latest: ClaimRecord
    chosen: ClaimRecord  # the statement the consolidated value comes from

    @property
    def agree(self) -> bool:
        """True unless two claims from different documents disagree beyond tolerance."""
        return not sides_conflict(self.sides)

    @property
    def sources(self) -> tuple[str, ...]:
        """Distinct publishers (not articles) behind the fact."""
        return tuple(sorted({c.source_name for c in self.claims}))

    @property
    def n_sources(self) -> int:
        return len(self.sources)

    @property
    def first_seen(self):  # noqa: ANN201 - a date or None
        dates = [c.seen for c in self.claims if c.seen]
        return min(dates) if dates else None

    @property
    def period(self) -> str:
        return period_label(self.key.year, self.key.year_end)


def period_label(year: int | None, year_end: int | None) -> str:
    """'2022', '2000-2023', 'to 2023', or 'undated'."""
    if year is None and year_end is None:
        return "undated"
    if year is None:
        return f"to {year_end}"
    if year_end is None or year_end == year:
        return str(year)
    return f"{year}-{year_end}"


def numeric_value(record: ClaimRecord) -> float | None:
    """The number a claim states, money in US dollars."""
    if record.kind in MONEY_KINDS:
        return record.value_usd if record.value_usd is not None else record.value
    return record.value


def unit_of(record: ClaimRecord) -> str:
    return "USD" if record.kind in MONEY_KINDS else (record.unit or "")


def dimension_of(record: ClaimRecord) -> str:
    """What a figure measures within its kind: the fact's metric."""
    kind = record.kind
    if kind == "market_share":
        return record.segment or ""
    if kind == "spec":
        return record.metric or ""
    if kind == "funding":
        # One programme can fund several things (a total and its solid-state part): both name the fact.
        return " / ".join(x for x in (record.program, record.technology) if x)
    if kind == "partnership":
        return record.object or ""
    if kind == "target":
        return record.stage or ""
    return record.technology or ""


def fact_key(record: ClaimRecord) -> FactKey:
    return FactKey(record.subject, record.kind, dimension_of(record), unit_of(record), record.year, record.year_end)


def tolerance_for(record: ClaimRecord, config: AnalysisConfig) -> float:
    if record.bound == "approx":
        return max(config.approx_tolerance, config.spec_tolerance if record.kind == "spec" else 0.0)
    return config.spec_tolerance if record.kind == "spec" else config.tolerance


def interval(record: ClaimRecord, config: AnalysisConfig) -> tuple[float, float]:
    """The values a claim allows. Half the tolerance on each side, so two exact figures agree when
    they differ by about the tolerance or less."""
    value = numeric_value(record)
    if value is None:
        return (-math.inf, math.inf)
    slack = abs(value) * tolerance_for(record, config) / 2
    lo, hi = value - slack, value + slack
    if record.bound == "gt":
        return (lo, math.inf)
    if record.bound == "lt":
        return (-math.inf, hi)
    return (lo, hi)


def agree(a: ClaimRecord, b: ClaimRecord, config: AnalysisConfig) -> bool:
    """Whether two figures can both hold, bounds and tolerance considered."""
    lo_a, hi_a = interval(a, config)
    lo_b, hi_b = interval(b, config)
    return lo_a <= hi_b and lo_b <= hi_a


def split_sides(claims: Iterable[ClaimRecord], config: AnalysisConfig) -> tuple[tuple[ClaimRecord, ...], ...]:
    """Claims grouped into sides whose members all overlap one another (one sweep over sorted intervals)."""
    ordered = sorted(claims, key=lambda c: (interval(c, config)[0], c.id))
    sides: list[list[ClaimRecord]] = []
    ceiling = -math.inf
    for claim in ordered:
        lo, hi = interval(claim, config)
        if sides and lo <= ceiling:
            sides[-1].append(claim)
            ceiling = min(ceiling, hi)
        else:
            sides.append([claim])
            ceiling = hi
    return tuple(tuple(side) for side in sides)


def sides_conflict(sides: Sequence[Sequence[ClaimRecord]]) -> bool:
    """Two or more sides, not all from one document (one article's two figures are two things)."""
    if len(sides) < 2:
        return False
    documents = {c.document_id for side in sides for c in side}
    return len(documents) > 1


def _best(claims: Sequence[ClaimRecord]) -> ClaimRecord:
    """The statement that stands for a side: exact before approximate before bounds, then the latest."""
    return min(claims, key=lambda c: (_BOUND_ORDER.get(c.bound, 3), -(c.seen.toordinal() if c.seen else 0), -c.id))


def _latest(claims: Sequence[ClaimRecord]) -> ClaimRecord:
    return max(claims, key=lambda c: (c.seen.toordinal() if c.seen else 0, c.id))


def build_fact(key: FactKey, claims: Sequence[ClaimRecord], config: AnalysisConfig) -> Fact:
    """Consolidate one group of claims: the agreed value, or the latest statement when sources disagree."""
    numeric = [c for c in claims if numeric_value(c) is not None]
    sides = split_sides(numeric, config) if numeric else (tuple(claims),)
    latest = _latest(claims)
    if not numeric:
        chosen = latest
    elif sides_conflict(sides):
        chosen = _latest(numeric)
    else:
        chosen = _best(numeric)
    return Fact(key, claims[0].subject_type, numeric_value(chosen), chosen.bound, tuple(claims), sides, latest, chosen)


def build_facts(records: Iterable[ClaimRecord], config: AnalysisConfig,
                kinds: frozenset[str] = NUMERIC_KINDS | {"partnership"}) -> list[Fact]:
    """Every fact of the given kinds, sorted by entity, kind, metric and period."""
    groups: dict[FactKey, list[ClaimRecord]] = defaultdict(list)
    for record in records:
        if record.kind not in kinds:
            continue
        if record.kind in NUMERIC_KINDS and numeric_value(record) is None:
            continue
        groups[fact_key(record)].append(record)
    facts = [build_fact(key, claims, config) for key, claims in groups.items()]
    facts.sort(key=fact_order)
    return facts


def fact_order(fact: Fact) -> tuple[str, str, str, int, int]:
    """How facts are listed: by entity, kind, metric and period (ties keep the order of their first claims)."""
    return (fact.key.entity, fact.key.kind, fact.key.dimension, fact.key.year or 0, fact.key.year_end or 0)


def format_value(value: float | None, unit: str | None, bound: str = "eq") -> str:
    """'over 7,000 patents', 'about 37%', 'US$844 million'."""
    if value is None:
        return "-"
    prefix = {"gt": "over ", "lt": "under ", "approx": "about "}.get(bound, "")
    if unit == "USD":
        for size, word in ((1e9, "billion"), (1e6, "million")):
            if abs(value) >= size:
                return f"{prefix}US${value / size:,.{_decimals(value / size)}f} {word}"
        return f"{prefix}US${value:,.0f}"
    number = f"{value:,.{_decimals(value)}f}"
    if unit == "%":
        return f"{prefix}{number}%"
    if unit == "year":
        return f"{prefix}{value:.0f}"
    return f"{prefix}{number} {unit}".rstrip()


def _decimals(value: float) -> int:
    """Digits after the point: none for whole numbers, one from 10 up, else up to two (4.6, 6.25)."""
    if float(value).is_integer():
        return 0
    if abs(value) >= 10 or float(round(value, 1)) == round(value, 2):
        return 1
    return 2
