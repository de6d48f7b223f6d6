"""``ssbrace stories``, ``brief``, ``topics``, ``digest``, ``subscribe``, ``unsubscribe``, ``feed``."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ssbrace.cli.context import app_context, err, out, plain, plural, write_or_echo
from ssbrace.cli.main import app
from ssbrace.errors import UsageError

if TYPE_CHECKING:
    from ssbrace.domains.schema import Topic

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


def _topics(ctx: typer.Context) -> tuple[Topic, ...]:
    from ssbrace.domains.loader import load_domain

    return load_domain(app_context(ctx).settings.domain).topics


def _group_pending(ctx: typer.Context) -> None:
    """Documents stored without the pipeline hook join their stories before anything is listed."""
    from ssbrace.pipeline import group_stories

    context = app_context(ctx)
    group_stories(context.store(), context.settings)


def _email(address: str) -> str:
    address = address.strip()
    if not _EMAIL.match(address):
        raise UsageError(f"not an email address: {address!r}")
    return address.lower()


@app.command("stories")
def stories_cmd(
    ctx: typer.Context,
    since: str | None = typer.Option(
        None, "--since", help="Only stories active since: 24h, 7d, 2w or an ISO date."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array, one object per story."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Group every stored document again first."),
    month: str | None = typer.Option(
        None, "--month", help="With --rebuild: group again only the documents of this month (YYYY-MM)."
    ),
    group: bool = typer.Option(True, "--group/--no-group", help="Group documents not yet in a story first."),
) -> None:
    """List stories: documents that report the same event, with their headline and sources."""
    from ssbrace.delivery.records import story_out, to_json
    from ssbrace.kb import stories_repo as repo
    from ssbrace.pipeline import build_brief, group_stories
    from ssbrace.stories.period import parse_since

    context = app_context(ctx)
    start = parse_since(since).date() if since else None
    if month is not None and not rebuild:
        raise UsageError("--month needs --rebuild")
    if month is not None:
        _rebuild_month(ctx, month)
    elif rebuild:
        count = group_stories(context.store(), context.settings, rebuild=True)
        err.print(f"regrouped the store into {count} stories")
    elif group:
        # documents stored before stories existed (or by a run without the hook) join now
        group_stories(context.store(), context.settings)
    with context.store().session() as session:
        stories = repo.list_stories(session, since=start)
        # The API's shape; a story's brief is read only for JSON (the listing shows none).
        rows = [story_out(story, repo.get_documents(session, story.document_ids),
                          build_brief(session, story.id) if as_json else None) for story in stories]
    if as_json:
        typer.echo(json.dumps([to_json(row) for row in rows], ensure_ascii=False, indent=1, default=str))
        return
    if not rows:
        out.print("no stories" + (f" since {start}" if start else "") + " (ingest documents first)")
        return
    for row in rows:
        span = str(row.first_date or "undated")
        if row.last_date and row.last_date != row.first_date:
            span += f"..{row.last_date}"
        out.print(
            plain(f"#{row.id}  {row.headline}  [{span}; {plural(len(row.documents), 'document')}, {plural(row.source_count, 'source')}]"),
            markup=False,
        )


def _rebuild_month(ctx: typer.Context, month: str) -> None:
    """``stories --rebuild --month``: one month's documents grouped again, the rest left as they are."""
    from ssbrace.kb.story_periods import month_period
    from ssbrace.pipeline import rebuild_period

    context = app_context(ctx)
    try:
        first, last = month_period(month)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    with context.store().session() as session:
        done = rebuild_period(session, first, last, domain=context.settings.domain)
    kept = f"; left as stored: {plural(done.kept, 'story')} reaching past the month" if done.kept else ""
    err.print(f"regrouped {plural(done.documents, 'document')} of {month} into {plural(done.stories, 'story')}{kept}")


@app.command("brief")
def brief_cmd(
    ctx: typer.Context,
    story_id: int = typer.Argument(..., help="Story id (see `ssbrace stories`)."),
    as_json: bool = typer.Option(False, "--json", help="Print the brief as JSON."),
) -> None:
    """Print a story's brief: headline, bullets citing their sources, and the sources."""
    from ssbrace.pipeline import build_brief

    with app_context(ctx).store().session() as session:
        brief = build_brief(session, story_id)
    if as_json:
        typer.echo(json.dumps(brief.to_json(), ensure_ascii=False, indent=1))
        return
    out.print(plain(brief.headline), markup=False)
    for bullet in brief.bullets:
        refs = "".join(f"[{brief.citation_number(d)}]" for d in bullet.citations)
        out.print(plain(f" - {bullet.text} {refs}"), markup=False)
    out.print(plain(brief.based_on + ":"), markup=False)
    for n, source in enumerate(brief.sources, 1):
        extra = ", ".join(x for x in (source.publisher, source.published) if x)
        out.print(
            plain(f" [{n}] {source.title or source.link}{', ' + extra if extra else ''} <{source.link}>"),
            markup=False,
        )


@app.command("topics")
def topics_cmd(
    ctx: typer.Context,
    since: str | None = typer.Option(
        None, "--since", help="Count stories active since: 24h, 7d or an ISO date."
    ),
) -> None:
    """List the domain pack's topics and how many stories each has."""
    from ssbrace.pipeline import stories_for_topic
    from ssbrace.stories.features import entity_index
    from ssbrace.stories.period import parse_since

    context = app_context(ctx)
    topics = _topics(ctx)
    _group_pending(ctx)
    start = parse_since(since).date() if since else None
    index = entity_index(context.settings.domain)
    with context.store().session() as session:
        for topic in topics:
            count = len(stories_for_topic(session, topic, index, since=start))
            out.print(plain(f"{topic.slug:<28} {topic.name}  ({count} stories)"), markup=False)


