"""Consistency checks: figures that contradict themselves or the figures around them.

- ``fx``: a stated currency conversion whose implied rate is off the year's rate by more than the
  pack's ``fx_tolerance``; and one amount converted to different dollar sums by different sources;
- ``share_sum``: shares of one segment and period, over entities of one type, summing above 100%;
- ``share_total``: a count stated as a share of a total ("over 7,000 is over 40%") while the other
  counts of the same study period already sum past the total that share implies;
- ``rank_order``: a place stated with a larger figure than a better place in the same ranking.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ssbrace.analysis.config import AnalysisConfig
from ssbrace.analysis.facts import MONEY_KINDS, Fact, build_facts, format_value, period_label
from ssbrace.kb.records import ClaimRecord

# Two conversions of one amount differing by more than this fraction are listed (rates drift within a
# year; a bigger spread means one source used another date's rate or rounded hard).
CONVERSION_SPREAD = 0.01


@dataclass(frozen=True)
class FindingFields:
    """What one consistency finding says: the one declaration ``Finding`` and its JSON shape extend."""

    check: str  # fx | conversion | share_sum | share_total | rank_order
    entity: str
    summary: str


@dataclass(frozen=True)
class Finding(FindingFields):
    claims: tuple[ClaimRecord, ...]


# --- currency -------------------------------------------------------------------------------------


def fx_findings(records: Iterable[ClaimRecord], usd_rate: Callable[[str, int | None], float | None],
                config: AnalysisConfig) -> list[Finding]:
    """Stated conversions whose implied rate is off the year's rate, and amounts converted differently."""
    found = []
    same_amount: dict[tuple, list[ClaimRecord]] = defaultdict(list)
    for c in records:
        if c.kind not in MONEY_KINDS or not c.amount or not c.value_usd or not c.currency or c.currency == "USD":
            continue
        if c.extra.get("usd_converted"):
            continue  # converted by us at the table's rate, not stated by the source
        same_amount[(c.subject, c.amount, c.currency, c.year)].append(c)
        # The writer converts at the rate of the day they write: the document's year, else the claim's.
        year = c.seen.year if c.seen else c.year
        rate = usd_rate(c.currency, year)
        if not rate:
            continue
        implied = c.amount / c.value_usd
        off = implied / rate - 1
        if abs(off) > config.fx_tolerance:
            found.append(Finding("fx", c.subject,
                                 f"{c.subject}: {format_value(c.amount, 'USD').replace('US$', c.currency + ' ')} stated as "
                                 f"{format_value(c.value_usd, 'USD')} implies {implied:,.2f} {c.currency}/USD, "
                                 f"{off:+.0%} off the {year} rate of {rate:,.2f} ({c.source_name})", (c,)))
    for (entity, amount, currency, year), claims in same_amount.items():
        written = format_value(amount, "USD").replace("US$", currency + " ")
        values = sorted({c.value_usd for c in claims if c.value_usd})
        if len(values) > 1 and values[-1] / values[0] - 1 > CONVERSION_SPREAD:
            stated = ", ".join(f"{format_value(c.value_usd, 'USD', c.bound)} ({c.source_name})" for c in claims)
            found.append(Finding("conversion", entity,
                                 f"{entity}: {written} ({year}) converted differently: {stated}",
                                 tuple(claims)))
    return found


# --- shares ---------------------------------------------------------------------------------------


def share_sum_findings(facts: Iterable[Fact], config: AnalysisConfig) -> list[Finding]:
    """Market shares of one segment and period, over entities of one type, adding up past 100%."""
    groups: dict[tuple, list[Fact]] = defaultdict(list)
    for f in facts:
        if f.key.kind == "market_share" and f.key.unit == "%" and f.value is not None and f.key.year is not None:
            groups[(f.key.dimension, f.key.year, f.key.year_end, f.entity_type)].append(f)
    found = []
    for (segment, year, year_end, etype), group in groups.items():
        # Each entity counts with the lowest figure any source gives (the sum is then a floor).
        lows = {f.key.entity: min(_low(c) for c in f.claims) for f in group}
        total = sum(lows.values())
        if len(lows) > 1 and total > 100 * (1 + config.tolerance):
            parts = ", ".join(f"{e} {v:g}%" for e, v in sorted(lows.items(), key=lambda kv: -kv[1]))
            found.append(Finding("share_sum", segment,
                                 f"{segment.replace('_', ' ')} shares ({period_label(year, year_end)}, {etype}) "
                                 f"sum to at least {total:.1f}%: {parts}",
                                 tuple(c for f in group for c in f.claims)))
    return found


def _low(c: ClaimRecord) -> float:
    """The smallest value a claim allows (an 'under' figure allows zero)."""
    return 0.0 if c.bound == "lt" else float(c.value or 0)


