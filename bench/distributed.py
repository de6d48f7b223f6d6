"""Distributed ingestion on Dask: documents/s with 1 and 2 workers, scaling efficiency, the driver's share.

The articles are bench/pipeline.py's realistic generated HTML pages (events of the race, each reported by
one to seven articles worded differently, a crowded burst week). For each size N the same folder is
ingested, each run into a fresh store and in its own process (so that peak memory is that run's):

  single   the single-process path (``ssbrace ingest FOLDER``, no Dask): the baseline,
  1 / 2    ``ssbrace ingest FOLDER --workers 1`` / ``--workers 2``: the Dask LocalCluster the CLI starts
           (``cluster.engine.dask_client``) and ``cluster.ingest.run_ingest_distributed``.

For each run: documents/s (the whole run: documents, claims, entities, then stories; the cluster's start
is reported apart), documents/s without the stories stage (which runs once at the end, on the driver),
the driver's time per phase (routing and sending, waiting for workers, writing, stories: wall seconds),
the driver's CPU per document (its process CPU time over N, and its main thread's per phase: unlike wall
time, these hardly depend on the load of a shared machine), the workers' busy time per document (wall
seconds inside their tasks, summed), and the peak RSS of the driver and of each worker. Then the scaling efficiency:
2-worker docs/s over 1-worker docs/s, and over the single-process path. Workers and driver are warmed up
(models loaded) before the clock starts.

    .venv/bin/python bench/distributed.py                       # N = 2000, 5000, 20000 into SQLite
    .venv/bin/python bench/distributed.py --sizes 2000 --postgres      # a throwaway PostgreSQL server
    .venv/bin/python bench/distributed.py --db-url postgresql+psycopg://user@host/postgres
    .venv/bin/python bench/distributed.py --sizes 2000 --analysis-claims 1000000

``--db-url`` names a PostgreSQL server: each run gets a database of its own there (created and dropped,
so the user needs CREATEDB). ``--analysis-claims N`` also runs the analysis half of the benchmark,
``bench/analysis_scale.py``'s ``run(db_url, claims)``, when that module exists.

``--writes N`` (with ``--postgres`` or ``--db-url``) measures only the driver's batched writes on PostgreSQL,
COPY against executemany: N articles read once in this process (the workers' part), then written in
partitions of 32 by ``cluster.writes.BatchWriter`` into a fresh database each way, the driver's CPU and wall
time of writing per document.

    .venv/bin/python bench/distributed.py --postgres --writes 2000
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from pipeline import generate  # noqa: E402  (the realistic articles of bench/pipeline.py)

# This file is named like Dask's package: bench/ must not be on the path when Dask is imported.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]

MODES = ("single", "1", "2")
PHASES = ("routing", "waiting", "writing", "stories")
WARM_DOCS = 6


# --- stores: a fresh one per run ---


@contextmanager
def fresh_database(server_url: str | None, folder: Path) -> Iterator[str]:
    """A fresh, empty store's URL: a SQLite file in ``folder``, or a new database on the PostgreSQL server
    at ``server_url`` (dropped at the end)."""
    if server_url is None:
        yield f"sqlite:///{folder / f'run-{uuid.uuid4().hex[:8]}.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"ssbrace_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL server (as the tests start one): the URL of its maintenance database."""
    from tests.fixtures.pg_process import running_postgres as running

    with running() as server:
        yield server.url("postgres")


# --- one run, in a child process ---


