"""Following the race: watches, webhooks and their alerts, with storage at the edges.

After each ingest or update batch (``pipeline.after_batch_stored``) the alerts look at what the batch
brought: the claims of the documents stored since the last look, the facts, targets and conflicts of the
entities they name (compared with the same analysis without them), and the stories founded. Each event is
queued for every watch and webhook it concerns in the transaction that moves the marks, then sent: webhooks
one POST per event (``delivery.webhooks``), email one message per address (``delivery.email``). What could
not be sent stays queued and goes with the next run; what was sent never goes again.

After a batch each queued event gets one try, with a short timeout, so that a receiver that is down costs the
batch one refused connection (or one ``webhook_timeout``), not a round of retries with backoff: those are for
``ssbrace webhooks deliver``, which somebody runs to send what waits.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from ssbrace.errors import DeliveryError, FetchError, InputError, UsageError
from ssbrace.kb import stories_repo
from ssbrace.kb import watches_repo as repo
from ssbrace.kb.store import Store
from ssbrace.kb.watches_repo import EventDeliveryRecord, Queued, WatchRecord, WebhookRecord
from ssbrace.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ssbrace.analysis.config import AnalysisConfig
    from ssbrace.delivery.digest import DeliveryReport, Digest
    from ssbrace.delivery.events import Analysis, Event
    from ssbrace.delivery.webhooks import RetryPolicy
    from ssbrace.kb.records import ClaimRecord
    from ssbrace.kb.stories_repo import StoryRecord
    from ssbrace.stories.features import EntityIndex

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


def _email(address: str) -> str:
    address = address.strip()
    if not _EMAIL.match(address):
        raise UsageError(f"not an email address: {address!r}")
    return address.lower()


def _guarded_url(url: str, settings: Settings) -> str:
    from ssbrace.delivery.webhooks import check_webhook_url

    url = url.strip()
    try:
        check_webhook_url(url, settings.webhook_allow_private)
    except FetchError as exc:
        message = str(exc).replace("(use --allow-private)", "(set webhook_allow_private to allow it)")
        raise UsageError(f"webhook {url}: {message}") from None
    return url


def _event_types(events: Sequence[str]) -> list[str]:
    from ssbrace.delivery.events import EVENT_TYPES

    chosen = [e.strip() for part in events for e in part.split(",") if e.strip()]
    unknown = [e for e in chosen if e not in EVENT_TYPES]
    if unknown:
        raise UsageError(f"unknown event type(s) {', '.join(unknown)} (known: {', '.join(EVENT_TYPES)})")
    return list(dict.fromkeys(chosen))


# --- watches ---


@dataclass(frozen=True)
class WatchAdded:
    watch: WatchRecord
    created: bool
    note: str | None = None  # how the target was read ("no entity named 'x': following the keyword")


def add_watch(store: Store, settings: Settings, target: str, *, kind: str = "auto", email: str | None = None,
              webhook: str | None = None) -> WatchAdded:
    """Follow an entity (by any of its names), a keyword or a saved search.

    Args:
        target: an entity's name or alias, a keyword, or a search's words.
        kind: ``auto`` (an entity when the name is known, else a keyword), ``entity``, ``keyword`` or ``search``.
        email: where its alerts go by email.
        webhook: a URL its alerts are POSTed to (registered if new, with no events of its own).

    Raises:
        UsageError: an empty target, an unknown kind, a bad address, or a webhook the guard refuses.
        InputError: ``kind="entity"`` and no entity has this name.
    """
    from ssbrace.delivery.watches import WATCH_KINDS
    from ssbrace.entities.resolve import find_entity, seed_gazetteer
    from ssbrace.kb.entities_repo import has_gazetteer_entities

    text = " ".join(target.split())
    if not text:
        raise UsageError("nothing to watch: give an entity, a keyword or search words")
    if kind not in {"auto", *WATCH_KINDS}:
        raise UsageError(f"unknown watch kind {kind!r} (auto, {', '.join(WATCH_KINDS)})")
    address = _email(email) if email else None
    url = _guarded_url(webhook, settings) if webhook else None
    note = None
    with store.session() as session:
        entity_type = None
        value, chosen = text, kind
        if kind in {"auto", "entity"}:
            if not has_gazetteer_entities(session):
                from ssbrace.domains.loader import load_domain

                seed_gazetteer(session, load_domain(settings.domain))
            try:
                entity = find_entity(session, text)
                value, entity_type, chosen = entity.name, entity.type, "entity"
            except InputError:
                if kind == "entity":
                    raise
                chosen = "keyword"
                note = f"no entity named {text!r}: following it as a keyword"
        hook_id = repo.add_webhook(session, url, [])[0].id if url else None
        watch, created = repo.add_watch(session, chosen, value, entity_type=entity_type, email=address,
                                        webhook_id=hook_id)
        repo.start_marks(session)
    return WatchAdded(watch, created, note)


def list_watches(store: Store) -> list[WatchRecord]:
    with store.session() as session:
        return repo.watches(session)


def get_watch(store: Store, watch_id: int) -> WatchRecord:
    """Raises InputError when there is no such watch."""
    with store.session() as session:
        watch = repo.get_watch(session, watch_id)
    if watch is None:
        raise InputError(f"no watch with id {watch_id} (see `ssbrace watch list`)")
    return watch


def remove_watch(store: Store, watch_id: int) -> WatchRecord:
    """Stop a watch: no more alerts, digest or feed. Raises InputError when there is none."""
    with store.session() as session:
        watch = repo.get_watch(session, watch_id)
        if watch is None:
            raise InputError(f"no watch with id {watch_id} (see `ssbrace watch list`)")
        repo.remove_watch(session, watch_id)
    return watch


@dataclass(frozen=True)
class EmailsStopped:
    """What an unsubscribe link did: for each watch whose emails stopped, whether it stays (it also alerts
    through a webhook, which goes on) or was removed."""

    email: str
    watches: list[tuple[WatchRecord, bool]]  # (the watch, stays)


def unsubscribe_choices(store: Store, token: str) -> tuple[WatchRecord, list[WatchRecord]] | None:
    """What an alert email's link offers: the watch it names, and every watch emailing the same address
    (that one included); None for an unknown token."""
    with store.session() as session:
        watch = repo.watch_by_token(session, token)
        if watch is None or not watch.email:
            return None
        return watch, repo.watches_of_address(session, watch.email)


def stop_emails(store: Store, token: str, *, every: bool = False) -> EmailsStopped | None:
    """What an alert email's unsubscribe link does: the emails of the watch it names stop, or with ``every``
    those of every watch sending to the same address. A watch that also alerts through a webhook keeps it;
    any other watch is removed. None for an unknown token."""
    with store.session() as session:
        watch = repo.watch_by_token(session, token)
        if watch is None or not watch.email:
            return None
        chosen = repo.watches_of_address(session, watch.email) if every else [watch]
        return EmailsStopped(watch.email, [(w, repo.stop_watch_email(session, w.id)) for w in chosen])


# --- webhooks ---


def add_webhook(store: Store, settings: Settings, url: str, events: Sequence[str], *,
                secret: str | None = None) -> tuple[WebhookRecord, bool]:
    """Register a URL for event types (``delivery.events.EVENT_TYPES``); returns it (with its secret) and
    whether it is new. Registering it again adds the events given.

    Raises:
        UsageError: no or unknown event types, or a URL the address guard refuses (private addresses unless
            ``webhook_allow_private``).
    """
    chosen = _event_types(events)
    if not chosen:
        raise UsageError("give the events the webhook wants (--event new_claim,new_conflict,target_slip,new_story)")
    address = _guarded_url(url, settings)
    if secret is not None and len(secret) < 16:
        raise UsageError("a webhook secret needs at least 16 characters")
    with store.session() as session:
        found = repo.add_webhook(session, address, chosen, secret)
        repo.start_marks(session)
    return found


def list_webhooks(store: Store) -> list[WebhookRecord]:
    with store.session() as session:
        return repo.webhooks(session)


def remove_webhook(store: Store, ref: str) -> WebhookRecord:
    """Remove a webhook (by id or URL) with its watches and log. Raises InputError when there is none."""
    with store.session() as session:
        hook = repo.find_webhook(session, ref.strip())
        if hook is None:
            raise InputError(f"no webhook {ref!r} (see `ssbrace webhooks list`)")
        repo.remove_webhook(session, hook.id)
    return hook


def delivery_log(store: Store, *, channel: str | None = "webhook", webhook: str | None = None,
                 limit: int | None = 50) -> list[EventDeliveryRecord]:
    """The delivery log, newest first: one row per event and recipient, with its status and tries."""
    with store.session() as session:
        hook_id = None
        if webhook is not None:
            found = repo.find_webhook(session, webhook)
            if found is None:
                raise InputError(f"no webhook {webhook!r} (see `ssbrace webhooks list`)")
            hook_id = found.id
        return repo.delivery_log(session, channel=channel, webhook_id=hook_id, limit=limit)


# --- a watch's stories, digest and feed ---


def _index(settings: Settings) -> EntityIndex:
    from ssbrace.stories.features import entity_index

    return entity_index(settings.domain)


def watch_stories(session: Session, watch: WatchRecord, index: EntityIndex, *, since: date | None = None,
                  limit: int | None = None) -> list[StoryRecord]:
    """The stories a watch follows, active on or after ``since``, latest first."""
    from ssbrace.delivery.watches import watch_matches
    from ssbrace.pipeline import story_contents
    from ssbrace.stories.topics import story_signals

    found = []
    # Read a chunk at a time: a page of ``limit`` stops reading once full.
    for content in story_contents(session, stories_repo.iter_stories(session, since=since)):
        if watch_matches(watch, story_signals(content, index)):
            found.append(content.story)
            if limit and len(found) >= limit:
                break
    return found


def watch_digest(session: Session, watch: WatchRecord, settings: Settings, since: datetime, *,
                 now: datetime | None = None, index: EntityIndex | None = None) -> Digest:
    """The digest of a watch (``delivery.digest``): its stories since ``since`` with their briefs, and the
    figures, targets and conflicts of what it follows that changed."""
    from datetime import UTC

    from ssbrace.analysis.changes import Changes, changes_since
    from ssbrace.analysis.config import config_from_pack
    from ssbrace.delivery.digest import Digest, change_sections
    from ssbrace.delivery.watches import watch_matches, watch_topic
    from ssbrace.domains.loader import load_domain
    from ssbrace.kb.queries import claim_records
    from ssbrace.pipeline import build_brief
    from ssbrace.stories.topics import claim_signals

    index = index if index is not None else _index(settings)
    stories = watch_stories(session, watch, index, since=since.date())
    found = changes_since(claim_records(session), since.date(), config_from_pack(load_domain(settings.domain)))

    def keep(claims: Sequence[ClaimRecord]) -> bool:
        return watch_matches(watch, claim_signals(claims, index))

    mine = Changes(found.since, [n for n in found.new_facts if keep(n.fact.claims)],
                   [m for m in found.moved_targets if keep([m.entry.claim])],
                   [c for c in found.new_conflicts if keep(c.claims)])
    changes, note = change_sections(mine)
    return Digest(topic=watch_topic(watch), since=since, until=now or datetime.now(UTC),
                  briefs=[build_brief(session, s.id) for s in stories], changes=changes, changes_note=note,
                  base_url=settings.base_url)


def watch_feed(session: Session, watch: WatchRecord, settings: Settings, *, since: date | None = None) -> bytes:
    """The Atom feed of a watch's latest stories (``delivery.atom``), at ``/feeds/watches/<id>.atom``."""
    from ssbrace.delivery.atom import MAX_ENTRIES, compose_feed
    from ssbrace.delivery.watches import watch_topic
    from ssbrace.pipeline import build_brief

    stories = watch_stories(session, watch, _index(settings), since=since, limit=MAX_ENTRIES)
    return compose_feed(watch_topic(watch), [(s, build_brief(session, s.id)) for s in stories],
                        base_url=settings.base_url)


