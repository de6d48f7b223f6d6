"""What story placement looks for, kept by the database: documents in no story yet and stories not in the story
index, found without reading every document, placement or story."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from sqlalchemy import delete, event, select

from ssbrace.kb import stories_repo
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Document, Story, StoryDocument, StoryKey, StoryPending, StoryUnkeyed


def _document(i: int, published: date | None, version: str | None = None) -> Document:
    text = f"Document {i} about sulfide cells."
    return Document(id=i, location=f"test:{i}", text=text, word_count=5, published=published, extractor_version=version,
                    sha256=hashlib.sha256(text.encode()).hexdigest())


def test_pending_documents_are_the_unplaced_reported_ones_in_arrival_order(store: Store) -> None:
    with store.session() as session:
        session.add_all([_document(1, date(2025, 3, 1)), _document(2, date(2025, 1, 1)), _document(3, None),
                         _document(4, date(2025, 2, 1)), _document(5, date(2024, 1, 1), "patents-computed")])
        session.add(Story(id=1, headline="x", first_date=date(2025, 3, 1), last_date=date(2025, 3, 1), doc_count=1))
        session.flush()
        session.add(StoryDocument(document_id=1, story_id=1))
    plans: list[str] = []

    def explain(conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "EXPLAIN" not in statement:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            plans.append(" | ".join(str(row[-1]) for row in rows))

    with store.session() as session:
        event.listen(store.engine, "before_cursor_execute", explain)
        try:
            pending = stories_repo.pending_documents_in_arrival_order(session)
        finally:
            event.remove(store.engine, "before_cursor_execute", explain)
    # placed (1) and computed (5) left out; dated ones by date, the undated (fetched today) last
    assert pending == [2, 4, 3]
    # the set is kept by the database: no statement reads every document or every placement
    assert plans and not [p for p in plans if "SCAN documents" in p or "SCAN story_documents" in p], plans


def test_the_kept_set_follows_documents_stored_placed_unplaced_and_deleted(store: Store) -> None:
    with store.session() as session:
        session.add_all([_document(1, date(2025, 3, 1)), _document(2, date(2025, 1, 1)), _document(3, None)])
        session.add(Story(id=1, headline="x", first_date=date(2025, 3, 1), last_date=date(2025, 3, 1), doc_count=2))
        session.flush()
        session.add_all([StoryDocument(document_id=1, story_id=1), StoryDocument(document_id=2, story_id=1)])
    with store.session() as session:
        assert stories_repo.pending_documents_in_arrival_order(session) == [3]
        # the story removed: its documents are in none again
        session.execute(delete(Story).where(Story.id == 1))
    with store.session() as session:
        assert stories_repo.pending_documents_in_arrival_order(session) == [2, 1, 3]
        session.execute(delete(Document).where(Document.id == 2))
    with store.session() as session:
        assert stories_repo.pending_documents_in_arrival_order(session) == [1, 3]
        assert sorted(session.scalars(select(StoryPending.document_id))) == [1, 3]


def test_stories_without_keys_are_kept_as_keys_come_and_go(store: Store) -> None:
    day = date(2025, 3, 1)
    with store.session() as session:
        session.add_all([_document(1, day), _document(2, day)])
        session.add_all([Story(id=i, headline="x", first_date=day, last_date=day, doc_count=1) for i in (1, 2, 3)])
        session.flush()
        session.add_all([StoryDocument(document_id=1, story_id=1), StoryDocument(document_id=2, story_id=2)])
        session.flush()
        stories_repo.add_story_keys(session, 1, 1, day, ["e:aster"])
    with store.session() as session:
        assert stories_repo.stories_without_keys(session, day, day) == [2, 3]
        assert stories_repo.stories_without_keys(session, date(2024, 1, 1), date(2024, 1, 2)) == []
        stories_repo.add_story_keys(session, 2, 2, day, [])  # indexed with no key ("*")
        session.execute(delete(Story).where(Story.id == 3))
    with store.session() as session:
        assert stories_repo.stories_without_keys(session, day, day) == []
        # its only member's keys gone, the story is not in the index any more
        session.execute(delete(StoryKey).where(StoryKey.document_id == 1))
    with store.session() as session:
        assert stories_repo.stories_without_keys(session, day, day) == [1]
        assert sorted(session.scalars(select(StoryUnkeyed.story_id))) == [1]


def test_many_stories_without_keys_are_found_through_the_window(store: Store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(stories_repo, "_FEW_UNKEYED", 2)  # more than "a few": the window's date index is read
    day = date(2025, 3, 1)
    with store.session() as session:
        session.add_all([Story(id=i, headline="x", first_date=day + timedelta(days=10 * i),
                               last_date=day + timedelta(days=10 * i), doc_count=1) for i in range(1, 6)])
        session.add(Story(id=6, headline="undated", doc_count=0))
    with store.session() as session:
        assert stories_repo.stories_without_keys(session, day + timedelta(days=15), day + timedelta(days=30)) == [2, 3, 6]
    monkeypatch.setattr(stories_repo, "_FEW_UNKEYED", 1000)
    with store.session() as session:
        assert stories_repo.stories_without_keys(session, day + timedelta(days=15), day + timedelta(days=30)) == [2, 3, 6]
