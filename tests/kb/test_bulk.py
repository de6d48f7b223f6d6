"""Bulk writes (``kb/bulk.py``): COPY on PostgreSQL, batched inserts on SQLite, the same rows either way."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from ssbrace.kb import search as kb_search
from ssbrace.kb.bulk import load_claims, load_documents, load_entities
from ssbrace.kb.queries import claim_records
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Claim, Document, EntityAlias

NOW = datetime(2025, 1, 2, tzinfo=UTC)


def _fill(store: Store, n_docs: int = 30, per_doc: int = 4) -> None:
    load_entities(store, [{"id": 1, "name": "Quillion Cells", "type": "company", "country": "Country A",
                           "from_gazetteer": False, "created_at": NOW}])
    load_documents(store, ({"id": d, "location": f"bulk:{d}", "url": f"https://example.org/{d}", "title": f"Doc {d}",
                            "publisher": "Outlet", "published": date(2024, 1, d % 28 + 1), "text": f"Text {d}",
                            "word_count": 2, "sha256": f"{d:064x}", "fetched_at": NOW} for d in range(1, n_docs + 1)))
    load_claims(store, ({"document_id": d, "kind": "spec", "subject": "Quillion Cells", "subject_type": "company",
                         "subject_entity_id": 1, "value": 400.0 + i, "unit": "Wh/kg", "bound": "eq",
                         "metric": "energy_density_wh_kg", "year": 2024, "extra": {"scope": "cell"} if i else None,
                         "sentence": f"Quillion Cells reached {400 + i} Wh/kg in zirconium trials.", "start": 0,
                         "end": 50, "confidence": 0.8, "extractor_version": "bulk", "created_at": NOW}
                        for d in range(1, n_docs + 1) for i in range(per_doc)),
                ["document_id", "kind", "subject", "subject_type", "subject_entity_id", "value", "unit", "bound",
                 "metric", "year", "extra", "sentence", "start", "end", "confidence", "extractor_version",
                 "created_at"])


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, tmp_path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'bulk.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    store = Store(url)
    yield store
    store.dispose()


def test_rows_land_as_written(any_store) -> None:  # type: ignore[no-untyped-def]
    _fill(any_store)
    with any_store.session() as s:
        records = claim_records(s)
        assert s.scalar(select(func.count(Document.id))) == 30
        assert s.scalar(select(EntityAlias.normalised)) == "quillion cells"
    assert len(records) == 120
    assert {r.value for r in records} == {400.0, 401.0, 402.0, 403.0}
    assert records[1].extra == {"scope": "cell"} and records[0].extra == {}  # JSON and NULL both
    assert records[0].published == date(2024, 1, 2) and records[0].subject_country == "Country A"  # linked


def test_full_text_index_follows(any_store) -> None:  # type: ignore[no-untyped-def]
    _fill(any_store)
    with any_store.session() as s:
        found = kb_search.search(s, "zirconium", limit=5)
    assert found.claims.total == 120  # the triggers (SQLite) or expression indexes (PostgreSQL) saw the rows


def test_ids_continue_after_a_bulk_write(any_store) -> None:  # type: ignore[no-untyped-def]
    _fill(any_store, n_docs=5)
    with any_store.session() as s:
        doc = Document(location="after", text="after", sha256="f" * 64)
        s.add(doc)
        s.flush()
        assert doc.id == 6  # PostgreSQL's sequence was moved past the ids the rows brought
        claim_ids = list(s.scalars(select(Claim.id).order_by(Claim.id)))
    assert claim_ids == list(range(1, 21))


def test_newest_first_listing_reads_the_index(any_store) -> None:  # type: ignore[no-untyped-def]
    """Migration 0018: documents newest first (NULLs last) come from ``ix_documents_published_id``, no sort."""
    from sqlalchemy import inspect, text

    _fill(any_store, n_docs=40, per_doc=1)
    assert "ix_documents_published_id" in {i["name"] for i in inspect(any_store.engine).get_indexes("documents")}
    query = "SELECT id FROM documents ORDER BY published DESC NULLS LAST, id DESC LIMIT 5"
    with any_store.engine.connect() as conn:
        if any_store.is_sqlite:
            plan = " ".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + query)))
            assert "TEMP B-TREE" not in plan
        else:
            conn.execute(text("SET enable_seqscan = off"))  # a 40-row table would be read whole otherwise
            plan = " ".join(row[0] for row in conn.execute(text("EXPLAIN " + query)))
            assert "ix_documents_published_id" in plan and "Sort" not in plan
        ids = list(conn.scalars(text(query)))
    assert ids[0] == 27  # published 2024-01-28, the newest
