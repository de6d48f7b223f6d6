"""Bulk writes: many rows of one table in one statement stream, for backfills and benchmarks.

PostgreSQL gets ``COPY ... FROM STDIN`` (psycopg's ``cursor.copy``: rows streamed to the server, no statement
per row); SQLite gets batched inserts of one prepared statement (``executemany``, which
SQLite runs without a round trip per row). Either way the rows land in one transaction, through the same
triggers and indexes as ordinary writes (the full-text index included). Rows are plain dicts keyed by
column name; a column a row leaves out is NULL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import JSON, Connection, Table, insert, text

from ssbrace.kb.store import Store
from ssbrace.kb.tables import Claim, Document, Entity, EntityAlias

# Rows per executemany batch on SQLite (memory of one batch of dicts, not a limit of SQLite's).
BATCH = 5000


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _copy(connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> int:
    """``COPY table (columns) FROM STDIN`` on the connection's own transaction."""
    from psycopg.types.json import Json

    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    raw = connection.connection.driver_connection
    assert raw is not None
    names = ", ".join(f'"{c}"' for c in columns)
    n = 0
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            values = [row.get(c) for c in columns]
            for i, c in enumerate(columns):
                if c in json_columns and values[i] is not None:
                    values[i] = Json(values[i])
            copy.write_row(values)
            n += 1
    return n


def _reset_sequence(connection: Connection, table: Table) -> None:
    """After rows were written with their own ids, the next id PostgreSQL hands out follows the largest."""
    connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))


def load_rows(store: Store, table: Table, rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None) -> int:
    """Write ``rows`` into ``table`` in one transaction, the fastest way the store's database offers.

    Args:
        store: the knowledge store (migrated).
        table: the SQLAlchemy table (``Claim.__table__``...).
        rows: dicts keyed by column name, streamed (never held whole on PostgreSQL; a batch at a time on SQLite).
        columns: the columns the rows fill (default: every column of the table; the others get NULL, not
            their Python-side defaults, so fill what is NOT NULL).

    Returns:
        The number of rows written.
    """
    names = list(columns) if columns is not None else [c.name for c in table.columns]
    with store.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            n = _copy(connection, table, names, rows)
            if "id" in names and "id" in table.columns:
                _reset_sequence(connection, table)
            return n
        n = 0
        statement = insert(table)
        for batch in _batches(rows, BATCH):
            connection.execute(statement, [{c: row.get(c) for c in names} for row in batch])
            n += len(batch)
        return n


def load_claims(store: Store, rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None) -> int:
    """Claim rows (``tables.Claim``'s columns) written in bulk; see ``load_rows``."""
    return load_rows(store, Claim.__table__, rows, columns)  # type: ignore[arg-type]


def load_documents(store: Store, rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None) -> int:
    """Document rows written in bulk; see ``load_rows``."""
    return load_rows(store, Document.__table__, rows, columns)  # type: ignore[arg-type]


def load_entities(store: Store, rows: Iterable[dict[str, Any]]) -> int:
    """Entity rows (with their ids), each with its own name as an alias, written in bulk."""
    rows = list(rows)
    n = load_rows(store, Entity.__table__, rows)  # type: ignore[arg-type]
    load_rows(store, EntityAlias.__table__,  # type: ignore[arg-type]
              ({"entity_id": r["id"], "alias": r["name"], "normalised": r["name"].casefold()} for r in rows),
              ["entity_id", "alias", "normalised"])
    return n


def copy_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """``COPY`` rows into a table inside the connection's transaction (PostgreSQL), the Python-side defaults
    of the columns they leave out filled in as an INSERT through SQLAlchemy fills them (``created_at``); an
    id the database hands out is left to it. The driver of a distributed ingest writes its batches so."""
    if not rows:
        return 0
    given = {name for row in rows for name in row}
    filled: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if default.is_scalar:
            filled[column.name] = default.arg  # type: ignore[attr-defined]
        elif default.is_callable:
            filled[column.name] = default.arg(None)  # type: ignore[attr-defined]  # utcnow: no context read
    columns = [c.name for c in table.columns if c.name in given or c.name in filled]
    return _copy(connection, table, columns, ({**filled, **row} for row in rows))
