"""The app's analysis snapshot: updated incrementally to what a fresh analysis gives, and never waited for."""

from __future__ import annotations

import hashlib
import time
from datetime import date

import httpx
import pytest
from sqlalchemy import delete, select

from ssbrace.kb.store import Store
from ssbrace.kb.tables import Claim, Document, Entity, EntityAlias
from ssbrace.pipeline import knowledge_in
from ssbrace.settings import Settings
from ssbrace.web import state as state_module
from ssbrace.web.app import create_app
from ssbrace.web.state import AppState
from tests.fixtures.web_server import ServerThread, fill_web_store


def _add_document(store: Store, company: str, stage: str, year: int) -> int:
    sentence = f"{company} said it now plans {stage.replace('_', ' ')} in {year}."
    with store.session() as session:
        eid = session.scalar(select(Entity.id).where(Entity.name == company))
        doc = Document(location=f"test:{sentence}", title=sentence, publisher="Test Wire", published=date(2026, 1, 5),
                       text=sentence, word_count=9, sha256=hashlib.sha256(sentence.encode()).hexdigest())
        session.add(doc)
        session.flush()
        claim = Claim(document_id=doc.id, kind="target", subject=company, subject_type="company", stage=stage,
                      year=year, value=year, unit="year", bound="eq", sentence=sentence, start=0, end=len(sentence),
                      confidence=0.9, extractor_version="test", subject_entity_id=eid)
        session.add(claim)
        session.flush()
        return claim.id


def _assert_fresh(state: AppState) -> None:
    k = state.snapshot().knowledge
    with state.store.session() as session:
        fresh = knowledge_in(session, state.pack)
    assert [r.id for r in k.records] == [r.id for r in fresh.records]
    assert k.records == fresh.records
    assert k.facts == fresh.facts
    assert k.conflicts == fresh.conflicts
    assert k.ledgers == fresh.ledgers
    assert k.findings == fresh.findings
    for by in ("country", "company"):
        assert state.snapshot().board(by) == fresh.board(by)


def test_updates_are_incremental_and_equal_a_fresh_analysis(db_url: str) -> None:
    store = Store(db_url)
    fill_web_store(store)
    state = AppState(Settings(db=db_url), store)
    try:
        first = state.snapshot()
        assert state.last_update["how"] == "full"
        # New claims for one entity: its ledger gains a slip, read without reading every claim again.
        added = _add_document(store, "Calderon Cells", "mass_production", 2031)
        state.refresh()
        assert state.last_update == {**state.last_update, "how": "incremental", "changed": 1}
        assert state.snapshot() is not first
        ledger = next(led for led in state.snapshot().ledgers_by_entity["calderon cells"]
                      if led.stage == "mass_production")
        assert ledger.entries[-1].claim.id == added and ledger.entries[-1].move == "slip"
        _assert_fresh(state)
        # A retraction: the claim and what rested on it go.
        with store.session() as session:
            session.execute(delete(Claim).where(Claim.id == added))
        state.refresh()
        assert state.last_update["how"] == "incremental"
        assert all(e.claim.id != added for led in state.snapshot().knowledge.ledgers for e in led.entries)
        _assert_fresh(state)
        # An entity renamed in place (its new name added as an alias, which the store's fingerprint counts):
        # every claim naming it reads differently under the same id.
        with store.session() as session:
            entity = session.scalars(select(Entity).where(Entity.name == "Calderon Cells")).one()
            entity.name = "Calderon Cells Holdings"
            session.add(EntityAlias(entity_id=entity.id, alias=entity.name, normalised=entity.name.casefold()))
        state.refresh()
        assert state.last_update["how"] == "incremental" and state.last_update["changed"] >= 3
        assert "calderon cells holdings" in state.snapshot().ledgers_by_entity
        _assert_fresh(state)
    finally:
        state.close()


def test_readers_keep_the_old_snapshot_while_an_update_runs(db_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = Store(db_url)
    fill_web_store(store)
    monkeypatch.setattr(state_module, "RECHECK_SECONDS", 0.0)
    state = AppState(Settings(db=db_url), store)
    try:
        old = state.snapshot()
        _add_document(store, "Calderon Cells", "pilot", 2026)
        # An update holds the lock as long as it likes (a full read of a large store takes seconds): readers
        # answer at once from the snapshot they have.
        with state._updating:
            started = time.monotonic()
            for _ in range(20):
                assert state.snapshot() is old
            assert time.monotonic() - started < 1.0
        deadline = time.monotonic() + 20
        while state.snapshot() is old and time.monotonic() < deadline:
            time.sleep(0.02)  # the background update, free to run now, swaps the new snapshot in
        assert any(led.stage == "pilot" for led in state.snapshot().ledgers_by_entity["calderon cells"])
    finally:
        state.close()


def test_the_first_snapshot_is_building_not_waited_for(db_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = Store(db_url)
    fill_web_store(store)
    monkeypatch.setattr(state_module, "FIRST_WAIT_SECONDS", 0.05)
    state = AppState(Settings(db=db_url), store)
    try:
        state.refresh()
        with state._updating:  # a first build that takes long: the request is told so instead of waiting
            state._snapshot = None
            with pytest.raises(state_module.Building):
                state.snapshot()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                assert state.snapshot().knowledge.records
                break
            except state_module.Building:
                time.sleep(0.05)
        else:
            raise AssertionError("the first snapshot never came")
    finally:
        state.close()


def test_pages_rendered_once_per_snapshot_show_a_change(db_url: str) -> None:
    store = Store(db_url)
    fill_web_store(store)
    app = create_app(Settings(db=db_url))
    try:
        with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            page = client.get("/companies/Calderon%20Cells")
            assert page.status_code == 200 and "2033" not in page.text
            assert client.get("/companies/Calderon%20Cells").text == page.text  # the cached part, same page
            board = client.get("/?by=company").text
            _add_document(store, "Calderon Cells", "mass_production", 2033)
            app.state.ssbrace.refresh()
            after = client.get("/companies/Calderon%20Cells").text
            assert "2033" in after and "slip" in after
            assert client.get("/?by=company").text != board  # a new snapshot renders the board anew
    finally:
        app.state.ssbrace.close()


def test_story_briefs_are_composed_once_and_follow_reviews_of_their_claims(db_url: str) -> None:
    """A listing reuses each story's brief while what it rests on is unchanged; a review of one of its
    claims gives a new one, equal to a brief composed from scratch."""
    from ssbrace.pipeline import build_brief
    from ssbrace.review import mark_wrong, undo_review
    from ssbrace.web import views

    store = Store(db_url)
    fill_web_store(store)
    state = AppState(Settings(db=db_url), store)
    try:
        (item,), total = views.stories(state)
        assert total == 1 and len(state.briefs) == 1
        assert views.stories(state)[0][0].brief is item.brief  # the same object: not composed again
        assert views.story(state, item.story.id).brief is item.brief  # type: ignore[union-attr]
        with store.session() as session:
            claim_id = session.scalar(select(Claim.id).where(Claim.document_id.in_(item.story.document_ids))
                                      .order_by(Claim.id))
            review = mark_wrong(session, claim_id)
        (after,), _ = views.stories(state)
        with store.session() as session:
            assert after.brief == build_brief(session, item.story.id)
            assert after.brief is not item.brief and len(state.briefs) == 2
            undo_review(session, review.id)
        # Undone, the review leaves its claim: the story rests on what it first did, and has that brief again.
        (undone,), _ = views.stories(state)
        with store.session() as session:
            assert undone.brief == build_brief(session, item.story.id)
        assert undone.brief is item.brief and len(state.briefs) == 2
    finally:
        state.close()
