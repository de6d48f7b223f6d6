"""The story index: candidates found by shared keys, not by recency alone; ids that survive a rebuild."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, select

from ssbrace.kb import stories_repo as repo
from ssbrace.kb.tables import StoryKey
from ssbrace.pipeline import assign_document, assign_pending, rebuild_stories
from ssbrace.stories.cluster import ClusterConfig, rank_by_keys
from tests.stories.helpers import store_plain_document

DAY = date(2025, 3, 10)
EVENT = ("Acme Cells will build a solid-state battery plant in Ruritania for 1.4 billion dollars. "
         "The factory will make 12 GWh of cells a year from 2028 and employ 900 people.")
FOLLOW_UP = ("Acme Cells picked Ruritania for its solid-state cell factory, an investment of 1.4 billion dollars "
             "that should reach 12 GWh a year in 2028 and create about 900 jobs.")


def _filler(i: int) -> str:
    # Distinct words, no entity, no figure: every one of them starts a story of its own.
    return " ".join(f"w{i}x{k}" for k in range(12)) + "."


def _add(store, name: str, text: str, title: str | None = None) -> int:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return store_plain_document(session, f"test:{name}", text, title=title, published=DAY)


def _group(store, config: ClusterConfig) -> None:  # type: ignore[no-untyped-def]
    with store.session() as session:
        assign_pending(session, config=config, domain="solid_state_batteries")


def _story(store, doc_id: int) -> int | None:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return repo.story_of_document(session, doc_id)


def _event_then_crowd(store, config: ClusterConfig) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """An event's first report, then 12 unrelated stories (all more recently active), then a second report."""
    first = _add(store, "event", EVENT, title="Acme Cells to build Ruritania plant")
    _group(store, config)
    for i in range(12):
        _add(store, f"filler{i}", _filler(i))
        _group(store, config)
    second = _add(store, "follow-up", FOLLOW_UP, title="Acme Cells chooses Ruritania")
    _group(store, config)
    return first, second


def test_a_report_finds_its_story_through_the_index_when_it_is_not_among_the_recent_ones(store):
    first, second = _event_then_crowd(store, ClusterConfig(recent_stories=3, max_stories=5))
    assert _story(store, second) == _story(store, first)


def test_without_the_index_the_same_report_starts_a_story_of_its_own(store):
    # The control for the test above: recency alone does not reach the event's story.
    first, second = _event_then_crowd(store, ClusterConfig(recent_stories=3, max_stories=0))
    assert _story(store, second) != _story(store, first)


def test_stories_grouped_before_the_index_are_indexed_on_first_use(store):
    config = ClusterConfig(recent_stories=3, max_stories=5)
    first = _add(store, "event", EVENT, title="Acme Cells to build Ruritania plant")
    for i in range(12):
        _add(store, f"filler{i}", _filler(i))
    _group(store, config)
    with store.session() as session:  # a store grouped by an older version has no keys
        session.execute(delete(StoryKey))
    second = _add(store, "follow-up", FOLLOW_UP, title="Acme Cells chooses Ruritania")
    _group(store, config)
    assert _story(store, second) == _story(store, first)
    with store.session() as session:
        indexed = session.scalar(select(func.count(func.distinct(StoryKey.story_id))))
        assert indexed == 13  # every story of the window, each once


def test_rebuild_keeps_every_story_id_and_new_ones_do_not_collide(store):
    config = ClusterConfig()
    ids = [_add(store, "event", EVENT, title="Acme Cells to build Ruritania plant"),
           *(_add(store, f"filler{i}", _filler(i)) for i in range(4)),
           _add(store, "follow-up", FOLLOW_UP, title="Acme Cells chooses Ruritania")]
    with store.session() as session:  # the fillers grouped first, newest first: ids a rebuild would not give
        for document_id in [*reversed(ids[1:5]), ids[0], ids[5]]:
            assign_document(session, document_id, config=config)
    before = [_story(store, i) for i in ids]
    assert before[0] == before[-1] and len(set(before)) == 5
    for _ in range(2):
        with store.session() as session:
            assert rebuild_stories(session, config=config) == 5
        assert [_story(store, i) for i in ids] == before
    late = _add(store, "late", _filler(99))
    _group(store, config)
    assert _story(store, late) not in before


def test_rebuild_gives_a_story_whose_founder_changed_a_fresh_id(store):
    config = ClusterConfig()
    first = _add(store, "event", EVENT, title="Acme Cells to build Ruritania plant")
    _group(store, config)
    with store.session() as session:
        old = repo.story_of_document(session, first)
        # as if the grouping had been made by an older version: the founder's row says it joined
        session.execute(repo.StoryDocument.__table__.update().values(score=0.5))
    with store.session() as session:
        rebuild_stories(session, config=config)
    assert _story(store, first) != old


def test_ranking_prefers_rare_keys_and_skips_common_ones():
    postings = {"e:acme cells": (1, 2), "f:1.4e+09": (2,), "w:plant": None, "w:ruritania": (3, 2)}
    assert rank_by_keys(postings, limit=3, most=10) == [2, 3, 1]  # 3 and 1 tie: the newer first
    assert rank_by_keys({"w:plant": None}, limit=5, most=10) == []
