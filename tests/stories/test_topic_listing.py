"""Topic and watch story listings read a chunk of stories at a time: the same stories as reading every story,
and a page that fills early reads no further."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from ssbrace.delivery.watches import watch_matches
from ssbrace.domains.schema import Topic
from ssbrace.following import watch_stories
from ssbrace.kb import stories_repo
from ssbrace.kb.store import Store
from ssbrace.kb.stories_repo import StoryRecord
from ssbrace.kb.tables import Claim, Document, Story, StoryDocument
from ssbrace.kb.watches_repo import WatchRecord
from ssbrace.pipeline import stories_for_topic, story_contents
from ssbrace.stories.features import EMPTY_INDEX
from ssbrace.stories.topics import StoryContent, select_for_topic, story_signals
from tests.fixtures.postgres import pg_url, postgres_server  # noqa: F401

COMMON = Topic(name="Solid-state", slug="solid-state", keywords=["solid-state"])  # one story in 7
RARE = Topic(name="Patents", slug="patents", keywords=["patent"])  # one in 50
NONE = Topic(name="Nothing", slug="nothing", keywords=["flywheel"])
BY_CLAIMS = Topic(name="Money and specs", slug="money", kinds=["funding", "spec"])  # claims in two documents
WATCH = WatchRecord(1, "keyword", "sulfide electrolyte")  # one in 3, some in the plural
DAY = date(2025, 6, 1)
STORIES = 460  # over four chunks, with many stories on each day and some undated


def _fill(store: Store) -> None:
    """One document per story, a second one in every 10th; dates over 30 days (ties on each day), every 23rd story
    undated; a funding claim in every 11th story's first document, a spec claim in every 10th's second."""
    docs, stories, links, claims = [], [], [], []
    for i in range(1, STORIES + 1):
        if i % 10 == 0:
            docs.append({"id": STORIES + i, "location": f"test:{STORIES + i}", "text": "A follow-up.",
                         "word_count": 2, "sha256": hashlib.sha256(f"follow-up {i}".encode()).hexdigest()})
            links.append({"document_id": STORIES + i, "story_id": i})
        for document_id, kind in ((i, "funding" if i % 11 == 0 else None),
                                  (STORIES + i, "spec" if i % 10 == 0 else None)):
            if kind:
                claims.append({"document_id": document_id, "kind": kind, "subject": "Acme Cells",
                               "subject_type": "company", "sentence": "A claim.", "start": 0, "end": 8,
                               "extractor_version": "test"})
        words = ["A report on cells."]
        words += ["Solid-state cells."] if i % 7 == 0 else []
        words += ["A patent was filed."] if i % 50 == 0 else []
        words += [f"Sulfide electrolyte{'s' if i % 2 else ''} again."] if i % 3 == 0 else []
        text = " ".join(words)
        day = None if i % 23 == 0 else DAY - timedelta(days=(i * 17) % 30)
        docs.append({"id": i, "location": f"test:{i}", "text": text, "title": f"Report {i}", "word_count": 9,
                     "published": day, "sha256": hashlib.sha256(f"{i}{text}".encode()).hexdigest()})
        stories.append({"id": i, "headline": f"Report {i}", "first_date": day, "last_date": day, "doc_count": 1})
        links.append({"document_id": i, "story_id": i})
    with store.session() as session:
        session.execute(insert(Document), docs)
        session.execute(insert(Story), stories)
        session.execute(insert(StoryDocument), links)
        session.execute(insert(Claim), claims)


def _one_at_a_time(session: Session, stories: Iterable[StoryRecord]) -> Iterator[StoryContent]:
    """The former reading of each story's contents: two queries per story."""
    for story in stories:
        yield StoryContent(story, stories_repo.get_documents(session, story.document_ids),
                           stories_repo.claims_for_documents(session, story.document_ids, reviewed=True))


def _every_story_read(store: Store, topic: Topic, since: date | None, limit: int | None) -> list[int]:
    """The selection as it was made before: every story since ``since`` listed, then the rules over them."""
    with store.session() as session:
        contents = _one_at_a_time(session, stories_repo.list_stories(session, since=since))
        return [s.id for s in select_for_topic(topic, contents, EMPTY_INDEX, limit)]


def _watched_reading_every_story(store: Store, since: date | None, limit: int | None) -> list[int]:
    with store.session() as session:
        found = [c.story.id for c in _one_at_a_time(session, stories_repo.list_stories(session, since=since))
                 if watch_matches(WATCH, story_signals(c, EMPTY_INDEX))]
        return found[:limit] if limit else found


def _same_selections(store: Store) -> None:
    _fill(store)
    for since in (None, DAY - timedelta(days=10)):
        for limit in (None, 5, 20, 150):
            for topic in (COMMON, RARE, NONE, BY_CLAIMS):
                with store.session() as session:
                    chunked = [s.id for s in stories_for_topic(session, topic, EMPTY_INDEX, since, limit)]
                assert chunked == _every_story_read(store, topic, since, limit), (topic.slug, since, limit)
                assert chunked or topic is NONE or since is not None
            with store.session() as session:
                watched = [s.id for s in watch_stories(session, WATCH, EMPTY_INDEX, since=since, limit=limit)]
            assert watched == _watched_reading_every_story(store, since, limit), (since, limit)
    with store.session() as session:
        listed = [s.id for s in stories_repo.list_stories(session)]
        assert [s.id for s in stories_repo.iter_stories(session, chunk=7)] == listed
        assert len(listed) == STORIES and listed[-1] == 23  # the undated last, the lowest id at the end
        every = stories_repo.list_stories(session)
        # contents read a group at a time: the same documents and claims, in the same order, as one at a time
        assert list(story_contents(session, every)) == list(_one_at_a_time(session, every))


def test_chunked_listings_select_the_same_stories_in_the_same_order(store: Store) -> None:
    _same_selections(store)


def test_the_same_on_postgresql(pg_url: str) -> None:  # noqa: F811
    store = Store(pg_url)
    try:
        _same_selections(store)
    finally:
        store.dispose()


@pytest.fixture
def statements(store: Store) -> Iterator[list[str]]:
    """Every SQL statement the store runs while the test reads."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _many):  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(store.engine, "before_cursor_execute", record)
    yield seen
    event.remove(store.engine, "before_cursor_execute", record)


def test_a_page_that_fills_early_reads_one_chunk(store: Store, statements: list[str]) -> None:
    _fill(store)
    statements.clear()
    with store.session() as session:
        page = stories_for_topic(session, COMMON, EMPTY_INDEX, limit=5)
        watched = watch_stories(session, WATCH, EMPTY_INDEX, limit=5)
    assert len(page) == len(watched) == 5
    listings = [s for s in statements if "FROM stories" in s]
    # one chunk of stories each (a LIMIT in SQL), not the 460 stored
    assert len(listings) == 2 and all(f"LIMIT {stories_repo.LISTING_CHUNK}" in s or "LIMIT ?" in s
                                      for s in listings), listings
    # the documents of that chunk's stories read in one query each time, not one query per story
    documents = [s for s in statements if "FROM documents" in s]
    assert len(documents) == 2, documents


def test_a_rare_topic_reads_every_chunk_but_each_one_bounded(store: Store, statements: list[str]) -> None:
    _fill(store)
    statements.clear()
    with store.session() as session:
        assert len(stories_for_topic(session, RARE, EMPTY_INDEX, limit=20)) == STORIES // 50
    listings = [s for s in statements if "FROM stories" in s]
    chunks = -(-STORIES // stories_repo.LISTING_CHUNK)
    assert chunks <= len(listings) <= chunks + 2 and all("LIMIT" in s for s in listings), listings
