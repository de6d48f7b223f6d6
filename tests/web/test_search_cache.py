"""Search over a real store: rows read as the listings read them, snippets, and results kept per snapshot."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

from ssbrace.kb import search as kb_search
from ssbrace.kb.search import MARK_END, MARK_START
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Document
from ssbrace.settings import Settings
from ssbrace.web import views
from ssbrace.web.state import AppState
from tests.fixtures.web_server import fill_web_store


def _marked(snippet: str) -> list[str]:
    return [part.split(MARK_END)[0].casefold() for part in snippet.split(MARK_START)[1:]]


def test_hits_carry_the_rows_and_snippets_of_the_store(db_url: str) -> None:
    store = Store(db_url)
    fill_web_store(store)
    try:
        with store.session() as session:
            found = kb_search.search(session, "Brightwater electrolyte")
            assert found.method == "fts5" and found.documents.total == 1 and found.claims.total == 1
            doc, claim = found.documents.items[0], found.claims.items[0]
            # The same document row the documents listing gives, and the same claim record as one read by id.
            listed = {d.id: d for d in kb_search.find_documents(session, limit=500).items}
            assert doc.document == listed[doc.document.id] and doc.document.claim_count == 2
            assert claim.claim == kb_search.get_claim(session, claim.claim.id)
            # A record the caller holds already (the web's snapshot) is taken, not read again.
            held = replace(claim.claim, title="held by the caller")
            again = kb_search.search(session, "Brightwater electrolyte", known={held.id: held})
            assert again.claims.items[0].claim is held and again.documents.items == found.documents.items
            assert {"brightwater", "electrolyte"} <= set(_marked(claim.snippet)) | set(_marked(doc.snippet))
            # Found through the last word's prefix only: no FTS snippet, the words are marked as typed.
            prefix = kb_search.search(session, "Brightwater electrol")
            assert prefix.claims.total == 1
            assert _marked(prefix.claims.items[0].snippet) == ["brightwater", "electrol"]
            assert kb_search.search(session, "Brightwater zzzunknown").claims.total == 0
    finally:
        store.dispose()


def test_results_are_kept_per_snapshot_and_a_new_document_makes_a_new_one(db_url: str) -> None:
    store = Store(db_url)
    fill_web_store(store)
    state = AppState(Settings(db=db_url), store)
    try:
        snap = state.refresh()
        first = views.search(state, "Calderon", 1, 0)
        assert first.documents.total >= 2 and len(first.documents.items) == 1
        assert first.claims.items[0].claim is snap.records_by_id[first.claims.items[0].claim.id]
        assert views.search(state, "Calderon", 1, 0) is first  # the same query and page: not searched again
        assert snap.search_totals[("Calderon",)] == (first.documents.total, first.claims.total)
        # The next page takes the counts kept for the query's words instead of counting again.
        snap.search_totals[("Calderon",)] = (99, 98)
        second = views.search(state, "Calderon", 1, 1)
        assert (second.documents.total, second.claims.total) == (99, 98)
        assert second.documents.items[0].document.id != first.documents.items[0].document.id

        assert views.search(state, "Zephyrite", 20, 0).documents.total == 0
        text = "Zephyrite, a new sulfide electrolyte, was shown at a trade fair."
        with store.session() as session:  # a document with no claims: only the documents' count changes
            session.add(Document(location="test:zephyrite", title="Zephyrite shown", publisher="Test Wire",
                                 published=date(2026, 3, 1), text=text, word_count=len(text.split()),
                                 sha256=hashlib.sha256(text.encode()).hexdigest()))
        assert views.search(state, "Zephyrite", 20, 0).documents.total == 0  # the snapshot's answer, until updated
        after = state.refresh()
        assert after is not snap and after.knowledge is snap.knowledge  # no claim changed: the analysis is kept
        assert state.last_update["how"] == "incremental" and state.last_update["changed"] == 0
        found = views.search(state, "Zephyrite", 20, 0)
        assert found.documents.total == 1 and found.documents.items[0].document.title == "Zephyrite shown"
        assert views.search(state, "Calderon", 1, 1).documents.total == first.documents.total  # counted anew
    finally:
        state.close()
