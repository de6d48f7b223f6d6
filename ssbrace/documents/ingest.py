"""The documents stage of ingestion: a fetched document read into one text, and what happened to each input.

``ssbrace.pipeline`` drives it: ``sources.routing`` says which documents an input holds and fetches them,
``read_raw`` reads each into a text with its duplicate keys, and the pipeline stores it, duplicates
checked, in the document's own transaction.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura
from datasketch import MinHash

from ssbrace.documents.dedup import minhash_of, sha256_of
from ssbrace.documents.text import check_text_size, extract_main_text, read_file
from ssbrace.models import ExtractedText
from ssbrace.sources.files import HTML_SUFFIXES, MARKDOWN_SUFFIXES
from ssbrace.sources.routing import Raw

log = logging.getLogger(__name__)

STATUSES = ("new", "near_duplicate", "duplicate", "unchanged", "failed")
PLAIN_EXTRACTOR = "ssbrace-text-1"
HTML_EXTRACTOR = f"trafilatura-{trafilatura.__version__}"


@dataclass
class ItemResult:
    """What happened to one input (a file, a page, a feed entry)."""

    input: str
    status: str  # one of STATUSES
    reason: str = ""
    document_id: int | None = None
    title: str | None = None
    duplicate_of: int | None = None
    similarity: float | None = None
    claims: int = 0


@dataclass
class IngestResult:
    items: list[ItemResult] = field(default_factory=list)

    def add(self, item: ItemResult) -> ItemResult:
        """Record (and log) one input's outcome."""
        log.info("%s: %s%s", item.input, item.status, f" ({item.reason})" if item.reason else "")
        self.items.append(item)
        return item

    def counts(self) -> dict[str, int]:
        counter = Counter(item.status for item in self.items)
        return {status: counter.get(status, 0) for status in STATUSES}

    @property
    def failed(self) -> list[ItemResult]:
        return [item for item in self.items if item.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class Text:
    """A document read: its text and metadata, the type it is stored as, and its duplicate keys."""

    extracted: ExtractedText
    content_type: str | None
    sha256: str
    signature: MinHash

    @property
    def extractor_version(self) -> str:
        return HTML_EXTRACTOR if self.extracted.extra.get("format") == "html" else PLAIN_EXTRACTOR


def read_raw(raw: Raw, *, max_bytes: int | None = None, max_text_chars: int | None = None) -> Text:
    """Read a fetched document into its text; InputError when it is unreadable, empty or too long."""
    if raw.path is not None:
        # A file's own cap (its source's, ``sources add --max-bytes``) over the run's.
        extracted = read_file(raw.path, max_bytes=raw.max_bytes if raw.max_bytes is not None else max_bytes)
        content_type: str | None = _file_content_type(raw.path, extracted)
    else:
        extracted = extract_main_text(raw.body or "", url=raw.url, content_type=raw.header)
        content_type = raw.content_type
    if raw.from_feed:  # the feed's own metadata fills what the page does not say
        extracted.title = extracted.title or raw.title
        extracted.author = extracted.author or raw.author
        extracted.published = extracted.published or raw.published
    check_text_size(extracted.text, max_text_chars)
    return Text(extracted, content_type, sha256_of(extracted.text), minhash_of(extracted.text))


def _file_content_type(path: Path, extracted: ExtractedText) -> str:
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES or extracted.extra.get("format") == "html":
        return "text/html"
    if suffix in MARKDOWN_SUFFIXES:
        return "text/markdown"
    return "text/plain"
