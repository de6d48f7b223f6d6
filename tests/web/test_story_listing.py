"""The story listings read one page of stories, never every story of the store."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import event

from ssbrace.kb import stories_repo
from ssbrace.kb.store import Store
from ssbrace.pipeline import assign_pending
from ssbrace.settings import Settings
from ssbrace.web import views
from ssbrace.web.state import AppState
from tests.stories.helpers import store_plain_document


def test_a_page_of_stories_reads_that_page_only(db_url: str) -> None:
    store = Store(db_url)
    with store.session() as session:
        for i in range(30):  # distinct words: each document starts a story of its own
            words = " ".join(f"w{i}x{k}" for k in range(10))
            store_plain_document(session, f"test:{i}", f"{words}.", title=f"t{i}",
                                 published=date(2025, 1, 1) + timedelta(days=10 * i))
    with store.session() as session:
        assert assign_pending(session, domain="solid_state_batteries") == 30
        every = stories_repo.list_stories(session)
    state = AppState(Settings(db=db_url), store)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    try:
        event.listen(store.engine, "before_cursor_execute", seen)
        items, total = views.stories(state, limit=5, offset=10)
        event.remove(store.engine, "before_cursor_execute", seen)
        assert total == 30
        assert [i.story.id for i in items] == [s.id for s in every[10:15]]
        assert all(i.brief is not None and i.documents for i in items)
        listing = [s for s in statements if "FROM stories" in s and "ORDER BY" in s]
        assert listing and all("LIMIT" in s for s in listing), listing
        since = every[3].last_date
        assert views.stories(state, since=since, limit=2, offset=0)[1] == 4  # counted, not listed
        assert views.stories(state, limit=5, offset=40) == ([], 30)
    finally:
        state.close()
        store.dispose()
