"""Target ledger: every dated target of a company x stage, in the order it was reported.

A target is compared on the middle of its window ("2027 or 2028" is 2027.5). A later report that moves
it by a year or more is a slip (later) or a pull-in (earlier); smaller changes are restatements. Two
targets in one article are two plans, not a move. An earlier date that is no later than the year it was
reported in cannot be a new plan: it recalls an old one (or records it met), so it is marked ``recalled``
and leaves the current target alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ssbrace.analysis.facts import period_label
from ssbrace.kb.records import ClaimRecord

# A move smaller than this (years, on window midpoints) is a restatement ("2027" -> "2027 or 2028").
MIN_MOVE = 1.0


@dataclass(frozen=True)
class LedgerEntryFields:
    """What one ledger entry states: the one declaration ``LedgerEntry`` and its JSON shape extend."""

    target: str  # "2027-2028", "after 2030"
    midpoint: float
    move: str  # first | unchanged | slip | pull_in | restated | recalled | same_source
    delta: float  # years moved against the target in force before it


@dataclass(frozen=True)
class LedgerEntry(LedgerEntryFields):
    claim: ClaimRecord = field(kw_only=True)

    @property
    def reported(self) -> date | None:
        return self.claim.seen


@dataclass(frozen=True)
class LedgerFields:
    """What names one ledger: the one declaration ``Ledger`` and its JSON shape extend."""

    entity: str
    stage: str


@dataclass(frozen=True)
class Ledger(LedgerFields):
    """The target history of one company x stage."""

    entries: tuple[LedgerEntry, ...]

    @property
    def first(self) -> LedgerEntry:
        return self.entries[0]

    @property
    def current(self) -> LedgerEntry:
        """The target in force: the latest entry that was not a recollection or a same-article aside."""
        return next(e for e in reversed(self.entries) if e.move not in {"recalled", "same_source"})

    @property
    def moved(self) -> float:
        """Years the target moved from its first statement to now (positive: later)."""
        return self.current.midpoint - self.first.midpoint

    @property
    def slips(self) -> int:
        return sum(e.move == "slip" for e in self.entries)

    @property
    def pull_ins(self) -> int:
        return sum(e.move == "pull_in" for e in self.entries)

    @property
    def summary(self) -> str:
        cur = self.current
        moved = f", moved {self.moved:+.1f} years since first stated ({self.first.target})" if self.moved else ""
        return (f"{self.entity} {self.stage.replace('_', ' ')}: now {cur.target} "
                f"(reported {cur.reported or 'undated'}, {cur.claim.source_name}){moved}")


def target_label(claim: ClaimRecord) -> str:
    label = period_label(claim.year, claim.year_end)
    prefix = {"gt": "after ", "lt": "before ", "approx": "around "}.get(claim.bound, "")
    return prefix + label


def midpoint(claim: ClaimRecord) -> float:
    start = claim.year if claim.year is not None else claim.value
    assert start is not None
    end = claim.year_end if claim.year_end is not None else start
    return (float(start) + float(end)) / 2


def _window(claim: ClaimRecord) -> tuple[float, float]:
    start = float(claim.year if claim.year is not None else claim.value or 0)
    return start, float(claim.year_end if claim.year_end is not None else start)


def _nested(a: ClaimRecord, b: ClaimRecord) -> bool:
    """One window inside the other ("2029" within "2025-2029"): the target was narrowed or widened."""
    (a0, a1), (b0, b1) = _window(a), _window(b)
    return (a0 != a1 or b0 != b1) and ((b0 <= a0 and a1 <= b1) or (a0 <= b0 and b1 <= a1))


def _is_dated(claim: ClaimRecord) -> bool:
    return claim.kind == "target" and claim.stage is not None and (claim.year is not None or claim.value is not None)


def build_ledger(entity: str, stage: str, claims: Iterable[ClaimRecord]) -> Ledger:
    """One company x stage history; claims are ordered by report date, then target (earliest first)."""
    claims = list(claims)
    # An article's position is its latest target for the stage (volume production "from 2030" even when it
    # also mentions premium models "from 2027"); its other targets follow it as ``same_source``.
    doc_max: dict[int, float] = {}
    for c in claims:
        doc_max[c.document_id] = max(doc_max.get(c.document_id, -1e9), midpoint(c))
    ordered = sorted(claims, key=lambda c: (c.seen or date.min, doc_max[c.document_id], c.document_id,
                                            -midpoint(c), c.id))
    entries: list[LedgerEntry] = []
    current: LedgerEntry | None = None
    for claim in ordered:
        mid = midpoint(claim)
        if current is None:
            entry = LedgerEntry(target_label(claim), mid, "first", 0.0, claim=claim)
        else:
            delta = mid - current.midpoint
            reported_year = claim.seen.year if claim.seen else None
            if claim.document_id == current.claim.document_id:
                move = "same_source"
            elif delta <= -MIN_MOVE and reported_year is not None and max(claim.year or 0, claim.year_end or 0) <= reported_year:
                move = "recalled"
            elif _nested(claim, current.claim):
                move = "restated" if delta else "unchanged"  # narrowed or widened, not moved
            elif delta >= MIN_MOVE:
                move = "slip"
            elif delta <= -MIN_MOVE:
                move = "pull_in"
            elif delta:
                move = "restated"
            else:
                move = "unchanged"
            entry = LedgerEntry(target_label(claim), mid, move, 0.0 if move == "recalled" else delta,
                                claim=claim)
        entries.append(entry)
        if entry.move not in {"recalled", "same_source"}:
            current = entry
    return Ledger(entity, stage, tuple(entries))


def build_ledgers(records: Iterable[ClaimRecord], entity: str | None = None,
                  stages: Sequence[str] = ()) -> list[Ledger]:
    """Every company x stage ledger (or one company's), sorted by company then by ``stages`` (the pack's
    order of stages, ``weights.yaml``); stages it does not list come last, alphabetically."""
    groups: dict[tuple[str, str], list[ClaimRecord]] = defaultdict(list)
    for claim in records:
        if _is_dated(claim) and (entity is None or claim.subject.casefold() == entity.casefold()):
            groups[(claim.subject, claim.stage or "")].append(claim)
    ledgers = [build_ledger(e, s, claims) for (e, s), claims in groups.items()]
    ledgers.sort(key=ledger_order(stages))
    return ledgers


def ledger_order(stages: Sequence[str]) -> Callable[[Ledger], tuple[str, int, str]]:
    """The sort key of ledgers: by company, then by ``stages`` (unlisted stages last, alphabetically)."""
    order = {s: i for i, s in enumerate(stages)}
    return lambda led: (led.entity, order.get(led.stage, 99), led.stage)



@dataclass(frozen=True)
class Move:
    """One slip or pull-in, as ``changes`` and the digest list them."""

    ledger: Ledger
    entry: LedgerEntry
    previous: str

    @property
    def summary(self) -> str:
        word = "slipped" if self.entry.move == "slip" else "pulled in"
        return (f"{self.ledger.entity} {self.ledger.stage.replace('_', ' ')} target {word} from {self.previous} "
                f"to {self.entry.target} ({self.entry.claim.source_name}, {self.entry.reported or 'undated'})")


def moves(ledgers: Iterable[Ledger]) -> list[Move]:
    """Every slip and pull-in with the target it replaced."""
    out = []
    for ledger in ledgers:
        previous = None
        for entry in ledger.entries:
            if entry.move in {"slip", "pull_in"} and previous is not None:
                out.append(Move(ledger, entry, previous.target))
            if entry.move not in {"recalled", "same_source"}:
                previous = entry
    return out