@app.command("digest")
def digest_cmd(
    ctx: typer.Context,
    topic: str = typer.Option(..., "--topic", help="Topic slug or name (see `ssbrace topics`)."),
    since: str = typer.Option("24h", "--since", help="Period start: 24h, 7d, 2w or an ISO date."),
    send: bool = typer.Option(False, "--send", help="Email it to the topic's subscribers over SMTP."),
    fmt: str = typer.Option("text", "--format", help="What to print: html or text."),
    out_file: Path | None = typer.Option(None, "--out", help="Write the rendering to this file."),
) -> None:
    """Render a topic's digest (stories, briefs, changes), or send it to subscribers with --send."""
    from ssbrace.delivery.digest import render
    from ssbrace.pipeline import build_digest, deliver_digest
    from ssbrace.stories.features import entity_index
    from ssbrace.stories.period import parse_since
    from ssbrace.stories.topics import find_topic

    context = app_context(ctx)
    chosen = find_topic(_topics(ctx), topic)
    start = parse_since(since)
    now = datetime.now(UTC)
    index = entity_index(context.settings.domain)
    if fmt not in {"html", "text"}:
        raise UsageError(f"--format: expected html or text, got {fmt!r}")
    _group_pending(ctx)
    if send:
        report = deliver_digest(context.store(), context.settings, chosen, start, now=now, index=index)
        if report.nothing_to_send:
            out.print(plain(f"nothing to send: no {chosen.name} stories since {start:%Y-%m-%d %H:%M}"), markup=False)
            return
        for address in report.sent:
            out.print(plain(f"sent: {address}"), markup=False)
        for address in report.skipped:
            out.print(plain(f"skipped (already received this digest): {address}"), markup=False)
        for address, reason in report.refused:
            err.print(plain(f"refused: {address}: {reason}"), markup=False)
        for address, reason in report.failed:
            err.print(plain(f"failed: {address}: {reason}"), markup=False)
        out.print(
            f"digest {report.digest_key[:12]}: {report.story_count} stories, {len(report.sent)} sent, "
            f"{len(report.skipped)} skipped, {len(report.refused)} refused, {len(report.failed)} failed",
            markup=False,
        )
        if report.refused or report.failed:
            raise typer.Exit(1)
        return
    with context.store().session() as session:
        digest = build_digest(
            session, chosen, start, now=now, index=index, base_url=context.settings.base_url
        )
    write_or_echo(render(digest, fmt), out_file, len(digest.briefs))
    if not digest.briefs:
        err.print(plain(f"no {chosen.name} stories since {start:%Y-%m-%d %H:%M}; try --since 7d or an ISO date"),
                  markup=False)


@app.command("subscribe")
def subscribe_cmd(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="Address that receives the digest."),
    topic: str = typer.Option(..., "--topic", help="Topic slug or name (see `ssbrace topics`)."),
) -> None:
    """Subscribe an address to a topic's digest."""
    from ssbrace.kb import stories_repo as repo
    from ssbrace.stories.topics import find_topic

    address = _email(email)
    try:
        chosen = find_topic(_topics(ctx), topic)
    except UsageError as exc:  # an entity or a keyword is followed with a watch, not a topic
        raise UsageError(f"{exc}; to follow {topic!r}, try `ssbrace watch add {topic} --email {address}`") from None
    with app_context(ctx).store().session() as session:
        created = repo.subscribe(session, address, chosen.slug)
    out.print(
        plain(f"{'subscribed' if created else 'already subscribed'}: {address} to {chosen.slug}"), markup=False
    )


@app.command("unsubscribe")
def unsubscribe_cmd(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="Address to remove."),
    topic: str | None = typer.Option(None, "--topic", help="Only this topic (default: every topic)."),
) -> None:
    """Stop sending digests to an address (one topic, or all)."""
    from ssbrace.kb import stories_repo as repo
    from ssbrace.stories.topics import find_topic

    address = _email(email)
    slug = find_topic(_topics(ctx), topic).slug if topic else None
    with app_context(ctx).store().session() as session:
        removed = repo.unsubscribe(session, address, slug)
    out.print(plain(f"unsubscribed {address} from {removed} topic(s)"), markup=False)


@app.command("feed")
def feed_cmd(
    ctx: typer.Context,
    topic: str = typer.Option(..., "--topic", help="Topic slug or name (see `ssbrace topics`)."),
    out_file: Path | None = typer.Option(None, "--out", help="Where to write the Atom feed (default: standard "
                                         "output)."),
    since: str | None = typer.Option(None, "--since", help="Only stories active since: 7d or an ISO date."),
) -> None:
    """Write an Atom feed of a topic's stories."""
    from ssbrace.delivery.atom import write_feed
    from ssbrace.pipeline import build_feed
    from ssbrace.stories.features import entity_index
    from ssbrace.stories.period import parse_since
    from ssbrace.stories.topics import find_topic

    context = app_context(ctx)
    chosen = find_topic(_topics(ctx), topic)
    start = parse_since(since).date() if since else None
    _group_pending(ctx)
    with context.store().session() as session:
        data = build_feed(
            session,
            chosen,
            entity_index(context.settings.domain),
            base_url=context.settings.base_url,
            since=start,
        )
    entries = data.count(b"<entry>")
    if out_file is None or str(out_file) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    write_feed(data, out_file)
    err.print(plain(f"wrote {out_file}: {entries} stories on {chosen.name}"), markup=False)
