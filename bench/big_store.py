"""What reading and regrouping stories costs on a big store: topic and watch pages, and story rebuilds.

Uses the store ``bench/growth.py`` fills (N documents over ``--spread-days``, each in a story of its own; kept in
``--keep`` between runs). Every figure is measured in this run, before and after, on the same copy of the store:

- listings: a topic page and a watch page (20 stories, as ``/topics/<slug>`` and ``/watches/<id>`` ask for, and a
  feed's 50) by the chunked reading (``pipeline.stories_for_topic``, ``following.watch_stories``) and by the former
  one (every story since the date listed, then the rules over them), for a topic that most stories match and for
  one that none does (over the last 30 days: with no date that reads the whole store both ways);
- rebuilds: ``stories --rebuild --month`` (``pipeline.rebuild_period``) and, with ``--full``, ``stories --rebuild``
  (``pipeline.rebuild_stories``) on the store as it is and on a copy without the per-row triggers that keep
  ``story_pending`` and ``story_unkeyed`` (migration 0025): what those triggers add. Each rebuild is rolled back,
  so every round starts from the same store.

    .venv/bin/python bench/big_store.py --keep /tmp/ssbrace-growth
    .venv/bin/python bench/big_store.py --keep /tmp/ssbrace-growth --parts rebuild --full
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from growth import DAY, fill_store, kept_store  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from ssbrace.delivery.atom import MAX_ENTRIES  # noqa: E402
from ssbrace.delivery.watches import watch_matches  # noqa: E402
from ssbrace.domains.loader import load_domain  # noqa: E402
from ssbrace.domains.schema import Topic  # noqa: E402
from ssbrace.following import watch_stories  # noqa: E402
from ssbrace.kb import stories_repo  # noqa: E402
from ssbrace.kb.store import Store  # noqa: E402
from ssbrace.kb.stories_repo import StoryRecord  # noqa: E402
from ssbrace.kb.watches_repo import WatchRecord  # noqa: E402
from ssbrace.pipeline import rebuild_period, rebuild_stories, stories_for_topic  # noqa: E402
from ssbrace.stories.features import EntityIndex, entity_index  # noqa: E402
from ssbrace.stories.topics import StoryContent, select_for_topic, story_signals  # noqa: E402

print = functools.partial(print, flush=True)  # noqa: A001 - figures appear as they are measured
TRIGGERS = ["story_pending_stored", "story_pending_deleted", "story_pending_placed", "story_pending_unplaced",
            "story_unkeyed_stored", "story_unkeyed_deleted", "story_unkeyed_keyed", "story_unkeyed_unkeyed"]


class _Undo(Exception):
    """Raised at the end of a measured rebuild: the session rolls it back."""


def _median_seconds(work: Callable[[], list[int]], rounds: int) -> tuple[float, list[int]]:
    times, result = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _one_at_a_time(session: Session, stories: Iterable[StoryRecord]) -> Iterator[StoryContent]:
    """The former reading of each story's contents: two queries per story."""
    for story in stories:
        yield StoryContent(story, stories_repo.get_documents(session, story.document_ids),
                           stories_repo.claims_for_documents(session, story.document_ids, reviewed=True))


def _topic_before(session: Session, topic: Topic, index: EntityIndex, since: date | None, limit: int) -> list[int]:
    """The former reading: every story since ``since`` listed, then the rules over each one's contents (read one
    story at a time) until the page is full."""
    contents = _one_at_a_time(session, stories_repo.list_stories(session, since=since))
    return [s.id for s in select_for_topic(topic, contents, index, limit)]


def _watch_before(session: Session, watch: WatchRecord, index: EntityIndex, since: date | None,
                  limit: int) -> list[int]:
    found = []
    for content in _one_at_a_time(session, stories_repo.list_stories(session, since=since)):
        if watch_matches(watch, story_signals(content, index)):
            found.append(content.story.id)
            if len(found) >= limit:
                break
    return found


def _topic_after(session: Session, topic: Topic, index: EntityIndex, since: date | None, limit: int) -> list[int]:
    return [s.id for s in stories_for_topic(session, topic, index, since, limit)]


def _watch_after(session: Session, watch: WatchRecord, index: EntityIndex, since: date | None,
                 limit: int) -> list[int]:
    return [s.id for s in watch_stories(session, watch, index, since=since, limit=limit)]


def listings(store: Store, domain: str, rounds: int) -> None:
    index = entity_index(domain)
    topics = {t.slug: t for t in load_domain(domain).topics}
    month = DAY - timedelta(days=30)
    cases = [  # (what, since, limit, the topic or watch)
        ("topic investment-capacity (most stories)", None, 20, topics["investment-capacity"]),
        ("topic investment-capacity, a feed", None, MAX_ENTRIES, topics["investment-capacity"]),
        ("topic japan (no story), last 30 days", month, 20, topics["japan"]),
        ("watch 'pilot line' (half the stories)", None, 20, WatchRecord(1, "keyword", "pilot line")),
        ("watch 'flywheel' (no story), last 30 days", month, 20, WatchRecord(2, "keyword", "flywheel")),
    ]
    with store.session() as session:
        print(f"{'listing':<44} {'before':>9} {'after':>9}  stories")
        for what, since, limit, rule in cases:
            before, after = (_topic_before, _topic_after) if isinstance(rule, Topic) else (_watch_before, _watch_after)
            old, found_old = _median_seconds(functools.partial(before, session, rule, index, since, limit), rounds)
            new, found = _median_seconds(functools.partial(after, session, rule, index, since, limit), rounds)
            assert found == found_old, what  # the same stories in the same order
            print(f"{what:<44} {old:>8.3f}s {new:>8.3f}s  {len(found)}")