def unsubscribe_url(settings: Settings, watch: WatchRecord, *, every: bool = False) -> str:
    """The link that stops this watch's emails; ``every``: those of every watch sending to its address."""
    return f"{settings.base_url.rstrip('/')}/watches/unsubscribe?token={watch.token}" + ("&scope=all" if every else "")


def send_watch_digest(store: Store, settings: Settings, watch_id: int, since: datetime, *,
                      now: datetime | None = None) -> DeliveryReport:
    """Email a watch's digest to its address, once per digest (recorded as the topic digests are).

    Raises:
        InputError: no such watch.
        UsageError: the watch has no address.
        DeliveryError: the SMTP server cannot be reached.
    """
    from ssbrace.delivery.digest import DeliveryReport, render
    from ssbrace.delivery.email import compose, send_all

    watch = get_watch(store, watch_id)
    if not watch.email:
        raise UsageError(f"watch {watch_id} has no address (add one: `ssbrace watch add {watch.value!r} --email ...`)")
    topic_key = f"watch-{watch.id}"
    with store.session() as session:
        digest = watch_digest(session, watch, settings, since, now=now)
        report = DeliveryReport(digest_key=digest.key, story_count=len(digest.briefs))
        if not digest.briefs:
            report.nothing_to_send = True
            return report
        if stories_repo.was_sent(session, watch.email, digest.key):
            report.skipped.append(watch.email)
            return report
    link = unsubscribe_url(settings, watch)
    message = compose(settings, watch.email, digest.subject, render(digest, "text", unsubscribe=link),
                      render(digest, "html", unsubscribe=link), unsubscribe_link=link, topic_slug=topic_key)
    try:
        results = list(send_all(settings, [message]))
    except DeliveryError as exc:
        results = []
        error: str | None = str(exc)
    else:
        error = None
    with store.session() as session:
        for result in results:
            stories_repo.record_delivery(session, result.recipient, topic_key, digest.key, result.status,
                                         result.error, len(digest.briefs))
            if result.status == "sent":
                report.sent.append(result.recipient)
            elif result.status == "refused":
                report.refused.append((result.recipient, result.error or ""))
            else:
                report.failed.append((result.recipient, result.error or ""))
        if error is not None:
            stories_repo.record_delivery(session, watch.email, topic_key, digest.key, "failed", error,
                                         len(digest.briefs))
    if error is not None:
        raise DeliveryError(error)
    return report


