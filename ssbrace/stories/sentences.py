"""Sentences of a story's documents: wrapped lines joined into paragraphs first, offsets kept.

Plain text, Markdown and extracted web text are often hard-wrapped, so a line break is not a
sentence boundary. The lines of a paragraph (between blank lines) are joined, except where a line
stands on its own: a heading, a list item, a table row, a boilerplate line ("Sources: ...", "By
..."), or a short title line with no final stop followed by a capitalised line. Each joined block
is then split by the extractor's sentence splitter, and every sentence keeps the offsets of its
first and last characters in the original text, so claims' evidence offsets still meet it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from ssbrace.errors import DomainPackError
from ssbrace.extract.sentences import DEFAULT_ABBREVIATIONS, DEFAULT_OPENERS
from ssbrace.extract.sentences import split_sentences as split_plain
from ssbrace.stories.boilerplate import DEFAULT_MATCHER, BoilerplateMatcher, boilerplate_matcher

_HEADING = re.compile(r"[ \t]{0,3}#{1,6}(?:[ \t]|$)")
_RULE = re.compile(r"[ \t]*(?:(?:[-*_=][ \t]*){3,}|```.*|~~~.*)$")  # rules, setext underlines, fences
_ITEM = re.compile(r"[ \t]*(?:[-*+\u2022\u25aa\u2023]|\d{1,3}[.)])[ \t]+(?=\S)")
_TABLE = re.compile(r"[ \t]*\|")
_QUOTE = re.compile(r"[ \t]*(?:>[ \t]?)+")
_ENDS = ".!?:;,\u2026\"'\u201d\u2019)]"  # a line ending in one of these is not a title line
TITLE_SHARE = 0.6  # a line shorter than this share of its paragraph's widest line may be a title


@dataclass(frozen=True)
class Sentence:
    text: str  # the sentence as a reader sees it: wrapped lines joined by single spaces
    start: int  # offset of its first character in the original text
    end: int  # offset just after its last character in the original text
    index: int  # position in its document, 0 = first
    kind: str = "text"  # text | heading | item | table | boilerplate


@dataclass(frozen=True)
class TextRules:
    """How a domain's texts are cut: abbreviations, sentence openers, boilerplate lines."""

    abbreviations: frozenset[str] = DEFAULT_ABBREVIATIONS
    openers: frozenset[str] = DEFAULT_OPENERS
    boilerplate: BoilerplateMatcher = DEFAULT_MATCHER
    max_chars: int = 1200


DEFAULT_RULES = TextRules()


@cache
def text_rules(domain: str) -> TextRules:
    """The rules of a domain pack's vocabulary; the defaults when the pack cannot be loaded."""
    from ssbrace.domains.loader import load_domain

    try:
        vocab = load_domain(domain).vocabulary
    except DomainPackError:
        return DEFAULT_RULES
    return TextRules(
        abbreviations=frozenset(str(a) for a in vocab.abbreviations or DEFAULT_ABBREVIATIONS),
        openers=frozenset(str(a) for a in vocab.sentence_openers or DEFAULT_OPENERS),
        boilerplate=boilerplate_matcher(str(p) for p in vocab.boilerplate_prefixes or ()),
        max_chars=int(vocab.max_sentence_chars or 1200),
    )


@dataclass
class _Block:
    """Joined text and where each of its pieces came from in the original."""

    kind: str
    text: str = ""
    starts: list[int] | None = None  # offset in ``text`` where each piece begins
    origins: list[int] | None = None  # offset in the original where that piece begins

    def add(self, original_start: int, piece: str, separator: str) -> None:
        if self.starts is None or self.origins is None:
            self.starts, self.origins = [], []
        if self.text:
            self.text += separator
        self.starts.append(len(self.text))
        self.origins.append(original_start)
        self.text += piece

    def original(self, offset: int) -> int:
        """The original offset of a character of the joined text."""
        assert self.starts is not None and self.origins is not None
        k = bisect.bisect_right(self.starts, offset) - 1
        return self.origins[k] + offset - self.starts[k]


@dataclass(frozen=True)
class _Line:
    start: int  # original offset of the content (after any marker)
    content: str  # the line without its marker and trailing white space
    kind: str  # text | heading | item | table | rule | blank | boilerplate
    continues_item: bool = False  # an indented line under a list item


