"""Migration 0020 on SQLite and PostgreSQL: the table the models declare, and reviews that work on both."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from ssbrace.api import (
    correct_claim,
    export_reviews,
    import_reviews,
    ingest,
    knowledge,
    mark_wrong,
    reextract,
)
from ssbrace.kb.store import Store
from ssbrace.kb.tables import ClaimReview
from ssbrace.settings import Settings
from tests.review.conftest import examples_folder


def _columns_agree(store: Store) -> None:
    table = ClaimReview.__table__
    found = {c["name"]: c for c in inspect(store.engine).get_columns("claim_reviews")}
    assert set(found) == {c.name for c in table.columns}
    assert {name for name, c in found.items() if not c["nullable"]} == {c.name for c in table.columns if not c.nullable}
    indexes = {i["name"] for i in inspect(store.engine).get_indexes("claim_reviews")}
    assert {i.name for i in table.indexes} <= indexes
    keys = {(fk["referred_table"], tuple(fk["constrained_columns"]), fk["options"].get("ondelete"))
            for fk in inspect(store.engine).get_foreign_keys("claim_reviews")}
    assert keys == {("claims", ("claim_id",), "SET NULL"), ("documents", ("document_id",), "SET NULL"),
                    ("entities", ("new_subject_entity_id",), "SET NULL")}


def test_sqlite_migration_matches_the_model(review_store):
    _columns_agree(review_store)


def _funding(store: Store, subject: str) -> int:
    return next(r.id for r in knowledge(store).records if r.kind == "funding" and r.subject == subject)


def test_reviews_on_postgresql_survive_reextraction_and_travel_to_sqlite(pg_url, review_store):
    pg = Store(pg_url)
    try:
        _columns_agree(pg)
        assert ingest(pg, examples_folder(), settings=Settings(db=pg_url)).counts()["new"] == 8
        mark_wrong(pg, _funding(pg, "Japan"), reviewer="pg", reason="loan")
        correct_claim(pg, _funding(pg, "South Korea"), reviewer="pg", value="150m")
        reextract(pg, settings=Settings(db=pg_url), only_outdated=False)
        k = knowledge(pg)
        assert not [r for r in k.records if r.kind == "funding" and r.subject == "Japan"]
        assert [r.value_usd for r in k.records if r.kind == "funding" and r.subject == "South Korea"] == [150e6]
        lines = export_reviews(pg)
    finally:
        pg.dispose()
    result = import_reviews(review_store, lines)
    assert (result.added, result.matched) == (2, 2)
    board = {r.entity: r for r in knowledge(review_store).board("country").rows}
    assert board["South Korea"].indicators["funding"].value == 150e6
    assert "funding" not in board["Japan"].indicators


def test_migration_file_revises_the_knowledge_chain():
    text = (Path(__file__).parents[2] / "ssbrace/kb/migrations/versions/0020_claim_reviews.py").read_text()
    assert 'down_revision = "0019_merge_undo"' in text


def test_a_brief_reads_the_reviewed_claims_and_stories_keep_their_documents(db_path):
    from ssbrace import review
    from ssbrace.kb import stories_repo
    from ssbrace.pipeline import build_brief

    store = Store(f"sqlite:///{db_path}")
    try:
        with store.session() as session:
            story = next(s for s in stories_repo.list_stories(session)
                         if len(stories_repo.claims_for_documents(session, s.document_ids)) >= 2)
            first, second = stories_repo.claims_for_documents(session, story.document_ids)[:2]
            review.mark_wrong(session, first.id, reviewer="test", reason="not what it says")
            review.correct_claim(session, second.id, review.parse_corrections({"year": "2031"}), reviewer="test")
        with store.session() as session:
            shown = {c.id: c for c in stories_repo.claims_for_documents(session, story.document_ids, reviewed=True)}
            grouped = {c.id: c for c in stories_repo.claims_for_documents(session, story.document_ids)}
            assert first.id not in shown and shown[second.id].year == 2031  # what a reader sees is reviewed
            assert first.id in grouped and grouped[second.id].year == second.year  # grouping reads as extracted
            assert build_brief(session, story.id).story_id == story.id  # the brief is built from the reviewed claims
    finally:
        store.dispose()
