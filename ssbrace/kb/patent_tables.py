"""Tables of loaded patent exports (apart from ``tables.py``: the patent store is its own part)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ssbrace.kb.tables import Base, utcnow


class PatentExport(Base):
    """One loaded export file (or set of PatentsView tables), known by its bytes."""

    __tablename__ = "patent_exports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    format: Mapped[str] = mapped_column(String(16))  # lens | google | patentsview
    name: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(300), unique=True)
    records: Mapped[int] = mapped_column(Integer, default=0)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PatentRow(Base):
    """One publication of an export: ``PatentRecord`` with its lists joined by ``;;``."""

    __tablename__ = "patent_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    export_id: Mapped[int] = mapped_column(ForeignKey("patent_exports.id", ondelete="CASCADE"), index=True)
    publication: Mapped[str] = mapped_column(Text)
    jurisdiction: Mapped[str] = mapped_column(String(8), default="")
    kind: Mapped[str] = mapped_column(String(8), default="")
    publication_date: Mapped[str | None] = mapped_column(String(10))
    filing_date: Mapped[str | None] = mapped_column(String(10))
    priority_date: Mapped[str | None] = mapped_column(String(10))
    priority_office: Mapped[str] = mapped_column(String(8), default="")
    simple_family: Mapped[str] = mapped_column(Text, default="")
    extended_family: Mapped[str] = mapped_column(Text, default="")
    applicants: Mapped[str] = mapped_column(Text, default="")
    applicant_countries: Mapped[str] = mapped_column(Text, default="")
    inventor_countries: Mapped[str] = mapped_column(Text, default="")
    codes: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text, default="")


class PatentComputation(Base):
    """Counts computed from loaded exports under one definition, stored as claims of one "computed" document
    (migration 0022). ``slot`` names what the computation stands for (the landscape over all loaded exports,
    or over chosen ones): computing it again with other inputs replaces its claims."""

    __tablename__ = "patent_computations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot: Mapped[str] = mapped_column(String(200), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    definition: Mapped[str] = mapped_column(String(16))  # the landscape's hash
    inputs: Mapped[str] = mapped_column(String(64))  # SHA-256 of the definition and the exports' digests
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)  # the definition's canonical choices
    exports: Mapped[list[Any]] = mapped_column(JSON)  # [{id, name, digest, records}] of the exports read
    claims: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
