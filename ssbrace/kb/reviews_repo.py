"""Storing reviews of claims (a person's "wrong" or "corrected"), apart from the claims themselves.

Re-extraction deletes a document's claims and stores new ones under new ids (``claims_repo.store_claims``):
the foreign key sets a review's ``claim_id`` to null, and ``rematch_document`` finds the review's claim
again among the new ones by its key, in the same transaction. The key is what a person would recognise:

- the document, by the hash of its text (else its location or URL: another store holding the same text);
- the claim as extracted: its kind, its subject as written, its sentence;
- to tell apart two claims of one sentence: the value, the year, then the nearest start offset.

A review whose claim is not found (the new extractor reads the sentence another way, or the document is
gone) is kept with ``claim_id`` null: listed as unmatched, applied to nothing, never dropped.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ssbrace.errors import InputError
from ssbrace.kb.tables import Claim, ClaimReview, Document

VERDICTS = ("wrong", "corrected")
_SPACE = re.compile(r"\s+")


def _sentence(text: str) -> str:
    """A sentence compared across extractor versions: spacing is not meaning."""
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class ReviewRow:
    """A review as ``ssbrace claims reviews`` lists it and ``export-reviews`` writes it."""

    id: int
    uid: str
    claim_id: int | None  # None: unmatched
    document_id: int | None
    verdict: str
    changes: dict[str, list[Any]]
    reason: str | None
    reviewer: str
    created_at: datetime
    undone_at: datetime | None
    undone_by: str | None
    supersedes: int | None
    doc_sha256: str
    doc_location: str
    doc_url: str | None
    key_kind: str
    key_subject: str
    key_sentence: str
    key_start: int
    key_value: float | None
    key_year: int | None

    @property
    def active(self) -> bool:
        return self.undone_at is None

    @property
    def matched(self) -> bool:
        return self.claim_id is not None


def _row(r: ClaimReview) -> ReviewRow:
    return ReviewRow(id=r.id, uid=r.uid, claim_id=r.claim_id, document_id=r.document_id, verdict=r.verdict,
                     changes=dict(r.changes or {}), reason=r.reason, reviewer=r.reviewer, created_at=r.created_at,
                     undone_at=r.undone_at, undone_by=r.undone_by, supersedes=r.supersedes,
                     doc_sha256=r.doc_sha256, doc_location=r.doc_location, doc_url=r.doc_url, key_kind=r.key_kind,
                     key_subject=r.key_subject, key_sentence=r.key_sentence, key_start=r.key_start,
                     key_value=r.key_value, key_year=r.key_year)


def get_claim_row(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise InputError(f"no claim {claim_id} (see `ssbrace claims list`)")
    return claim


def active_review(session: Session, claim_id: int) -> ClaimReview | None:
    return session.scalars(select(ClaimReview).where(ClaimReview.claim_id == claim_id,
                                                     ClaimReview.undone_at.is_(None))).first()


def add_review(session: Session, claim: Claim, *, verdict: str, changes: dict[str, list[Any]], reviewer: str,
               reason: str | None = None, new_kind: str | None = None, new_subject: str | None = None,
               new_subject_entity_id: int | None = None, at: datetime | None = None,
               uid: str | None = None) -> ReviewRow:
    """Record a review of ``claim`` in the caller's transaction; an active review of the same claim is
    superseded (undoing this one brings it back). Returns the new review."""
    if verdict not in VERDICTS:
        raise InputError(f"unknown verdict {verdict!r}; one of {', '.join(VERDICTS)}")
    document = session.get(Document, claim.document_id)
    assert document is not None  # a claim's document is a foreign key
    now = datetime.now(UTC)
    earlier = active_review(session, claim.id)
    if earlier is not None:
        earlier.undone_at, earlier.undone_by = now, f"superseded by a later review of claim {claim.id}"
        earlier.claim_id = None
        session.flush()
    review = ClaimReview(
        uid=uid or uuid.uuid4().hex, claim_id=claim.id, document_id=document.id, doc_sha256=document.sha256,
        doc_location=document.location, doc_url=document.url, key_kind=claim.kind, key_subject=claim.subject,
        key_sentence=claim.sentence, key_start=claim.start, key_value=claim.value, key_year=claim.year,
        verdict=verdict, changes=changes or None, new_kind=new_kind, new_subject=new_subject,
        new_subject_entity_id=new_subject_entity_id, reason=reason, reviewer=reviewer, created_at=at or now,
        supersedes=earlier.id if earlier is not None else None)
    session.add(review)
    session.flush()
    return _row(review)


def undo_review(session: Session, review_id: int, by: str) -> ReviewRow:
    """Stop applying a review (kept, marked undone); the review it superseded applies again."""
    review = session.get(ClaimReview, review_id)
    if review is None:
        raise InputError(f"no review {review_id} (see `ssbrace claims reviews`)")
    if review.undone_at is not None:
        raise InputError(f"review {review_id} is already undone ({review.undone_by or 'undone'})")
    claim_id = review.claim_id
    review.undone_at, review.undone_by, review.claim_id = datetime.now(UTC), by, None
    session.flush()
    if review.supersedes is not None:
        earlier = session.get(ClaimReview, review.supersedes)
        if earlier is not None:
            earlier.undone_at, earlier.undone_by, earlier.claim_id = None, None, claim_id
    session.flush()
    return _row(review)


def list_reviews(session: Session, *, include_undone: bool = False) -> list[ReviewRow]:
    stmt = select(ClaimReview).order_by(ClaimReview.id)
    if not include_undone:
        stmt = stmt.where(ClaimReview.undone_at.is_(None))
    return [_row(r) for r in session.scalars(stmt)]


def get_review(session: Session, review_id: int) -> ReviewRow | None:
    review = session.get(ClaimReview, review_id)
    return _row(review) if review is not None else None


def has_uid(session: Session, uid: str) -> bool:
    return session.scalar(select(func.count(ClaimReview.id)).where(ClaimReview.uid == uid)) != 0


# --- matching a review's key to the claims stored now ---


def _document_for(session: Session, sha256: str, location: str, url: str | None) -> Document | None:
    """The stored document a review's key names: the same text first, then the same address."""
    found = session.scalars(select(Document).where(Document.sha256 == sha256)).first()
    if found is None:
        places = [location] + ([url] if url else [])
        found = session.scalars(select(Document).where(or_(Document.location.in_(places), Document.url.in_(places)))
                                .order_by(Document.id)).first()
    return found


