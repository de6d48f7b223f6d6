"""What stories compare and briefs check: figures and the entities a text names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ssbrace.errors import DomainPackError
from ssbrace.stories.boilerplate import HEADER_FIELD

# --- figures ---

_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_NUMBER = re.compile(
    r"(?<![\w.,])(?<![A-Za-z]-)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!,\d)"
    r"(?:\s*(trillion|billion|million|thousand|bn|mn|tn|[mkb])\b)?",
    re.IGNORECASE,
)


_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# Calendar dates and year spans: not figures of the event ("June 16", "16 June", "2024-06-16", "2027-28")
_DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{4}/\d{2}/\d{2}\b|\b(?:19|20)\d{2}[-/\u2013](?:19|20)?\d{2}\b|\b"
    + _MONTHS
    + r"\s+\d{1,2}(?:st|nd|rd|th)?\b(?!\s*(?:%|,\d))"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTHS + r"(?=\s|$|[,.;])",
    re.IGNORECASE,
)


def strip_header_lines(text: str) -> str:
    """The text without the "Title: ...", "Date: ...", "Publisher: ..." lines a file may start with."""
    lines = text.splitlines()
    start = 0
    while start < len(lines) and (not lines[start].strip() or HEADER_FIELD.match(lines[start])):
        start += 1
    return "\n".join(lines[start:])


@dataclass(frozen=True)
class Figure:
    key: str  # the value normalised, so "1.2 billion" and "1,200 million" meet
    raw: str
    is_year: bool
    scaled: bool


def figures(text: str, *, skip_dates: bool = False) -> list[Figure]:
    """Every number in a text, normalised (thousands separators and scale words applied).

    With ``skip_dates`` the day numbers of calendar dates are left out.
    """
    if skip_dates:
        text = _DATE.sub(lambda m: " " * len(m.group(0)), text)
    found = []
    for match in _NUMBER.finditer(text):
        digits, scale = match.group(1), (match.group(2) or "").lower()
        value = float(digits.replace(",", ""))
        factor = _SCALES.get(scale, 1.0)
        plain = "," not in digits and "." not in digits and not scale
        is_year = plain and 1900 <= value <= 2100
        found.append(
            Figure(key=f"{value * factor:.6g}", raw=match.group(0), is_year=is_year, scaled=bool(scale))
        )
    return found


def figure_keys(text: str, *, with_years: bool = True) -> set[str]:
    """The normalised numbers of a text (years included unless asked otherwise)."""
    return {f.key for f in figures(text) if with_years or not f.is_year}


def telling_figures(text: str) -> set[str]:
    """Numbers that identify an event: no years, no small counts ("two plants", "3 firms")."""
    keys = set()
    for f in figures(text, skip_dates=True):
        if f.is_year:
            continue
        if not f.scaled and "." not in f.raw and float(f.key) < 10:
            continue
        keys.add(f.key)
    return keys


_YEAR = r"(?:19|20)\d{2}"
# "2027-28", "2027/2028", "2027 to 2028", "2027 or 2028", "between 2027 and 2028": one span of years.
# After a word the second year must be written in full ("in 2027 and 30 GWh" is no span).
_YEAR_SPAN = re.compile(
    rf"(?<![\w.,])({_YEAR})(?:\s*[-/\u2013\u2014]\s*((?:19|20)?\d{{2}})|\s+(?:to|or|and|through|until)\s+({_YEAR}))(?![\w%])",
    re.IGNORECASE,
)


def fact_figures(text: str) -> set[str]:
    """What a sentence states in figures, normalised so that paraphrases meet.

    Year spans count as their two ends and as a span ("2027-2028") however written ("2027-28" =
    "2027 or 2028"), number forms as their value ("$1.2bn" = "1,200 million"); the day numbers of
    calendar dates are left out.
    """
    keys: set[str] = set()

    def span(match: re.Match[str]) -> str:
        first = int(match.group(1))
        second = match.group(2) or match.group(3)
        last = int(second) if len(second) == 4 else first // 100 * 100 + int(second)
        if last > first:
            keys.update({str(first), str(last), f"{first}-{last}"})
            return " " * len(match.group(0))
        return match.group(0)  # "2027-05": not a span of years

    text = _YEAR_SPAN.sub(span, text)
    keys.update(f.key for f in figures(text, skip_dates=True))
    return keys


# --- entities named in a text ---


@dataclass(frozen=True)
class EntityIndex:
    """Names of the domain pack's entities, found in text by their names and aliases."""

    pattern: re.Pattern[str] | None
    canonical: dict[str, str]  # name or alias as written -> canonical name
    country: dict[str, str]  # canonical name -> its country (a country maps to itself)

    def find(self, text: str) -> set[str]:
        """Canonical names of the entities a text names."""
        if self.pattern is None or not text:
            return set()
        return {self.canonical[m.group(0)] for m in self.pattern.finditer(text)}

    def countries_of(self, names: set[str]) -> set[str]:
        return {self.country[n] for n in names if n in self.country}


