"""Bytes to text: binary detection and encoding detection."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from ssbrace.errors import InputError

# A text file has almost no C0 control characters besides tab, newline, carriage return and form feed.
_ALLOWED_CONTROLS = {9, 10, 12, 13}
# Above this share of control characters in the first 8 KB we call it binary.
_CONTROL_RATIO = 0.05


class NotTextError(InputError):
    """The input is binary, or its encoding cannot be worked out."""


def looks_binary(raw: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KB."""
    head = raw[:8192]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False  # UTF-16 text has NUL bytes by design
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in _ALLOWED_CONTROLS)
    return controls / len(head) > _CONTROL_RATIO


def decode_text(raw: bytes, declared: str | None = None) -> str:
    """Decode bytes to text: BOM, then the declared charset, then UTF-8, then detection.

    Raises:
        NotTextError: binary content, or no encoding fits.
    """
    if looks_binary(raw):
        raise NotTextError("not text: binary content")
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    if declared:
        try:
            return raw.decode(declared)
        except (LookupError, UnicodeError, ValueError):
            # A wrong header is common; so are names of codecs that are no text encoding at all
            # ("punycode", "idna", "base64"): fall through to detection.
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw[:200_000]).best()
    if best is None or best.encoding is None:
        raise NotTextError("not text: invalid UTF-8 and no other encoding fits")
    text = raw.decode(best.encoding, errors="replace")
    if sum(1 for ch in text[:8192] if ord(ch) < 32 and ord(ch) not in _ALLOWED_CONTROLS) > 0.05 * min(
        len(text), 8192
    ):
        raise NotTextError("not text: binary content")
    return text
