"""An analysis brought up to date after a change to its claims, recomputing only what the change touched.

Each stage groups claims, and its groups say what a changed claim can reach:
- facts: entity (the claim's subject) x kind x metric x period, so the subject's facts;
- number conflicts and scope differences: read from one entity's facts, so the same subjects;
- standing conflicts: orderings grouped by aspect across entities, so the aspects of changed standings;
- ledgers: company (subject) x stage, so the subjects.
Those parts are recomputed for the touched subjects and aspects and spliced into the untouched ones; the
parts that compare entities with one another (checks, boards) are left to be recomputed whole from the
spliced results. The outcome equals a fresh analysis of the new claims: every part is sorted by a total
order (``fact_order``, ``conflict_order``, ``ledger_order``), so a spliced list and a fresh one agree.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ssbrace.analysis.config import AnalysisConfig
from ssbrace.analysis.conflicts import Conflict, conflict_order, fact_conflicts, standing_conflicts
from ssbrace.analysis.facts import Fact, build_facts, fact_order
from ssbrace.analysis.roadmaps import Ledger, build_ledgers, ledger_order
from ssbrace.kb.records import ClaimRecord

T = TypeVar("T")


@dataclass(frozen=True)
class Parts:
    """The new claims and whichever of the old analysis's parts could be brought up to date."""

    records: list[ClaimRecord]
    facts: list[Fact] | None
    conflicts: list[Conflict] | None
    ledgers: list[Ledger] | None


def _id(record: ClaimRecord) -> int:
    return record.id


def _insert_sorted(kept: list[T], new: Iterable[T], key: Callable[[T], Any]) -> list[T]:
    """``new`` placed into ``kept`` (sorted by ``key``), each after its equals: the same list a stable sort of
    ``kept + new`` gives, at a few key computations per new item instead of one per kept item."""
    for item in new:
        kept.insert(bisect.bisect_right(kept, key(item), key=key), item)
    return kept


def updated_parts(records: Sequence[ClaimRecord], config: AnalysisConfig, changed: Sequence[ClaimRecord],
                  removed: Collection[int], facts: Sequence[Fact] | None = None,
                  conflicts: Sequence[Conflict] | None = None, ledgers: Sequence[Ledger] | None = None) -> Parts:
    """The analysis of ``records`` (in id order) with the claims ``removed`` names dropped and ``changed``
    added or replaced (same id: a claim linked anew). ``facts``, ``conflicts`` and ``ledgers`` are the old
    analysis's parts where it has them; a part it lacks stays None (to be computed whole when asked for).

    Args:
        records: the old claims, sorted by id.
        config: the analysis settings the old parts were computed with.
        changed: new or altered claims.
        removed: ids of claims no longer in the store.
        facts, conflicts, ledgers: the old analysis's parts, or None.

    Returns:
        The new claims (sorted by id) and the parts brought up to date.
    """
    replaced = {r.id for r in changed}
    gone = set(removed) | replaced
    kept: list[ClaimRecord] = []
    dropped: list[ClaimRecord] = []
    for record in records:
        (dropped if record.id in gone else kept).append(record)
    added = sorted((r for r in changed if r.id not in removed), key=_id)
    new_records = list(heapq.merge(kept, added, key=_id))

    # A claim reaches its subject's facts, conflicts and ledgers, before the change and after it.
    subjects = {r.subject for r in dropped} | {r.subject for r in added}
    aspects = {r.aspect for r in (*dropped, *added) if r.kind == "standing" and r.aspect}
    touched = [r for r in new_records if r.subject in subjects]

    new_facts: list[Fact] | None = None
    if facts is not None:
        # Ties of ``fact_order`` lie within one entity, whose facts all come from one side.
        new_facts = _insert_sorted([f for f in facts if f.key.entity not in subjects], build_facts(touched, config),
                                   fact_order)

    new_conflicts: list[Conflict] | None = None
    if conflicts is not None and new_facts is not None:
        def stays(c: Conflict) -> bool:
            if c.kind == "standing":  # standings are grouped by aspect; each conflict holds one aspect
                return c.claims[0].aspect not in aspects
            return c.entity not in subjects

        touched_facts = [f for f in new_facts if f.key.entity in subjects]
        standings = [r for r in new_records if r.kind == "standing" and r.aspect in aspects]
        new_conflicts = _insert_sorted([c for c in conflicts if stays(c)],
                                       sorted(fact_conflicts(touched_facts, config) + standing_conflicts(standings),
                                              key=conflict_order), conflict_order)

    new_ledgers: list[Ledger] | None = None
    if ledgers is not None:
        new_ledgers = _insert_sorted([led for led in ledgers if led.entity not in subjects],
                                     build_ledgers(touched, stages=config.stages), ledger_order(config.stages))

    return Parts(new_records, new_facts, new_conflicts, new_ledgers)
