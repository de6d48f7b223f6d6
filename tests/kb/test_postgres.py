"""The store on a real PostgreSQL server: migrations, the ingest pipeline, search, knowledge, the API.

The articles below are written for these tests (own words, figures as publicly reported).
"""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from ssbrace.kb import search as kb_search
from ssbrace.kb.store import Store, _alembic_config
from ssbrace.kb.tables import Claim, Document, Entity, StoryDocument
from ssbrace.pipeline import build_knowledge, run_ingest
from ssbrace.settings import Settings
from ssbrace.web.app import create_app
from tests.fixtures.web_server import ServerThread

ARTICLES = {
    "samsung-sdi-target.md": """# Samsung SDI keeps 2027 as the year for its solid-state cells

Date: 14 March 2024

Samsung SDI told investors this week that it aims to mass-produce all-solid-state cells in 2027.
The Korean battery maker has run a pilot line in Suwon since 2023 and says sample cells with an energy
density of 900 Wh/L have gone to car makers for evaluation.
""",
    "korea-budget.md": """# Seoul sets aside money for next-generation batteries

Date: 2 May 2024

South Korea will spend 182 billion won on research into solid-state and lithium-metal batteries over
the coming years, the trade ministry said. Officials want domestic cell makers to hold their lead in
electrolyte chemistry as rivals in China and Japan pour money into the same field.
""",
    "toyota-idemitsu-plant.txt": """Idemitsu plans a lithium sulfide plant for Toyota's solid-state cells

Published: 2024-10-08

Idemitsu Kosan said it will build a plant for lithium sulfide, a raw material of sulfide solid
electrolytes, with production due to start in 2027. Toyota Motor wants to put all-solid-state batteries
into its cars in 2027 or 2028, and the two companies agreed last year to develop the electrolyte
together.
""",
}


@pytest.fixture
def articles(tmp_path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, body in ARTICLES.items():
        (folder / name).write_text(body, encoding="utf-8")
    return folder


@pytest.fixture
def pg_store(pg_url):  # type: ignore[no-untyped-def]
    store = Store(pg_url)
    yield store
    store.dispose()


@pytest.fixture
def filled(pg_store, pg_url, articles):  # type: ignore[no-untyped-def]
    """A PostgreSQL store after the real pipeline ingested our articles."""
    result = run_ingest(pg_store, [str(articles)], Settings(db=pg_url))
    return pg_store, result


def _counts(store: Store) -> tuple[int, int, int, int]:
    with store.session() as s:
        return (s.scalar(select(func.count(Document.id))), s.scalar(select(func.count(Claim.id))),
                s.scalar(select(func.count(Entity.id))), s.scalar(select(func.count(StoryDocument.document_id))))


def test_migrates_to_every_head(pg_store) -> None:  # type: ignore[no-untyped-def]
    assert pg_store.engine.dialect.name == "postgresql"
    heads = set(ScriptDirectory.from_config(_alembic_config()).get_heads())
    with pg_store.engine.connect() as conn:
        assert set(MigrationContext.configure(conn).get_current_heads()) == heads
        indexes = {row[0] for row in conn.exec_driver_sql(
            "SELECT indexname FROM pg_indexes WHERE tablename IN ('documents', 'claims')")}
    assert {"ix_documents_tsv", "ix_claims_tsv"} <= indexes
    # Opening it again finds nothing to do and changes nothing.
    Store(pg_store.url).dispose()
    with pg_store.engine.connect() as conn:
        assert set(MigrationContext.configure(conn).get_current_heads()) == heads


def test_ingest_stores_documents_and_claims_and_rerun_adds_nothing(filled, pg_url, articles) -> None:  # type: ignore[no-untyped-def]
    store, result = filled
    assert result.counts()["new"] == len(ARTICLES), result
    docs, claims, entities, placed = _counts(store)
    assert docs == len(ARTICLES)
    assert claims >= 3
    assert entities > 0
    assert placed == docs  # every document went into a story
    with store.session() as s:
        kinds = set(s.scalars(select(Claim.kind)))
        linked = s.scalar(select(func.count(Claim.id)).where(Claim.subject_entity_id.is_not(None)))
    assert "target" in kinds
    assert linked > 0
    again = run_ingest(store, [str(articles)], Settings(db=pg_url))
    assert again.counts()["new"] == 0
    assert _counts(store) == (docs, claims, entities, placed)


def test_full_text_search_on_postgresql(filled) -> None:  # type: ignore[no-untyped-def]
    store, _ = filled
    with store.session() as s:
        assert kb_search.search_method(s) == "postgresql"
        found = kb_search.search(s, "lithium sulfide plant")
        assert found.method == "postgresql"
        titles = [hit.document.title for hit in found.documents.items]
        assert titles and "lithium sulfide plant" in titles[0]
        assert found.documents.total == len(titles)
        # Stemming: "investor" finds "investors"; a claim is found by a word of its sentence.
        assert kb_search.search(s, "investor").documents.total == 1
        claims = kb_search.search(s, "Suwon").claims.items
        assert claims and all("Suwon" in hit.claim.sentence for hit in claims)
        assert kb_search.MARK_START in claims[0].snippet
        assert kb_search.search(s, "nothing-like-this-anywhere").documents.total == 0
        # The last word is a prefix, as on SQLite: a query typed as far as "electrol" finds "electrolyte".
        assert kb_search.search(s, "sulfide electrol").documents.total == 1
        # Operators, quotes and punctuation are words, never syntax.
        for odd in ("won & | ! ( :*", 'NEAR( "unbalanced AND OR *', "it's a_b <-> x:*", "the"):
            assert kb_search.search(s, odd).method == "postgresql"  # no tsquery syntax error
        assert kb_search.search(s, "won & | ! ( :*").documents.total == 1


def test_nul_characters_are_stored_without_breaking_offsets(pg_store) -> None:  # type: ignore[no-untyped-def]
    text = "Cells\x00 from a broken scraper reach 400 Wh/kg."
    with pg_store.session() as s:
        doc = Document(location="nul.txt", title="Bad\x00title", text=text, word_count=8, sha256="0" * 64)
        s.add(doc)
        s.flush()
        s.add(Claim(document_id=doc.id, kind="spec", subject="Cells\x00", subject_type="company",
                    sentence=text, start=0, end=len(text), extractor_version="test"))
    with pg_store.session() as s:
        stored = s.scalars(select(Document)).one()
        claim = s.scalars(select(Claim)).one()
    assert stored.title == "Bad\ufffdtitle"
    assert "\x00" not in stored.text and len(stored.text) == len(text)
    assert stored.text[claim.start:claim.end] == claim.sentence


def test_knowledge_boards_on_postgresql(filled) -> None:  # type: ignore[no-untyped-def]
    store, _ = filled
    knowledge = build_knowledge(store)
    assert knowledge.records
    board = knowledge.board("country")
    assert board.rows
    assert [r.rank for r in board.rows] == list(range(1, len(board.rows) + 1))
    companies = {r.entity for r in knowledge.board("company").rows}
    assert "Samsung SDI" in companies


def test_web_search_api_on_postgresql(filled, pg_url) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(db=pg_url))
    try:
        with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            body = client.get("/api/v1/search", params={"q": "182 billion won"}).json()
            assert body["method"] == "postgresql"
            assert body["documents"]["total"] >= 1
            titles = [hit["document"]["title"] or "" for hit in body["documents"]["items"]]
            assert any("next-generation batteries" in t for t in titles)
            suwon = client.get("/api/v1/search", params={"q": "suwon"}).json()
            assert suwon["claims"]["total"] >= 1
            assert all("Suwon" in hit["claim"]["evidence"]["sentence"] for hit in suwon["claims"]["items"])
            claims = client.get("/api/v1/claims", params={"entity": "Samsung SDI"}).json()
            assert claims["total"] >= 1
            board = client.get("/api/v1/scoreboard", params={"by": "country"})
            assert board.status_code == 200 and board.json()["rows"]
    finally:
        app.state.ssbrace.close()


