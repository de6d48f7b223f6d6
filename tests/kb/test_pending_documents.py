"""Documents in no story yet: found without reading the documents table, whose rows hold the texts."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import event

from ssbrace.kb import stories_repo
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Document, Story, StoryDocument


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
    # the step over every document reads an index, never the table itself
    assert "EXCEPT" in plans[0].upper() or "COMPOUND" in plans[0].upper(), plans
    scans = [part for part in plans[0].split(" | ") if part.startswith("SCAN documents")]
    assert scans and all("COVERING INDEX" in part for part in scans), plans
