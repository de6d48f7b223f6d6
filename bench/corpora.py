"""The annotated corpora as training/evaluation examples (shared by bench/train.py and bench/extract_eval.py).

Own-words sets (written for the project): tests/data (development), heldout, blind2, blind3, blind4.
Real reporting: tests/data/real (texts in its ignored cache; the blind slice, BLIND_BATCHES, kept apart).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ssbrace.extract.inputs import read_input  # noqa: E402
from ssbrace.extract.train import Example  # noqa: E402

OWN_SETS = {"dev": ROOT / "tests/data", "heldout": ROOT / "tests/data/heldout", "blind2": ROOT / "tests/data/blind2",
            "blind3": ROOT / "tests/data/blind3", "blind4": ROOT / "tests/data/blind4"}
REAL = ROOT / "tests/data/real"
BLIND_BATCHES = {"o"}


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def own_examples(names: list[str] | None = None) -> list[Example]:
    """Every article of the own-words sets, with its gold (doc ids ``set:file`` so names never collide)."""
    out = []
    for name, folder in OWN_SETS.items():
        if names is not None and name not in names:
            continue
        gold = defaultdict(list)
        for g in _jsonl(folder / "gold.jsonl"):
            gold[Path(g["doc"]).name].append(g)
        for path in sorted((folder / "articles").iterdir()):
            if path.suffix.lower() not in {".txt", ".md", ".html", ".htm"}:
                continue
            extracted = read_input(str(path))
            out.append(Example(doc=f"{name}:{path.name}", text=extracted.text, published=extracted.published,
                               gold=gold.get(path.name, []), source=name))
    return out


def real_texts_present() -> bool:
    return any((REAL / "cache" / "texts").glob("*.txt"))


def real_manifest() -> dict[str, dict]:
    """Every excerpt of the real corpus's manifests, by id (committed; no text needed)."""
    return {row["id"]: row for path in sorted((REAL / "manifest").glob("*.jsonl")) for row in _jsonl(path)}


def real_examples(*, blind: bool = False) -> list[Example]:
    """Annotated real excerpts whose text is cached: the development batches, or with ``blind`` the blind slice only."""
    gold = defaultdict(list)
    for path in sorted((REAL / "gold").glob("*.jsonl")):
        for g in _jsonl(path):
            gold[g["doc"]].append(g)
    out = []
    for row in real_manifest().values():
        text_path = REAL / "cache" / "texts" / f"{row['id']}.txt"
        if (row["batch"] in BLIND_BATCHES) != blind or row.get("story") is None or not text_path.exists():
            continue  # the other slice, not annotated yet, or not cached on this machine
        with open(text_path, encoding="utf-8", newline="") as fh:
            text = fh.read()
        published = date.fromisoformat(row["date"]) if row.get("date") else None
        out.append(Example(doc=row["id"], text=text, published=published, gold=gold.get(row["id"], []),
                           source=f"real-{row['batch']}"))
    return out


def annotated_batches() -> dict[str, int]:
    """How many annotated excerpts each development batch has (from the committed manifests)."""
    counts: dict[str, int] = {}
    for row in real_manifest().values():
        if row["batch"] not in BLIND_BATCHES and row.get("story") is not None:
            counts[row["batch"]] = counts.get(row["batch"], 0) + 1
    return counts
