"""Soak: readers and writers together for minutes, on loopback only; prints errors, p95 and memory growth.

Starts ``ssbrace serve`` over a fresh SQLite store in its own process, then runs in phases of equal length,
the same readers throughout and one more writer each phase: 0 writers (the baseline), 1, ..., ``--writers``.
  - writers: ``ssbrace ingest`` in their own processes, one batch of generated articles after another
    (our own template words, invented companies), each article a different text;
  - readers: threads in this process (``--reader-processes``: processes, so that readers do not share
    one interpreter lock) requesting dashboard pages and API listings over keep-alive connections, each
    request timed.
For each phase it prints requests, read latency p50/p95/max, documents stored, the server's share of one
CPU and the slowest routes by p95; then HTTP errors (any status >= 500, or a failed connection), failed
ingest items, the largest size the write-ahead log reached, and the server's resident memory at start and
end. Every number is bounded: the run stops at ``--seconds``, each request has a timeout, each ingest
batch a deadline.

    .venv/bin/python bench/soak.py                       # 3 minutes: 0, 1, 2 writers; 8 readers
    .venv/bin/python bench/soak.py --seconds 90 --writers 1 --readers 2 --batch 20
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
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


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    """Reader threads: each loops over the read paths until told to stop, recording (phase, path, seconds)."""

    def __init__(self, base: str, count: int, seed: int = 0) -> None:
        self.base = base
        self.phase = 0
        self.samples: list[tuple[int, str, float]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(seed * 100 + i,), daemon=True)
                         for i in range(count)]

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self._stop.is_set():
                path = rng.choice(READ_PATHS)
                phase = self.phase
                start = time.perf_counter()
                try:
                    status = client.get(path).status_code
                    error = f"HTTP {status} {path}" if status >= 500 else None
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__} {path}"
                elapsed = time.perf_counter() - start
                with self._lock:
                    self.samples.append((phase, path, elapsed))
                    if error:
                        self.errors.append(error)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=40)


def _reader_process(base: str, count: int, seed: int, phases: list[float], out: str) -> None:
    """A reader process: its threads read through the phases (ending at the given monotonic times)."""
    readers = Readers(base, count, seed)
    readers.start()
    for phase, end in enumerate(phases):
        readers.phase = phase
        time.sleep(max(end - time.monotonic(), 0))
    readers.stop()
    Path(out).write_text(json.dumps({"samples": readers.samples, "errors": readers.errors}))


def _writer(db: str, folder: Path, stop_at: float, batch: int, seed: int, env: dict) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Ingest batches of new articles until ``stop_at`` (monotonic); returns (batches, failed items)."""
    rng = random.Random(seed)
    batches = failed = 0
    serial = seed * 1_000_000
    while stop_at - time.monotonic() > 3:
        target = folder / f"w{seed}-b{batches}"
        target.mkdir(parents=True)
        for _ in range(batch):
            serial += 1
            (target / f"a{serial}.md").write_text(_article(rng, serial), encoding="utf-8")
        try:
            done = subprocess.run([*SSBRACE, "--db", db, "ingest", "--json", str(target)], env=env,
                                  capture_output=True, text=True, timeout=max(stop_at - time.monotonic(), 10) + 60)
            failed += sum(1 for line in done.stdout.splitlines() if '"status": "failed"' in line)
        except subprocess.TimeoutExpired:
            failed += batch
        batches += 1
    return batches, failed


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))] if ordered else float("nan")


