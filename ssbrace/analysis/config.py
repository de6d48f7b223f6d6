"""The analysis settings of a domain pack (``weights.yaml``): weights, tolerances, scopes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from ssbrace.domains.loader import DomainPack
from ssbrace.errors import DomainPackError, UsageError


@dataclass(frozen=True)
class AnalysisConfig:
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


def _raw(pack: DomainPack) -> dict[str, Any]:
    path = pack.path / "weights.yaml"
    if not path.exists():
        return {}
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DomainPackError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from None


def config_from_pack(pack: DomainPack) -> AnalysisConfig:
    """Read the pack's analysis settings; defaults for whatever the file leaves out."""
    raw = _raw(pack)
    tol = raw.get("tolerances") or {}
    families = {tech: fam for fam, techs in (raw.get("technology_families") or {}).items() for tech in techs}
    base = AnalysisConfig()
    try:
        return AnalysisConfig(
            weights=dict(pack.weights),
            tolerance=float(tol.get("default", base.tolerance)),
            approx_tolerance=float(tol.get("approx", base.approx_tolerance)),
            spec_tolerance=float(tol.get("spec", base.spec_tolerance)),
            spec_year_window=int(raw.get("spec_year_window", base.spec_year_window)),
            fx_tolerance=float(raw.get("fx_tolerance", base.fx_tolerance)),
            scope_fields=dict(raw.get("scope_fields") or base.scope_fields),
            technology_families=families,
            board={str(k): str(v) for k, v in (raw.get("board") or {}).items()},
        )
    except (TypeError, ValueError) as exc:
        raise DomainPackError(f"{pack.path / 'weights.yaml'}: {exc}") from None


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
