"""Archives: WARC files and JSONL dumps, read as a stream of documents.

A WARC (read with ``warcio``; plain, or gzipped one member per record) gives one document per HTML
response record: status 200, Content-Type text/html or application/xhtml+xml. Its URL is the record's
WARC-Target-URI, its fetch time the WARC-Date, and its identity (the stored location) the URL and the
WARC-Record-ID. Requests, metadata, redirects and other responses are counted and passed over. A broken
record (corrupt or truncated gzip, a bad header, a length that does not match) is reported in one line and
reading resumes at the next record that parses.

A JSONL dump (plain or gzip) holds one document per line: ``url``, ``title``, ``published`` (ISO date or
datetime) and ``html`` or ``text``. A bad line is reported with its number and the others are read.

Pure: nothing here touches the store. Archives are streamed: one record sits in memory at a time, and at
most ``max_bytes`` of it.
"""

from __future__ import annotations

import gzip
import json
import os
import stat
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from ssbrace.errors import InputError
from ssbrace.sources.files import DEFAULT_MAX_BYTES, display_path, is_archive_name
from ssbrace.sources.routing import Raw

GZIP_MAGIC = b"\x1f\x8b"
WARC_MAGIC = b"WARC/1."
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHUNK = 1 << 20
# A JSON line may spell its document out at several times its size (\u escapes): lines longer than this
# many times ``max_bytes`` are refused unread.
_LINE_FACTOR = 4


@dataclass(frozen=True)
class Record:
    """One document of an archive: its label, its identity in the store, and its raw form."""

    label: str
    location: str
    raw: Raw


@dataclass(frozen=True)
class Broken:
    """A record or line that cannot be read, with a one-line reason."""

    label: str
    reason: str


@dataclass
class ArchiveStats:
    """What an archive held: records read, documents found, records passed over (by why) and broken."""

    records: int = 0
    documents: int = 0
    broken: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """"120 records: 40 documents, 1 broken; skipped 60 request records, 19 not HTML"."""
        text = f"{self.records} records: {self.documents} documents, {self.broken} broken"
        if self.skipped:
            text += "; skipped " + ", ".join(f"{n} {why}" for why, n in self.skipped.most_common())
        return text


# --- what a file is ---


def archive_kind(path: Path) -> str | None:
    """``warc``, ``jsonl`` or None: by name (``.warc.gz``, ``.jsonl``...), else by content (WARC magic, or
    gzip whose content is a WARC or starts with a JSON object)."""
    name = path.name.lower()
    if is_archive_name(path):
        return "warc" if name.endswith((".warc", ".warc.gz")) else "jsonl"
    head, gzipped = _head(path)
    if head.startswith(WARC_MAGIC):
        return "warc"
    if gzipped and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "jsonl"
    return None


def _head(path: Path) -> tuple[bytes, bool]:
    """The first bytes of a regular file, decompressed when it is gzip; (b"", False) when unreadable."""
    try:
        # O_NONBLOCK: a named pipe must not make the check wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return b"", False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b"", False
        head = os.read(fd, 4096)
    except OSError:
        return b"", False
    finally:
        os.close(fd)
    if not head.startswith(GZIP_MAGIC):
        return head[:64], False
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64), True
    except zlib.error:
        return b"", True


def read_archive(path: Path, kind: str, *, max_bytes: int | None = None,
                 stats: ArchiveStats | None = None) -> Iterator[Record | Broken]:
    """The documents of one archive, streamed.

    Args:
        path: a WARC or JSONL file, plain or gzip.
        kind: ``warc`` or ``jsonl`` (``archive_kind``).
        max_bytes: size cap of one document (default ``DEFAULT_MAX_BYTES``); a larger one is reported.
        stats: counts kept up to date while the archive is read.

    Raises:
        InputError: the file cannot be opened, or is not an archive of this kind at all.
    """
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    stats = stats if stats is not None else ArchiveStats()
    if kind == "warc":
        return _read_warc(path, limit, stats)
    return _read_jsonl(path, limit, stats)


