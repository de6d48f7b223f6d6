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
        return cls(weights={k: float(v) for k, v in data["weights"].items()}, bias=float(data["bias"]),
                   thresholds={k: float(v) for k, v in (data.get("thresholds") or {}).items()},
                   threshold=float(data.get("threshold", 0.5)), digest=digest,
                   rule_threshold=float(data.get("rule_threshold", data.get("threshold", 0.5))),
                   margin=float(data.get("margin", 0.0)))

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def choose(self, candidates: list[Candidate]) -> list[Claim]:
        """The best candidate of each group, when the model believes it; in document order."""
        best: dict[int, tuple[float, int, Candidate]] = {}
        for order, cand in enumerate(candidates):
            p = self.probability(cand.features)
            held = best.get(cand.group)
            if held is not None and held[2].source == "rule" and held[0] >= self.rule_threshold:
                continue  # the rules' reading stands while the model believes it: others only repair a rejected one
            margin = self.margin if held is not None and held[2].source == "rule" else 0.0
            if held is None or p > held[0] + margin:
                best[cand.group] = (p, order, cand)
        chosen = []
        for p, order, cand in sorted(best.values(), key=lambda t: t[1]):
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
