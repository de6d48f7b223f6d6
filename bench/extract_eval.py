"""Precision, recall and F1 of ``ssbrace extract``, per kind.

    .venv/bin/python bench/extract_eval.py [--gold tests/data/gold.jsonl] [--missed] [--spurious] [--doc NAME] [--model]
    .venv/bin/python bench/extract_eval.py --real     # real corpus, 5-fold cross-validation by excerpt
    .venv/bin/python bench/extract_eval.py --real --by-batch   # real corpus, one fold per batch
    .venv/bin/python bench/extract_eval.py --blind    # the shipped model on the real blind slice (score once)

Each article goes through the same reading as ``ssbrace extract`` (HTML through main-text extraction).
With ``--real`` each fold's model is trained on the other four fifths of the real excerpts plus the own-words
sets, exactly as bench/train.py trains the shipped one, and the rules' own claims are scored beside it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

from corpora import own_examples, real_examples, real_texts_present  # noqa: E402

from ssbrace.extract.evaluate import doc_key, evaluate, format_table, read_jsonl  # noqa: E402
from ssbrace.extract.inputs import read_input  # noqa: E402
from ssbrace.extract.pipeline import extract_claims  # noqa: E402


def predict(articles: Path, model: bool = False) -> list[dict]:
    """Claims of every article in the folder, as JSON dicts with ``doc`` relative to the repository."""
    out = []
    for path in sorted(articles.iterdir()):
        if path.suffix.lower() not in {".txt", ".md", ".html", ".htm"}:
            continue
        rel = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        extracted = read_input(str(path))
        for claim in extract_claims(extracted.text, published=extracted.published, doc=rel, decider=model):
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
    parser.add_argument("--model", action="store_true", help="let the trained model decide (default: the rules)")
    parser.add_argument("--real", action="store_true", help="real corpus: 5-fold cross-validation, model vs rules")
    parser.add_argument("--blind", action="store_true", help="real blind slice: the shipped model and the rules")
    parser.add_argument("--by-batch", action="store_true",
                        help="with --real: leave one batch out at a time (closer to scoring a new slice)")
    args = parser.parse_args()
    if args.real or args.blind:
        return real(args)
    gold = read_jsonl(args.gold)
    pred = predict(Path(args.articles), model=args.model)
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


def real(args: argparse.Namespace) -> int:
    from ssbrace.extract.decide import default_decider
    from ssbrace.extract.train import REAL_WEIGHT, cross_validate, score
    from ssbrace.extract.train import predict as predict_examples

    if not real_texts_present():
        print("the real corpus's texts are not cached: see tests/data/real/README.md to rebuild them")
        return 2
    if args.blind:
        examples = real_examples(blind=True)
        model = score(examples, predict_examples(default_decider(), examples))
        rules = score(examples, predict_examples(None, examples))
        title = f"blind slice: {len(examples)} excerpts, shipped model"
    else:
        examples = real_examples()
        for ex in examples:
            ex.weight = REAL_WEIGHT
        model, rules = cross_validate(examples, k=5, extra=own_examples(), by_batch=args.by_batch)
        split = "one fold per batch" if args.by_batch else "5-fold cross-validation grouped by excerpt"
        title = f"real corpus: {len(examples)} excerpts, {split}"
    gold = sum(len(ex.gold) for ex in examples)
    if args.json:
        print(json.dumps({"model": model.as_dict(), "rules": rules.as_dict(), "excerpts": len(examples)}, indent=2))
        return 0
    print(f"{title}; {gold} gold claims")
    print("\nrules propose, the model decides\n" + format_table(model))
    print("\nrules alone (SSBRACE_DECIDER=off)\n" + format_table(rules))
    for name, report in (("model", model), ("rules", rules)):
        no_standing = [s for k, s in report.by_kind.items() if k != "standing"]
        tp, pred, gold_n = (sum(getattr(s, f) for s in no_standing) for f in ("tp", "pred", "gold"))
        p, r = (tp / pred if pred else 0.0), (tp / gold_n if gold_n else 0.0)
        print(f"{name}: F1 without standings {2 * p * r / (p + r) if p + r else 0.0:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
