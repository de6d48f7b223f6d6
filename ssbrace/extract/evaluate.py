"""Precision, recall and F1 of predicted claims against gold claims, per kind and overall.

A prediction matches a gold claim when the document (compared by file name), kind and subject agree and:
patents, patent_share, market_share, spec, capacity: value within 2%; funding, investment: amount within
1% in the same currency, or value_usd within 15%; target: the same year; partnership: the same unordered
pair; standing: the same relation and object (for ``ranks``: the same rank). Both sides are first reduced
to distinct (document, kind, subject, key) tuples, so a claim stated twice counts once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from ssbrace.errors import InputError
from ssbrace.models import CLAIM_KINDS

VALUE_KINDS = {"patents", "patent_share", "market_share", "spec", "capacity"}
MONEY_KINDS = {"funding", "investment"}


@dataclass
class Score:
    tp: int = 0
    pred: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.pred if self.pred else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else (1.0 if not self.pred else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    by_kind: dict[str, Score] = field(default_factory=dict)
    overall: Score = field(default_factory=Score)
    missed: list[dict[str, Any]] = field(default_factory=list)
    spurious: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def one(s: Score) -> dict[str, float | int]:
            return {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                    "tp": s.tp, "pred": s.pred, "gold": s.gold}

        return {"overall": one(self.overall), "kinds": {k: one(v) for k, v in self.by_kind.items()}}


def doc_key(doc: str) -> str:
    """Documents compare by file name: ``tests/data/articles/x.txt`` equals ``/abs/path/x.txt``."""
    name = PureWindowsPath(doc).name if "\\" in doc else PurePosixPath(doc).name
    return name or doc


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Claims from a JSON Lines file; a clear error for a missing file or a bad line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict) or "kind" not in obj or "subject" not in obj:
            raise InputError(f"{path}:{number}: not a claim (needs kind and subject)")
        out.append(obj)
    return out


def _num(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _close(a: float | None, b: float | None, tolerance: float) -> bool:
    if a is None or b is None:
        return False
    if b == 0:
        return a == 0
    return abs(a - b) <= tolerance * abs(b)


def matches(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    """Does ``pred`` match ``gold`` under the rules of the module docstring?"""
    kind = gold.get("kind")
    if pred.get("kind") != kind or doc_key(str(pred.get("doc", ""))) != doc_key(str(gold.get("doc", ""))):
        return False
    if kind == "partnership":
        return {_norm(pred.get("subject")), _norm(pred.get("object"))} == {_norm(gold.get("subject")), _norm(gold.get("object"))}
    if _norm(pred.get("subject")) != _norm(gold.get("subject")):
        return False
    if kind in VALUE_KINDS:
        return _close(_num(pred.get("value")), _num(gold.get("value")), 0.02)
    if kind in MONEY_KINDS:
        same_currency = (pred.get("currency") or "").upper() == (gold.get("currency") or "").upper()
        if same_currency and _close(_num(pred.get("amount")), _num(gold.get("amount")), 0.01):
            return True
        return _close(_num(pred.get("value_usd")), _num(gold.get("value_usd")), 0.15)
    if kind == "target":
        return pred.get("year") is not None and pred.get("year") == gold.get("year")
    if kind == "standing":
        if pred.get("relation") != gold.get("relation") or _norm(pred.get("object")) != _norm(gold.get("object")):
            return False
        if gold.get("relation") == "ranks" and gold.get("rank") is not None:
            return pred.get("rank") == gold.get("rank")
        return True
    return True


def _norm(name: Any) -> str:
    return str(name or "").strip().casefold()


def _tuple(claim: dict[str, Any]) -> tuple[Any, ...]:
    """The identity of a claim for de-duplication (its eval key, values rounded)."""
    kind = claim.get("kind")
    base: tuple[Any, ...] = (doc_key(str(claim.get("doc", ""))), kind)
    if kind == "partnership":
        return (*base, tuple(sorted([_norm(claim.get("subject")), _norm(claim.get("object"))])))
    base = (*base, _norm(claim.get("subject")))
    if kind in VALUE_KINDS:
        return (*base, round(_num(claim.get("value")) or 0.0, 3))
    if kind in MONEY_KINDS:
        return (*base, (claim.get("currency") or "").upper(), round(_num(claim.get("amount")) or 0.0, 0))
    if kind == "target":
        return (*base, claim.get("year"))
    if kind == "standing":
        return (*base, claim.get("relation"), _norm(claim.get("object")), claim.get("rank"))
    return base


def _distinct(claims: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for c in claims:
        key = _tuple(c)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def evaluate(gold: list[dict[str, Any]], pred: list[dict[str, Any]], *, docs: set[str] | None = None) -> Report:
    """Score ``pred`` against ``gold``. With ``docs``, only those documents (by file name) count."""
    if docs is not None:
        gold = [g for g in gold if doc_key(str(g.get("doc", ""))) in docs]
        pred = [p for p in pred if doc_key(str(p.get("doc", ""))) in docs]
    gold = _distinct(gold)
    pred = _distinct(pred)
    report = Report(by_kind={k: Score() for k in CLAIM_KINDS})
    by_doc_kind: dict[tuple[str, str], list[int]] = {}
    for i, p in enumerate(pred):
        by_doc_kind.setdefault((doc_key(str(p.get("doc", ""))), str(p.get("kind"))), []).append(i)
    used: set[int] = set()
    for g in gold:
        kind = str(g.get("kind"))
        score = report.by_kind.setdefault(kind, Score())
        score.gold += 1
        hit = None
        for i in by_doc_kind.get((doc_key(str(g.get("doc", ""))), kind), []):
            if i not in used and matches(pred[i], g):
                hit = i
                break
        if hit is None:
            report.missed.append(g)
        else:
            used.add(hit)
            score.tp += 1
    for i, p in enumerate(pred):
        report.by_kind.setdefault(str(p.get("kind")), Score()).pred += 1
        if i not in used:
            report.spurious.append(p)
    for s in report.by_kind.values():
        report.overall.tp += s.tp
        report.overall.pred += s.pred
        report.overall.gold += s.gold
    return report


def format_table(report: Report) -> str:
    """A plain-text table: kind, precision, recall, F1, counts."""
    rows = [f"{'kind':<14}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'pred':>6}{'gold':>6}"]
    for kind, s in report.by_kind.items():
        if not s.gold and not s.pred:
            continue
        rows.append(f"{kind:<14}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.tp:>6}{s.pred:>6}{s.gold:>6}")
    o = report.overall
    rows.append(f"{'overall':<14}{o.precision:>7.3f}{o.recall:>7.3f}{o.f1:>7.3f}{o.tp:>6}{o.pred:>6}{o.gold:>6}")
    return "\n".join(rows)
