"""The driver's batched writes (``cluster.writes``): a partition's documents in one transaction and a few
statements, with the same outcomes, documents, claims, entities and stories as the single-process path;
one document that fails to be written loses only itself; a worker killed and a run restarted store every
document once. On a real Dask ``LocalCluster`` (conftest.py), SQLite and a real PostgreSQL server."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from sqlalchemy import event  # noqa: E402

from ssbrace.cluster.ingest import run_ingest_distributed  # noqa: E402
from ssbrace.kb.store import Store  # noqa: E402
from ssbrace.pipeline import run_ingest  # noqa: E402
from ssbrace.settings import Settings  # noqa: E402
from tests.distributed.common import (  # noqa: E402
    PICKED,
    KillOnce,
    _claims,
    _documents,
    _entities,
    _items,
    _store,
    _stories,
)
from tests.sources.archive_files import TOPICS, write_jsonl  # noqa: E402


def _statements(store: Store) -> Counter:
    """Counts of the statements the store's engine runs, by their first words (``INSERT INTO claims``)."""
    seen: Counter = Counter()

    @event.listens_for(store.engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        seen[" ".join(statement.split()[:3]).upper()] += 1

    return seen


def _same_as_single(store: Store, single_store: Store, *, stories: bool = True) -> None:
    assert _documents(store) == _documents(single_store)
    claims = _claims(store)
    assert claims and claims == _claims(single_store)
    assert _entities(store) == _entities(single_store)
    if stories:
        assert _stories(store) == _stories(single_store)


def test_one_partition_is_written_in_a_few_statements_with_the_same_outcome(client, folder, tmp_path):
    """The folder twice in one partition: its exact copy, its near copy and its second listing are decided
    against documents of the same batch (not stored yet when the batch began)."""
    inputs = [str(folder), str(folder)]
    single_store = _store(f"sqlite:///{tmp_path / 'single.db'}")
    store = _store(f"sqlite:///{tmp_path / 'batch.db'}")
    try:
        expected = _items(run_ingest(single_store, inputs, Settings()))
        statements = _statements(store)
        result = run_ingest_distributed(store, inputs, Settings(), client, partition_size=64)
        assert _items(result) == expected
        statuses = Counter(item["status"] for item in expected)
        assert statuses == {"new": len(PICKED), "duplicate": 1 + len(PICKED) + 2, "near_duplicate": 1, "failed": 2}
        # The second listing: every stored location found in the batch itself; the copy was never stored.
        again = Counter(" ".join(i["reason"].split()[:3]) for i in expected[len(expected) // 2 :])
        assert again["already stored as"] == len(PICKED) + 1 and again["same text as"] == 1
        _same_as_single(store, single_store)
        # One multi-row INSERT each for the documents, their bands and their claims; no update per claim.
        assert statements["INSERT INTO DOCUMENTS"] == 1
        assert statements["INSERT INTO DOCUMENT_BANDS"] == 1
        assert statements["INSERT INTO CLAIMS"] == 1
        assert statements["UPDATE CLAIMS SET"] == 0
    finally:
        single_store.dispose()
        store.dispose()


def _dump_with_one_unwritable(path: Path) -> Path:
    """A JSONL dump of six articles, the third with a title no store can hold (a lone surrogate: JSON allows
    it, UTF-8 does not), so that it fails when it is written, not when it is read."""
    records: list[object] = [{"url": f"https://dump.example/{i}", "title": title, "published": "2024-03-01",
                              "text": text} for i, (title, text) in enumerate(TOPICS)]
    records[2] = {**records[2], "title": "Marrowgate \ud800 delays"}  # type: ignore[dict-item]
    return write_jsonl(path, records)


def _no_id(shape: dict) -> dict:
    """An outcome or a claim without the ids a store gives (documents, claims, evidence links)."""
    drop = {"document_id", "id"}
    return {k: (_no_id(v) if isinstance(v, dict) else v) for k, v in shape.items() if k not in drop}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_document_that_fails_to_be_written_loses_only_itself(client, tmp_path, backend, request, caplog):
    dump = _dump_with_one_unwritable(tmp_path / "dump.jsonl")
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else f"sqlite:///{tmp_path / 'batch.db'}"
    single_store = _store(f"sqlite:///{tmp_path / 'single.db'}")
    store = _store(url)
    try:
        expected = _items(run_ingest(single_store, [str(dump)], Settings()))
        with caplog.at_level(logging.WARNING, logger="ssbrace.cluster.ingest"):
            result = run_ingest_distributed(store, [str(dump)], Settings(), client, partition_size=64)
        # The batch (all six in one partition) failed as a whole, then each was written alone.
        assert any("failed to be written" in r.getMessage() for r in caplog.records)
        items = _items(result)
        assert [i["status"] for i in items] == ["new", "new", "failed", "new", "new", "new"]
        assert "UnicodeEncodeError" in items[2]["reason"]
        documents = _documents(store)
        assert [d[1] for d in documents] == [f"https://dump.example/{i}" for i in (0, 1, 3, 4, 5)]
        if backend == "sqlite":
            assert items == expected
            assert documents == _documents(single_store)
            assert _claims(store) == _claims(single_store)
        else:
            # PostgreSQL does not give back the ids a rolled-back INSERT drew from its sequence: the documents
            # written after the failed batch have the same content, with later ids.
            assert [_no_id(i) for i in items] == [_no_id(i) for i in expected]
            assert [d[1:] for d in documents] == [d[1:] for d in _documents(single_store)]
            assert [_no_id(c) for c in _claims(store)] == [_no_id(c) for c in _claims(single_store)]
    finally:
        single_store.dispose()
        store.dispose()


def test_batched_writes_into_postgresql_with_a_worker_killed_and_a_restart(client, folder, tmp_path, pg_url):
    """Part of the folder stored, then the whole folder again with a worker killed during its second
    partition: every document once, as the single-process path stores them."""
    single_store = _store(f"sqlite:///{tmp_path / 'single.db'}")
    store = _store(pg_url)
    marker = tmp_path / "killed"
    try:
        expected = _items(run_ingest(single_store, [str(folder)], Settings()))
        first = sorted(folder.iterdir())[:3]
        run_ingest_distributed(store, [str(p) for p in first], Settings(), client, partition_size=4)
        client.register_plugin(KillOnce(str(marker)), name="kill-once")
        try:
            result = run_ingest_distributed(store, [str(folder)], Settings(), client, partition_size=4)
        finally:
            client.unregister_worker_plugin("kill-once")
        assert marker.exists()  # a worker did die mid-run
        items = _items(result)
        assert [i["reason"] for i in items[:3]] == [f"already stored as document {n}" for n in (1, 2, 3)]
        assert items[3:] == expected[3:]
        # Stories are not compared: the first run grouped its three documents before the others came.
        _same_as_single(store, single_store, stories=False)
    finally:
        single_store.dispose()
        store.dispose()
        client.wait_for_workers(2, timeout=60)


def test_postgresql_batches_are_written_by_copy_with_the_same_rows(client, folder, tmp_path, pg_url):
    """On PostgreSQL the documents, their bands and their claims stream in through COPY (no INSERT of them
    runs), with the defaults an INSERT fills, and the store ends up as the single-process path's."""
    from sqlalchemy import text

    single_store = _store(f"sqlite:///{tmp_path / 'single.db'}")
    store = _store(pg_url)
    try:
        expected = _items(run_ingest(single_store, [str(folder)], Settings()))
        statements = _statements(store)
        result = run_ingest_distributed(store, [str(folder)], Settings(), client, partition_size=4)
        assert _items(result) == expected
        _same_as_single(store, single_store)
        assert not {"INSERT INTO DOCUMENTS", "INSERT INTO DOCUMENT_BANDS", "INSERT INTO CLAIMS"} & set(statements)
        with store.session() as session:
            claims, undated = session.execute(text(
                "SELECT count(*), count(*) FILTER (WHERE created_at IS NULL) FROM claims")).one()
            bands = session.scalar(text("SELECT count(DISTINCT document_id) FROM document_bands"))
        assert claims > 0 and undated == 0
        assert bands == len(PICKED)  # the originals are indexed, the near copy is not
    finally:
        single_store.dispose()
        store.dispose()


def test_the_kept_resolver_is_read_again_when_another_writer_changed_the_entities(store):
    """The driver keeps one resolver across its batches; an entity added meanwhile by someone else (another
    process, a person merging) is seen in the next batch, as a resolver loaded per transaction sees it."""
    from ssbrace.entities.resolve import KeptResolver, Resolver
    from ssbrace.kb import entities_repo

    kept = KeptResolver()
    with store.session() as session:
        first = kept.get(session)
        assert first.resolve("Quillon Energy", "company", create=False) is None
        kept.written(session)
    with store.session() as session:
        assert kept.get(session) is first  # nothing changed: not read again
    with store.session() as other:  # another writer
        Resolver.load(other).resolve("Quillon Energy", "company")
    with store.session() as session:
        again = kept.get(session)
        assert again is not first
        entity_id = again.resolve("Quillon Energy", "company", create=False)
        assert entity_id is not None and entities_repo.entity_names(session)[entity_id] == "Quillon Energy"


def test_reextract_on_the_cluster_reports_each_workers_throughput(client, folder, tmp_path):
    """The line ingestion's progress shows (documents done and failed, each worker's docs/s), after each
    partition of a re-extraction too, with the same claims as before."""
    from ssbrace.cluster.ingest import Throughput, run_reextract_distributed

    store = _store(f"sqlite:///{tmp_path / 'reextract.db'}")
    try:
        run_ingest(store, [str(folder)], Settings())
        before = _claims(store)
        lines: list[str] = []
        throughput = Throughput()
        result = run_reextract_distributed(store, Settings(), client, only_outdated=False, partition_size=3,
                                           throughput=throughput, on_line=lines.append)
        stored = len(PICKED) + 1  # the originals and the near copy
        assert result.documents == stored and result.failed == 0
        assert len(lines) == -(-stored // 3)  # one line per partition
        assert lines[-1].startswith(f"done {stored}, failed 0; worker ") and lines[-1].endswith(" docs/s")
        assert sum(w.documents for w in throughput.workers.values()) == stored
        # Claims are replaced (new ids, so new evidence links), with the same content.
        assert [_no_id(c) | {"evidence": _no_id(c["evidence"]) | {"url": None}} for c in _claims(store)] == [
            _no_id(c) | {"evidence": _no_id(c["evidence"]) | {"url": None}} for c in before]
    finally:
        store.dispose()
