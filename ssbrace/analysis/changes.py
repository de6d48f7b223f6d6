"""Changes since a date: new facts, moved targets, new conflicts (what the digest email lists).

A claim's date is its document's publication date, or the day it entered the store when the document
has none. A fact is new when its first statement is on or after the date; a conflict is new when its
latest statement is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ssbrace.analysis.config import AnalysisConfig
from ssbrace.analysis.conflicts import Conflict, find_conflicts
from ssbrace.analysis.facts import Fact, build_facts, format_value
from ssbrace.analysis.roadmaps import Move, build_ledgers, moves
from ssbrace.kb.records import ClaimRecord


@dataclass(frozen=True)
class NewFact:
    fact: Fact

    @property
    def summary(self) -> str:
        f = self.fact
        what = f.key.kind.replace("_", " ") + (f" ({f.key.dimension.replace('_', ' ')})" if f.key.dimension else "")
        value = "" if f.value is None else f" {format_value(f.value, f.key.unit, f.bound)}"
        sources = ", ".join(f.sources)
        return f"{f.key.entity}: {what}{value}, {f.period} ({sources})"


@dataclass(frozen=True)
class Changes:
    since: date
    new_facts: list[NewFact]
    moved_targets: list[Move]
    new_conflicts: list[Conflict]

    @property
    def empty(self) -> bool:
        return not (self.new_facts or self.moved_targets or self.new_conflicts)


def changes_since(records: Sequence[ClaimRecord], since: date, config: AnalysisConfig) -> Changes:
    """What is new since ``since`` (inclusive): facts first stated, targets moved, conflicts raised."""
    facts = build_facts(records, config)
    return changes_of(facts, moves(build_ledgers(records, stages=config.stages)),
                      find_conflicts(records, config, facts), since)


def changes_of(facts: Sequence[Fact], moved: Sequence[Move], conflicts: Sequence[Conflict], since: date) -> Changes:
    """``changes_since`` from an analysis's parts (``Knowledge.facts``, ``.moves``, ``.conflicts``)."""
    new_facts = [NewFact(f) for f in facts if f.first_seen is not None and f.first_seen >= since]
    new_facts.sort(key=lambda n: (n.fact.first_seen, n.fact.key.entity))
    recent = [m for m in moved if m.entry.reported is not None and m.entry.reported >= since]
    recent.sort(key=lambda m: (m.entry.reported, m.ledger.entity))
    raised = [c for c in conflicts if c.type != "scope" and c.newest is not None and c.newest >= since]
    return Changes(since, new_facts, recent, raised)
