"""Fetching one URL politely and safely: timeouts, a streamed size cap, content-type check,
redirects followed by hand with every hop re-checked, and the address guard at connect time."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from httpcore._backends.base import SOCKET_OPTION

from ssbrace.errors import FetchError
from ssbrace.sources.guard import AddressGuard

if TYPE_CHECKING:
    from ssbrace.settings import Settings

# Content types a page may have. Feeds are recognised by content, so XML types pass too.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml"}
)
PAGE_TYPES = HTML_TYPES | TEXT_TYPES | FEED_TYPES

_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class FetchOptions:
    """How to fetch: the relevant settings in one place."""

    guard: AddressGuard = field(default_factory=AddressGuard)
    max_bytes: int = 10_000_000
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    max_redirects: int = 5
    user_agent: str = "ssbrace"
    accept: frozenset[str] = PAGE_TYPES

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchOptions:
        """Build the options from a ``Settings`` object."""
        return cls(
            guard=AddressGuard(allow_private=settings.allow_private),
            max_bytes=settings.max_bytes,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            max_redirects=settings.max_redirects,
            user_agent=settings.user_agent,
        )

    @property
    def deadline(self) -> float:
        """Seconds one whole fetch may take: a server trickling bytes must not hold us forever."""
        return self.connect_timeout + 3 * self.read_timeout


@dataclass
class FetchedPage:
    """What one fetch brought back."""

    url: str  # after redirects
    status: int
    body: bytes
    content_type: str | None  # media type only, lower case
    charset: str | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves and checks the host itself, then connects to the checked address.

    Checking before the request is not enough: the name could resolve differently a moment later
    (DNS rebinding). Here the address checked is the address connected to.
    """

    def __init__(self, guard: AddressGuard) -> None:
        self._guard = guard

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in self._guard.resolve(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last


def make_client(options: FetchOptions) -> httpx.Client:
    """An httpx client that never follows redirects itself and connects only where the guard allows."""
    transport = httpx.HTTPTransport(retries=0)
    # httpcore's pool takes its network backend from this attribute; pinned httpx/httpcore versions.
    transport._pool._network_backend = _GuardedBackend(options.guard)
    timeout = httpx.Timeout(
        connect=options.connect_timeout, read=options.read_timeout, write=options.read_timeout, pool=5.0
    )
    return httpx.Client(
        transport=transport,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,  # an environment proxy would connect on our behalf, past the guard
        headers={"User-Agent": options.user_agent},
    )


def http_host_port(url: str) -> tuple[str, int]:
    """Host and port of an http(s) URL.

    Raises:
        FetchError: another scheme, no host, or a malformed URL (bad port, bracket...).
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"not a valid URL: {exc}") from None
    if parts.scheme not in {"http", "https"}:
        raise FetchError(f"refused: only http and https URLs are fetched, not {parts.scheme or 'no scheme'}:")
    if not parts.hostname:
        raise FetchError(f"not a URL: {ascii(url)[1:-1][:200]}")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_source_url(url: str, allow_private: bool = False) -> None:
    """Refuse, when a source is registered, a URL that would never be fetched: another scheme than http(s),
    no host, or a literal address the guard blocks (names are judged again at each fetch).

    Raises:
        FetchError: as ``http_host_port`` and ``AddressGuard.check_location`` say.
    """
    AddressGuard(allow_private=allow_private).check_location(http_host_port(url)[0])


def _check_url(url: str, options: FetchOptions) -> None:
    # Refuse before any connection, with a clear message; the backend checks again at connect time.
    options.guard.resolve(*http_host_port(url))


def _media_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for p in parts[1:]:
        if p.lower().startswith("charset="):
            charset = p.split("=", 1)[1].strip("\"' ") or None
    return parts[0].lower() or None, charset


def fetch(
    url: str,
    options: FetchOptions,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.Client | None = None,
) -> FetchedPage:
    """Fetch one URL.

    Args:
        url: an http(s) URL.
        options: caps, timeouts and the address guard.
        etag, last_modified: validators from the last poll, for a conditional GET.
        client: a client from ``make_client`` to reuse connections; one is made if None.

    Returns:
        The page; ``not_modified`` is true on HTTP 304 (the body is then empty).

    Raises:
        FetchError (BlockedAddressError for refused addresses) with a one-line reason.
    """
    own = client is None
    client = client or make_client(options)
    started = time.monotonic()
    current = url
    try:
        for _hop in range(options.max_redirects + 1):
            _check_url(current, options)
            headers = {}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            with client.stream("GET", current, headers=headers) as response:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(f"HTTP {response.status_code} without a Location header")
                    current = urljoin(current, location)
                    continue
                return _read(current, response, options, started)
        raise FetchError(f"too many redirects (more than {options.max_redirects})")
    except httpx.TimeoutException as exc:
        phase = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for an answer"
        raise FetchError(f"timed out {phase} ({_host(current)})") from None
    except httpx.ConnectError as exc:
        raise FetchError(f"cannot connect to {_host(current)}: {_first_line(exc)}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"HTTP error: {type(exc).__name__}: {_first_line(exc)}") from None
    except httpx.InvalidURL as exc:
        # httpx reads a redirect's Location before we see the answer: javascript:, data:, a bad port.
        raise FetchError(f"redirect from {_host(current)} to an invalid URL: {_first_line(exc)}") from None
    finally:
        if own:
            client.close()


def _read(url: str, response: httpx.Response, options: FetchOptions, started: float) -> FetchedPage:
    """Check status and type, then stream the body, stopping as soon as it passes the cap."""
    status = response.status_code
    media, charset = _media_type(response.headers.get("content-type"))
    page = FetchedPage(
        url=url,
        status=status,
        body=b"",
        content_type=media,
        charset=charset,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )
    if status == 304:
        return page
    if status >= 400:
        raise FetchError(f"HTTP {status}" + (f" {response.reason_phrase}" if response.reason_phrase else ""))
    if status != 200:
        raise FetchError(f"unexpected HTTP {status}")
    if media is not None and media not in options.accept:
        raise FetchError(f"unsupported content type {media}")
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > options.max_bytes:
        raise FetchError(f"page larger than {options.max_bytes} bytes (declared {int(declared)})")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > options.max_bytes:
            raise FetchError(f"page larger than {options.max_bytes} bytes")
        if time.monotonic() - started > options.deadline:
            raise FetchError(f"timed out: page not complete after {options.deadline:.0f}s")
        chunks.append(chunk)
    page.body = b"".join(chunks)
    return page


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
