"""Rebuild the decision model shipped in the package (ssbrace/extract/model/decider.json).

    .venv/bin/python bench/train.py            # train on every annotated corpus present, write the model
    .venv/bin/python bench/train.py --check    # rebuild in memory and compare with the shipped file

It trains on the own-words sets (tests/data and its held-out and blind sets) and on the real-reporting corpus
(tests/data/real, every batch but the blind slice; its texts come from the ignored cache, see
tests/data/real/README.md). The blind slice (``BLIND_BATCHES`` in bench/corpora.py, now batch o) is never used.
Same data, same seed, same file: training is deterministic. A machine whose cache lacks some texts trains on fewer
excerpts and gets another model: the script names the batches it found incomplete, and the model file records how
many excerpts of each batch it was trained on (``trained_on``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from corpora import annotated_batches, own_examples, real_examples, real_texts_present  # noqa: E402

from ssbrace.extract.decide import MODEL_PATH  # noqa: E402
from ssbrace.extract.train import REAL_WEIGHT, fit  # noqa: E402


def build() -> dict:
    if not real_texts_present():
        raise SystemExit("error: the real corpus's texts are not cached (tests/data/real/README.md says how to "
                         "rebuild them); a model trained without them would not be the shipped one")
    real = real_examples()
    for ex in real:
        ex.weight = REAL_WEIGHT
    present: dict[str, int] = {}
    for ex in real:
        present[ex.source] = present.get(ex.source, 0) + 1
    partial = {b: (present.get(f"real-{b}", 0), n) for b, n in annotated_batches().items()
               if present.get(f"real-{b}", 0) < n}
    if partial:
        print("incomplete batches in the cache (texts present/annotated): "
              + ", ".join(f"{b} {have}/{n}" for b, (have, n) in sorted(partial.items())), file=sys.stderr)
    return fit(own_examples() + real)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare a rebuild with the shipped model")
    args = parser.parse_args()
    model = build()
    text = json.dumps(model, indent=0, sort_keys=True) + "\n"
    if args.check:
        same = MODEL_PATH.exists() and MODEL_PATH.read_text(encoding="utf-8") == text
        print("the shipped model matches a rebuild" if same else "the shipped model differs from a rebuild")
        return 0 if same else 1
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    MODEL_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL_PATH.relative_to(ROOT)}: {len(model['weights'])} weights, trained on {model['trained_on']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
