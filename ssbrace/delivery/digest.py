"""The digest of a topic: the period's stories with their briefs, and what changed, as email.

Rendering uses Jinja2 (HTML autoescaped, so hostile titles and sentences arrive as text). A digest is
keyed by its topic and the versions of its briefs; ``ssbrace.pipeline.deliver_digest`` records every
attempt and skips an address that already received a key, so the same digest never reaches anyone twice.
The pipeline reads the stories, briefs and changes; this module only puts them together and renders them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ssbrace.analysis.changes import Changes
from ssbrace.domains.schema import Topic
from ssbrace.errors import DeliveryError
from ssbrace.stories.brief import Brief

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


def change_sections(changes: Changes) -> tuple[dict[str, list[str]], str | None]:
    """The scoreboard and target-ledger changes as titled one-line summaries, or a note saying there are none."""
    sections = {
        "New facts": _summaries(changes.new_facts),
        "Moved targets": _summaries(changes.moved_targets),
        "New conflicts": _summaries(changes.new_conflicts),
    }
    sections = {k: v for k, v in sections.items() if v}
    return sections, (None if sections else NO_CHANGES)


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
