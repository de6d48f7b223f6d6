"""Changes since a date: new facts, moved targets, new conflicts (what the digest email lists).

A claim's date is its document's publication date, or the day it entered the store when the document
has none. A fact is new when its first statement is on or after the date; a conflict is new when its
latest statement is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ssbrace.analysis.config import AnalysisConfig
from ssbrace.analysis.conflicts import Conflict, find_conflicts
from ssbrace.analysis.facts import Fact, build_facts, format_value
from ssbrace.analysis.roadmaps import Move, build_ledgers, moves
from ssbrace.kb.records import ClaimRecord

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ssbrace.kb.store import Store


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


def _records(session_or_records: Session | Store | Sequence[ClaimRecord]) -> list[ClaimRecord]:
    """Claim records from a list, a Store or an open session."""
    if isinstance(session_or_records, Sequence):
        return list(session_or_records)
    from ssbrace.kb.queries import claim_records  # the store is only touched when one is given
    from ssbrace.kb.store import Store

    if isinstance(session_or_records, Store):
        with session_or_records.session() as session:
            return claim_records(session)
    return claim_records(session_or_records)


def changes_since(session_or_records: Session | Store | Sequence[ClaimRecord], since: date, config: AnalysisConfig | None = None) -> Changes:
    """What is new since ``since`` (inclusive): facts first stated, targets moved, conflicts raised."""
    if config is None:
        from ssbrace.analysis.config import config_from_pack
        from ssbrace.domains.loader import load_domain

        config = config_from_pack(load_domain())
    records = _records(session_or_records)
    facts = build_facts(records, config)
    new_facts = [NewFact(f) for f in facts if f.first_seen is not None and f.first_seen >= since]
    new_facts.sort(key=lambda n: (n.fact.first_seen, n.fact.key.entity))
    moved = [m for m in moves(build_ledgers(records, stages=config.stages))
             if m.entry.reported is not None and m.entry.reported >= since]
    moved.sort(key=lambda m: (m.entry.reported, m.ledger.entity))
    conflicts = [c for c in find_conflicts(records, config, facts) if c.type != "scope"
                 and c.newest is not None and c.newest >= since]
    return Changes(since, new_facts, moved, conflicts)
