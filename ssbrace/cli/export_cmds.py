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
