"""B-cubed precision, recall and F1 of story clustering on our labelled set (tests/data/stories).

    .venv/bin/python bench/stories.py [--folder tests/data/stories] [--domain solid_state_batteries] [--real]

Prints the default configuration (TF-IDF + entities + figures) placing one document per call (a model
fitted for each), as one batch (one model for the batch: what ingestion does) and as one rebuild pass, then
variants for comparison, each measured in the same run on a fresh temporary store.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ssbrace.kb.store import Store  # noqa: E402
from ssbrace.stories.cluster import DEFAULT_CONFIG  # noqa: E402
from ssbrace.stories.evaluate import LabelledArticle, bcubed, read_labelled_set  # noqa: E402
from tests.stories.helpers import cluster_labelled_set  # noqa: E402


def real_articles() -> list[LabelledArticle]:
    """The real-reporting corpus's excerpts (tests/data/real, texts from its ignored cache) with their story labels."""
    sys.path.insert(0, str(ROOT / "bench"))
    from corpora import real_examples, real_manifest

    manifest = real_manifest()
    out = []
    for ex in real_examples() + real_examples(blind=True):
        row = manifest[ex.doc]
        title = ex.text.strip().splitlines()[0][:120] if ex.text.strip() else ex.doc
        out.append(LabelledArticle(name=ex.doc, story=row["story"], title=title, published=ex.published,
                                   publisher=urlsplit(row["url"]).hostname, text=ex.text, near_duplicate_of=None))
    return out


def run(folder: Path | list[LabelledArticle], domain: str, label: str, config=DEFAULT_CONFIG,
        rebuild: bool = False, batch: bool = False) -> None:
    articles = folder if isinstance(folder, list) else read_labelled_set(folder)
    gold = {a.name: a.story for a in articles}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{tmp}/bench.db")
        started = time.perf_counter()
        predicted = cluster_labelled_set(store, articles, config=config, domain=domain, rebuild=rebuild, batch=batch)
        elapsed = time.perf_counter() - started
        store.dispose()
    scores = bcubed(predicted, gold)
    print(
        f"{label:<44} P={scores.precision:.3f} R={scores.recall:.3f} F1={scores.f1:.3f} "
        f"stories={len(set(predicted.values())):>3} gold={len(set(gold.values()))} ({elapsed:.2f}s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=ROOT / "tests" / "data" / "stories")
    parser.add_argument("--domain", default="solid_state_batteries")
    parser.add_argument("--real", action="store_true",
                        help="the real-reporting corpus's story labels (needs its cache, tests/data/real/README.md)")
    args = parser.parse_args()
    if args.real:
        articles = real_articles()
        if not articles:
            raise SystemExit("the real corpus's texts are not cached: see tests/data/real/README.md")
        args.folder = articles
    articles = articles if args.real else read_labelled_set(args.folder)
    print(
        f"labelled set: {len(articles)} documents, {len({a.story for a in articles})} stories "
        f"({'tests/data/real' if args.real else args.folder})"
    )
    run(args.folder, args.domain, "default (TF-IDF+entities+figures, incremental)")
    run(args.folder, args.domain, "same, one batch (what ingest does)", batch=True)
    run(args.folder, args.domain, "same, one rebuild pass", rebuild=True)
    text_only = dataclasses.replace(DEFAULT_CONFIG, entity_weight=0.0, figure_weight=0.0)
    run(args.folder, args.domain, "TF-IDF only (no entities, no figures)", text_only)
    no_window = dataclasses.replace(DEFAULT_CONFIG, window_days=100_000)
    run(args.folder, args.domain, "no time window", no_window)


if __name__ == "__main__":
    main()
