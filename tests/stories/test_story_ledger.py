"""A batch's placements held in memory (``kb.story_ledger``) give the stories that writing each placement at
once gives: around stories stored before the batch, undated ones, near duplicates; and a batch of a period
the store holds no stories for asks the store nothing per document."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select

from ssbrace.kb import stories_repo
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Story, StoryDocument, StoryKey
from ssbrace.pipeline import _index_older_stories, assign_document, assign_pending, story_batch
from ssbrace.stories.cluster import DEFAULT_CONFIG
from ssbrace.stories.evaluate import LabelledArticle, read_labelled_set
from tests.stories.helpers import store_plain_document

LABELLED = Path(__file__).resolve().parents[1] / "data" / "stories"


def _articles() -> list[LabelledArticle]:
    return sorted(read_labelled_set(LABELLED), key=lambda a: (a.published or date.max, a.name))


def _add(store: Store, articles: list[LabelledArticle], ids: dict[str, int], *,
         undated: frozenset[str] = frozenset(), shift: timedelta = timedelta(0)) -> None:
    """Store articles (originals first, so a near duplicate points at a stored one); those in ``undated``
    without their publication date (they count from the day they were fetched)."""
    for article in sorted(articles, key=lambda a: a.near_duplicate_of is not None):
        with store.session() as session:
            ids[article.name] = store_plain_document(
                session, location=f"labelled/{article.name}", text=article.text, title=article.title,
                publisher=article.publisher,
                published=None if article.name in undated or article.published is None else article.published + shift,
                duplicate_of=ids.get(article.near_duplicate_of) if article.near_duplicate_of else None)


def _one_at_a_time(store: Store) -> int:
    """``assign_pending`` as it was: each placement written to the store as it is made (no ledger)."""
    with store.session() as session:
        pending = stories_repo.pending_documents_in_arrival_order(session)
        docs = stories_repo.get_documents(session, pending)
        batch = replace(story_batch(session, docs), ledger=None)
        _index_older_stories(session, docs, batch, DEFAULT_CONFIG, None)
        for document_id in pending:
            if stories_repo.story_of_document(session, document_id) is None:
                assign_document(session, document_id, batch=batch)
        return len(pending)


def _state(store: Store) -> dict[str, list[tuple]]:
    """All that grouping writes, but the times it was written."""
    with store.session() as session:
        return {
            "stories": [tuple(r) for r in session.execute(select(
                Story.id, Story.headline, Story.first_date, Story.last_date, Story.doc_count, Story.version)
                .order_by(Story.id))],
            "members": [tuple(r) for r in session.execute(select(
                StoryDocument.document_id, StoryDocument.story_id, StoryDocument.score)
                .order_by(StoryDocument.document_id))],
            "keys": [tuple(r) for r in session.execute(select(
                StoryKey.key, StoryKey.document_id, StoryKey.story_id, StoryKey.day)
                .order_by(StoryKey.document_id, StoryKey.key))],
        }


@pytest.fixture
def two_stores(tmp_path):
    stores = Store(f"sqlite:///{tmp_path / 'held.db'}"), Store(f"sqlite:///{tmp_path / 'written.db'}")
    yield stores
    for store in stores:
        store.dispose()


def test_held_placements_give_the_stories_written_ones_give_around_stored_stories(two_stores):
    articles = _articles()
    half = len(articles) // 2
    first, second = articles[:half], articles[half:]
    # an undated document before the batch and one in it: today is their day
    undated = frozenset({first[3].name, second[2].name})
    states = []
    for store, place in zip(two_stores, (assign_pending, None), strict=True):
        ids: dict[str, int] = {}
        _add(store, first, ids, undated=undated)
        with store.session() as session:
            assign_pending(session)  # stories stored before the batch, some of which it joins
        _add(store, second, ids, undated=undated)
        if place is None:
            placed = _one_at_a_time(store)
        else:
            with store.session() as session:
                placed = place(session)
        assert placed == len(second)
        states.append(_state(store))
    held, written = states
    assert held == written
    # the batch joined stories stored before it (their version moved), and made new ones
    versions = dict((s[0], s[5]) for s in held["stories"])
    first_ids = {m[1] for m in held["members"] if m[0] <= half}
    second_stories = {m[1] for m in held["members"] if m[0] > half}
    assert second_stories & first_ids and second_stories - first_ids
    assert any(versions[s] > 1 for s in second_stories & first_ids)
    assert any(k[3] == date.today() for k in held["keys"])


def test_a_batch_of_a_period_without_stored_stories_asks_the_store_nothing_per_document(two_stores):
    held, written = two_stores
    articles = _articles()
    half = len(articles) // 2
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    for store in two_stores:
        ids: dict[str, int] = {}
        _add(store, articles[:half], ids)
        with store.session() as session:
            assign_pending(session)
        # a backfill: the same coverage five years earlier, a period the store has no story of
        _add(store, articles[half:], ids, shift=timedelta(days=-5 * 365))
    event.listen(held.engine, "before_cursor_execute", seen)
    with held.session() as session:
        placed = assign_pending(session)
    event.remove(held.engine, "before_cursor_execute", seen)
    _one_at_a_time(written)
    assert placed == len(articles) - half > 20
    assert _state(held) == _state(written)
    # no story index lookup, no story read: one check per window (a day), a few reads and writes in all
    assert not [s for s in statements if "FROM story_keys WHERE key" in s]
    assert not [s for s in statements if "row_number()" in s.lower()]
    days = {a.published for a in articles[half:]}
    # 16: the placement lock is one of them, and three read, keep and drop the latest documents' term counts
    assert len(statements) <= len(days) + 16, statements


def test_vectors_fitted_in_one_reading_are_those_of_fit_then_transform_to_the_last_bit():
    """``StoryVectors.fitted`` reads each text once, and its similarities skip scipy's sparse product: both
    give the same numbers as the model fitted then applied, and the sparse product, bit for bit (a story
    placed on a tie must not move)."""
    import numpy as np
    from scipy import sparse
    from sklearn.preprocessing import normalize

    from ssbrace.kb.stories_repo import DocRecord
    from ssbrace.stories.cluster import StoryVectors, document_text, fit_vectorizer

    docs = [DocRecord(id=i + 1, location=a.name, url=None, title=a.title, publisher=a.publisher,
                      published=a.published, fetched=None, text=a.text, duplicate_of=None)
            for i, a in enumerate(_articles())]
    vectors = StoryVectors.fitted(docs)
    model = fit_vectorizer(docs)
    expected = sparse.csr_matrix(normalize(model.transform([document_text(d) for d in docs]), norm="l2"))
    later = docs[:5]  # transformed again after the fit: by the same model
    vectors.add(later)
    between = []
    for doc in docs:
        sims = vectors.similarity(doc, docs)
        row = expected[doc.id - 1]
        want = np.asarray((expected @ row.T).todense()).ravel().tolist()
        assert [sims[d.id] for d in docs] == want
        between += [s for i, s in sims.items() if i != doc.id]
    assert any(0.2 < s < 0.99 for s in between) and 0.0 in between
    again = StoryVectors(model)
    again.add(docs)
    assert again.similarity(docs[3], docs) == vectors.similarity(docs[3], docs)
