"""Distributed runs on a real Dask ``LocalCluster`` (2 worker processes): the same documents and claims as the
single-process path, re-runs store nothing new, a worker killed mid-run loses nothing, PostgreSQL as the
store, and the command line's ``--scheduler`` and ``--workers``.

One cluster serves the package (conftest.py); ``--workers`` starts its own, once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from ssbrace.cluster.ingest import Throughput, run_ingest_distributed  # noqa: E402
from ssbrace.kb.store import Store  # noqa: E402
from ssbrace.pipeline import run_ingest  # noqa: E402
from ssbrace.settings import Settings  # noqa: E402
from tests.distributed.common import PICKED, KillOnce, _claims, _documents, _items, _store, _stories  # noqa: E402

PARTITION = 3  # documents per task: several partitions even for this small folder


@pytest.fixture
def single(folder, tmp_path) -> Iterator[tuple[Store, list[dict]]]:
    """The folder ingested by the single-process path."""
    store = _store(f"sqlite:///{tmp_path / 'single.db'}")
    result = run_ingest(store, [str(folder)], Settings())
    yield store, _items(result)
    store.dispose()


def test_same_documents_and_claims_as_single_process_and_a_rerun_stores_nothing(client, folder, tmp_path, single):
    single_store, single_items = single
    statuses = [item["status"] for item in single_items]
    assert statuses.count("new") == len(PICKED) and "duplicate" in statuses and "near_duplicate" in statuses
    assert statuses.count("failed") == 1

    store = _store(f"sqlite:///{tmp_path / 'cluster.db'}")
    lines: list[str] = []
    throughput = Throughput()
    result = run_ingest_distributed(store, [str(folder)], Settings(), client, partition_size=PARTITION,
                                    throughput=throughput, progress=lambda done, total, line: lines.append(line))
    # Same outcomes, in the same order, with the same document ids, duplicates and claim counts.
    assert _items(result) == single_items
    assert _documents(store) == _documents(single_store)
    claims = _claims(store)
    assert claims and claims == _claims(single_store)
    stories = _stories(store)
    assert stories == _stories(single_store) and stories["keys"] and len(stories["stories"]) > 1
    # The near copy was in the last partition, its original in the first: found across partitions.
    near = next(i for i in _items(result) if i["status"] == "near_duplicate")
    assert near["input"].endswith("090_toyota-idemitsu-syndicated.txt") and near["duplicate_of"] == 1
    # Progress: documents done and failed, each worker's throughput (which workers took partitions is
    # Dask's choice: on a busy machine one may take them all).
    assert throughput.done == len(single_items) and throughput.failed == 1
    assert throughput.workers and set(throughput.workers) <= {"0", "1"}
    assert sum(w.documents for w in throughput.workers.values()) == len(single_items)
    assert lines[-1].startswith(f"done {len(single_items)}, failed 1; worker ")
    assert lines[-1].endswith(" docs/s")

    again = run_ingest_distributed(store, [str(folder)], Settings(), client, partition_size=PARTITION)
    counts = again.counts()
    assert counts["new"] == counts["near_duplicate"] == 0 and counts["failed"] == 1  # the empty file again
    assert _documents(store) == _documents(single_store)
    assert _claims(store) == claims
    store.dispose()


def test_partitions_grow_round_by_round_with_the_same_outcome(client, folder, tmp_path, single, monkeypatch):
    """By default the first partition of each worker thread is small (a small input still reaches every
    worker), and each round after is twice as large up to a bound: fewer tasks and transactions per document."""
    from ssbrace.cluster import ingest

    monkeypatch.setattr(ingest, "PARTITION_SIZE", 1)
    monkeypatch.setattr(ingest, "LARGEST_PARTITION", 4)
    sizes: list[int] = []

    class Recorded(ingest.DistributedIngestion):
        def _submit(self, part: ingest._Partition) -> None:
            sizes.append(len(part.items))
            super()._submit(part)

    store = _store(f"sqlite:///{tmp_path / 'growing.db'}")
    with Recorded(store, Settings(), client) as ingestion:
        result = ingestion.ingest([str(folder)])
    assert sizes == [1, 1, 2, 2, 4, 1]  # two worker threads: two partitions a round; 11 documents
    assert _items(result) == single[1]
    assert _documents(store) == _documents(single[0])
    store.dispose()


def test_workers_find_what_stories_compare_and_the_driver_adds_only_the_claims_names(client, folder, tmp_path,
                                                                                    monkeypatch):
    """Each new document's entities and figures, and its term counts, come back from its worker: the same as
    the driver finds in the stored text and claims when it groups stories alone (which it then no longer
    does)."""
    from ssbrace.cluster.ingest import DistributedIngestion
    from ssbrace.kb import stories_repo
    from ssbrace.stories.cluster import _profiles  # how grouping works them out itself
    from ssbrace.stories.features import entity_index, resolve_domain
    from ssbrace.stories.terms import document_terms

    store = _store(f"sqlite:///{tmp_path / 'profiles.db'}")
    ingestion = DistributedIngestion(store, Settings(), client, partition_size=PARTITION)
    with ingestion:
        result = ingestion.ingest([str(folder)])
    stored = [i.document_id for i in result.items if i.status in ("new", "near_duplicate")]
    assert len(stored) == len(PICKED) + 1
    profiles = ingestion.worked_out.profiles
    assert sorted(profiles) == sorted(stored)
    with store.session() as session:
        docs = stories_repo.get_documents(session, stored)
        claims = stories_repo.claims_for_documents(session, stored)
    expected = _profiles(docs, claims, entity_index(resolve_domain(Settings().domain)))
    assert profiles == expected
    assert all(p.entities for p in profiles.values()) and any(p.figures for p in profiles.values())
    terms = ingestion.worked_out.terms
    assert sorted(terms) == sorted(stored)
    for doc, counted in zip(docs, document_terms(docs), strict=True):
        assert terms[doc.id].to_bytes() == counted.to_bytes() and len(counted.terms) > 20
    # Grouping then counts no text itself.
    from ssbrace.pipeline import WorkedOut, after_batch_stored
    from ssbrace.stories import terms as terms_module

    counted_here: list[int] = []
    monkeypatch.setattr(terms_module, "document_terms",
                        lambda docs: counted_here.append(len(docs)) or [terms[d.id] for d in docs])
    assert after_batch_stored(store, Settings(), worked_out=WorkedOut(profiles, terms)) == len(stored)
    assert sum(counted_here) == 0
    store.dispose()


def test_feed_entries_and_archive_records_are_read_on_the_workers(client, tmp_path, http_server):
    """A feed's entry pages are fetched by the workers (with a router of their own), an archive's records
    are read on the driver and their bodies sent: the same outcomes as the single-process path."""
    from dataclasses import replace

    from tests.sources.archive_files import TOPICS, write_jsonl

    dump = write_jsonl(tmp_path / "dump.jsonl.gz", [
        {"url": "https://dump.example/1", "title": "Harbourline", "published": "2024-03-01", "text": TOPICS[0][1]},
        {"url": "https://dump.example/2", "text": 7},
        {"url": "https://dump.example/3", "html": f"<html><body><article><p>{TOPICS[2][1]}</p></article></body></html>"},
    ], gz=True)
    inputs = [http_server.url("feeds/summary.xml"), str(dump)]
    settings = replace(Settings(), allow_private=True)
    single_store = _store(f"sqlite:///{tmp_path / 'single.db'}")
    cluster_store = _store(f"sqlite:///{tmp_path / 'cluster.db'}")
    try:
        expected = _items(run_ingest(single_store, inputs, settings))
        assert [i["status"] for i in expected] == ["new", "new", "new", "failed", "new"]
        result = run_ingest_distributed(cluster_store, inputs, settings, client, partition_size=PARTITION)
        assert _items(result) == expected
        assert _documents(cluster_store) == _documents(single_store)
        assert _claims(cluster_store) == _claims(single_store)
    finally:
        single_store.dispose()
        cluster_store.dispose()


def test_a_restarted_run_goes_on_where_the_last_one_stopped(client, folder, tmp_path, single):
    """The first files were stored before the run was cut short: they are skipped, the rest stored once."""
    single_store, _ = single
    store = _store(f"sqlite:///{tmp_path / 'restarted.db'}")
    first = sorted(folder.iterdir())[:4]
    run_ingest_distributed(store, [str(p) for p in first], Settings(), client, partition_size=PARTITION)
    result = run_ingest_distributed(store, [str(folder)], Settings(), client, partition_size=PARTITION)
    statuses = [(Path(i.input).name, i.status) for i in result.items]
    assert statuses[:4] == [(p.name, "duplicate") for p in first]
    assert [i.reason for i in result.items[:4]] == [f"already stored as document {n}" for n in range(1, 5)]
    assert _documents(store) == _documents(single_store)
    assert _claims(store) == _claims(single_store)
    # the stories of the first run were grouped without the rest: the second run's are placed around them
    assert _stories(store)["members"] and {m[0] for m in _stories(store)["members"]} == {
        m[0] for m in _stories(single_store)["members"]}
    store.dispose()


def test_a_worker_killed_mid_run_loses_nothing_and_stores_nothing_twice(client, folder, tmp_path, single):
    single_store, single_items = single
    marker = tmp_path / "killed"
    client.register_plugin(KillOnce(str(marker)), name="kill-once")
    try:
        store = _store(f"sqlite:///{tmp_path / 'killed.db'}")
        result = run_ingest_distributed(store, [str(folder)], Settings(), client, partition_size=PARTITION)
    finally:
        client.unregister_worker_plugin("kill-once")
    assert marker.exists()  # a worker did die mid-run
    assert _items(result) == single_items
    assert _documents(store) == _documents(single_store)  # every document once (locations are unique too)
    assert _claims(store) == _claims(single_store)
    assert _stories(store) == _stories(single_store)
    store.dispose()
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it, for the tests after this one


def test_postgresql_store_gets_the_same_documents_and_claims(client, folder, single, pg_url):
    single_store, single_items = single
    store = _store(pg_url)
    try:
        result = run_ingest_distributed(store, [str(folder)], Settings(), client, partition_size=PARTITION)
        assert _items(result) == single_items
        assert _documents(store) == _documents(single_store)
        assert _claims(store) == _claims(single_store)
        assert _stories(store) == _stories(single_store)  # stories written under explicit ids on PostgreSQL
        again = run_ingest_distributed(store, [str(folder)], Settings(), client, partition_size=PARTITION)
        assert again.counts()["new"] == 0
        assert _documents(store) == _documents(single_store)
    finally:
        store.dispose()


def _cli(tmp_path: Path, db: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), SSBRACE_CONFIG=str(tmp_path / "no-config.toml"),
               COLUMNS="200")
    env.pop("SSBRACE_DB", None)
    return subprocess.run([sys.executable, "-m", "ssbrace", "--db", db, *args], env=env, capture_output=True,
                          text=True, timeout=300)


def _json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def test_cli_ingest_on_an_existing_scheduler(client, folder, tmp_path, single):
    _, single_items = single
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    done = _cli(tmp_path, db, "ingest", str(folder), "--scheduler", client.scheduler.address, "--json")
    assert done.returncode == 1, done.stderr  # the empty file failed; the rest was handled
    lines = _json_lines(done.stdout)
    assert lines[-1]["totals"] == {"new": len(PICKED), "near_duplicate": 1, "duplicate": 1, "unchanged": 0,
                                   "failed": 1}
    assert [(x["status"], x["document_id"], x["claims"]) for x in lines[:-1]] == [
        (x["status"], x["document_id"], x["claims"]) for x in single_items]
    assert f"cluster: done {len(single_items)}, failed 1; worker " in done.stderr
    assert "1 of 11 items failed" in done.stderr


def test_cli_reextract_on_local_workers_keeps_the_same_claims(tmp_path, folder, single):
    single_store, _ = single
    before = _claims(single_store)
    db = str(single_store.url)
    done = _cli(tmp_path, db, "reextract", "--all", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert f"re-extracted {len(PICKED) + 1} documents: {len(before)} claims" in done.stdout
    # the last progress line: documents done and each worker's throughput, as ingest prints it
    assert re.search(r"cluster: done \d+, failed 0; worker .+: [\d.]+ docs/s", done.stderr), done.stderr
    after = _claims(single_store)
    # Claims are replaced (new ids, so new evidence links), with the same content.
    assert [_without_ids(c) for c in after] == [_without_ids(c) for c in before]


def _without_ids(claim: dict) -> dict:
    return {**{k: v for k, v in claim.items() if k != "id"}, "evidence": {**claim["evidence"], "url": None}}


def test_a_local_cluster_keeps_its_housekeeping_slow():
    """The local cluster the CLI starts checks its event loops once a second and samples no stacks: that
    housekeeping cost a tenth of the 2-core machine's CPU (docs/scale.md)."""
    import dask

    from ssbrace.cluster.engine import dask_client

    def settings() -> tuple[object, object]:
        return dask.config.get("distributed.worker.profile.enabled"), dask.config.get("distributed.admin.tick.interval")

    with dask_client(workers=1) as local:
        assert list(local.run(settings).values()) == [(False, "1s")]
        assert local.run_on_scheduler(settings)[1] == "1s"
    assert dask.config.get("distributed.admin.tick.interval") != "1s"  # this process's settings as they were


