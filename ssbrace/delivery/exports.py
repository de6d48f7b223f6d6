"""Tables for analysts' tools: claims, facts, conflicts, ledgers and stories as typed rows.

Each table's columns, their types and what they hold are declared once, in ``TABLES``; the row functions
fill them from the analysis's records and the writers (``delivery.export_writers``: CSV, JSON Lines,
Parquet) read the same declaration, so a number stays a number, a date a date and a year an integer
whichever format carries it. Rows come one at a time from whatever iterable of records they are given: the
caller streams the store (``ssbrace.api.export``), nothing here holds a whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ssbrace.analysis.conflicts import Conflict
from ssbrace.analysis.facts import Fact, format_value
from ssbrace.analysis.roadmaps import Ledger
from ssbrace.analysis.scoreboard import owner_on_board
from ssbrace.errors import UsageError
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.stories_repo import StoryRecord
from ssbrace.models import CLAIM_FIELDS

# Column types: "int" (years included), "float", "text", "date", "bool", and "ids" (a list of integer ids:
# a list column in Parquet and JSON Lines, joined with ";" in CSV).
TYPES = ("int", "float", "text", "date", "bool", "ids")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str


def _columns(*specs: tuple[str, str, str]) -> tuple[Column, ...]:
    for name, kind, _ in specs:
        assert kind in TYPES, f"column {name}: unknown type {kind!r}"
    return tuple(Column(*spec) for spec in specs)


# The contract's fields (CLAIMS.md) with their types; the descriptions are the contract's, shortened.
_CLAIM_FIELD_TYPES: dict[str, tuple[str, str]] = {
    "kind": ("text", "the claim kind (patents, funding, target, ...)"),
    "subject": ("text", "canonical name of the entity the claim is about"),
    "subject_type": ("text", "country, region, company, program or institution"),
    "object": ("text", "the second entity, for partnerships and standings"),
    "value": ("float", "the number the claim states, in unit"),
    "unit": ("text", "the unit of value"),
    "bound": ("text", "eq, gt, lt or approx"),
    "amount": ("float", "money as written, in currency"),
    "currency": ("text", "the currency of amount"),
    "value_usd": ("float", "money in US dollars"),
    "year": ("int", "the year the claim is about"),
    "year_end": ("int", "the last year of a range"),
    "stage": ("text", "for targets: prototype, pilot, sample, mass_production..."),
    "technology": ("text", "all_solid_state, semi_solid, sulfide, oxide..."),
    "metric": ("text", "for specs: energy_density_wh_kg, range_km..."),
    "relation": ("text", "for standings: leads, trails, overtakes, ranks"),
    "aspect": ("text", "for standings: what the standing is about"),
    "rank": ("int", "for standings: the place stated"),
    "segment": ("text", "for market shares: the market"),
    "program": ("text", "for funding: the programme's name"),
}
assert tuple(_CLAIM_FIELD_TYPES) == CLAIM_FIELDS, "every contract field has a type here"

CLAIM_COLUMNS = _columns(
    ("id", "int", "the claim's id in the store"),
    *((name, *spec) for name, spec in _CLAIM_FIELD_TYPES.items()),
    ("subject_country", "text", "the country of the subject (a company's, or the place itself)"),
    ("confidence", "float", "the extractor's confidence, 0 to 1"),
    ("sentence", "text", "the sentence that states the claim"),
    ("start", "int", "where the sentence starts in the document's text"),
    ("end", "int", "where it ends"),
    ("document_id", "int", "the document's id in the store"),
    ("title", "text", "the document's title"),
    ("url", "text", "the document's address"),
    ("publisher", "text", "who published it"),
    ("published", "date", "the document's date"),
    ("source", "text", "how the app cites the document: its publisher, else its address"),
    ("stored", "date", "when the claim entered the store"),
)

FACT_COLUMNS = _columns(
    ("entity", "text", "the entity the fact is about"),
    ("entity_type", "text", "country, region, company, program or institution"),
    ("country", "text", "the row of the board by country this fact counts for: the entity itself for a country "
                        "or region, a company's country; empty for other entities"),
    ("kind", "text", "the claim kind the fact consolidates"),
    ("dimension", "text", "what it measures within its kind: segment, metric, programme, partner..."),
    ("unit", "text", "the unit of value (money is in USD)"),
    ("year", "int", "the year the fact is about"),
    ("year_end", "int", "the last year of a range"),
    ("period", "text", "the period as it reads ('2024', '2000-2023', 'undated')"),
    ("value", "float", "the consolidated value: what the board counts"),
    ("bound", "text", "eq, gt, lt or approx"),
    ("display", "text", "the value as it reads ('about US$2.32 billion'); empty when the fact has no value "
                        "(a partnership)"),
    ("agree", "bool", "false when two sources disagree beyond tolerance"),
    ("n_claims", "int", "how many claims state it"),
    ("n_sources", "int", "how many distinct publishers"),
    ("sources", "text", "the publishers, joined with '; '"),
    ("first_seen", "date", "the earliest date it was stated"),
    ("claim_ids", "ids", "the ids of the claims behind it (rows of the claims table)"),
    ("chosen_claim_id", "int", "the claim the value comes from"),
    ("sentence", "text", "that claim's sentence"),
)

CONFLICT_COLUMNS = _columns(
    ("conflict", "int", "the conflict's number in this export (its sides share it)"),
    ("type", "text", "number, standing or scope (two figures of one source that measure different things)"),
    ("entity", "text", "the entity the sides disagree about"),
    ("kind", "text", "the claim kind"),
    ("topic", "text", "what is disputed"),
    ("period", "text", "the period it is about"),
    ("summary", "text", "the conflict in one line, every side with its sources"),
    ("side", "int", "the side's number within its conflict"),
    ("label", "text", "what the side states ('37%', 'China ahead of Japan')"),
    ("sources", "text", "the side's publishers, joined with '; '"),
    ("claim_ids", "ids", "the ids of the side's claims"),
)

LEDGER_COLUMNS = _columns(
    ("entity", "text", "the company"),
    ("stage", "text", "the stage the target is for (mass_production, sample...)"),
    ("entry", "int", "the entry's place in the ledger, oldest first"),
    ("target", "text", "the target as stated ('2027', '2027-2028', 'after 2030')"),
    ("midpoint", "float", "the target as a year, for sorting and plotting"),
    ("move", "text", "first, unchanged, slip, pull_in, restated, recalled or same_source"),
    ("delta", "float", "years moved against the target in force before it"),
    ("reported", "date", "when it was stated"),
    ("claim_id", "int", "the claim that states it"),
    ("source", "text", "who stated it"),
    ("current", "text", "the ledger's target in force now (the same on each entry of one ledger)"),
    ("moved", "float", "years the target moved from its first statement to now"),
    ("slips", "int", "how many entries slipped"),
    ("pull_ins", "int", "how many entries pulled the target in"),
)

STORY_COLUMNS = _columns(
    ("id", "int", "the story's id"),
    ("headline", "text", "its headline"),
    ("first_date", "date", "the date of its first document"),
    ("last_date", "date", "the date of its latest document"),
    ("doc_count", "int", "how many documents report it"),
    ("version", "int", "bumped each time a document joins"),
    ("document_ids", "ids", "the ids of its documents"),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "claims": CLAIM_COLUMNS,
    "facts": FACT_COLUMNS,
    "conflicts": CONFLICT_COLUMNS,
    "ledgers": LEDGER_COLUMNS,
    "stories": STORY_COLUMNS,
}
TABLE_HELP = {
    "claims": "one row per claim, with its sentence and its document",
    "facts": "one row per fact: the de-duplicated figures the board counts, with the ids of their claims",
    "conflicts": "one row per side of each conflict",
    "ledgers": "one row per dated target, ledger by ledger (company x stage)",
    "stories": "one row per story, with the ids of its documents",
}


def check_table(table: str) -> tuple[Column, ...]:
    """The columns of ``table``; a usage error naming the tables when there is no such one."""
    if table not in TABLES:
        raise UsageError(f"no export table {table!r}; one of {', '.join(TABLES)}")
    return TABLES[table]


# --- rows --------------------------------------------------------------------------------------------


def claim_row(c: ClaimRecord) -> dict[str, Any]:
    row = {name: getattr(c, name) for name in ("id", *CLAIM_FIELDS, "subject_country", "confidence", "sentence",
                                               "start", "end", "document_id", "title", "url", "publisher",
                                               "published")}
    row.update(source=c.source_name, stored=c.created)
    return row


def fact_row(f: Fact) -> dict[str, Any]:
    k = f.key
    return {"entity": k.entity, "entity_type": f.entity_type, "country": owner_on_board(f.claims[0], "country"),
            "kind": k.kind, "dimension": k.dimension, "unit": k.unit, "year": k.year, "year_end": k.year_end,
            "period": f.period, "value": f.value, "bound": f.bound,
            "display": None if f.value is None else format_value(f.value, k.unit, f.bound),
            "agree": f.agree, "n_claims": len(f.claims), "n_sources": f.n_sources, "sources": "; ".join(f.sources),
            "first_seen": f.first_seen, "claim_ids": [c.id for c in f.claims], "chosen_claim_id": f.chosen.id,
            "sentence": f.chosen.sentence}


def conflict_rows(number: int, c: Conflict) -> Iterator[dict[str, Any]]:
    summary = c.summary
    for i, side in enumerate(c.sides, 1):
        yield {"conflict": number, "type": c.type, "entity": c.entity, "kind": c.kind, "topic": c.topic,
               "period": c.period, "summary": summary, "side": i, "label": side.label,
               "sources": "; ".join(side.sources), "claim_ids": [x.id for x in side.claims]}


def ledger_rows(led: Ledger) -> Iterator[dict[str, Any]]:
    current, moved = led.current.target, led.moved
    for i, e in enumerate(led.entries, 1):
        yield {"entity": led.entity, "stage": led.stage, "entry": i, "target": e.target, "midpoint": e.midpoint,
               "move": e.move, "delta": e.delta, "reported": e.reported, "claim_id": e.claim.id,
               "source": e.claim.source_name, "current": current, "moved": moved, "slips": led.slips,
               "pull_ins": led.pull_ins}


def story_row(s: StoryRecord) -> dict[str, Any]:
    return {"id": s.id, "headline": s.headline, "first_date": s.first_date, "last_date": s.last_date,
            "doc_count": s.doc_count, "version": s.version, "document_ids": list(s.document_ids)}


def _numbered(make: Callable[[int, Any], Iterator[dict[str, Any]]]) -> Callable[[Iterable[Any]], Iterator[dict[str, Any]]]:
    def rows(items: Iterable[Any]) -> Iterator[dict[str, Any]]:
        for number, item in enumerate(items, 1):
            yield from make(number, item)
    return rows


_ROWS: dict[str, Callable[[Iterable[Any]], Iterator[dict[str, Any]]]] = {
    "claims": lambda items: map(claim_row, items),
    "facts": lambda items: map(fact_row, items),
    "conflicts": _numbered(conflict_rows),
    "ledgers": _numbered(lambda _, led: ledger_rows(led)),
    "stories": lambda items: map(story_row, items),
}


def table_rows(table: str, items: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """The typed rows of ``table`` from its records (claim records, facts, conflicts, ledgers, stories), one
    at a time, each a dict in the table's column order with every value of its column's type or None."""
    columns = check_table(table)
    for row in _ROWS[table](items):
        yield {col.name: typed(col.type, row[col.name]) for col in columns}


def typed(kind: str, value: Any) -> Any:
    """A value as its column's type: the one place the types of ``TYPES`` are enforced."""
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return bool(value)
    if kind == "date":
        return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else \
            date.fromisoformat(str(value)[:10])
    if kind == "ids":
        return [int(v) for v in value]
    text = str(value)
    # the app writes "-" where it has no value to show: a table says none (an empty cell, a null)
    return None if text.strip() in NO_TEXT else text


NO_TEXT = frozenset({"", "-"})

