"""Topic rules over stories, and reading periods."""

from datetime import UTC, datetime

import pytest

from ssbrace.domains.loader import load_domain
from ssbrace.domains.schema import Topic
from ssbrace.errors import UsageError
from ssbrace.pipeline import assign_document, stories_for_topic
from ssbrace.stories.features import EMPTY_INDEX, entity_index
from ssbrace.stories.period import parse_since
from ssbrace.stories.topics import StorySignals, find_topic, matches
from tests.stories.helpers import add_claim, add_doc

SSB = Topic(name="Solid-state batteries", slug="solid-state", keywords=["solid-state", "solid electrolyte"])
PATENTS = Topic(name="Patents", slug="patents", kinds=["patents"], keywords=["patent"])
RURITANIA = Topic(name="Ruritania", slug="ruritania", countries=["Ruritania"])
ACME = Topic(name="Acme", slug="acme", entities=["Acme Cells"])


def signals(text="", entities=(), countries=(), kinds=()):
    return StorySignals(frozenset(entities), frozenset(countries), frozenset(kinds), text)


def test_any_rule_matches():
    assert matches(SSB, signals("A Solid State cell"))  # case and hyphen do not matter
    assert not matches(SSB, signals("a solidstate cell, a state solid"))
    assert matches(PATENTS, signals(kinds={"patents"}))
    assert matches(PATENTS, signals("patent filings rose"))
    assert not matches(PATENTS, signals("patently false", kinds={"funding"}))
    assert matches(RURITANIA, signals(countries={"ruritania"}))
    assert matches(ACME, signals(entities={"Acme Cells"}))
    assert not matches(ACME, signals("Acme", entities={"Acme Motors"}))


def test_story_belongs_to_every_topic_it_matches(store):
    text = "Acme Cells filed 300 patent applications on solid-state cells, the company said in a statement."
    doc = add_doc(store, "p", text, title="Acme patents", published="2025-03-03")
    add_claim(store, doc, "patents", "Acme Cells", text, text, value=300, unit="patents")
    with store.session() as s:
        assign_document(s, doc)
        found = {t.slug for t in (SSB, PATENTS, RURITANIA, ACME) if stories_for_topic(s, t, EMPTY_INDEX)}
        assert found == {"solid-state", "patents", "acme"}
        assert stories_for_topic(s, SSB, EMPTY_INDEX, since=datetime(2025, 3, 4).date()) == []


def test_real_pack_topics_use_gazetteer_countries(store):
    pack = load_domain("solid_state_batteries")
    japan = next((t for t in pack.topics if "Japan" in t.countries), None)
    if japan is None:
        pytest.skip("the domain pack has no topic for Japan yet")
    text = "Toyota will put all-solid-state batteries in cars in 2027-28, the carmaker said on Thursday."
    doc = add_doc(store, "t", text, title="Toyota solid-state plan", published="2025-03-03")
    with store.session() as s:
        assign_document(s, doc)
        assert len(stories_for_topic(s, japan, entity_index("solid_state_batteries"))) == 1


def test_find_topic_by_slug_or_name():
    assert find_topic([SSB, PATENTS], "PATENTS") is PATENTS
    assert find_topic([SSB, PATENTS], "Solid-state batteries") is SSB
    with pytest.raises(UsageError, match="unknown topic 'nope' \\(known: solid-state, patents\\)"):
        find_topic([SSB, PATENTS], "nope")


def test_parse_since():
    now = datetime(2025, 3, 10, 12, tzinfo=UTC)
    assert parse_since("24h", now) == datetime(2025, 3, 9, 12, tzinfo=UTC)
    assert parse_since("7d", now).date().isoformat() == "2025-03-03"
    assert parse_since("2w", now).date().isoformat() == "2025-02-24"
    assert parse_since("2025-01-05", now) == datetime(2025, 1, 5, tzinfo=UTC)
    for bad in ("yesterday", "24", "-1d", ""):
        with pytest.raises(UsageError, match="--since"):
            parse_since(bad, now)
