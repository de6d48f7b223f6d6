"""Stories of one period (a month of a backfill, say): which documents it holds, which stories lie inside it
and which reach past its edges, and forgetting the inside ones. ``pipeline.rebuild_period`` uses them to
group a store again a period at a time instead of all at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from ssbrace.kb import stories_repo
from ssbrace.kb.tables import Document, Story, StoryDocument, StoryKey

# The day a document speaks for, as ``DocRecord.day`` and the arrival order read it.
_DAY = func.coalesce(Document.published, func.date(Document.fetched_at))


def _dated_within(start: date, end: date) -> ColumnElement[bool]:
    """``_DAY`` within [start, end], written so that the index on ``published`` finds the rows (a condition on
    the coalesce would read every document of the store, texts and all, for each month)."""
    return or_(Document.published.between(start, end),
               and_(Document.published.is_(None), func.date(Document.fetched_at).between(start, end)))


@dataclass(frozen=True)
class PeriodStories:
    """The stories that have a member in a period: those wholly inside it, and those that reach past it."""

    inside: list[int]
    crossing: list[int]
    crossing_members: set[int]  # the period's documents that belong to a crossing story


def documents_in_period(session: Session, start: date, end: date) -> list[int]:
    """The ids of the documents dated within [start, end], in arrival order (``documents_in_arrival_order``'s:
    by date, then id); documents computed from data (patent counts) join no story and are left out."""
    return list(session.scalars(select(Document.id).where(_dated_within(start, end), stories_repo._reported)
                                .order_by(_DAY, Document.id)))


def stories_in_period(session: Session, start: date, end: date) -> PeriodStories:
    """The stories with a member dated within [start, end], split by whether every member is."""
    touched = (select(StoryDocument.story_id).join(Document, Document.id == StoryDocument.document_id)
               .where(_dated_within(start, end)))
    rows = session.execute(
        select(StoryDocument.story_id, StoryDocument.document_id, _DAY)
        .join(Document, Document.id == StoryDocument.document_id)
        .where(StoryDocument.story_id.in_(touched.scalar_subquery()))
    ).all()
    outside: set[int] = set()
    by_story: dict[int, list[int]] = {}
    for story_id, document_id, day in rows:
        by_story.setdefault(story_id, [])
        # SQLite returns the day as text: compared as ISO dates, which sort as text does
        day_text = str(day) if day is not None else None
        if day_text is None or not (start.isoformat() <= day_text <= end.isoformat()):
            outside.add(story_id)
        else:
            by_story[story_id].append(document_id)
    crossing = sorted(outside & by_story.keys())
    return PeriodStories(inside=sorted(by_story.keys() - outside), crossing=crossing,
                         crossing_members={d for s in crossing for d in by_story[s]})


def forget_stories(session: Session, story_ids: Sequence[int]) -> None:
    """Remove these stories, their memberships and their keys (the documents stay)."""
    for start in range(0, len(story_ids), 500):
        chunk = list(story_ids[start : start + 500])
        session.execute(delete(StoryKey).where(StoryKey.story_id.in_(chunk)))
        session.execute(delete(StoryDocument).where(StoryDocument.story_id.in_(chunk)))
        session.execute(delete(Story).where(Story.id.in_(chunk)))
    session.flush()


def month_period(month: str) -> tuple[date, date]:
    """``2025-03`` -> (2025-03-01, 2025-03-31)."""
    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise ValueError(f"not a month (YYYY-MM): {month!r}") from None
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)