def estimate_documents(path: Path, kind: str, seconds: float = 1.0) -> int:
    """About how many documents an archive holds, for progress: counted when that takes under ``seconds``,
    else extrapolated from the share of the file counted so far."""
    deadline = time.monotonic() + seconds
    try:
        size = path.stat().st_size
        with open(path, "rb") as raw:
            count = 0
            if kind == "jsonl":
                with _text_stream(raw) as lines:
                    while chunk := lines.read(_CHUNK):
                        count += chunk.count(b"\n")
                        if time.monotonic() > deadline:
                            break
                    else:
                        return max(count, 1)
            else:
                records = _Records(raw)
                for record in records:
                    count += _is_page(record) is None
                    if time.monotonic() > deadline:
                        break
                else:
                    return count
            done = raw.tell()
            return count if done <= 0 else int(count * size / done)
    except Exception:  # a broken archive is reported when it is read; this is only an estimate
        return 1


# --- WARC ---


class _Records(ArchiveIterator):
    """warcio's iterator, counting a record that is not followed by its blank lines (a Content-Length that
    does not match) instead of printing a warning on stderr."""

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        empty_size = 0
        first_line = True
        while True:
            line = self.reader.readline()
            if len(line) == 0:
                return None, empty_size
            if len(line.rstrip()) == 0 or first_line:
                empty_size += len(line)
                if len(line.rstrip()) != 0:
                    self.err_count += 1
                first_line = False
                continue
            return line, empty_size


def _is_page(record: Any) -> str | None:
    """None for an HTML response record; otherwise why it is passed over."""
    if record.rec_type != "response":
        return f"{record.rec_type} records"
    headers = record.http_headers
    if headers is None or not headers.get_statuscode():
        return "non-HTTP responses"
    status = headers.get_statuscode()
    if status.startswith("3"):
        return "redirects"
    if status != "200":
        return f"HTTP {status} responses"
    media = (headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if media not in HTML_TYPES:
        return "responses not HTML"
    return None


def _read_warc(path: Path, limit: int, stats: ArchiveStats) -> Iterator[Record | Broken]:
    shown = display_path(path)
    head, gzipped = _head(path)
    if not head.startswith(WARC_MAGIC):
        raise InputError(f"not a WARC file (it does not start with WARC/1.x): {shown}")
    with _open(path) as fh:
        position: int | None = 0
        while position is not None:
            fh.seek(position)
            records = _Records(fh)
            start = position
            uri = None
            try:
                while True:
                    start, uri = records.offset, None
                    record = next(records, None)
                    if record is None:
                        return
                    stats.records += 1
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    found = _warc_record(record, records, limit, stats)
                    if isinstance(found, Broken):
                        stats.broken += 1
                        found = Broken(_record_label(shown, start, uri), found.reason)
                    if found is not None:
                        yield found
            except Exception as exc:  # a broken record: one line, then on to the next readable one
                if _whole_file_gzip(exc):
                    raise InputError(f"a WARC gzipped as one stream, not one gzip member per record: "
                                     f"recompress it (warcio recompress) to read it: {shown}") from None
                stats.records += uri is None  # a record whose header could not be read is counted here
                stats.broken += 1
                why = "corrupt gzip data" if gzipped and _corrupt_member(fh, start) else _why(exc)
                position = _resume(fh, start + 1, gzipped)
                after = ("nothing readable after it" if position is None
                         else f"resumed at byte {position}")
                yield Broken(_record_label(shown, start, uri), f"broken record: {why}; {after}")


def _warc_record(record: Any, records: _Records, limit: int, stats: ArchiveStats) -> Record | Broken | None:
    """One record read to its end: a document, a broken record, or None when it is passed over."""
    skip = _is_page(record)
    body = b""
    if skip is None:
        body = record.content_stream().read(limit + 1)
    errors = records.err_count
    records.read_to_end()
    if records.err_count > errors:
        return Broken("", f"broken record: its length does not match its Content-Length "
                          f"({record.rec_headers.get_header('Content-Length')})")
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        return Broken("", f"broken record: truncated, {missing} bytes missing")
    decompressor = getattr(records.reader, "decompressor", None)
    if decompressor is not None and not getattr(decompressor, "eof", True):
        return Broken("", "broken record: truncated gzip member")
    if skip is not None:
        stats.skipped[skip] += 1
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI")
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    if not uri or not record_id:
        return Broken("", f"broken record: no {'WARC-Target-URI' if not uri else 'WARC-Record-ID'} header")
    if len(body) > limit:
        return Broken("", f"page larger than {limit} bytes")
    content_type = record.http_headers.get_header("Content-Type")
    stats.documents += 1
    raw = Raw(body=body, url=uri, header=content_type, content_type=content_type.split(";")[0].strip().lower(),
              fetched_at=_warc_date(record.rec_headers.get_header("WARC-Date")))
    return Record(uri, f"{uri} {record_id}", raw)


def _record_label(shown: str, offset: int, uri: str | None) -> str:
    return f"{shown} at byte {offset}" + (f" ({uri})" if uri else "")


def _warc_date(value: str | None) -> datetime | None:
    """A WARC-Date as a UTC time (the store keeps UTC); None when missing or malformed."""
    try:
        moment = datetime.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _corrupt_member(fh: IO[bytes], start: int) -> bool:
    """Whether the gzip member at ``start`` fails to decompress (warcio reports it as a bad header)."""
    fh.seek(start)
    try:
        zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(fh.read(1 << 16))
    except zlib.error:
        return True
    return False


def _whole_file_gzip(exc: Exception) -> bool:
    return isinstance(exc, ArchiveLoadFailed) and "non-chunked gzip" in str(exc)


def _why(exc: Exception) -> str:
    """A one-line reason for an exception raised while reading a record."""
    if isinstance(exc, zlib.error | gzip.BadGzipFile | EOFError):
        return "corrupt gzip data"
    if isinstance(exc, ArchiveLoadFailed):
        return "bad record header (not WARC/1.x)"
    if isinstance(exc, StatusAndHeadersParserException | ValueError):
        return f"bad header ({' '.join(str(exc).split())[:120]})"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}"


