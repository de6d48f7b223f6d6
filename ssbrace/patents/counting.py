"""Counting a landscape: pure functions from records and a definition to counts. No I/O here.

A unit (publication or family) is counted once per group it belongs to. A family's date is its earliest
member's; its countries and applicants are the union over its members, except under the
``first_applicant`` and ``priority_office`` rules, which read the earliest member (ties broken by
publication key, so the order of the rows never changes a number).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ssbrace.patents.landscape import Landscape
from ssbrace.patents.records import PatentRecord

BY = ("country", "applicant", "year")
UNKNOWN = "(unknown)"

# Applicant name -> its country, for exports that give names only (Lens): the gazetteer's companies.
CountryOf = Callable[[str], "str | None"]


@dataclass(frozen=True)
class CountRow:
    key: str
    count: int
    share: float  # of the units in the landscape and range (under a many-to-one rule shares sum past 100%)


@dataclass(frozen=True)
class Counts:
    """One tally of one definition over one or more exports."""

    by: str
    definition: str  # the landscape's hash
    landscape: Landscape
    rows: tuple[CountRow, ...]
    total: int  # units in the landscape and the range
    read: int  # records read
    admitted: int  # records holding a landscape code or keyword
    undated: int  # admitted records without the definition's date
    exports: tuple[str, ...] = field(default=())

    def get(self, key: str) -> int:
        return next((r.count for r in self.rows if r.key == key), 0)

    def as_dict(self) -> dict:
        lc = self.landscape
        return {"by": self.by, "definition": self.definition, "unit": lc.unit, "country_by": lc.country_by,
                "date_field": lc.date_field, "year_from": lc.year_from, "year_to": lc.year_to,
                "unconfirmed_codes": [c.code for c in lc.counted_unconfirmed],
                "total": self.total, "read": self.read, "admitted": self.admitted, "undated": self.undated,
                "exports": list(self.exports),
                "rows": [{"key": r.key, "count": r.count, "share": round(r.share, 6)} for r in self.rows]}


def _date(record: PatentRecord, field_name: str) -> str | None:
    return {"priority": record.priority_date, "filing": record.filing_date,
            "publication": record.publication_date}[field_name]


def _unit_key(record: PatentRecord, unit: str) -> str:
    if unit == "simple_family":
        return record.simple_family or record.publication
    if unit == "extended_family":
        return record.extended_family or record.simple_family or record.publication
    return record.publication


def _applicant(name: str) -> str:
    return sys.intern(" ".join(name.split()).upper())


def _group_keys(record: PatentRecord, by: str, rule: str, country_of: CountryOf | None) -> tuple[str, ...]:
    """The groups one record puts its unit in (years aside: they come from the unit's date)."""
    if by == "applicant":
        return tuple(dict.fromkeys(_applicant(a) for a in record.applicants if a.strip()))
    if rule == "priority_office":
        found: tuple[str, ...] = (record.priority_office,) if record.priority_office else ()
    elif rule == "inventor":
        found = record.inventor_countries
    else:
        countries = record.applicant_countries + ("",) * (len(record.applicants) - len(record.applicant_countries))
        pairs = list(zip(record.applicants, countries, strict=False)) or [("", c) for c in countries]
        if rule == "first_applicant":
            pairs = pairs[:1]
        found = tuple(c or ((country_of(a) or "") if country_of and a else "") for a, c in pairs)
    return tuple(dict.fromkeys(sys.intern(c) for c in found if c))


@dataclass(frozen=True)
class Units:
    """Every dated unit of the landscape once, as (year, its groups); the range is not applied yet."""

    items: tuple[tuple[int, tuple[str, ...]], ...]
    read: int
    admitted: int
    undated: int


def units(records: Iterable[PatentRecord], landscape: Landscape, by: str = "country",
          country_of: CountryOf | None = None) -> Units:
    """One pass over the records: each unit of the landscape with its year and its groups."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}")
    admitted_fn = landscape.admits()
    unit, rule, field_name = landscape.unit, landscape.country_by, landscape.date_field
    earliest_rule = by == "country" and rule in ("first_applicant", "priority_office")
    # unit key -> [earliest date, earliest member's publication, group keys]
    found: dict[str, list] = {}
    read = admitted = undated = 0
    for record in records:
        read += 1
        if not admitted_fn(record):
            continue
        admitted += 1
        when = _date(record, field_name)
        if when is None:
            undated += 1
            continue
        key = _unit_key(record, unit)
        keys = () if by == "year" else _group_keys(record, by, rule, country_of)
        seen = found.get(key)
        if seen is None:
            found[key] = [when, record.publication, keys]
            continue
        earlier = (when, record.publication) < (seen[0], seen[1])
        if earliest_rule:
            if earlier:
                seen[2] = keys
        elif keys:
            seen[2] = tuple(dict.fromkeys((*seen[2], *keys)))
        if earlier:
            seen[0], seen[1] = when, record.publication
    names = landscape.countries if by == "country" else {}
    items = tuple((int(when[:4]), tuple(sorted({names.get(k, k) for k in keys})))
                  for when, _pub, keys in found.values())
    return Units(items, read, admitted, undated)


def tally(found: Units, by: str, year_from: int | None, year_to: int | None) -> tuple[Counter[str], int]:
    """Units per group within the years (a unit with no group counts under UNKNOWN), and the total."""
    counter: Counter[str] = Counter()
    total = 0
    for year, keys in found.items:
        if (year_from is not None and year < year_from) or (year_to is not None and year > year_to):
            continue
        total += 1
        if by == "year":
            counter[str(year)] += 1
        else:
            for group in keys or (UNKNOWN,):
                counter[group] += 1
    return counter, total


def count(records: Iterable[PatentRecord], landscape: Landscape, by: str = "country",
          country_of: CountryOf | None = None, exports: Iterable[str] = ()) -> Counts:
    """Count the landscape's units by country, applicant or year."""
    found = units(records, landscape, by, country_of)
    counter, total = tally(found, by, landscape.year_from, landscape.year_to)
    order = (lambda kv: kv[0]) if by == "year" else (lambda kv: (-kv[1], kv[0]))
    rows = tuple(CountRow(k, n, n / total if total else 0.0) for k, n in sorted(counter.items(), key=order))
    return Counts(by, landscape.hash, landscape, rows, total, found.read, found.admitted, found.undated,
                  tuple(exports))


@dataclass(frozen=True)
class Growth:
    first_year: int
    last_year: int
    first: int
    last: int
    cagr: float | None  # compound annual growth from first to last year; None when the first is zero
    yearly: tuple[tuple[int, int, float | None], ...]  # (year, count, change on the year before)


def growth(by_year: Counts) -> Growth | None:
    """Year-on-year change and compound growth of a by-year count (missing years count zero)."""
    if by_year.by != "year" or not by_year.rows:
        return None
    counts = {int(r.key): r.count for r in by_year.rows}
    years = range(min(counts), max(counts) + 1)
    yearly: list[tuple[int, int, float | None]] = []
    before: int | None = None
    for y in years:
        n = counts.get(y, 0)
        yearly.append((y, n, (n / before - 1) if before else None))
        before = n
    first, last = counts.get(years[0], 0), counts.get(years[-1], 0)
    span = years[-1] - years[0]
    cagr = (last / first) ** (1 / span) - 1 if first and span else None
    return Growth(years[0], years[-1], first, last, cagr, tuple(yearly))
