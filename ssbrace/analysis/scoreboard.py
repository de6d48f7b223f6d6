"""Scoreboard: per country (or company) indicators, each with its sources, and a composite ranking.

Composite score = sum(w_i * x_i) / sum(w_i) over the indicators with a positive weight, where x_i is the
entity's indicator scaled to 0..1 across the board (value / best value; for target years, earlier is
better: (latest - value) / (latest - earliest)); an indicator an entity has no figure for counts 0.
The indicators (name, label, whether higher is better) and their weights come from the pack's
``weights.yaml``; the weights can be overridden per run. Each name is computed by the code below.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from ssbrace.analysis.config import AnalysisConfig
from ssbrace.analysis.facts import Fact, build_facts, format_value, numeric_value, period_label
from ssbrace.analysis.roadmaps import Ledger, build_ledgers, midpoint
from ssbrace.errors import DomainPackError
from ssbrace.kb.records import ClaimRecord

Column = tuple[str, str, bool]  # an indicator's name, label, and whether higher is better


def __getattr__(name: str) -> tuple[Column, ...]:
    # ``INDICATORS``: the bundled pack's columns, for callers that have no board at hand (the web views).
    if name == "INDICATORS":
        from ssbrace.domains.loader import load_domain

        return tuple((i.name, i.label, i.higher_is_better) for i in load_domain().indicators)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Indicator:
    name: str
    value: float
    display: str
    claims: tuple[ClaimRecord, ...]
    note: str = ""  # what the figure is: "2023", "Toyota"
    detail: str = ""  # the longer story (which companies, which stages), for tooltips and JSON

    @property
    def n_sources(self) -> int:
        return len({c.source_name for c in self.claims})

    @cached_property
    def lead(self) -> ClaimRecord | None:
        """The claim the figure is read from: the one stating the shown number (the latest when several do).

        A sum or a count has no single sentence; its latest claim stands in, and the full list is one click on.
        """
        if not self.claims:
            return None
        scored = [(abs(f - self.value), c) for c in self.claims if (f := _figure(c)) is not None]
        if not scored or self.name == "target_companies":
            return max(self.claims, key=_recency)
        best = min(d for d, _ in scored)
        return max((c for d, c in scored if d == best), key=_recency)


def _figure(claim: ClaimRecord) -> float | None:
    if claim.kind == "target":
        return midpoint(claim) if claim.year is not None or claim.value is not None else None
    return numeric_value(claim)


def _recency(claim: ClaimRecord) -> tuple[int, int]:
    return (claim.seen.toordinal() if claim.seen else 0, claim.id)


@dataclass
class BoardRow:
    entity: str
    indicators: dict[str, Indicator] = field(default_factory=dict)
    score: float = 0.0  # 0..1; every page, table and report shows it on 0-100 (``shown_score``)
    rank: int = 0
    parts: dict[str, float] = field(default_factory=dict)  # indicator -> scaled 0..1


def shown_score(score: float) -> str:
    """A composite score as people read it, the same in the CLI, the report and the web: 0-100, one decimal."""
    return f"{score * 100:.1f}"


@dataclass(frozen=True)
class Board:
    by: str
    rows: tuple[BoardRow, ...]
    weights: dict[str, float]
    explanation: str
    notes: dict[str, str]  # indicator -> how it was measured on this board
    columns: tuple[Column, ...] = ()  # the pack's indicators, in order

    @property
    def labels(self) -> dict[str, str]:
        return {name: label for name, label, _ in self.columns}


def _board_type(subject_type: str, by: str) -> bool:
    if by == "company":
        return subject_type == "company"
    return subject_type in {"country", "region"}


@dataclass(frozen=True)
class BoardInputs:
    """What a board reads from the claims themselves, beside the facts and ledgers: who the claims are
    about, and the claims of the two indicators that count claims rather than facts. Small next to the
    claims (one triple per subject), so an analysis read a group at a time can gather it as it goes."""

    subjects: frozenset[tuple[str, str, str | None]]  # (subject, subject_type, subject_country)
    targets: tuple[ClaimRecord, ...]  # dated targets of companies, in id order
    specs: tuple[ClaimRecord, ...]  # specs with a value, in id order


def is_board_target(claim: ClaimRecord) -> bool:
    return claim.kind == "target" and claim.subject_type == "company" and claim.year is not None


def is_board_spec(claim: ClaimRecord) -> bool:
    return claim.kind == "spec" and claim.value is not None


def board_inputs(records: Iterable[ClaimRecord]) -> BoardInputs:
    """The board's inputs from a list of claims (in id order)."""
    subjects: set[tuple[str, str, str | None]] = set()
    targets: list[ClaimRecord] = []
    specs: list[ClaimRecord] = []
    for c in records:
        subjects.add((c.subject, c.subject_type, c.subject_country))
        if is_board_target(c):
            targets.append(c)
        elif is_board_spec(c):
            specs.append(c)
    return BoardInputs(frozenset(subjects), tuple(targets), tuple(specs))


