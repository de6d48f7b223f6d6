"""SQLAlchemy 2 table definitions. Schema changes go through Alembic migrations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Source(Base):
    """Where documents come from: a file, a folder, a URL or a feed."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # file | folder | url | feed
    location: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # --- migration 0021: what `update` needs to poll a source as it was added, and where its documents go
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # skipped by update
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # fetch options: allow_private, max_bytes
    categories: Mapped[list[str] | None] = mapped_column(JSON)  # labels from an OPML import, as written there
    topics: Mapped[list[str] | None] = mapped_column(JSON)  # slugs of the domain pack's topics they matched

    documents: Mapped[list[Document]] = relationship(back_populates="source")


class Document(Base):
    """One distinct text. Exact duplicates are not stored twice; near duplicates point at their original."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    location: Mapped[str] = mapped_column(Text, unique=True)  # path or URL as ingested
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(16))
    content_type: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    similarity: Mapped[float | None] = mapped_column(Float)
    extractor_version: Mapped[str | None] = mapped_column(String(32))
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    source: Mapped[Source | None] = relationship(back_populates="documents")
    claims: Mapped[list[Claim]] = relationship(back_populates="document", cascade="all, delete-orphan")

    __table_args__ = (Index("ix_documents_published", "published"),)


# Newest first, as the listings page them (migration 0018; SQLite sorts NULLs first ascending, so it takes
# plain DESC for the same order).
Index("ix_documents_published_id", Document.published.desc().nulls_last(), Document.id.desc())


class DocumentBand(Base):
    """One LSH band of an original document's MinHash: the near-duplicate index, kept in the store."""

    __tablename__ = "document_bands"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(16), primary_key=True)  # the banding, "9x13" (bands x rows)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_document_bands_key", "tag", "band", "key"),)


class Entity(Base):
    """A country, region, company, program or institution, known by many names."""

    __tablename__ = "entities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    type: Mapped[str] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(Text)
    from_gazetteer: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    aliases: Mapped[list[EntityAlias]] = relationship(back_populates="entity", cascade="all, delete-orphan")


class EntityAlias(Base):
    """One name of an entity, normalised for lookup (casefolded, suffixes trimmed)."""

    __tablename__ = "entity_aliases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(Text)
    normalised: Mapped[str] = mapped_column(Text, unique=True)

    entity: Mapped[Entity] = relationship(back_populates="aliases")


class Claim(Base):
    """One claim of CLAIMS.md, with its evidence and the entities it was linked to."""

    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(Text)
    subject_type: Mapped[str] = mapped_column(String(16))
    object: Mapped[str | None] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(16))
    bound: Mapped[str] = mapped_column(String(8), default="eq")
    amount: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(8))
    value_usd: Mapped[float | None] = mapped_column(Float)
    year: Mapped[int | None] = mapped_column(Integer)
    year_end: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[str | None] = mapped_column(String(24))
    technology: Mapped[str | None] = mapped_column(String(24))
    metric: Mapped[str | None] = mapped_column(String(32))
    relation: Mapped[str | None] = mapped_column(String(16))
    aspect: Mapped[str | None] = mapped_column(String(24))
    rank: Mapped[int | None] = mapped_column(Integer)
    segment: Mapped[str | None] = mapped_column(String(48))
    program: Mapped[str | None] = mapped_column(Text)
    sentence: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float, default=0.5)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # optional contract extensions (scope, object_type, ...)
    extractor_version: Mapped[str] = mapped_column(String(32))
    subject_entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id", ondelete="SET NULL"))
    object_entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    document: Mapped[Document] = relationship(back_populates="claims")

    __table_args__ = (
        Index("ix_claims_document", "document_id"),
        Index("ix_claims_kind_subject", "kind", "subject"),
        Index("ix_claims_subject_entity", "subject_entity_id"),
        Index("ix_claims_object_entity", "object_entity_id"),  # migration 0002
    )


# --- stories, subscriptions and deliveries (migration 0003) ---


class Story(Base):
    """Documents that report the same event, grouped as they arrive."""

    __tablename__ = "stories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    headline: Mapped[str] = mapped_column(Text, default="")
    first_date: Mapped[date | None] = mapped_column(Date)
    last_date: Mapped[date | None] = mapped_column(Date)
    doc_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped whenever a document joins
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_stories_last_date", "last_date"),)


# Newest first, as the story listings page them (migration 0026, as 0018 for documents).
Index("ix_stories_last_date_id", Story.last_date.desc().nulls_last(), Story.id.desc())


class StoryDocument(Base):
    """A document's place in one story (a document belongs to at most one story)."""

    __tablename__ = "story_documents"
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    score: Mapped[float | None] = mapped_column(Float)  # similarity that made it join; null for a founder
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_story_documents_story", "story_id"),)


class StoryKey(Base):
    """What a story's member names and states (entities, figures, title words): the index that finds the
    stories a new document may belong to without comparing it with every story of a crowded week."""

    __tablename__ = "story_keys"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    day: Mapped[date | None] = mapped_column(Date)  # the member's date: keys are looked up by window

    __table_args__ = (Index("ix_story_keys_key_day", "key", "day"), Index("ix_story_keys_story", "story_id"))


class StoryTerms(Base):
    """A document's terms as story placement counts them (``stories.terms``), kept for the recent documents
    whose counts steady each batch's term weights, so that a batch does not read and count their texts again."""

    __tablename__ = "story_terms"
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(16))  # of the title and text counted (``stories.terms.terms_digest``)
    terms: Mapped[bytes] = mapped_column(LargeBinary)


