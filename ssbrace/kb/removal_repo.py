"""Deleting documents and sources, with every row keyed on them, in the caller's transaction.

A document takes with it its claims (and so their entity links and search entries: the FTS triggers of
migration 0004 fire on each deleted row, PostgreSQL's expression indexes follow by themselves), its
near-duplicate bands, its story keys and its story membership. What is left of a story is reported for
the caller to restate (``restate_story``) or drop (``drop_stories``): its headline is the stories stage's
to compute, not storage's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ssbrace.kb.store import changed_rows
from ssbrace.kb.tables import Claim, Document, DocumentBand, Source, Story, StoryDocument, StoryKey, utcnow

# Bound parameters per statement stay well under SQLite's and PostgreSQL's caps.
_CHUNK = 500


@dataclass(frozen=True)
class DeletedDocuments:
    """What deleting documents removed, and the stories that lost members (with the members they keep)."""

    documents: int
    claims: int
    promoted: tuple[int, ...]  # near duplicates of a deleted original: originals now, without bands
    stories: dict[int, tuple[int, ...]]  # story id -> remaining member ids (empty: the story is to go)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def delete_documents(session: Session, ids: Iterable[int]) -> DeletedDocuments:
    """Delete these documents and everything keyed on them; ids not stored are ignored."""
    wanted = sorted(set(ids))
    story_ids: set[int] = set()
    promoted: set[int] = set()
    documents = claims = 0
    for chunk in _chunks(wanted):
        story_ids.update(session.scalars(select(StoryDocument.story_id).where(StoryDocument.document_id.in_(chunk))))
        # Explicit deletes rather than relying on ON DELETE CASCADE alone: a SQLite connection opened without
        # the foreign_keys pragma (another tool) would otherwise leave orphans behind.
        claims += changed_rows(session.execute(delete(Claim).where(Claim.document_id.in_(chunk))))
        session.execute(delete(StoryKey).where(StoryKey.document_id.in_(chunk)))
        session.execute(delete(StoryDocument).where(StoryDocument.document_id.in_(chunk)))
        session.execute(delete(DocumentBand).where(DocumentBand.document_id.in_(chunk)))
        promoted.update(session.scalars(select(Document.id).where(Document.duplicate_of.in_(chunk))))
        session.execute(update(Document).where(Document.duplicate_of.in_(chunk))
                        .values(duplicate_of=None, similarity=None))
    promoted -= set(wanted)
    for chunk in _chunks(wanted):
        documents += changed_rows(session.execute(delete(Document).where(Document.id.in_(chunk))))
    session.expire_all()  # ORM objects loaded before must not be written back over the deletes
    remaining: dict[int, list[int]] = {story_id: [] for story_id in story_ids}
    if story_ids:
        rows = session.execute(select(StoryDocument.story_id, StoryDocument.document_id)
                               .where(StoryDocument.story_id.in_(sorted(story_ids)))
                               .order_by(StoryDocument.document_id))
        for story_id, document_id in rows:
            remaining[story_id].append(document_id)
    return DeletedDocuments(documents, claims, tuple(sorted(promoted)),
                            {k: tuple(v) for k, v in sorted(remaining.items())})


def drop_stories(session: Session, ids: Iterable[int]) -> int:
    """Delete stories (left without documents); returns how many went."""
    wanted = sorted(set(ids))
    dropped = 0
    for chunk in _chunks(wanted):
        session.execute(delete(StoryKey).where(StoryKey.story_id.in_(chunk)))
        session.execute(delete(StoryDocument).where(StoryDocument.story_id.in_(chunk)))
        dropped += changed_rows(session.execute(delete(Story).where(Story.id.in_(chunk))))
    return dropped


def restate_story(session: Session, story_id: int, *, headline: str, first_date: date | None,
                  last_date: date | None, doc_count: int) -> None:
    """A story that lost members: its new headline, dates and size; the version moves so briefs are rebuilt.

    When its founder went, the oldest remaining member becomes the founder (stored without a score), so a
    rebuild still keeps the story's id."""
    session.execute(update(Story).where(Story.id == story_id).values(
        headline=headline, first_date=first_date, last_date=last_date, doc_count=doc_count,
        version=Story.version + 1, updated_at=utcnow()))
    has_founder = session.scalar(select(func.count()).select_from(StoryDocument)
                                 .where(StoryDocument.story_id == story_id, StoryDocument.score.is_(None)))
    if not has_founder:
        oldest = session.scalar(select(func.min(StoryDocument.document_id)).where(StoryDocument.story_id == story_id))
        if oldest is not None:
            session.execute(update(StoryDocument).where(StoryDocument.document_id == oldest).values(score=None))


def document_ids_of_source(session: Session, source_id: int) -> list[int]:
    return list(session.scalars(select(Document.id).where(Document.source_id == source_id).order_by(Document.id)))


def delete_source(session: Session, source_id: int) -> int:
    """Delete a source row; documents it brought and that are kept lose their link to it. Returns 0 or 1."""
    session.execute(update(Document).where(Document.source_id == source_id).values(source_id=None))
    deleted = changed_rows(session.execute(delete(Source).where(Source.id == source_id)))
    session.expire_all()
    return deleted
