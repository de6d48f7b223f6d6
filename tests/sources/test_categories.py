"""OPML categories matched to topics, and the fetch options kept with a source (issue 14)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ssbrace.domains.loader import load_domain
from ssbrace.sources.categories import match_topics
from ssbrace.sources.options import SourceOptions
from ssbrace.sources.web import FetchOptions

TOPICS = [("japan", "Japan"), ("policy-funding", "Policy & funding"), ("solid-state-batteries", "Solid-state batteries")]


def test_categories_match_topics_by_name_or_slug_and_the_rest_stay_labels():
    found = match_topics(["JAPAN", "Policy & Funding", "solid state batteries", "Gardening", "japan", " "], TOPICS)
    assert found.topics == ("japan", "policy-funding", "solid-state-batteries")  # each once, in order
    assert found.labels == ("Gardening",)


def test_the_domain_packs_topics_are_found_by_their_names():
    pack = load_domain()
    pairs = [(t.slug, t.name) for t in pack.topics]
    assert match_topics([t.name for t in pack.topics], pairs).topics == tuple(t.slug for t in pack.topics)


@given(st.lists(st.text(max_size=20), max_size=8))
def test_every_category_is_either_a_topic_or_a_label(categories):
    found = match_topics(categories, TOPICS)
    assert set(found.topics) <= {slug for slug, _ in TOPICS}
    assert set(found.labels) <= {c.strip() for c in categories}
    assert len(found.topics) + len(found.labels) <= len(categories)


def test_source_options_round_trip_and_apply_over_the_runs_options():
    options = SourceOptions(allow_private=True, max_bytes=5000)
    assert SourceOptions.from_json(options.to_json()) == options
    assert SourceOptions.from_json({"allow_private": False, "max_bytes": -3, "later": 1}) == SourceOptions()
    assert not SourceOptions() and SourceOptions().to_json() == {}
    run = FetchOptions()
    applied = options.apply(run)
    assert applied.guard.allow_private and applied.max_bytes == 5000
    assert not run.guard.allow_private and run.max_bytes == 10_000_000  # the run's own are untouched
    assert SourceOptions().apply(run) is run