EMPTY_INDEX = EntityIndex(pattern=None, canonical={}, country={})


def resolve_domain(domain: str | None) -> str:
    """The domain pack to use: the one named, else the setting."""
    if domain:
        return domain
    from ssbrace.settings import load_settings

    return load_settings().domain


@cache
def entity_index(domain: str) -> EntityIndex:
    """The entity index of a domain pack; empty when the pack cannot be loaded yet."""
    from ssbrace.domains.loader import load_domain

    try:
        pack = load_domain(domain)
    except DomainPackError:
        return EMPTY_INDEX
    canonical: dict[str, str] = {}
    country: dict[str, str] = {}
    gaz = pack.gazetteer

    def add(names: list[str], target: str) -> None:
        # names match in their exact case only: "US" must not match the word "us"
        for name in names:
            canonical.setdefault(name, target)

    for place in gaz.places:
        add([place.name, *place.aliases, *place.demonyms], place.name)
        if place.type == "country":
            country[place.name] = place.name
    for company in gaz.companies:
        add([company.name, *company.aliases], company.name)
        country[company.name] = company.country
    for program in gaz.programs:
        add([program.name, *program.aliases], program.name)
        country[program.name] = program.country
    for institution in gaz.institutions:
        add([institution.name, *institution.aliases], institution.name)
        if institution.country:
            country[institution.name] = institution.country
    if not canonical:
        return EMPTY_INDEX
    pattern = re.compile(r"(?<![\w])" + _longest_first(canonical) + r"(?![\w])")
    return EntityIndex(pattern=pattern, canonical=canonical, country=country)


def _longest_first(names: Iterable[str]) -> str:
    """One pattern for the names that matches, at a position, the longest name the rest of the pattern allows,
    as an alternation of them longest first would; written as a tree of their shared beginnings, so a position
    is tried once per letter rather than once per name (thousands of aliases made grouping read slowly)."""
    tree: dict[str, Any] = {}
    for name in names:
        node = tree
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here

    def branch(node: dict[str, Any]) -> str:
        ends = "" in node
        ways = []
        for char in sorted(k for k in node if k):
            literal, child = char, node[char]
            while len(child) == 1 and "" not in child:  # a run with one way on: one literal
                (char, child), = child.items()
                literal += char
            ways.append(re.escape(literal) + branch(child))
        if not ways:
            return ""
        body = ways[0] if len(ways) == 1 else "(?:" + "|".join(ways) + ")"
        # greedy: the longer names first, this one when what follows refuses them
        return f"(?:{body})?" if ends else body

    return branch(tree)


def marking_figures(text: str) -> set[str]:
    """Figures distinctive enough that two sentences sharing one about the same entity say the same.

    Year spans ("2027-28") and large or scaled figures ("1,000 km", "$1.2bn"); single years and
    small figures ("10%", "12 GWh") recur across different facts and do not count.
    """
    spans = {k for k in fact_figures(text) if "-" in k}
    return spans | {k for k in telling_figures(text) if float(k) >= 100}


# --- what placement compares of one document (``stories.cluster``) ---


@dataclass(frozen=True)
class Profile:
    """What a document names (entities) and states (telling figures), as placement compares them."""

    entities: frozenset[str]
    figures: frozenset[str]


def text_profile(title: str | None, text: str, index: EntityIndex) -> Profile:
    """The entities and figures of a title and text: pure, so a distributed run computes it on the worker
    that reads the document (``cluster.tasks``: no TF-IDF machinery imported there for it), and the
    driver only adds the claims' names."""
    body = f"{title or ''}\n{strip_header_lines(text)}"
    return Profile(entities=frozenset(index.find(body)), figures=frozenset(telling_figures(body)))


def with_claims(profile: Profile, names: Iterable[str]) -> Profile:
    """A text's profile with its claims' subjects and objects among its entities."""
    return Profile(entities=profile.entities | frozenset(names), figures=profile.figures)
