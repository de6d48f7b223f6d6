"""The stories of one batch of placements, kept in memory and written once at its end.

Placing a document reads the stories near it (the story index, the recently active stories, their latest
members) and writes where it went. Done with the store one document at a time, that is a dozen statements
a document, and it was most of a distributed run's serial part (docs/scale.md). Here the batch's own
placements are held in memory (its new stories, the members it added, their keys) and the store is asked
only about what was stored before the batch, and only for the windows where something was: a backfill of
a period the store has no stories for asks nothing. The answers merge both, and are those the store
would give if every placement had been written at once (``tests/stories/test_story_ledger.py``).

Nothing of the batch is written until ``flush``: the new stories (under explicit ids, as a rebuild
writes them), the stored stories the batch joined (their dates, counts and headline), the memberships and
the keys, each with one statement for many rows, in the caller's transaction.

That the store holds nothing near a window is read from the stored stories' date spans (indexed by
``last_date``): a member's day lies within its story's span, as ``create_story``, ``add_to_story`` and the
index builder keep it; stored keys of undated members, which every window sees, are read once.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ssbrace.kb import stories_repo
from ssbrace.kb.stories_repo import StoryRecord
from ssbrace.kb.tables import utcnow

# Key rows written per statement at ``flush``.
_ROWS_PER_INSERT = 10_000


@dataclass
class _Story:
    """A story the batch created or joined, as it stands now."""

    id: int
    headline: str
    first_date: date | None
    last_date: date | None
    doc_count: int
    version: int
    created_at: datetime
    updated_at: datetime
    members: list[int]  # in id order; of a stored story only its latest members and the batch's
    stored: bool  # stored before the batch (then updated at the end), else inserted
    stored_near: tuple[date | None, date | None] = (None, None)  # its span before the batch
    cached: StoryRecord | None = None  # its record, until it changes

    def record(self, latest: int) -> StoryRecord:
        if self.cached is not None and len(self.cached.document_ids) == min(latest, len(self.members)):
            return self.cached
        members = self.members[-latest:]
        self.cached = StoryRecord(id=self.id, headline=self.headline, first_date=self.first_date,
                           last_date=self.last_date, doc_count=self.doc_count, version=self.version,
                           created_at=self.created_at, updated_at=self.updated_at, document_ids=tuple(members))
        return self.cached


def _recency(story_id: int, last_date: date | None) -> tuple[bool, int, int]:
    """The order of ``stories_repo.active_story_ids``: latest ``last_date`` first, undated last, then newest id."""
    return (last_date is None, -(last_date.toordinal() if last_date else 0), -story_id)


def _overlaps(first: date | None, last: date | None, start: date, end: date) -> bool:
    return last is None or (last >= start and first is not None and first <= end)


@dataclass
class StoryLedger:
    """The story reads and writes of one batch (``pipeline.StoryBatch``), as ``stories_repo`` would answer
    them had each placement been written at once.

    Args:
        session: the batch's session; the store must not change under it while the batch runs (as
            before: one batch of placements is one transaction).
        pending: documents known to be in no story before the batch (those it places).
    """

    session: Session
    pending: set[int] = field(default_factory=set)
    placed: dict[int, int] = field(default_factory=dict)  # document -> story, placed by this batch
    stories: dict[int, _Story] = field(default_factory=dict)  # created or joined by this batch
    # key -> member's day -> the story of each member this batch indexed under the key on that day (keys as
    # stored: cut to 200 characters)
    postings: dict[str, dict[date | None, list[int]]] = field(default_factory=dict)
    _stored_latest: dict[int, StoryRecord] = field(default_factory=dict)  # stored stories read, unchanged
    _near: dict[tuple[date, date], bool] = field(default_factory=dict)  # window -> stored stories meet it
    _windows: dict[tuple[date, date], list[date | None]] = field(default_factory=dict)  # window -> its days
    _undated: tuple[list[tuple[int, None]], dict[str, list[int]]] | None = None
    _recent: list[tuple[int, int]] = field(default_factory=list)  # the batch's dated stories, by recency
    _undated_here: set[int] = field(default_factory=set)  # the batch's undated stories
    _joined: set[int] = field(default_factory=set)  # stored stories the batch joined
    _memberships: list[dict[str, Any]] = field(default_factory=list)
    # (key, document, story, day): a tuple, not a row's dict, a third of the memory; a batch of 20,000
    # documents holds 600,000 of them until ``flush``
    _keys: list[tuple[str, int, int, date | None]] = field(default_factory=list)

    # --- reads ---

    def story_of(self, document_id: int) -> int | None:
        """``stories_repo.story_of_document``."""
        if document_id in self.placed or document_id in self.pending:
            return self.placed.get(document_id)
        return stories_repo.story_of_document(self.session, document_id)

    def _stored_near(self, start: date, end: date) -> bool:
        """Whether a stored story's span meets [start, end] (one indexed query per window)."""
        found = self._near.get((start, end))
        if found is None:
            found = self._near[(start, end)] = stories_repo.dated_stories_meet(self.session, start, end)
        return found

    def _stored_undated(self) -> tuple[list[tuple[int, None]], dict[str, list[int]]]:
        """The stored stories with no date and the stored keys of undated members: every window sees them."""
        if self._undated is None:
            self._undated = ([(i, None) for i in stories_repo.undated_story_ids(self.session)],
                             stories_repo.undated_key_postings(self.session))
        return self._undated

    def stories_with_keys(self, keys: Iterable[str], start: date, end: date,
                          most: int) -> dict[str, tuple[int, ...] | None]:
        """``stories_repo.stories_with_keys``: the stored members' keys and the batch's, counted together."""
        keys = sorted(set(keys))
        if not keys:
            return {}
        rows: dict[str, list[int]] = {key: [] for key in keys}
        if self._stored_near(start, end):
            stored = stories_repo.key_postings(self.session, keys, start, end, most + 1)
        else:
            undated = self._stored_undated()[1]
            stored = {key: undated[key] for key in keys if key in undated}
        for key, ids in stored.items():
            rows[key].extend(ids)
        days = self._days(start, end)
        for key in keys:
            by_day = self.postings.get(key)
            if not by_day:
                continue
            found = rows[key]
            # the key's days, or the window's, whichever are fewer
            if len(by_day) <= len(days):
                looked = [ids for day, ids in by_day.items() if day is None or start <= day <= end]
            else:
                looked = [by_day[day] for day in days if day in by_day]
            for ids in looked:
                found.extend(ids)
                if len(found) > most:  # too common: its stories are not read
                    break
        return {key: None if len(ids) > most else tuple(sorted(set(ids))) for key, ids in rows.items()}

    def _days(self, start: date, end: date) -> list[date | None]:
        days = self._windows.get((start, end))
        if days is None:
            span = (end - start).days
            days = self._windows[(start, end)] = [None, *(start + timedelta(days=i) for i in range(span + 1))]
        return days

    def active_story_ids(self, start: date, end: date, limit: int) -> list[int]:
        """``stories_repo.active_story_ids``: the stored stories the batch did not join, as stored, and the
        batch's, as they stand now."""
        joined = self._joined
        if self._stored_near(start, end):
            # the stored ones the batch joined are left out below: read as many more
            extra = sum(_overlaps(*self.stories[i].stored_near, start, end) for i in joined)
            stored = stories_repo.active_stories(self.session, start, end, limit + extra)
        else:
            stored = list(self._stored_undated()[0])
        found = [(i, last) for i, last in stored if i not in joined]
        found += self._active_here(start, end, limit)
        found.sort(key=lambda row: _recency(*row))
        return [i for i, _ in found[:limit]]

    def _active_here(self, start: date, end: date, limit: int) -> list[tuple[int, date | None]]:
        """The ``limit`` most recently active of the batch's stories that meet [start, end], by recency."""
        found: list[tuple[int, date | None]] = []
        for _, minus_id in self._recent:
            story_id = -minus_id
            story = self.stories[story_id]
            if story.last_date is None or story.last_date < start:
                break  # the rest ended earlier still
            if story.first_date is not None and story.first_date <= end:
                found.append((story_id, story.last_date))
                if len(found) == limit:
                    return found
        # undated stories meet every window; they come after the dated ones
        found += [(story_id, None) for story_id in sorted(self._undated_here, reverse=True)[: limit - len(found)]]
        return found

    def _rank(self, story: _Story, before: date | None, new: bool) -> None:
        """Keep ``_recent`` (dated stories, latest first, then newest) and ``_undated_here`` as dates move."""
        if not new:
            if before is None:
                self._undated_here.discard(story.id)
            else:
                del self._recent[bisect.bisect_left(self._recent, (-before.toordinal(), -story.id))]
        if story.last_date is None:
            self._undated_here.add(story.id)
        else:
            bisect.insort(self._recent, (-story.last_date.toordinal(), -story.id))

    def get_stories(self, ids: Iterable[int], latest_members: int) -> list[StoryRecord]:
        """``stories_repo.get_stories``, each with its latest ``latest_members`` members."""
        ids = sorted(set(ids))
        unread = [i for i in ids if i not in self.stories and i not in self._stored_latest]
        for record in stories_repo.get_stories(self.session, unread, latest_members=latest_members):
            self._stored_latest[record.id] = record
        return [self.stories[i].record(latest_members) if i in self.stories else self._stored_latest[i]
                for i in ids if i in self.stories or i in self._stored_latest]

    def all_members(self, story_id: int) -> tuple[int, ...]:
        """Every member of a story (the stored ones read), for a headline."""
        story = self.stories.get(story_id)
        if story is not None and not story.stored:
            return tuple(story.members)
        stored = stories_repo.get_story(self.session, story_id)
        members = set(stored.document_ids if stored else ())
        return tuple(sorted(members | set(story.members if story else ())))

    # --- writes, held until ``flush`` ---

    def create(self, document_id: int, day: date | None, headline: str, story_id: int) -> int:
        """``stories_repo.create_story`` under an explicit id."""
        now = utcnow()
        self.stories[story_id] = story = _Story(story_id, headline, day, day, 1, 1, now, now, [document_id],
                                                stored=False)
        self._rank(story, None, new=True)
        self._member(document_id, story_id, None, now)
        return story_id

    def add(self, story_id: int, document_id: int, day: date | None, score: float | None, headline: str,
            latest_members: int) -> None:
        """``stories_repo.add_to_story``."""
        story = self.stories.get(story_id) or self._join_stored(story_id, latest_members)
        before = story.last_date
        now = utcnow()
        bisect.insort(story.members, document_id)
        if day is not None:
            story.first_date = min(d for d in (story.first_date, day) if d is not None)
            story.last_date = max(d for d in (story.last_date, day) if d is not None)
        story.doc_count += 1
        story.version += 1
        story.updated_at = now
        story.headline = headline
        story.cached = None
        self._rank(story, before, new=False)
        self._member(document_id, story_id, score, now)

    def _join_stored(self, story_id: int, latest_members: int) -> _Story:
        record = self._stored_latest.pop(story_id, None)
        if record is None:
            found = stories_repo.get_stories(self.session, [story_id], latest_members=latest_members)
            if not found:
                raise LookupError(f"no story {story_id}")
            record = found[0]
        story = self.stories[story_id] = _Story(
            record.id, record.headline, record.first_date, record.last_date, record.doc_count or 0,
            record.version or 0, record.created_at, record.updated_at, list(record.document_ids), stored=True,
            stored_near=(record.first_date, record.last_date))
        self._joined.add(story_id)
        self._rank(story, None, new=True)
        return story

    def _member(self, document_id: int, story_id: int, score: float | None, now: datetime) -> None:
        self.placed[document_id] = story_id
        self._memberships.append({"document_id": document_id, "story_id": story_id, "score": score,
                                  "added_at": now})

    def add_keys(self, story_id: int, document_id: int, day: date | None, keys: Iterable[str]) -> None:
        """``stories_repo.add_story_keys``."""
        for key in sorted({k[:200] for k in keys}) or ["*"]:
            self.postings.setdefault(key, {}).setdefault(day, []).append(story_id)
            self._keys.append((key, document_id, story_id, day))

    def flush(self) -> None:
        """Write the batch: new stories, the stored ones it joined, memberships, keys; then nothing is held."""
        ordered = sorted(self.stories.values(), key=lambda s: s.id)
        rows = {s.id: {"id": s.id, "headline": s.headline, "first_date": s.first_date, "last_date": s.last_date,
                       "doc_count": s.doc_count, "version": s.version, "created_at": s.created_at,
                       "updated_at": s.updated_at} for s in ordered}
        stories_repo.insert_stories(self.session, [rows[s.id] for s in ordered if not s.stored])
        stories_repo.update_stories(self.session, [rows[s.id] for s in ordered if s.stored])
        stories_repo.insert_memberships(self.session, self._memberships)
        for start in range(0, len(self._keys), _ROWS_PER_INSERT):  # rows made a chunk at a time: bounded
            stories_repo.insert_story_keys(self.session, [
                {"key": key, "document_id": document_id, "story_id": story_id, "day": day}
                for key, document_id, story_id, day in self._keys[start : start + _ROWS_PER_INSERT]])
        if any(not s.stored for s in self.stories.values()):
            stories_repo.sync_story_ids(self.session)
        self.stories.clear()
        self.placed.clear()
        self.pending.clear()
        self._memberships.clear()
        self._keys.clear()
        self.postings.clear()
        self._recent.clear()
        self._undated_here.clear()
        self._joined.clear()
        self._stored_latest.clear()
        self._near.clear()
        self._windows.clear()
        self._undated = None
