"""Main text and metadata of one document: trafilatura for HTML, a light reader for text and Markdown."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path, PurePath

from ssbrace import budget
from ssbrace.documents import html_worker
from ssbrace.documents.dates import parse_date
from ssbrace.documents.encoding import decode_text
from ssbrace.documents.language import declared_language, guess_language
from ssbrace.documents.markdown import heading_text, strip_emphasis, strip_links
from ssbrace.errors import InputError
from ssbrace.models import ExtractedText
from ssbrace.sources.files import (
    HTML_SUFFIXES,
    MARKDOWN_SUFFIXES,
    SUPPORTED_SUFFIXES,
    display_path,
    read_capped,
)

# Below this many words a page has no usable main text (a login wall, an empty template).
MIN_WORDS = 5
# Longest main text analysed when the caller names no cap (the ``max_text_chars`` setting's default).
DEFAULT_MAX_TEXT_CHARS = 1_000_000
# A start tag longer than this loses its attributes before parsing: libxml2 and htmldate are quadratic in
# the attributes of one element (100,000 of them ran past 60 s). Real tags stay far below it.
_LONGEST_TAG = 4000
_OVERLONG_TAG = re.compile(r"<([A-Za-z][\w:-]{0,40}+)[^<>]{" + str(_LONGEST_TAG) + r",}+>")

_META_CHARSET = re.compile(rb"<meta\b[^>]*charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:(?><!--.*?-->)\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_WORDS = re.compile(r"\w+", re.U)


def word_count(text: str) -> int:
    return len(_WORDS.findall(text))


def _kind(content_type: str | None, filename: str | None, text_head: str) -> str:
    """html, markdown or text, from the content type, then the file name, then the content."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in {"text/html", "application/xhtml+xml"}:
        return "html"
    if media in {"text/markdown", "text/x-markdown"}:
        return "markdown"
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if media != "text/plain" and _HTML_START.match(text_head):
        return "html"
    return "text"


def _charset_of(content_type: str | None, raw: bytes) -> str | None:
    if content_type and "charset=" in content_type.lower():
        return content_type.lower().split("charset=", 1)[1].split(";")[0].strip("\"' ")
    match = _META_CHARSET.search(raw[:4096])
    return match.group(1).decode("ascii") if match else None


def extract_main_text(
    raw: bytes | str,
    *,
    url: str | None = None,
    content_type: str | None = None,
    filename: str | None = None,
) -> ExtractedText:
    """Main text, title, author, published date, language and publisher of one document.

    Args:
        raw: the page or file, as bytes (encoding detected) or text.
        url: where it came from, for trafilatura's metadata and the result.
        content_type: an HTTP Content-Type header value, if known.
        filename: a file name, whose suffix decides the format when there is no content type.

    Returns:
        The extracted text; ``extra["format"]`` is html, markdown or text.

    Raises:
        InputError: binary content, an encoding that cannot be worked out, or no main text.
    """
    if isinstance(raw, bytes):
        text = decode_text(raw, _charset_of(content_type, raw))
        declared = declared_language(raw)
    else:
        text = raw
        declared = None
    kind = _kind(content_type, filename, text[:2048])
    if kind == "html":
        result = _from_html(text, url, declared)
    else:
        result = _from_plain(text, markdown=kind == "markdown")
        result.url = url
    result.extra["format"] = kind
    if word_count(result.text) < MIN_WORDS:
        raise InputError("empty page: no main text found" if kind == "html" else "empty file: no text")
    if result.language is None:
        result.language = guess_language(result.text)
    return result


def check_text_size(text: str, max_chars: int | None = None) -> None:
    """Refuse a main text longer than ``max_chars`` (default ``DEFAULT_MAX_TEXT_CHARS``) before analysis.

    Raises:
        InputError: the text is over the cap.
    """
    limit = DEFAULT_MAX_TEXT_CHARS if max_chars is None else max_chars
    if limit > 0 and len(text) > limit:
        raise InputError(f"text too long: {len(text)} characters, more than max_text_chars {limit}")


