"""Reading an input of ``ssbrace extract`` (a file or standard input) through ingestion's text extraction."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ssbrace import budget
from ssbrace.errors import InputError
from ssbrace.models import Claim, ExtractedText
from ssbrace.sources.files import DEFAULT_MAX_BYTES, display_path, is_supported, read_capped

if TYPE_CHECKING:
    from ssbrace.settings import Settings


def read_input(path: str, stdin_bytes: bytes | None = None, *, max_bytes: int | None = None) -> ExtractedText:
    """The main text of one input: HTML through the same extraction as ingestion, text and Markdown as is.

    ``max_bytes`` caps a file or standard input as ``ingest`` caps files (default ``DEFAULT_MAX_BYTES``);
    ``stdin_bytes`` may hold one byte more than the cap, which is how an over-long input is told apart.

    Raises:
        InputError: missing, not a regular file, too large, unreadable, binary or empty input.
    """
    from ssbrace.documents.text import extract_main_text, read_file

    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    if path == "-":
        raw = stdin_bytes if stdin_bytes is not None else b""
        if len(raw) > limit:
            raise InputError(f"standard input larger than {limit} bytes")
        if not raw.strip():
            raise InputError("standard input is empty")
        return extract_main_text(raw)
    file = Path(path)
    if file.is_dir():
        raise InputError(f"cannot read file: is a folder: {display_path(path)}")
    if not file.exists() and not file.is_symlink():
        raise InputError(f"no such file: {display_path(path)}")
    if is_supported(file):
        return read_file(file, max_bytes=limit)
    # A file without a known suffix: let the content decide (HTML or text).
    return extract_main_text(read_capped(file, limit), filename=file.name)


def claims_of_input(path: str, settings: Settings, stdin_bytes: bytes | None = None) -> tuple[ExtractedText, list[Claim]]:
    """Read one input of ``ssbrace extract`` and extract its claims, within the same caps as ingestion.

    The input's bytes are capped by ``settings.max_bytes``, its main text by ``settings.max_text_chars``,
    and reading plus extraction by ``settings.document_seconds``.

    Raises:
        InputError: as ``read_input``; a text over the cap; the time budget spent.
    """
    from ssbrace.documents.text import check_text_size
    from ssbrace.extract.pipeline import extract_claims

    with budget.time_budget(settings.document_seconds):
        extracted = read_input(path, stdin_bytes, max_bytes=settings.max_bytes)
        check_text_size(extracted.text, settings.max_text_chars)
        doc = path if path == "-" else display_path(path)  # undecodable name bytes shown as \xff
        claims = extract_claims(extracted.text, published=extracted.published, doc=doc, domain=settings.domain)
    return extracted, claims
