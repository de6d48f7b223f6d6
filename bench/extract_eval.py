"""Precision, recall and F1 of ``ssbrace extract`` on the development set (tests/data), per kind.

    .venv/bin/python bench/extract_eval.py [--gold tests/data/gold.jsonl] [--missed] [--spurious] [--doc NAME]

Each article goes through the same reading as ``ssbrace extract`` (HTML through main-text extraction).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ssbrace.extract.evaluate import doc_key, evaluate, format_table, read_jsonl  # noqa: E402
from ssbrace.extract.inputs import read_input  # noqa: E402
from ssbrace.extract.pipeline import extract_claims  # noqa: E402


def predict(articles: Path) -> list[dict]:
    """Claims of every article in the folder, as JSON dicts with ``doc`` relative to the repository."""
    out = []
    for path in sorted(articles.iterdir()):
        if path.suffix.lower() not in {".txt", ".md", ".html", ".htm"}:
            continue
        rel = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        extracted = read_input(str(path))
        for claim in extract_claims(extracted.text, published=extracted.published, doc=rel):
            out.append(claim.to_json())
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", default=str(ROOT / "tests/data/gold.jsonl"))
    parser.add_argument("--articles", default=str(ROOT / "tests/data/articles"))
    parser.add_argument("--missed", action="store_true", help="list gold claims not found")
    parser.add_argument("--spurious", action="store_true", help="list predicted claims not in the gold")
    parser.add_argument("--doc", help="only this article (file name)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args()
    gold = read_jsonl(args.gold)
    pred = predict(Path(args.articles))
    docs = {doc_key(g["doc"]) for g in gold}
    if args.doc:
        docs = {d for d in docs if args.doc in d}
    report = evaluate(gold, pred, docs=docs)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(f"{len(docs)} articles with gold, {sum(1 for g in gold if doc_key(g['doc']) in docs)} gold claims")
        print(format_table(report))
    fields = ("kind", "subject", "object", "value", "amount", "currency", "value_usd", "year", "stage",
              "relation", "rank", "metric", "segment")
    if args.missed:
        print("\nMISSED")
        for g in report.missed:
            print(" ", doc_key(g["doc"])[:30], {k: g.get(k) for k in fields if g.get(k) is not None}, "|", g.get("sentence", "")[:110])
    if args.spurious:
        print("\nSPURIOUS")
        for p in report.spurious:
            print(" ", doc_key(p["doc"])[:30], {k: p.get(k) for k in fields if p.get(k) is not None}, "|", p["evidence"]["sentence"][:110])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