def test_cli_rejects_both_options_and_help_loads_no_dask(tmp_path):
    done = _cli(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", "ingest", str(tmp_path), "--workers", "2",
                "--scheduler", "tcp://127.0.0.1:1")
    assert done.returncode != 0 and "give --workers or --scheduler, not both" in done.stderr
    probe = ("import sys\nfrom ssbrace.cli.main import run\nsys.argv=['ssbrace','ingest','--help']\n"
             "try:\n    run()\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(repr(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed'})))")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "--workers" in shown.stdout and "--scheduler" in shown.stdout
    assert shown.stderr.strip().endswith("[]"), shown.stderr


def test_two_drivers_at_once_into_one_postgresql_store_each_document_once(client, folder, tmp_path, single, pg_url):
    """Two `ingest --scheduler` runs of the same folder at the same time (two drivers sharing a cluster and a
    store, as a sharded backfill runs them): every document is stored once, each item is new for exactly one of
    the two, and the store holds what the single-process path stores."""
    single_store, single_items = single
    _store(pg_url).dispose()  # migrated once, before the drivers race
    args = ("ingest", str(folder), "--scheduler", client.scheduler.address, "--json")
    env = dict(os.environ, HOME=str(tmp_path / "home"), SSBRACE_CONFIG=str(tmp_path / "no-config.toml"), COLUMNS="200")
    env.pop("SSBRACE_DB", None)
    runs = [subprocess.Popen([sys.executable, "-m", "ssbrace", "--db", pg_url, *args], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 1, err  # the empty file fails in both; nothing else does
    first, second = (_json_lines(out)[:-1] for out, _ in outputs)
    assert len(first) == len(second) == len(single_items), [err[-2000:] for _, err in outputs]
    for a, b, expected in zip(first, second, single_items, strict=True):
        if expected["status"] == "failed":
            assert a["status"] == b["status"] == "failed"
            continue
        # a document both drivers read is stored by one of them (new, or a near copy, as the single path says)
        # and found already stored by the other
        stored_by = [x for x in (a, b) if x["status"] != "duplicate" or expected["status"] == "duplicate"]
        assert [x["status"] for x in stored_by] in ([expected["status"]], [expected["status"]] * 2), (a, b, expected)
        if expected["status"] != "duplicate":
            assert len(stored_by) == 1, (a, b)
    store = _store(pg_url)
    try:
        stored = _documents(store)
        assert sorted(d[2] for d in stored) == sorted(d[2] for d in _documents(single_store))  # sha256, each once
        by_location = lambda claims: sorted((c["evidence"]["url"] or "", c["kind"], c["subject"]) for c in claims)  # noqa: E731
        assert by_location(_claims(store)) == by_location(_claims(single_store))
    finally:
        store.dispose()