def find_claim(session: Session, document_id: int, kind: str, subject: str, sentence: str, start: int,
               value: float | None, year: int | None, taken: set[int] | None = None) -> int | None:
    """The claim of this document that a review's key describes, or None (see the module's docstring)."""
    rows = session.execute(select(Claim.id, Claim.sentence, Claim.start, Claim.value, Claim.year)
                           .where(Claim.document_id == document_id, Claim.kind == kind,
                                  func.lower(Claim.subject) == subject.lower())).all()
    wanted = _sentence(sentence)
    candidates = [r for r in rows if _sentence(r.sentence) == wanted and r.id not in (taken or set())]
    if not candidates:
        return None
    candidates.sort(key=lambda r: (r.value != value, r.year != year, abs(r.start - start), r.id))
    return int(candidates[0].id)


def _claimed(session: Session, document_id: int) -> set[int]:
    """Claims of a document that an active review applies to already (one review per claim)."""
    return set(session.scalars(select(ClaimReview.claim_id).join(Claim, Claim.id == ClaimReview.claim_id)
                               .where(Claim.document_id == document_id, ClaimReview.undone_at.is_(None))))


def _rematch(session: Session, reviews: Iterable[ClaimReview]) -> int:
    matched = 0
    taken: dict[int, set[int]] = {}
    for review in reviews:
        document = _document_for(session, review.doc_sha256, review.doc_location, review.doc_url)
        if document is None:
            continue
        review.document_id = document.id
        busy = taken.setdefault(document.id, _claimed(session, document.id))
        claim_id = find_claim(session, document.id, review.key_kind, review.key_subject, review.key_sentence,
                              review.key_start, review.key_value, review.key_year, busy)
        if claim_id is not None:
            review.claim_id = claim_id
            busy.add(claim_id)
            matched += 1
    session.flush()
    return matched


def rematch_document(session: Session, document: Document) -> int:
    """Match the active, unmatched reviews of a document (after its claims were replaced, or when it
    arrives in a store reviews were imported into) to its claims now; returns how many matched."""
    reviews = session.scalars(select(ClaimReview).where(
        ClaimReview.claim_id.is_(None), ClaimReview.undone_at.is_(None),
        or_(ClaimReview.document_id == document.id, ClaimReview.doc_sha256 == document.sha256))
        .order_by(ClaimReview.id)).all()
    return _rematch(session, reviews) if reviews else 0


def rematch_unmatched(session: Session) -> int:
    """Match every active, unmatched review that can be; returns how many matched."""
    reviews = session.scalars(select(ClaimReview).where(ClaimReview.claim_id.is_(None),
                                                        ClaimReview.undone_at.is_(None)).order_by(ClaimReview.id)).all()
    return _rematch(session, reviews) if reviews else 0


def import_review(session: Session, row: ReviewRow) -> bool:
    """Add a review exported from another store (``ReviewRow``'s fields), matched by its key here; returns
    whether it matched a claim. A review this store has already (same uid) is left as it is."""
    review = ClaimReview(
        uid=row.uid, claim_id=None, document_id=None, doc_sha256=row.doc_sha256, doc_location=row.doc_location,
        doc_url=row.doc_url, key_kind=row.key_kind, key_subject=row.key_subject, key_sentence=row.key_sentence,
        key_start=row.key_start, key_value=row.key_value, key_year=row.key_year, verdict=row.verdict,
        changes=row.changes or None, new_kind=(row.changes.get("kind") or [None, None])[1],
        new_subject=(row.changes.get("subject") or [None, None])[1], new_subject_entity_id=None,
        reason=row.reason, reviewer=row.reviewer, created_at=row.created_at, undone_at=row.undone_at,
        undone_by=row.undone_by)
    session.add(review)
    session.flush()
    if review.undone_at is not None:
        return False
    return _rematch(session, [review]) == 1


def set_subject_entity(session: Session, review_id: int, entity_id: int | None) -> None:
    review = session.get(ClaimReview, review_id)
    if review is not None:
        review.new_subject_entity_id = entity_id
        session.flush()
