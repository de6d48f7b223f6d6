"""Web serving speed: requests/s and p50/p95 latency of the scoreboard, a company page, an API query and
search; the server's memory; how long a new document takes to show in the analysis.

Fills a fresh SQLite store with N claims over M documents (bulk inserts straight into the tables, the
full-text triggers included), starts ``ssbrace serve`` in its own process, and loads it from this
process with a pool of threads over keep-alive httpx clients. The baseline, measured the same way in the
same run, is a static file served by the same app: ratio = static req/s / endpoint req/s. Then it writes
one more document (a new target for the busiest company) and polls the API until the analysis shows it,
printing the delay and the slowest poll (no read should wait for the update).

    .venv/bin/python bench/serve.py                       # 100,000 claims over 20,000 documents
    .venv/bin/python bench/serve.py --claims 20000 --documents 4000 --seconds 5
    .venv/bin/python bench/serve.py --db /tmp/serve.db    # the store kept there, filled only when missing

Search is measured twice: one query repeated (what a cache per snapshot serves), and distinct queries
(each asked once in the run: a cold query).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from ssbrace.kb.store import Store
from ssbrace.kb.tables import Claim, Document, Entity, EntityAlias

ROOT = Path(__file__).resolve().parents[1]
print = functools.partial(print, flush=True)  # noqa: A001 - figures appear as they are measured
# Invented names: the bench needs many entities, not real ones.
COUNTRIES = [f"Country {c}" for c in "ABCDEFGHIJKLMNOPQRST"]
STAGES = ["prototype", "pilot", "sample", "commercialization", "mass_production", "vehicle_launch"]
TECH = ["sulfide", "oxide", "polymer", "semi_solid", "all_solid_state"]


def _company_names(n: int) -> list[str]:
    first = ["Aster", "Boreal", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Helix", "Iona", "Juniper"]
    second = ["Cells", "Energy", "Power", "Batteries", "Volt", "Ionics", "Materials", "Motors", "Storage", "Labs"]
    names = [f"{a} {b}" for a in first for b in second]
    return [names[i % len(names)] + ("" if i < len(names) else f" {i // len(names) + 1}") for i in range(n)]


def _claim(rng: random.Random, subject: tuple[int, str, str], partner: tuple[int, str, str], year: int) -> dict:
    """One claim and the sentence that states it (our own template words)."""
    sid, name, stype = subject
    kind = rng.choices(["target", "investment", "spec", "capacity", "partnership", "patents", "market_share",
                        "funding"], [25, 12, 12, 10, 10, 10, 11, 10])[0]
    if stype == "country" and kind in {"target", "spec", "partnership", "capacity"}:
        kind = "funding"
    row: dict = {"kind": kind, "subject": name, "subject_type": stype, "subject_entity_id": sid, "bound": "eq",
                 "year": year, "technology": rng.choice(TECH)}
    if kind == "target":
        stage = rng.choice(STAGES)
        when = year + rng.randint(1, 6)
        row.update(stage=stage, value=when, unit="year", year=when)
        sentence = f"{name} said it aims to reach {stage.replace('_', ' ')} of its solid-state cells by {when}."
    elif kind in {"investment", "funding"}:
        usd = rng.randint(5, 3000) * 1e6
        row.update(amount=usd, currency="USD", value_usd=usd, value=usd, unit="USD",
                   program=f"Programme {rng.randint(1, 40)}" if kind == "funding" else None)
        sentence = f"{name} committed {usd / 1e6:,.0f} million dollars to solid-state battery work in {year}."
    elif kind == "spec":
        wh = rng.randint(250, 550)
        row.update(metric="energy_density_wh_kg", value=wh, unit="Wh/kg")
        sentence = f"Test cells from {name} reached {wh} Wh/kg in {year}, the company reported."
    elif kind == "capacity":
        gwh = rng.randint(1, 60)
        row.update(value=gwh, unit="GWh/yr")
        sentence = f"{name} plans a plant able to turn out {gwh} GWh of cells a year from {year}."
    elif kind == "partnership":
        row.update(object=partner[1], object_entity_id=partner[0], year=None)
        sentence = f"{name} and {partner[1]} agreed to develop electrolyte layers together."
    elif kind == "patents":
        count = rng.randint(50, 9000)
        row.update(value=count, unit="patents")
        sentence = f"By {year}, filings linked to {name} numbered {count:,} solid-state battery patents."
    else:
        share = round(rng.uniform(0.5, 40), 1)
        row.update(value=share, unit="%", segment="automotive_batteries")
        sentence = f"{name} held {share}% of the automotive battery market in {year}."
    row["sentence"] = sentence
    return row


def fill(url: str, n_claims: int, n_docs: int, seed: int = 7) -> dict:
    """Bulk-write entities, documents and claims; returns names the load will ask for."""
    rng = random.Random(seed)
    store = Store(url)
    now = datetime.now(UTC)
    companies = _company_names(max(50, n_docs // 100))
    with store.session() as s:
        entities = [{"id": i + 1, "name": c, "type": "country", "country": None, "from_gazetteer": True,
                     "created_at": now} for i, c in enumerate(COUNTRIES)]
        base = len(entities)
        entities += [{"id": base + i + 1, "name": c, "type": "company", "country": rng.choice(COUNTRIES),
                      "from_gazetteer": False, "created_at": now} for i, c in enumerate(companies)]
        s.execute(insert(Entity), entities)
        s.execute(insert(EntityAlias), [{"entity_id": e["id"], "alias": e["name"],
                                         "normalised": e["name"].casefold()} for e in entities])
        people = [(e["id"], e["name"], e["type"]) for e in entities]
        weights = [3 if e["type"] == "country" else 1 for e in entities]
        per_doc = n_claims // n_docs
        extra = n_claims - per_doc * n_docs
        docs, claims = [], []
        start_day = date(2019, 1, 1)
        for d in range(1, n_docs + 1):
            published = start_day + timedelta(days=rng.randint(0, 2400))
            subject = rng.choices(people, weights)[0]
            rows = [_claim(rng, rng.choices(people, weights)[0] if i else subject, rng.choice(people), published.year)
                    for i in range(per_doc + (1 if d <= extra else 0))]
            title = f"{subject[1]} update on solid-state cells, report {d}"
            text, offset = title + "\n\n", len(title) + 2
            for row in rows:
                row.update(document_id=d, start=offset, end=offset + len(row["sentence"]), confidence=0.8,
                           extractor_version="bench", created_at=now)
                text += row["sentence"] + " "
                offset += len(row["sentence"]) + 1
            text += "Analysts said more detail would follow later in the year. " * 3
            docs.append({"id": d, "location": f"bench:{d}", "url": f"https://news.example.org/{d}", "title": title,
                         "publisher": f"Outlet {d % 60}", "published": published, "text": text,
                         "word_count": len(text.split()), "sha256": hashlib.sha256(text.encode()).hexdigest(),
                         "fetched_at": now})
            claims += rows
        for chunk in range(0, len(docs), 2000):
            s.execute(insert(Document), docs[chunk:chunk + 2000])
        keys = {k for row in claims for k in row}
        claims = [{k: row.get(k) for k in keys} for row in claims]
        for chunk in range(0, len(claims), 5000):
            s.execute(insert(Claim), claims[chunk:chunk + 5000])
    store.dispose()
    counts: dict[str, int] = {}
    for row in claims:
        counts[row["subject"]] = counts.get(row["subject"], 0) + 1
    busiest_company = max((c for c in companies), key=lambda c: counts.get(c, 0))
    return {"company": busiest_company, "company_claims": counts.get(busiest_company, 0)}


def add_document(url: str, company: str, n_docs: int) -> None:
    """One more document with one target claim for ``company`` (a stage no other claim uses)."""
    store = Store(url)
    now = datetime.now(UTC)
    sentence = f"{company} said it aims to reach bench stage by 2031."
    with store.session() as s:
        remove_added(s, n_docs)  # a kept store holds the previous run's
        eid = s.scalar(select(Entity.id).where(Entity.name == company))
        s.execute(insert(Document), [{"id": n_docs + 1, "location": f"bench:{n_docs + 1}", "title": sentence,
                                      "url": f"https://news.example.org/{n_docs + 1}", "publisher": "Outlet new",
                                      "published": date(2025, 6, 1), "text": sentence, "word_count": 10,
                                      "sha256": hashlib.sha256(sentence.encode()).hexdigest(), "fetched_at": now}])
        s.execute(insert(Claim), [{"document_id": n_docs + 1, "kind": "target", "subject": company,
                                   "subject_type": "company", "subject_entity_id": eid, "stage": "bench_stage",
                                   "year": 2031, "value": 2031, "unit": "year", "bound": "eq", "sentence": sentence,
                                   "start": 0, "end": len(sentence), "confidence": 0.8, "extractor_version": "bench",
                                   "created_at": now}])
    store.dispose()


def remove_added(session: Session, n_docs: int) -> None:
    """Whatever a previous run added past the filled documents (a kept store, ``--db``)."""
    session.execute(delete(Claim).where(Claim.document_id > n_docs))
    session.execute(delete(Document).where(Document.id > n_docs))


def company_names(url: str) -> dict:
    """The busiest company of a filled store and its claim count (what ``fill`` returns)."""
    store = Store(url)
    with store.session() as s:
        name, n = s.execute(select(Claim.subject, func.count()).where(Claim.subject_type == "company")
                            .group_by(Claim.subject).order_by(func.count().desc(), Claim.subject)).first()
    store.dispose()
    return {"company": name, "company_claims": int(n)}


def cold_queries(seed: int = 11) -> Iterator[str]:
    """Distinct search queries (a company word and a figure the bench's sentences hold), none repeated."""
    firsts = ["Aster", "Boreal", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Helix", "Iona", "Juniper"]
    pairs = [f"{w} {n}" for w in firsts for n in range(250, 551)]
    pairs += [f"{w} {n} GWh" for w in firsts for n in range(1, 61)]
    random.Random(seed).shuffle(pairs)
    yield from pairs
    raise SystemExit("bench: ran out of distinct search queries")


def memory_mib(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak (MiB), from /proc (Linux)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "SSBRACE_CONFIG": os.devnull}
    process = subprocess.Popen([sys.executable, "-c", "from ssbrace.cli.main import run; run()", "--db", url,
                                "serve", "--port", str(port)], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/static/ssbrace.css", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server did not start: {process.stderr.read().decode() if process.stderr else ''}")


def load(base: str, path: str | Iterator[str], seconds: float, threads: int) -> dict:
    """Requests from ``threads`` keep-alive clients for ``seconds``: req/s, p50, p95 (ms). ``path`` is one
    path, or an iterator of them (each request takes the next)."""
    paths = path if isinstance(path, Iterator) else None
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        mine = []
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.perf_counter() < stop:
                if paths is not None:
                    with lock:
                        target = next(paths)
                else:
                    target = str(path)
                t0 = time.perf_counter()
                response = client.get(target)
                mine.append(time.perf_counter() - t0)
                if response.status_code != 200:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"n": len(ordered), "rps": len(ordered) / elapsed, "p50": statistics.median(ordered) * 1000,
            "p95": ordered[int(0.95 * (len(ordered) - 1))] * 1000, "errors": errors[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="load per endpoint")
    parser.add_argument("--threads", type=int, default=4, help="concurrent keep-alive clients")
    parser.add_argument("--db", type=Path, help="keep the store in this file; filled only when it does not exist "
                        "(for the same --claims and --documents)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        url = f"sqlite:///{path}"
        t0 = time.perf_counter()
        if path.exists():
            store = Store(url)
            with store.session() as s:
                remove_added(s, args.documents)
            store.dispose()
            names, how = company_names(url), "kept"
        else:
            names, how = fill(url, args.claims, args.documents), "filled"
        fill_s = time.perf_counter() - t0
        size = path.stat().st_size / 1e6
        print(f"store: {args.claims:,} claims over {args.documents:,} documents, {size:,.0f} MB, {how} in {fill_s:.1f} s")
        port = _free_port()
        server = _serve(url, port)
        base = f"http://127.0.0.1:{port}"
        try:
            # The app builds its first analysis from the start; until it is ready pages answer 503 "building".
            t0 = time.perf_counter()
            first = httpx.get(base + "/", timeout=600)
            while first.status_code == 503 and time.perf_counter() - t0 < 600:
                time.sleep(0.2)
                first = httpx.get(base + "/", timeout=600)
            assert first.status_code == 200, first.text[:300]
            print(f"first scoreboard (reads every claim, builds the analysis once): {time.perf_counter() - t0:.2f} s "
                  "after the server answered")
            company = quote(names["company"], safe="")
            endpoints = [
                ("static file (baseline)", "/static/ssbrace.css"),
                ("scoreboard page", "/"),
                (f"company page ({names['company_claims']:,} claims)", f"/companies/{company}"),
                ("API claims query", f"/api/v1/claims?entity={company}&kind=target&since=2021-01-01&limit=50"),
                ("API search", "/api/v1/search?q=electrolyte+layers&limit=20"),
                ("API search, distinct queries (cold)", (f"/api/v1/search?q={quote(q)}&limit=20"
                                                         for q in cold_queries())),
            ]
            print(f"load: {args.threads} keep-alive clients in a second process, {args.seconds:g} s per endpoint, "
                  f"{os.cpu_count()} CPUs shared by client and server")
            print(f"{'endpoint':44} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'vs static':>10} {'errors':>7}")
            baseline = None
            for label, path in endpoints:
                if isinstance(path, str):
                    httpx.get(base + path, timeout=600)  # warm
                r = load(base, path, args.seconds, args.threads)
                baseline = baseline or r["rps"]
                print(f"{label:44} {r['rps']:8.1f} {r['p50']:8.1f} {r['p95']:8.1f} {baseline / r['rps']:9.1f}x "
                      f"{r['errors']:7d}")
            rss, peak = memory_mib(server.pid)
            print(f"server memory: {rss:,.0f} MiB resident, {peak:,.0f} MiB at its peak")
            poll = f"/api/v1/ledgers?entity={company}"
            t0 = time.perf_counter()
            add_document(url, names["company"], args.documents)
            slowest, shown = 0.0, None
            with httpx.Client(base_url=base, timeout=600) as client:
                while time.perf_counter() - t0 < 600:
                    t1 = time.perf_counter()
                    ledgers = client.get(poll).json()
                    slowest = max(slowest, time.perf_counter() - t1)
                    if any(led["stage"] == "bench_stage" for led in ledgers):
                        shown = time.perf_counter() - t0
                        break
                    time.sleep(0.05)
            print(f"one new document: in the analysis after {shown:.2f} s (written at 0 s); slowest read meanwhile "
                  f"{slowest * 1000:.0f} ms" if shown is not None else "one new document: not shown after 600 s")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
