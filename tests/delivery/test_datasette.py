"""A real store opened in Datasette (its Python API) with the shipped metadata: tables read, descriptions shown."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest

from ssbrace.delivery.datasette import datasette_metadata
from ssbrace.kb.store import Store
from ssbrace.pipeline import load_reference
from tests.cli.test_kb_cli import run

datasette_app = pytest.importorskip("datasette.app", reason="datasette is a dev dependency (pip install -e '.[dev]')")


@pytest.fixture(scope="module")
def store_file(tmp_path_factory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("datasette") / "race.db"
    store = Store(f"sqlite:///{path}")
    load_reference(store)
    store.dispose()
    return path


def _get(ds, path: str):  # type: ignore[no-untyped-def]
    return asyncio.run(ds.client.get(path))


def test_datasette_reads_claims_with_entity_names_and_descriptions(store_file) -> None:  # type: ignore[no-untyped-def]
    ds = datasette_app.Datasette([str(store_file)], metadata=datasette_metadata("race"))
    rows = _get(ds, "/race/claims.json?_shape=array&kind=funding&_size=5").json()
    assert len(rows) == 5 and {r["kind"] for r in rows} == {"funding"}
    assert all(isinstance(r["value_usd"], float) for r in rows if r["value_usd"] is not None)
    page = _get(ds, "/race/claims")
    assert page.status_code == 200
    assert "One row per claim" in page.text  # the table's description
    assert "the sentence that states the claim" in page.text  # a column's
    # foreign keys read as names: the subject's entity is shown by its label column
    assert "Japan" in page.text
    described = _get(ds, "/-/metadata.json").json()["databases"]["race"]["tables"]
    assert described["entities"]["label_column"] == "name"
    listed = {t["name"]: t["hidden"] for t in _get(ds, "/race.json").json()["tables"]}
    assert listed["claims"] is False and listed["claims_fts"] is True


def test_every_table_of_a_new_store_is_described(store_file) -> None:  # type: ignore[no-untyped-def]
    with sqlite3.connect(store_file) as db:
        tables = {name for (name,) in db.execute("select name from sqlite_master where type = 'table'")}
    # FTS5's own shadow tables (claims_fts_data, ...) are Datasette's to hide
    tables = {t for t in tables if not any(t.startswith(f"{fts}_") for fts in ("claims_fts", "documents_fts"))}
    described = datasette_metadata("race")["databases"]["race"]["tables"]
    assert sorted(tables - set(described)) == []
    assert all(entry.get("description") for entry in described.values())


def test_the_command_writes_the_metadata_for_the_store(store_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "meta.json"
    res = run(f"sqlite:///{store_file}", "datasette-metadata", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert f"datasette {store_file} --metadata {out}" in res.stderr
    assert "claims" in json.loads(out.read_text())["databases"]["race"]["tables"]
    res = run("postgresql://nobody@127.0.0.1:1/none", "datasette-metadata")
    assert res.returncode == 2 and "Datasette opens SQLite files" in res.stderr
