"""Plain records the knowledge queries return and the analysis consumes (no SQLAlchemy here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ssbrace.models import ClaimFields


@dataclass(frozen=True, slots=True)
class ReviewNote:
    """What a person said of a claim (``kb.reviews_repo``): wrong, or corrected, by whom, when and why."""

    id: int
    verdict: str  # wrong | corrected
    reviewer: str
    at: datetime
    reason: str | None = None
    changes: tuple[tuple[str, Any, Any], ...] = ()  # (field, old value, new value)


# Not frozen, since the contract fields it extends are not (the extractor sets a claim's confidence); hashed
# by its fields all the same, as sets and dict keys of records need. Slots: every field (the contract's
# included) is a slot, so a record costs about 350 bytes plus its own strings instead of a 1.5 KB dict
# (an analysis holds up to a million of them).
@dataclass(kw_only=True, unsafe_hash=True, slots=True)
class ClaimRecord(ClaimFields):
    """One stored claim with its entities resolved and its document's provenance attached.

    ``subject`` is the linked entity's canonical name, or the name as written when unlinked.
    """

    id: int
    sentence: str = ""
    start: int = 0
    end: int = 0
    confidence: float = 0.5
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # provenance
    document_id: int = 0
    publisher: str | None = None
    published: date | None = None
    url: str | None = None
    title: str | None = None
    location: str | None = None
    # entity context
    subject_country: str | None = None  # the company's country (gazetteer), or the place itself
    object_type: str | None = None
    created: date | None = None  # when the claim entered the store
    # a person's review of it, its corrections already applied to the fields above (a claim marked wrong
    # is not read for analysis at all)
    review: ReviewNote | None = field(default=None, hash=False, compare=False)

    @property
    def source_name(self) -> str:
        """The publisher, or the document's host/location when no publisher is known."""
        return self.publisher or self.url or self.location or f"document {self.document_id}"

    @property
    def link(self) -> str:
        """Where a reader can check the claim: the URL when known, else the document location."""
        return self.url or self.location or ""

    @property
    def seen(self) -> date | None:
        """The date the claim was stated: the document's date, else when it was stored."""
        return self.published or self.created