def _owner(claim: ClaimRecord, by: str) -> str | None:
    """The board entity a company-level claim counts for: itself, or its country."""
    if by == "company":
        return claim.subject if claim.subject_type == "company" else None
    if claim.subject_type in {"country", "region"}:
        return claim.subject
    return claim.subject_country if claim.subject_type == "company" else None


# Public name: an export says which board row a fact counts for (``delivery.exports``), by the same rule.
owner_on_board = _owner


def _study_indicator(facts: Sequence[Fact], kind: str, entities: set[str], unit: str) -> tuple[dict[str, Indicator], str]:
    """Counts from one study only: the (technology, period) that covers the most board entities."""
    groups: dict[tuple, dict[str, Fact]] = defaultdict(dict)
    for f in facts:
        if f.key.kind == kind and f.key.entity in entities and f.value is not None:
            groups[(f.key.dimension, f.key.year, f.key.year_end)][f.key.entity] = f
    if not groups:
        return {}, ""
    best = max(groups, key=lambda k: (len(groups[k]), k[2] or k[1] or 0, bool(k[0])))
    out = {}
    for entity, f in groups[best].items():
        disputed = "" if f.agree else " (disputed)"
        out[entity] = Indicator(kind, float(f.value or 0), format_value(f.value, unit, f.bound) + disputed, f.claims,
                                period_label(best[1], best[2]))
    note = f"one study period for all: {(best[0] or 'all technologies').replace('_', ' ')}, {period_label(best[1], best[2])}"
    return out, note


def _sum_indicator(facts: Sequence[Fact], kind: str, by: str) -> dict[str, Indicator]:
    """Money summed over distinct facts (programmes, years), each fact counted once at its consolidated value."""
    totals: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        if f.key.kind != kind or f.value is None:
            continue
        owner = _owner(f.claims[0], by)
        if owner:
            totals[owner].append(f)
    out = {}
    for entity, group in totals.items():
        total = sum(float(f.value or 0) for f in group)
        claims = tuple(c for f in group for c in f.claims)
        disputed = "" if all(f.agree for f in group) else " (disputed)"
        out[entity] = Indicator(kind, total, format_value(total, "USD") + disputed, claims,
                                f"{len(group)} item{'s' if len(group) != 1 else ''}")
    return out


def _market_share(facts: Sequence[Fact], segment: str, entities: set[str]) -> dict[str, Indicator]:
    latest: dict[str, Fact] = {}
    for f in facts:
        if f.key.kind == "market_share" and f.key.dimension == segment and f.key.entity in entities \
                and f.key.year is not None and f.value is not None:
            if f.key.entity not in latest or (f.key.year, f.key.year_end or 0) > (latest[f.key.entity].key.year or 0,
                                                                                   latest[f.key.entity].key.year_end or 0):
                latest[f.key.entity] = f
    return {e: Indicator("market_share", float(f.value or 0),
                         format_value(f.value, "%", f.bound) + ("" if f.agree else " (disputed)"), f.claims, f.period)
            for e, f in latest.items()}


