"""The pack's reference claims (real claims from public reporting), read as documents.

One document per distinct source URL; its text is the notes of that source's claims, one per line, and
each claim's evidence is its note with exact offsets in that text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ssbrace.domains.loader import DomainPack, load_domain
from ssbrace.errors import InputError
from ssbrace.models import CLAIM_KINDS


@dataclass(frozen=True)
class ReferenceSource:
    url: str
    title: str
    publisher: str
    published: date | None
    claims: tuple[dict[str, Any], ...]


def _parse_line(number: int, line: str, path: Path) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path.name} line {number}: not JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise InputError(f"{path.name} line {number}: not a JSON object")
    source = record.get("source")
    if record.get("kind") not in CLAIM_KINDS:
        raise InputError(f"{path.name} line {number}: unknown kind {record.get('kind')!r}")
    if not isinstance(source, dict) or not source.get("url"):
        raise InputError(f"{path.name} line {number}: claim without a source URL")
    if not record.get("subject") or not str(record.get("note") or "").strip():
        raise InputError(f"{path.name} line {number}: claim without a subject or a note")
    return record


def read_reference(path: Path) -> list[ReferenceSource]:
    """Group the reference file's claims by source URL, in file order; InputError on a bad line."""
    by_url: dict[str, list[dict[str, Any]]] = {}
    meta: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read reference claims {path}: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        record = _parse_line(number, line, path)
        url = record["source"]["url"]
        by_url.setdefault(url, []).append(record)
        meta.setdefault(url, record["source"])
    sources = []
    for url, claims in by_url.items():
        src = meta[url]
        try:
            published = date.fromisoformat(src["date"]) if src.get("date") else None
        except ValueError:
            raise InputError(f"{path.name}: source {url} has a bad date {src.get('date')!r}") from None
        sources.append(ReferenceSource(url, src.get("title") or url, src.get("publisher") or "", published,
                                       tuple(claims)))
    return sources


@dataclass(frozen=True)
class ReferenceDocument:
    """A reference source as a document: its text, the digest that tells a changed source, each claim's span."""

    source: ReferenceSource
    text: str
    sha256: str
    spans: tuple[tuple[int, int], ...]

    @property
    def location(self) -> str:
        return f"reference:{self.source.url}"

    @property
    def word_count(self) -> int:
        return len(self.text.split())


def reference_document(source: ReferenceSource) -> ReferenceDocument:
    """The notes joined one per line, each note's (start, end) in that text, and the text's digest."""
    parts, spans, offset = [], [], 0
    for claim in source.claims:
        note = " ".join(str(claim["note"]).split())
        spans.append((offset, offset + len(note)))
        parts.append(note)
        offset += len(note) + 1
    text = "\n".join(parts)
    # The URL is part of the digest: two sources with the same notes stay two documents.
    sha = hashlib.sha256(f"reference\n{source.url}\n{text}".encode()).hexdigest()
    return ReferenceDocument(source, text, sha, tuple(spans))


def reference_path(pack: DomainPack | None = None) -> Path:
    """The reference claims bundled with a domain pack."""
    pack = pack or load_domain()
    return pack.path / "reference.jsonl"