class StoryPending(Base):
    """A document in no story yet. Kept by triggers (migration 0025) as documents are stored and placed, so
    that placement finds the new documents without comparing every document id with every placement."""

    __tablename__ = "story_pending"
    document_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no foreign key: see the migration


class StoryUnkeyed(Base):
    """A story none of whose members is in the story index (``StoryKey``): grouped before the index existed,
    or written without placement. Kept by triggers (migration 0025)."""

    __tablename__ = "story_unkeyed"
    story_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no foreign key: see the migration


class Subscription(Base):
    """An address that receives the digest of one topic."""

    __tablename__ = "subscriptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(String(64))  # topic slug
    token: Mapped[str] = mapped_column(String(64))  # for the unsubscribe link
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ux_subscriptions_email_topic", "email", "topic", unique=True),)


class Delivery(Base):
    """One attempt to deliver one digest to one address: sent, refused or failed."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(String(64))
    digest_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))  # sent | refused | failed
    error: Mapped[str | None] = mapped_column(Text)
    story_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_deliveries_recipient_key", "recipient", "digest_key"),)


# --- knowledge: entity merges (migration 0002) ---


class EntityMerge(Base):
    """A merge of one entity into another, kept so that re-seeding does not bring the dropped one back."""

    __tablename__ = "entity_merges"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kept_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id", ondelete="SET NULL"))
    kept_name: Mapped[str] = mapped_column(Text)
    dropped_name: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(16), default="person")  # person | fuzzy
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # what moved (the dropped entity's type, country, alias and claim ids), for `entities unmerge`
    undo: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_entity_merges_dropped", "dropped_name"),)


# --- reviews of claims (migration 0020) ---


class ClaimReview(Base):
    """A person's verdict on one claim: wrong, or corrected. Kept apart from the extracted claims, which
    re-extraction replaces: ``claim_id`` is the claim it applies to now (null: unmatched), the ``key_*``
    columns say which claim it was about in words that survive re-extraction (kb/reviews_repo.py)."""

    __tablename__ = "claim_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)  # the same review in another store (export/import)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="SET NULL"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    # the stable key: the document by its text's hash and address, the claim as extracted
    doc_sha256: Mapped[str] = mapped_column(String(64))
    doc_location: Mapped[str] = mapped_column(Text)
    doc_url: Mapped[str | None] = mapped_column(Text)
    key_kind: Mapped[str] = mapped_column(String(24))
    key_subject: Mapped[str] = mapped_column(Text)
    key_sentence: Mapped[str] = mapped_column(Text)
    key_start: Mapped[int] = mapped_column(Integer)
    key_value: Mapped[float | None] = mapped_column(Float)
    key_year: Mapped[int | None] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(12))  # wrong | corrected
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # field -> [old, new]
    # what SQL needs of a correction to group and filter claims (the same values as in ``changes``)
    new_kind: Mapped[str | None] = mapped_column(String(24))
    new_subject: Mapped[str | None] = mapped_column(Text)
    new_subject_entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # set: no longer applies
    undone_by: Mapped[str | None] = mapped_column(Text)
    supersedes: Mapped[int | None] = mapped_column(Integer)  # the earlier review of the claim it replaced

    __table_args__ = (
        Index("ix_claim_reviews_claim", "claim_id"),
        Index("ix_claim_reviews_document", "document_id"),
        Index("ix_claim_reviews_sha256", "doc_sha256"),
    )
# --- watches, webhooks and the alerts sent for them (migration 0023) ---


class Webhook(Base):
    """A URL that receives events as signed JSON, for the event types it asked for and its watches' alerts."""

    __tablename__ = "webhooks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    secret: Mapped[str] = mapped_column(String(128))  # the HMAC key: kept as given, it signs every body
    events: Mapped[list[str]] = mapped_column(JSON)  # event types it gets for everything; [] for its watches only
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Watch(Base):
    """An entity, keyword or saved search someone follows: its own digest and feed, and alerts by email or
    webhook."""

    __tablename__ = "watches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # entity | keyword | search
    value: Mapped[str] = mapped_column(Text)  # the entity's canonical name, the keyword or the query
    entity_type: Mapped[str | None] = mapped_column(String(16))  # company | country | region | program ...
    email: Mapped[str | None] = mapped_column(Text)
    webhook_id: Mapped[int | None] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64))  # for the unsubscribe link of its emails
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_watches_kind_value", "kind", "value"),)


class EventDelivery(Base):
    """One event for one address or webhook: queued, then sent, retried or given up. The unique key is what
    keeps an event from reaching anyone twice; the payload is kept so a retry sends the same bytes."""

    __tablename__ = "event_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))  # email | webhook
    target: Mapped[str] = mapped_column(Text)  # the address, or the webhook's id
    webhook_id: Mapped[int | None] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    watch_id: Mapped[int | None] = mapped_column(ForeignKey("watches.id", ondelete="SET NULL"))
    event: Mapped[str] = mapped_column(String(24))
    event_key: Mapped[str] = mapped_column(String(64))
    delivery_id: Mapped[str] = mapped_column(String(36), unique=True)  # X-Ssbrace-Delivery
    summary: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    response: Mapped[int | None] = mapped_column(Integer)  # HTTP status of the last attempt
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ux_event_deliveries_target_key", "channel", "target", "event_key", unique=True),
        Index("ix_event_deliveries_status", "status"),
    )


class AlertMark(Base):
    """How far alerts have looked: the last document and story examined (``name`` -> id)."""

    __tablename__ = "alert_marks"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
