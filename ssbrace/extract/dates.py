"""The document's date, from metadata when ingestion found one, else from the text's header or dateline.

Relative years ("last year") and the year of money conversions are resolved against it.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
_MONTH = r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_ISO = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")
_MDY = re.compile(rf"{_MONTH}[ \t]+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?[ \t]+(?P<y>(?:19|20)\d\d)(?!\d)")
_DMY = re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[ \t]+{_MONTH},?[ \t]+(?P<y>(?:19|20)\d\d)(?!\d)")
_LABELLED = re.compile(r"(?im)^\W{0,40}(?:published|date|posted|updated|released|dateline)\s*[:\-]\s*(?P<rest>.{4,60})$")

# A wire dateline: "SEOUL, Dec. 3 (Yonhap) --", "TOKYO, June 16 (Jiji Press)--", "Feb 28 (Reuters) -".
_DATELINE = re.compile(
    rf"(?m)^[ \t]*(?:[A-Z][A-Za-z.\- ]{{1,30}},[ \t]*)?{_MONTH}[ \t]+(?P<d>\d{{1,2}})(?:,?[ \t]+(?P<y>(?:19|20)\d\d))?"
    r"[ \t]*(?:\((?:[A-Z][\w&. ]{1,30})\))?[ \t]*(?:--|—|–|-)"
)

# Only the header of a text is searched: a date deep in the body is about an event, not the document.
HEADER_CHARS = 1500


def parse_date(text: str) -> date | None:
    """The first date written in ``text`` ("2024-06-16", "June 16, 2024", "16 June 2024")."""
    best: tuple[int, date] | None = None
    for rx in (_ISO, _MDY, _DMY):
        match = rx.search(text)
        if not match:
            continue
        found = _to_date(match)
        if found and (best is None or match.start() < best[0]):
            best = (match.start(), found)
    return best[1] if best else None


def document_date(text: str, published: date | None = None) -> date | None:
    """``published`` when known, else a labelled date, else the first full date in the header."""
    if published is not None:
        return published
    head = text[:HEADER_CHARS]
    labelled = _LABELLED.search(head)
    if labelled:
        found = parse_date(labelled.group("rest"))
        if found:
            return found
    found = parse_date(head)
    if found:
        return found
    return _dateline(head)


def _dateline(head: str) -> date | None:
    """A dateline's date. One without a year ("Feb 28 (Reuters) -") gives none: the years a header names
    are as often the goals it reports as the year it was written, so guessing would misplace "next year"."""
    match = _DATELINE.search(head)
    if not match or match.group("y") is None:
        return None
    try:
        return date(int(match.group("y")), _MONTHS[match.group("mon")[:3].lower()], int(match.group("d")))
    except ValueError:
        return None


def _to_date(match: re.Match[str]) -> date | None:
    try:
        year = int(match.group("y"))
        day = int(match.group("d"))
        groups = match.groupdict()
        if groups.get("mon"):
            month = _MONTHS[groups["mon"][:3].lower()]
        else:
            month = int(groups["m"])
        return date(year, month, day)
    except (ValueError, KeyError):
        return None
