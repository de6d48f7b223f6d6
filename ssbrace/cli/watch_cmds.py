"""``ssbrace watch add|list|remove|digest|feed`` and ``ssbrace webhooks add|list|remove|log|deliver``: thin
wrappers over ``ssbrace.following``."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ssbrace.cli.context import (
    app_context,
    cell,
    err,
    out,
    plain,
    plural,
    print_json,
    print_table,
    write_or_echo,
)
from ssbrace.cli.main import app
from ssbrace.errors import UsageError

watch_app = typer.Typer(help="Follow an entity, a keyword or a saved search: its digest, feed and alerts.",
                        no_args_is_help=True)
webhooks_app = typer.Typer(help="Send events as signed JSON to your own systems; see what was delivered.",
                           no_args_is_help=True)
app.add_typer(watch_app, name="watch")
app.add_typer(webhooks_app, name="webhooks")


def _watch_row(watch: Any) -> dict[str, Any]:
    from ssbrace.delivery.watches import label

    return {"id": watch.id, "kind": watch.kind, "value": watch.value, "entity_type": watch.entity_type,
            "label": label(watch), "email": watch.email, "webhook": watch.webhook_url,
            "feed": f"/feeds/watches/{watch.id}.atom"}


@watch_app.command("add")
def watch_add_cmd(
    ctx: typer.Context,
    target: str = typer.Argument(..., help="An entity (any of its names), a keyword, or search words."),
    kind: str = typer.Option("auto", "--kind", help="auto (an entity when the name is known, else a keyword), "
                             "entity, keyword or search (every word must appear)."),
    email: str | None = typer.Option(None, "--email", help="Send its alerts to this address."),
    webhook: str | None = typer.Option(None, "--webhook", help="POST its alerts to this URL (signed JSON)."),
    as_json: bool = typer.Option(False, "--json", help="Print the watch as JSON."),
) -> None:
    """Follow an entity, keyword or saved search; alerts go to --email and/or --webhook."""
    from ssbrace.following import add_watch

    context = app_context(ctx)
    added = add_watch(context.store(), context.settings, target, kind=kind, email=email, webhook=webhook)
    row = _watch_row(added.watch)
    if as_json:
        print_json({**row, "created": added.created})
        return
    if added.note:
        err.print(plain(added.note), markup=False)
    where = " and ".join(x for x in (row["email"], row["webhook"]) if x) or "its digest and feed only"
    word = "watching" if added.created else "already watching"
    out.print(plain(f"{word} #{row['id']}: {row['label']} ({row['kind']}) -> {where}"), markup=False)


@watch_app.command("list")
def watch_list_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """List the watches: what each follows and where its alerts go."""
    from ssbrace.following import list_watches

    rows = [_watch_row(w) for w in list_watches(app_context(ctx).store())]
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("no watches: follow something with `ssbrace watch add Toyota --email you@example.org`")
        return
    table = Table(title="watches", title_justify="left")
    for column in ("id", "follows", "kind", "email", "webhook", "feed"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(cell(row[k] or "") for k in ("id", "label", "kind", "email", "webhook", "feed")))
    print_table(table)


@watch_app.command("remove")
def watch_remove_cmd(
    ctx: typer.Context,
    watch_id: int = typer.Argument(..., help="The watch's id (see `ssbrace watch list`)."),
) -> None:
    """Stop a watch: no more alerts, digest or feed."""
    from ssbrace.delivery.watches import label
    from ssbrace.following import remove_watch

    watch = remove_watch(app_context(ctx).store(), watch_id)
    out.print(plain(f"removed watch #{watch.id}: {label(watch)}"), markup=False)


@watch_app.command("digest")
def watch_digest_cmd(
    ctx: typer.Context,
    watch_id: int = typer.Argument(..., help="The watch's id (see `ssbrace watch list`)."),
    since: str = typer.Option("7d", "--since", help="Period start: 24h, 7d, 2w or an ISO date."),
    fmt: str = typer.Option("text", "--format", help="What to print: html or text."),
    out_file: Path | None = typer.Option(None, "--out", help="Write the rendering to this file."),
    send: bool = typer.Option(False, "--send", help="Email it to the watch's address (once per digest)."),
) -> None:
    """Render a watch's digest (its stories with briefs, and what changed), or email it with --send."""
    from ssbrace.delivery.digest import render
    from ssbrace.following import get_watch, send_watch_digest, unsubscribe_url, watch_digest
    from ssbrace.pipeline import group_stories
    from ssbrace.stories.period import parse_since

    context = app_context(ctx)
    if fmt not in {"html", "text"}:
        raise UsageError(f"--format: expected html or text, got {fmt!r}")
    start, now = parse_since(since), datetime.now(UTC)
    watch = get_watch(context.store(), watch_id)
    group_stories(context.store(), context.settings)
    if send:
        report = send_watch_digest(context.store(), context.settings, watch_id, start, now=now)
        if report.nothing_to_send:
            out.print(plain(f"nothing to send: no stories since {start:%Y-%m-%d %H:%M}"), markup=False)
        for address in report.sent:
            out.print(plain(f"sent: {address}"), markup=False)
        for address in report.skipped:
            out.print(plain(f"skipped (already received this digest): {address}"), markup=False)
        for address, reason in [*report.refused, *report.failed]:
            err.print(plain(f"not sent: {address}: {reason}"), markup=False)
        if report.refused or report.failed:
            raise typer.Exit(1)
        return
    with context.store().session() as session:
        digest = watch_digest(session, watch, context.settings, start, now=now)
    write_or_echo(render(digest, fmt, unsubscribe=unsubscribe_url(context.settings, watch)), out_file,
                  len(digest.briefs))


