"""Files and folders: which files an ingest reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ssbrace.errors import InputError

# Extensions read as documents. Anything else in a folder is passed over (images, PDFs, data).
TEXT_SUFFIXES = frozenset({".txt", ".text"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def iter_folder(folder: Path) -> Iterator[Path]:
    """Every supported file under a folder, recursively, in a stable order; hidden entries skipped."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and is_supported(path):
            yield path


def expand_path(path: Path) -> list[Path]:
    """The files one path argument stands for: itself, or a folder's supported files.

    Raises:
        InputError: the path does not exist.
    """
    if path.is_dir():
        return list(iter_folder(path))
    if path.exists():
        return [path]
    raise InputError(f"no such file or folder: {path}")
