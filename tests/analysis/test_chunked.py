"""The analysis a subject at a time (``Knowledge.of_grouped`` over ``StoredClaimGroups``) gives what the whole list of claims gives.

On the project's own data (the pack's reference claims and our articles, ingested by the real pipeline)
and on a generated store with conflicts, slips and unlinked subjects, on SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bench.analysis_scale import CLAIM_COLUMNS, DOCUMENT_COLUMNS, generate
from ssbrace.analysis.bundle import Knowledge
from ssbrace.domains.loader import load_domain
from ssbrace.kb.bulk import load_claims, load_documents, load_entities
from ssbrace.kb.queries import (
    StoredClaimGroups,
    StoredClaims,
    _grouped,
    claim_records,
    claim_select,
    claims_by_subject,
    standings_by_aspect,
)
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Claim
from ssbrace.pipeline import load_reference, run_ingest
from ssbrace.settings import Settings

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"


def _own_data(url: str) -> Store:
    store = Store(url)
    load_reference(store)
    run_ingest(store, [str(ARTICLES)], Settings(db=url))
    return store


def _generated(url: str, n: int = 6000) -> Store:
    store = Store(url)
    entities, documents, claims = generate(n)
    load_entities(store, entities)
    load_documents(store, documents, DOCUMENT_COLUMNS)
    load_claims(store, claims, CLAIM_COLUMNS)
    return store


@pytest.fixture(scope="module")
def own_sqlite(tmp_path_factory):  # type: ignore[no-untyped-def]
    store = _own_data(f"sqlite:///{tmp_path_factory.mktemp('own') / 'kb.db'}")
    yield store
    store.dispose()


@pytest.fixture(scope="module")
def generated_sqlite(tmp_path_factory):  # type: ignore[no-untyped-def]
    store = _generated(f"sqlite:///{tmp_path_factory.mktemp('gen') / 'kb.db'}")
    yield store
    store.dispose()


def _assert_same(store: Store, weights: dict[str, float] | None = None) -> Knowledge:
    pack = load_domain()
    with store.session() as session:
        whole = Knowledge.of(claim_records(session), pack, weights)
    grouped = Knowledge.of_grouped(StoredClaimGroups(store), pack, weights)
    assert grouped.grouped and not whole.grouped
    assert len(grouped.records) == len(whole.records)
    assert grouped.facts == whole.facts
    assert grouped.conflicts == whole.conflicts
    assert grouped.ledgers == whole.ledgers
    assert grouped.moves == whole.moves
    assert grouped.findings == whole.findings
    assert grouped.board_inputs == whole.board_inputs
    for by in ("country", "company"):
        assert grouped.board(by) == whole.board(by)
    return whole


def _assert_rich(k: Knowledge) -> None:
    """The data exercises every part: a comparison of empty lists would prove nothing."""
    assert k.facts and k.ledgers and k.findings
    assert {c.type for c in k.conflicts} >= {"number", "standing"}
    assert any(not f.agree for f in k.facts)
    assert any(len(f.claims) > 1 for f in k.facts)  # figures repeated across documents, deduplicated
    assert k.board("country").rows and k.board("company").rows


def test_own_data_sqlite(own_sqlite) -> None:  # type: ignore[no-untyped-def]
    k = _assert_same(own_sqlite)
    assert k.facts and k.conflicts and k.ledgers and k.board("country").rows
    assert any(c.document_id > 0 and c.url for c in k.records)  # the ingested articles are in


def test_own_data_weights(own_sqlite) -> None:  # type: ignore[no-untyped-def]
    k = _assert_same(own_sqlite, {"patents": 0.0, "funding": 3.0})
    assert k.board("country").weights["funding"] == 3.0


def test_generated_sqlite(generated_sqlite) -> None:  # type: ignore[no-untyped-def]
    k = _assert_same(generated_sqlite)
    _assert_rich(k)
    assert any(m.entry.move == "slip" for m in k.moves)
    assert any(c.subject.endswith(" Group") for c in k.records)  # unlinked subjects, grouped by their own name


def test_own_data_postgres(pg_url) -> None:  # type: ignore[no-untyped-def]
    store = _own_data(pg_url)
    try:
        _assert_same(store)
    finally:
        store.dispose()


def test_generated_postgres(pg_url) -> None:  # type: ignore[no-untyped-def]
    store = _generated(pg_url)
    try:
        _assert_rich(_assert_same(store))
    finally:
        store.dispose()


def test_groups_come_whole_and_once(generated_sqlite) -> None:  # type: ignore[no-untyped-def]
    with generated_sqlite.session() as session:
        subjects = [[r.subject for r in group] for group in claims_by_subject(session, rows=97)]
        aspects = [[r.aspect for r in group] for group in standings_by_aspect(session, rows=97)]
        total = len(claim_records(session))
    for groups in (subjects, aspects):
        assert all(len(set(g)) == 1 for g in groups)
        assert len({g[0] for g in groups}) == len(groups)  # each key in one group only
    assert sum(map(len, subjects)) + sum(map(len, aspects)) == total
    assert aspects  # ranked standings go the aspect way


def test_groups_refuse_an_order_that_splits_them(generated_sqlite) -> None:  # type: ignore[no-untyped-def]
    with generated_sqlite.session() as session, pytest.raises(RuntimeError, match="did not come together"):
        for _ in _grouped(session, claim_select().order_by(Claim.id), "subject", 500):
            pass


def test_stored_claims_view(generated_sqlite) -> None:  # type: ignore[no-untyped-def]
    with generated_sqlite.session() as session:
        records = claim_records(session)
        count = session.scalar(select(Claim.id).order_by(Claim.id.desc()).limit(1))
    view = StoredClaims(generated_sqlite, rows=1000)  # counted on first len()
    assert len(view) == len(records) == count
    assert list(view) == records
    assert view[0] == records[0] and view[-1] == records[-1]
    with pytest.raises(IndexError):
        view[len(records)]


def test_records_share_repeated_values(generated_sqlite) -> None:  # type: ignore[no-untyped-def]
    with generated_sqlite.session() as session:
        records = claim_records(session)
    by_subject: dict[str, int] = {}
    for r in records:
        by_subject.setdefault(r.subject, id(r.subject))
        assert id(r.subject) == by_subject[r.subject]  # one string object per name
    assert not hasattr(records[0], "__dict__") or not records[0].__dict__  # slots: no per-record dict