def _lines(text: str, rules: TextRules) -> list[_Line]:
    lines = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        start = pos
        pos += len(raw)
        stripped = body.rstrip()
        if not stripped.strip():
            lines.append(_Line(start, "", "blank"))
            continue
        if _RULE.match(stripped):
            lines.append(_Line(start, "", "rule"))
            continue
        kind, skip = "text", 0
        if m := _HEADING.match(stripped):
            kind, skip = "heading", m.end()
        elif _TABLE.match(stripped):
            kind = "table"
        elif m := _ITEM.match(stripped):
            kind, skip = "item", m.end()
        elif m := _QUOTE.match(stripped):
            skip = m.end()
        else:
            skip = len(stripped) - len(stripped.lstrip())
        content = stripped[skip:].strip()
        if not content:  # a bare marker: "#", ">"
            lines.append(_Line(start, "", "blank"))
            continue
        skip += len(stripped[skip:]) - len(stripped[skip:].lstrip())
        if kind in ("text", "item") and rules.boilerplate(content):
            kind = "boilerplate"
        indented = body[:1] in (" ", "\t")
        lines.append(_Line(start + skip, content, kind, continues_item=indented and kind == "text"))
    return lines


def _is_title_line(line: _Line, nxt: _Line, width: int) -> bool:
    """A short line with no final stop followed by a capitalised one: a title, not wrapped prose."""
    content = line.content
    if content.endswith(tuple(_ENDS)) or len(content) >= TITLE_SHARE * width:
        return False
    first = nxt.content[:1]
    return first.isupper() or first.isdigit() or first in "\"'\u201c\u2018("


def _blocks(text: str, rules: TextRules) -> list[_Block]:
    lines = _lines(text, rules)
    blocks: list[_Block] = []
    current: _Block | None = None
    # the widest line of each paragraph tells wrapped prose from short title lines
    widths: list[int] = []
    width = 0
    for line in reversed(lines):
        width = 0 if line.kind in ("blank", "rule") else max(width, len(line.content))
        widths.append(width)
    widths.reverse()
    for i, line in enumerate(lines):
        if line.kind in ("blank", "rule"):
            current = None
            continue
        if line.kind in ("heading", "table", "boilerplate"):
            blocks.append(_Block(line.kind))
            blocks[-1].add(line.start, line.content, " ")
            current = None
            continue
        joinable = current is not None and (
            line.kind == "text"
            and (current.kind == "text" or line.continues_item or line.content[:1].islower())
        )
        if current is None or not joinable:
            current = _Block("item" if line.kind == "item" else "text")
            blocks.append(current)
            current.add(line.start, line.content, " ")
        else:
            # "all-solid-" + "state": a word broken at its own hyphen joins without a space
            hyphen = (
                current.text.endswith("-") and current.text[-2:-1].isalpha() and line.content[:1].isalpha()
            )
            current.add(line.start, line.content, "" if hyphen else " ")
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        # only a block's first line can be a title: inside wrapped prose a short line is a wrap
        alone = current.starts is not None and len(current.starts) == 1
        if alone and nxt is not None and nxt.kind == "text" and _is_title_line(line, nxt, widths[i]):
            current = None
    return blocks


def split_sentences(text: str, rules: TextRules = DEFAULT_RULES) -> list[Sentence]:
    """The sentences of a document, wrapped lines joined, with offsets into ``text``."""
    out: list[Sentence] = []
    for block in _blocks(text, rules):
        pieces: Iterable[tuple[str, int, int]]
        if block.kind in ("text", "item"):
            pieces = (
                (s.text, s.start, s.end)
                for s in split_plain(
                    block.text,
                    abbreviations=rules.abbreviations,
                    openers=rules.openers,
                    max_chars=rules.max_chars,
                )
            )
        else:
            pieces = [(block.text, 0, len(block.text))]
        for piece, start, end in pieces:
            kind = block.kind
            if kind in ("text", "item") and rules.boilerplate(piece):
                kind = "boilerplate"
            out.append(Sentence(piece, block.original(start), block.original(end - 1) + 1, len(out), kind))
    return out
