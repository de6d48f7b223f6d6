"""Soak: readers and writers together for minutes, on loopback only; prints errors, p95 and memory growth.

Starts ``ssbrace serve`` over a fresh SQLite store in its own process, then, for ``--seconds``:
  - writers: ``ssbrace ingest`` in their own processes, one batch of generated articles after another
    (our own template words, invented companies), each article a different text;
  - readers: threads in this process requesting dashboard pages and API listings over keep-alive
    connections, each request timed.
Readers run alone for the first sixth of the time (at most 20 s): that is the baseline.
At the end it prints the number of requests, HTTP errors (any status >= 500, or a failed connection),
read latency p50/p95/max while writers ran, documents stored, failed ingest items, and the server's
resident memory at start and end. Every number is bounded: the run stops at ``--seconds``, each
request has a timeout, each ingest batch a deadline.

    .venv/bin/python bench/soak.py                       # 3 minutes, 2 writers, 8 readers
    .venv/bin/python bench/soak.py --seconds 60 --writers 1 --readers 4 --batch 20
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SSBRACE = [str(Path(sys.executable).parent / "ssbrace")]
print = functools.partial(print, flush=True)  # noqa: A001 - figures appear as they are measured
READ_PATHS = ["/", "/companies", "/stories", "/documents", "/claims", "/api/v1/claims?limit=20",
              "/api/v1/documents?limit=20", "/api/v1/scoreboard", "/api/v1/stories?limit=10",
              "/api/v1/search?q=cells"]
COMPANIES = [f"{a} {b}" for a in ("Aster", "Boreal", "Cobalt", "Delta", "Ember", "Fjord")
             for b in ("Cells", "Energy", "Ionics", "Materials")]


def _article(rng: random.Random, serial: int) -> str:
    """One short article of our own template words; the serial number keeps every text distinct."""
    company, partner = rng.sample(COMPANIES, 2)
    year = rng.randint(2026, 2032)
    capacity = rng.randint(1, 90)
    density = rng.randint(300, 520)
    return (f"# {company} plans solid-state line number {serial}\n\nDate: 2025-{rng.randint(1, 12):02d}-"
            f"{rng.randint(1, 28):02d}\n\n{company} said it aims to mass-produce sulfide solid-state cells by "
            f"{year}. The plant will have {capacity} GWh of annual capacity, according to the company. "
            f"{company} and {partner} agreed to develop electrolyte powders together. Its sample cells "
            f"reached {density} Wh/kg in tests, report {serial} said.\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _wait_up(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/v1/documents?limit=1", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("ssbrace serve did not start")


class Readers:
    """Reader threads: each loops over the read paths until told to stop, recording latencies."""

    def __init__(self, base: str, count: int) -> None:
        self.base = base
        self.count = count
        self.latencies: list[float] = []
        self.baseline: list[float] = []  # latencies before any writer started
        self.writing = False
        self.errors: list[str] = []
        self.requests = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(count)]

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self._stop.is_set():
                path = rng.choice(READ_PATHS)
                start = time.perf_counter()
                try:
                    status = client.get(path).status_code
                    error = f"HTTP {status} {path}" if status >= 500 else None
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__} {path}"
                elapsed = time.perf_counter() - start
                with self._lock:
                    self.requests += 1
                    (self.latencies if self.writing else self.baseline).append(elapsed)
                    if error:
                        self.errors.append(error)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=40)


def _writer(db: str, folder: Path, seconds_left, batch: int, seed: int, env: dict) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Ingest batches of new articles until time is up; returns (batches, failed items)."""
    rng = random.Random(seed)
    batches = failed = 0
    serial = seed * 1_000_000
    while seconds_left() > 5:
        target = folder / f"w{seed}-b{batches}"
        target.mkdir(parents=True)
        for _ in range(batch):
            serial += 1
            (target / f"a{serial}.md").write_text(_article(rng, serial), encoding="utf-8")
        try:
            done = subprocess.run([*SSBRACE, "--db", db, "ingest", "--json", str(target)], env=env,
                                  capture_output=True, text=True, timeout=max(seconds_left(), 10) + 60)
            failed += sum(1 for line in done.stdout.splitlines() if '"status": "failed"' in line)
        except subprocess.TimeoutExpired:
            failed += batch
        batches += 1
    return batches, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="how long readers and writers run")
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--batch", type=int, default=25, help="articles per ingest run")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ssbrace-soak-"))
    db = f"sqlite:///{work / 'soak.db'}"
    env = {**os.environ, "SSBRACE_DB": db, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # A first batch so that every page has something to show before readers start.
    subprocess.run([*SSBRACE, "--db", db, "ingest", str(_first_batch(work))], env=env, capture_output=True,
                   check=True, timeout=600)
    server = subprocess.Popen([*SSBRACE, "--db", db, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_up(base, time.monotonic() + 60)
        rss_start = _rss_kib(server.pid)
        readers = Readers(base, args.readers)
        started = time.monotonic()

        def seconds_left() -> float:
            return args.seconds - (time.monotonic() - started)

        readers.start()
        time.sleep(min(20.0, args.seconds / 6))  # the baseline: the same reads with no writer
        readers.writing = True
        results: list[tuple[int, int]] = []
        writers = [threading.Thread(target=lambda i=i: results.append(
            _writer(db, work / "in", seconds_left, args.batch, i + 1, env))) for i in range(args.writers)]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join(timeout=args.seconds + 700)
        readers.stop()
        rss_end = _rss_kib(server.pid)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    with sqlite3.connect(work / "soak.db") as conn:
        documents = conn.execute("select count(*) from documents").fetchone()[0]
    lat = sorted(readers.latencies)
    p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
    print(f"soak: {elapsed:.0f} s, {args.writers} writer(s), {args.readers} reader(s), store {work / 'soak.db'}")
    print(f"reads: {readers.requests} requests, errors {len(readers.errors)}"
          + (f" (first: {readers.errors[0]})" if readers.errors else ""))
    base = sorted(readers.baseline)
    if base:
        print(f"read latency with no writer: p50 {statistics.median(base) * 1000:.0f} ms, "
              f"p95 {base[int(0.95 * (len(base) - 1))] * 1000:.0f} ms")
    if lat:
        print(f"read latency while writing: p50 {statistics.median(lat) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
              f"max {lat[-1] * 1000:.0f} ms")
    print(f"writes: {sum(b for b, _ in results)} ingest runs, {documents} documents stored, "
          f"{sum(f for _, f in results)} failed items")
    print(f"server memory: {rss_start / 1024:.0f} MiB at start, {rss_end / 1024:.0f} MiB at end "
          f"(growth {(rss_end - rss_start) / 1024:+.0f} MiB)")


def _first_batch(work: Path) -> Path:
    folder = work / "first"
    folder.mkdir()
    rng = random.Random(0)
    for serial in range(10):
        (folder / f"first{serial}.md").write_text(_article(rng, serial), encoding="utf-8")
    return folder


if __name__ == "__main__":
    main()
