"""How far a second, independent annotation of some real excerpts agrees with the gold (and the extractor with both).

    .venv/bin/python bench/agreement.py [tests/data/real/agreement/second.jsonl]

The second annotation (session 11: 24 excerpts of batches l, m and n, re-annotated from the texts by someone who
did not open the gold, its notes or the extractor) holds claims only, no article text. Names are put in the
gazetteer's canonical form as ``corpus.py gold`` does. Needs the excerpts' texts in the cache (for the extractor's
side); the agreement itself needs only the gold.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpora import real_examples  # noqa: E402

from ssbrace.extract.decide import default_decider  # noqa: E402
from ssbrace.extract.evaluate import evaluate, format_table, read_jsonl  # noqa: E402
from ssbrace.extract.pipeline import extractor_for  # noqa: E402
from ssbrace.extract.train import predict  # noqa: E402


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests/data/real/agreement/second.jsonl"
    entities = extractor_for().entities
    second = read_jsonl(path)
    for claim in second:
        for field in ("subject", "object"):
            entry = entities.lookup(claim[field]) if claim.get(field) else None
            if entry is not None:
                claim[field] = entry.name
    docs = {c["doc"] for c in second}
    gold_path = ROOT / "tests/data/real/gold"
    gold = [g for p in sorted(gold_path.glob("*.jsonl")) for g in read_jsonl(p) if g["doc"] in docs]
    print(f"{len(docs)} excerpts; second annotation against the gold\n" + format_table(evaluate(gold, second, docs=docs)))
    examples = [ex for ex in real_examples() if ex.doc in docs]
    if len(examples) < len(docs):
        print(f"\n{len(docs) - len(examples)} of the excerpts' texts are not cached: the extractor's side is skipped")
        return 0
    claims = predict(default_decider(), examples)
    print("\nthe extractor (shipped model) against the gold\n" + format_table(evaluate(gold, claims, docs=docs)))
    print("\nthe extractor against the second annotation\n" + format_table(evaluate(second, claims, docs=docs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
