"""Lines of an article that are not its news: sources, bylines, captions, links, dates, copyright.

All the patterns live here, as data: a brief never quotes these lines as bullets, and a story's
text comparison leaves out the header fields a file starts with. A domain pack can add labels
(the vocabulary's ``boilerplate_prefixes``); see ``boilerplate_matcher``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Header fields a file may start with ("Title: ...", "Date: ...", "Publisher: ..."); clustering skips them.
HEADER_FIELDS = ("title", "date", "published", "posted", "author", "by", "source", "publisher")

# Labels that open a line which says where the article came from, who made it or where to read on,
# when a colon, a bar or a dash follows them ("Sources: ...", "Photo | ...", "Related - ...").
LABELS = (
    *HEADER_FIELDS,
    "sources",
    "via",
    "authors",
    "written by",
    "reporting by",
    "writing by",
    "editing by",
    "additional reporting",
    "additional reporting by",
    "photo",
    "photos",
    "photo credit",
    "photograph",
    "image",
    "images",
    "image credit",
    "picture",
    "caption",
    "credit",
    "credits",
    "illustration",
    "video",
    "graphic",
    "related",
    "related articles",
    "related stories",
    "related coverage",
    "related content",
    "see also",
    "read more",
    "read also",
    "also read",
    "more",
    "more on this",
    "recommended",
    "most read",
    "trending",
    "advertisement",
    "sponsored",
    "subscribe",
    "newsletter",
    "tags",
    "topics",
    "filed under",
    "categories",
    "share",
    "share this",
    "updated",
    "last updated",
    "first published",
    "dateline",
    "contact",
    "media contact",
    "press contact",
    "email",
    "e-mail",
    "tel",
    "phone",
    "follow",
    "follow us",
    "disclaimer",
    "editor's note",
    "copyright",
)

# Phrases that make a line boilerplate wherever they start it, colon or not.
OPENING_PHRASES = (
    "read more",
    "read the full",
    "read the original",
    "click here",
    "sign up",
    "subscribe to",
    "follow us",
    "share this",
    "this article was",
    "this story was",
    "all rights reserved",
    "(reporting by",
    "(writing by",
    "(editing by",
    "(additional reporting",
)

# Anywhere in a line: a copyright notice.
ANYWHERE = (
    r"\u00a9",
    r"\(c\)\s*(?:19|20)\d\d",
    r"\ball rights reserved\b",
    r"^copyright\s+(?:\(c\)|(?:19|20)\d\d)",
)

# "By Jane Doe", "By Jane Doe and John Roe, Staff Writers", "By J. Doe | Wire": names only, no verb.
_NAME = r"[A-Z][\w.'\u2019-]*"
_NAMES = rf"{_NAME}(?:\s+{_NAME}){{0,3}}"
BYLINE = (
    rf"[Bb][Yy]\s+{_NAMES}(?:\s*(?:,|and|&)\s*{_NAMES})*"
    rf"(?:\s+(?:in|for)\s+{_NAMES})*"
    rf"(?:\s*[|,/\u2013\u2014-]\s*{_NAMES})*\.?"
)


@dataclass(frozen=True)
class BoilerplateMatcher:
    """Tells whether a line or sentence is boilerplate rather than news."""

    labelled: re.Pattern[str]
    anywhere: re.Pattern[str]
    byline: re.Pattern[str]

    def __call__(self, text: str) -> bool:
        text = text.strip()
        if not text:
            return False
        return bool(self.labelled.match(text) or self.anywhere.search(text) or self.byline.fullmatch(text))


def _alternation(words: Iterable[str]) -> str:
    # longest first, and any run of spaces inside a label matches any white space
    unique = sorted({w.strip().casefold() for w in words if w and w.strip()}, key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in unique)


def boilerplate_matcher(extra_labels: Iterable[str] = ()) -> BoilerplateMatcher:
    """A matcher over the labels above plus ``extra_labels`` (a domain pack's own)."""
    labels = _alternation([*LABELS, *extra_labels])
    phrases = _alternation(OPENING_PHRASES)
    # the line may open with list or emphasis marks: "- Sources:", "**Photo:**", "_Related_ |"
    lead = r"[\s*_#>\u2022|-]*"
    labelled = re.compile(
        rf"{lead}(?:(?:{labels})[*_]*\s*[:|\u2013\u2014]|(?:{labels})\s+-\s|(?:{phrases})\b)", re.I
    )
    anywhere = re.compile("|".join(ANYWHERE), re.I)
    byline = re.compile(rf"{lead}{BYLINE}")
    return BoilerplateMatcher(labelled=labelled, anywhere=anywhere, byline=byline)


DEFAULT_MATCHER = boilerplate_matcher()
HEADER_FIELD = re.compile(rf"^\s*(?:{_alternation(HEADER_FIELDS)})\s*:.*$", re.I)
