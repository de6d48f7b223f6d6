"""``ssbrace export``: claims, facts, conflicts, ledgers or stories as a typed table (CSV, JSON Lines, Parquet)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ssbrace.cli.context import app_context, err, plain
from ssbrace.cli.main import app
from ssbrace.errors import UsageError

# Named here, not imported: `ssbrace --help` must not load the analysis.
_TABLES = "claims, facts, conflicts, ledgers or stories"
_FORMATS = "csv, jsonl or parquet"


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    table: str = typer.Argument(..., help=f"What to export: {_TABLES}."),
    fmt: str | None = typer.Option(None, "--format", help=f"{_FORMATS} (default: from the --out file's suffix, else csv)."),
    out_path: Path | None = typer.Option(None, "--out", help="File to write (default: standard output; Parquet "
                                         "needs a file)."),
) -> None:
    """Export a table for analysts' tools with typed columns: numbers, dates, integer years, booleans; facts
    carry the ids of their claims. Columns are listed in docs/exports.md."""
    from ssbrace.api import export_to
    from ssbrace.delivery.export_writers import BINARY, export_format
    from ssbrace.delivery.exports import check_table

    check_table(table)  # bad input is refused before the store is opened
    to_stdout = out_path is None or str(out_path) == "-"
    chosen = export_format(None if to_stdout else out_path, fmt)
    if to_stdout and chosen in BINARY:
        raise UsageError(f"{chosen} is binary: give --out FILE")
    store = app_context(ctx).store()
    if to_stdout:
        export_to(store, table, sys.stdout, chosen)
        sys.stdout.flush()
        return
    assert out_path is not None
    export_to(store, table, out_path, chosen)
    err.print(plain(f"{table} written: {out_path} ({chosen})"), markup=False)


@app.command("datasette-metadata")
def datasette_metadata_cmd(
    ctx: typer.Context,
    out_path: Path | None = typer.Option(None, "--out", help="File to write (default: standard output)."),
) -> None:
    """Print Datasette's metadata for this SQLite store (what each table and column holds), for
    `datasette STORE.db --metadata FILE` (docs/datasette.md)."""
    import json

    from ssbrace.delivery.datasette import datasette_metadata
    from ssbrace.kb.store import sqlite_file

    path = sqlite_file(app_context(ctx).settings.db)
    if path is None:
        raise UsageError("Datasette opens SQLite files; this store is not one (see --db)")
    if not path.exists():
        raise UsageError(f"no store at {path} (check --db or SSBRACE_DB)")
    text = json.dumps(datasette_metadata(path.stem), indent=2, ensure_ascii=False) + "\n"
    if out_path is None or str(out_path) == "-":
        sys.stdout.write(text)
        return
    out_path.write_text(text, encoding="utf-8")
    err.print(plain(f"metadata written: {out_path}; open the store with: datasette {path} --metadata {out_path}"),
              markup=False)