def _documents(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("select count(*) from documents").fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="how long the phases run in all")
    parser.add_argument("--writers", type=int, default=2, help="writers in the last phase (one more each phase)")
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--reader-processes", type=int, default=0,
                        help="spread the readers over this many processes (0: threads in this process)")
    parser.add_argument("--batch", type=int, default=25, help="articles per ingest run")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ssbrace-soak-"))
    db_file = work / "soak.db"
    db = f"sqlite:///{db_file}"
    env = {**os.environ, "SSBRACE_DB": db, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # A first batch so that every page has something to show before readers start.
    subprocess.run([*SSBRACE, "--db", db, "ingest", str(_first_batch(work))], env=env, capture_output=True,
                   check=True, timeout=600)
    server = subprocess.Popen([*SSBRACE, "--db", db, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    phase_seconds = args.seconds / (args.writers + 1)
    stored = [_documents(db_file)]
    server_cpu: list[float] = []
    wal_peak = 0
    results: list[tuple[int, int]] = []
    try:
        _wait_up(base, time.monotonic() + 60)
        rss_start = _rss_kib(server.pid)
        started = time.monotonic()
        server_cpu.append(_cpu_seconds(server.pid))
        ends = [started + phase_seconds * (k + 1) for k in range(args.writers + 1)]
        if args.reader_processes:
            per = [args.readers // args.reader_processes + (i < args.readers % args.reader_processes)
                   for i in range(args.reader_processes)]
            outs = [str(work / f"reader{i}.json") for i in range(args.reader_processes)]
            procs = [multiprocessing.get_context("spawn").Process(target=_reader_process,
                                                                  args=(base, n, i, ends, outs[i]))
                     for i, n in enumerate(per)]
            for proc in procs:
                proc.start()
        else:
            readers = Readers(base, args.readers)
            readers.start()
        writers: list[threading.Thread] = []
        for phase, end in enumerate(ends):
            if not args.reader_processes:
                readers.phase = phase
            if phase:  # one more writer, to the end of the run
                writers.append(threading.Thread(target=lambda i=phase: results.append(
                    _writer(db, work / "in", ends[-1], args.batch, i, env))))
                writers[-1].start()
            while time.monotonic() < end:
                wal = db_file.with_name(db_file.name + "-wal")
                wal_peak = max(wal_peak, wal.stat().st_size if wal.exists() else 0)
                time.sleep(0.5)
            stored.append(_documents(db_file))
            server_cpu.append(_cpu_seconds(server.pid))
        for thread in writers:
            thread.join(timeout=700)
        if args.reader_processes:
            samples: list[tuple[int, str, float]] = []
            errors: list[str] = []
            for proc, out in zip(procs, outs, strict=True):
                proc.join(timeout=60)
                got = json.loads(Path(out).read_text())
                samples += [tuple(x) for x in got["samples"]]  # type: ignore[misc]
                errors += got["errors"]
        else:
            readers.stop()
            samples, errors = readers.samples, readers.errors
        rss_end = _rss_kib(server.pid)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    how = f"{args.reader_processes} processes" if args.reader_processes else "threads of one process"
    print(f"soak: {elapsed:.0f} s in {args.writers + 1} phases of {phase_seconds:.0f} s, {args.readers} readers "
          f"({how}), batches of {args.batch}, {os.cpu_count()} CPUs, store {db_file}")
    for phase in range(args.writers + 1):
        lat = [s for p, _path, s in samples if p == phase]
        by_path: dict[str, list[float]] = {}
        for p, path, seconds in samples:
            if p == phase:
                by_path.setdefault(path, []).append(seconds)
        slowest = sorted(by_path.items(), key=lambda kv: -_percentile(kv[1], 0.95))[:3]
        print(f"{phase} writer(s): {len(lat)} reads, p50 {statistics.median(lat) * 1000:.0f} ms, "
              f"p95 {_percentile(lat, 0.95) * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms; "
              f"{stored[phase + 1] - stored[phase]} documents stored; server CPU "
              f"{(server_cpu[phase + 1] - server_cpu[phase]) / phase_seconds:.0%}; slowest p95: "
              + ", ".join(f"{path} {_percentile(v, 0.95) * 1000:.0f} ms" for path, v in slowest))
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else "")
          + f"; writes: {sum(b for b, _ in results)} ingest runs, {stored[-1]} documents stored, "
          f"{sum(f for _, f in results)} failed items; write-ahead log peak {wal_peak / 2**20:.1f} MiB")
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
