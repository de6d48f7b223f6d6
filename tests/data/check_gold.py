"""Check a gold set (gold.jsonl beside articles/) against its articles and the CLAIMS.md vocabularies.

Run from the repository root: python tests/data/check_gold.py [SET_FOLDER]
(default tests/data, the development set; tests/data/heldout for the held-out set). Needs only the standard library
and ssbrace.models.
Exit status 1 when any problem is found.
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # runnable with any Python from the repository root

from ssbrace.models import CLAIM_FIELDS, CLAIM_KINDS  # noqa: E402

SET = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "tests" / "data"
GOLD = SET / "gold.jsonl"
ARTICLES = SET / "articles"

# The contract's fields and kinds come from the package, so the checker cannot drift from them.
FIELDS = ["doc", *CLAIM_FIELDS, "sentence"]
KINDS = set(CLAIM_KINDS)
SUBJECT_TYPES = {"country", "region", "company", "program", "institution"}
UNITS = {"patents", "%", "USD", "year", "GWh/yr", "t/yr", "Wh/kg", "Wh/L", "km", "min", "cycles", None}
BOUNDS = {"eq", "gt", "lt", "approx"}
STAGES = {"prototype", "pilot", "sample", "commercialization", "mass_production", "vehicle_launch", None}
TECHS = {"all_solid_state", "semi_solid", "sulfide", "oxide", "polymer", "halide", "lithium_metal", None}
METRICS = {
    "energy_density_wh_kg": "Wh/kg",
    "energy_density_wh_l": "Wh/L",
    "range_km": "km",
    "charge_minutes": "min",
    "cycle_life": "cycles",
    "cost_multiple": None,
}
RELATIONS = {"leads", "trails", "overtakes", "ranks", None}
ASPECTS = {"patents", "commercialization", "funding", "market_share", "research", None}
KIND_UNITS = {
    "patents": "patents",
    "patent_share": "%",
    "market_share": "%",
    "funding": "USD",
    "investment": "USD",
    "target": "year",
}


def check_line(rec: dict, texts: dict[str, str]) -> list[str]:
    """Return the problems of one gold record."""
    problems = []
    missing = [f for f in FIELDS if f not in rec]
    extra = [f for f in rec if f not in FIELDS]
    if missing or extra:
        problems.append(f"fields missing {missing} extra {extra}")
    doc = rec.get("doc", "")
    path = ROOT / doc
    if not path.is_file():
        return problems + [f"doc not found: {doc}"]
    if doc not in texts:
        texts[doc] = path.read_text(encoding="utf-8")
    if not rec.get("sentence") or rec["sentence"] not in texts[doc]:
        problems.append(f"sentence not in doc: {rec.get('sentence')!r}")
    return problems + check_fields(rec)


def check_fields(rec: dict) -> list[str]:
    """Problems of one record's contract fields against the CLAIMS.md vocabularies (no text needed)."""
    problems = []
    kind = rec.get("kind")
    checks = [
        ("kind", KINDS),
        ("subject_type", SUBJECT_TYPES),
        ("unit", UNITS),
        ("bound", BOUNDS),
        ("stage", STAGES),
        ("technology", TECHS),
        ("relation", RELATIONS),
        ("aspect", ASPECTS),
    ]
    for field, allowed in checks:
        if rec.get(field) not in allowed:
            problems.append(f"{field} {rec.get(field)!r} not in the vocabulary")
    if rec.get("metric") is not None and rec["metric"] not in METRICS:
        problems.append(f"metric {rec['metric']!r} not in the vocabulary")
    if kind in KIND_UNITS and rec.get("unit") != KIND_UNITS[kind]:
        problems.append(f"unit {rec.get('unit')!r} for kind {kind}")
    if kind == "spec" and (rec.get("metric") not in METRICS or rec.get("unit") != METRICS[rec["metric"]]):
        problems.append("spec needs a metric and its unit")
    if kind in ("patents", "patent_share", "market_share", "spec", "capacity") and rec.get("value") is None:
        problems.append("value missing")
    if kind in ("funding", "investment") and not (
        rec.get("amount") and rec.get("currency") and rec.get("value_usd")
    ):
        problems.append("money needs amount, currency and value_usd")
    if kind == "target" and (rec.get("year") is None or rec.get("stage") is None):
        problems.append("target needs year and stage")
    if kind == "partnership" and not rec.get("object"):
        problems.append("partnership needs an object")
    if kind == "standing":
        if rec.get("relation") is None or rec.get("aspect") is None:
            problems.append("standing needs relation and aspect")
        elif rec["relation"] == "ranks" and not rec.get("rank"):
            problems.append("ranks needs rank")
        elif rec["relation"] != "ranks" and not rec.get("object"):
            problems.append("leads/trails/overtakes needs an object")
    if kind == "market_share" and not rec.get("segment"):
        problems.append("market_share needs a segment")
    return problems


def key(rec: dict) -> tuple:
    """The eval tuple of a record (loosely: numbers rounded)."""
    kind = rec["kind"]
    if kind == "partnership":
        k = tuple(sorted([rec["subject"], rec["object"]]))
        return (rec["doc"], kind, k)
    if kind == "standing":
        return (rec["doc"], kind, rec["subject"], rec["relation"], rec["object"], rec["rank"])
    if kind == "target":
        return (rec["doc"], kind, rec["subject"], rec["year"])
    if kind in ("funding", "investment"):
        return (rec["doc"], kind, rec["subject"], rec["amount"], rec["currency"])
    return (rec["doc"], kind, rec["subject"], rec["value"])


def main() -> int:
    texts: dict[str, str] = {}
    counts: collections.Counter = collections.Counter()
    seen: collections.Counter = collections.Counter()
    bad = 0
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        rec = json.loads(line)
        problems = check_line(rec, texts)
        for problem in problems:
            print(f"gold.jsonl:{number}: {problem}")
        bad += bool(problems)
        counts[rec.get("kind")] += 1
        if not problems:
            seen[key(rec)] += 1
    for k, n in seen.items():
        if n > 1:
            print(f"note: {n} gold lines share the eval tuple {k}")
    files = sorted(p for p in ARTICLES.iterdir() if p.is_file())
    used = {json.loads(line)["doc"] for line in lines}
    for p in files:
        rel = str(p.relative_to(ROOT))
        if rel not in used:
            print(f"note: no gold claim for {rel}")
    by_ext = collections.Counter(p.suffix for p in files)
    print(f"articles: {len(files)} ({', '.join(f'{e} {n}' for e, n in sorted(by_ext.items()))})")
    print(f"claims: {len(lines)}")
    for kind in sorted(KINDS):
        print(f"  {kind:13} {counts[kind]}")
    print("problems:", bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