def _resume(fh: IO[bytes], after: int, gzipped: bool) -> int | None:
    """The offset of the next record that parses, at or after ``after``; None when none is left."""
    marker = GZIP_MAGIC + b"\x08" if gzipped else b"\n" + WARC_MAGIC
    shift = 0 if gzipped else 1
    candidate = _find(fh, marker, after - shift)
    while candidate is not None:
        fh.seek(candidate + shift)
        try:
            if next(_Records(fh), None) is not None:
                return candidate + shift
        except Exception:  # not the start of a record after all
            pass
        candidate = _find(fh, marker, candidate + 1)
    return None


def _find(fh: IO[bytes], marker: bytes, start: int) -> int | None:
    """The offset of the next ``marker`` at or after ``start``, read a chunk at a time."""
    fh.seek(max(start, 0))
    offset = max(start, 0)
    tail = b""
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            return None
        data = tail + chunk
        at = data.find(marker)
        if at >= 0:
            return offset - len(tail) + at
        tail = data[-(len(marker) - 1):]
        offset += len(chunk)


# --- JSONL ---


def _read_jsonl(path: Path, limit: int, stats: ArchiveStats) -> Iterator[Record | Broken]:
    shown = display_path(path)
    line_cap = limit * _LINE_FACTOR + 4096
    number = 0
    with _open(path) as raw, _text_stream(raw) as lines:
        try:
            while True:
                line = lines.readline(line_cap + 1)
                if not line:
                    return
                number += 1
                if len(line) > line_cap and not line.endswith(b"\n"):
                    while (rest := lines.readline(_CHUNK)) and not rest.endswith(b"\n"):
                        pass  # the rest of an overlong line, read and dropped
                    found: Record | Broken | None = Broken("", f"longer than {line_cap} bytes")
                else:
                    found = _jsonl_line(line[3:] if number == 1 and line.startswith(b"\xef\xbb\xbf") else line,
                                        limit)
                if found is None:
                    continue
                stats.records += 1
                if isinstance(found, Broken):
                    stats.broken += 1
                    yield Broken(f"{shown} line {number}", f"line {number}: {found.reason}")
                else:
                    stats.documents += 1
                    yield found
        except (OSError, EOFError, zlib.error) as exc:
            stats.broken += 1
            yield Broken(f"{shown} line {number + 1}",
                         f"line {number + 1}: {_why(exc)}: the rest of the dump cannot be read")


