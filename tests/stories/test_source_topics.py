"""A source filed under a topic (its OPML category named one) files its documents' stories there (issue 14)."""

from __future__ import annotations

from pathlib import Path

from ssbrace import api
from ssbrace.domains.loader import load_domain
from ssbrace.kb import documents_repo
from ssbrace.pipeline import stories_for_topic
from ssbrace.settings import Settings
from ssbrace.stories.features import entity_index, resolve_domain
from ssbrace.stories.topics import find_topic

EXAMPLE = (Path(__file__).resolve().parents[2] / "ssbrace" / "domains" / "solid_state_batteries" / "examples"
           / "05-quantumscape-powerco-licence.md")


def test_a_sources_topics_file_its_stories_under_them(store, db_url):  # type: ignore[no-untyped-def]
    api.ingest(store, [str(EXAMPLE)], settings=Settings(db=db_url))
    japan = find_topic(load_domain().topics, "japan")
    index = entity_index(resolve_domain(None))
    with store.session() as session:
        assert stories_for_topic(session, japan, index) == []  # an American licence: nothing about Japan
        source = documents_repo.list_sources(session)[0]
        documents_repo.set_source_categories(session, source.id, ["Japan", "Reading list"], ["japan"])
    with store.session() as session:
        filed = stories_for_topic(session, japan, index)
        assert [s.headline for s in filed] == ["QuantumScape licenses its solid-state cell design to PowerCo"]
