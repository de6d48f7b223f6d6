"""The whole pipeline on N realistic articles: documents/s, seconds per stage, peak memory, growth exponent.

Each size runs in its own process on a fresh SQLite store, so peak memory (max RSS) is that size's. The
articles are generated HTML pages (a modest navigation and footer around 8-14 sentences of news prose):
events of the race (a plant, a target, a funding round, a cell figure, a deal, a market share) about the
gazetteer's companies, each reported by one to seven articles worded differently; 60% of the events fall in
one burst week and the rest over ten weeks, so story grouping sees a crowded window. In the same process:

  1. bare trafilatura on every page (the baseline, as in bench/ingest.py),
  2. ingestion without per-document stages (reading, dedup, SQLite, the full-text index),
  3. ``ssbrace ingest FOLDER`` as the CLI runs it: claims extracted before each write, stored and linked to
     entities inside it, then the new documents grouped into stories,

and the seconds of each stage of 3. The growth exponent is the slope of log(seconds) over log(N). Each page
knows its event, so the stories made in 3 are also scored (B-cubed against the events): the generated burst
is far more crowded than real coverage (hundreds of events a week about the same few dozen companies, figures
drawn from small sets), so this score tells how grouping holds in a crowd, not how it does on real text
(bench/stories.py --real).

    .venv/bin/python bench/pipeline.py                       # N = 1000, 2000, 4000
    .venv/bin/python bench/pipeline.py --sizes 1000,2000,4000,8000,16000
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest import bare  # noqa: E402  (the same baseline as bench/ingest.py)

BURST = date(2025, 6, 2)
PLANTS = ("pilot line", "demonstration line", "sample line", "mass-production plant", "gigafactory")
TECH = ("all-solid-state", "sulfide solid-state", "oxide solid-state", "semi-solid-state", "polymer solid-state")
OUTLETS = ("Grid Ledger", "Cell Review", "Volt Asia", "Battery Wire", "Charge Weekly", "Anode Times")
BACKGROUND = (
    "Analysts say the race to commercialise {tech} batteries has become a contest between Japan, China and "
    "South Korea, with Europe and the United States trying to keep up.",
    "{other} said earlier this year that it would not rush its own cells to market before the chemistry is proven.",
    "Sulfide electrolytes conduct lithium ions almost as well as liquids but react with moisture, which makes "
    "dry rooms and sealed lines expensive.",
    "Carmakers want cells that charge in under {minutes} minutes and survive more than {cycles} cycles.",
    "{country} has promised subsidies for battery materials, though the amounts have shifted from year to year.",
    "Shares of {other} rose {pct} percent on the news before falling back in afternoon trade.",
    "Industry groups expect global demand for solid-state cells to exceed {gwh} GWh by the end of the decade.",
    "The company did not say how many engineers work on the project or what the line cost.",
    "Earlier prototypes lost capacity quickly when the stack pressure dropped, researchers told reporters.",
    "{other} and {other2} have both filed hundreds of patents on solid electrolytes over the past decade.",
)
EVENTS: dict[str, tuple[str, ...]] = {
    "plant": (
        "{company} will build a {plant} for {tech} batteries in {country}, with output starting in {year}.",
        "{company} plans to open a {plant} in {country} and begin production of {tech} cells in {year}.",
        "A {plant} for {tech} cells that {company} is building in {country} should start up in {year}, the company said.",
    ),
    "capacity": (
        "The {plant} will have an annual capacity of {gwh} GWh when it is finished.",
        "{company} said the site would eventually make {gwh} GWh of cells a year.",
        "Capacity is planned at {gwh} GWh per year.",
    ),
    "funding": (
        "{company} raised {money} million dollars in a funding round led by {partner}.",
        "{partner} led a {money} million dollar round in {company}, the start-up said.",
        "The start-up {company} has closed a {money} million dollar financing round, with {partner} as lead investor.",
    ),
    "spec": (
        "{company} said its {tech} cell reaches an energy density of {whkg} Wh/kg.",
        "The {tech} cell from {company} stores {whkg} Wh/kg, according to the company.",
        "{company} reported {whkg} Wh/kg for its latest {tech} cell and a charge time of {minutes} minutes.",
    ),
    "deal": (
        "{company} and {partner} agreed to develop {tech} batteries together.",
        "{partner} signed a joint development agreement with {company} on {tech} cells.",
        "{company} will supply {tech} cells to {partner} under a new agreement.",
    ),
    "share": (
        "{company} took {pct} percent of worldwide EV battery sales in {last}, according to SNE Research.",
        "With a {pct}% share of global installations in {last}, {company} kept its place among the top makers.",
        "SNE Research data put the market share of {company} at {pct}% for {last}.",
    ),
    "target": (
        "{company} aims to mass-produce {tech} batteries by {year}.",
        "{company} now expects to start mass production of {tech} cells in {year}, later than planned.",
        "{company} is targeting {year} for the commercialisation of its {tech} battery.",
    ),
}
# Background sentences are put together from parts, so that articles about different events share few
# sentences (as real coverage does) while the event's own sentences repeat across its reports.
VERBS = ("is expanding", "has delayed", "is testing", "is reviewing", "has cut", "is doubling", "has paused",
         "is hiring for", "has sold", "is lobbying for", "has upgraded", "is sampling", "has patented",
         "is auditing", "has shipped", "is negotiating", "has redesigned", "is financing", "has licensed")
OBJECTS = ("its cathode supply chain", "a sodium-ion side project", "lithium metal anodes", "its dry-room capacity",
           "garnet electrolyte sheets", "a recycling joint venture", "its European sales network",
           "the stack-pressure fixtures", "argyrodite powder orders", "its 46-series cylindrical cells",
           "prismatic cell housings", "a new formation process", "its battery management software",
           "nickel-rich cathode blends", "silicon-carbon anodes", "electrolyte coating machines",
           "a graphite offtake contract", "its warranty terms", "thermal-runaway tests", "fast-charging stations")
WHEN = ("this quarter", "since March", "after a weak year", "ahead of the autumn motor show", "for the third time",
        "despite higher costs", "according to local media", "as demand in Europe slows", "after a safety review",
        "following talks with regulators", "to meet new rules", "while rivals wait")
GENERIC = ("A rival cell maker", "One Chinese supplier", "The materials unit", "A Korean competitor",
           "The carmaker's battery arm", "A start-up in Boston", "The research institute", "One European group",
           "A Japanese partner", "The trade ministry", "A state-backed fund", "Its largest customer")
# What sets one event's reports apart from the others: the site, the product, the people, told in detail.
DETAILS = (
    "The site near {town} was chosen for its port and its supply of {material}.",
    "{exec_name}, who leads the {product} programme, said the first {product} cells passed nail-penetration tests.",
    "Local officials in {town} expect about {jobs} jobs once the {product} line runs at full speed.",
    "The {product} design uses a {material} separator and a thin lithium anode, {exec_name} said.",
    "Suppliers in {town} have been asked to quote for {material} deliveries through {year}.",
)
SYLLABLES = ("ka", "ro", "mi", "ten", "vo", "sa", "lin", "dor", "ei", "ba", "tu", "ne", "shi", "gar", "po", "lek")
MATERIALS = ("argyrodite", "garnet", "halide", "polymer", "sulfide glass", "oxide ceramic", "LLZO", "LiPON")
QUOTES = (
    '"We are confident in the schedule," a spokesperson for {company} said.',
    '"This is a decisive step for the industry," said an executive at {company}.',
    'A person familiar with the plans said {company} was still negotiating with suppliers.',
)


def _name(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()


def _companies() -> list[tuple[str, str]]:
    from ssbrace.domains.loader import load_domain

    pack = load_domain()
    out = [(c.name, c.country or "Japan") for c in pack.gazetteer.companies]
    return sorted(out)


def _article(event: dict[str, Any], rng: random.Random, others: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """One article about ``event``: its sentences in new words and order, among background sentences."""
    other, other2 = rng.sample(others, 2)
    fill = dict(event["fill"], other=other[0], other2=other2[0], pct=rng.randint(2, 40), gwh=rng.choice((2, 8, 20, 40, 120)),
                minutes=rng.choice((10, 12, 15, 20)), cycles=rng.choice((800, 1000, 2000)))
    body = [rng.choice(EVENTS[kind]).format(**fill) for kind in event["kinds"]]
    body += [s.format(**fill) for s in rng.sample(DETAILS, rng.randint(2, 4))]
    body += [s.format(**fill) for s in rng.sample(BACKGROUND, rng.randint(1, 3))]
    for _ in range(rng.randint(3, 7)):
        who = rng.choice(others)[0] if rng.random() < 0.15 else rng.choice(GENERIC)
        body.append(f"{who} {rng.choice(VERBS)} {rng.choice(OBJECTS)} in {_name(rng, 3)} {rng.choice(WHEN)}, "
                    f"{_name(rng, 2)} {_name(rng, 3)} told the {_name(rng, 2)} {rng.choice(('Post', 'Herald', 'Daily'))}.")
    rest = body[1:] + [rng.choice(QUOTES).format(**fill)]
    rng.shuffle(rest)  # the lead states the event; the rest comes in any order
    return " ".join([body[0], *rest[:2]]), rest[2:]


def generate(folder: Path, n: int, seed: int = 11) -> dict[Path, int]:
    """``n`` HTML pages about about n/3 events, each page with the number of its event (the story it belongs
    to); 60% of the events in one burst week."""
    rng = random.Random(seed)
    companies = _companies()
    paths: dict[Path, int] = {}
    i = 0
    event_no = 0
    while i < n:
        company, country = rng.choice(companies)
        partner = rng.choice([c for c in companies if c[0] != company])[0]
        day = BURST + timedelta(days=rng.randrange(7)) if rng.random() < 0.6 else BURST + timedelta(days=rng.randrange(-35, 35))
        kinds = rng.sample(sorted(EVENTS), 2)
        event = {"kinds": kinds, "fill": {
            "company": company, "partner": partner, "country": country, "tech": rng.choice(TECH),
            "plant": rng.choice(PLANTS), "year": rng.randint(2026, 2031), "last": day.year - 1,
            "money": rng.choice((40, 75, 130, 250, 600)), "whkg": rng.choice((350, 400, 450, 500)),
            "gwh": rng.choice((1, 4, 10, 30)), "pct": round(rng.uniform(1, 38), 1), "minutes": rng.choice((9, 12, 15)),
            "town": _name(rng, 3), "product": _name(rng, 2).upper(), "exec_name": f"{_name(rng, 2)} {_name(rng, 3)}",
            "material": rng.choice(MATERIALS), "jobs": rng.choice((300, 800, 1200, 2500)),
        }}
        for _ in range(min(n - i, 1 + int(rng.expovariate(0.6)))):
            lead, rest = _article(event, rng, companies)
            published = day + timedelta(days=rng.randrange(3))
            outlet = rng.choice(OUTLETS)
            paras = "".join(f"<p>{s}</p>" for s in rest)
            nav = "".join(f'<li><a href="/s/{k}">Section {k}</a></li>' for k in range(40))
            footer = "".join(f'<a href="/legal/{k}">Notice {k}</a> ' for k in range(60))
            title = " ".join(lead.split(".")[0].split()[:11])  # the lead's opening, as headlines go
            html = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
                    f"<meta property='og:site_name' content='{outlet}'>"
                    f"<meta property='article:published_time' content='{published.isoformat()}'></head><body>"
                    f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{title}</h1><p>{lead}</p>"
                    f"{paras}</article></main><footer>{footer}</footer></body></html>")
            path = folder / f"a-{i:06d}.html"
            path.write_text(html, encoding="utf-8")
            paths[path] = event_no
            i += 1
        event_no += 1
    return paths


def _timed(fn: Callable[..., Any], total: list[float]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            total[0] += time.perf_counter() - start
    return run


def one_size(n: int) -> dict[str, Any]:
    """Every measure for one N, in this process (the parent runs one process per size)."""
    from ssbrace.kb.store import Store
    from ssbrace.pipeline import after_document_stored, claims_before_storing, group_stories, ingest_documents
    from ssbrace.settings import Settings

    with tempfile.TemporaryDirectory(prefix="ssbrace-pipeline-") as tmp:
        root = Path(tmp)
        pages = root / "pages"
        pages.mkdir()
        paths = generate(pages, n)
        t_bare = bare(list(paths))
        out: dict[str, Any] = {"n": n, "bare": t_bare}
        plain = Store(f"sqlite:///{root / 'docs.db'}")
        start = time.perf_counter()
        ingest_documents(plain, [str(pages)], Settings(db=plain.url))
        out["documents_only"] = time.perf_counter() - start
        plain.dispose()
        store = Store(f"sqlite:///{root / 'full.db'}")
        settings = Settings(db=store.url)
        extract, store_link = [0.0], [0.0]
        start = time.perf_counter()
        result = ingest_documents(store, [str(pages)], settings, prepare=_timed(claims_before_storing, extract),
                                  after_store=_timed(after_document_stored, store_link))
        ingest_s = time.perf_counter() - start
        start = time.perf_counter()
        placed = group_stories(store, settings)
        stories_s = time.perf_counter() - start
        with store.session() as session:
            from sqlalchemy import func, select

            from ssbrace.kb.tables import Claim, Document, Story, StoryDocument
            from ssbrace.stories.evaluate import bcubed

            counts = {t.__name__.lower() + "s": session.scalar(select(func.count()).select_from(t))
                      for t in (Document, Claim, Story)}
            grouped = dict(session.execute(select(Document.location, StoryDocument.story_id)
                                           .join(StoryDocument, StoryDocument.document_id == Document.id)).all())
            words = sum(len((t or "").split()) for (t,) in session.execute(select(Document.text)))
        store.dispose()
        events = {str(path): event for path, event in paths.items()}
        quality = bcubed(grouped, {location: events[location] for location in grouped})
        out.update(counts=counts, stored=result.counts(), placed=placed, words=words, events=len(set(events.values())),
                   bcubed=(quality.precision, quality.recall, quality.f1),
                   extraction=extract[0], claims_and_entities=store_link[0],
                   documents=ingest_s - extract[0] - store_link[0], stories=stories_s, total=ingest_s + stories_s,
                   peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) over log(x): the growth exponent."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,4000", help="comma-separated N (default 1000,2000,4000)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process: one size, JSON out
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    stages = ("documents", "extraction", "claims_and_entities", "stories")
    print(f"{'N':>6} {'docs/s':>8} {'bare/s':>8} {'x bare':>7} {'docs-only':>10} "
          + " ".join(f"{s[:12]:>12}" for s in stages) + f" {'peak MB':>8}  stored")
    for n in sizes:
        run = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=False)
        if run.returncode != 0:
            print(f"N={n} failed: {run.stderr.strip().splitlines()[-1] if run.stderr.strip() else run.returncode}")
            return 1
        row = json.loads(run.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"{n:>6} {n / row['total']:>8.1f} {n / row['bare']:>8.1f} {row['total'] / row['bare']:>7.2f} "
              f"{row['documents_only']:>9.1f}s " + " ".join(f"{row[s]:>11.1f}s" for s in stages)
              + f" {row['peak_mb']:>8.0f}  {row['counts']} ({row['words'] / n:.0f} words/doc); "
              f"{row['events']} events, stories' B-cubed P/R/F1 " + "/".join(f"{x:.3f}" for x in row["bcubed"]),
              flush=True)
    if len(rows) > 1:
        xs = [r["n"] for r in rows]
        print("growth exponent (slope of log seconds over log N): "
              + ", ".join(f"{name} {slope(xs, [max(r[name], 1e-3) for r in rows]):.2f}"
                          for name in ("total", "documents_only", *stages, "bare")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
