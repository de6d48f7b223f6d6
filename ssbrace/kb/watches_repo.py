"""Queries behind watches, webhooks and the alerts sent for them, in domain terms (plain records out).

``event_deliveries`` is an outbox: an event is queued for each recipient in the same transaction that
moves the alert marks, then sent; its unique (channel, target, event key) keeps it from going twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from ssbrace.kb.queries import OBJECT_ENTITY, SUBJECT_ENTITY, SharedValues, claim_record, claim_select
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.store import changed_rows
from ssbrace.kb.tables import AlertMark, Claim, Document, EventDelivery, Story, Watch, Webhook, utcnow


@dataclass(frozen=True)
class WebhookRecord:
    id: int
    url: str
    secret: str
    events: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class WatchRecord:
    """One watch, with the URL of its webhook when it has one."""

    id: int
    kind: str  # entity | keyword | search
    value: str
    entity_type: str | None = None
    email: str | None = None
    webhook_id: int | None = None
    webhook_url: str | None = None
    token: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class EventDeliveryRecord:
    """One row of the delivery log."""

    id: int
    channel: str
    target: str
    webhook_id: int | None
    watch_id: int | None
    event: str
    event_key: str
    delivery_id: str
    summary: str
    payload: str
    status: str
    attempts: int
    response: int | None
    error: str | None
    created_at: datetime
    attempted_at: datetime | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class Queued:
    """An event to queue for one recipient (the outbox row before it is stored)."""

    channel: str
    target: str
    event: str
    event_key: str
    delivery_id: str
    summary: str
    payload: str
    webhook_id: int | None = None
    watch_id: int | None = None


# --- webhooks ---


def _webhook(row: Webhook) -> WebhookRecord:
    return WebhookRecord(row.id, row.url, row.secret, tuple(row.events or ()), row.created_at)


def add_webhook(session: Session, url: str, events: Sequence[str], secret: str | None = None
                ) -> tuple[WebhookRecord, bool]:
    """Register a URL (or widen the events of the one registered); returns it and whether it is new."""
    row = session.scalar(select(Webhook).where(Webhook.url == url))
    if row is not None:
        wanted = list(dict.fromkeys([*(row.events or []), *events]))
        if wanted != list(row.events or []):
            row.events = wanted
        if secret:
            row.secret = secret
        session.flush()
        return _webhook(row), False
    row = Webhook(url=url, secret=secret or secrets.token_hex(32), events=list(dict.fromkeys(events)))
    session.add(row)
    session.flush()
    return _webhook(row), True


def webhooks(session: Session) -> list[WebhookRecord]:
    return [_webhook(r) for r in session.scalars(select(Webhook).order_by(Webhook.id))]


def get_webhook(session: Session, webhook_id: int) -> WebhookRecord | None:
    row = session.get(Webhook, webhook_id)
    return None if row is None else _webhook(row)


def find_webhook(session: Session, ref: str) -> WebhookRecord | None:
    """A webhook by id or URL."""
    row = session.get(Webhook, int(ref)) if ref.isdigit() else None
    row = row or session.scalar(select(Webhook).where(Webhook.url == ref))
    return None if row is None else _webhook(row)


def remove_webhook(session: Session, webhook_id: int) -> bool:
    """Remove a webhook with its watches and its log (cascades); False when there was none."""
    session.execute(delete(EventDelivery).where(EventDelivery.webhook_id == webhook_id))
    session.execute(delete(Watch).where(Watch.webhook_id == webhook_id))
    return changed_rows(session.execute(delete(Webhook).where(Webhook.id == webhook_id))) > 0


# --- watches ---


def _watch(row: Watch, urls: dict[int, str]) -> WatchRecord:
    return WatchRecord(row.id, row.kind, row.value, row.entity_type, row.email, row.webhook_id,
                       urls.get(row.webhook_id) if row.webhook_id else None, row.token, row.created_at)


def _urls(session: Session) -> dict[int, str]:
    return {i: u for i, u in session.execute(select(Webhook.id, Webhook.url))}


def add_watch(session: Session, kind: str, value: str, *, entity_type: str | None = None, email: str | None = None,
              webhook_id: int | None = None) -> tuple[WatchRecord, bool]:
    """A watch, or the same one already stored (same thing followed, same address and webhook)."""
    query = select(Watch).where(Watch.kind == kind, Watch.value == value)
    query = query.where(Watch.email.is_(None) if email is None else Watch.email == email)
    query = query.where(Watch.webhook_id.is_(None) if webhook_id is None else Watch.webhook_id == webhook_id)
    row = session.scalar(query)
    created = row is None
    if row is None:
        row = Watch(kind=kind, value=value, entity_type=entity_type, email=email, webhook_id=webhook_id,
                    token=secrets.token_urlsafe(16))
        session.add(row)
        session.flush()
    return _watch(row, _urls(session)), created


def watches(session: Session) -> list[WatchRecord]:
    urls = _urls(session)
    return [_watch(r, urls) for r in session.scalars(select(Watch).order_by(Watch.id))]


def get_watch(session: Session, watch_id: int) -> WatchRecord | None:
    row = session.get(Watch, watch_id)
    return None if row is None else _watch(row, _urls(session))


def _drop_unsent(session: Session, watch_id: int) -> None:
    """A stopped watch's alerts not sent yet are not sent at all."""
    session.execute(delete(EventDelivery).where(EventDelivery.watch_id == watch_id, EventDelivery.status == "pending"))