@watch_app.command("feed")
def watch_feed_cmd(
    ctx: typer.Context,
    watch_id: int = typer.Argument(..., help="The watch's id (see `ssbrace watch list`)."),
    out_file: Path | None = typer.Option(None, "--out", help="Where to write the Atom feed (default: standard "
                                         "output)."),
    since: str | None = typer.Option(None, "--since", help="Only stories active since: 7d or an ISO date."),
) -> None:
    """Write the Atom feed of a watch's stories."""
    from ssbrace.delivery.atom import write_feed
    from ssbrace.following import get_watch, watch_feed
    from ssbrace.pipeline import group_stories
    from ssbrace.stories.period import parse_since

    context = app_context(ctx)
    watch = get_watch(context.store(), watch_id)
    group_stories(context.store(), context.settings)
    with context.store().session() as session:
        data = watch_feed(session, watch, context.settings, since=parse_since(since).date() if since else None)
    if out_file is None or str(out_file) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    write_feed(data, out_file)
    err.print(plain(f"wrote {out_file}: {plural(data.count(b'<entry>'), 'story')}"), markup=False)


# --- webhooks ---


@webhooks_app.command("add")
def webhooks_add_cmd(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="The http(s) URL that receives the events."),
    events: list[str] = typer.Option(..., "--event", help="An event type it wants: new_claim, new_figure, "
                                     "target_slip, new_conflict, new_story (repeat, or separate with commas)."),
    secret: str | None = typer.Option(None, "--secret", help="Sign with this secret (default: a new random one)."),
    as_json: bool = typer.Option(False, "--json", help="Print the webhook as JSON."),
) -> None:
    """Register a URL for event types; prints the secret that signs its deliveries."""
    from ssbrace.following import add_webhook

    context = app_context(ctx)
    hook, created = add_webhook(context.store(), context.settings, url, events, secret=secret)
    if as_json:
        print_json({"id": hook.id, "url": hook.url, "events": list(hook.events), "secret": hook.secret,
                     "created": created})
        return
    word = "registered" if created else "updated"
    out.print(plain(f"{word} webhook #{hook.id}: {hook.url} <- {', '.join(hook.events)}"), markup=False)
    out.print(plain(f"secret: {hook.secret}"), markup=False)


@webhooks_app.command("list")
def webhooks_list_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
    show_secrets: bool = typer.Option(False, "--show-secrets", help="Include each webhook's secret."),
) -> None:
    """List the webhooks and the events each receives."""
    from ssbrace.following import list_webhooks

    rows: list[dict[str, Any]] = [
        {"id": h.id, "url": h.url, "events": list(h.events), "created_at": h.created_at,
         **({"secret": h.secret} if show_secrets else {})} for h in list_webhooks(app_context(ctx).store())]
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("no webhooks: register one with `ssbrace webhooks add URL --event target_slip`")
        return
    for row in rows:
        events = ", ".join(row["events"]) or "its watches' alerts only"
        extra = f"  secret {row['secret']}" if show_secrets else ""
        out.print(plain(f"#{row['id']}  {row['url']}  <- {events}{extra}"), markup=False)


@webhooks_app.command("remove")
def webhooks_remove_cmd(
    ctx: typer.Context,
    webhook: str = typer.Argument(..., help="The webhook's id or URL (see `ssbrace webhooks list`)."),
) -> None:
    """Remove a webhook, with the watches that alert through it and its log."""
    from ssbrace.following import remove_webhook

    hook = remove_webhook(app_context(ctx).store(), webhook)
    out.print(plain(f"removed webhook #{hook.id}: {hook.url}"), markup=False)


@webhooks_app.command("log")
def webhooks_log_cmd(
    ctx: typer.Context,
    webhook: str | None = typer.Option(None, "--webhook", help="Only this webhook (id or URL)."),
    with_email: bool = typer.Option(False, "--with-email", help="Include the alerts sent by email."),
    limit: int = typer.Option(50, "--limit", min=1, help="Show at most this many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """The delivery log: each event for each webhook (and address), its status, tries and last answer."""
    from ssbrace.following import delivery_log

    rows = delivery_log(app_context(ctx).store(), channel=None if with_email else "webhook", webhook=webhook,
                        limit=limit)
    if as_json:
        print_json([{k: getattr(r, k) for k in ("id", "channel", "target", "event", "event_key", "delivery_id",
                                                 "status", "attempts", "response", "error", "summary", "created_at",
                                                 "attempted_at", "delivered_at")} for r in rows])
        return
    if not rows:
        out.print("nothing delivered yet")
        return
    table = Table(title="deliveries", title_justify="left")
    for column in ("id", "to", "event", "status", "tries", "answer", "summary"):
        table.add_column(column, overflow="fold")
    for r in rows:
        to = f"webhook #{r.target}" if r.channel == "webhook" else r.target
        answer = r.error or (str(r.response) if r.response else "")
        table.add_row(*(cell(v) for v in (r.id, to, r.event, r.status, r.attempts, answer, r.summary)))
    print_table(table)


@webhooks_app.command("deliver")
def webhooks_deliver_cmd(ctx: typer.Context) -> None:
    """Send what is queued (webhooks and alert emails): each webhook event up to webhook_attempts tries, with
    backoff between them. After each ingest or update, what is queued gets one try of its own."""
    from ssbrace.following import deliver_alerts

    context = app_context(ctx)
    report = deliver_alerts(context.store(), context.settings)
    for line in report.pending:
        err.print(plain(f"to retry: {line}"), markup=False)
    for line in report.failed:
        err.print(plain(f"given up: {line}"), markup=False)
    out.print(f"{len(report.sent)} sent, {len(report.pending)} to retry, {len(report.failed)} given up", markup=False)
    if report.failed:
        raise typer.Exit(1)