# --- alerts: found after each batch, queued, then sent ---


@dataclass
class AlertReport:
    """What one alert run did."""

    events: int = 0  # found in the batch
    queued: int = 0  # deliveries queued (an event for a recipient)
    sent: list[str] = field(default_factory=list)  # "<channel> <target>: <summary>"
    pending: list[str] = field(default_factory=list)  # to be tried again next run
    failed: list[str] = field(default_factory=list)  # given up


def _analysis(records: Sequence[ClaimRecord], config: AnalysisConfig) -> Analysis:
    from ssbrace.analysis.conflicts import find_conflicts
    from ssbrace.analysis.facts import build_facts
    from ssbrace.analysis.roadmaps import build_ledgers, moves
    from ssbrace.delivery.events import Analysis

    facts = build_facts(records, config)
    return Analysis(facts, moves(build_ledgers(records, stages=config.stages)),
                    find_conflicts(records, config, facts))


def batch_events(session: Session, settings: Settings, documents: Sequence[int],
                 stories: Sequence[int]) -> list[Event]:
    """The events of a batch: its documents' claims, the figures, slips and conflicts they brought to the
    entities they name, and its new stories."""
    from ssbrace.analysis.config import config_from_pack
    from ssbrace.delivery.events import Analysis, batch_events
    from ssbrace.domains.loader import load_domain
    from ssbrace.pipeline import story_contents

    index = _index(settings)
    fresh = repo.claims_of_documents(session, documents)
    names = {n for c in fresh for n in (c.subject, c.object) if n}
    records = repo.claims_about(session, names)
    batch = set(documents)
    before, after = Analysis(), Analysis()
    if fresh:
        config = config_from_pack(load_domain(settings.domain))
        before = _analysis([r for r in records if r.document_id not in batch], config)
        after = _analysis(records, config)
    contents = list(story_contents(session, stories_repo.get_stories(session, stories)))
    return batch_events(before, after, fresh, contents, index, settings.base_url)


