"""Ingestion: files, folders, URLs and feeds in, one stored document per distinct text out.

Every document is written in its own transaction (row, then the ``after_store`` hook's rows), so a
crash or a bad input never leaves half a document and never loses the rest of a batch.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import trafilatura
from sqlalchemy.exc import IntegrityError

from ssbrace import budget
from ssbrace.documents.dedup import StoredNearDuplicates, minhash_of, sha256_of, to_bytes
from ssbrace.documents.text import check_text_size, extract_main_text, read_file, word_count
from ssbrace.errors import FetchError, InputError, SsbraceError
from ssbrace.kb import documents_repo as repo
from ssbrace.kb.store import Store
from ssbrace.models import ExtractedText
from ssbrace.sources.feeds import FeedEntry, looks_like_feed, looks_like_html, parse_feed
from ssbrace.sources.files import HTML_SUFFIXES, MARKDOWN_SUFFIXES, display_path, expand_path_with_skips
from ssbrace.sources.web import FEED_TYPES, FetchedPage, FetchOptions, fetch, make_client

if TYPE_CHECKING:
    from ssbrace.settings import Settings

log = logging.getLogger(__name__)

AfterStore = Callable[..., int]  # (session, document) or, with a prepare hook, (session, document, prepared)
# Work done for a new text before its write transaction (claim extraction): (extracted, location) -> result.
Prepare = Callable[[ExtractedText, str], Any]
Progress = Callable[[int, int, str], None]  # done, total, what is being read

STATUSES = ("new", "near_duplicate", "duplicate", "unchanged", "failed")
# A feed entry whose own content has at least this many words is taken as the full text.
FULL_TEXT_MIN_WORDS = 120
PLAIN_EXTRACTOR = "ssbrace-text-1"
HTML_EXTRACTOR = f"trafilatura-{trafilatura.__version__}"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


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

    def counts(self) -> dict[str, int]:
        counter = Counter(item.status for item in self.items)
        return {status: counter.get(status, 0) for status in STATUSES}

    @property
    def failed(self) -> list[ItemResult]:
        return [item for item in self.items if item.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed


def is_url(text: str) -> bool:
    """True for anything with a scheme (http://, ftp://...): those are never read as paths."""
    return bool(_SCHEME.match(text))


class Ingestor:
    """Holds what a batch shares: the store, the fetch client, the near-duplicate index.

    Args:
        store: the knowledge store.
        settings: a ``Settings`` (caps, timeouts, allow_private, near_duplicate_threshold).
        after_store: called inside each new document's transaction after its row is flushed;
            returns the number of claims it stored.
        prepare: called for each new text before its write transaction opens; its result is passed to
            ``after_store`` as a third argument. Slow work belongs here: SQLite holds its write lock
            from the first insert to the commit, and other writers wait for it meanwhile.
        progress: called as inputs are handled.
        fetch_options: overrides the options built from the settings (tests, benchmarks).
        raise_errors: let unexpected errors propagate (``--debug``) instead of reporting them.
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        after_store: AfterStore | None = None,
        prepare: Prepare | None = None,
        progress: Progress | None = None,
        fetch_options: FetchOptions | None = None,
        raise_errors: bool = False,
    ) -> None:
        self.store = store
        self.settings = settings
        self.after_store = after_store
        self.prepare = prepare
        self.progress = progress
        self.fetch_options = fetch_options or FetchOptions.from_settings(settings)
        self.raise_errors = raise_errors
        self.result = IngestResult()
        self._client: httpx.Client | None = None
        self._index: StoredNearDuplicates | None = None
        self._done = 0
        self._total = 0

    # ------------------------------------------------------------------ entry points

    def ingest(self, inputs: Sequence[str], *, name: str | None = None) -> IngestResult:
        """Ingest paths (files, folders) and http(s) URLs (pages or feeds)."""
        self._open_index()
        self._total += len(inputs)
        for text in inputs:
            self._one_input(text, name=name)
        return self.result

    def update(self) -> IngestResult:
        """Poll every registered source; feeds with a conditional GET."""
        self._open_index()
        with self.store.session() as session:
            sources = [(s.id, s.location, s.kind) for s in repo.list_sources(session)]
        self._total += len(sources)
        for _source_id, location, _kind in sources:
            self._one_input(location, name=None)
        return self.result

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Ingestor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ helpers

    def _tick(self, label: str, *, count: bool = True) -> None:
        if count:
            self._done += 1
        if self.progress is not None:
            self.progress(self._done, max(self._total, self._done), label)

    def _add(self, item: ItemResult) -> ItemResult:
        log.info("%s: %s%s", item.input, item.status, f" ({item.reason})" if item.reason else "")
        self.result.items.append(item)
        return item

    def _document_budget(self) -> AbstractContextManager[None]:
        """The time budget of one document (file, page or feed entry): it fails alone when spent."""
        return budget.time_budget(getattr(self.settings, "document_seconds", None))

    def _fail(self, label: str, reason: str) -> ItemResult:
        return self._add(ItemResult(input=label, status="failed", reason=reason))

    def _open_index(self) -> None:
        # Before any document's time budget starts: banding an older store's signatures is done once,
        # and may take long, but it is no document's doing.
        _ = self.index

    @property
    def index(self) -> StoredNearDuplicates:
        """The near-duplicate index in the store; originals stored before it existed are banded once."""
        if self._index is None:
            index = StoredNearDuplicates(self.settings.near_duplicate_threshold)
            with self.store.session() as session:
                index.fill_missing(session, repo)
            self._index = index
        return self._index

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = make_client(self.fetch_options)
        return self._client

    def _one_input(self, text: str, *, name: str | None) -> None:
        self._tick(text, count=False)
        before = self._done
        try:
            if is_url(text):
                self._url(text, name=name)
            else:
                self._path(text, name=name)
        except SsbraceError as exc:
            self._fail(display_path(text), str(exc))
        except Exception as exc:  # one bad input must not end the batch
            if self.raise_errors:
                raise
            log.debug("internal error on %s", display_path(text), exc_info=True)
            self._fail(display_path(text), f"internal error: {type(exc).__name__}: {exc}")
        if self._done == before:  # folders and feeds tick once per file or entry instead
            self._tick(text)

    # ------------------------------------------------------------------ files and folders

    def _path(self, text: str, *, name: str | None) -> None:
        path = Path(text).expanduser()
        found = expand_path_with_skips(path)
        files = found.files
        kind = "folder" if path.is_dir() else "file"
        with self.store.session() as session:
            source, _ = repo.add_source(session, display_path(path.resolve()), kind, name)
            source_id = source.id
        # The path counts as one unit of work already; its files are the real units.
        self._total += max(len(files) - 1, 0)
        start = len(self.result.items)
        for skipped, reason in found.skipped:
            self._fail(display_path(skipped), f"skipped: {reason}")
        for file in files:
            label = display_path(file)
            try:
                with self._document_budget():
                    extracted = read_file(file, max_bytes=self.fetch_options.max_bytes)
                    self._store(
                        label,
                        display_path(file.resolve()),
                        extracted,
                        source_id=source_id,
                        content_type=_file_content_type(file, extracted),
                    )
            except SsbraceError as exc:
                self._fail(label, str(exc))
            except Exception as exc:
                if self.raise_errors:
                    raise
                self._fail(label, f"internal error: {type(exc).__name__}: {exc}")
            self._tick(label)
        with self.store.session() as session:
            failed = sum(1 for item in self.result.items[start:] if item.status == "failed")
            repo.record_poll(session, source_id, f"ok: {len(files)} files, {failed} failed", kind=kind)

    # ------------------------------------------------------------------ URLs and feeds

    def _url(self, url: str, *, name: str | None) -> None:
        scheme = url.split("://", 1)[0].lower()
        if scheme not in {"http", "https"}:
            raise InputError(f"unsupported URL scheme {scheme}: (only http and https)")
        etag = last_modified = None
        with self.store.session() as session:
            known = repo.find_source(session, url)
            # Validators are sent only for feeds polled successfully before: a page whose last
            # ingest failed must be fetched in full again.
            if known is not None and known.kind == "feed" and (known.last_status or "").startswith("ok"):
                etag, last_modified = known.etag, known.last_modified
        try:
            page = fetch(url, self.fetch_options, etag=etag, last_modified=last_modified, client=self.client)
        except SsbraceError as exc:
            if known is not None:
                with self.store.session() as session:
                    repo.record_poll(session, known.id, f"failed: {exc}", keep_validators=True)
            raise
        if page.not_modified:
            if known is None:
                raise FetchError("unexpected HTTP 304 to a request that was not conditional")
            with self.store.session() as session:
                repo.record_poll(session, known.id, "ok: not modified (HTTP 304)", keep_validators=True)
            self._add(
                ItemResult(
                    input=url, status="unchanged", reason="feed not modified since last poll (HTTP 304)"
                )
            )
            return
        if looks_like_feed(page.body):
            self._feed(url, page, name=name)
            return
        if page.content_type in FEED_TYPES or (known is not None and known.kind == "feed"):
            what = "an HTML page" if looks_like_html(page.body) else "not RSS or Atom"
            reason = f"not a feed: {what} served as {page.content_type or 'a feed'}"
            if known is not None:
                with self.store.session() as session:
                    repo.record_poll(session, known.id, f"failed: {reason}", keep_validators=True)
            raise InputError(reason)
        with self.store.session() as session:
            source, _ = repo.add_source(session, url, "url", name)
            source_id = source.id
        with self._document_budget():
            extracted = extract_main_text(page.body, url=page.url, content_type=_header(page))
            item = self._store(
                url, url, extracted, source_id=source_id, content_type=page.content_type or "text/html"
            )
        with self.store.session() as session:
            repo.record_poll(
                session,
                source_id,
                f"ok: {item.status}" if item.status != "failed" else f"failed: {item.reason}",
                etag=page.etag,
                last_modified=page.last_modified,
            )

    def _feed(self, url: str, page: FetchedPage, *, name: str | None) -> None:
        try:
            # A feed is parsed under the same time budget as one document.
            with self._document_budget(), budget.interruptible("parsing the feed"):
                feed = parse_feed(page.body, page.url)
        except SsbraceError as exc:
            with self.store.session() as session:
                known = repo.find_source(session, url)
                if known is not None:
                    repo.record_poll(session, known.id, f"failed: {exc}", keep_validators=True)
            raise
        with self.store.session() as session:
            source, _ = repo.add_source(session, url, "feed", name)
            if source.name is None and feed.title:
                source.name = feed.title
            source_id = source.id
            stored = repo.known_locations(session, [e.location for e in feed.entries if e.location])
        self._total += max(len(feed.entries) - 1, 0)
        start = len(self.result.items)
        for entry in feed.entries:
            label = entry.location or f"{url} (entry without link)"
            try:
                if entry.location is None:
                    raise InputError("feed entry has neither a link nor an id")
                if entry.location in stored:
                    # Entries are articles: once stored, a re-poll does not fetch them again.
                    self._add(
                        ItemResult(
                            input=label,
                            status="duplicate",
                            reason=f"already stored as document {stored[entry.location]}",
                            document_id=stored[entry.location],
                        )
                    )
                else:
                    with self._document_budget():
                        self._entry(entry, source_id)
            except SsbraceError as exc:
                self._fail(label, str(exc))
            except Exception as exc:
                if self.raise_errors:
                    raise
                self._fail(label, f"internal error: {type(exc).__name__}: {exc}")
            self._tick(label)
        counts = Counter(item.status for item in self.result.items[start:])
        with self.store.session() as session:
            repo.record_poll(
                session,
                source_id,
                f"ok: {len(feed.entries)} entries, {counts['new'] + counts['near_duplicate']} new, {counts['failed']} failed",
                kind="feed",
                etag=page.etag,
                last_modified=page.last_modified,
            )

    def _entry(self, entry: FeedEntry, source_id: int) -> None:
        assert entry.location is not None
        content = entry.content_html
        extracted: ExtractedText | None = None
        if content and word_count(_strip_tags(content)) >= FULL_TEXT_MIN_WORDS:
            html = f"<html><head><title>{entry.title or ''}</title></head><body><article>{content}</article></body></html>"
            extracted = extract_main_text(html, url=entry.link, content_type="text/html")
            content_type = "text/html"
        elif entry.link:
            page = fetch(entry.link, self.fetch_options, client=self.client)
            if looks_like_feed(page.body):
                raise InputError("feed entry links to another feed, not an article")
            extracted = extract_main_text(page.body, url=page.url, content_type=_header(page))
            content_type = page.content_type or "text/html"
        else:
            raise InputError("feed entry has no link and too little content to be the full text")
        # The feed's own metadata fills what the page does not say.
        extracted.title = extracted.title or entry.title
        extracted.author = extracted.author or entry.author
        extracted.published = extracted.published or entry.published
        self._store(entry.location, entry.location, extracted, source_id=source_id, content_type=content_type)

    # ------------------------------------------------------------------ storing

    def _store(
        self,
        label: str,
        location: str,
        extracted: ExtractedText,
        *,
        source_id: int | None,
        content_type: str | None,
    ) -> ItemResult:
        """Store one text in its own transaction, or say why it is a duplicate."""
        text = extracted.text
        check_text_size(text, getattr(self.settings, "max_text_chars", None))
        sha = sha256_of(text)
        signature = minhash_of(text)
        item = ItemResult(input=label, status="new", title=extracted.title)
        match = None
        try:
            with self.store.session() as session:
                same_place = repo.find_document_by_location(session, location)
                if same_place is not None:
                    changed = (
                        "" if same_place.sha256 == sha else " (its text has changed since; kept as stored)"
                    )
                    return self._add(
                        dataclasses.replace(
                            item,
                            status="duplicate",
                            reason=f"already stored as document {same_place.id}{changed}",
                            document_id=same_place.id,
                        )
                    )
                same_text = repo.find_document_by_sha256(session, sha)
                if same_text is not None:
                    return self._add(
                        dataclasses.replace(
                            item,
                            status="duplicate",
                            reason=f"same text as document {same_text.id} ({same_text.location})",
                            duplicate_of=same_text.id,
                        )
                    )
                match = self.index.best_match(session, repo, signature)
                # Reads so far took no lock; the write transaction starts at the insert below.
                prepared = self.prepare(extracted, location) if self.prepare is not None else None
                document = repo.insert_document(
                    session,
                    location=location,
                    url=extracted.url,
                    text=text,
                    sha256=sha,
                    minhash=to_bytes(signature),
                    source_id=source_id,
                    title=extracted.title,
                    author=extracted.author,
                    publisher=extracted.publisher,
                    published=extracted.published,
                    language=extracted.language,
                    content_type=(content_type or "")[:64] or None,
                    word_count=word_count(text),
                    duplicate_of=match[0] if match else None,
                    similarity=round(match[1], 4) if match else None,
                    extractor_version=HTML_EXTRACTOR
                    if extracted.extra.get("format") == "html"
                    else PLAIN_EXTRACTOR,
                )
                item.document_id = document.id
                if match is None:
                    # Only originals are indexed, in the document's own transaction.
                    self.index.add(session, repo, document.id, signature)
                if self.after_store is not None:
                    extra = (prepared,) if self.prepare is not None else ()
                    item.claims = int(self.after_store(session, document, *extra) or 0)
        except IntegrityError:
            # Another run stored the same location or text between our checks and our insert.
            return self._add(
                dataclasses.replace(
                    item, status="duplicate", reason="stored meanwhile by another run", document_id=None
                )
            )
        if match is not None:
            item.status = "near_duplicate"
            item.duplicate_of, item.similarity = match[0], round(match[1], 4)
            item.reason = f"similar to document {match[0]} (estimated Jaccard {match[1]:.2f})"
        return self._add(item)


def _header(page: FetchedPage) -> str | None:
    if page.content_type and page.charset:
        return f"{page.content_type}; charset={page.charset}"
    return page.content_type


def _file_content_type(path: Path, extracted: ExtractedText) -> str:
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES or extracted.extra.get("format") == "html":
        return "text/html"
    if suffix in MARKDOWN_SUFFIXES:
        return "text/markdown"
    return "text/plain"


def _strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def ingest(store: Store, inputs: Sequence[str], settings: Settings, *, name: str | None = None,
           **options: Any) -> IngestResult:
    """Ingest files, folders, pages and feeds into the store; ``options`` as for ``Ingestor``."""
    with Ingestor(store, settings, **options) as ingestor:
        return ingestor.ingest(inputs, name=name)


def update_sources(store: Store, settings: Settings, **options: Any) -> IngestResult:
    """Poll every registered source once; ``options`` as for ``Ingestor``."""
    with Ingestor(store, settings, **options) as ingestor:
        return ingestor.update()
