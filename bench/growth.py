"""Cost of ingesting one document into an empty store and into stores that already hold N documents.

For each size in ``--sizes`` (0 is a store with nothing in it), fills a fresh SQLite store with N documents
as a long-used store holds them (bulk inserts: each with a MinHash signature and its near-duplicate bands, a
story of its own), dated over the ``--spread-days`` before the new documents' week (1: all in that week,
the worst case for story placement, whose window then holds every stored story). Then, in
rounds, ingests one new article into every store (library call, every stage: reading, duplicate checks,
claims, entities, story placement), a different article each round, the stores' order turning each round
so that machine load falls on all alike; the first round is reported apart (it loads the store's state
once). Prints the median seconds per store and its ratio to the empty store; the goal is at most 2.

    .venv/bin/python bench/growth.py --sizes 0,1000,100000 --rounds 7
    .venv/bin/python bench/growth.py --sizes 0,1000,100000 --spread-days 1    # every story in one week
    .venv/bin/python bench/growth.py --sizes 0,100000 --profile    # where the largest store's time goes
    .venv/bin/python bench/growth.py --keep /tmp/ssbrace-growth    # filled stores kept for the next run
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import functools
import hashlib
import io
import pstats
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from ssbrace.documents.dedup import band_keys, banding, from_bytes
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Document, DocumentBand, Story, StoryDocument, StoryKey
from ssbrace.pipeline import run_ingest
from ssbrace.settings import Settings

print = functools.partial(print, flush=True)  # noqa: A001 - figures appear as they are measured
DAY = date(2025, 6, 2)
WORDS = ("cell", "plant", "sulfide", "oxide", "line", "pilot", "anode", "cathode", "capacity", "target",
         "sample", "module", "pack", "supply", "deal", "factory", "energy", "density", "charge", "cost")
# New articles, one per round: our own words, each on another event, all in the filled stories' week.
ARTICLES = [
    "# Aster Cells opens a sulfide pilot line\n\nDate: 2025-06-03\n\nAster Cells said it aims to mass-produce "
    "sulfide solid-state cells by 2028. The pilot plant will have 4 GWh of annual capacity. Aster Cells and "
    "Boreal Materials agreed to develop electrolyte powders together.\n",
    "# Boreal Energy buys an oxide start-up\n\nDate: 2025-06-04\n\nBoreal Energy agreed to buy a maker of oxide "
    "electrolyte sheets for 120 million dollars. It plans sample cells in 2027 and a 2 GWh line.\n",
    "# Cobalt Ionics wins a state grant\n\nDate: 2025-06-03\n\nThe energy ministry awarded Cobalt Ionics a grant "
    "of 45 million euros for a polymer electrolyte plant. Production is due to start in 2029.\n",
    "# Delta Cells reports denser samples\n\nDate: 2025-06-05\n\nDelta Cells said its latest solid-state "
    "samples reached 450 Wh/kg in tests, up from 380 Wh/kg last year. Carmakers will test them in 2026.\n",
    "# Ember Materials signs with a carmaker\n\nDate: 2025-06-04\n\nEmber Materials and a European carmaker "
    "signed a supply deal for sulfide electrolyte, the companies said. Deliveries begin in 2027.\n",
    "# Fjord Energy delays its gigafactory\n\nDate: 2025-06-06\n\nFjord Energy now expects its solid-state "
    "gigafactory to open in 2030, two years later than planned. The site will make 8 GWh a year.\n",
    "# Garnet cells pass abuse tests\n\nDate: 2025-06-05\n\nHollow Point Batteries said its garnet oxide cells "
    "passed nail and crush tests. It raised 60 million dollars to build a 1 GWh line by 2028.\n",
    "# A consortium for dry electrodes\n\nDate: 2025-06-03\n\nFive suppliers formed a consortium to share dry "
    "electrode equipment for solid-state lines, with 30 million euros of public funding.\n",
]


def fill_store(store: Store, n: int, spread_days: int, seed: int = 7, keyless: bool = False) -> None:
    """N documents with signatures and near-duplicate bands, each in a story of its own, dated over the
    ``spread_days`` up to the new documents' week; each story in the story index under the keys placement
    gives these texts (the title's word and number: ``cluster.document_keys`` on a sample), unless
    ``keyless`` (a store grouped before the index existed, whose window placement indexes once)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    cut = banding(Settings().near_duplicate_threshold)
    batch = 5000
    with store.session() as session:
        for start in range(0, n, batch):
            docs, bands, stories, links, keys = [], [], [], [], []
            for i in range(start, min(n, start + batch)):
                text = f"Report {i}. " + " ".join(rng.choice(WORDS) for _ in range(300)) + "."
                day = DAY - timedelta(days=rng.randrange(spread_days))
                minhash = b"".join(rng.getrandbits(32).to_bytes(8, "little") for _ in range(128))
                docs.append({"id": i + 1, "location": f"bench:{i}", "text": text, "title": f"Report {i}",
                             "published": day, "word_count": 302, "fetched_at": now,
                             "sha256": hashlib.sha256(text.encode()).hexdigest(), "minhash": minhash})
                bands += [{"document_id": i + 1, "tag": cut.tag, "band": band, "key": key}
                          for band, key in band_keys(from_bytes(minhash), cut)]
                stories.append({"id": i + 1, "headline": f"Report {i}", "first_date": day, "last_date": day,
                                "doc_count": 1, "created_at": now, "updated_at": now})
                links.append({"document_id": i + 1, "story_id": i + 1, "added_at": now})
                keys += [{"key": key, "document_id": i + 1, "story_id": i + 1, "day": day}
                         for key in ("w:report", f"f:{i}")]
            session.execute(insert(Document), docs)
            session.execute(insert(DocumentBand), bands)
            session.execute(insert(Story), stories)
            session.execute(insert(StoryDocument), links)
            if not keyless:
                session.execute(insert(StoryKey), keys)


def kept_store(folder: Path, n: int, spread_days: int, keyless: bool) -> Path:
    """Where a filled store is kept between runs: named by what it holds and the schema it was made under (a
    new migration makes a new one)."""
    from alembic.script import ScriptDirectory

    from ssbrace.kb.store import _alembic_config

    heads = "-".join(sorted(ScriptDirectory.from_config(_alembic_config()).get_heads()))
    schema = hashlib.sha256(heads.encode()).hexdigest()[:12]
    return folder / f"growth-{n}-{spread_days}d{'-keyless' if keyless else ''}-{schema}.db"


def _ingest_one(store: Store, folder: Path, profile: cProfile.Profile | None = None) -> float:
    """Seconds to ingest the one article in ``folder`` (every stage), which must be new."""
    settings = dataclasses.replace(Settings(), db=store.url)
    start = time.perf_counter()
    if profile is not None:
        profile.enable()
    result = run_ingest(store, [str(folder)], settings)
    if profile is not None:
        profile.disable()
    elapsed = time.perf_counter() - start
    assert result.counts()["new"] == 1, result.items
    return elapsed


def _profile_lines(profile: cProfile.Profile, lines: int = 24) -> str:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(r"ssbrace", lines)
    return "\n".join(line for line in out.getvalue().splitlines() if "ssbrace" in line or "ncalls" in line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,1000,100000", help="documents already stored, one store each")
    parser.add_argument("--rounds", type=int, default=7, help="articles ingested into each store (the first "
                        "one is reported apart)")
    parser.add_argument("--spread-days", type=int, default=730, help="days the stored documents' dates spread "
                        "over (default 730: about 140 a day at 100,000; 1: all in the new documents' week)")
    parser.add_argument("--keyless", action="store_true", help="stored stories not in the story index (a store "
                        "grouped before it existed: the first article indexes its window's stories)")
    parser.add_argument("--keep", metavar="DIR", help="keep each filled store in DIR and copy it from there on "
                        "later runs (filling 100,000 documents takes a minute or two)")
    parser.add_argument("--profile", action="store_true", help="profile the last round in the empty and the "
                        "largest store")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.rounds > len(ARTICLES):
        parser.error(f"at most {len(ARTICLES)} rounds (one new article each)")
    work = Path(tempfile.mkdtemp(prefix="ssbrace-growth-"))
    folders = []
    for k, text in enumerate(ARTICLES[: args.rounds]):
        folder = work / f"article{k}"
        folder.mkdir()
        (folder / f"article{k}.md").write_text(text, encoding="utf-8")
        folders.append(folder)
    warm = work / "warm"
    warm.mkdir()
    (warm / "warm.md").write_text(ARTICLES[-1].replace("consortium", "group"), encoding="utf-8")
    _ingest_one(Store(f"sqlite:///{work / 'warm.db'}"), warm)  # the domain pack and models, loaded once
    stores = {}
    for n in sizes:
        path = work / f"store{n}.db"
        start = time.perf_counter()
        kept = kept_store(Path(args.keep), n, args.spread_days, args.keyless) if args.keep else None
        if kept is not None and kept.exists():
            shutil.copyfile(kept, path)
            stores[n] = Store(f"sqlite:///{path}")
            print(f"store of {n:,} documents over {args.spread_days} days copied from {kept} in "
                  f"{time.perf_counter() - start:.0f} s")
            continue
        stores[n] = Store(f"sqlite:///{path}")
        fill_store(stores[n], n, args.spread_days, keyless=args.keyless)
        print(f"store of {n:,} documents over {args.spread_days} days filled in {time.perf_counter() - start:.0f} s")
        if kept is not None:
            stores[n].dispose()
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, kept)
    times: dict[int, list[float]] = {n: [] for n in sizes}
    profiles = {n: cProfile.Profile() for n in (sizes[0], sizes[-1])} if args.profile else {}
    for k, folder in enumerate(folders):
        order = sizes[k % len(sizes):] + sizes[: k % len(sizes)]
        for n in order:
            last = k == len(folders) - 1
            times[n].append(_ingest_one(stores[n], folder, profiles.get(n) if last else None))
    base = statistics.median(times[sizes[0]][1:])
    for n in sizes:
        steady = times[n][1:]
        print(f"store of {n:>7,}: first article {times[n][0]:.2f} s; then median {statistics.median(steady):.3f} s "
              f"(min {min(steady):.3f}, max {max(steady):.3f}) over {len(steady)}, "
              f"ratio {statistics.median(steady) / base:.2f}x the store of {sizes[0]:,}")
    for n, profile in profiles.items():
        print(f"\nprofile of the last article into the store of {n:,} (ssbrace functions, cumulative):")
        print(_profile_lines(profile))
    for store in stores.values():
        store.dispose()
    shutil.rmtree(work, ignore_errors=True)  # a store of 100,000 documents is half a gigabyte


if __name__ == "__main__":
    main()