def _targets(records: Sequence[ClaimRecord], by: str) -> dict[str, Indicator]:
    holders: dict[str, dict[str, list[ClaimRecord]]] = defaultdict(lambda: defaultdict(list))
    for c in records:
        if is_board_target(c):
            owner = _owner(c, by)
            if owner:
                holders[owner][(c.stage or "") if by == "company" else c.subject].append(c)
    word = "stage" if by == "company" else "company"
    return {e: Indicator("target_companies", float(len(groups)), f"{len(groups)}",
                         tuple(c for cs in groups.values() for c in cs),
                         f"{word if len(groups) == 1 else word.replace('y', 'ie') + 's'}",
                         ", ".join(sorted(g.replace("_", " ") for g in groups)))
            for e, groups in holders.items()}


def _earliest_mass_production(ledgers: Sequence[Ledger], by: str, stage: str) -> dict[str, Indicator]:
    best: dict[str, tuple[Ledger, float]] = {}
    for ledger in ledgers:
        if ledger.stage != stage:
            continue
        claim = ledger.current.claim
        owner = _owner(claim, by)
        if not owner or claim.subject_type != "company":
            continue
        if owner not in best or ledger.current.midpoint < best[owner][1]:
            best[owner] = (ledger, ledger.current.midpoint)
    return {e: Indicator("earliest_mass_production", mid, led.current.target,
                         tuple(en.claim for en in led.entries), led.entity)
            for e, (led, mid) in best.items()}


def _best_spec(records: Sequence[ClaimRecord], by: str, metric: str) -> dict[str, Indicator]:
    best: dict[str, ClaimRecord] = {}
    for c in records:
        if is_board_spec(c) and c.metric == metric:
            owner = _owner(c, by)
            if owner and (owner not in best or (c.value, c.bound == "gt") > (best[owner].value or 0, best[owner].bound == "gt")):
                best[owner] = c
    return {e: Indicator("best_energy_density", float(c.value or 0), format_value(c.value, c.unit, c.bound), (c,),
                         c.subject if c.subject != e else (c.technology or "").replace("_", " "))
            for e, c in best.items()}


def build_scoreboard(records: Sequence[ClaimRecord], config: AnalysisConfig, by: str = "country",
                     facts: Sequence[Fact] | None = None, ledgers: Sequence[Ledger] | None = None) -> Board:
    """The board of countries (regions included) or companies, ranked by the weighted composite score."""
    facts = list(facts) if facts is not None else build_facts(records, config)
    ledgers = list(ledgers) if ledgers is not None else build_ledgers(records, stages=config.stages)
    return scoreboard(board_inputs(records), config, by, facts, ledgers)


