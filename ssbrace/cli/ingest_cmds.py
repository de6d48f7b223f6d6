"""``ssbrace ingest``, ``update``, ``sources add|import|export|list|set|disable|enable|remove`` and
``documents list|show|remove``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from ssbrace.cli.context import AppContext, app_context, cell, err, out, plain, plural
from ssbrace.cli.main import app
from ssbrace.errors import InputError, PartialFailure, UsageError

# The flow and the store (trafilatura, SQLAlchemy, scikit-learn) load inside the commands that use them,
# so that `ssbrace --help` stays fast.
if TYPE_CHECKING:
    from rich.progress import Progress

    from ssbrace.documents.ingest import IngestResult
    from ssbrace.register import Removal, SourceInfo
    from ssbrace.sources.options import SourceOptions

sources_app = typer.Typer(
    help="Register, list, disable and remove the sources that `ssbrace update` polls.", no_args_is_help=True
)
documents_app = typer.Typer(help="See exactly which documents are stored, and remove some.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(documents_app, name="documents")

_STATUS_STYLE = {
    "new": "green",
    "near_duplicate": "cyan",
    "duplicate": "yellow",
    "unchanged": "dim",
    "failed": "red",
}
_STATUS_LABEL = {"near_duplicate": "near duplicate"}


class _LateProgress:
    """A transient progress bar on stderr that appears only once work has lasted a second."""

    DELAY = 1.0

    def __init__(self, width: int = 60) -> None:
        self.started = time.monotonic()
        self.progress: Progress | None = None
        self.task: Any = None
        self.width = width
        self.last = ""

    def __call__(self, done: int, total: int, label: str) -> None:
        self.last = label
        if self.progress is None:
            if time.monotonic() - self.started < self.DELAY:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("ingesting"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}", style="dim", markup=False),  # a file name or URL
                console=err,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("", total=total)
        short = label if len(label) <= self.width else "…" + label[-(self.width - 1) :]
        self.progress.update(self.task, completed=done, total=total, description=plain(short))

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


# A distributed run (docs/scale.md): `ingest` and `reextract` take the same two options.
WORKERS_OPTION = typer.Option(
    None, "--workers", min=1, help="Read and extract on a local Dask cluster of N worker processes."
)
SCHEDULER_OPTION = typer.Option(
    None, "--scheduler", metavar="ADDRESS", help="Read and extract on an existing Dask cluster (tcp://host:8786)."
)


def check_cluster_options(workers: int | None, scheduler: str | None) -> None:
    if workers is not None and scheduler is not None:
        raise UsageError("give --workers or --scheduler, not both")


def _apply_fetch_options(context: AppContext, allow_private: bool, max_bytes: int | None) -> None:
    if max_bytes is not None:
        if max_bytes < 1:
            raise UsageError("--max-bytes must be a positive number of bytes")
        context.with_settings(max_bytes=max_bytes)
    if allow_private:
        context.with_settings(allow_private=True)


def _source_options(allow_private: bool, max_bytes: int | None) -> SourceOptions:
    """The options given on the command line, to be stored with a source."""
    from ssbrace.sources.options import SourceOptions

    if max_bytes is not None and max_bytes < 1:
        raise UsageError("--max-bytes must be a positive number of bytes")
    return SourceOptions(allow_private=allow_private, max_bytes=max_bytes)


def _option_words(options: dict[str, Any]) -> list[str]:
    """Stored options as the command line spells them: "allow-private", "max-bytes=500000"."""
    return [k.replace("_", "-") if v is True else f"{k.replace('_', '-')}={v}" for k, v in options.items()]


def _print_result(result: IngestResult, as_json: bool) -> None:
    if as_json:
        for item in result.items:
            out.print_json(json.dumps(item.__dict__, default=str), indent=None)
        out.print_json(json.dumps({"totals": result.counts()}), indent=None)
        return
    table = Table(title="ingest summary", show_lines=False, title_justify="left")
    table.add_column("input", overflow="fold", ratio=2, min_width=16)
    table.add_column("status", no_wrap=True, min_width=14)
    table.add_column("doc", justify="right", no_wrap=True, min_width=3)
    table.add_column("reason / title", overflow="fold", ratio=3, min_width=20)
    for item in result.items:
        style = _STATUS_STYLE.get(item.status, "")
        label = _STATUS_LABEL.get(item.status, item.status)
        doc = str(item.document_id or item.duplicate_of or "")
        detail = item.reason or (item.title or "")
        if item.claims:
            detail += f" ({plural(item.claims, 'claim')})"
        table.add_row(cell(item.input), f"[{style}]{label}[/{style}]" if style else cell(label), doc, cell(detail))
    if result.items:
        out.print(table)
    counts = result.counts()
    totals = (
        f"new {counts['new']}, duplicate {counts['duplicate']}, "
        f"near duplicate {counts['near_duplicate']}, failed {counts['failed']}"
    )
    if counts["unchanged"]:
        totals += f", unchanged {counts['unchanged']}"
    out.print(f"totals: {totals}")


def _run(context: AppContext, work: Any, as_json: bool, *, on_cluster: bool = False) -> None:
    # On a cluster the label is the run's counts and each worker's throughput, not a file name.
    progress = _LateProgress(width=120 if on_cluster else 60)
    try:
        result = work(progress)
    finally:
        progress.stop()
    if on_cluster and progress.last:
        err.print(plain(f"cluster: {progress.last}"), markup=False)
    _print_result(result, as_json)
    if not result.ok:
        # Raised, not typer.Exit: the entry point runs click with standalone_mode=False, which
        # turns Exit into a return value and would lose the code.
        failed = len(result.failed)
        raise PartialFailure(
            f"{failed} of {len(result.items)} items failed (reasons above); the others were handled"
        )


@app.command("ingest")
def ingest_cmd(
    ctx: typer.Context,
    inputs: list[str] = typer.Argument(
        ..., help="Files, folders (recursive), http(s) pages or RSS/Atom feeds."
    ),
    allow_private: bool = typer.Option(
        False, "--allow-private", help="Allow URLs to private, loopback and link-local addresses."
    ),
    max_bytes: int | None = typer.Option(None, "--max-bytes", help="Size cap of one page or file, bytes."),
    name: str | None = typer.Option(None, "--name", help="A name for the source(s) these inputs register."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per input instead of a table."),
    workers: int | None = WORKERS_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
) -> None:
    """Ingest files, folders, web pages and feeds; print what was stored and what failed, and why."""
    from ssbrace.api import ingest

    context = app_context(ctx)
    check_cluster_options(workers, scheduler)
    _apply_fetch_options(context, allow_private, max_bytes)
    store = context.store()
    # What is given here is stored with the sources the inputs register, for `update` to poll them alike.
    options = _source_options(allow_private, max_bytes)
    _run(
        context,
        lambda progress: ingest(
            store, inputs, settings=context.settings, name=name, progress=progress, raise_errors=context.debug,
            workers=workers, scheduler=scheduler, source_options=options,
        ),
        as_json,
        on_cluster=workers is not None or scheduler is not None,
    )


@app.command("update")
def update_cmd(
    ctx: typer.Context,
    allow_private: bool = typer.Option(
        False, "--allow-private", help="Allow URLs to private, loopback and link-local addresses."
    ),
    max_bytes: int | None = typer.Option(None, "--max-bytes", help="Size cap of one page or file, bytes."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per input instead of a table."),
) -> None:
    """Poll every source not disabled once, with the options it was added with (feeds with a conditional GET),
    and ingest what is new; what is stored already as it is shows as unchanged."""
    from ssbrace.api import update

    context = app_context(ctx)
    _apply_fetch_options(context, allow_private, max_bytes)
    store = context.store()
    _run(
        context,
        lambda progress: update(store, settings=context.settings, progress=progress, raise_errors=context.debug),
        as_json,
    )


@sources_app.command("add")
def sources_add_cmd(
    ctx: typer.Context,
    location: str = typer.Argument(..., help="A file, folder, page URL or feed URL."),
    name: str | None = typer.Option(None, "--name", help="A name to show for the source."),
    allow_private: bool = typer.Option(
        False, "--allow-private", help="Allow URLs to private, loopback and link-local addresses (kept for update)."
    ),
    max_bytes: int | None = typer.Option(
        None, "--max-bytes", help="Size cap of one page or file of this source, bytes (kept for update)."
    ),
) -> None:
    """Register a source for `ssbrace update` (nothing is fetched now), with the options to poll it with."""
    from ssbrace.register import add_source, source_location

    context = app_context(ctx)
    options = _source_options(allow_private, max_bytes)
    source_location(location)  # a wrong argument is a usage error (exit 2) before any store is opened
    source, created = add_source(context.store(), location, context.settings, name=name, options=options)
    verb = "added" if created else "already registered:"
    kept = ", ".join(_option_words(options.to_json()))
    line = f"{verb} source {source.id} ({source.kind}) {source.location}" + (f" [{kept}]" if kept else "")
    out.print(plain(line), markup=False)


@sources_app.command("import")
def sources_import_cmd(
    ctx: typer.Context,
    opml: Path = typer.Argument(..., help="An OPML subscription list, as feed readers export it."),
    allow_private: bool = typer.Option(
        False, "--allow-private", help="Allow URLs to private, loopback and link-local addresses (kept for update)."
    ),
) -> None:
    """Register every feed of an OPML file as a source (nothing is fetched now); known ones are kept.

    Categories (folders, the category attribute) that name a topic of the domain pack file the feed's
    documents under that topic; the others are kept as labels."""
    from ssbrace.domains.loader import load_domain
    from ssbrace.register import import_opml
    from ssbrace.sources.files import read_capped
    from ssbrace.sources.opml import MAX_BYTES

    context = app_context(ctx)
    if not opml.is_file():
        raise UsageError(f"no such file: {opml}")
    data = read_capped(opml, MAX_BYTES + 1)
    done = import_opml(context.store(), data, context.settings, load_domain(context.settings.domain).topics,
                       where=str(opml), options=_source_options(allow_private, None))
    for line in done.refused:
        err.print(plain(f"refused {line}"), markup=False)
    out.print(plain(f"{plural(done.added, 'source')} added, {done.known} already registered, "
                    f"{len(done.refused)} refused from {opml}"), markup=False)
    if done.topics:
        filed = ", ".join(f"{slug} ({plural(n, 'feed')})" for slug, n in done.topics.items())
        out.print(plain(f"filed under topics: {filed}"), markup=False)
    if done.labels:
        out.print(plain(f"kept as labels (no such topic): {', '.join(done.labels)}"), markup=False)
    if done.refused and not (done.added or done.known):
        raise PartialFailure(f"every feed of {opml} was refused")


@sources_app.command("export")
def sources_export_cmd(
    ctx: typer.Context,
    out_path: Path | None = typer.Option(None, "--out", help="File to write (default: standard output)."),
) -> None:
    """The registered feeds and page URLs as an OPML subscription list, for a feed reader."""
    import sys

    from ssbrace.register import export_subscriptions
    from ssbrace.sources.opml import Subscription, write_opml

    context = app_context(ctx)
    subs = [Subscription(url, name, categories) for url, name, categories in export_subscriptions(context.store())]
    text = write_opml(subs)
    if out_path is None or str(out_path) == "-":
        sys.stdout.write(text)
        return
    try:
        out_path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {out_path}: {exc.strerror or exc}") from None
    err.print(plain(f"wrote {out_path}: {plural(len(subs), 'feed')}"), markup=False)


@sources_app.command("list")
def sources_list_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON objects instead of a table."),
) -> None:
    """List the registered sources, when each was last polled and how it went, and the options kept with it."""
    from ssbrace.register import list_sources

    context = app_context(ctx)
    rows: list[dict[str, Any]] = [
        {
            "id": s.id,
            "kind": s.kind,
            "name": s.name,
            "location": s.location,
            "documents": s.documents,
            "last_polled_at": s.last_polled_at.isoformat(timespec="seconds") if s.last_polled_at else None,
            "last_status": s.last_status,
            "disabled": s.disabled,
            "options": s.options.to_json(),
            "topics": list(s.topics),
            "categories": list(s.categories),
        }
        for s in list_sources(context.store())
    ]
    if as_json:
        for row in rows:
            out.print_json(json.dumps(row), indent=None)
        return
    if not rows:
        out.print("no sources yet: add one with `ssbrace sources add URL|PATH` or `ssbrace ingest`")
        return
    table = Table(title="sources", title_justify="left")
    # The options and topics columns only where some source has options kept, or was filed under a topic.
    extra = [name for name in ("options", "topics") if any(row[name] for row in rows)]
    columns = ("id", "kind", "name", "location", "documents", "last polled", "last status", "state")
    for column in (*columns, *extra):
        table.add_column(column, overflow="fold")
    for row in rows:
        shown = [row[k] for k in ("id", "kind", "name", "location", "documents", "last_polled_at", "last_status")]
        shown.append("disabled" if row["disabled"] else "enabled")
        if "options" in extra:
            shown.append(", ".join(_option_words(row["options"])))
        if "topics" in extra:
            shown.append(", ".join(row["topics"]))
        table.add_row(*(cell(v) for v in shown))
    out.print(table)


@sources_app.command("set")
def sources_set_cmd(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="The source's id, URL or path (see `ssbrace sources list`)."),
    allow_private: bool = typer.Option(
        False, "--allow-private", help="Allow this source's URLs to private, loopback and link-local addresses."
    ),
    max_bytes: int | None = typer.Option(
        None, "--max-bytes", help="Size cap of one page or file of this source, bytes."
    ),
    clear: list[str] = typer.Option(
        [], "--clear", metavar="OPTION",
        help="Forget a kept option (max-bytes, allow-private, or all): the run's settings hold again. Repeatable.",
    ),
) -> None:
    """Change the options a source is polled with: set some, or clear some (cleared first, then set)."""
    from ssbrace.register import set_source_options

    options = _source_options(allow_private, max_bytes)
    info, now = set_source_options(app_context(ctx).store(), source, given=options, clear=clear)
    kept = ", ".join(_option_words(now.to_json())) or "none (the run's settings hold)"
    out.print(plain(f"source {info.id} ({info.kind}) {info.location}: options {kept}"), markup=False)


def _document_row(d: Any) -> dict[str, Any]:
    return {
        "id": d.id,
        "title": d.title,
        "location": d.location,
        "url": d.url,
        "author": d.author,
        "publisher": d.publisher,
        "published": d.published.isoformat() if d.published else None,
        "language": d.language,
        "content_type": d.content_type,
        "word_count": d.word_count,
        "sha256": d.sha256,
        "duplicate_of": d.duplicate_of,
        "similarity": d.similarity,
        "source_id": d.source_id,
        "extractor_version": d.extractor_version,
        "fetched_at": d.fetched_at.isoformat(timespec="seconds") if d.fetched_at else None,
    }


@documents_app.command("list")
def documents_list_cmd(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", min=1, help="How many documents, newest first."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many first."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per document."),
) -> None:
    """List stored documents, newest first."""
    from ssbrace.kb import documents_repo as repo

    context = app_context(ctx)
    with context.store().session() as session:
        rows = [_document_row(d) for d in repo.list_documents(session, limit=limit, offset=offset)]
        total = repo.count_documents(session)
    if as_json:
        for row in rows:
            out.print_json(json.dumps(row), indent=None)
        return
    table = Table(title=f"documents ({len(rows)} of {total})", title_justify="left")
    for column in ("id", "published", "lang", "words", "dup of", "title", "location"):
        table.add_column(column, overflow="fold")
    for r in rows:
        dup = f"{r['duplicate_of']} ({r['similarity']:.2f})" if r["duplicate_of"] else ""
        table.add_row(
            str(r["id"]),
            cell(r["published"]),
            cell(r["language"]),
            str(r["word_count"]),
            dup,
            cell(r["title"]),
            cell(r["location"]),
        )
    out.print(table)


@documents_app.command("show")
def documents_show_cmd(
    ctx: typer.Context,
    document_id: int = typer.Argument(..., help="The document id (see `ssbrace documents list`)."),
    as_json: bool = typer.Option(False, "--json", help="Print the document as one JSON object."),
) -> None:
    """Show one document: its metadata and its full stored text."""
    from ssbrace.kb import documents_repo as repo

    context = app_context(ctx)
    with context.store().session() as session:
        document = repo.get_document(session, document_id)
        if document is None:
            raise InputError(f"no document with id {document_id}")
        row = _document_row(document)
        row["text"] = document.text
    if as_json:
        out.print_json(json.dumps(row), indent=None)
        return
    for key, value in row.items():
        if key != "text" and value is not None:
            out.print(plain(f"{key}: {value}"), markup=False, highlight=False)
    out.print()
    out.print(plain(row["text"]), markup=False, highlight=False)


# --- removing and disabling (issue 14): thin wrappers over ssbrace.api ---


def _removed_line(removal: Removal) -> str:
    line = f"removed {plural(removal.documents, 'document')} and {plural(removal.claims, 'claim')}"
    if removal.stories_dropped or removal.stories_restated:
        line += (f"; {plural(removal.stories_dropped, 'story', 'stories')} gone, "
                 f"{removal.stories_restated} restated")
    return line


def _source_line(verb: str, source: SourceInfo) -> str:
    return f"{verb} source {source.id} ({source.kind}) {source.location}"


@sources_app.command("remove")
def sources_remove_cmd(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="The source's id, URL or path (see `ssbrace sources list`)."),
    keep_documents: bool = typer.Option(
        False, "--keep-documents", help="Keep the documents it brought (they lose their link to it)."
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Remove a source and, unless --keep-documents, its documents with their claims and story places."""
    import sys

    from ssbrace.api import remove_source
    from ssbrace.register import describe_source

    context = app_context(ctx)
    store = context.store()
    info = describe_source(store, source)
    what = "its documents are kept" if keep_documents else f"with {plural(info.documents, 'document')}"
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(f"removing source {info.id} ({what}) needs confirmation: add --yes")
        if not typer.confirm(plain(f"remove source {info.id} {info.location} ({what})?"), default=False):
            raise InputError("not confirmed; nothing removed")
    removal = remove_source(store, str(info.id), keep_documents=keep_documents, settings=context.settings)
    out.print(plain(_source_line("removed", info)), markup=False)
    if not keep_documents:
        out.print(plain(_removed_line(removal)), markup=False)
    elif info.documents:
        out.print(plain(f"kept {plural(info.documents, 'document')}"), markup=False)


