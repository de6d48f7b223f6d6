"""Storing patent exports and reading their records back, streamed both ways."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select

from ssbrace.kb.patent_tables import PatentExport, PatentRow
from ssbrace.kb.store import Store, changed_rows
from ssbrace.patents.records import PatentRecord

BATCH = 5000
SEP = ";;"


@dataclass(frozen=True)
class ExportRow:
    id: int
    format: str
    name: str
    location: str
    digest: str
    records: int
    loaded_at: datetime


def _row(export_id: int, r: PatentRecord) -> dict[str, object]:
    return {"export_id": export_id, "publication": r.publication, "jurisdiction": r.jurisdiction[:8],
            "kind": r.kind[:8], "publication_date": r.publication_date, "filing_date": r.filing_date,
            "priority_date": r.priority_date, "priority_office": r.priority_office[:8],
            "simple_family": r.simple_family, "extended_family": r.extended_family,
            "applicants": _text(SEP.join(a.replace(SEP, "; ") for a in r.applicants)),
            "applicant_countries": SEP.join(r.applicant_countries),
            "inventor_countries": SEP.join(r.inventor_countries), "codes": SEP.join(r.codes), "title": _text(r.title)}


def _text(value: str) -> str:
    # PostgreSQL text cannot hold NUL; bulk inserts bypass the session's own replacement (kb.store)
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(SEP)) if text else ()


def find_export(store: Store, digest: str) -> ExportRow | None:
    with store.session() as session:
        found = session.execute(select(PatentExport).where(PatentExport.digest == digest)).scalar_one_or_none()
        return _export_row(found) if found else None


def _export_row(e: PatentExport) -> ExportRow:
    return ExportRow(e.id, e.format, e.name, e.location, e.digest, e.records, e.loaded_at)


def save_export(store: Store, fmt: str, name: str, location: str, digest: str, records: Iterable[PatentRecord],
                progress: Callable[[int], None] | None = None) -> ExportRow:
    """Store one export and its records in one transaction: a file that breaks half way leaves nothing."""
    with store.session() as session:
        export = PatentExport(format=fmt, name=name, location=location, digest=digest, records=0)
        session.add(export)
        session.flush()
        batch: list[dict[str, object]] = []
        n = 0
        for record in records:
            batch.append(_row(export.id, record))
            n += 1
            if len(batch) >= BATCH:
                session.execute(insert(PatentRow), batch)
                batch.clear()
                if progress:
                    progress(n)
        if batch:
            session.execute(insert(PatentRow), batch)
        if progress:
            progress(n)
        export.records = n
        session.flush()
        return _export_row(export)


def exports(store: Store) -> list[ExportRow]:
    with store.session() as session:
        return [_export_row(e) for e in session.execute(select(PatentExport).order_by(PatentExport.id)).scalars()]


def remove_export(store: Store, export_id: int) -> bool:
    with store.session() as session:
        session.execute(delete(PatentRow).where(PatentRow.export_id == export_id))
        return bool(changed_rows(session.execute(delete(PatentExport).where(PatentExport.id == export_id))))


def record_count(store: Store) -> int:
    with store.session() as session:
        return int(session.execute(select(func.count(PatentRow.id))).scalar_one())


_COLUMNS = (PatentRow.publication, PatentRow.jurisdiction, PatentRow.kind, PatentRow.publication_date,
            PatentRow.filing_date, PatentRow.priority_date, PatentRow.priority_office, PatentRow.simple_family,
            PatentRow.extended_family, PatentRow.applicants, PatentRow.applicant_countries,
            PatentRow.inventor_countries, PatentRow.codes, PatentRow.title)


def records(store: Store, export_ids: Iterable[int] | None = None) -> Iterator[PatentRecord]:
    """Every stored record (of these exports), streamed in id order."""
    query = select(*_COLUMNS).order_by(PatentRow.id)
    if export_ids is not None:
        query = query.where(PatentRow.export_id.in_(list(export_ids)))
    with store.session() as session:
        for (pub, jur, kind, pdate, fdate, prdate, office, fam, ext, apps, countries, inventors, codes,
             title) in session.execute(query.execution_options(yield_per=BATCH)):
            yield PatentRecord(pub, jur, kind, pdate, fdate, prdate, office, fam, ext, _split(apps),
                               _split(countries), _split(inventors), _split(codes), title)
