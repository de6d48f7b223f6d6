"""The Atom feed of a topic, parsed back with feedparser."""

import xml.etree.ElementTree as ET

import feedparser

from ssbrace.delivery.atom import write_feed
from ssbrace.domains.schema import Topic
from ssbrace.pipeline import build_feed
from ssbrace.stories.features import EMPTY_INDEX
from tests.delivery.stories_data import HOSTILE_TITLE, TOPIC, seed

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_of(store, topic=TOPIC):
    with store.session() as s:
        return build_feed(s, topic, EMPTY_INDEX, base_url="https://brief.example/")


def test_feed_parses_with_ids_dates_and_links(store):
    seed(store)
    data = feed_of(store)
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "ssbrace: Solid-state batteries"
    assert parsed.feed.id.startswith("urn:uuid:")
    assert parsed.feed.updated_parsed is not None
    assert any(
        link.rel == "self" and link.href == "https://brief.example/feeds/solid-state.atom"
        for link in parsed.feed.links
    )
    assert len(parsed.entries) == 3  # the old story too: a feed is not limited to a period
    ids = [e.id for e in parsed.entries]
    assert len(set(ids)) == 3 and all(i.startswith("urn:uuid:") for i in ids)
    for entry in parsed.entries:
        assert entry.updated_parsed and entry.published_parsed
        assert entry.link.startswith("https://brief.example/stories/")
    hostile = next(e for e in parsed.entries if e.title == HOSTILE_TITLE)  # text, exactly as written
    related = sorted(link.href for link in hostile.links if link.rel == "related")
    assert related == ["https://wire-one.example/acme?a=1&b=2", "https://wire-two.example/acme"]
    assert "Summary based on 2 sources" in hostile.content[0].value
    # the same store gives the same ids
    assert [e.id for e in feedparser.parse(feed_of(store)).entries] == ids


def test_hostile_text_is_escaped_in_the_xml(store):
    seed(store)
    data = feed_of(store).decode("utf-8")
    assert "<script>" not in data
    root = ET.fromstring(data)  # well-formed XML
    titles = [e.find(f"{ATOM}title").text for e in root.iter(f"{ATOM}entry")]
    assert HOSTILE_TITLE in titles
    # the html content carries the title escaped once for HTML, then once more for XML
    assert "&amp;lt;script&amp;gt;alert(2)&amp;lt;/script&amp;gt;" in data


def test_control_characters_cannot_break_the_feed(store):
    from ssbrace.pipeline import assign_document
    from tests.stories.helpers import add_doc

    doc = add_doc(
        store,
        "ctl.txt",
        "A solid-state note\x00 with a \x07bell and a form\x0c feed in its text, "
        "written by a broken scraper.",
        title="Bell\x07 title",
        published="2025-03-03",
    )
    with store.session() as s:
        assign_document(s, doc)
    parsed = feedparser.parse(feed_of(store))
    assert not parsed.bozo and parsed.entries[0].title == "Bell title"


def test_empty_topic_gives_a_valid_empty_feed(store, tmp_path):
    data = feed_of(store, Topic(name="Nothing", slug="nothing", keywords=["zzz"]))
    out = tmp_path / "feed.xml"
    write_feed(data, out)
    parsed = feedparser.parse(out.read_bytes())
    assert not parsed.bozo and parsed.entries == [] and parsed.feed.updated_parsed is not None


def test_entry_ids_survive_a_rebuild_of_the_stories(store):
    from sqlalchemy import delete, func, select

    from ssbrace.kb.tables import Document, Story, StoryDocument
    from ssbrace.pipeline import rebuild_stories

    seed(store)
    with store.session() as s:  # the first story and its documents removed: ids now start at 2, not 1
        first = s.scalar(select(func.min(Story.id)))
        members = list(s.scalars(select(StoryDocument.document_id).where(StoryDocument.story_id == first)))
        s.execute(delete(Document).where(Document.id.in_(members)))
        s.execute(delete(Story).where(Story.id == first))
    before = sorted((e.title, e.id) for e in feedparser.parse(feed_of(store)).entries)
    for _ in range(2):
        with store.session() as s:
            rebuild_stories(s)
        assert sorted((e.title, e.id) for e in feedparser.parse(feed_of(store)).entries) == before
