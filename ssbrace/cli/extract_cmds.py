"""``ssbrace extract``, ``ssbrace eval`` and ``ssbrace reextract``: claims from documents."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ssbrace.cli.context import app_context, cell, err, out, plain, plural
from ssbrace.cli.ingest_cmds import SCHEDULER_OPTION, WORKERS_OPTION, check_cluster_options
from ssbrace.cli.main import app
from ssbrace.errors import InputError

if TYPE_CHECKING:
    from ssbrace.models import Claim


@app.command("extract")
def extract_cmd(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(..., help="Text, Markdown or HTML files, or folders of them (read "
                                      "recursively, as ingest does); '-' reads standard input."),
    jsonl: bool = typer.Option(False, "--jsonl", help="One JSON object per claim on stdout, nothing else."),
) -> None:
    """Extract typed claims (CLAIMS.md) from documents."""
    from ssbrace.extract.inputs import claims_of_input
    from ssbrace.extract.jsonl import claim_line
    from ssbrace.sources.files import display_path

    settings = app_context(ctx).settings
    failures: list[str] = []
    table_rows: list[tuple[str, ...]] = []
    for path in _expand(paths, failures):
        try:
            # One byte over the cap is read so that read_input can tell an over-long input apart.
            stdin = sys.stdin.buffer.read(settings.max_bytes + 1) if path == "-" else None
            _extracted, claims = claims_of_input(path, settings, stdin)
        except InputError as exc:
            shown = display_path(path)
            failures.append(str(exc) if shown in str(exc) else f"{shown}: {exc}")
            continue
        if jsonl:
            for claim in claims:
                sys.stdout.write(claim_line(claim) + "\n")
            sys.stdout.flush()
        else:
            table_rows.extend(_row(claim) for claim in claims)
        err.print(plain(f"{display_path(path)}: {plural(len(claims), 'claim')}"), style="dim", markup=False)
    if not jsonl:
        _print_table(table_rows)
    # One plain line per unreadable input (no wrapping), after the claims of the rest; then a non-zero exit.
    for failure in failures:
        sys.stderr.write(f"error: {plain(' '.join(failure.split()))}\n")
    if failures:
        sys.stderr.flush()
        raise SystemExit(InputError.exit_code)


def _expand(paths: list[str], failures: list[str]) -> list[str]:
    """Each argument as the files it stands for: a folder's supported files in a stable order (links out
    of it and other skipped entries reported on stderr), a missing path as a failure, '-' as itself."""
    from ssbrace.sources.files import display_path, expand_path_with_skips, is_supported

    files: list[str] = []
    for path in paths:
        if path == "-" or not Path(path).is_dir():
            files.append(path)
            continue
        try:
            found = expand_path_with_skips(Path(path))
        except InputError as exc:
            failures.append(str(exc))
            continue
        for skipped, reason in found.skipped:
            err.print(plain(f"skipped {display_path(skipped)}: {reason}"), style="dim", markup=False)
        chosen = [str(f) for f in found.files if is_supported(f)]
        if not chosen:
            failures.append(f"{display_path(path)}: no text, Markdown or HTML files in this folder")
        files.extend(chosen)
    return files


def _row(claim: Claim) -> tuple[str, ...]:
    """A table row: kind, subject, what it states, the year, the sentence."""
    what = []
    if claim.kind in ("funding", "investment") and claim.amount is not None:
        what.append(f"{claim.amount:,.0f} {claim.currency}")
        if claim.value_usd is not None and claim.currency != "USD":
            what.append(f"(${claim.value_usd:,.0f})")
    elif claim.value is not None and claim.kind != "target":
        what.append(f"{claim.value:g} {claim.unit or ''}".strip())
    for part in (claim.stage, claim.metric, claim.relation, claim.object, claim.segment):
        if part:
            what.append(str(part))
    if claim.rank:
        what.append(f"rank {claim.rank}")
    year = str(claim.year or "") + (f"-{claim.year_end}" if claim.year_end else "")
    bound = "" if claim.bound == "eq" else claim.bound
    return (claim.doc, claim.kind, claim.subject, " ".join(what), bound, year, claim.evidence.sentence[:90])


def _print_table(rows: list[tuple[str, ...]]) -> None:
    from rich.table import Table

    table = Table(show_lines=False)
    for header in ("doc", "kind", "subject", "claim", "bound", "year", "sentence"):
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(cell(value) for value in row))
    out.print(table)


@app.command("eval")
def eval_cmd(
    gold: Path = typer.Argument(..., help="Gold claims, JSON Lines."),
    pred: Path = typer.Argument(..., help="Predicted claims, JSON Lines (ssbrace extract --jsonl)."),
    json_out: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    only_gold_docs: bool = typer.Option(True, "--only-gold-docs/--all-docs",
                                        help="Score only documents that have gold claims."),
) -> None:
    """Precision, recall and F1 of predicted claims against gold, per kind and overall."""
    import json

    from ssbrace.extract.evaluate import doc_key, evaluate, format_table, read_jsonl

    gold_claims = read_jsonl(gold)
    pred_claims = read_jsonl(pred)
    # an empty file is a mistake upstream (a failed extract run), not a score of zero
    for path, claims, what in ((gold, gold_claims, "gold"), (pred, pred_claims, "predicted")):
        if not claims:
            raise InputError(f"{path}: no {what} claims in this file")
    docs = {doc_key(str(g.get("doc", ""))) for g in gold_claims} if only_gold_docs else None
    report = evaluate(gold_claims, pred_claims, docs=docs)
    if json_out:
        out.print_json(json.dumps(report.as_dict()))
    else:
        out.print(format_table(report), markup=False)


@app.command("reextract")
def reextract_cmd(
    ctx: typer.Context,
    all_documents: bool = typer.Option(False, "--all", help="Redo every document, not only older extractions."),
    workers: int | None = WORKERS_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
) -> None:
    """Re-run the extractor over stored documents, replacing their claims (after an upgrade)."""
    from rich.progress import Progress

    from ssbrace.api import reextract

    context = app_context(ctx)
    check_cluster_options(workers, scheduler)
    store = context.store()
    with Progress(console=err, transient=False) as progress:
        task = progress.add_task("re-extracting", total=None)

        last: list[str] = []

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        def line(text: str) -> None:  # on a cluster: counts and each worker's throughput
            last[:] = [text]
            progress.update(task, description=plain(text))

        result = reextract(store, settings=context.settings, only_outdated=not all_documents, progress=tick,
                           raise_errors=context.debug, workers=workers, scheduler=scheduler, on_line=line)
    if last:
        err.print(plain(f"cluster: {last[0]}"), markup=False)
    for document_id, reason in result.failures:
        err.print(plain(f"failed: document {document_id}: {reason} (its old claims stay)"), markup=False)
    out.print(f"re-extracted {plural(result.documents, 'document')}: {plural(result.claims, 'claim')}"
              + (f", {result.failed} failed" if result.failed else ""))
