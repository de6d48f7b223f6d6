"""Feed parsing under the per-document time budget: a feed that keeps feedparser busy fails at the budget with
a one-line reason, from any thread, and the next feed still parses."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ssbrace import budget, isolated
from ssbrace.pipeline import run_ingest
from ssbrace.settings import Settings
from ssbrace.sources.feeds import Feed, FeedError, parse_feed, parse_feed_within_budget
from tests.data.hostile.make_big import many_attributes_feed
from tests.isolation import in_thread, no_idle_children  # noqa: F401 (a fixture)

WEB = Path(__file__).resolve().parents[1] / "data" / "web"
SLOW = many_attributes_feed(40_000)  # about 30 s of feedparser on the test machine, with no budget
REASON = "took longer than the time budget of 1 s per document (while parsing the feed)"
# The 1 s budget plus room for a loaded machine and a child's start; far below feedparser's 30 s.
BOUND_SECONDS = 8.0


pytestmark = pytest.mark.usefixtures("no_idle_children")


def _parsed_within(seconds: float, body: bytes) -> Callable[[], Feed]:
    def work() -> Feed:
        with budget.time_budget(seconds):
            return parse_feed_within_budget(body)
    return work


def test_a_slow_feed_in_a_thread_fails_at_the_budget_and_the_next_feed_parses() -> None:
    start = time.monotonic()
    failed = in_thread(_parsed_within(1.0, SLOW))
    assert isinstance(failed, budget.TimeBudgetExceeded) and str(failed) == REASON
    assert time.monotonic() - start < BOUND_SECONDS
    good = (WEB / "feeds" / "fulltext.atom").read_bytes()
    assert in_thread(_parsed_within(1.0, good)) == parse_feed(good)  # a fresh child, the same feed as in process


def test_in_the_main_thread_the_alarm_stops_it() -> None:
    start = time.monotonic()
    with pytest.raises(budget.TimeBudgetExceeded, match=r"\(while parsing the feed\)$"):
        _parsed_within(1.0, SLOW)()
    assert time.monotonic() - start < BOUND_SECONDS
    assert not isolated._idle  # a small feed in the main thread: no child needed


@pytest.mark.parametrize("name", ["feeds/summary.xml", "feeds/fulltext.atom", "feeds/broken.xml",
                                  "pages/electrolyte-primer.html"])
def test_a_feed_parsed_in_a_child_reads_as_in_process(name: str) -> None:
    body = (WEB / name).read_bytes()
    try:
        expected: object = parse_feed(body)
    except FeedError as exc:
        expected = exc
    got = in_thread(_parsed_within(30.0, body))
    if isinstance(expected, FeedError):  # the child's own reason, passed on as it is
        assert type(got) is FeedError and str(got) == str(expected)
    else:
        assert got == expected
    assert len(isolated._idle) == 1


def test_ingesting_a_slow_feed_from_a_thread_fails_it_alone(http_server, store) -> None:  # type: ignore[no-untyped-def]
    http_server.state.served["slow-feed"] = (SLOW, "application/rss+xml")
    settings = dataclasses.replace(Settings(), db=store.url, document_seconds=1.0, allow_private=True)
    start = time.monotonic()
    slow = in_thread(lambda: run_ingest(store, [http_server.url("served/slow-feed")], settings))
    elapsed = time.monotonic() - start
    (item,) = slow.items  # type: ignore[attr-defined]
    assert (item.status, item.reason) == ("failed", REASON)
    assert elapsed < BOUND_SECONDS, elapsed
    # the next feed parses (in a fresh child), and its entries are stored; the first claims extraction of a
    # process loads its models, so the entries get the usual budget
    usual = dataclasses.replace(settings, document_seconds=60.0)
    good = in_thread(lambda: run_ingest(store, [http_server.url("feeds/fulltext.atom")], usual))
    assert [i.status for i in good.items] == ["new", "new"]  # type: ignore[attr-defined]