def scoreboard(inputs: BoardInputs, config: AnalysisConfig, by: str, facts: Sequence[Fact],
               ledgers: Sequence[Ledger]) -> Board:
    """``build_scoreboard`` from the board's inputs instead of every claim.

    Args:
        inputs: who the claims are about, the dated company targets and the specs (``board_inputs``).
        config: the analysis settings (weights, indicators, the board's segment, stage and metric).
        by: "country" or "company".
        facts, ledgers: the analysis's facts and ledgers over the same claims.

    Returns:
        The ranked board.
    """
    if by not in {"country", "company"}:
        from ssbrace.errors import UsageError

        raise UsageError(f"--by must be country or company, not {by!r}")
    world = config.board.get("world_entity", "")
    entities: set[str] = set()
    for subject, subject_type, country in inputs.subjects:
        if _board_type(subject_type, by):
            entities.add(subject)
        elif by == "country" and subject_type == "company" and country:
            entities.add(country)
    entities.discard(world)
    fact_kinds: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        fact_kinds[f.key.kind].append(f)
    notes: dict[str, str] = {}
    table: dict[str, dict[str, Indicator]] = {}
    table["patents"], notes["patents"] = _study_indicator(fact_kinds["patents"], "patents", entities, "patents")
    table["patent_share"], notes["patent_share"] = _study_indicator(fact_kinds["patent_share"], "patent_share",
                                                                    entities, "%")
    table["funding"] = _sum_indicator(fact_kinds["funding"], "funding", by)
    notes["funding"] = "public money in USD, summed over distinct programmes and years"
    table["investment"] = _sum_indicator(fact_kinds["investment"], "investment", by)
    notes["investment"] = "companies' own money in USD" + (", summed over the country's companies" if by == "country" else "")
    segment = config.board.get("market_share_segment", "")
    table["market_share"] = _market_share(fact_kinds["market_share"], segment, entities)
    notes["market_share"] = f"latest year stated, {segment.replace('_', ' ')}"
    table["target_companies"] = _targets(inputs.targets, by)
    notes["target_companies"] = "companies with a dated target" if by == "country" else "stages with a dated target"
    stage = config.board.get("mass_production_stage", "mass_production")
    table["earliest_mass_production"] = _earliest_mass_production(ledgers, by, stage)
    notes["earliest_mass_production"] = "current target (latest report); earlier scores higher"
    metric = config.board.get("energy_density_metric", "energy_density_wh_kg")
    table["best_energy_density"] = _best_spec(inputs.specs, by, metric)
    notes["best_energy_density"] = f"best stated {metric.replace('_', ' ')}"

    rows = {e: BoardRow(e) for e in sorted(entities)}
    for name, values in table.items():
        for entity, indicator in values.items():
            if entity in rows:
                rows[entity].indicators[name] = indicator
    rows = {e: r for e, r in rows.items() if r.indicators}
    columns = tuple((i.name, i.label, i.higher_is_better) for i in config.indicators)
    unknown = [name for name, _, _ in columns if name not in table]
    if unknown:
        raise DomainPackError(f"weights.yaml: no scoreboard computation for indicator(s) {', '.join(unknown)}; "
                              f"known: {', '.join(table)}")
    weights = {name: config.weights.get(name, 0.0) for name, _, _ in columns}
    for name, _, higher in columns:
        figures = [r.indicators[name].value for r in rows.values() if name in r.indicators]
        if not figures:
            continue
        lo, hi = min(figures), max(figures)
        for row in rows.values():
            if name not in row.indicators:
                continue
            v = row.indicators[name].value
            if higher:
                row.parts[name] = v / hi if hi > 0 else 0.0
            else:
                row.parts[name] = (hi - v) / (hi - lo) if hi > lo else 1.0
    total_weight = sum(w for w in weights.values() if w > 0) or 1.0
    for row in rows.values():
        row.score = sum(weights[n] * x for n, x in row.parts.items() if weights.get(n, 0) > 0) / total_weight
    ranked = sorted(rows.values(), key=lambda r: (-r.score, r.entity))
    for i, row in enumerate(ranked, 1):
        row.rank = i
    return Board(by, tuple(ranked), weights, explain(weights, by), notes, columns)


def explain(weights: dict[str, float], by: str) -> str:
    """How the composite score was computed, in one paragraph."""
    used = ", ".join(f"{name}={w:g}" for name, w in weights.items() if w > 0)
    off = [name for name, w in weights.items() if w <= 0]
    text = (f"Composite score per {by} = sum(weight x scaled indicator) / sum(weights), with weights {used}. "
            "Each indicator is scaled to 0..1 across the board: value / best value; for the mass-production "
            "target year, earlier is better: (latest - value) / (latest - earliest). A missing indicator counts 0.")
    if off:
        text += f" Shown but not scored (weight 0): {', '.join(off)}."
    return text

