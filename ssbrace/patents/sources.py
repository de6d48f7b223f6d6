"""Which format an export file is in, and its records as one stream.

A file is known by its first line: a Lens header, Google's column names, a JSON object, or one of the
PatentsView tables. PatentsView tables given together (or inside one zip) make one export.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ssbrace.errors import InputError
from ssbrace.patents import formats, patentsview
from ssbrace.patents.opening import BROKEN, digest, open_text, parts
from ssbrace.patents.records import PatentRecord

FORMATS = ("lens", "google", "patentsview")


@dataclass
class Export:
    """One export: a Lens or Google file, or a set of PatentsView tables."""

    format: str
    paths: list[Path]
    name: str
    # PatentsView: table name -> where it is
    tables: dict[str, patentsview.Table] = field(default_factory=dict)
    json_lines: bool = False

    def digest(self) -> str:
        """The export's identity: its files' bytes (a re-load of the same bytes adds nothing)."""
        if len(self.paths) == 1:
            return digest(self.paths[0])
        joined = "+".join(sorted(digest(p) for p in self.paths))  # the same tables in any order
        return "tables:" + hashlib.sha256(joined.encode()).hexdigest()

    def records(self, keep_codes: Callable[[tuple[str, ...]], bool]) -> Iterator[PatentRecord]:
        """Every record, streamed. ``keep_codes`` filters PatentsView's all-of-the-US tables only."""
        if self.format == "patentsview":
            yield from patentsview.join(self.tables, keep_codes)
            return
        path = self.paths[0]
        try:
            with open_text(path) as text:
                if self.json_lines:
                    yield from formats.google_records(formats.json_lines(text, str(path)))
                    return
                reader = csv.DictReader(text)
                required = formats.LENS_REQUIRED if self.format == "lens" else formats.GOOGLE_REQUIRED
                lacking = formats.missing_columns(reader.fieldnames or [], required)
                if lacking:
                    raise InputError(f"{path}: {self.format} export lacks column(s) {', '.join(lacking)}")
                rows = _checked(reader, path)
                yield from (formats.lens_records(rows) if self.format == "lens" else formats.google_records(rows))
        except InputError:
            raise
        except (csv.Error, *BROKEN) as exc:
            raise InputError(f"{path}: unreadable: {type(exc).__name__}: {exc}") from None


def _checked(reader: csv.DictReader, path: Path) -> Iterator[dict[str, str]]:
    width = len(reader.fieldnames or [])
    for row in reader:
        if None in row:  # more cells than the header: a shifted row would count under wrong columns
            raise InputError(f"{path}: line {reader.line_num}: {width + len(row[None])} cells, header has {width}")
        yield row


def _first_line(path: Path, member: str | None) -> str:
    try:
        with open_text(path, member) as text:
            return text.readline()
    except BROKEN as exc:
        raise InputError(f"{path}: unreadable: {type(exc).__name__}: {exc}") from None


def detect(paths: Sequence[Path]) -> list[Export]:
    """The exports these files make, each file's format read from its header."""
    exports: list[Export] = []
    tables: dict[str, patentsview.Table] = {}
    for path in paths:
        for member in parts(path):
            inner = member if member != path.name or path.suffix == ".zip" else None
            line = _first_line(path, inner)
            label = f"{path}" + (f"!{inner}" if inner else "")
            if not line.strip():
                raise InputError(f"{label}: empty file")
            if line.lstrip().startswith("{"):
                exports.append(Export("google", [path], path.name, json_lines=True))
                continue
            header = next(csv.reader([line], delimiter="\t" if "\t" in line else ","))
            header = [h.strip() for h in header]
            if "Lens ID" in header:
                exports.append(Export("lens", [path], path.name))
            elif "publication_number" in header:
                exports.append(Export("google", [path], path.name))
            elif (table := patentsview.table_of(header)) is not None:
                if table in tables:
                    raise InputError(f"{label}: a second {table} table (first: {tables[table].path})")
                tables[table] = patentsview.Table(table, path, inner)
            else:
                shown = ", ".join(header[:4]) + (", ..." if len(header) > 4 else "")
                raise InputError(f"{label}: unknown export format (header: {shown}); expected Lens.org CSV, "
                                 "Google Patents CSV/JSONL or PatentsView tables")
    if tables:
        files = sorted({t.path for t in tables.values()})
        exports.append(Export("patentsview", files, "+".join(p.name for p in files), tables=tables))
    return exports
