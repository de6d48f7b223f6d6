"""Reading each service's export format into ``PatentRecord``s, one row at a time.

- Lens.org CSV: one publication a row; several values in a cell separated by ``;;``;
- Google Patents public data (``patents-public-data.patents.publications``) as JSON lines, or as CSV with
  the nested fields flattened (a cell holding a JSON list, or values separated by ``;;`` or ``;``);
- PatentsView bulk tables (TSV): ``g_patent``, ``g_cpc_current``, ``g_assignee_disambiguated``,
  ``g_location_disambiguated``, joined on ``patent_id`` and ``location_id`` (see ``patentsview``).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from ssbrace.errors import InputError
from ssbrace.patents.records import PatentRecord, normalise_code

# A Lens abstract or claims cell can exceed the csv module's default field limit (128 KiB).
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

LENS_REQUIRED = ("Lens ID", "Jurisdiction", "Publication Date")
GOOGLE_REQUIRED = ("publication_number", "country_code")

_OFFICE = re.compile(r"^\s*([A-Z]{2})")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}$")


def day(value: Any) -> str | None:
    """An ISO date from "2019-05-23", "2019/05/23", 20190523 or "20190523"; None for 0, "" or junk."""
    if value is None:
        return None
    text = str(value).strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and _ISO.match(text):  # the common case, fast
        return text if "00" not in (text[5:7], text[8:10]) and 1800 < int(text[:4]) < 2200 else None
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 8 and digits[:8] != "00000000":
        y, m, d = digits[:4], digits[4:6], digits[6:8]
        if "00" not in (m, d) and 1800 < int(y) < 2200:
            return f"{y}-{m}-{d}"
    return None


def split_cell(value: str | None, sep: str = ";;") -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(p.strip() for p in value.split(sep) if p.strip())


def missing_columns(header: Iterable[str], required: Iterable[str]) -> list[str]:
    have = set(header)
    return [c for c in required if c not in have]


def office_of(number: str) -> str:
    """The office of a priority or application number: its two-letter prefix ("JP 2019012345 A", "JP-...")."""
    match = _OFFICE.match(number.upper())
    return match.group(1) if match else ""


def _family_key(own: str, members: tuple[str, ...]) -> str:
    # Lens gives a family as its member list; every member lists the same set, so its smallest key
    # names the family the same way from whichever member it is read.
    return min((own, *members)) if members else ""


def _priority_family(priorities: tuple[str, ...]) -> str:
    # Older Lens exports carry "Simple Family Size" but no member list. A DOCDB simple family is the set
    # of publications claiming exactly the same priorities, so that set names it instead.
    return "priorities:" + ";;".join(sorted({" ".join(p.split()) for p in priorities})) if priorities else ""


def lens_records(rows: Iterator[dict[str, str]]) -> Iterator[PatentRecord]:
    """Lens.org CSV rows: ``Display Key`` / ``Lens ID``, ``;;`` lists, families as member lists."""
    for row in rows:
        key = (row.get("Display Key") or "").strip()
        lens_id = (row.get("Lens ID") or "").strip()
        if not lens_id:
            continue
        own = key or lens_id
        priorities = split_cell(row.get("Priority Numbers"))
        codes = split_cell(row.get("CPC Classifications")) + split_cell(row.get("IPCR Classifications"))
        applicants = split_cell(row.get("Applicants")) or split_cell(row.get("Owners"))
        yield PatentRecord(
            publication=lens_id,
            jurisdiction=(row.get("Jurisdiction") or "").strip().upper(),
            kind=(row.get("Kind") or "").strip(),
            publication_date=day(row.get("Publication Date")),
            filing_date=day(row.get("Application Date")),
            priority_date=day(row.get("Earliest Priority Date")),
            priority_office=office_of(priorities[0]) if priorities else "",
            simple_family=(_family_key(own, split_cell(row.get("Simple Family Members")))
                           if "Simple Family Members" in row else _priority_family(priorities)),
            # without a member list the extended family (any shared priority) cannot be named row by row:
            # it falls back to the simple family in counting
            extended_family=_family_key(own, split_cell(row.get("Extended Family Members"))),
            applicants=applicants,
            applicant_countries=("",) * len(applicants),  # Lens exports names only
            codes=tuple(dict.fromkeys(normalise_code(c) for c in codes)),
            title=(row.get("Title") or "").strip(),
        )


# --- Google Patents public data -----------------------------------------------------------------


def _listing(value: Any) -> list[Any]:
    """A nested field as a list: JSON lines give lists; CSV gives a JSON string or a separated cell."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            raise InputError(f"a list cell is not valid JSON: {text[:60]!r}") from None
        return parsed if isinstance(parsed, list) else [parsed]
    return list(split_cell(text, ";;" if ";;" in text else ";"))


