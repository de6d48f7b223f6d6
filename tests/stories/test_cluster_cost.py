"""Placing one document costs the same however many documents and stories the store already holds."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event

from ssbrace.kb import stories_repo as repo
from ssbrace.pipeline import assign_pending
from ssbrace.stories.cluster import ClusterConfig
from tests.stories.helpers import store_plain_document

CONFIG = ClusterConfig(max_stories=5, max_members=3)
DAY = date(2025, 3, 10)


def _text(i: int) -> str:
    # Distinct words per document, so that every stored document starts a story of its own.
    return " ".join(f"w{i}x{k}" for k in range(12)) + "."


def _fill(store, n: int) -> None:  # type: ignore[no-untyped-def]
    with store.session() as session:
        for i in range(n):
            store_plain_document(session, f"test:{i}", _text(i), title=f"w{i}t", published=DAY)
    with store.session() as session:
        assign_pending(session, config=CONFIG, domain="solid_state_batteries")


def _cost_of_one_more(store, n: int) -> int:  # type: ignore[no-untyped-def]
    """SQL statements run to place one new document in a store of ``n`` documents."""
    _fill(store, n)
    with store.session() as session:
        store_plain_document(session, "test:new", _text(10_000), title="Title new", published=DAY)
    statements = 0

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        nonlocal statements
        statements += 1

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        with store.session() as session:
            placed = assign_pending(session, config=CONFIG, domain="solid_state_batteries")
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert placed == 1
    return statements


def test_one_more_document_costs_the_same_statements_in_a_small_and_a_larger_store(tmp_path):
    from ssbrace.kb.store import Store

    small = Store(f"sqlite:///{tmp_path / 'small.db'}")
    large = Store(f"sqlite:///{tmp_path / 'large.db'}")
    try:
        small_cost = _cost_of_one_more(small, 8)
        large_cost = _cost_of_one_more(large, 80)
    finally:
        small.dispose()
        large.dispose()
    # Before the bounds, the pending loop ran one query per stored document (80 vs 8 here).
    assert large_cost == small_cost


def test_candidate_stories_and_members_are_bounded(store):
    with store.session() as session:
        for i in range(12):
            store_plain_document(session, f"test:{i}", _text(i), published=DAY)
    with store.session() as session:
        assign_pending(session, config=CONFIG, domain="solid_state_batteries")
        near = repo.stories_near(session, DAY, DAY, limit=CONFIG.max_stories)
        assert len(near) == CONFIG.max_stories
        assert [s.id for s in near] == sorted(s.id for s in near)
        assert len(repo.stories_near(session, DAY, DAY)) == 12
