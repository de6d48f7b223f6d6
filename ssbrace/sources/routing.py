"""Input routing: what an input is (a file, a folder, a page, a feed) and which documents it holds.

Routing fetches but neither reads texts nor stores anything. Each document it finds is a ``Found``
whose ``fetch`` brings its raw form (the caller runs it under the document's time budget, and the
documents stage reads the text); what the store knows of sources (validators for a conditional GET,
feed entries stored already) comes in through a ``SourceBook``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import httpx

from ssbrace import budget
from ssbrace.errors import FetchError, InputError, SsbraceError
from ssbrace.sources.feeds import FeedEntry, looks_like_feed, looks_like_html, parse_feed_within_budget
from ssbrace.sources.files import display_path, expand_path_with_skips
from ssbrace.sources.options import SourceOptions
from ssbrace.sources.web import FEED_TYPES, FetchedPage, FetchOptions, fetch, make_client

if TYPE_CHECKING:
    from ssbrace.sources.archives import ArchiveStats

# A feed entry whose own content has at least this many words is taken as the full text.
FULL_TEXT_MIN_WORDS = 120
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_TAG = re.compile(r"<[^<>]+>")
_WORD = re.compile(r"\w+", re.U)


def is_url(text: str) -> bool:
    """True for anything with a scheme (http://, ftp://...): those are never read as paths."""
    return bool(_SCHEME.match(text))


@dataclass(frozen=True)
class KnownSource:
    """What the store knows of a source from its last poll."""

    id: int
    kind: str
    etag: str | None
    last_modified: str | None
    last_status: str | None
    options: SourceOptions = SourceOptions()  # what it was registered with, applied when it is polled


class SourceBook(Protocol):
    """The store's register of sources, as routing needs it (``ssbrace.pipeline`` keeps one over kb)."""

    def find(self, location: str) -> KnownSource | None: ...

    def register(self, location: str, kind: str, name: str | None, title: str | None = None) -> int:
        """The source's id, created if new; ``title`` names an unnamed source (a feed's own title)."""
        ...

    def record_poll(self, source_id: int, status: str, *, kind: str | None = None, etag: str | None = None,
                    last_modified: str | None = None, keep_validators: bool = False) -> None: ...

    def stored_locations(self, locations: list[str]) -> dict[str, int]:
        """Which of these locations are stored already: location -> document id."""
        ...


@dataclass(frozen=True)
class Raw:
    """A document as fetched, before its text is read."""

    path: Path | None = None  # a file, read by the documents stage
    body: bytes | str | None = None  # a page, or a feed entry's own HTML
    url: str | None = None
    header: str | None = None  # the Content-Type the text is decoded with
    content_type: str | None = None  # the type stored (a file's is known once it is read)
    # A feed entry's (or an archive line's) metadata, for what the page does not say itself.
    from_feed: bool = False
    title: str | None = None
    author: str | None = None
    published: date | None = None
    fetched_at: datetime | None = None  # when it was fetched, if not now (an archive record's WARC-Date)
    max_bytes: int | None = None  # a file's size cap when its source has one of its own, else the run's holds


@dataclass(frozen=True)
class Found:
    """One document of an input: how it is labelled and stored, and how its raw form is fetched."""

    label: str
    location: str
    source_id: int
    fetch: Callable[[], Raw]


@dataclass(frozen=True)
class Settled:
    """An outcome known without fetching: a skipped file, a feed entry stored already, a feed not modified."""

    label: str
    status: str  # one of documents.ingest.STATUSES
    reason: str
    document_id: int | None = None
    counts: bool = True  # one unit of progress


@dataclass
class Route:
    """One input's documents, and how its poll is recorded once each has an outcome."""

    items: Iterable[Found | Settled]  # a list, or a stream (an archive's records, read as they are handled)
    units: int = 1  # units of progress: its files or entries
    finish: Callable[[list[str]], None] = lambda statuses: None  # called with every item's status


class Router:
    """Routes inputs to their documents; holds the fetch client the inputs of a batch share.

    Args:
        book: the store's register of sources.
        options: fetch limits.
        document_seconds: the time budget of one document, which parsing a feed also gets.
    """

    def __init__(self, book: SourceBook, options: FetchOptions, document_seconds: float | None = None) -> None:
        self.book = book
        self.options = options
        self.document_seconds = document_seconds
        self._client: httpx.Client | None = None
        # Clients of sources stored with options of their own (a private address allowed): the guard
        # lives in the client's connection backend, so another guard needs another client.
        self._source_clients: dict[object, httpx.Client] = {}
        # True while `update` polls the registered sources: what is stored already at the same place is
        # then "unchanged" (the point of polling), where a fresh `ingest` calls it a duplicate.
        self.polling = False

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = make_client(self.options)
        return self._client

    def _client_for(self, options: FetchOptions) -> httpx.Client:
        if options.guard == self.options.guard:
            return self.client
        if options.guard not in self._source_clients:
            self._source_clients[options.guard] = make_client(options)
        return self._source_clients[options.guard]

    def _options_for(self, known: KnownSource | None) -> FetchOptions:
        return known.options.apply(self.options) if known is not None else self.options

    @property
    def _stored_status(self) -> str:
        return "unchanged" if self.polling else "duplicate"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        for client in self._source_clients.values():
            client.close()
        self._source_clients.clear()

    def route(self, text: str, name: str | None = None) -> Route:
        """The documents of one input: a path (file or folder) or an http(s) URL (page or feed)."""
        return self._url(text, name) if is_url(text) else self._path(text, name)

    # --- files and folders ---

    def _path(self, text: str, name: str | None) -> Route:
        from ssbrace.sources.archives import ArchiveStats, archive_kind, estimate_documents

        path = Path(text).expanduser()
        found = expand_path_with_skips(path)
        kind = "folder" if path.is_dir() else "file"
        location = display_path(path.resolve())
        # A size cap stored with the source (``sources add --max-bytes``) holds for its files and archive
        # records, as it does for a page's.
        cap = self._options_for(self.book.find(location)).max_bytes
        own_cap = cap if cap != self.options.max_bytes else None
        source_id = self.book.register(location, kind, name)
        skipped: list[Found | Settled] = [Settled(display_path(skipped), "failed", f"skipped: {reason}", counts=False)
                                          for skipped, reason in found.skipped]
        files: list[tuple[Path, str | None]] = []
        units = 0
        for file in found.files:
            archive = archive_kind(file)
            if archive is None and kind == "folder" and file.suffix.lower() == ".gz":
                continue  # a folder's other .gz files are passed over, like its images
            files.append((file, archive))
            # An archive counts its documents, or estimates them when counting would take long.
            units += 1 if archive is None else estimate_documents(file, archive)
        stats = ArchiveStats()

        def items() -> Iterator[Found | Settled]:
            yield from skipped
            for file, archive in files:
                if archive is None:
                    yield Found(display_path(file), display_path(file.resolve()), source_id,
                                _file_fetch(file, own_cap))
                else:
                    yield from self._archive(file, archive, source_id, stats, cap)

        def finish(statuses: list[str]) -> None:
            failed = statuses.count("failed")
            status = f"ok: {len(files)} files, {failed} failed"
            if stats.records:
                status += f"; archives: {stats.summary()}"
            self.book.record_poll(source_id, status, kind=kind)

        return Route(items(), units=units, finish=finish)

    def _archive(self, file: Path, kind: str, source_id: int, stats: ArchiveStats,
                 max_bytes: int) -> Iterator[Found | Settled]:
        """An archive's records as they are read; those stored already are not handed on to be read again."""
        from ssbrace.sources.archives import Broken, read_archive

        try:
            records = read_archive(file, kind, max_bytes=max_bytes, stats=stats)
            for record in records:
                if isinstance(record, Broken):
                    yield Settled(record.label, "failed", record.reason)
                    continue
                stored = self.book.stored_locations([record.location])
                if record.location in stored:
                    doc_id = stored[record.location]
                    yield Settled(record.label, self._stored_status, f"already stored as document {doc_id}",
                                  document_id=doc_id)
                else:
                    yield Found(record.label, record.location, source_id, _raw_fetch(record.raw))
        except SsbraceError as exc:  # the archive as a whole: not one, or unreadable
            yield Settled(display_path(file), "failed", str(exc))

    # --- pages and feeds ---

    def _url(self, url: str, name: str | None) -> Route:
        scheme = url.split("://", 1)[0].lower()
        if scheme not in {"http", "https"}:
            raise InputError(f"unsupported URL scheme {scheme}: (only http and https)")
        known = self.book.find(url)
        options = self._options_for(known)
        etag = last_modified = None
        # Validators are sent only for feeds polled successfully before: a page whose last ingest
        # failed must be fetched in full again.
        if known is not None and known.kind == "feed" and (known.last_status or "").startswith("ok"):
            etag, last_modified = known.etag, known.last_modified
        try:
            page = fetch(url, options, etag=etag, last_modified=last_modified, client=self._client_for(options))
        except SsbraceError as exc:
            if known is not None:
                self.book.record_poll(known.id, f"failed: {exc}", keep_validators=True)
            raise
        if page.not_modified:
            if known is None:
                raise FetchError("unexpected HTTP 304 to a request that was not conditional")
            self.book.record_poll(known.id, "ok: not modified (HTTP 304)", keep_validators=True)
            return Route([Settled(url, "unchanged", "feed not modified since last poll (HTTP 304)", counts=False)])
        if looks_like_feed(page.body):
            return self._feed(url, page, name, options)
        if page.content_type in FEED_TYPES or (known is not None and known.kind == "feed"):
            what = "an HTML page" if looks_like_html(page.body) else "not RSS or Atom"
            reason = f"not a feed: {what} served as {page.content_type or 'a feed'}"
            if known is not None:
                self.book.record_poll(known.id, f"failed: {reason}", keep_validators=True)
            raise InputError(reason)
        source_id = self.book.register(url, "url", name)
        raw = Raw(body=page.body, url=page.url, header=_header(page), content_type=page.content_type or "text/html")

        def finish(statuses: list[str]) -> None:
            # A page that failed to be read or stored is not recorded: its next ingest tries it afresh.
            if statuses and statuses[0] != "failed":
                self.book.record_poll(source_id, f"ok: {statuses[0]}", etag=page.etag,
                                      last_modified=page.last_modified)

        return Route([Found(url, url, source_id, lambda: raw)], finish=finish)

    def _feed(self, url: str, page: FetchedPage, name: str | None, options: FetchOptions) -> Route:
        try:
            # A feed is parsed under the same time budget as one document.
            with budget.time_budget(self.document_seconds):
                feed = parse_feed_within_budget(page.body, page.url)
        except SsbraceError as exc:
            known = self.book.find(url)
            if known is not None:
                self.book.record_poll(known.id, f"failed: {exc}", keep_validators=True)
            raise
        source_id = self.book.register(url, "feed", name, title=feed.title)
        stored = self.book.stored_locations([e.location for e in feed.entries if e.location])
        items: list[Found | Settled] = []
        for entry in feed.entries:
            if entry.location is None:
                items.append(Settled(f"{url} (entry without link)", "failed", "feed entry has neither a link nor an id"))
            elif entry.location in stored:
                # Entries are articles: once stored, a re-poll does not fetch them again.
                doc_id = stored[entry.location]
                items.append(Settled(entry.location, self._stored_status, f"already stored as document {doc_id}",
                                     document_id=doc_id))
            else:
                items.append(Found(entry.location, entry.location, source_id, self._entry_fetch(entry, options)))

        def finish(statuses: list[str]) -> None:
            counts = Counter(statuses)
            self.book.record_poll(
                source_id,
                f"ok: {len(feed.entries)} entries, {counts['new'] + counts['near_duplicate']} new, "
                f"{counts['failed']} failed",
                kind="feed", etag=page.etag, last_modified=page.last_modified,
            )

        return Route(items, units=len(feed.entries), finish=finish)

    def _entry_fetch(self, entry: FeedEntry, options: FetchOptions) -> Callable[[], Raw]:
        def fetch_entry() -> Raw:
            meta = Raw(from_feed=True, title=entry.title, author=entry.author, published=entry.published)
            content = entry.content_html
            if content and len(_WORD.findall(_TAG.sub(" ", content))) >= FULL_TEXT_MIN_WORDS:
                html = (f"<html><head><title>{entry.title or ''}</title></head>"
                        f"<body><article>{content}</article></body></html>")
                return replace(meta, body=html, url=entry.link, header="text/html", content_type="text/html")
            if entry.link:
                page = fetch(entry.link, options, client=self._client_for(options))
                if looks_like_feed(page.body):
                    raise InputError("feed entry links to another feed, not an article")
                return replace(meta, body=page.body, url=page.url, header=_header(page),
                               content_type=page.content_type or "text/html")
            raise InputError("feed entry has no link and too little content to be the full text")

        return fetch_entry


def _file_fetch(file: Path, max_bytes: int | None = None) -> Callable[[], Raw]:
    return lambda: Raw(path=file, max_bytes=max_bytes)


def _raw_fetch(raw: Raw) -> Callable[[], Raw]:
    return lambda: raw


def _header(page: FetchedPage) -> str | None:
    if page.content_type and page.charset:
        return f"{page.content_type}; charset={page.charset}"
    return page.content_type
