"""Large hostile inputs, written at test time so that megabytes are never committed.

Each entry is a file name and a function of no arguments giving its bytes. The names' suffixes decide
how ``ingest`` and ``extract`` read them, as for any file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

_SENTENCE = "Solid electrolytes are made in two new plants this year. "


def _html(body: str) -> bytes:
    return f"<html><head><title>t</title></head><body>{body}</body></html>".encode()


BIG_INPUTS: dict[str, Callable[[], bytes]] = {
    # Markdown patterns that backtracked: emphasis, links, headings; and the sentence splitter's trail.
    "backticks.md": lambda: ("`x " * 20_000).encode(),
    "stars.md": lambda: ("*x " * 20_000).encode(),
    "brackets.md": lambda: ("a [" * 20_000 + "\n" + _SENTENCE).encode(),
    "heading-spaces.md": lambda: ("# a" + " " * 60_000 + "x\n" + _SENTENCE).encode(),
    "header-field-spaces.txt": lambda: ("Title: x" + " " * 60_000 + "y\n" + _SENTENCE).encode(),
    "space-run.txt": lambda: ("a" + " " * 60_000 + "b. " + _SENTENCE).encode(),
    "dot-run.txt": lambda: ("a" + "." * 1_000_000 + "b " + _SENTENCE).encode(),
    # Shapes that hung past 60 s.
    "unclosed-doctype.html": lambda: b"<!DOCTYPE html" + b" x" * 500_000,
    "many-attributes.html": lambda: _html("<p " + " ".join(f"a{i}='v'" for i in range(100_000)) + ">x</p>"),
    "many-paragraphs.html": lambda: _html("<p>Plant two opens in 2027.</p>" * 100_000),
    "many-paragraphs.txt": lambda: ("Plant two opens in 2027.\n\n" * 100_000).encode(),
    "one-long-line.txt": lambda: ("word " * 1_000_000).encode(),
    "header-only.txt": lambda: ("Title: a\nDate: 2024-01-01\nAuthor: b\n" * 50_000).encode(),
    "number-run.txt": lambda: ("1" * 5_000_000).encode(),
    "numbers-spaced.txt": lambda: ("12.5 GWh 30% $4 " * 300_000).encode(),
    "nested-tags.html": lambda: _html("<div>" * 50_000 + _SENTENCE + "</div>" * 50_000),
    # feedparser handles one element's attributes in quadratic time: 40,000 (430 KB) keep it busy for about
    # half a minute, in Python or, from another thread, beyond the alarm's reach.
    "feed-many-attributes.xml": lambda: many_attributes_feed(40_000),
}


def many_attributes_feed(count: int) -> bytes:
    """An RSS feed whose one entry's title element carries ``count`` attributes."""
    attributes = " ".join(f"a{i}='v'" for i in range(count))
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Slow</title><item><title {attributes}>x"
            "</title><link>http://127.0.0.1:9/a</link></item></channel></rss>").encode()


def write_big_inputs(folder: Path) -> list[Path]:
    """Write every big hostile input into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, make in BIG_INPUTS.items():
        path = folder / name
        path.write_bytes(make())
        paths.append(path)
    return paths
