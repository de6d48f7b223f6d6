"""The export tables (``delivery.exports``) written as CSV, JSON Lines or Parquet, a batch of rows at a time.

CSV writes every value as text (dates ISO, booleans ``true``/``false``, id lists joined with ";", an empty
cell for none); JSON Lines keeps numbers, booleans and lists as JSON and dates as ISO text; Parquet stores
each column under its Arrow type, with the column's description in its metadata. pyarrow loads only when
Parquet is asked for.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

from ssbrace.delivery.exports import Column, check_table
from ssbrace.delivery.formats import chosen_format
from ssbrace.errors import UsageError

EXPORT_FORMATS = ("csv", "jsonl", "parquet")
SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson",
               "parquet": "application/vnd.apache.parquet"}
BINARY = frozenset({"parquet"})
# Rows per chunk of text handed on, and per Parquet row group batch: bounded memory on any size of store.
BATCH_ROWS = 2000


def export_format(out_path: Path | str | None, fmt: str | None) -> str:
    """The format as asked, else told by the --out file's suffix, else CSV (standard output)."""
    return chosen_format(out_path, fmt, formats=EXPORT_FORMATS, suffixes=SUFFIXES, default="csv", what="an export")


# --- CSV ---------------------------------------------------------------------------------------------


def _csv_cell(kind: str, value: Any) -> Any:
    if value is None:
        return ""
    if kind == "bool":
        return "true" if value else "false"
    if kind == "date":
        return value.isoformat()
    if kind == "ids":
        return ";".join(str(v) for v in value)
    if kind == "text" and _formula(value):
        # Spreadsheets run a cell starting with = + - @ as a formula: a quote keeps it text (as /claims.csv).
        return "'" + value
    return value


def _formula(text: str) -> bool:
    """Whether a spreadsheet would read the cell as a formula: = or @ first, or + or - with more after it (a
    lone sign is text to a spreadsheet), or a tab or carriage return first (they hide a formula after them)."""
    first = text[:1]
    return first in ("=", "@", "\t", "\r") or (first in ("+", "-") and len(text) > 1)


def csv_chunks(table: str, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The table as CSV text, a header line then a chunk every ``BATCH_ROWS`` rows."""
    columns = check_table(table)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.name for c in columns])
    for n, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(c.type, row[c.name]) for c in columns])
        if n % BATCH_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


# --- JSON Lines --------------------------------------------------------------------------------------


def _json_default(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def jsonl_chunks(table: str, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The table as JSON Lines: one object per row, every column present (null for none)."""
    check_table(table)
    buffer = io.StringIO()
    for n, row in enumerate(rows, 1):
        buffer.write(json.dumps(row, ensure_ascii=False, default=_json_default))
        buffer.write("\n")
        if n % BATCH_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


TEXT_WRITERS = {"csv": csv_chunks, "jsonl": jsonl_chunks}


# --- Parquet -----------------------------------------------------------------------------------------


def arrow_schema(table: str) -> Any:
    """The table's columns as an Arrow schema, each field's description in its metadata."""
    import pyarrow as pa

    types = {"int": pa.int64(), "float": pa.float64(), "text": pa.string(), "date": pa.date32(),
             "bool": pa.bool_(), "ids": pa.list_(pa.int64())}

    def field(c: Column) -> Any:
        return pa.field(c.name, types[c.type], nullable=True, metadata={"description": c.description})

    return pa.schema([field(c) for c in check_table(table)], metadata={"table": table, "writer": "ssbrace"})


def write_parquet(table: str, rows: Iterable[dict[str, Any]], sink: str | Path | IO[bytes]) -> int:
    """Write the table as Parquet to a path or a binary file, ``BATCH_ROWS`` rows per batch; returns the rows."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pyarrow is a dependency; a broken install still gets one line
        raise UsageError(f"Parquet needs pyarrow, which does not import here: {exc}") from exc

    schema = arrow_schema(table)
    count = 0
    with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH_ROWS:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        # the last batch, even an empty one: an empty table still has its columns
        writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
        count += len(batch)
    return count


def write_export(table: str, rows: Iterable[dict[str, Any]], fmt: str, out: Path | IO[str] | IO[bytes]) -> None:
    """Write the table in ``fmt`` to a path (replaced whole, only once every row is written) or an open file
    (text for CSV and JSON Lines, binary for Parquet)."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"--format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}")
    if not isinstance(out, Path):
        if fmt in BINARY:
            write_parquet(table, rows, out)  # type: ignore[arg-type]
        else:
            text: IO[str] = out  # type: ignore[assignment]
            for chunk in TEXT_WRITERS[fmt](table, rows):
                text.write(chunk)
        return
    partial = out.with_name(f".{out.name}.partial")
    try:
        if fmt in BINARY:
            write_parquet(table, rows, partial)
        else:
            with partial.open("w", encoding="utf-8", newline="") as handle:
                for chunk in TEXT_WRITERS[fmt](table, rows):
                    handle.write(chunk)
        partial.replace(out)  # a reader never sees half a file, and a failed export leaves the old one
    finally:
        partial.unlink(missing_ok=True)
