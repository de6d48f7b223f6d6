"""Analysis at scale: seconds per stage and peak memory of the whole analysis over N stored claims.

Fills a store with N generated claims (bulk writes, ``kb/bulk.py``) and runs the analysis on it in a child
process of its own, so that the peak RSS measured is the analysis's: the chunked analysis
(``Knowledge.of_grouped(StoredClaimGroups(store))``: claims streamed a subject at a time) at every size, and the old all-in-memory one
(``Knowledge.of(claim_records(...))``) as the baseline at the sizes where it fits (``--baseline-max``).

The claims look like the pipeline's: about five per document over 2018-2025; subjects Zipf-like over 20
countries and a few thousand companies; every kind of CLAIMS.md (targets, money, specs, capacity, shares,
patents, partnerships, standings); figures repeated across documents (most restate a per-entity truth, so
facts dedupe), a few percent of them disagreeing (conflicts), targets of some companies slipping as the
years go by, and a few claims whose subject was not linked to an entity.

    python bench/analysis_scale.py --claims 100000,300000,1000000      # a throwaway PostgreSQL server
    python bench/analysis_scale.py --claims 100000 --sqlite            # SQLite files in a temporary folder
    python bench/analysis_scale.py --claims 1000000 --db-url postgresql+psycopg://...   # an empty database

``run(db_url, claims)`` fills the store at ``db_url`` (empty) and returns the figures as a dict.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zlib
from bisect import bisect
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "--code" in sys.argv:  # a child measuring another checkout's analysis (``--baseline-code``)
    sys.path.insert(0, sys.argv[sys.argv.index("--code") + 1])

from bench.serve import COUNTRIES, STAGES, TECH, _company_names  # noqa: E402

print = functools.partial(print, flush=True)  # noqa: A001 - figures appear as they are measured

CLAIMS_PER_DOCUMENT = 5
COMPANIES = 3000
ASPECTS = ["patents", "mass_production", "energy_density", "market_share"]
SEGMENTS = ["automotive_batteries", "all_lithium_ion"]
# Kinds and weights (a company subject); a country subject takes the kinds a country can have.
KINDS = ["target", "investment", "funding", "spec", "capacity", "partnership", "patents", "patent_share",
         "market_share", "standing"]
KIND_WEIGHTS = [22, 10, 5, 12, 8, 8, 10, 3, 12, 10]
COUNTRY_KINDS = {"funding", "patents", "patent_share", "market_share", "standing"}
DISAGREE = 0.04  # share of figures that state something else than the entity's truth
UNLINKED = 0.03  # share of claims whose subject was not linked to an entity


def _h(*parts: object) -> int:
    """A stable number for a key (the same truth for the same entity, kind, metric and year)."""
    return zlib.crc32("|".join(map(str, parts)).encode())


def generate(n_claims: int, seed: int = 17) -> tuple[list[dict], Iterator[dict], Iterator[dict]]:
    """Entities (a list), documents and claims (streams) for a store of ``n_claims`` claims."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    companies = _company_names(COMPANIES)
    entities = [{"id": i + 1, "name": c, "type": "country", "country": None, "from_gazetteer": True,
                 "created_at": now} for i, c in enumerate(COUNTRIES)]
    base = len(entities)
    entities += [{"id": base + i + 1, "name": c, "type": "company", "country": COUNTRIES[_h(c) % len(COUNTRIES)],
                  "from_gazetteer": False, "created_at": now} for i, c in enumerate(companies)]
    # Zipf-like: the r-th busiest entity is named about 1/r as often as the busiest (countries among them).
    order = list(range(len(entities)))
    rng.shuffle(order)
    weights = [0.0] * len(entities)
    for rank, index in enumerate(order, 1):
        weights[index] = 1.0 / rank ** 1.05
    cum = list(accumulate(weights))
    kind_cum = list(accumulate(KIND_WEIGHTS))
    n_docs = max(1, n_claims // CLAIMS_PER_DOCUMENT)

    def pick_entity() -> dict:
        return entities[bisect(cum, rng.random() * cum[-1])]

    def documents() -> Iterator[dict]:
        drng = random.Random(seed + 1)
        for d in range(1, n_docs + 1):
            published = date(2018, 1, 1) + timedelta(days=drng.randint(0, 2900))
            title = f"Solid-state battery roundup {d}: makers update their plans"
            yield {"id": d, "location": f"bench:{d}", "url": f"https://news.example.org/{d}", "title": title,
                   "publisher": f"Outlet {d % 300}", "published": published,
                   "text": title + ". Figures and plans from the industry, in our own words.", "word_count": 20,
                   "sha256": f"{_h('doc', d):08x}{d:056x}", "fetched_at": now}

    def claims() -> Iterator[dict]:
        drng = random.Random(seed + 1)  # the same dates as ``documents``
        made = 0
        for d in range(1, n_docs + 1):
            published = date(2018, 1, 1) + timedelta(days=drng.randint(0, 2900))
            count = CLAIMS_PER_DOCUMENT if d < n_docs else n_claims - made
            offset = 0
            for _ in range(count):
                row = _claim(rng, pick_entity(), pick_entity, published, kind_cum)
                sentence = row.pop("sentence")
                row.update(document_id=d, sentence=sentence, start=offset, end=offset + len(sentence),
                           confidence=0.8, extractor_version="bench", created_at=now)
                offset += len(sentence) + 1
                made += 1
                yield row

    return entities, documents(), claims()


def _claim(rng: random.Random, subject: dict, pick_entity: Any, published: date, kind_cum: list[int]) -> dict:
    """One claim row: its figure is the entity's truth for the key, restated, or now and then another."""
    name, stype = subject["name"], subject["type"]
    kind = KINDS[bisect(kind_cum, rng.random() * kind_cum[-1])]
    if stype == "country" and kind not in COUNTRY_KINDS:
        kind = "funding"
    year = published.year - rng.choice((0, 0, 1))
    row: dict[str, Any] = {"kind": kind, "subject": name, "subject_type": stype, "subject_entity_id": subject["id"],
                           "bound": "eq", "year": year}
    if rng.random() < UNLINKED:
        row.update(subject=name + " Group", subject_entity_id=None)  # as written, not linked
    truth = _h(name, kind, year)
    off = rng.random() < DISAGREE
    if kind == "target":
        stage = STAGES[truth % len(STAGES)] if rng.random() < 0.5 else "mass_production"
        first = 2026 + _h(name, stage) % 6
        # A third of the companies slip: each two years of reporting move the target a year later.
        slip = max(0, (published.year - 2018) // 2) if _h(name, "slips") % 3 == 0 else 0
        when = first + slip + (rng.choice((-2, 2)) if off else 0)
        row.update(stage=stage, value=when, unit="year", year=when, technology=TECH[_h(name) % len(TECH)])
        sentence = f"{name} aims to reach {stage.replace('_', ' ')} of solid-state cells by {when}."
    elif kind in {"investment", "funding"}:
        usd = (5 + truth % 3000) * 1e6 * (1.5 if off else 1.0)
        program = f"Programme {truth % 40}" if kind == "funding" else None
        row.update(amount=usd, currency="USD", value_usd=usd, value=usd, unit="USD", program=program)
        sentence = f"{name} committed {usd / 1e6:,.0f} million dollars to solid-state work in {year}."
    elif kind == "spec":
        tech = TECH[truth % len(TECH)]
        wh = (250 + truth % 300) * (1.4 if off else 1.0)
        row.update(metric="energy_density_wh_kg", value=round(wh), unit="Wh/kg", technology=tech)
        sentence = f"Cells from {name} reached {round(wh)} Wh/kg in {year}, the company said."
    elif kind == "capacity":
        gwh = (1 + truth % 60) * (2 if off else 1)
        row.update(value=gwh, unit="GWh/yr", technology=TECH[truth % len(TECH)])
        sentence = f"{name} plans a plant for {gwh} GWh of cells a year from {year}."
    elif kind == "partnership":
        partner = pick_entity()
        row.update(object=partner["name"], object_entity_id=partner["id"], year=None, value=None)
        sentence = f"{name} and {partner['name']} agreed to develop electrolyte layers together."
    elif kind in {"patents", "patent_share"}:
        tech = "all_solid_state"
        row.update(technology=tech, year=2000, year_end=2000 + (year - 2000) // 3 * 3)  # studies every 3 years
        if kind == "patents":
            count = (50 + _h(name, row["year_end"]) % 9000) * (1.5 if off else 1.0)
            row.update(value=round(count), unit="patents", rank=None)
            sentence = f"Filings linked to {name} numbered {round(count):,} solid-state patents."
        else:
            share = round((1 + _h(name, row["year_end"]) % 300) / 10 * (1.5 if off else 1.0), 1)
            row.update(value=share, unit="%")
            sentence = f"{name} held {share}% of solid-state patent filings."
    elif kind == "market_share":
        segment = SEGMENTS[rng.random() < 0.2]
        share = round((1 + _h(name, segment, year) % 350) / 10 * (1.4 if off else 1.0), 1)
        row.update(value=share, unit="%", segment=segment, bound="approx" if rng.random() < 0.1 else "eq")
        sentence = f"{name} held about {share}% of the {segment.replace('_', ' ')} market in {year}."
    else:  # standing: the busier entity usually leads, now and then a source says the opposite
        other = pick_entity()
        while other["type"] != stype or other["name"] == name:
            other = pick_entity() if stype == "company" else {"type": "country", "name": rng.choice(COUNTRIES),
                                                               "id": None}
        if other["id"] is None:
            other["id"] = COUNTRIES.index(other["name"]) + 1
        leads = (_h(name) < _h(other["name"])) != off
        aspect = ASPECTS[truth % len(ASPECTS)]
        row.update(relation="leads" if leads else "trails", object=other["name"], object_entity_id=other["id"],
                   aspect=aspect, year=year)
        sentence = f"{name} {'leads' if leads else 'trails'} {other['name']} in {aspect.replace('_', ' ')}."
    row["sentence"] = sentence
    return row


CLAIM_COLUMNS = ["document_id", "kind", "subject", "subject_type", "object", "value", "unit", "bound", "amount",
                 "currency", "value_usd", "year", "year_end", "stage", "technology", "metric", "relation", "aspect",
                 "rank", "segment", "program", "sentence", "start", "end", "confidence", "extra",
                 "extractor_version", "subject_entity_id", "object_entity_id", "created_at"]
DOCUMENT_COLUMNS = ["id", "location", "url", "title", "publisher", "published", "text", "word_count", "sha256",
                    "fetched_at"]


def fill(db_url: str, n_claims: int) -> float:
    """Write ``n_claims`` generated claims (and their documents and entities) into the store; seconds taken."""
    from ssbrace.kb.bulk import load_claims, load_documents, load_entities
    from ssbrace.kb.store import Store

    store = Store(db_url)
    started = time.perf_counter()
    entities, documents, claims = generate(n_claims)
    load_entities(store, entities)
    load_documents(store, documents, DOCUMENT_COLUMNS)
    load_claims(store, claims, CLAIM_COLUMNS)
    with store.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE")  # fresh statistics, as autovacuum would give them later
    store.dispose()
    return time.perf_counter() - started


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(mode: str, db_url: str) -> dict:
    """One analysis in this (fresh) process: seconds per stage and the peak RSS."""
    from ssbrace.analysis.bundle import Knowledge
    from ssbrace.domains.loader import load_domain
    from ssbrace.kb.queries import claim_records
    from ssbrace.kb.store import Store

    if mode == "chunked":  # not in a checkout from before the chunked analysis (``--baseline-code``)
        from ssbrace.kb.queries import StoredClaimGroups
    pack = load_domain()
    store = Store(db_url, migrate=False)  # another checkout may not know this one's migrations
    baseline_mib = _peak_mib()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if mode == "chunked":
        k = Knowledge.of_grouped(StoredClaimGroups(store), pack, timings=timings)
        stages = ("checks", "boards")
    else:
        with store.session() as session:
            records = claim_records(session)
        timings["load"] = time.perf_counter() - started
        k = Knowledge.of(records, pack)
        stages = ("facts", "conflicts", "ledgers", "checks", "boards")
    steps = {"facts": lambda: k.facts, "conflicts": lambda: k.conflicts, "ledgers": lambda: k.ledgers,
             "checks": lambda: k.findings, "boards": lambda: (k.board("country"), k.board("company"))}
    for name in stages:
        t = time.perf_counter()
        steps[name]()
        timings[name] = time.perf_counter() - t
    total = time.perf_counter() - started
    store.dispose()
    return {"mode": mode, "claims": len(k.records), "facts": len(k.facts), "conflicts": len(k.conflicts),
            "ledgers": len(k.ledgers), "slips": sum(m.entry.move == "slip" for m in k.moves),
            "findings": len(k.findings), "seconds": {**{k_: round(v, 2) for k_, v in timings.items()},
                                                     "total": round(total, 2)},
            "peak_rss_mib": round(_peak_mib()), "rss_before_mib": round(baseline_mib)}


def measure(mode: str, db_url: str, code: str | None = None) -> dict:
    """``child`` in a process of its own (its peak RSS is the analysis's, not the fill's), with the ssbrace
    of checkout ``code`` when given."""
    root = code or str(ROOT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, __file__, "--child", mode, db_url, "--code", root], capture_output=True,
                          text=True, env=env, check=False)
    if done.returncode != 0:
        return {"mode": mode, "error": (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(db_url: str, claims: int, baseline: bool = True, baseline_code: str | None = None) -> dict:
    """Fill the (empty) store at ``db_url`` with ``claims`` claims and measure the analysis over them.

    Args:
        db_url: a SQLAlchemy URL of an empty store (PostgreSQL or SQLite).
        claims: how many claims to generate.
        baseline: also run the all-in-memory analysis (``Knowledge.of``) for comparison.
        baseline_code: a checkout whose ``Knowledge.of`` is the baseline (one from before the chunked
            analysis, to compare with the records as they were); default this one.

    Returns:
        ``{"claims", "fill_seconds", "chunked": {...}, "baseline": {...} | None}``; each analysis has
        ``seconds`` per stage (load, facts, conflicts, ledgers, checks, boards, total) and ``peak_rss_mib``.
    """
    fill_s = fill(db_url, claims)
    return {"claims": claims, "fill_seconds": round(fill_s, 1), "chunked": measure("chunked", db_url),
            "baseline": measure("baseline", db_url, baseline_code) if baseline else None}


def _line(result: dict) -> str:
    if "error" in result:
        return f"{result['mode']:>9}: failed: {result['error']}"
    s = result["seconds"]
    stages = " ".join(f"{name} {s[name]:.1f}" for name in ("load", "facts", "conflicts", "ledgers", "checks",
                                                            "boards", "total") if name in s)
    return (f"{result['mode']:>9}: {stages} s; peak RSS {result['peak_rss_mib']:,} MiB "
            f"(facts {result['facts']:,}, conflicts {result['conflicts']:,}, ledgers {result['ledgers']:,}, "
            f"slips {result['slips']:,}, findings {result['findings']:,})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", default="100000,300000,1000000", help="sizes, comma-separated")
    parser.add_argument("--db-url", help="an empty store to fill (one size only)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite files instead of a PostgreSQL server")
    parser.add_argument("--baseline-max", type=int, default=1_000_000,
                        help="run the all-in-memory baseline up to this size")
    parser.add_argument("--baseline-code", help="a checkout whose Knowledge.of is the baseline (default: this one)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "URL"), help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    sizes = [int(x) for x in args.claims.split(",")]
    if args.db_url and len(sizes) != 1:
        parser.error("--db-url takes one size")

    def one(url: str, n: int) -> None:
        result = run(url, n, baseline=n <= args.baseline_max, baseline_code=args.baseline_code)
        print(f"{n:,} claims (filled in {result['fill_seconds']} s)")
        for part in (result["chunked"], result["baseline"]):
            if part is not None:
                print("  " + _line(part))

    if args.db_url:
        one(args.db_url, sizes[0])
    elif args.sqlite:
        with tempfile.TemporaryDirectory(prefix="ssbrace-scale-") as folder:
            for n in sizes:
                one(f"sqlite:///{folder}/scale-{n}.db", n)
    else:
        from tests.fixtures.pg_process import running_postgres

        with running_postgres(("work_mem=64MB", "shared_buffers=256MB", "max_wal_size=4GB")) as server:
            print(f"PostgreSQL on 127.0.0.1:{server.port}")
            for n in sizes:
                one(server.url(server.create_database()), n)


if __name__ == "__main__":
    main()