def _queued(event: Event, channel: str, target: str, *, webhook_id: int | None, watch: WatchRecord | None,
            created: datetime) -> Queued:
    from ssbrace.delivery.events import payload
    from ssbrace.delivery.watches import watch_json

    delivery_id = str(uuid.uuid4())
    body = payload(event, delivery_id=delivery_id, created=created, watch=watch_json(watch) if watch else None)
    return Queued(channel, target, event.type, event.key, delivery_id, event.summary, body.decode("utf-8"),
                  webhook_id=webhook_id, watch_id=watch.id if watch else None)


def queue_alerts(store: Store, settings: Settings) -> tuple[int, int]:
    """Find the events since the marks and queue them for every watch and webhook they concern, moving the
    marks in the same transaction; returns (events, deliveries queued)."""
    from ssbrace.delivery.watches import alerts_for
    from ssbrace.kb.tables import utcnow

    with store.session() as session:
        marks = repo.marks(session)
        if not repo.has_followers(session):
            if marks:  # nobody follows: what arrives now is history to whoever follows later
                repo.set_marks(session, repo.newest_ids(session))
            return 0, 0
        if not marks:
            repo.start_marks(session)
            return 0, 0
        newest = repo.newest_ids(session)
        documents = repo.new_document_ids(session, marks.get("documents", 0))
        stories = repo.new_story_ids(session, marks.get("stories", 0))
        if not documents and not stories:
            repo.set_marks(session, newest)
            return 0, 0
        events = batch_events(session, settings, documents, stories)
        now = utcnow()
        items: list[Queued] = []
        # a watch's alerts first: when the same event also reaches its webhook as a registered type, the
        # payload names the watch
        for watch in repo.watches(session):
            for event in alerts_for(watch, events):
                if watch.email:
                    items.append(_queued(event, "email", watch.email, webhook_id=None, watch=watch, created=now))
                if watch.webhook_id:
                    items.append(_queued(event, "webhook", str(watch.webhook_id), webhook_id=watch.webhook_id,
                                         watch=watch, created=now))
        for hook in repo.webhooks(session):
            items += [_queued(e, "webhook", str(hook.id), webhook_id=hook.id, watch=None, created=now)
                      for e in events if e.type in hook.events]
        queued = repo.queue(session, items)
        repo.set_marks(session, newest)
    return len(events), queued


