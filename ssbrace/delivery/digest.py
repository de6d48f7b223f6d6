"""The digest of a topic: the period's stories with their briefs, and what changed, as email.

Rendering uses Jinja2 (HTML autoescaped, so hostile titles and sentences arrive as text). Delivery
records every attempt; a digest is keyed by its topic and the versions of its briefs, and an address
that already received a key is skipped, so the same digest never reaches anyone twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ssbrace.domains.schema import Topic
from ssbrace.errors import DeliveryError
from ssbrace.kb import stories_repo as repo
from ssbrace.stories.brief import Brief, build_brief
from ssbrace.stories.features import EntityIndex, entity_index
from ssbrace.stories.topics import stories_for_topic

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ssbrace.kb.store import Store
    from ssbrace.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"
NO_CHANGES = "no changes recorded"


@dataclass
class Digest:
    topic: Topic
    since: datetime
    until: datetime
    briefs: list[Brief]
    changes: dict[str, list[str]] = field(default_factory=dict)  # section title -> one-line summaries
    changes_note: str | None = None  # why there are no changes to show
    base_url: str = ""

    @property
    def key(self) -> str:
        """Identifies what a reader would get: the topic and every story at its brief's version."""
        parts = [self.topic.slug] + sorted(f"{b.story_id}:{b.version}" for b in self.briefs)
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()

    @property
    def subject(self) -> str:
        n = len(self.briefs)
        return f"{self.topic.name}: {n} stor{'y' if n == 1 else 'ies'} since {self.since:%Y-%m-%d}"

    def story_url(self, story_id: int) -> str:
        return f"{self.base_url.rstrip('/')}/stories/{story_id}"


def _summaries(items: Any) -> list[str]:
    lines = []
    for item in items or ():
        summary = getattr(item, "summary", None)
        summary = summary() if callable(summary) else summary
        if summary:
            lines.append(" ".join(str(summary).split()))
    return lines


def collect_changes(session: Session, since: datetime) -> tuple[dict[str, list[str]], str | None]:
    """The scoreboard and target-ledger changes since a moment, or a note saying there are none."""
    try:
        from ssbrace.analysis.changes import changes_since
    except ImportError:
        return {}, NO_CHANGES
    from ssbrace.analysis.config import config_from_pack
    from ssbrace.domains.loader import load_domain
    from ssbrace.kb.queries import claim_records

    changes = changes_since(claim_records(session), since.date(), config_from_pack(load_domain()))
    sections = {
        "New facts": _summaries(getattr(changes, "new_facts", ())),
        "Moved targets": _summaries(getattr(changes, "moved_targets", ())),
        "New conflicts": _summaries(getattr(changes, "new_conflicts", ())),
    }
    sections = {k: v for k, v in sections.items() if v}
    return sections, (None if sections else NO_CHANGES)


def build_digest(
    session: Session,
    topic: Topic,
    since: datetime,
    *,
    now: datetime | None = None,
    index: EntityIndex | None = None,
    domain: str = "solid_state_batteries",
    base_url: str = "",
    with_changes: bool = True,
) -> Digest:
    """The digest of a topic's stories active since ``since``.

    Args:
        session: an open store session.
        topic: the topic (see ``ssbrace.stories.topics.find_topic``).
        since: start of the period (stories with a document dated that day or later).
        now: end of the period, for the heading.
        index: entity index for topic rules (default: the domain pack's).
        domain: domain pack name, when no index is given.
        base_url: public URL of the web app, for story links.
        with_changes: include the scoreboard and target-ledger changes.
    """
    index = index if index is not None else entity_index(domain)
    stories = stories_for_topic(session, topic, index, since=since.date())
    briefs = [build_brief(session, s.id) for s in stories]
    changes, note = collect_changes(session, since) if with_changes else ({}, NO_CHANGES)
    return Digest(
        topic=topic,
        since=since,
        until=now or datetime.now(UTC),
        briefs=briefs,
        changes=changes,
        changes_note=note,
        base_url=base_url,
    )


@cache
def environment() -> Environment:
    """Templates of ``ssbrace/delivery/templates``: ``*.html.j2`` and ``*.xml.j2`` autoescaped."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "xml.j2"), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(digest: Digest, fmt: str = "html", unsubscribe: str | None = None) -> str:
    """The digest as an HTML page or plain text; ``unsubscribe`` is the line's link or instruction."""
    if fmt not in {"html", "text"}:
        raise DeliveryError(f"unknown digest format {fmt!r} (html or text)")
    name = "digest.html.j2" if fmt == "html" else "digest.txt.j2"
    return environment().get_template(name).render(digest=digest, unsubscribe=unsubscribe)


# --- delivery to subscribers ---


@dataclass
class DeliveryReport:
    digest_key: str
    story_count: int
    sent: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already received this digest
    nothing_to_send: bool = False


def unsubscribe_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/unsubscribe?token={token}"


def deliver_digest(
    store: Store,
    settings: Settings,
    topic: Topic,
    since: datetime,
    *,
    now: datetime | None = None,
    index: EntityIndex | None = None,
) -> DeliveryReport:
    """Send a topic's digest to each subscriber who has not received it yet, recording each attempt.

    Each delivery is recorded in its own transaction as soon as the server answers, so an
    interrupted run never forgets what it sent. A refused address is recorded and the others still
    get theirs.

    Raises:
        DeliveryError: the SMTP server cannot be reached or refuses the session; the addresses not
            reached are recorded as failed, none as sent.
    """
    from ssbrace.delivery.email import Outgoing, compose, send_all

    with store.session() as session:
        digest = build_digest(
            session, topic, since, now=now, index=index, domain=settings.domain, base_url=settings.base_url
        )
        subscribers = repo.subscriptions(session, topic.slug)
        report = DeliveryReport(digest_key=digest.key, story_count=len(digest.briefs))
        if not digest.briefs:
            report.nothing_to_send = True
            return report
        pending = []
        for sub in subscribers:
            if repo.was_sent(session, sub.email, digest.key):
                report.skipped.append(sub.email)
            else:
                pending.append(sub)
    outgoing: list[Outgoing] = []
    for sub in pending:
        link = unsubscribe_url(settings.base_url, sub.token)
        outgoing.append(
            compose(
                settings,
                sub.email,
                digest.subject,
                render(digest, "text", unsubscribe=link),
                render(digest, "html", unsubscribe=link),
                unsubscribe_link=link,
                topic_slug=topic.slug,
            )
        )

    def record(recipient: str, status: str, error: str | None) -> None:
        with store.session() as session:
            repo.record_delivery(
                session, recipient, topic.slug, digest.key, status, error, len(digest.briefs)
            )
        if status == "sent":
            report.sent.append(recipient)
        elif status == "refused":
            report.refused.append((recipient, error or ""))
        else:
            report.failed.append((recipient, error or ""))

    done: set[str] = set()
    try:
        for result in send_all(settings, outgoing):
            record(result.recipient, result.status, result.error)
            done.add(result.recipient)
    except DeliveryError as exc:
        for message in outgoing:
            if message.recipient not in done:
                record(message.recipient, "failed", str(exc))
        raise
    return report
