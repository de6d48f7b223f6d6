"""Cost of ingesting one document into an empty store and into one that already holds N documents.

Fills a fresh SQLite store with N documents (bulk inserts, each with a MinHash signature and a story of
its own, all dated in the new document's week, the worst case for story placement), then times
``ssbrace ingest`` of one new article (library call, every stage) into that store and into a store
holding one document. The ratio is the figure; the goal is at most 2.

    .venv/bin/python bench/growth.py --n 100000
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import random
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert

from ssbrace.kb.store import Store
from ssbrace.kb.tables import Document, Story, StoryDocument
from ssbrace.pipeline import run_ingest
from ssbrace.settings import Settings

print = functools.partial(print, flush=True)  # noqa: A001 - figures appear as they are measured
DAY = date(2025, 6, 2)
WORDS = ("cell", "plant", "sulfide", "oxide", "line", "pilot", "anode", "cathode", "capacity", "target",
         "sample", "module", "pack", "supply", "deal", "factory", "energy", "density", "charge", "cost")
SECOND = ("# Boreal Energy buys an oxide start-up\n\nDate: 2025-06-04\n\nBoreal Energy agreed to buy a maker of "
          "oxide electrolyte sheets for 120 million dollars. It plans sample cells in 2027 and a 2 GWh line.\n")
ARTICLE = ("# Aster Cells opens a sulfide pilot line\n\nDate: 2025-06-03\n\nAster Cells said it aims to "
           "mass-produce sulfide solid-state cells by 2028. The pilot plant will have 4 GWh of annual "
           "capacity. Aster Cells and Boreal Materials agreed to develop electrolyte powders together.\n")


def _fill(store: Store, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    batch = 5000
    with store.session() as session:
        for start in range(0, n, batch):
            docs, stories, links = [], [], []
            for i in range(start, min(n, start + batch)):
                text = f"Report {i}. " + " ".join(rng.choice(WORDS) for _ in range(300)) + "."
                docs.append({"id": i + 1, "location": f"bench:{i}", "text": text, "title": f"Report {i}",
                             "published": DAY, "word_count": 302, "fetched_at": now,
                             "sha256": hashlib.sha256(text.encode()).hexdigest(),
                             "minhash": b"".join(rng.getrandbits(32).to_bytes(8, "little") for _ in range(128))})
                stories.append({"id": i + 1, "headline": f"Report {i}", "first_date": DAY, "last_date": DAY,
                                "doc_count": 1, "created_at": now, "updated_at": now})
                links.append({"document_id": i + 1, "story_id": i + 1, "added_at": now})
            session.execute(insert(Document), docs)
            session.execute(insert(Story), stories)
            session.execute(insert(StoryDocument), links)


def _ingest_once(store: Store, folder: Path) -> float:
    """Seconds to ingest the one article in ``folder`` (every stage), which must be new."""
    settings = dataclasses.replace(Settings(), db=store.url)
    start = time.perf_counter()
    result = run_ingest(store, [str(folder)], settings)
    elapsed = time.perf_counter() - start
    assert result.counts()["new"] == 1, result.items
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="documents already stored")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ssbrace-growth-"))
    folder, second = work / "new", work / "second"
    folder.mkdir()
    second.mkdir()
    (folder / "aster.md").write_text(ARTICLE, encoding="utf-8")
    (second / "boreal.md").write_text(SECOND, encoding="utf-8")
    warm = Store(f"sqlite:///{work / 'warm.db'}")
    _ingest_once(warm, folder)  # loads the domain pack, models and caches once, outside the figures
    empty = Store(f"sqlite:///{work / 'empty.db'}")
    full = Store(f"sqlite:///{work / 'full.db'}")
    start = time.perf_counter()
    _fill(full, args.n)
    print(f"filled a store with {args.n} documents and stories in {time.perf_counter() - start:.0f} s")
    # The first ingest into the filled store also bands its signatures once (bulk-filled rows have none,
    # as in a store from before the banded index): reported apart. The second is the steady state.
    _ingest_once(empty, folder)
    first_full = _ingest_once(full, folder)
    into_empty = _ingest_once(empty, second)
    into_full = _ingest_once(full, second)
    print(f"first ingest into the filled store (bands {args.n} stored signatures once): {first_full:.2f} s")
    print(f"one document into a store of 1 document: {into_empty:.2f} s")
    print(f"one document into a store of {args.n + 1}: {into_full:.2f} s (ratio {into_full / into_empty:.1f}x)")


if __name__ == "__main__":
    main()
