"""Opening an export file as text lines, whether plain, gzip or zip, without reading it whole."""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TextIO, cast

from ssbrace.errors import InputError

# Errors a damaged compressed file raises part way through; reported as one line naming the file.
BROKEN = (EOFError, gzip.BadGzipFile, zlib.error, zipfile.BadZipFile, UnicodeDecodeError, OSError)


def digest(path: Path) -> str:
    """The file's SHA-256: an export loaded twice is known by its bytes, not its name."""
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _members(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            return [i.filename for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX")]
    except zipfile.BadZipFile:
        raise InputError(f"{path}: broken zip archive") from None


def parts(path: Path) -> list[str]:
    """The names of the texts a file holds: one for a plain or gzip file, each member for a zip."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic.startswith(b"PK\x03\x04"):
        names = _members(path)
        if not names:
            raise InputError(f"{path}: empty zip archive")
        return names
    return [path.name]


@contextmanager
def open_text(path: Path, member: str | None = None) -> Iterator[TextIO]:
    """One text of the file (``member`` of a zip), decoded as UTF-8 (a BOM is dropped), streamed."""
    with path.open("rb") as raw:
        magic = raw.read(4)
    try:
        if magic.startswith(b"PK\x03\x04"):
            with zipfile.ZipFile(path) as archive:
                name = member or _members(path)[0]
                with archive.open(name) as binary:
                    inner = _gunzip_if_needed(binary)
                    yield io.TextIOWrapper(inner, encoding="utf-8-sig", newline="")
        elif magic.startswith(b"\x1f\x8b"):
            with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as text:
                yield text
        else:
            with path.open(encoding="utf-8-sig", newline="") as text:
                yield text
    except zipfile.BadZipFile:
        raise InputError(f"{path}: broken zip archive") from None


def _gunzip_if_needed(binary: IO[bytes]) -> IO[bytes]:
    # A zip member may itself be gzipped (archives of ``.csv.gz`` files).
    peek: Callable[[int], bytes] | None = getattr(binary, "peek", None)
    return cast(IO[bytes], gzip.GzipFile(fileobj=binary)) if peek and peek(2)[:2] == b"\x1f\x8b" else binary
