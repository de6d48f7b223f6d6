"""PatentsView bulk tables, joined into ``PatentRecord``s.

The bulk tables cover every US patent, so the join keeps only the patents holding a code of the landscape
(``keep``): the CPC table is read first and decides which patent ids matter, then assignees of those
patents, then the locations those assignees name, then ``g_patent``. Memory grows with the landscape,
not with the tables. PatentsView has grants only and no families: each patent is its own family.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ssbrace.errors import InputError
from ssbrace.patents.formats import day, missing_columns
from ssbrace.patents.opening import BROKEN, open_text
from ssbrace.patents.records import PatentRecord, normalise_code

# table -> (the columns that name it in a header, the columns it must have)
TABLES = {
    "g_location_disambiguated": (("location_id", "disambig_country"), ("location_id", "disambig_country")),
    "g_cpc_current": (("patent_id", "cpc_group"), ("patent_id", "cpc_group")),
    "g_assignee_disambiguated": (("patent_id", "assignee_sequence"),
                                 ("patent_id", "assignee_sequence", "disambig_assignee_organization",
                                  "location_id")),
    "g_patent": (("patent_id", "patent_date"), ("patent_id", "patent_date")),
}


def table_of(header: list[str]) -> str | None:
    for name, (marks, _required) in TABLES.items():
        if all(m in header for m in marks) and not (name == "g_location_disambiguated" and "patent_id" in header):
            return name
    return None


@dataclass(frozen=True)
class Table:
    name: str
    path: Path
    member: str | None


def _rows(table: Table) -> Iterator[dict[str, str]]:
    where = f"{table.path}" + (f"!{table.member}" if table.member else "")
    try:
        with open_text(table.path, table.member) as text:
            reader = csv.DictReader(text, delimiter="\t", quoting=csv.QUOTE_MINIMAL)
            lacking = missing_columns(reader.fieldnames or [], TABLES[table.name][1])
            if lacking:
                raise InputError(f"{where}: {table.name} lacks column(s) {', '.join(lacking)}")
            yield from reader
    except InputError:
        raise
    except (csv.Error, *BROKEN) as exc:
        raise InputError(f"{where}: unreadable: {exc}") from None


def join(tables: dict[str, Table], keep: Callable[[tuple[str, ...]], bool]) -> Iterator[PatentRecord]:
    """The patents of ``g_patent`` whose CPC codes ``keep`` accepts, with assignees and their countries."""
    for name in ("g_patent", "g_cpc_current"):
        if name not in tables:
            raise InputError(f"PatentsView export lacks the {name} table (given: {', '.join(sorted(tables))})")
    codes: dict[str, list[str]] = defaultdict(list)
    for row in _rows(tables["g_cpc_current"]):
        codes[row["patent_id"].strip()].append(normalise_code(row["cpc_group"]))
    wanted = {pid: tuple(dict.fromkeys(c)) for pid, c in codes.items() if keep(tuple(c))}
    del codes
    assignees: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    if "g_assignee_disambiguated" in tables:
        for row in _rows(tables["g_assignee_disambiguated"]):
            pid = row["patent_id"].strip()
            if pid in wanted:
                name = (row.get("disambig_assignee_organization") or "").strip() or " ".join(
                    p for p in ((row.get("disambig_assignee_individual_name_first") or "").strip(),
                                (row.get("disambig_assignee_individual_name_last") or "").strip()) if p)
                seq = int(row.get("assignee_sequence") or 0)
                assignees[pid].append((seq, name, (row.get("location_id") or "").strip()))
    country: dict[str, str] = {}
    if "g_location_disambiguated" in tables:
        needed = {loc for items in assignees.values() for _, _, loc in items if loc}
        for row in _rows(tables["g_location_disambiguated"]):
            loc = row["location_id"].strip()
            if loc in needed:
                country[loc] = (row.get("disambig_country") or "").strip().upper()
    for row in _rows(tables["g_patent"]):
        pid = row["patent_id"].strip()
        if pid not in wanted:
            continue
        people = sorted(assignees.get(pid, []))
        yield PatentRecord(
            publication=f"US{pid}",
            jurisdiction="US",
            kind=(row.get("patent_type") or "").strip(),
            publication_date=day(row.get("patent_date")),
            filing_date=day(row.get("filing_date")),  # not in g_patent; present when joined with g_application
            simple_family="",
            applicants=tuple(name for _, name, _ in people),
            applicant_countries=tuple(country.get(loc, "") for _, _, loc in people),
            codes=wanted[pid],
            title=(row.get("patent_title") or "").strip(),
        )
