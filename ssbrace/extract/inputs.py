"""Reading an input of ``ssbrace extract`` (a file or standard input) through ingestion's text extraction."""

from __future__ import annotations

from pathlib import Path

from ssbrace.errors import InputError
from ssbrace.models import ExtractedText


def read_input(path: str, stdin_bytes: bytes | None = None) -> ExtractedText:
    """The main text of one input: HTML through the same extraction as ingestion, text and Markdown as is.

    Raises:
        InputError: missing, unreadable, binary or empty input.
    """
    from ssbrace.documents.text import extract_main_text, read_file

    if path == "-":
        raw = stdin_bytes if stdin_bytes is not None else b""
        if not raw.strip():
            raise InputError("standard input is empty")
        return extract_main_text(raw)
    file = Path(path)
    if file.is_dir():
        raise InputError(f"cannot read file: is a folder: {path}")
    if not file.exists():
        raise InputError(f"no such file: {path}")
    try:
        return read_file(file)
    except InputError as exc:
        if "unsupported file type" not in str(exc):
            raise
    # A file without a known suffix: let the content decide (HTML or text).
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}: {path}") from None
    return extract_main_text(raw, filename=file.name)
