"""A trained model decides: which candidate of each group is a claim, if any.

The model is a logistic regression over the sparse features of ``ssbrace.extract.candidates``, stored as a
small JSON file inside the package (weights by feature name, the bias, a threshold per kind), so loading it
needs neither scikit-learn nor pickle, and scoring a candidate is a dot product. ``ssbrace.extract.train``
rebuilds it from the annotated corpora with a fixed seed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from ssbrace.extract.candidates import Candidate
from ssbrace.models import Claim

MODEL_PATH = Path(__file__).resolve().parent / "model" / "decider.json"


@dataclass(frozen=True)
class Decider:
    weights: dict[str, float]
    bias: float
    thresholds: dict[str, float]
    threshold: float
    digest: str
    rule_threshold: float = 0.25
    margin: float = 0.0  # the first characters of the file's sha256: the model's version

    @classmethod
    def from_json(cls, data: dict, digest: str = "") -> Decider:
        return cls(weights=dict(data["weights"]), bias=float(data["bias"]),
                   thresholds={k: float(v) for k, v in (data.get("thresholds") or {}).items()},
                   threshold=float(data.get("threshold", 0.5)), digest=digest,
                   rule_threshold=float(data.get("rule_threshold", data.get("threshold", 0.5))),
                   margin=float(data.get("margin", 0.0)))

    def __post_init__(self) -> None:
        # Each feature is learned twice, shared and apart for rule claims ("R|") and new readings ("N|")
        # (``marked``); folding the two weights into one table per source makes scoring one lookup a feature.
        tables: dict[str, dict[str, float]] = {"R|": {}, "N|": {}}
        for name, weight in self.weights.items():
            mark = name[:2]
            if mark in tables:
                tables[mark][name[2:]] = tables[mark].get(name[2:], 0.0) + float(weight)
            else:
                for table in tables.values():
                    table[name] = table.get(name, 0.0) + float(weight)
        object.__setattr__(self, "_tables", tables)

    def probability(self, features: dict[str, float], source: str = "rule") -> float:
        table = self._tables["R|" if source == "rule" else "N|"]  # type: ignore[attr-defined]
        # every feature the candidates carry is an indicator (value 1.0): a sum of weights, no products
        z = self.bias + sum(map(table.get, features, repeat(0.0)))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def choose(self, candidates: list[Candidate]) -> list[Claim]:
        """The best candidate of each group, when the model believes it; in document order."""
        best: dict[int, tuple[float, int, Candidate]] = {}
        for order, cand in enumerate(candidates):
            held = best.get(cand.group)
            if held is not None and held[2].source == "rule" and held[0] >= self.rule_threshold:
                continue  # the rules' reading stands while the model believes it: others only repair a rejected one
            p = self.probability(cand.features, cand.source)
            margin = self.margin if held is not None and held[2].source == "rule" else 0.0
            if held is None or p > held[0] + margin:
                best[cand.group] = (p, order, cand)
        chosen = []
        for p, _order, cand in sorted(best.values(), key=lambda t: t[1]):
            # A rule claim is dropped only when the model is fairly sure it is wrong; a reading the rules
            # passed over is added only when the model is fairly sure it is right.
            bar = self.rule_threshold if cand.source == "rule" else self.thresholds.get(cand.claim.kind, self.threshold)
            if p >= bar:
                if cand.source != "rule":  # a rule claim keeps the rules' own confidence
                    cand.claim.confidence = round(p, 2)
                chosen.append(cand.claim)
        return chosen


@lru_cache(maxsize=1)
def _model_bytes() -> bytes | None:
    return MODEL_PATH.read_bytes() if MODEL_PATH.exists() else None


def model_digest() -> str:
    """The first characters of the shipped model's sha256 ("none" without a model): its version."""
    raw = _model_bytes()
    return hashlib.sha256(raw).hexdigest()[:8] if raw is not None else "none"


def model_enabled() -> bool:
    """Does extraction run the decision model? On unless ``SSBRACE_DECIDER=off`` (the rules alone)."""
    return os.environ.get("SSBRACE_DECIDER", "on").strip().lower() not in {"0", "off", "false", "no"}


@lru_cache(maxsize=1)
def default_decider() -> Decider | None:
    """The model shipped with the package (loaded once per process), or None when it is absent."""
    raw = _model_bytes()
    return Decider.from_json(json.loads(raw), model_digest()) if raw is not None else None


def marked(features: dict[str, float], source: str) -> dict[str, float]:
    """The features as the model is trained on them: each once shared and once marked with its source, so
    it can trust a cue in the rules' hands more (or less) than the same cue in a reading they passed over."""
    mark = "R|" if source == "rule" else "N|"
    return {**features, **{mark + name: value for name, value in features.items()}}
