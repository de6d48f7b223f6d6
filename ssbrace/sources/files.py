"""Files and folders: which files an ingest reads, and reading one within a byte budget."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ssbrace.errors import InputError

# Extensions read as documents. Anything else in a folder is passed over (images, PDFs, data).
TEXT_SUFFIXES = frozenset({".txt", ".text"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES
# Archives, read record by record by ``sources.archives``. A folder walk also takes other ``.gz`` files:
# routing keeps those whose content is an archive, and passes over the rest.
ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
# Size cap of one file when the caller names none (the ``max_bytes`` setting's default).
DEFAULT_MAX_BYTES = 10_000_000
_CHUNK = 1 << 20


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def is_archive_name(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def display_path(path: Path | str) -> str:
    """A path as printable, storable text: undecodable name bytes appear as ``\\xff``, not as surrogates."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


@dataclass
class FolderFiles:
    """What a path argument stands for: the files to read, and the entries passed over with a reason."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def walk_folder(folder: Path) -> FolderFiles:
    """Every supported file under a folder, recursively, in a stable order; hidden entries skipped.

    Symbolic links to folders are not followed; a link to a file is read only when its target lies
    inside the folder (a link to /etc/passwd or /dev/zero is skipped, with the reason).
    """
    root = folder.resolve()
    found = FolderFiles()
    for directory, subdirs, names in os.walk(folder, followlinks=False):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        for name in names:
            path = Path(directory) / name
            if name.startswith(".") or not (is_supported(path) or is_archive_name(path)
                                             or path.suffix.lower() == ".gz"):
                continue
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root):
                    found.skipped.append((path, "symbolic link to a file outside the folder"))
                    continue
            found.files.append(path)
    found.files.sort()
    return found


def iter_folder(folder: Path) -> Iterator[Path]:
    """The files ``walk_folder`` would read."""
    yield from walk_folder(folder).files


def expand_path_with_skips(path: Path) -> FolderFiles:
    """The files one path argument stands for, and what a folder walk passed over.

    Raises:
        InputError: the path does not exist.
    """
    if path.is_dir():
        return walk_folder(path)
    if path.exists() or path.is_symlink():
        return FolderFiles(files=[path])
    raise InputError(f"no such file or folder: {display_path(path)}")


def expand_path(path: Path) -> list[Path]:
    """The files one path argument stands for: itself, or a folder's supported files."""
    return expand_path_with_skips(path).files


_NOT_REGULAR = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind_of(mode: int) -> str:
    return next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")


def read_capped(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file, refusing devices, pipes and sockets and anything over ``max_bytes``.

    The cap counts bytes actually read, not ``st_size``: a file that grows while read, or a special
    file that reports size 0, cannot make this read more than ``max_bytes + 1`` bytes.

    Raises:
        InputError: not a regular file, larger than the cap, or unreadable.
    """
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    shown = display_path(path)
    try:
        # O_NONBLOCK: opening a FIFO swapped in after any check must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except PermissionError:
        raise InputError(f"cannot read file: permission denied: {shown}") from None
    except FileNotFoundError:
        raise InputError(f"no such file: {shown}") from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # opening a socket
            raise InputError(f"cannot read file: it is a socket: {shown}") from None
        raise InputError(f"cannot read file: {exc.strerror or exc}: {shown}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(f"cannot read file: is a folder: {shown}")
        if not stat.S_ISREG(mode):
            raise InputError(f"cannot read file: it is {_kind_of(mode)}, not a regular file: {shown}")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise InputError(f"file larger than {limit} bytes: {shown}")
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}: {shown}") from None
    finally:
        os.close(fd)
