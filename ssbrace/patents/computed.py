"""Computed counts as claims: what the loaded exports give under one definition, written as claims of kind
``patents`` and ``patent_share`` whose evidence is their provenance (the exports and the definition), never
a sentence from the news. Pure: records in, figures and the text that carries them out.

The text is the body of one "computed" document per computation; each claim's evidence is one of its
lines, so the document page and the claim's JSON show where the number came from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ssbrace.patents.counting import UNKNOWN, CountryOf, Units, tally, units
from ssbrace.patents.landscape import Landscape, unit_label
from ssbrace.patents.records import PatentRecord

PROVENANCE = "computed"  # claim.extra["provenance"] of every computed claim
EXTRACTOR_VERSION = "patents-computed"  # the document's and the claims' version: never re-extracted
PUBLISHER = "ssbrace (computed from patent exports)"


def is_computed(extra: dict[str, Any] | None) -> bool:
    """Whether a claim (by its ``extra``) was computed from exports rather than reported."""
    return bool(extra) and extra.get("provenance") == PROVENANCE  # type: ignore[union-attr]


@dataclass(frozen=True)
class ExportRef:
    """What a computation read: enough to find the export again and to tell one version from another."""

    id: int
    name: str
    digest: str
    records: int

    def describe(self) -> str:
        return f"{self.name} (sha256 {self.digest[:12]}, {self.records:,} rows)"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "digest": self.digest, "records": self.records}


@dataclass(frozen=True)
class Figure:
    """One computed count or share of a country or a company over the definition's years."""

    kind: str  # patents | patent_share
    subject: str
    subject_type: str  # country | company
    value: float
    count: int
    total: int


def text_digest(text: str) -> str:
    """The computed document's SHA-256 (documents are known by their text's hash)."""
    return hashlib.sha256(text.encode()).hexdigest()


def inputs_digest(landscape: Landscape, exports: Sequence[ExportRef]) -> str:
    """What a computation depends on: the definition and the exact exports. Equal digests, equal claims."""
    text = landscape.hash + "|" + "|".join(sorted(e.digest for e in exports))
    return hashlib.sha256(text.encode()).hexdigest()


def figures(records: Iterable[PatentRecord], landscape: Landscape, country_of: CountryOf | None = None,
            company_of: Callable[[str], str | None] | None = None,
            places: frozenset[str] | None = None) -> tuple[list[Figure], tuple[int | None, int | None]]:
    """Count and share of every country (among ``places`` when given) and of every gazetteer company over
    the definition's years, and the years actually covered (the definition's range, else the data's)."""
    admits = landscape.admits()
    kept = [r for r in records if admits(r)]  # two passes over the landscape, not over the export
    by_country = units(kept, landscape, "country", country_of)
    found: list[Figure] = []
    lo, hi = _years(by_country, landscape)
    counter, total = tally(by_country, "country", landscape.year_from, landscape.year_to)
    offices = {landscape.countries.get(code) for code in ("EP", "WO")}
    for name, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
        if name == UNKNOWN or name in offices or len(name) <= 2 or (places is not None and name not in places):
            continue
        found += _pair(name, "country", n, total)
    if company_of is not None:
        by_applicant = units(kept, landscape, "applicant")
        # applicant names -> the gazetteer's companies, a unit counted once per company (as the gap check does)
        companies = Units(tuple((y, tuple(sorted({c for k in keys if (c := company_of(k))}))) for y, keys in
                                by_applicant.items), by_applicant.read, by_applicant.admitted, by_applicant.undated)
        counter, total = tally(companies, "applicant", landscape.year_from, landscape.year_to)
        for name, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
            if name != UNKNOWN:
                found += _pair(name, "company", n, total)
    return found, (lo, hi)


def _pair(subject: str, subject_type: str, n: int, total: int) -> list[Figure]:
    return [Figure("patents", subject, subject_type, float(n), n, total),
            Figure("patent_share", subject, subject_type, round(100 * n / total, 2) if total else 0.0, n, total)]


def _years(found: Units, landscape: Landscape) -> tuple[int | None, int | None]:
    years = [y for y, _ in found.items if (landscape.year_from is None or y >= landscape.year_from)
             and (landscape.year_to is None or y <= landscape.year_to)]
    return (landscape.year_from if landscape.year_from is not None else min(years, default=None),
            landscape.year_to if landscape.year_to is not None else max(years, default=None))


_ONE = {"publication": "publication", "simple_family": "simple family", "extended_family": "extended family"}


@dataclass(frozen=True)
class ComputedText:
    """The computed document: its title, its text, and each figure's line in it (start, end)."""

    title: str
    text: str
    spans: tuple[tuple[int, int], ...]


def choices_text(landscape: Landscape, years: tuple[int | None, int | None]) -> str:
    lo, hi = years
    return (f"{unit_label(landscape.unit)}, country by {landscape.country_by.replace('_', ' ')}, "
            f"{landscape.date_field} years {lo or '…'}-{hi or '…'}")


def compose(found: Sequence[Figure], landscape: Landscape, exports: Sequence[ExportRef],
            years: tuple[int | None, int | None]) -> ComputedText:
    """The document's text: a head naming the exports and the definition, then one line per figure that
    repeats them, so a claim's evidence alone says how it was computed."""
    names = ", ".join(e.name for e in exports)
    source = f"from export {', '.join(e.describe() for e in exports)} with definition {landscape.hash}"
    head = (f"Computed by ssbrace, not reported by any publisher. Patent counts {source} "
            f"({choices_text(landscape, years)}; {len(landscape.codes)} codes, {len(landscape.keywords)} "
            "keywords).\n\n")
    parts = [head]
    spans = []
    at = len(head)
    label = unit_label(landscape.unit)
    lo, hi = years
    period = f"{landscape.date_field} years {lo or '…'}-{hi or '…'}"
    for f in found:
        figure = (f"{f.value:g}% of {f.total:,} {label}" if f.kind == "patent_share"
                  else f"{f.count:,} {label if f.count != 1 else _ONE[landscape.unit]}")
        line = (f"Computed: {f.subject}, {figure} ({period}, country by {landscape.country_by.replace('_', ' ')})"
                f" {source}.")
        spans.append((at, at + len(line)))
        parts.append(line + "\n")
        at += len(line) + 1
    return ComputedText(f"Patent counts computed from {names} with definition {landscape.hash}", "".join(parts),
                        tuple(spans))
