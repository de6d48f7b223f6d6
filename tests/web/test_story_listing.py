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
        views.stories(state, limit=5, offset=10)  # briefs composed and kept
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
        # the page's documents and claim versions were read once for all its stories, not per story
        assert len([s for s in statements if "FROM documents" in s]) == 1, statements
    finally:
        state.close()
        store.dispose()


def test_claim_versions_of_a_page_are_those_of_each_story_and_move_with_a_claim(store: Store) -> None:
    from tests.stories.helpers import add_claim

    text = "Aster Cells will build a 4 GWh plant. Boreal raised $50 million."
    ids = [store_plain_document_in(store, f"test:{i}", f"{text} Report {i}.") for i in range(3)]
    add_claim(store, ids[0], "capacity", "Aster Cells", "Aster Cells will build a 4 GWh plant.", text)
    add_claim(store, ids[2], "funding", "Boreal", "Boreal raised $50 million.", text)
    groups = {1: [ids[0], ids[1]], 2: [ids[2]], 3: [ids[1]], 4: []}
    with store.session() as session:
        together = stories_repo.claims_versions(session, groups)
        assert together == {k: stories_repo.claims_version(session, v) for k, v in groups.items()}
        assert together[3] == together[4] == (0, None, 0, None, 0)
    add_claim(store, ids[1], "funding", "Boreal", "Boreal raised $50 million.", text)
    with store.session() as session:
        again = stories_repo.claims_versions(session, groups)
    assert again[1] != together[1] and again[3] != together[3] and again[2] == together[2]


def store_plain_document_in(store: Store, location: str, text: str) -> int:
    with store.session() as session:
        return store_plain_document(session, location, text, published=date(2025, 1, 1))