def _record(store: Store, row: EventDeliveryRecord, status: str, attempts: int, report: AlertReport, *,
            response: int | None = None, error: str | None = None) -> None:
    with store.session() as session:
        repo.record_attempt(session, row.delivery_id, status, attempts=attempts, response=response, error=error)
    line = f"{row.channel} {row.target}: {row.summary}" + (f" ({error})" if error else "")
    {"sent": report.sent, "pending": report.pending}.get(status, report.failed).append(line)


def _policy(settings: Settings, retry: bool) -> RetryPolicy:
    from ssbrace.delivery.webhooks import RetryPolicy

    return RetryPolicy(attempts=max(settings.webhook_attempts, 1) if retry else 1, backoff=settings.webhook_backoff,
                       max_backoff=settings.webhook_max_backoff, max_attempts=max(settings.webhook_max_attempts, 1))


def deliver_webhooks(store: Store, settings: Settings, report: AlertReport, *, retry: bool = True,
                     sleep: Callable[[float], None] = time.sleep) -> None:
    """POST every queued webhook event; a webhook that does not answer this run keeps the rest of its queue
    for the next run (its first event already had its tries).

    Args:
        retry: up to ``webhook_attempts`` tries per event with backoff; False: one try each (after a batch).
    """
    from ssbrace.delivery.webhooks import deliver, headers_for, webhook_client
    from ssbrace.sources.guard import AddressGuard
    from ssbrace.sources.web import FetchOptions

    with store.session() as session:
        rows = repo.pending(session, "webhook")
        hooks = {h.id: h for h in repo.webhooks(session)}
    if not rows:
        return
    guard = AddressGuard(allow_private=settings.webhook_allow_private)
    # A receiver has webhook_timeout to connect and to answer: it is sent a small body and owes a status.
    timeout = max(settings.webhook_timeout, 0.1)
    options = FetchOptions(guard=guard, connect_timeout=timeout, read_timeout=timeout, user_agent=settings.user_agent)
    policy = _policy(settings, retry)
    resting: set[int] = set()
    with webhook_client(options) as client:
        for row in rows:
            hook = hooks.get(row.webhook_id or 0)
            if hook is None or hook.id in resting:
                if hook is not None:
                    report.pending.append(f"webhook {row.target}: {row.summary} (waits for the next run)")
                continue
            body = row.payload.encode("utf-8")
            outcome = deliver(client, guard, hook.url, body,
                              headers_for(body, hook.secret, row.event, row.delivery_id, settings.user_agent),
                              policy=policy, tried_before=row.attempts, sleep=sleep)
            _record(store, row, outcome.status, outcome.attempts, report, response=outcome.response,
                    error=outcome.error)
            if outcome.status == "pending":
                resting.add(hook.id)