def share_total_findings(records: Sequence[ClaimRecord], config: AnalysisConfig) -> list[Finding]:
    """A count stated with its share implies a total; the other counts of that study period exceed it.

    The pack's ``board.world_entity`` names the entity that holds world totals.
    """
    world_entity = config.board.get("world_entity", "")
    counts: dict[tuple, dict[str, list[ClaimRecord]]] = defaultdict(lambda: defaultdict(list))
    shares: list[ClaimRecord] = []
    for c in records:
        if c.value is None or c.year_end is None:
            continue  # a cumulative study is known by where it ends
        if c.kind == "patents":
            counts[(c.technology, c.year_end)][c.subject].append(c)
        elif c.kind == "patent_share" and c.value > 0:
            shares.append(c)
    found = []
    # Per group, indexes built once: the largest count per entity for each study start (a start of None
    # fits every start), and per document the counts it lists itself.
    best: dict[tuple, dict[int | None, dict[str, ClaimRecord]]] = {}
    by_doc: dict[tuple, dict[int, dict[str, ClaimRecord]]] = {}
    for key, group in counts.items():
        starts = {c.year for claims in group.values() for c in claims} | {None}
        best[key] = {start: {} for start in starts}
        by_doc[key] = defaultdict(dict)
        for entity, claims in group.items():
            for c in claims:
                for start in (starts if c.year is None else {c.year, None}):
                    kept = best[key][start].get(entity)
                    if kept is None or (c.value or 0) > (kept.value or 0):
                        best[key][start][entity] = c
                kept = by_doc[key][c.document_id].get(entity)
                if kept is None or (c.value or 0) > (kept.value or 0):
                    by_doc[key][c.document_id][entity] = c
    for share in shares:
        key = (share.technology, share.year_end)
        group = counts.get(key, {})
        # The count must come with the share (same article): two studies' figures imply no total.
        own = [c for c in group.get(share.subject, []) if c.document_id == share.document_id]
        # total = count / share is bounded above only when the count is (exact, about, under) and the share
        # is bounded below (exact, about, over): "over 7,000 as over 40%" says nothing of the total's top
        if share.bound == "lt":
            continue
        for count in [c for c in own if c.bound != "gt"][:1]:
            # "count is over s%" bounds the total from above: total = count / share <= count / s.
            implied = float(count.value or 0) / (float(share.value or 0) / 100)
            # The article's own list first; another source's count only for entities it leaves out.
            same_doc = {e: c for e, c in by_doc[key][share.document_id].items() if _same_window(c, share)}
            others = {**best[key].get(share.year, best[key][None]), **same_doc}
            others.pop(share.subject, None)
            world = others.pop(world_entity, None)
            listed = float(count.value or 0) + sum(float(c.value or 0) for c in others.values())
            over = [(listed, "the listed counts sum to", tuple(others.values()))] if others else []
            if world is not None:
                over.append((float(world.value or 0), "the stated world total is", (world,)))
            for amount, words, behind in over:
                if amount > implied * (1 + config.tolerance):
                    detail = ", ".join(f"{c.subject} {format_value(c.value, 'patents', c.bound)} ({c.source_name})"
                                       for c in behind)
                    found.append(Finding("share_total", share.subject,
                                         f"{share.subject}: {format_value(count.value, 'patents', count.bound)} as "
                                         f"{format_value(share.value, '%', share.bound)} implies a total of at most "
                                         f"{implied:,.0f}, but {words} {amount:,.0f} ({detail})",
                                         (share, count, *behind)))
    return found


def _same_window(a: ClaimRecord, b: ClaimRecord) -> bool:
    """Same study window: same end; starts equal or one of them unstated."""
    return a.year_end == b.year_end and (a.year is None or b.year is None or a.year == b.year)


# --- ranks ----------------------------------------------------------------------------------------


def rank_order_findings(records: Iterable[ClaimRecord], config: AnalysisConfig) -> list[Finding]:
    """A ranked figure larger than the figure of a better place in the same ranking."""
    groups: dict[tuple, list[ClaimRecord]] = defaultdict(list)
    for c in records:
        if c.rank is not None and c.value is not None and c.kind in {"market_share", "patents", "patent_share"}:
            groups[(c.kind, c.segment or c.technology, c.year, c.year_end)].append(c)
    found = []
    for (kind, _scope, year, year_end), claims in groups.items():
        claims.sort(key=lambda c: (c.rank, -(c.value or 0)))
        best_by_rank: dict[int, ClaimRecord] = {}
        for c in claims:
            best_by_rank.setdefault(c.rank or 0, c)
        ranks = sorted(best_by_rank)
        for better, worse in zip(ranks, ranks[1:], strict=False):
            hi, lo = best_by_rank[better], best_by_rank[worse]
            if (lo.value or 0) > (hi.value or 0) * (1 + config.tolerance):
                found.append(Finding("rank_order", lo.subject,
                                     f"{kind.replace('_', ' ')} {period_label(year, year_end)}: no. {worse} "
                                     f"{lo.subject} ({format_value(lo.value, lo.unit)}, {lo.source_name}) is larger "
                                     f"than no. {better} {hi.subject} ({format_value(hi.value, hi.unit)}, "
                                     f"{hi.source_name})", (hi, lo)))
    return found


def run_checks(records: Sequence[ClaimRecord], config: AnalysisConfig,
               usd_rate: Callable[[str, int | None], float | None],
               facts: Sequence[Fact] | None = None) -> list[Finding]:
    """Every consistency finding, grouped by check."""
    facts = list(facts) if facts is not None else build_facts(records, config)
    return (fx_findings(records, usd_rate, config) + share_sum_findings(facts, config)
            + share_total_findings(records, config) + rank_order_findings(records, config))
