"""The analysis a group of claims at a time: facts, conflicts and ledgers of one subject, then the next.

Facts (entity x kind x metric x period), number conflicts and scope differences (one entity's facts) and
ledgers (company x stage) never look past one subject's claims (``analysis.incremental`` relies on the
same); standing conflicts never look past one aspect's standings. So the claims can come one subject at a
time (and the ranked standings one aspect at a time), each group analysed and dropped, keeping only the
outputs. The parts that compare entities are computed from those outputs:

- checks read only claims that facts hold (money with a dollar figure, counts, shares and ranked figures
  with a value), so they run over the facts' claims in id order;
- boards read facts and ledgers, plus who the claims are about and the dated company targets, which are
  gathered while the groups go by (``BoardInputs``: one triple per subject, and targets a board cites).

Every part is sorted by a total order at the end (``fact_order``, ``conflict_order``, ``ledger_order``),
so the results equal those of the whole list of claims, whatever order the groups came in.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from ssbrace.analysis.config import AnalysisConfig
from ssbrace.analysis.conflicts import Conflict, conflict_order, fact_conflicts, standing_conflicts
from ssbrace.analysis.facts import Fact, build_facts, fact_order
from ssbrace.analysis.roadmaps import Ledger, build_ledgers, ledger_order
from ssbrace.analysis.scoreboard import BoardInputs, is_board_spec, is_board_target
from ssbrace.kb.records import ClaimRecord

T = TypeVar("T")


class GroupedClaims(Protocol):
    """Claims that come a group at a time (``kb.queries.StoredClaimGroups`` reads them from a store)."""

    @property
    def records(self) -> Sequence[ClaimRecord]:
        """All the claims, in id order (may be read again on each pass)."""
        ...

    def by_subject(self) -> Iterable[Sequence[ClaimRecord]]:
        """Every claim but the ranked standings, one sequence per subject, each in id order."""
        ...

    def by_aspect(self) -> Iterable[Sequence[ClaimRecord]]:
        """The standings with an aspect, one sequence per aspect, each in id order."""
        ...


@dataclass(frozen=True)
class GroupedParts:
    """The outputs of an analysis made a group at a time."""

    facts: list[Fact]
    conflicts: list[Conflict]
    ledgers: list[Ledger]
    board_inputs: BoardInputs
    claims: int  # how many claims were read


def analyse_groups(by_subject: Iterable[Sequence[ClaimRecord]], by_aspect: Iterable[Sequence[ClaimRecord]],
                   config: AnalysisConfig, timings: dict[str, float] | None = None) -> GroupedParts:
    """Facts, conflicts, ledgers and the boards' inputs from claims that come a group at a time.

    Args:
        by_subject: every claim but the ranked standings, one sequence per subject (each subject once),
            each in id order (``kb.queries.claims_by_subject``).
        by_aspect: the standings with an aspect, one sequence per aspect, each in id order
            (``kb.queries.standings_by_aspect``).
        config: the analysis settings.
        timings: when given, seconds spent per stage are added to it: ``load`` (waiting for the next
            group: the query and the records), ``facts``, ``conflicts``, ``ledgers``, ``sort``.

    Returns:
        The parts, each sorted as ``Knowledge.of`` over the same claims sorts it.
    """
    facts: list[Fact] = []
    conflicts: list[Conflict] = []
    ledgers: list[Ledger] = []
    subjects: set[tuple[str, str, str | None]] = set()
    targets: list[ClaimRecord] = []
    claims = 0

    def note(group: Sequence[ClaimRecord]) -> None:
        nonlocal claims
        claims += len(group)
        for c in group:
            subjects.add((c.subject, c.subject_type, c.subject_country))
            if is_board_target(c):
                targets.append(c)

    spent = timings if timings is not None else {}
    clock = _Clock(spent)
    for group in clock.each("load", by_subject):
        note(group)
        with clock("facts"):
            found = build_facts(group, config)
            facts += found
        with clock("conflicts"):
            conflicts += fact_conflicts(found, config)
        with clock("ledgers"):
            ledgers += build_ledgers(group, stages=config.stages)
    for group in clock.each("load", by_aspect):
        note(group)
        with clock("conflicts"):
            conflicts += standing_conflicts(group)

    clock.start("sort")
    # Stable sorts: facts of one entity tie only with one another and arrive in their own order.
    facts.sort(key=fact_order)
    conflicts.sort(key=conflict_order)
    ledgers.sort(key=ledger_order(config.stages))
    targets.sort(key=_id)
    specs = sorted((c for c in fact_claims(facts) if is_board_spec(c)), key=_id)
    inputs = BoardInputs(frozenset(subjects), tuple(targets), tuple(specs))
    clock.stop("sort")
    return GroupedParts(facts, conflicts, ledgers, inputs, claims)


def fact_claims(facts: Iterable[Fact]) -> list[ClaimRecord]:
    """The claims behind some facts, in id order (each claim belongs to one fact at most)."""
    return sorted((c for f in facts for c in f.claims), key=_id)


def _id(record: ClaimRecord) -> int:
    return record.id


class _Clock:
    """Seconds per stage, added up into a dict (cheap enough to run always: a few calls per group)."""

    def __init__(self, spent: dict[str, float]) -> None:
        self.spent = spent
        self._started: dict[str, float] = {}

    def start(self, name: str) -> None:
        self._started[name] = time.perf_counter()

    def stop(self, name: str) -> None:
        self.spent[name] = self.spent.get(name, 0.0) + time.perf_counter() - self._started.pop(name)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        self.start(name)
        try:
            yield
        finally:
            self.stop(name)

    def each(self, name: str, items: Iterable[T]) -> Iterator[T]:
        """The items of ``items``, the time spent waiting for each counted under ``name``."""
        it = iter(items)
        while True:
            self.start(name)
            try:
                item = next(it)
            except StopIteration:
                self.stop(name)
                return
            self.stop(name)
            yield item
