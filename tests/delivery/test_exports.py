"""Exports (ssbrace export, ssbrace.api.export): typed columns in every format, facts that sum to the board,
one-line usage errors. A real store holding the pack's reference claims; the command through its console script."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date

import pytest

import ssbrace.api as api
from ssbrace.delivery.export_writers import BATCH_ROWS, EXPORT_FORMATS, export_format, write_export
from ssbrace.delivery.exports import TABLES, TYPES, check_table, table_rows, typed
from ssbrace.errors import UsageError
from ssbrace.kb.store import Store
from ssbrace.pipeline import load_reference
from tests.cli.test_kb_cli import run

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Iterator[tuple[str, Store]]:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path_factory.mktemp('exports') / 'ref.db'}"
    store = Store(url)
    assert load_reference(store) > 300
    yield url, store
    store.dispose()


def test_every_column_has_a_known_type_and_a_description() -> None:
    assert set(TABLES) == {"claims", "facts", "conflicts", "ledgers", "stories"}
    for table, columns in TABLES.items():
        names = [c.name for c in columns]
        assert len(names) == len(set(names)), table
        assert all(c.type in TYPES and c.description for c in columns), table
    with pytest.raises(UsageError, match="no export table 'boards'"):
        check_table("boards")


def test_values_take_their_column_type() -> None:
    assert typed("int", 2027.0) == 2027 and isinstance(typed("int", 2027.0), int)
    assert typed("float", 3) == 3.0 and isinstance(typed("float", 3), float)
    assert typed("date", "2024-05-01T10:00:00") == date(2024, 5, 1)
    assert typed("bool", 0) is False and typed("ids", (3, 1)) == [3, 1] and typed("text", None) is None


def test_facts_carry_their_claims_and_every_row_is_typed(reference) -> None:  # type: ignore[no-untyped-def]
    _, store = reference
    facts = list(api.export(store, "facts"))
    claims = list(api.export(store, "claims"))
    claim_ids = {c["id"] for c in claims}
    assert facts and claims
    for row in facts:
        assert list(row) == [c.name for c in TABLES["facts"]]
        assert row["claim_ids"] and set(row["claim_ids"]) <= claim_ids and row["n_claims"] == len(row["claim_ids"])
        assert row["chosen_claim_id"] in row["claim_ids"]
        assert isinstance(row["agree"], bool)
        assert row["year"] is None or isinstance(row["year"], int)
        assert row["first_seen"] is None or isinstance(row["first_seen"], date)
    funding = [c for c in claims if c["kind"] == "funding"]
    assert all(isinstance(c["value_usd"], float) for c in funding if c["value_usd"] is not None)
    # a company's fact counts for its country on the board; a country's for itself
    assert {(r["entity_type"], r["country"] == r["entity"]) for r in facts if r["entity"] == "Japan"} == {("country", True)}
    assert any(r["entity_type"] == "company" and r["country"] == "Japan" for r in facts)


def test_conflicts_and_ledgers_are_one_row_per_side_and_per_entry(reference) -> None:  # type: ignore[no-untyped-def]
    _, store = reference
    k = api.knowledge(store)
    conflicts = list(api.export(store, "conflicts", analysis=k))
    assert len(conflicts) == sum(len(c.sides) for c in k.conflicts) > 0
    assert {r["conflict"] for r in conflicts} == set(range(1, len(k.conflicts) + 1))
    ledgers = list(api.export(store, "ledgers", analysis=k))
    assert len(ledgers) == sum(len(led.entries) for led in k.ledgers) > 0
    slipped = [r for r in ledgers if r["move"] == "slip"]
    assert slipped and all(r["delta"] > 0 and r["slips"] >= 1 for r in slipped)


def test_the_three_formats_agree(reference, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, store = reference
    rows = list(api.export(store, "facts"))
    for fmt in EXPORT_FORMATS:
        api.export_to(store, "facts", tmp_path / f"facts.{fmt}")
    table = pq.read_table(tmp_path / "facts.parquet")
    schema = {f.name: f.type for f in table.schema}
    assert schema["year"] == pa.int64() and schema["value"] == pa.float64() and schema["agree"] == pa.bool_()
    assert schema["first_seen"] == pa.date32() and schema["claim_ids"] == pa.list_(pa.int64())
    assert table.schema.field("claim_ids").metadata[b"description"].startswith(b"the ids of the claims")
    assert table.to_pylist() == rows
    lines = (tmp_path / "facts.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    assert len(lines) == len(rows) and first["claim_ids"] == rows[0]["claim_ids"]
    assert first["first_seen"] == rows[0]["first_seen"].isoformat() and type(first["agree"]) is bool
    with (tmp_path / "facts.csv").open(encoding="utf-8", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert len(read) == len(rows)
    assert read[0]["claim_ids"] == ";".join(str(i) for i in rows[0]["claim_ids"])
    assert read[0]["agree"] in {"true", "false"} and read[0]["year"] in {"", str(rows[0]["year"])}


def test_a_fact_without_a_value_has_no_display_in_any_format(reference, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, store = reference
    rows = list(api.export(store, "facts"))
    # the reference claims hold partnerships: facts with a partner and no number
    partnerships = [r for r in rows if r["kind"] == "partnership"]
    assert partnerships and all(r["value"] is None and r["display"] is None for r in partnerships)
    assert all(r["display"] for r in rows if r["value"] is not None)
    for fmt in EXPORT_FORMATS:
        api.export_to(store, "facts", tmp_path / f"facts.{fmt}")
    with (tmp_path / "facts.csv").open(encoding="utf-8", newline="") as handle:
        read = [r for r in csv.DictReader(handle) if r["kind"] == "partnership"]
    assert len(read) == len(partnerships) and {r["display"] for r in read} == {""}
    jsonl = [json.loads(line) for line in (tmp_path / "facts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["display"] for r in jsonl if r["kind"] == "partnership"} == {None}
    table = pq.read_table(tmp_path / "facts.parquet").to_pylist()
    assert {r["display"] for r in table if r["kind"] == "partnership"} == {None}


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted_and_nothing_else(tmp_path) -> None:  # type: ignore[no-untyped-def]
    headlines = ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1", "-", "+", "", "  ", "a-b", "-5%"]
    rows = [{"id": i, "headline": h, "first_date": None, "last_date": None, "doc_count": 1, "version": 1,
             "document_ids": []} for i, h in enumerate(headlines)]
    text = io.StringIO()
    typed_rows = ({c.name: typed(c.type, row[c.name]) for c in TABLES["stories"]} for row in rows)
    write_export("stories", typed_rows, "csv", text)
    read = [r["headline"] for r in csv.DictReader(io.StringIO(text.getvalue()))]
    assert read == ["'=HYPERLINK(\"http://x\")", "'+1+2", "'-2+3", "'@SUM(A1)", "'\t=1", "", "+", "", "", "a-b",
                    "'-5%"]
    assert typed("text", "-") is None and typed("text", " ") is None and typed("text", "-1") == "-1"


def test_empty_tables_keep_their_columns_and_parquet_writes_in_batches(tmp_path) -> None:  # type: ignore[no-untyped-def]
    write_export("stories", iter([]), "parquet", tmp_path / "none.parquet")
    assert pq.read_table(tmp_path / "none.parquet").column_names == [c.name for c in TABLES["stories"]]
    many = ({"id": i, "headline": f"h{i}", "first_date": date(2024, 1, 1), "last_date": None, "doc_count": 1,
             "version": 1, "document_ids": [i]} for i in range(BATCH_ROWS * 2 + 7))
    write_export("stories", table_rows("stories", []), "parquet", tmp_path / "empty.parquet")
    write_export("stories", many, "parquet", tmp_path / "many.parquet")
    assert pq.ParquetFile(tmp_path / "many.parquet").metadata.num_rows == BATCH_ROWS * 2 + 7
    text = io.StringIO()
    write_export("stories", iter([]), "csv", text)
    assert text.getvalue().strip() == ",".join(c.name for c in TABLES["stories"])


def test_format_comes_from_the_suffix_and_bad_ones_are_refused() -> None:
    assert export_format("out/facts.parquet", None) == "parquet" and export_format(None, None) == "csv"
    assert export_format("facts.txt", "jsonl") == "jsonl"
    with pytest.raises(UsageError, match="cannot tell an export format"):
        export_format("facts.xlsx", None)
    with pytest.raises(UsageError, match="--format must be one of"):
        export_format(None, "xml")


def test_a_failed_export_leaves_the_old_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "facts.csv"
    target.write_text("old\n")

    def broken() -> Iterator[dict]:
        yield {"id": 1, "headline": "h", "first_date": None, "last_date": None, "doc_count": 1, "version": 1,
               "document_ids": []}
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        write_export("stories", broken(), "csv", target)
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["facts.csv"]


# --- the command -------------------------------------------------------------------------------------


def test_cli_exports_to_stdout_and_files(reference, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url, _ = reference
    res = run(url, "export", "claims", "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    first = json.loads(res.stdout.splitlines()[0])
    assert isinstance(first["id"], int) and "sentence" in first and "published" in first
    res = run(url, "export", "ledgers")  # CSV by default on standard output
    assert res.returncode == 0 and res.stdout.startswith("entity,stage,entry,target")
    out = tmp_path / "conflicts.parquet"
    res = run(url, "export", "conflicts", "--out", str(out))
    assert res.returncode == 0 and "conflicts written" in res.stderr and pq.read_table(out).num_rows > 0


@pytest.mark.parametrize(("args", "message"), [
    (["export", "boards"], "no export table 'boards'"),
    (["export", "facts", "--format", "xlsx"], "--format must be one of csv, jsonl, parquet"),
    (["export", "facts", "--format", "parquet"], "parquet is binary: give --out FILE"),
    (["export", "facts", "--out", "facts.xlsx"], "cannot tell an export format from 'facts.xlsx'"),
])
def test_cli_usage_errors_are_one_line(reference, args, message) -> None:  # type: ignore[no-untyped-def]
    url, _ = reference
    res = run(url, *args)
    assert res.returncode == 2 and message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and res.stdout == ""


def test_facts_export_sums_to_the_boards_funding(reference, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The issue's complaint: summing claims double-counts; the exported facts give the board's figure."""
    pd = pytest.importorskip("pandas")
    url, _ = reference
    board = json.loads(run(url, "board", "--json").stdout)
    shown = {row["entity"]: row["indicators"]["funding"]["value"] for row in board["rows"]
             if row["indicators"].get("funding")}
    out = tmp_path / "facts.parquet"
    assert run(url, "export", "facts", "--out", str(out)).returncode == 0
    facts = pd.read_parquet(out)
    funding = facts[facts.kind == "funding"].groupby("country").value.sum()
    assert funding["Japan"] == pytest.approx(shown["Japan"])
    assert funding.to_dict() == pytest.approx(shown)
    # the claims, summed as they come, count repeated figures twice: the gap the facts close
    claims = pd.read_csv(io.StringIO(run(url, "export", "claims").stdout))
    naive = claims[claims.kind == "funding"].groupby("subject_country").value_usd.sum()
    assert naive["Japan"] > shown["Japan"]


def test_every_column_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "exports.md").read_text(encoding="utf-8")
    for table, columns in TABLES.items():
        section = doc.split(f"### {table}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
        assert [c.name for c in columns if f"| `{c.name}` | {c.type} |" not in section] == [], table
