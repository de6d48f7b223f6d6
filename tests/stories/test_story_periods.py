"""Stories grouped again a period at a time (``pipeline.rebuild_period``, ``ssbrace stories --rebuild --month``):
the same stories as a full rebuild for the period's documents, and nothing outside the period moved."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from ssbrace.errors import UsageError
from ssbrace.kb import story_periods
from ssbrace.kb.tables import Document, Story, StoryDocument, StoryKey, StoryPending, StoryUnkeyed
from ssbrace.pipeline import rebuild_period
from ssbrace.stories.evaluate import read_labelled_set
from tests.fixtures.postgres import pg_url, postgres_server  # noqa: F401
from tests.stories.helpers import cluster_labelled_set

LABELLED = Path(__file__).resolve().parents[1] / "data" / "stories"


def _rows(result) -> set[tuple]:
    return {tuple(row) for row in result}


def _tables(store) -> dict[str, set[tuple]]:
    """Every story row, membership and key as stored (timestamps included: what was not redone is unchanged)."""
    with store.session() as session:
        return {
            "stories": _rows(session.execute(select(Story.id, Story.headline, Story.first_date, Story.last_date,
                                                  Story.doc_count, Story.created_at, Story.updated_at))),
            "members": _rows(session.execute(select(StoryDocument.document_id, StoryDocument.story_id,
                                                  StoryDocument.score, StoryDocument.added_at))),
            "keys": _rows(session.execute(select(StoryKey.key, StoryKey.document_id, StoryKey.story_id,
                                               StoryKey.day))),
        }


def _days(store) -> dict[int, date]:
    with store.session() as session:
        return {doc_id: day for doc_id, day in session.execute(select(Document.id, Document.published))}


def _inside(rows: set[tuple], story_ids: set[int], at: int) -> set[tuple]:
    return {row for row in rows if row[at] in story_ids}


def _partition(members: set[tuple]) -> set[frozenset[int]]:
    """The documents of each story, whatever its id."""
    groups: dict[int, set[int]] = {}
    for doc, story, *_ in members:
        groups.setdefault(story, set()).add(doc)
    return {frozenset(group) for group in groups.values()}


@pytest.fixture
def grouped(store):
    return _grouped(store)


def _grouped(store) -> tuple[dict[str, int], dict[str, set[tuple]]]:
    """The labelled set (15 months, two stories across a month's edge), grouped by one full rebuild."""
    cluster_labelled_set(store, read_labelled_set(LABELLED), rebuild=True)
    with store.session() as session:  # article name -> document id
        ids = {location.removeprefix("labelled/"): doc_id
               for doc_id, location in session.execute(select(Document.id, Document.location))}
    return ids, _tables(store)


def test_a_month_rebuilt_gives_the_full_rebuilds_stories_and_moves_nothing_else(store, grouped):
    ids, before = grouped
    days = _days(store)
    march = {i for i, d in days.items() if date(2024, 3, 1) <= d <= date(2024, 3, 31)}
    assert len(march) == 6
    in_march = {story for doc, story, *_ in before["members"] if doc in march}
    assert len(in_march) == 2  # samsung-sdi-46 and samsung-sdi-roadmap, both inside the month
    founders = {doc for doc, story, score, _ in before["members"] if doc in march and score is None}
    with store.session() as session:  # scramble the month: every March document but the founders in one story
        session.execute(update(StoryDocument).where(StoryDocument.document_id.in_(march - founders))
                        .values(story_id=min(in_march)))
    with store.session() as session:
        done = rebuild_period(session, date(2024, 3, 1), date(2024, 3, 31))
    assert (done.documents, done.stories, done.kept) == (6, 2, 0)
    after = _tables(store)
    # Outside the month: every row as it was, to the timestamps and scores.
    for name, at in (("stories", 0), ("members", 1), ("keys", 2)):
        assert {row for row in after[name] if row[at] not in in_march} == {
            row for row in before[name] if row[at] not in in_march}
    # Inside: the same stories, under the same ids (each founded by the same document), the same members,
    # headlines, dates and keys; scores may differ in the last places (one model fitted on the month).
    assert {row[:5] for row in _inside(after["stories"], in_march, 0)} == {
        row[:5] for row in _inside(before["stories"], in_march, 0)}
    assert {row[:2] for row in _inside(after["members"], in_march, 1)} == {
        row[:2] for row in _inside(before["members"], in_march, 1)}
    assert _inside(after["keys"], in_march, 2) == _inside(before["keys"], in_march, 2)


def test_a_month_with_a_story_across_its_edge_keeps_that_story_and_groups_its_pending_documents(store, grouped):
    _a_month_across_an_edge(store, *grouped)


def test_the_same_on_postgresql(pg_url):  # noqa: F811
    from ssbrace.kb.store import Store

    store = Store(pg_url)
    try:
        _a_month_across_an_edge(store, *_grouped(store))
    finally:
        store.dispose()


def _a_month_across_an_edge(store, ids: dict[str, int], before: dict[str, set[tuple]]) -> None:
    # February 2025: mercedes-factorial and mercedes-results inside; idemitsu-fid goes on into March.
    crossing = {story for doc, story, *_ in before["members"] if doc == ids["art46.txt"]}
    with store.session() as session:
        touched = story_periods.stories_in_period(session, date(2025, 2, 1), date(2025, 2, 28))
        assert touched.crossing == sorted(crossing) and len(touched.inside) == 2
        assert touched.crossing_members == {ids["art01.txt"], ids["art12.txt"]}
        # a backfill's case: the month's stories not made yet (its documents in none)
        story_periods.forget_stories(session, touched.inside)
    with store.session() as session:
        done = rebuild_period(session, date(2025, 2, 1), date(2025, 2, 28))
    assert (done.documents, done.stories, done.kept) == (6, 2, 1)
    after = _tables(store)
    # The same grouping (the forgotten stories come back under new ids: nothing recorded their founders).
    assert _partition(after["members"]) == _partition(before["members"])
    assert {row[1:5] for row in after["stories"]} == {row[1:5] for row in before["stories"]}
    assert _inside(after["members"], crossing, 1) == _inside(before["members"], crossing, 1)


def test_every_month_in_turn_gives_the_full_rebuilds_grouping(store, grouped):
    ids, before = grouped
    months = sorted({(d.year, d.month) for d in _days(store).values()})
    with store.session() as session:  # from scratch: no story at all, as after a backfill with stories off
        story_periods.forget_stories(session, [row[0] for row in before["stories"]])
    for year, month in months:
        with store.session() as session:
            rebuild_period(session, *story_periods.month_period(f"{year}-{month:02d}"))
    after = _tables(store)

    # Stories across a month's edge are made from their first month's documents and joined by the next
    # month's, as the full rebuild makes them in arrival order.
    assert _partition(after["members"]) == _partition(before["members"])
    assert len(after["stories"]) == len(before["stories"]) == 19


def test_an_undated_document_belongs_to_the_month_it_was_fetched_in(store):
    from ssbrace.kb.tables import utcnow
    from tests.stories.helpers import add_doc

    dated = add_doc(store, "dated", "Acme Cells opens a plant.", published="2025-02-03")
    undated = add_doc(store, "undated", "Acme Cells opens another plant.")
    today = utcnow().date()
    with store.session() as session:
        assert story_periods.documents_in_period(session, date(2025, 2, 1), date(2025, 2, 28)) == [dated]
        assert story_periods.documents_in_period(session, *story_periods.month_period(f"{today:%Y-%m}")) == [undated]
        done = rebuild_period(session, date(2025, 1, 1), date(2025, 1, 31))
    assert (done.documents, done.stories, done.kept) == (0, 0, 0)


def test_month_period():
    assert story_periods.month_period("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert story_periods.month_period("2025-12") == (date(2025, 12, 1), date(2025, 12, 31))
    for bad in ("2025-13", "2025", "March"):
        with pytest.raises(ValueError, match="not a month"):
            story_periods.month_period(bad)


def test_cli_rebuilds_one_month(store, grouped, tmp_path, db_url):
    from typer.testing import CliRunner

    from ssbrace.cli.main import _register, app

    _register()
    env = {"SSBRACE_CONFIG": str(tmp_path / "none.toml"), "HOME": str(tmp_path)}
    ran = CliRunner().invoke(app, ["--db", db_url, "stories", "--rebuild", "--month", "2025-02"], env=env)
    assert ran.exit_code == 0, ran.output
    assert ("regrouped 6 documents of 2025-02 into 2 stories; left as stored: 1 story reaching past the month"
            in ran.stderr)
    assert "Mercedes" in ran.stdout
    for args, why in ((["--month", "2025-02"], "--month needs --rebuild"),
                      (["--rebuild", "--month", "2025-13"], "not a month (YYYY-MM): '2025-13'")):
        refused = CliRunner().invoke(app, ["--db", db_url, "stories", *args], env=env)
        assert isinstance(refused.exception, UsageError) and str(refused.exception) == why
    # the console script: a usage error is one line and exit status 2
    script = subprocess.run([str(Path(sys.executable).parent / "ssbrace"), "--db", db_url, "stories", "--month",
                             "2025-02"], capture_output=True, text=True, env={**os.environ, **env}, timeout=120)
    assert script.returncode == 2 and script.stderr.strip() == "error: --month needs --rebuild"


def _kept_lists_agree(store) -> None:
    """The work lists the triggers keep (migration 0025) hold what the tables say."""
    with store.session() as session:
        unplaced = set(session.scalars(select(Document.id))) - set(session.scalars(select(StoryDocument.document_id)))
        unkeyed = set(session.scalars(select(Story.id))) - set(session.scalars(select(StoryKey.story_id)))
        assert set(session.scalars(select(StoryPending.document_id))) == unplaced
        assert set(session.scalars(select(StoryUnkeyed.story_id))) == unkeyed


def test_the_kept_lists_are_right_after_rebuilds(store, grouped):
    _kept_lists_agree(store)  # after a full rebuild
    with store.session() as session:
        assert session.scalar(select(StoryPending.document_id).limit(1)) is None  # every document placed
        rebuild_period(session, date(2024, 3, 1), date(2024, 3, 31))
    _kept_lists_agree(store)
