"""Loading the pack's reference claims (real claims from public reporting) into the store.

One document per distinct source URL; its text is the notes of that source's claims, one per line, and
each claim's evidence is its note with exact offsets in that text. Re-running adds nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ssbrace.domains.loader import DomainPack, load_domain
from ssbrace.errors import InputError
from ssbrace.kb.resolve import Resolver, link_claims, seed_gazetteer
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Claim, Document
from ssbrace.models import CLAIM_FIELDS, CLAIM_KINDS

EXTRACTOR_VERSION = "reference"
# Reference claims were read and recorded by a person from the cited page.
REFERENCE_CONFIDENCE = 1.0


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


def _document_text(claims: Iterable[dict[str, Any]]) -> tuple[str, list[tuple[int, int]]]:
    """The notes joined one per line, and each note's (start, end) in that text."""
    parts, spans, offset = [], [], 0
    for claim in claims:
        note = " ".join(str(claim["note"]).split())
        spans.append((offset, offset + len(note)))
        parts.append(note)
        offset += len(note) + 1
    return "\n".join(parts), spans


def _claim_row(record: dict[str, Any], span: tuple[int, int], text: str) -> Claim:
    values = {name: record.get(name) for name in CLAIM_FIELDS}
    values["bound"] = values["bound"] or "eq"
    extra = {"ref_id": record.get("id")}
    if record["source"].get("date_approx"):
        extra["date_approx"] = True
    if record.get("usd_converted"):
        extra["usd_converted"] = True
    start, end = span
    return Claim(**values, sentence=text[start:end], start=start, end=end, confidence=REFERENCE_CONFIDENCE,
                 extra=extra, extractor_version=EXTRACTOR_VERSION)


def load_reference_into(session: Session, path: Path, pack: DomainPack | None = None) -> int:
    """Store the reference claims of ``path`` in an open session; returns the number of claims added."""
    sources = read_reference(path)
    seed_gazetteer(session, pack)
    locations = {f"reference:{s.url}" for s in sources}
    existing = {loc: (doc_id, sha) for doc_id, loc, sha in session.execute(
        select(Document.id, Document.location, Document.sha256).where(Document.location.in_(locations)))}
    resolver = Resolver.load(session)
    added = 0
    for source in sources:
        text, spans = _document_text(source.claims)
        sha = hashlib.sha256(f"reference\n{source.url}\n{text}".encode()).hexdigest()
        location = f"reference:{source.url}"
        if location in existing:
            doc_id, old_sha = existing[location]
            if old_sha == sha:
                continue  # already loaded, unchanged
            document = session.get(Document, doc_id)
            assert document is not None
            document.claims.clear()  # a changed source replaces its claims as a whole
            document.text, document.sha256 = text, sha
        else:
            document = Document(location=location, url=source.url, text=text, sha256=sha)
            session.add(document)
        document.title, document.publisher, document.published = source.title, source.publisher, source.published
        document.word_count = len(text.split())
        document.extractor_version = EXTRACTOR_VERSION
        rows = [_claim_row(record, span, text) for record, span in zip(source.claims, spans, strict=True)]
        document.claims.extend(rows)
        session.flush()
        link_claims(session, rows, resolver)
        added += len(rows)
    return added


def reference_path(pack: DomainPack | None = None) -> Path:
    """The reference claims bundled with a domain pack."""
    pack = pack or load_domain()
    return pack.path / "reference.jsonl"


def load_reference(store: Store, path: Path | None = None, pack: DomainPack | None = None) -> int:
    """Load the reference claims into the store in one transaction; returns the claims added (0 on re-run)."""
    pack = pack or load_domain()
    path = path or reference_path(pack)
    with store.session() as session:
        return load_reference_into(session, path, pack)
