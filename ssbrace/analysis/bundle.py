"""Everything the analysis derives from one set of claims, computed once and shared by the outputs.

``Knowledge.of(records, ...)`` analyses claims held in memory; ``Knowledge.of_grouped(claims, ...)`` takes
them a subject at a time (``analysis.chunked``; ``kb.queries.StoredClaimGroups`` streams a store's) and
keeps only the outputs, so its memory grows with the facts, conflicts and ledgers rather than with every
claim; the two give the same parts.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ssbrace.analysis.checks import Finding, run_checks
from ssbrace.analysis.chunked import GroupedClaims, analyse_groups, fact_claims
from ssbrace.analysis.config import AnalysisConfig, config_from_pack
from ssbrace.analysis.conflicts import Conflict, find_conflicts
from ssbrace.analysis.facts import Fact, build_facts
from ssbrace.analysis.incremental import updated_parts
from ssbrace.analysis.roadmaps import Ledger, Move, build_ledgers, moves
from ssbrace.analysis.rows import claim_rows, fact_rows
from ssbrace.analysis.scoreboard import Board, BoardInputs, board_inputs, scoreboard
from ssbrace.domains.loader import DomainPack
from ssbrace.kb.records import ClaimRecord


@dataclass
class Knowledge:
    """Facts, conflicts, ledgers, checks and boards over one list of claim records (lazy, cached)."""

    records: Sequence[ClaimRecord]
    pack: DomainPack
    config: AnalysisConfig
    # True when the parts were computed a group at a time (``of_grouped``): ``records`` may then be a view
    # that reads the store again when iterated, so the checks read the facts' claims instead.
    grouped: bool = False

    @classmethod
    def of(cls, records: Sequence[ClaimRecord], pack: DomainPack, weights: dict[str, float] | None = None) -> Knowledge:
        return cls(records, pack, _config(pack, weights))

    @classmethod
    def of_grouped(cls, claims: GroupedClaims, pack: DomainPack, weights: dict[str, float] | None = None,
                   timings: dict[str, float] | None = None) -> Knowledge:
        """The analysis of claims that come a subject at a time: facts, conflicts, ledgers and the boards'
        inputs are computed as the groups go by, and only they are kept. The same parts as ``Knowledge.of``
        over the same claims; ``records`` is ``claims.records``.

        ``Knowledge.of_grouped(StoredClaimGroups(store), pack)`` analyses a store (``kb.queries``): its
        claims are streamed, and its ``records`` view reads them again when iterated, a page at a time.

        Args:
            claims: the claims by subject and by aspect (``analysis.chunked.GroupedClaims``).
            pack: the domain pack (analysis settings, currency rates).
            weights: scoreboard weight overrides, indicator name -> weight.
            timings: when given, seconds per stage are added to it (``chunked.analyse_groups``).
        """
        config = _config(pack, weights)
        parts = analyse_groups(claims.by_subject(), claims.by_aspect(), config, timings)
        knowledge = cls(claims.records, pack, config, grouped=True)
        for name in ("facts", "conflicts", "ledgers", "board_inputs"):
            knowledge.__dict__[name] = getattr(parts, name)
        return knowledge

    def updated(self, changed: Sequence[ClaimRecord], removed: Collection[int]) -> Knowledge:
        """This analysis after a change to its claims: ``removed`` ids dropped, ``changed`` claims added or
        replaced. Only the touched entities' facts, conflicts and ledgers are recomputed (the parts this one
        has computed already); checks and boards are recomputed whole when asked for. ``records`` must be in
        id order, as ``claim_records`` reads them."""
        computed = self.__dict__  # what the cached properties below have computed so far
        parts = updated_parts(self.records, self.config, changed, removed, computed.get("facts"),
                              computed.get("conflicts"), computed.get("ledgers"))
        fresh = Knowledge(parts.records, self.pack, self.config)  # in memory from here on
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
        # Every claim a check reads is held by a fact (``analysis.chunked``), so a grouped analysis, which
        # holds no claims, checks the facts' claims: the same findings.
        records = fact_claims(self.facts) if self.grouped else self.records
        return run_checks(records, self.config, self.pack.usd_rate, self.facts)

    @cached_property
    def board_inputs(self) -> BoardInputs:
        return board_inputs(self.records)

    def board(self, by: str = "country") -> Board:
        return scoreboard(self.board_inputs, self.config, by, self.facts, self.ledgers)

    def claim_rows(self) -> list[dict[str, Any]]:
        """The claims as flat dicts: ``pandas.DataFrame(k.claim_rows())``."""
        return claim_rows(self.records)

    def fact_rows(self) -> list[dict[str, Any]]:
        """The facts as flat dicts: ``pandas.DataFrame(k.fact_rows())``."""
        return fact_rows(self.facts)


def _config(pack: DomainPack, weights: dict[str, float] | None) -> AnalysisConfig:
    config = config_from_pack(pack)
    return config.with_weights(weights) if weights else config
