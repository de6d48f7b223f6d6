"""Incremental clustering: same event together, different announcements apart, near duplicates home."""

from pathlib import Path

import pytest

from ssbrace.errors import InputError
from ssbrace.kb import stories_repo as repo
from ssbrace.pipeline import assign_document, assign_pending, rebuild_stories
from ssbrace.stories.evaluate import bcubed, read_labelled_set
from tests.stories.helpers import add_doc, cluster_labelled_set

LABELLED = Path(__file__).resolve().parents[1] / "data" / "stories"

PLANT_A = (
    "Acme Cells will build a solid-state battery plant in Ruritania for 1.4 billion dollars, the company said on "
    "Monday. The factory will make 12 GWh of cells a year from 2028 and employ 900 people."
)
PLANT_B = (
    "Battery maker Acme Cells picked Ruritania for its first solid-state cell factory, an investment of "
    "$1.4 billion. Output should reach 12 GWh a year in 2028, and about 900 jobs will be created at the plant."
)
PLANT_C = (
    "Acme Cells' new Ruritanian plant, a 1.4 billion dollar project, puts the start-up among the larger "
    "solid-state cell makers: 12 GWh a year from 2028."
)
DEAL = (
    "Acme Cells signed a supply agreement with Zenith Motors to deliver solid-state cells for a sports car. "
    "Zenith Motors will buy cells worth 300 million dollars over five years, starting with 5,000 vehicles."
)
RESULTS = (
    "Acme Cells reported a quarterly loss of 85 million dollars and said revenue from sample cells rose to "
    "14 million dollars. The solid-state battery company kept its cash guidance of 640 million dollars."
)


def story(store, doc_id):
    with store.session() as s:
        return repo.story_of_document(s, doc_id)


def assign(store, doc_id):
    with store.session() as s:
        return assign_document(s, doc_id)


def test_same_event_joins_and_other_announcements_by_the_same_company_stay_apart(store):
    a = add_doc(
        store,
        "a",
        PLANT_A,
        title="Acme to build battery plant in Ruritania",
        publisher="Wire One",
        published="2025-03-03",
    )
    deal = add_doc(
        store,
        "deal",
        DEAL,
        title="Acme Cells wins Zenith Motors supply deal",
        publisher="Wire Two",
        published="2025-03-03",
    )
    b = add_doc(
        store,
        "b",
        PLANT_B,
        title="Acme Cells picks Ruritania for factory",
        publisher="Wire Two",
        published="2025-03-04",
    )
    results = add_doc(
        store, "r", RESULTS, title="Acme Cells loss widens", publisher="Wire One", published="2025-03-20"
    )
    c = add_doc(
        store, "c", PLANT_C, title="What Acme's plant means", publisher="Wire Three", published="2025-03-06"
    )
    for doc in (a, deal, b, results, c):
        assign(store, doc)
    assert story(store, a) == story(store, b) == story(store, c)
    assert len({story(store, a), story(store, deal), story(store, results)}) == 3
    with store.session() as s:
        plant = repo.get_story(s, story(store, a))
    assert plant.doc_count == 3 and plant.first_date.isoformat() == "2025-03-03"
    assert plant.last_date.isoformat() == "2025-03-06"
    assert plant.headline == "Acme to build battery plant in Ruritania"  # the earliest document's title


def test_time_window_keeps_a_much_later_similar_text_apart(store):
    a = add_doc(store, "a", PLANT_A, title="Acme plant", published="2025-03-03")
    later = add_doc(store, "later", PLANT_B, title="Acme plant", published="2025-06-03")
    assign(store, a)
    assign(store, later)
    assert story(store, a) != story(store, later)


def test_near_duplicate_joins_its_originals_story_even_when_it_arrives_first(store):
    original = add_doc(store, "o", PLANT_A, title="Acme plant", published="2025-03-03")
    copy = add_doc(
        store,
        "copy",
        PLANT_A + " Reporting by a syndication desk.",
        title="Acme plant (copy)",
        published="2025-04-30",
        duplicate_of=original,
    )
    copy_story = assign(store, copy)  # the original is grouped first, on the way
    assert story(store, original) == copy_story
    with store.session() as s:
        assert repo.get_story(s, copy_story).doc_count == 2


def test_assigning_twice_changes_nothing(store):
    a = add_doc(store, "a", PLANT_A, published="2025-03-03")
    first = assign(store, a)
    assert assign(store, a) == first
    with store.session() as s:
        assert repo.get_story(s, first).doc_count == 1
        assert repo.get_story(s, first).version == 1


def test_documents_without_dates_use_the_day_they_arrived(store):
    a = add_doc(store, "a", PLANT_A, title="Acme plant")
    b = add_doc(store, "b", PLANT_B, title="Acme factory")
    assert assign(store, a) == assign(store, b)
    with store.session() as s:
        found = repo.get_story(s, story(store, a))
    assert found.first_date is not None  # the fetch date stands in


def test_unknown_document_is_a_clear_error(store):
    with store.session() as s, pytest.raises(InputError, match="no document with id 999"):
        assign_document(s, 999)


def test_rebuild_matches_incremental_grouping_and_is_repeatable(store):
    ids = [
        add_doc(store, n, t, title=n, published=d)
        for n, t, d in (
            ("a", PLANT_A, "2025-03-03"),
            ("deal", DEAL, "2025-03-03"),
            ("b", PLANT_B, "2025-03-04"),
        )
    ]
    with store.session() as s:
        assert assign_pending(s) == 3
        assert assign_pending(s) == 0
    before = [story(store, i) for i in ids]
    partitions = []
    for _ in range(2):
        with store.session() as s:
            assert rebuild_stories(s) == 2
        after = [story(store, i) for i in ids]
        partitions.append([after.index(x) for x in after])
    assert partitions[0] == partitions[1] == [before.index(x) for x in before]


def test_quality_on_the_labelled_set_stays_above_its_floor(store):
    # Floor below the measured 1.000 (bench/stories.py); raise it when clustering improves, never lower it.
    articles = read_labelled_set(LABELLED)
    assert len(articles) >= 40 and len({a.story for a in articles}) >= 12
    predicted = cluster_labelled_set(store, articles)
    scores = bcubed(predicted, {a.name: a.story for a in articles})
    assert scores.precision >= 0.95 and scores.recall >= 0.95 and scores.f1 >= 0.95, scores


def test_bcubed_on_a_known_case():
    gold = {"a": 1, "b": 1, "c": 2}
    assert bcubed({"a": "x", "b": "x", "c": "y"}, gold).f1 == 1.0
    merged = bcubed({"a": "x", "b": "x", "c": "x"}, gold)
    assert merged.recall == 1.0 and merged.precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3) / 3)