def remove_watch(session: Session, watch_id: int) -> bool:
    _drop_unsent(session, watch_id)
    return changed_rows(session.execute(delete(Watch).where(Watch.id == watch_id))) > 0


def watch_by_token(session: Session, token: str) -> WatchRecord | None:
    """The watch an email's unsubscribe link names; None when the token is unknown."""
    row = session.scalar(select(Watch).where(Watch.token == token)) if token else None
    return None if row is None else _watch(row, _urls(session))


def watches_of_address(session: Session, email: str) -> list[WatchRecord]:
    """Every watch whose alerts go to this address, oldest first."""
    urls = _urls(session)
    return [_watch(r, urls) for r in session.scalars(select(Watch).where(Watch.email == email).order_by(Watch.id))]


def stop_watch_email(session: Session, watch_id: int) -> bool:
    """Stop a watch's emails (its alerts not sent yet go too). A watch that also alerts through a webhook stays,
    without its address, unless the same watch without one exists already; any other is removed. Returns
    whether the watch stays."""
    row = session.get(Watch, watch_id)
    if row is None:
        return False
    session.execute(delete(EventDelivery).where(EventDelivery.watch_id == watch_id, EventDelivery.channel == "email",
                                                EventDelivery.status == "pending"))
    twin = None if row.webhook_id is None else session.scalar(select(Watch.id).where(
        Watch.id != row.id, Watch.kind == row.kind, Watch.value == row.value, Watch.email.is_(None),
        Watch.webhook_id == row.webhook_id))
    if row.webhook_id is not None and twin is None:
        row.email = None
        session.flush()
        return True
    _drop_unsent(session, row.id)
    session.delete(row)
    session.flush()
    return False


def has_followers(session: Session) -> bool:
    """Whether anything would receive an alert (a watch with an address or webhook, or a webhook)."""
    return (session.scalar(select(Webhook.id).limit(1)) is not None
            or session.scalar(select(Watch.id).where(Watch.email.is_not(None)).limit(1)) is not None)


# --- how far the alerts have looked ---


def marks(session: Session) -> dict[str, int]:
    return {name: value for name, value in session.execute(select(AlertMark.name, AlertMark.value))}


def newest_ids(session: Session) -> dict[str, int]:
    """The highest document and story ids stored now."""
    return {"documents": session.scalar(select(func.max(Document.id))) or 0,
            "stories": session.scalar(select(func.max(Story.id))) or 0}


def set_marks(session: Session, values: dict[str, int]) -> None:
    for name, value in values.items():
        row = session.get(AlertMark, name)
        if row is None:
            session.add(AlertMark(name=name, value=value))
        else:
            row.value = value
    session.flush()


def start_marks(session: Session) -> None:
    """Set the marks at what is stored now, when none is set: alerts begin with the next batch, not with the
    store's history."""
    if not marks(session):
        set_marks(session, newest_ids(session))