def _from_html(html: str, url: str | None, declared: str | None) -> ExtractedText:
    if declared is None:
        declared = declared_language(html)
    html = _OVERLONG_TAG.sub(r"<\1>", html)
    stage = "extracting the main text of the page"
    if html_worker.should_isolate(html):
        # Off the main thread, or a page big enough to keep lxml busy in C: a child the budget can kill.
        doc = html_worker.extract_isolated(html, url, stage)
    else:
        try:
            with budget.interruptible(stage):
                doc = html_worker.main_text_fields(html, url)
        except budget.TimeBudgetExceeded:
            raise
        except Exception as exc:  # trafilatura/lxml raise many kinds on malformed markup
            raise InputError(f"cannot parse HTML: {type(exc).__name__}") from None
    if doc is None or not (doc["text"] or "").strip():
        raise InputError("empty page: no main text found")
    return ExtractedText(
        text=(doc["text"] or "").strip(),
        title=_clean(doc["title"]),
        author=_clean(doc["author"]),
        published=_iso_date(doc["date"]),
        language=declared,
        publisher=_clean(doc["sitename"]),
        url=url,
    )


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return parse_date(value)


def _clean(value: str | None) -> str | None:
    value = " ".join(value.split()) if value else None
    return value or None


# ---------------------------------------------------------------- plain text and Markdown

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
# The value is taken with str.strip(), not a lazy group: "(.+?)\s*$" was quadratic on long space runs.
_HEADER_FIELD_NAME = re.compile(r"\s*(title|date|published|posted|author|by|source|publisher)\s*:", re.I)
_BYLINE = re.compile(r"^\s*[Bb]y\s+([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3})\s*$")
# How far into a file header lines (title, date, byline) are looked for.
_HEADER_LINES = 12


def _header_field(line: str) -> tuple[str, str] | None:
    """("title", "Pilot lines") for "Title: Pilot lines"; None when the line is no header field."""
    name = _HEADER_FIELD_NAME.match(line)
    if name is None:
        return None
    value = line[name.end() :].strip()
    return (name.group(1).lower(), value) if value else None


def _strip_markdown(text: str) -> str:
    lines = []
    for line in text.splitlines():
        heading = heading_text(line)
        if heading is not None:
            line = heading
        elif line.lstrip().startswith(">"):
            line = line.lstrip()[1:].lstrip()
        elif re.fullmatch(r"\s*(```.*|[-*_]{3,})\s*", line):
            continue
        line = strip_emphasis(strip_links(line))
        lines.append(line)
    return "\n".join(lines)


def _from_plain(text: str, *, markdown: bool) -> ExtractedText:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fields: dict[str, str] = {}
    front = _FRONT_MATTER.match(text) if markdown else None
    if front:
        for line in front.group(1).splitlines():
            field = _header_field(line)
            if field:
                fields.setdefault(field[0], field[1].strip("\"' "))
        text = text[front.end() :]
    first_heading = None
    if markdown:
        for line in text.splitlines():
            heading = heading_text(line)
            if heading is not None:
                first_heading = heading
                break
        text = _strip_markdown(text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    dateline = None
    for line in lines[:_HEADER_LINES]:
        field = _header_field(line)
        if field:
            fields.setdefault(*field)
            continue
        byline = _BYLINE.match(line)
        if byline:
            fields.setdefault("by", byline.group(1))
        elif dateline is None and len(line) <= 60:
            dateline = parse_date(line)
    title = (
        fields.get("title")
        or first_heading
        or next((line for line in lines if not _header_field(line)), None)
    )
    published_text = fields.get("date") or fields.get("published") or fields.get("posted")
    published = parse_date(published_text) if published_text else dateline
    return ExtractedText(
        text=text,
        title=_clean(title[:300] if title else None),
        author=_clean(fields.get("author") or fields.get("by")),
        published=published,
        publisher=_clean(fields.get("publisher") or fields.get("source")),
    )


def read_file(path: str | Path, *, max_bytes: int | None = None) -> ExtractedText:
    """Read one .txt, .md or .html file and extract its text.

    ``max_bytes`` caps the bytes read (default ``DEFAULT_MAX_BYTES``); devices, pipes and sockets are
    refused.

    Raises:
        InputError: unsupported type, not a regular file, unreadable, too large, binary, or empty.
    """
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise InputError(f"unsupported file type {path.suffix or '(no suffix)'}: {display_path(path.name)}")
    raw = read_capped(path, max_bytes)
    return extract_main_text(raw, filename=path.name)