def _rebuild_seconds(store: Store, rebuild: Callable[[Session], object]) -> float:
    """Seconds of one rebuild in one transaction, rolled back after (the next round starts from the same store)."""
    elapsed = 0.0
    with store.session() as session:
        stories = stories_repo.count_stories(session)
    try:
        with store.session() as session:
            start = time.perf_counter()
            rebuild(session)
            session.flush()
            elapsed = time.perf_counter() - start
            raise _Undo
    except _Undo:
        pass
    with store.session() as session:
        assert stories_repo.count_stories(session) == stories, "the rebuild was not rolled back"
    return elapsed


def without_triggers(path: Path) -> Path:
    """A copy of the store at ``path`` without the triggers of migration 0025: the cost of rows written before it."""
    copy = path.with_name(f"{path.stem}-without-triggers.db")
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as connection:  # DDL first in a connection commits at once: no transaction here
        for name in TRIGGERS:
            connection.execute(f"DROP TRIGGER {name}")
    return copy


def _month() -> tuple[date, date]:
    """The month before the new documents' week: about 4,100 documents of the 730-day store of 100,000."""
    last = DAY.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _month_rebuild(session: Session, domain: str) -> object:
    return rebuild_period(session, *_month(), domain=domain)


def _full_rebuild(session: Session, domain: str) -> object:
    return rebuild_stories(session, domain=domain)


REBUILDS = {f"stories --rebuild --month {_month()[0]:%Y-%m}": _month_rebuild, "stories --rebuild": _full_rebuild}


def _rebuild_in_this_process(path: str, what: str, domain: str) -> float:
    store = Store(f"sqlite:///{path}")
    try:
        return _rebuild_seconds(store, functools.partial(REBUILDS[what], domain=domain))
    finally:
        store.dispose()


def rebuilds(paths: dict[bool, Path], domain: str, rounds: int, full: bool) -> None:
    """Rebuilds with the triggers (``paths[True]``) and without (``paths[False]``), rounds interleaved, each in a
    fresh process: a rebuild keeps what it read in memory, and a second full rebuild in the same process took
    1.5x the first, whichever store it ran on."""
    print(f"{'rebuild':<36} {'no triggers':>12} {'as shipped':>12} {'ratio':>6}")
    spawn = multiprocessing.get_context("spawn")
    for what in list(REBUILDS)[: 2 if full else 1]:
        times: dict[bool, list[float]] = {False: [], True: []}
        for k in range(rounds):
            for triggers in ((False, True) if k % 2 == 0 else (True, False)):
                with ProcessPoolExecutor(1, mp_context=spawn) as pool:
                    times[triggers].append(pool.submit(_rebuild_in_this_process, str(paths[triggers]), what,
                                                       domain).result())
        without, with_ = statistics.median(times[False]), statistics.median(times[True])
        print(f"{what:<36} {without:>11.2f}s {with_:>11.2f}s {with_ / without:>5.2f}x  (medians of {rounds}; "
              f"without: {', '.join(f'{t:.2f}' for t in times[False])}; with: "
              f"{', '.join(f'{t:.2f}' for t in times[True])})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="documents in the store")
    parser.add_argument("--spread-days", type=int, default=730, help="days the documents' dates spread over")
    parser.add_argument("--keep", metavar="DIR", help="where bench/growth.py keeps its filled stores")
    parser.add_argument("--parts", default="listings,rebuild", help="listings, rebuild, or both")
    parser.add_argument("--full", action="store_true", help="also rebuild every story (minutes at 100,000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--domain", default="solid_state_batteries")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ssbrace-big-"))
    path = work / "store.db"
    kept = kept_store(Path(args.keep), args.size, args.spread_days, False) if args.keep else None
    start = time.perf_counter()
    if kept is not None and kept.exists():
        shutil.copyfile(kept, path)
        store = Store(f"sqlite:///{path}")
    else:
        store = Store(f"sqlite:///{path}")
        fill_store(store, args.size, args.spread_days)
        if kept is not None:
            store.dispose()
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, kept)
    print(f"store of {args.size:,} documents over {args.spread_days} days ready in {time.perf_counter() - start:.0f} s")
    parts = set(args.parts.split(","))
    try:
        if "listings" in parts:
            listings(store, args.domain, args.rounds)
        store.dispose()
        if "rebuild" in parts:
            rebuilds({True: path, False: without_triggers(path)}, args.domain, args.rounds, args.full)
    finally:
        store.dispose()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