def new_document_ids(session: Session, after: int) -> list[int]:
    return list(session.scalars(select(Document.id).where(Document.id > after).order_by(Document.id)))


def new_story_ids(session: Session, after: int) -> list[int]:
    return list(session.scalars(select(Story.id).where(Story.id > after).order_by(Story.id)))


def claims_of_documents(session: Session, ids: Iterable[int], chunk: int = 500) -> list[ClaimRecord]:
    """The claims of these documents with their entities' names, in id order."""
    wanted = sorted(set(ids))
    out: list[ClaimRecord] = []
    shared = SharedValues()
    for start in range(0, len(wanted), chunk):
        stmt = claim_select().where(Claim.document_id.in_(wanted[start:start + chunk])).order_by(Claim.id)
        out += [claim_record(row, shared) for row in session.execute(stmt)]
    return out


def claims_about(session: Session, names: Iterable[str], chunk: int = 200) -> list[ClaimRecord]:
    """Every claim whose subject or object is one of these names (canonical or as written), in id order: what
    the facts, ledgers and conflicts of those entities rest on."""
    wanted = sorted(set(names))
    found: dict[int, ClaimRecord] = {}
    shared = SharedValues()
    for start in range(0, len(wanted), chunk):
        part = wanted[start:start + chunk]
        stmt = claim_select().where(or_(SUBJECT_ENTITY.name.in_(part), Claim.subject.in_(part),
                                        OBJECT_ENTITY.name.in_(part), Claim.object.in_(part)))
        for row in session.execute(stmt):
            if row.id not in found:
                found[row.id] = claim_record(row, shared)
    return [found[i] for i in sorted(found)]


# --- the outbox and delivery log ---


def _delivery(row: EventDelivery) -> EventDeliveryRecord:
    return EventDeliveryRecord(row.id, row.channel, row.target, row.webhook_id, row.watch_id, row.event, row.event_key,
                               row.delivery_id, row.summary, row.payload, row.status, row.attempts, row.response,
                               row.error, row.created_at, row.attempted_at, row.delivered_at)


def queue(session: Session, items: Iterable[Queued]) -> int:
    """Queue events for their recipients, skipping any (channel, target, event) queued before; returns how
    many were queued."""
    added = 0
    for item in items:
        known = session.scalar(select(EventDelivery.id).where(
            EventDelivery.channel == item.channel, EventDelivery.target == item.target,
            EventDelivery.event_key == item.event_key))
        if known is not None:
            continue
        session.add(EventDelivery(channel=item.channel, target=item.target, webhook_id=item.webhook_id,
                                  watch_id=item.watch_id, event=item.event, event_key=item.event_key,
                                  delivery_id=item.delivery_id, summary=item.summary, payload=item.payload,
                                  status="pending", attempts=0))
        session.flush()  # the next item may be the same event for the same recipient
        added += 1
    return added


def pending(session: Session, channel: str) -> list[EventDeliveryRecord]:
    """What is queued and not sent yet on a channel, oldest first."""
    query = select(EventDelivery).where(EventDelivery.channel == channel, EventDelivery.status == "pending")
    return [_delivery(r) for r in session.scalars(query.order_by(EventDelivery.id))]


def record_attempt(session: Session, delivery_id: str, status: str, *, attempts: int, response: int | None = None,
                   error: str | None = None) -> None:
    """What one delivery run did with a queued event: sent, still pending (retried next run) or failed."""
    row = session.scalar(select(EventDelivery).where(EventDelivery.delivery_id == delivery_id))
    if row is None:
        return
    now = utcnow()
    row.status, row.attempts, row.response, row.error, row.attempted_at = status, attempts, response, error, now
    if status == "sent":
        row.delivered_at = now
    session.flush()


def delivery_log(session: Session, *, channel: str | None = None, webhook_id: int | None = None,
                 limit: int | None = None) -> list[EventDeliveryRecord]:
    """The log, newest first."""
    query = select(EventDelivery).order_by(EventDelivery.id.desc())
    if channel is not None:
        query = query.where(EventDelivery.channel == channel)
    if webhook_id is not None:
        query = query.where(EventDelivery.webhook_id == webhook_id)
    if limit is not None:
        query = query.limit(limit)
    return [_delivery(r) for r in session.scalars(query)]