def test_unreachable_server_is_one_line_without_password() -> None:
    from ssbrace.errors import StoreError

    # A port bound but not listening refuses connections, and no one else can take it meanwhile.
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        with pytest.raises(StoreError) as caught:
            Store(f"postgresql+psycopg://someone:s3cret@127.0.0.1:{port}/nothing")
    message = str(caught.value)
    assert "\n" not in message and "s3cret" not in message and "someone:***@" in message


def test_story_rebuild_keeps_ids_and_new_stories_follow_on_postgresql(filled) -> None:  # type: ignore[no-untyped-def]
    from ssbrace.kb.tables import StoryKey
    from ssbrace.pipeline import rebuild_stories
    from tests.stories.helpers import store_plain_document

    store, _ = filled

    with store.session() as session:
        before = dict(session.execute(select(StoryDocument.document_id, StoryDocument.story_id)).all())
        assert before and session.scalar(select(func.count()).select_from(StoryKey))
    with store.session() as session:
        rebuild_stories(session)
    with store.session() as session:
        assert dict(session.execute(select(StoryDocument.document_id, StoryDocument.story_id)).all()) == before
        new = store_plain_document(session, "test:late", " ".join(f"q{k}z" for k in range(12)) + ".")
    with store.session() as session:
        from ssbrace.pipeline import assign_pending

        assert assign_pending(session) == 1  # the id sequence moved past the kept ids: no collision
        story = session.scalar(select(StoryDocument.story_id).where(StoryDocument.document_id == new))
        assert story not in before.values()


def test_stories_rebuilt_under_new_ids_leave_the_sequence_past_them_on_postgresql(filled) -> None:  # type: ignore[no-untyped-def]
    from ssbrace.pipeline import assign_pending, rebuild_stories
    from tests.stories.helpers import store_plain_document

    store, _ = filled
    with store.session() as session:
        # founders unknown (as if grouped by an older version): every rebuilt story gets an id above the old ones
        session.execute(StoryDocument.__table__.update().values(score=0.5))
        old = set(session.scalars(select(StoryDocument.story_id)))
    with store.session() as session:
        rebuild_stories(session)
        assert not old & set(session.scalars(select(StoryDocument.story_id)))
    with store.session() as session:
        store_plain_document(session, "test:late", " ".join(f"q{k}z" for k in range(12)) + ".")
    with store.session() as session:
        assert assign_pending(session) == 1