@sources_app.command("disable")
def sources_disable_cmd(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="The source's id, URL or path (see `ssbrace sources list`)."),
) -> None:
    """Have `ssbrace update` skip a source until it is enabled again (its documents stay)."""
    from ssbrace.register import set_source_enabled

    info, changed = set_source_enabled(app_context(ctx).store(), source, False)
    out.print(plain(_source_line("disabled" if changed else "already disabled:", info)), markup=False)


@sources_app.command("enable")
def sources_enable_cmd(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="The source's id, URL or path (see `ssbrace sources list`)."),
) -> None:
    """Have `ssbrace update` poll a disabled source again."""
    from ssbrace.register import set_source_enabled

    info, changed = set_source_enabled(app_context(ctx).store(), source, True)
    out.print(plain(_source_line("enabled" if changed else "already enabled:", info)), markup=False)


@documents_app.command("remove")
def documents_remove_cmd(
    ctx: typer.Context,
    documents: list[str] = typer.Argument(..., help="Document ids, locations or URLs (see `ssbrace documents list`)."),
    as_json: bool = typer.Option(False, "--json", help="Print what was removed as one JSON object."),
) -> None:
    """Remove documents with their claims, entity links, search entries and story places (all or none)."""
    from ssbrace.api import remove_documents

    context = app_context(ctx)
    removal = remove_documents(context.store(), documents, settings=context.settings)
    if as_json:
        out.print_json(json.dumps({k: v for k, v in removal.__dict__.items() if k != "source"}), indent=None)
        return
    out.print(plain(_removed_line(removal)), markup=False)
