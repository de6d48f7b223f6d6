"""Everything the analysis derives from one set of claims, computed once and shared by the outputs."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ssbrace.analysis.checks import Finding, run_checks
from ssbrace.analysis.config import AnalysisConfig, config_from_pack
from ssbrace.analysis.conflicts import Conflict, find_conflicts
from ssbrace.analysis.facts import Fact, build_facts
from ssbrace.analysis.incremental import updated_parts
from ssbrace.analysis.roadmaps import Ledger, Move, build_ledgers, moves
from ssbrace.analysis.rows import claim_rows, fact_rows
from ssbrace.analysis.scoreboard import Board, build_scoreboard
from ssbrace.domains.loader import DomainPack
from ssbrace.kb.records import ClaimRecord


@dataclass
class Knowledge:
    """Facts, conflicts, ledgers, checks and boards over one list of claim records (lazy, cached)."""

    records: Sequence[ClaimRecord]
    pack: DomainPack
    config: AnalysisConfig

    @classmethod
    def of(cls, records: Sequence[ClaimRecord], pack: DomainPack, weights: dict[str, float] | None = None) -> Knowledge:
        config = config_from_pack(pack)
        if weights:
            config = config.with_weights(weights)
        return cls(records, pack, config)

    def updated(self, changed: Sequence[ClaimRecord], removed: Collection[int]) -> Knowledge:
        """This analysis after a change to its claims: ``removed`` ids dropped, ``changed`` claims added or
        replaced. Only the touched entities' facts, conflicts and ledgers are recomputed (the parts this one
        has computed already); checks and boards are recomputed whole when asked for. ``records`` must be in
        id order, as ``claim_records`` reads them."""
        computed = self.__dict__  # what the cached properties below have computed so far
        parts = updated_parts(self.records, self.config, changed, removed, computed.get("facts"),
                              computed.get("conflicts"), computed.get("ledgers"))
        fresh = Knowledge(parts.records, self.pack, self.config)
        for name in ("facts", "conflicts", "ledgers"):
            if getattr(parts, name) is not None:
                fresh.__dict__[name] = getattr(parts, name)
        return fresh

    @cached_property
    def facts(self) -> list[Fact]:
        return build_facts(self.records, self.config)

    @cached_property
    def conflicts(self) -> list[Conflict]:
        return find_conflicts(self.records, self.config, self.facts)

    @cached_property
    def ledgers(self) -> list[Ledger]:
        return build_ledgers(self.records, stages=self.config.stages)

    @cached_property
    def moves(self) -> list[Move]:
        return moves(self.ledgers)

    @cached_property
    def findings(self) -> list[Finding]:
        return run_checks(self.records, self.config, self.pack.usd_rate, self.facts)

    def board(self, by: str = "country") -> Board:
        return build_scoreboard(self.records, self.config, by, self.facts, self.ledgers)

    def claim_rows(self) -> list[dict[str, Any]]:
        """The claims as flat dicts: ``pandas.DataFrame(k.claim_rows())``."""
        return claim_rows(self.records)

    def fact_rows(self) -> list[dict[str, Any]]:
        """The facts as flat dicts: ``pandas.DataFrame(k.fact_rows())``."""
        return fact_rows(self.facts)