def _codes(items: list[Any]) -> tuple[str, ...]:
    codes = (i.get("code", "") if isinstance(i, dict) else str(i) for i in items)
    return tuple(dict.fromkeys(normalise_code(c) for c in codes if c))


def _people(row: dict[str, Any], field: str, countries_field: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names and parallel country codes of ``assignee_harmonized`` / ``inventor_harmonized``."""
    items = _listing(row.get(field))
    if items and isinstance(items[0], dict):
        names = tuple((i.get("name") or "").strip() for i in items)
        return names, tuple((i.get("country_code") or "").strip().upper() for i in items)
    names = tuple(str(i).strip() for i in items)
    countries = [str(c).strip().upper() for c in _listing(row.get(countries_field))]
    countries += [""] * (len(names) - len(countries))
    return names, tuple(countries[: len(names)]) if names else tuple(countries)


def _priority_office(row: dict[str, Any]) -> str:
    claims = [c for c in _listing(row.get("priority_claim")) if isinstance(c, dict)]
    if claims:
        first = min(claims, key=lambda c: (day(c.get("filing_date")) or "9999", str(c.get("application_number"))))
        return office_of(str(first.get("application_number") or first.get("publication_number") or ""))
    return office_of(str(row.get("priority_office") or ""))


def _title(row: dict[str, Any]) -> str:
    titles = _listing(row.get("title_localized"))
    english = [t.get("text", "") for t in titles if isinstance(t, dict) and t.get("language") == "en"]
    if english or titles:
        first = english[0] if english else titles[0]
        return str(first.get("text", "") if isinstance(first, dict) else first).strip()
    return str(row.get("title") or "").strip()


def google_records(rows: Iterator[dict[str, Any]]) -> Iterator[PatentRecord]:
    """Rows of ``publications``: from JSON lines as they are, from CSV with nested fields flattened."""
    for row in rows:
        number = str(row.get("publication_number") or "").strip()
        if not number:
            continue
        applicants, countries = _people(row, "assignee_harmonized", "assignee_country_code")
        _, inventor_countries = _people(row, "inventor_harmonized", "inventor_country_code")
        family = str(row.get("family_id") or "").strip()
        yield PatentRecord(
            publication=number,
            jurisdiction=str(row.get("country_code") or "").strip().upper(),
            kind=str(row.get("kind_code") or "").strip(),
            publication_date=day(row.get("publication_date")),
            filing_date=day(row.get("filing_date")),
            priority_date=day(row.get("priority_date")),
            priority_office=_priority_office(row),
            simple_family="" if family in ("", "-1") else family,
            applicants=applicants,
            applicant_countries=countries,
            inventor_countries=tuple(c for c in inventor_countries if c),
            codes=_codes(_listing(row.get("cpc")) + _listing(row.get("ipc"))),
            title=_title(row),
        )


def json_lines(lines: Iterable[str], where: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: line {number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise InputError(f"{where}: line {number}: not a JSON object")
        yield row
