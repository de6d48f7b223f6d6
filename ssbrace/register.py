"""The register of sources and documents as a user changes it, one transaction per call: sources added
with the fetch options ``update`` must remember (changed or cleared later), imported from OPML with their
categories filed under topics, listed, disabled, enabled and removed; documents removed.

A removed document takes its claims, their entity links, its search entries, near-duplicate bands, story
keys and story membership (``kb.removal_repo``). A story left with no document goes; one left with fewer
gets its headline and dates worked out again by the stories stage, as on ingest (its keys are per member,
so the removed member's went with it). A near duplicate of a removed original becomes an original and is
banded, so that later near duplicates still find it. Facts, conflicts and boards are computed from the
claims, so they follow on the next read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ssbrace.errors import InputError, UsageError
from ssbrace.kb import documents_repo, removal_repo, stories_repo
from ssbrace.settings import Settings
from ssbrace.sources.categories import match_topics
from ssbrace.sources.files import display_path
from ssbrace.sources.options import OPTION_NAMES, SourceOptions, option_names
from ssbrace.sources.routing import is_url

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ssbrace.domains.schema import Topic
    from ssbrace.kb.store import Store
    from ssbrace.kb.tables import Source


@dataclass(frozen=True)
class SourceInfo:
    """A registered source as the commands that change it report it."""

    id: int
    kind: str
    location: str
    name: str | None
    disabled: bool
    documents: int


@dataclass(frozen=True)
class SourceListing:
    """A registered source as ``sources list`` and the web's sources page show it."""

    id: int
    kind: str
    name: str | None
    location: str
    documents: int
    last_polled_at: datetime | None
    last_status: str | None
    disabled: bool
    options: SourceOptions
    topics: tuple[str, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Removal:
    """What one removal took away."""

    documents: int
    claims: int
    stories_dropped: int
    stories_restated: int
    source: SourceInfo | None = None  # the source removed, when one was


def _source_spellings(ref: str) -> list[str]:
    """Other spellings of a path reference: the absolute path ``sources add`` stored."""
    if is_url(ref) or ref.strip().isdigit():
        return []
    try:
        return [display_path(Path(ref).expanduser().resolve())]
    except (OSError, RuntimeError):
        return []


def _find_source(session: Session, ref: str) -> Source:
    source = documents_repo.find_source_by_ref(session, ref, _source_spellings(ref))
    if source is None:
        raise InputError(f"no source {ref!r} (see `ssbrace sources list`)")
    return source


def _info(session: Session, source: Source) -> SourceInfo:
    return SourceInfo(source.id, source.kind, source.location, source.name, bool(source.disabled),
                      len(removal_repo.document_ids_of_source(session, source.id)))


def describe_source(store: Store, ref: str) -> SourceInfo:
    """A source by id, URL or path, with how many documents it brought.

    Raises:
        InputError: no such source.
    """
    with store.session() as session:
        return _info(session, _find_source(session, ref))


def list_sources(store: Store) -> list[SourceListing]:
    """Every registered source, oldest first, with how many documents it brought and how its last poll went."""
    with store.session() as session:
        counts = documents_repo.count_documents_by_source(session)
        return [SourceListing(s.id, s.kind, s.name, s.location, counts.get(s.id, 0), s.last_polled_at,
                              s.last_status, bool(s.disabled), SourceOptions.from_json(s.options),
                              tuple(s.topics or ()), tuple(s.categories or ()))
                for s in documents_repo.list_sources(session)]


def _remove(session: Session, ids: Iterable[int], settings: Settings) -> Removal:
    """Delete documents, then drop or restate the stories they leave, in the caller's transaction."""
    from ssbrace.documents.dedup import StoredNearDuplicates, from_bytes
    from ssbrace.stories.cluster import headline_for

    deleted = removal_repo.delete_documents(session, ids)
    empty = [story_id for story_id, members in deleted.stories.items() if not members]
    dropped = removal_repo.drop_stories(session, empty)
    restated = 0
    for story_id, members in deleted.stories.items():
        if members:
            docs = stories_repo.get_documents(session, members)
            days = [d.day for d in docs if d.day is not None]
            removal_repo.restate_story(session, story_id, headline=headline_for(docs), first_date=min(days, default=None),
                                       last_date=max(days, default=None), doc_count=len(docs))
            restated += 1
    if deleted.promoted:
        index = StoredNearDuplicates(settings.near_duplicate_threshold)
        bands = documents_repo.Bands(session)
        for doc_id, data in documents_repo.minhashes_of(session, deleted.promoted):
            signature = from_bytes(data)
            if len(signature.hashvalues) == index.num_perm:
                index.add(bands, doc_id, signature)
    return Removal(deleted.documents, deleted.claims, dropped, restated)


def remove_documents(store: Store, refs: Iterable[str | int], settings: Settings) -> Removal:
    """Remove documents by id, location or URL, all in one transaction.

    Raises:
        InputError: a reference names no stored document (then nothing is removed).
    """
    with store.session() as session:
        ids: list[int] = []
        missing: list[str] = []
        for ref in refs:
            document = documents_repo.find_document_by_ref(session, str(ref))
            if document is None:
                missing.append(str(ref))
            else:
                ids.append(document.id)
        if missing:
            shown = ", ".join(missing)
            raise InputError(f"no document {shown} (see `ssbrace documents list`); nothing removed")
        return _remove(session, ids, settings)


def remove_source(store: Store, ref: str, settings: Settings, *, keep_documents: bool = False) -> Removal:
    """Remove a registered source and, unless ``keep_documents``, every document it brought.

    Raises:
        InputError: no such source.
    """
    with store.session() as session:
        source = _find_source(session, ref)
        info = _info(session, source)
        removal = Removal(0, 0, 0, 0)
        if not keep_documents:
            removal = _remove(session, removal_repo.document_ids_of_source(session, info.id), settings)
        removal_repo.delete_source(session, info.id)
        return Removal(removal.documents, removal.claims, removal.stories_dropped, removal.stories_restated, info)


def set_source_enabled(store: Store, ref: str, enabled: bool) -> tuple[SourceInfo, bool]:
    """Enable or disable a source (``update`` skips a disabled one); returns it and whether it changed.

    Raises:
        InputError: no such source.
    """
    with store.session() as session:
        source = _find_source(session, ref)
        changed = documents_repo.set_source_disabled(session, source.id, not enabled)
        return _info(session, source), changed


# --- adding: a source keeps the options it was added with ---


def source_location(location: str) -> tuple[str, str]:
    """(location as stored, kind) of a source to register: an http(s) URL as given, a path made absolute.

    Raises:
        UsageError: another URL scheme, or no such file or folder.
    """
    if is_url(location):
        if not location.lower().startswith(("http://", "https://")):
            raise UsageError(f"only http and https URLs can be sources: {location}")
        return location, "url"  # becomes "feed" on the first poll if the content is a feed
    path = Path(location).expanduser()
    if not path.exists():
        raise UsageError(f"no such file or folder: {location}")
    return display_path(path.resolve()), "folder" if path.is_dir() else "file"


def add_source(store: Store, location: str, settings: Settings, *, name: str | None = None,
               options: SourceOptions = SourceOptions()) -> tuple[SourceInfo, bool]:
    """Register a source for ``update`` (nothing is fetched now) with the options to poll it with; a known
    one keeps its id and takes the options given now. Returns it and whether it is new.

    Raises:
        UsageError: not an http(s) URL nor an existing path.
        FetchError: a URL whose address the guard refuses (unless private addresses are allowed).
    """
    from ssbrace.sources.web import check_source_url

    stored, kind = source_location(location)
    if kind == "url":
        check_source_url(stored, settings.allow_private or options.allow_private)
    with store.session() as session:
        source, created = documents_repo.add_source(session, stored, kind, name)
        if options:
            documents_repo.set_source_options(session, source.id, options.to_json())
        return _info(session, source), created


def set_source_options(store: Store, ref: str, *, given: SourceOptions = SourceOptions(),
                       clear: Iterable[str] = ()) -> tuple[SourceInfo, SourceOptions]:
    """Change the options ``update`` polls a source with: those named in ``clear`` (``max_bytes``,
    ``allow_private``, ``all``) go back to the run's settings, then those ``given`` are set. Returns the source
    and its options now.

    Raises:
        UsageError: nothing to change, or no such option.
        InputError: no such source.
    """
    names = option_names(tuple(clear))
    if given.max_bytes is not None and given.max_bytes < 1:
        raise UsageError("max_bytes must be a positive number of bytes")
    if not given and not names:
        raise UsageError("nothing to change: give an option to set or one to clear")
    with store.session() as session:
        source = _find_source(session, ref)
        now = SourceOptions.from_json(source.options).updated(given, names)
        # Keys a later version stored, which this one does not know, are left as they were.
        later = {k: v for k, v in (source.options or {}).items() if k not in OPTION_NAMES}
        documents_repo.replace_source_options(session, source.id, {**later, **now.to_json()})
        return _info(session, source), now


def remember_options(store: Store, inputs: Iterable[str], options: SourceOptions) -> int:
    """Store ``options`` with the sources these inputs registered (``ingest --allow-private``), for ``update``;
    returns how many sources took them."""
    if not options:
        return 0
    count = 0
    with store.session() as session:
        for text in inputs:
            source = documents_repo.find_source_by_ref(session, text, _source_spellings(text))
            if source is not None and not text.strip().isdigit():
                documents_repo.set_source_options(session, source.id, options.to_json())
                count += 1
    return count


# --- OPML: feeds with their categories, filed under the topics they name ---


@dataclass(frozen=True)
class OpmlImport:
    """What importing an OPML file did."""

    added: int
    known: int
    refused: tuple[str, ...]  # "URL: reason", one per refused feed
    topics: dict[str, int]  # topic slug -> feeds filed under it
    labels: tuple[str, ...]  # categories that name no topic, kept as plain labels


def import_opml(store: Store, data: bytes, settings: Settings, topics: Iterable[Topic], *,
                where: str = "OPML file", options: SourceOptions = SourceOptions()) -> OpmlImport:
    """Register every feed of an OPML document (guarded like ``add_source``, nothing twice), each with its
    categories and the topics among them.

    Raises:
        InputError: not an OPML document.
    """
    from ssbrace.errors import FetchError
    from ssbrace.sources.opml import read_opml
    from ssbrace.sources.web import check_source_url

    subscriptions = read_opml(data, where)
    pairs = [(t.slug, t.name) for t in topics]
    private = settings.allow_private or options.allow_private
    refused: list[str] = []
    filed: dict[str, int] = {}
    labels: dict[str, None] = {}
    added = known = 0
    with store.session() as session:
        for sub in subscriptions:
            try:
                check_source_url(sub.url, private)
            except FetchError as exc:
                refused.append(f"{sub.url}: {exc}")
                continue
            source, created = documents_repo.add_source(session, sub.url, "feed", sub.name)
            added += created
            known += not created
            if options:
                documents_repo.set_source_options(session, source.id, options.to_json())
            if sub.categories:
                match = match_topics(sub.categories, pairs)
                documents_repo.set_source_categories(session, source.id, list(sub.categories), list(match.topics))
                for slug in match.topics:
                    filed[slug] = filed.get(slug, 0) + 1
                labels.update(dict.fromkeys(match.labels))
    return OpmlImport(added, known, tuple(refused), filed, tuple(labels))


def export_subscriptions(store: Store) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """(URL, name, categories) of every page and feed source, for an OPML file; a source's categories are
    those it was imported with, else its topics' slugs."""
    with store.session() as session:
        return [(s.location, s.name, tuple(s.categories or s.topics or ()))
                for s in documents_repo.list_sources(session) if s.kind in ("feed", "url")]