def _warm_worker() -> bool:
    """Load what a worker loads on its first document (the domain pack, the extractor's tables)."""
    from ssbrace.documents.dedup import minhash_of
    from ssbrace.extract.pipeline import extract_claims

    text = "Toyota plans volume output of its all-solid-state cells in Japan from 2027."
    extract_claims(text, doc="warm")
    minhash_of(text)
    return True


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _counts(db_url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from ssbrace.kb.store import Store
    from ssbrace.kb.tables import Claim, Document, Story

    store = Store(db_url)
    try:
        with store.session() as session:
            return {name: int(session.scalar(select(func.count()).select_from(t)) or 0)
                    for name, t in (("documents", Document), ("claims", Claim), ("stories", Story))}
    finally:
        store.dispose()


def _thread_cpu() -> dict[str, float]:
    """CPU seconds of each live thread of this process, by thread name (Linux: /proc), so that the driver's
    CPU can be told apart: its main thread (routing, writes, stories) and Dask's threads (the event loop
    that runs the LocalCluster's scheduler and the client's communication, the deserialising pool)."""
    import threading

    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = {}
    for thread in threading.enumerate():
        try:
            fields = Path(f"/proc/self/task/{thread.native_id}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = "main" if thread is threading.main_thread() else thread.name.split("-")[0].split(" ")[0]
        found[name] = found.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return found


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def _rss_by_phase(phases: Any, found: dict[str, float]) -> Iterator[None]:
    """The driver's largest RSS seen in each phase (``Throughput.phases``), sampled every 0.2 s."""
    import threading

    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            stack = list(phases._stack)
            name = "documents" if stack and stack[-1][0] != "stories" else "stories" if stack else "other"
            found[name] = max(found.get(name, 0.0), _rss_mb())

    sampler = threading.Thread(target=sample, name="rss-sampler", daemon=True)
    sampler.start()
    try:
        yield
    finally:
        stop.set()
        sampler.join()


@contextmanager
def _profiled(path: str | None) -> Iterator[None]:
    """The main thread under cProfile, its CPU time (not wall time: waits are not counted) written to
    ``path`` (``--profile``)."""
    if not path:
        yield
        return
    import cProfile

    profile = cProfile.Profile(time.thread_time)
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(path)


def one_run(mode: str, pages: Path, db_url: str, warm_pages: Path, partition_size: int | None,
            profile: str | None = None) -> dict[str, Any]:
    """Ingest ``pages`` into the store at ``db_url`` in one mode; every figure of the run."""
    from ssbrace.kb.store import Store
    from ssbrace.pipeline import (
        after_batch_stored,
        after_document_stored,
        claims_before_storing,
        ingest_documents,
    )
    from ssbrace.settings import Settings

    settings = Settings(db=db_url)
    warm_url = f"sqlite:///{warm_pages.parent / f'warm-{uuid.uuid4().hex[:8]}.db'}"
    n = sum(1 for _ in pages.iterdir())
    out: dict[str, Any] = {"mode": mode, "n": n}
    store = Store(db_url)
    if mode == "single":
        from ssbrace.pipeline import run_ingest

        warm = Store(warm_url)
        run_ingest(warm, [str(warm_pages)], Settings(db=warm_url))
        warm.dispose()
        cpu_start, start = time.process_time(), time.perf_counter()
        result = ingest_documents(store, [str(pages)], settings, after_store=after_document_stored,
                                  prepare=claims_before_storing)
        mark = time.perf_counter()
        phases = {"stories": 0.0}
        after_batch_stored(store, settings)
        phases["stories"] = time.perf_counter() - mark
        out.update(wall=time.perf_counter() - start, driver_cpu=time.process_time() - cpu_start, phases=phases,
                   phase_cpu={}, start_s=0.0, workers={})
    else:
        from ssbrace.cluster.engine import dask_client
        from ssbrace.cluster.ingest import Throughput, run_ingest_distributed

        mark = time.perf_counter()
        with dask_client(int(mode)) as client:
            client.wait_for_workers(int(mode))
            out["start_s"] = time.perf_counter() - mark
            client.run(_warm_worker)
            warm = Store(warm_url)
            run_ingest_distributed(warm, [str(warm_pages)], Settings(db=warm_url), client)
            warm.dispose()
            throughput = Throughput()
            threads_before = _thread_cpu()
            cpu_start, start = time.process_time(), time.perf_counter()
            throughput.started = time.monotonic()
            rss: dict[str, float] = {"start": _rss_mb()}
            with _profiled(profile), _rss_by_phase(throughput.phases, rss):
                result = run_ingest_distributed(store, [str(pages)], settings, client, throughput=throughput,
                                                partition_size=partition_size)
            out.update(wall=time.perf_counter() - start, driver_cpu=time.process_time() - cpu_start,
                       phases=dict(throughput.phases.seconds), phase_cpu=dict(throughput.phases.cpu))
            out["rss_by_phase"] = rss
            out["thread_cpu"] = {name: cpu - threads_before.get(name, 0.0) for name, cpu in _thread_cpu().items()}
            rss = client.run(_peak_rss_mb)
            out["workers"] = {str(name): {"documents": stats.documents, "busy_s": stats.busy_s}
                              for name, stats in throughput.workers.items()}
            out["worker_rss_mb"] = sorted(rss.values())
    store.dispose()
    out.update(stored=result.counts(), counts=_counts(db_url), driver_rss_mb=_peak_rss_mb())
    return out


# --- the parent: sizes, modes, the table ---


def _child(mode: str, pages: Path, db_url: str, warm: Path, partition_size: int | None,
           profile: str | None = None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one", mode, "--pages", str(pages), "--db", db_url, "--warm", str(warm)]
    if partition_size:
        command += ["--partition-size", str(partition_size)]
    if profile and mode != "single":
        command += ["--profile", str(Path(profile) / f"driver-{pages.name}-{mode}.pstats")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    run = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if run.returncode != 0:
        tail = run.stderr.strip().splitlines()[-5:] if run.stderr.strip() else [str(run.returncode)]
        raise RuntimeError(f"{mode} run failed:\n" + "\n".join(tail))
    return dict(json.loads(run.stdout.strip().splitlines()[-1]))


def _line(row: dict[str, Any]) -> str:
    n, wall = row["n"], row["wall"]
    phases = row["phases"]
    stories = phases.get("stories", 0.0)
    shares = " ".join(f"{phases.get(p, 0.0) / wall:>6.0%}" if p in phases else f"{'-':>6}" for p in PHASES)
    cpu = row.get("phase_cpu") or {}
    cpu_text = (" (" + ", ".join(f"{p} {cpu[p] / n * 1000:.1f}" for p in PHASES if p in cpu) + " ms/doc)") if cpu else ""
    workers = row.get("worker_rss_mb") or []
    busy = sum(w["busy_s"] for w in row.get("workers", {}).values())
    cpu_text += f"; workers busy {busy / n * 1000:.1f} ms/doc" if busy else ""
    threads = {name: cpu for name, cpu in (row.get("thread_cpu") or {}).items() if cpu / n >= 0.00005}
    if threads:
        cpu_text += "; driver threads " + ", ".join(f"{name} {cpu / n * 1000:.2f}"
                                                    for name, cpu in sorted(threads.items(), key=lambda x: -x[1])) + " ms/doc"
    rss = row.get("rss_by_phase") or {}
    if rss:
        cpu_text += "; driver RSS " + ", ".join(f"{name} {mb:.0f}" for name, mb in rss.items()) + " MB"
    label = "single" if row["mode"] == "single" else f"{row['mode']} worker" + ("s" if row["mode"] != "1" else "")
    return (f"{n:>6} {label:>9} {n / wall:>7.1f} {n / max(wall - stories, 1e-9):>9.1f} {row['start_s']:>6.1f}s "
            f"{shares} {row['driver_cpu'] / n * 1000:>8.1f} {row['driver_rss_mb']:>7.0f} "
            f"{'/'.join(f'{r:.0f}' for r in workers) or '-':>9}  {row['counts']}{cpu_text}")


def _analysis(server_url: str | None, folder: Path, claims: int) -> None:
    path = ROOT / "bench" / "analysis_scale.py"
    if not path.exists():
        print(f"--analysis-claims: {path.relative_to(ROOT)} does not exist yet; analysis half skipped")
        return
    spec = importlib.util.spec_from_file_location("analysis_scale", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with fresh_database(server_url, folder) as db_url:
        figures = module.run(db_url, claims)
    print(f"analysis over {claims} claims: " + json.dumps(figures, default=str))


def _writes(server_url: str, folder: Path, n: int) -> None:
    """COPY against executemany for the driver's batched writes (``--writes``)."""
    from functools import partial

    from ssbrace.cluster.ingest import PARTITION_SIZE
    from ssbrace.cluster.tasks import Read, ReadConfig, ReadJob, _read
    from ssbrace.cluster.writes import BatchWriter
    from ssbrace.documents.dedup import StoredNearDuplicates, banding
    from ssbrace.extract.pipeline import EXTRACTOR_VERSION
    from ssbrace.kb.store import Store
    from ssbrace.pipeline import StoredSources
    from ssbrace.settings import Settings
    from ssbrace.sources.routing import Found, Raw

    pages = folder / f"writes-{n}"
    pages.mkdir()
    generate(pages, n)
    threshold = Settings().near_duplicate_threshold
    config = ReadConfig(None, None, None, banding(threshold))
    started = time.perf_counter()
    reads = []
    for path in sorted(pages.iterdir()):
        fetch = partial(Raw, path=path)
        read = _read(ReadJob(str(path), fetch), config)
        assert isinstance(read, Read)
        reads.append((path, fetch, read))
    print(f"writes: {n} articles read in this process in {time.perf_counter() - started:.0f} s")
    for copy in (False, True, False, True):
        with fresh_database(server_url, folder) as db_url:
            store = Store(db_url)
            source = StoredSources(store).register(str(pages), "folder", None)
            batch = [(Found(path.name, str(path), source, fetch), read) for path, fetch, read in reads]
            writer = BatchWriter(store, StoredNearDuplicates(threshold), EXTRACTOR_VERSION,
                                 lambda failed: RuntimeError(failed.reason), copy=copy)
            cpu, wall = time.thread_time(), time.perf_counter()
            for start in range(0, len(batch), PARTITION_SIZE):
                writer.write(batch[start : start + PARTITION_SIZE])
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            counts = _counts(db_url)
            store.dispose()
        print(f"writes: {'COPY' if copy else 'executemany':>11}: driver CPU {cpu / n * 1000:.2f} ms/doc, "
              f"wall {wall / n * 1000:.2f} ms/doc; {counts['documents']} documents, {counts['claims']} claims",
              flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,5000,20000", help="comma-separated N (default 2000,5000,20000)")
    parser.add_argument("--modes", default=",".join(MODES), help="which runs: single,1,2 (default all three)")
    parser.add_argument("--db-url", help="a PostgreSQL server (postgresql+psycopg://...): a database per run there")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL server for the runs")
    parser.add_argument("--partition-size", type=int,
                        help="documents per Dask task, every task (default: the CLI's, growing from 32 to 128)")
    parser.add_argument("--analysis-claims", type=int, help="also run bench/analysis_scale.py over N claims")
    parser.add_argument("--writes", type=int, help="only the driver's writes on PostgreSQL: COPY vs executemany")
    parser.add_argument("--profile", help="a folder: the driver's main thread under cProfile, a .pstats file per run")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process: one run, JSON out
    parser.add_argument("--pages", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--warm", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one, Path(args.pages), args.db, Path(args.warm), args.partition_size,
                                 args.profile)))
        return 0
    if args.db_url and args.postgres:
        parser.error("give --db-url or --postgres, not both")
    if args.db_url and not args.db_url.startswith("postgresql"):
        parser.error("--db-url must be a PostgreSQL server's URL (SQLite files are the default)")
    if args.writes and not (args.postgres or args.db_url):
        parser.error("--writes needs a PostgreSQL server: --postgres or --db-url")
    with postgres_server() if args.postgres else _given(args.db_url) as server_url:
        if args.writes:
            assert server_url is not None
            with tempfile.TemporaryDirectory(prefix="ssbrace-writesbench-") as tmp:
                _writes(server_url, Path(tmp), args.writes)
            return 0
        return _bench(args, server_url)


@contextmanager
def _given(url: str | None) -> Iterator[str | None]:
    yield url


def _bench(args: argparse.Namespace, server_url: str | None) -> int:
    sizes = [int(s) for s in args.sizes.split(",")]
    modes = [m for m in args.modes.split(",") if m]
    store_kind = "PostgreSQL" if server_url else "SQLite"
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPU(s), load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; store: {store_kind}")
    print(f"{'N':>6} {'run':>9} {'docs/s':>7} {'-stories':>9} {'start':>7} "
          + " ".join(f"{p[:6]:>6}" for p in PHASES)
          + f" {'drv ms/doc':>8} {'drv MB':>7} {'wrk MB':>9}  stored")
    with tempfile.TemporaryDirectory(prefix="ssbrace-distbench-") as tmp:
        folder = Path(tmp)
        warm = folder / "warm"
        warm.mkdir()
        generate(warm, WARM_DOCS, seed=5)
        for n in sizes:
            pages = folder / f"pages-{n}"
            pages.mkdir()
            generate(pages, n)
            rows: dict[str, dict[str, Any]] = {}
            for mode in modes:
                with fresh_database(server_url, folder) as db_url:
                    try:
                        rows[mode] = _child(mode, pages, db_url, warm, args.partition_size, args.profile)
                    except RuntimeError as exc:
                        print(f"N={n}: {exc}")
                        return 1
                print(_line(rows[mode]), flush=True)
            rate = {m: r["n"] / r["wall"] for m, r in rows.items()}
            bare = {m: r["n"] / max(r["wall"] - r["phases"].get("stories", 0.0), 1e-9) for m, r in rows.items()}
            if "2" in rows and "1" in rows:
                line = f"{n:>6} scaling: 2 workers / 1 worker {rate['2'] / rate['1']:.2f}x"
                line += f" (without stories {bare['2'] / bare['1']:.2f}x)"
                if "single" in rows:
                    line += (f"; 2 workers / single process {rate['2'] / rate['single']:.2f}x"
                             f" (without stories {bare['2'] / bare['single']:.2f}x)")
                print(line, flush=True)
            load = os.getloadavg()
            print(f"{'':>6} load average now {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
        if args.analysis_claims:
            _analysis(server_url, folder, args.analysis_claims)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
