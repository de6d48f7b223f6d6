"""Loading and validating a domain pack folder: each file read and checked once per process."""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ssbrace.domains.schema import Analysis, Currency, Gazetteer, Indicator, Topic
from ssbrace.domains.vocabulary import Vocabulary
from ssbrace.errors import DomainPackError
from ssbrace.patents.landscape import Landscape

PACKS = Path(__file__).parent


@dataclass(frozen=True)
class DomainPack:
    name: str
    path: Path
    gazetteer: Gazetteer
    currencies: tuple[Currency, ...]
    vocabulary: Vocabulary
    topics: tuple[Topic, ...]
    analysis: Analysis = field(default_factory=Analysis)  # weights.yaml
    # scale words of currencies.yaml ("bn" -> 1e9), over the extractor's common English ones
    scales: dict[str, float] = field(default_factory=dict)
    # (year, currency) -> units per USD
    fx: dict[tuple[int, str], float] = field(default_factory=dict)
    fx_source: str = ""
    patents: Landscape | None = None  # patents.yaml: the landscape patent counts are computed over

    @property
    def weights(self) -> dict[str, float]:
        """The scoreboard's weights, indicator name -> weight."""
        return dict(self.analysis.weights)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(self.analysis.indicators)

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


def _first_line(exc: ValidationError, model: type[BaseModel] | None = None) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    if first["type"] == "extra_forbidden" and model is not None:
        # a key the schema does not know: most often a typo of one it does
        close = difflib.get_close_matches(str(first["loc"][-1]), list(model.model_fields), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close and len(first["loc"]) == 1 else ""
        return f"unknown key {where!r}{hint} ({exc.error_count()} error(s))"
    return f"{where}: {first['msg']} ({exc.error_count()} error(s))"


def _validated(model: type[BaseModel], path: Path, raw: Any) -> Any:
    """``raw`` (one YAML file) as ``model``; a DomainPackError naming the file and the first bad key."""
    try:
        return model.model_validate(raw or {})
    except ValidationError as exc:
        raise DomainPackError(f"domain pack {path.parent.name}: {path.name}: {_first_line(exc, model)}") from None


def _check_stages(vocabulary: Vocabulary, analysis: Analysis, path: Path) -> None:
    """Every stage the extractor can name has its place in the ledgers' order."""
    if not analysis.stages:
        return
    named = [s for table in (vocabulary.stages, vocabulary.stages_vehicle, vocabulary.stages_weak) for s in table]
    missing = [s for s in named if s not in analysis.stages]
    if missing:
        raise DomainPackError(f"domain pack {path.name}: weights.yaml: stages lacks {', '.join(missing)} "
                              "(named in vocabulary.yaml)")


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
    scales = _scales(currencies_raw.get("scales"), path / "currencies.yaml")
    vocabulary_file = path / "vocabulary.yaml"
    vocabulary = _validated(Vocabulary, vocabulary_file,
                            _read_yaml(vocabulary_file) if vocabulary_file.exists() else {})
    weights_file = path / "weights.yaml"
    analysis = _validated(Analysis, weights_file, _read_yaml(weights_file) if weights_file.exists() else {})
    _check_stages(vocabulary, analysis, path)
    fx_file = path / "fx.csv"
    fx = _read_fx(fx_file) if fx_file.exists() else {}
    patents_file = path / "patents.yaml"
    patents = _validated(Landscape, patents_file, _read_yaml(patents_file)) if patents_file.exists() else None
    return DomainPack(
        name=path.name,
        path=path,
        gazetteer=gazetteer,
        currencies=currencies,
        vocabulary=vocabulary,
        topics=topics,
        analysis=analysis,
        scales=scales,
        fx=fx,
        fx_source=vocabulary.fx_source,
        patents=patents,
    )


def _scales(raw: Any, path: Path) -> dict[str, float]:
    """currencies.yaml's ``scales:`` map, word -> factor."""
    if not isinstance(raw, dict):
        return {}
    try:
        return {str(word).lower(): float(value) for word, value in raw.items()}
    except (TypeError, ValueError) as exc:
        raise DomainPackError(f"{path}: scales: {exc}") from None
