"""The analysis settings of a domain pack (``weights.yaml``, read by the loader): weights, tolerances,
scopes, the scoreboard's indicators and the ledgers' stage order."""

from __future__ import annotations

from dataclasses import dataclass, field

from ssbrace.domains.loader import DomainPack
from ssbrace.domains.schema import Indicator
from ssbrace.errors import UsageError


@dataclass(frozen=True)
class AnalysisConfig:
    indicators: tuple[Indicator, ...] = ()
    stages: tuple[str, ...] = ()  # the order of a company's ledgers
    weights: dict[str, float] = field(default_factory=dict)
    tolerance: float = 0.02
    approx_tolerance: float = 0.10
    spec_tolerance: float = 0.25
    spec_year_window: int = 1
    fx_tolerance: float = 0.15
    scope_fields: dict[str, str] = field(default_factory=lambda: {
        "market_share": "segment", "patents": "technology", "patent_share": "technology"})
    technology_families: dict[str, str] = field(default_factory=dict)  # technology -> family
    board: dict[str, str] = field(default_factory=dict)

    def family(self, technology: str | None) -> str:
        """The family a technology is compared within (itself when the pack names none)."""
        if technology is None:
            return ""
        return self.technology_families.get(technology, technology)

    def with_weights(self, overrides: dict[str, float]) -> AnalysisConfig:
        """A copy with some weights replaced; unknown names are a UsageError."""
        unknown = set(overrides) - set(self.weights)
        if unknown:
            raise UsageError(f"unknown weight(s) {', '.join(sorted(unknown))}; known: {', '.join(self.weights)}")
        return AnalysisConfig(**{**self.__dict__, "weights": {**self.weights, **overrides}})


def config_from_pack(pack: DomainPack) -> AnalysisConfig:
    """The pack's analysis settings (validated when the pack loaded); defaults for what it leaves out."""
    raw = pack.analysis
    families = {tech: fam for fam, techs in raw.technology_families.items() for tech in techs}
    return AnalysisConfig(
        indicators=tuple(raw.indicators),
        stages=tuple(raw.stages),
        weights=dict(raw.weights),
        tolerance=raw.tolerances.default,
        approx_tolerance=raw.tolerances.approx,
        spec_tolerance=raw.tolerances.spec,
        spec_year_window=raw.spec_year_window,
        fx_tolerance=raw.fx_tolerance,
        scope_fields=dict(raw.scope_fields or AnalysisConfig().scope_fields),
        technology_families=families,
        board=dict(raw.board),
    )


def parse_weight_overrides(items: list[str]) -> dict[str, float]:
    """``["patents=2", "funding=0.5"]`` -> ``{"patents": 2.0, "funding": 0.5}``; UsageError when malformed."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            number = float(value)
        except ValueError:
            raise UsageError(f"--weight expects NAME=NUMBER, got {item!r}") from None
        if number < 0:
            raise UsageError(f"--weight {name}: weights cannot be negative")
        out[name.strip()] = number
    return out
