"""The one shape every patent export is read into: a publication, as the counting functions see it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class PatentRecord:
    """One publication of an export, whatever service it came from.

    Dates are ISO strings (``YYYY-MM-DD``) or None: exports write them many ways, and a string compares,
    hashes and stores cheaply. Countries are two-letter codes as the export writes them ("" if unknown);
    ``applicant_countries`` runs parallel to ``applicants`` (first applicant first).
    """

    publication: str  # the export's own key: Lens ID, publication number, US patent id
    jurisdiction: str = ""
    kind: str = ""
    publication_date: str | None = None
    filing_date: str | None = None
    priority_date: str | None = None
    priority_office: str = ""
    simple_family: str = ""  # "" when the export gives no family: the publication stands alone
    extended_family: str = ""
    applicants: tuple[str, ...] = ()
    applicant_countries: tuple[str, ...] = ()
    inventor_countries: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # CPC and IPC codes, normalised by ``normalise_code``
    title: str = ""


@lru_cache(maxsize=65536)  # an export repeats a few thousand codes millions of times
def normalise_code(code: str) -> str:
    """A classification code without spaces or leading zeros of the main group: "H01M 10/0562" and
    "H01M10/0562" and "H01M  010/0562" are one code."""
    text = "".join(code.split()).upper()
    if len(text) > 4 and "/" in text:
        head, group = text[:4], text[4:]
        main, _, sub = group.partition("/")
        text = f"{head}{main.lstrip('0') or '0'}/{sub}"
    return text
