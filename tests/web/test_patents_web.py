"""The patents page and its API over a store with a loaded Lens export, served on 127.0.0.1."""

from __future__ import annotations

import csv
import io

import ssbrace.patents as patents
from ssbrace.kb.store import Store
from ssbrace.pipeline import load_reference
from tests.patents.conftest import LENS


def _db(tmp_path, with_export: bool = True) -> str:
    db = f"sqlite:///{tmp_path / 'patents.db'}"
    store = Store(db)
    try:
        load_reference(store, None, None)
        if with_export:
            patents.load(store, [LENS])
    finally:
        store.dispose()
    return db


def test_page_charts_and_choices(serve, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=_db(tmp_path))
    page = client.get("/patents")
    assert page.status_code == 200
    assert page.text.count("<svg") == 3 and "TOYOTA MOTOR CORP" in page.text
    assert patents.definition().hash in page.text
    other = client.get("/patents", params={"unit": "publication", "country_by": "first_applicant"})
    assert patents.definition(unit="publication", country_by="first_applicant").hash in other.text
    assert "patent gap" in client.get("/conflicts").text


def test_api_counts_csv_exports_and_gaps(serve, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=_db(tmp_path))
    data = client.get("/api/v1/patents/counts", params={"by": "country"}).json()
    assert {r["key"]: r["count"] for r in data["rows"]}["Japan"] == 3 and data["definition"] == patents.definition().hash
    years = client.get("/api/v1/patents/counts", params={"by": "year", "unit": "publication"}).json()
    assert years["unit"] == "publication" and "cagr" in years
    rows = list(csv.reader(io.StringIO(client.get("/api/v1/patents/counts.csv", params={"by": "applicant"}).text)))
    assert rows[0] == ["applicant", "count", "share", "definition"] and rows[1][0] == "TOYOTA MOTOR CORP"
    assert [e["format"] for e in client.get("/api/v1/patents/exports").json()] == ["lens"]
    gaps = client.get("/api/v1/patents/gaps").json()
    assert gaps and all(g["check"] == "patent_gap" for g in gaps)
    assert client.get("/api/v1/patents/counts", params={"from": 2020, "to": 2000}).status_code == 400
    assert client.get("/api/v1/patents/counts", params={"by": "owner"}).status_code == 422


def test_without_exports(serve, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = serve(db=_db(tmp_path, with_export=False))
    assert "No patent exports loaded" in client.get("/patents").text
    assert client.get("/api/v1/patents/counts").status_code == 400
    assert client.get("/api/v1/patents/gaps").json() == []
