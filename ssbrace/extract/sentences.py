"""Sentence splitting with character offsets into the extracted text.

Linear in the input: one pass of a simple regex over candidate boundaries. Robust to headlines and list
items without final punctuation (a line break ends a sentence unless the next line continues it in lower
case), to abbreviations ("U.S.", "Co.", "Corp.") and decimals, and capped in length so that a 5,000-word
run without punctuation is cut into chunks instead of becoming one huge sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# A candidate boundary: terminal punctuation (with closing quotes/brackets) before white space, or a newline.
# Only tried where a run of punctuation starts, and possessive: a 5 MB run of dots is scanned once, not
# once per dot (the plain "+" made that quadratic).
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+(?=\s)|\n")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]{0,12})[.!?…]*[\"'”’)\]]*$")
_NEXT_WORD = re.compile(r"\s*[\"'“‘(\[]?([^\s]*)")
_LIST_NUMBER = re.compile(r"(?:^|\n)[ \t]*\d{1,2}\.$")
_INITIALS = re.compile(r"^(?:[A-Za-z]\.){1,4}$|^[A-Z]$")
_BULLET = re.compile(r"[\s*•·▪‣–—#>|-]*")
_SOFT_CUT = re.compile(r"[,;:]\s|\s")

DEFAULT_ABBREVIATIONS = frozenset({"Co", "Corp", "Inc", "Ltd", "Mr", "Mrs", "Ms", "Dr", "Prof", "St", "No", "vs"})
# "Dec. 3": a month's abbreviation before a day (datelines) does not end a sentence.
_MONTHS = frozenset({"Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"})
DEFAULT_OPENERS = frozenset({"The", "It", "This", "A", "An", "In", "But", "However", "They", "We"})


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its text and [start, end) offsets in the document text."""

    text: str
    start: int
    end: int


def split_sentences(
    text: str,
    *,
    abbreviations: Iterable[str] = DEFAULT_ABBREVIATIONS,
    openers: Iterable[str] = DEFAULT_OPENERS,
    max_chars: int = 1200,
) -> list[Sentence]:
    """Split ``text`` into sentences with offsets; never returns an empty or whitespace-only sentence."""
    abbrev = frozenset(abbreviations)
    opener_set = frozenset(openers)
    out: list[Sentence] = []
    start = 0
    width = wrap_width(text)
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if match.group() == "\n":
            if _continues(text, match.start(), end) or (width and _wrapped(text, match.start(), end, width)):
                continue
        elif not _ends_sentence(text, match.start(), end, abbrev, opener_set):
            continue
        out.extend(_emit(text, start, end, max_chars))
        start = end
    out.extend(_emit(text, start, len(text), max_chars))
    return out


def _continues(text: str, newline: int, after: int) -> bool:
    """A single newline inside wrapped prose: previous line has no final stop, next starts in lower case."""
    if after < len(text) and text[after] == "\n":
        return False
    prev = text[max(0, newline - 1) : newline]
    nxt = text[after : after + 1]
    return bool(prev) and prev not in ".!?:;\"”'’)" and nxt.islower()


def wrap_width(text: str) -> int:
    """The width a hard-wrapped text was wrapped at (e-mail, wire copy, plain-text releases), else 0.

    Wrapped prose has most of its long lines within a few characters of one width; a page of headlines,
    list items and paragraphs does not.
    """
    if text.count("\n") < 4:
        return 0
    lengths = [len(line.rstrip()) for line in text.split("\n")[:400]]
    long = [n for n in lengths if n >= 40]
    if len(long) < 4:
        return 0
    width = max(long)
    near = sum(1 for n in long if n >= width - 16)
    return width if width <= 110 and near >= 0.7 * len(long) else 0


def _wrapped(text: str, newline: int, after: int, width: int) -> bool:
    """A line of hard-wrapped prose that runs on: full width, no final stop, the next line not blank."""
    if after >= len(text) or text[after] in "\n\r" or text[after].isspace():
        return False
    line_start = text.rfind("\n", 0, newline) + 1
    line = text[line_start:newline].rstrip()
    return len(line) >= width - 16 and line[-1:] not in ".!?:;\"”’)" and not _BULLET.fullmatch(line[:2])


def _ends_sentence(text: str, stop: int, end: int, abbrev: frozenset[str], openers: frozenset[str]) -> bool:
    """Decide whether the punctuation at ``stop`` ends a sentence."""
    if text[stop] != ".":
        return True
    if _LIST_NUMBER.search(text, max(0, stop - 4), stop + 1):
        return False  # "1. CATL - 36.8%": a list marker, not a sentence end
    window = text[max(0, stop - 14) : end]
    last = _LAST_WORD.search(window)
    word = last.group(1).rstrip(".") if last else ""
    nxt = _NEXT_WORD.match(text, end, min(len(text), end + 40))
    next_word = nxt.group(1) if nxt else ""
    if not next_word:
        return True
    if next_word[0].islower() or next_word[0].isdigit() and (word in abbrev or word in _MONTHS):
        return False
    if word in abbrev or _INITIALS.match(word + "."):
        # "Toyota Motor Corp. said" or "the U.S. Department": only a common opener starts a new sentence.
        return next_word.strip("\"'“‘(,") in openers
    return True


def _emit(text: str, start: int, end: int, max_chars: int) -> Iterator[Sentence]:
    """Trim bullets and white space, then cut over-long spans at a soft break near ``max_chars``."""
    lead = _BULLET.match(text, start, end)
    if lead:
        start = lead.end()
    # str.rstrip, not a "\s+$" search, which rescans a long run of spaces from each of its positions.
    end = start + len(text[start:end].rstrip())
    while end - start > max_chars:
        cut = _soft_cut(text, start, start + max_chars)
        yield Sentence(text[start:cut].rstrip(), start, start + len(text[start:cut].rstrip()))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield Sentence(text[start:end], start, end)


def _soft_cut(text: str, start: int, limit: int) -> int:
    """The last comma, semicolon or space before ``limit`` (not too early), else ``limit``."""
    floor = start + (limit - start) // 2
    best = -1
    for match in _SOFT_CUT.finditer(text, floor, limit):
        best = match.end()
    return best if best > floor else limit
