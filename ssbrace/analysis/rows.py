"""Claims and facts as flat rows (one dict each, plain values) for tables: ``pandas.DataFrame(rows)``,
CSV, a notebook's display. Nested parts become counts or joined text."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from ssbrace.analysis.facts import Fact, format_value
from ssbrace.kb.records import ClaimRecord


def claim_row(record: ClaimRecord) -> dict[str, Any]:
    """Every field of the claim record but ``extra``, and where a reader can check it."""
    row = {f.name: getattr(record, f.name) for f in dataclasses.fields(record) if f.name != "extra"}
    row["source"] = record.source_name
    return row


def fact_row(fact: Fact) -> dict[str, Any]:
    """The fact's key (every field of ``FactKey``), its consolidated value, whether its sources agree and how
    many there are."""
    row: dict[str, Any] = dataclasses.asdict(fact.key)
    row.update(
        entity_type=fact.entity_type,
        value=fact.value,
        bound=fact.bound,
        display=format_value(fact.value, fact.key.unit, fact.bound),
        agree=fact.agree,
        n_claims=len(fact.claims),
        n_sources=fact.n_sources,
        sources="; ".join(fact.sources),
        first_seen=fact.first_seen,
        claim_ids=[c.id for c in fact.claims],
        sentence=fact.chosen.sentence,
    )
    return row


def claim_rows(records: Iterable[ClaimRecord]) -> list[dict[str, Any]]:
    return [claim_row(r) for r in records]


def fact_rows(facts: Iterable[Fact]) -> list[dict[str, Any]]:
    return [fact_row(f) for f in facts]