def _jsonl_line(line: bytes, limit: int) -> Record | Broken | None:
    """One line: a document, a bad line's reason, or None for a blank line."""
    if not line.strip():
        return None
    try:
        text, utf8 = line.decode("utf-8"), True
    except UnicodeDecodeError:
        # Another encoding: its bytes go to the documents stage as they are, which works the charset out
        # as for any file (JSON's own syntax is ASCII, so latin-1 parses it and gives the bytes back).
        text, utf8 = line.decode("latin-1"), False
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return Broken("", f"not JSON ({exc.msg}, column {exc.colno})")
    if not isinstance(value, dict):
        return Broken("", f"not a JSON object but {type(value).__name__}")
    problem = _check_fields(value)
    if problem:
        return Broken("", problem)
    url = value["url"].strip()
    title = " ".join(value["title"].split()) if isinstance(value.get("title"), str) else None
    published = _iso_day(value.get("published"))
    html, plain = value.get("html"), value.get("text")
    if isinstance(html, str) and html.strip():
        body = html
        header, content_type = "text/html", "text/html"
    else:
        assert isinstance(plain, str)
        # Plain text is read as Markdown whose front matter carries the dump's title and date.
        front = "".join(f"{k}: {v}\n" for k, v in (("title", title), ("date", published and published.isoformat()))
                        if v)
        body = (f"---\n{front}---\n" if front else "") + plain
        header, content_type = "text/markdown", "text/plain"
    data: bytes | str = body if utf8 else _original_bytes(body)
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > limit:
        return Broken("", f"document larger than {limit} bytes")
    raw = Raw(body=data, url=url, header=header, content_type=content_type, from_feed=True, title=title,
              published=published)
    return Record(url, url, raw)


def _check_fields(value: dict[str, Any]) -> str | None:
    """Why a line's object is not a document, or None."""
    url = value.get("url")
    if not isinstance(url, str) or not url.strip():
        return "no url" if url is None else "url is not a non-empty string"
    for name in ("title", "published", "html", "text"):
        if value.get(name) is not None and not isinstance(value[name], str):
            return f"{name} is not a string but {type(value[name]).__name__}"
    if value.get("published") and _iso_day(value["published"]) is None:
        return f"published is not an ISO date or datetime: {value['published'][:40]!r}"
    if not any(isinstance(value.get(k), str) and value[k].strip() for k in ("html", "text")):
        return "neither html nor text"
    return None


def _iso_day(value: object) -> date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _original_bytes(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:  # a \u escape beyond latin-1 in a line that is not UTF-8: keep what we have
        return text.encode("utf-8", "surrogatepass")


# --- opening ---


def _open(path: Path) -> IO[bytes]:
    """A regular file, opened for reading (devices, pipes and sockets refused)."""
    shown = display_path(path)
    try:
        fh = open(path, "rb")  # noqa: SIM115 (returned open)
    except OSError as exc:
        raise InputError(f"cannot read archive: {exc.strerror or exc}: {shown}") from None
    if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
        fh.close()
        raise InputError(f"cannot read archive: not a regular file: {shown}")
    return fh


def _text_stream(raw: IO[bytes]) -> gzip.GzipFile | IO[bytes]:
    """The file's bytes, decompressed as they are read when it is gzip."""
    magic = raw.read(2)
    raw.seek(0)
    return gzip.GzipFile(fileobj=raw, mode="rb") if magic == GZIP_MAGIC else raw
