"""Reported patent figures set beside the counts computed from the loaded exports.

A reported figure ("over 7,000 filings from 2000 to 2023", "36.7% of filings") names its subject and
period but not how it was counted. For each one the computed figure under the pack's definition is given,
how far apart the two are, and which other choices (unit, country rule) would bring them together. Pure:
records and claims in, comparisons out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ssbrace.kb.records import ClaimRecord
from ssbrace.patents.computed import is_computed
from ssbrace.patents.counting import CountryOf, Units, tally, units
from ssbrace.patents.landscape import COUNTRY_RULES, UNITS, Landscape, unit_label
from ssbrace.patents.records import PatentRecord

# A computed figure within this fraction of the reported one "explains" it.
CLOSE = 0.15
KINDS = ("patents", "patent_share")


@dataclass(frozen=True)
class Variant:
    unit: str
    country_by: str
    value: float

    def describe(self) -> str:
        return f"{unit_label(self.unit)}, {self.country_by.replace('_', ' ')}"


@dataclass(frozen=True)
class PatentGap:
    """One reported figure and what the exports give for the same subject and period."""

    claim: ClaimRecord
    computed: float  # a count, or a share in percent
    definition: str
    year_from: int | None
    year_to: int | None
    gap: float | None  # reported / computed - 1; None when nothing was computed
    explained_by: tuple[Variant, ...]  # other choices within CLOSE of the reported figure
    closest: Variant | None
    exports: tuple[str, ...]
    landscape: Landscape
    sources: tuple[str, ...] = ()  # each export as "name (sha256 ..., N rows)", when known

    @property
    def entity(self) -> str:
        return self.claim.subject

    def computed_short(self) -> str:
        """The computed figure and its years (the definition is the same for every gap of one check)."""
        lc = self.landscape
        figure = (f"{self.computed:.1f}% of {unit_label(lc.unit)}" if self.claim.kind == "patent_share"
                  else f"{self.computed:,.0f} {unit_label(lc.unit)}")
        return f"{figure}, {lc.date_field} years {self.year_from or '…'}-{self.year_to or '…'}"

    def computed_text(self) -> str:
        lc = self.landscape
        return (f"{self.computed_short()} (country by {lc.country_by.replace('_', ' ')}; definition "
                f"{self.definition}; computed from export {', '.join(self.sources or self.exports)})")

    def gap_text(self) -> str:
        if self.gap is None:
            return "nothing computed to compare"
        ratio = self.gap + 1
        if ratio >= 2:
            return f"reported is {ratio:,.1f}x the computed figure"
        return f"reported is {abs(self.gap):.0%} {'above' if self.gap >= 0 else 'below'} the computed figure"

    def explanation(self) -> str:
        if self.explained_by:
            return "could be explained by counting " + "; or ".join(v.describe() for v in self.explained_by)
        if self.closest is not None:
            return (f"no unit or country rule explains it (closest: {self.closest.describe()}, "
                    f"{_figure(self.claim.kind, round(self.closest.value, 1))}); the study's codes, keywords or "
                    "coverage differ")
        return ""

    def summary(self) -> str:
        c = self.claim
        reported = _figure(c.kind, float(c.value or 0), c.bound)
        return (f"{c.subject}: reported {reported} ({_period(c)}, {c.source_name}); computed "
                f"{self.computed_text()}; {self.gap_text()}; {self.explanation()}")

    def as_dict(self) -> dict:
        return {"check": "patent_gap", "entity": self.entity, "kind": self.claim.kind,
                "reported": self.claim.value, "bound": self.claim.bound, "source": self.claim.source_name,
                "sentence": self.claim.sentence, "computed": self.computed, "definition": self.definition,
                "year_from": self.year_from, "year_to": self.year_to, "gap": self.gap,
                "explained_by": [v.__dict__ for v in self.explained_by],
                "closest": self.closest.__dict__ if self.closest else None, "exports": list(self.exports),
                "sources": list(self.sources or self.exports), "unit": self.landscape.unit,
                "country_by": self.landscape.country_by, "date_field": self.landscape.date_field,
                "gap_text": self.gap_text(), "explanation": self.explanation(), "summary": self.summary()}


def _figure(kind: str, value: float, bound: str = "eq") -> str:
    word = {"gt": "over ", "gte": "at least ", "lt": "under ", "lte": "at most ", "approx": "about "}.get(bound, "")
    return f"{word}{value:g}%" if kind == "patent_share" else f"{word}{value:,.0f}"


def _period(c: ClaimRecord) -> str:
    if c.year and c.year_end and c.year != c.year_end:
        return f"{c.year}-{c.year_end}"
    return str(c.year_end or c.year or "undated")


def comparable(claims: Iterable[ClaimRecord]) -> list[ClaimRecord]:
    """Reported patent counts and shares of a country or company with a value (computed ones are the other
    side of the comparison, never a reported figure)."""
    return [c for c in claims if c.kind in KINDS and c.value is not None and c.subject_type in ("country", "company")
            and (c.kind != "patent_share" or c.unit in (None, "%")) and not is_computed(c.extra)]


def compare(claims: Sequence[ClaimRecord], records: Iterable[PatentRecord], landscape: Landscape,
            country_of: CountryOf | None = None, company_of: Callable[[str], str | None] | None = None,
            exports: Sequence[str] = (), sources: Sequence[str] = ()) -> list[PatentGap]:
    """Each comparable claim against the exports: the pack's definition first, then every unit and rule."""
    wanted = comparable(claims)
    if not wanted:
        return []
    admits = landscape.admits()
    kept = [r for r in records if admits(r)]  # the landscape is usually a small part of an export
    tables: dict[tuple[str, str, str], Units] = {}

    def table(unit: str, rule: str, by: str) -> Units:
        key = (unit, rule, by)
        if key not in tables:
            variant = landscape.with_choices(unit=unit, country_by=rule)
            found = units(kept, variant, by, country_of)
            if by == "applicant" and company_of is not None:  # applicant names -> the gazetteer's companies
                found = Units(tuple((y, tuple(sorted({company_of(k) or k for k in keys}))) for y, keys in found.items),
                              found.read, found.admitted, found.undated)
            tables[key] = found
        return tables[key]

    def value(claim: ClaimRecord, unit: str, rule: str, lo: int | None, hi: int | None) -> float:
        by = "applicant" if claim.subject_type == "company" else "country"
        counter, total = tally(table(unit, rule, by), by, lo, hi)
        n = counter.get(claim.subject, 0)
        return 100 * n / total if claim.kind == "patent_share" else float(n)

    gaps = []
    for claim in sorted(wanted, key=lambda c: (c.subject, c.kind, c.year_end or 0, c.id)):
        lo = claim.year if claim.year is not None else landscape.year_from
        hi = claim.year_end if claim.year_end is not None else (claim.year if claim.year else landscape.year_to)
        computed = value(claim, landscape.unit, landscape.country_by, lo, hi)
        reported = float(claim.value or 0)
        rules = COUNTRY_RULES if claim.subject_type == "country" else ("applicant",)
        variants = [Variant(u, r, value(claim, u, r, lo, hi)) for u in UNITS for r in rules
                    if (u, r) != (landscape.unit, landscape.country_by)]
        close = tuple(v for v in variants if v.value and abs(reported / v.value - 1) <= CLOSE)
        closest = min(variants, key=lambda v: abs(v.value - reported), default=None)
        gap = reported / computed - 1 if computed else None
        if gap is not None and abs(gap) <= CLOSE:
            close = ()  # the definition itself agrees
        gaps.append(PatentGap(claim, computed, landscape.hash, lo, hi, gap, close, closest, tuple(exports), landscape,
                              tuple(sources)))
    return gaps
