"""Loading and validating a domain pack folder."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ssbrace.domains.schema import Currency, Gazetteer, Topic
from ssbrace.errors import DomainPackError

PACKS = Path(__file__).parent


@dataclass(frozen=True)
class DomainPack:
    name: str
    path: Path
    gazetteer: Gazetteer
    currencies: tuple[Currency, ...]
    vocabulary: dict[str, Any]
    topics: tuple[Topic, ...]
    weights: dict[str, float]
    # (year, currency) -> units per USD
    fx: dict[tuple[int, str], float] = field(default_factory=dict)
    fx_source: str = ""

    def usd_rate(self, currency: str, year: int | None) -> float | None:
        """Units of ``currency`` per US dollar in ``year``, or the nearest year the table has."""
        if currency == "USD":
            return 1.0
        years = sorted(y for (y, c) in self.fx if c == currency)
        if not years:
            return None
        if year is None:
            year = years[-1]
        nearest = min(years, key=lambda y: (abs(y - year), -y))
        return self.fx[(nearest, currency)]


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DomainPackError(f"domain pack file missing: {path}") from None
    except yaml.YAMLError as exc:
        raise DomainPackError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from None


def _read_fx(path: Path) -> dict[tuple[int, str], float]:
    rates: dict[tuple[int, str], float] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rates[(int(row["year"]), row["currency"].strip().upper())] = float(row["units_per_usd"])
    return rates


def _first_line(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']} ({exc.error_count()} error(s))"


@cache
def load_domain(name_or_path: str = "solid_state_batteries") -> DomainPack:
    """Load a pack by name (a folder in ``ssbrace/domains``) or by path; cached per process."""
    path = Path(name_or_path)
    if not path.is_dir():
        path = PACKS / name_or_path
    if not path.is_dir():
        raise DomainPackError(f"no domain pack named {name_or_path!r}")
    try:
        gazetteer = Gazetteer.model_validate(_read_yaml(path / "gazetteer.yaml"))
        currencies_raw = _read_yaml(path / "currencies.yaml")
        currencies = tuple(Currency.model_validate(c) for c in currencies_raw["currencies"])
        topics_file = path / "topics.yaml"
        topics = tuple(Topic.model_validate(t) for t in (_read_yaml(topics_file) or {}).get("topics", [])) \
            if topics_file.exists() else ()
    except ValidationError as exc:
        raise DomainPackError(f"domain pack {path.name}: {_first_line(exc)}") from None
    vocabulary = _read_yaml(path / "vocabulary.yaml") if (path / "vocabulary.yaml").exists() else {}
    weights_file = path / "weights.yaml"
    weights = (_read_yaml(weights_file) or {}).get("weights", {}) if weights_file.exists() else {}
    fx_file = path / "fx.csv"
    fx = _read_fx(fx_file) if fx_file.exists() else {}
    return DomainPack(
        name=path.name,
        path=path,
        gazetteer=gazetteer,
        currencies=currencies,
        vocabulary=vocabulary or {},
        topics=topics,
        weights={k: float(v) for k, v in weights.items()},
        fx=fx,
        fx_source=str((vocabulary or {}).get("fx_source", "")),
    )