def deliver_emails(store: Store, settings: Settings, report: AlertReport) -> None:
    """Send each address one message with every alert queued for it."""
    from ssbrace.delivery.email import compose, send_all
    from ssbrace.delivery.watches import alert_mail, label

    with store.session() as session:
        rows = repo.pending(session, "email")
        watches = {w.id: w for w in repo.watches(session)}
    if not rows:
        return
    by_address: dict[str, list[EventDeliveryRecord]] = {}
    for row in rows:
        by_address.setdefault(row.target, []).append(row)
    outgoing = []
    for address, mine in by_address.items():
        # one link per watch this message alerts for, and one for every watch sending to the address (also the
        # List-Unsubscribe header: the alert emails to an address are one list)
        senders = list({r.watch_id: watches[r.watch_id] for r in mine if r.watch_id in watches}.values())
        mailing = [w for w in watches.values() if w.email == address]
        stops = [(label(w), unsubscribe_url(settings, w)) for w in senders]
        every = unsubscribe_url(settings, senders[0], every=True) if senders else f"{settings.base_url.rstrip('/')}/watches"
        items = [(r.event, r.summary, str((json.loads(r.payload).get("watch") or {}).get("label", ""))) for r in mine]
        mail = alert_mail(items, stops=stops, stop_all=every, address=address, watch_count=len(mailing),
                          base_url=settings.base_url)
        outgoing.append(compose(settings, address, mail.subject, mail.text, mail.html, unsubscribe_link=every,
                                topic_slug="watches"))
    limit = max(settings.webhook_max_attempts, 1)
    done: set[str] = set()
    try:
        for result in send_all(settings, outgoing):
            done.add(result.recipient)
            for row in by_address.get(result.recipient, []):
                tried = row.attempts + 1
                status = ("sent" if result.status == "sent" else "failed"
                          if result.status == "refused" or tried >= limit else "pending")
                _record(store, row, status, tried, report, error=result.error)
    except DeliveryError as exc:  # the server is out of reach: everything not sent waits for the next run
        for address, mine in by_address.items():
            if address not in done:
                for row in mine:
                    tried = row.attempts + 1
                    _record(store, row, "failed" if tried >= limit else "pending", tried, report, error=str(exc))


def deliver_alerts(store: Store, settings: Settings, *, retry: bool = True,
                   sleep: Callable[[float], None] = time.sleep) -> AlertReport:
    """Send what is queued (webhooks, then email) and return what happened; nothing sent is sent again.

    Args:
        retry: webhooks get up to ``webhook_attempts`` tries with backoff (``ssbrace webhooks deliver``);
            False gives each one try, as after a batch.
    """
    report = AlertReport()
    deliver_webhooks(store, settings, report, retry=retry, sleep=sleep)
    deliver_emails(store, settings, report)
    return report


def run_alerts(store: Store, settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> AlertReport:
    """Queue the events since the last run, then give everything queued one try (the after-batch hook): what
    is not delivered waits for the next batch or ``ssbrace webhooks deliver``, and never holds up the batch
    with retries."""
    events, queued = queue_alerts(store, settings)
    report = deliver_alerts(store, settings, retry=False, sleep=sleep)
    report.events, report.queued = events, queued
    if report.sent or report.failed or report.pending:
        log.info("alerts: %d event(s), %d queued, %d sent, %d to retry, %d given up", events, queued,
                 len(report.sent), len(report.pending), len(report.failed))
    if report.pending or report.failed:
        log.warning("alerts: %d not delivered yet, %d given up (`ssbrace webhooks log --with-email` says why; "
                    "`ssbrace webhooks deliver` tries again)", len(report.pending), len(report.failed))
    return report
