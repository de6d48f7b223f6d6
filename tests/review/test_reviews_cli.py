"""``ssbrace claims``: find a claim, mark it wrong or correct it, and see every analysis follow; undo,
re-extraction, export and import, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from ssbrace.api import knowledge, open_store, reextract
from ssbrace.kb.tables import Claim
from ssbrace.pipeline import after_document_stored
from ssbrace.settings import Settings

SSBRACE = Path(sys.executable).with_name("ssbrace")


def _json(result) -> object:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _funding(cli, subject: str) -> dict:  # type: ignore[no-untyped-def]
    found = [c for c in _json(cli("claims", "list", "--kind", "funding", "--json")) if c["subject"] == subject]
    assert len(found) == 1, found
    return found[0]


def _board_funding(cli) -> dict[str, float]:  # type: ignore[no-untyped-def]
    rows = _json(cli("board", "--json"))["rows"]
    return {r["entity"]: r["indicators"]["funding"]["value"] for r in rows if r["indicators"].get("funding")}


def test_a_claim_marked_wrong_leaves_the_board_and_undo_brings_it_back(cli, review_store):
    japan = _funding(cli, "Japan")
    assert _board_funding(cli)["Japan"] == japan["value_usd"]
    said = cli("claims", "wrong", str(japan["id"]), "--reason", "a loan, not a subsidy", "--by", "alice")
    assert said.exit_code == 0, said.output
    assert f"claim {japan['id']} marked wrong by alice" in said.stdout
    assert "Japan" not in _board_funding(cli)
    # still listed (to find and undo it), marked
    listed = _funding(cli, "Japan")
    assert listed["review"]["verdict"] == "wrong" and listed["review"]["reviewer"] == "alice"
    assert listed["review"]["reason"] == "a loan, not a subsidy"
    reviews = _json(cli("claims", "reviews", "--json"))
    assert [(r["claim_id"], r["verdict"], r["matched"]) for r in reviews] == [(japan["id"], "wrong", True)]
    # facts and every other part of the analysis read no wrong claim either
    k = knowledge(review_store)
    assert japan["id"] not in {r.id for r in k.records}
    assert all(japan["id"] not in {c.id for c in f.claims} for f in k.facts)
    undone = cli("claims", "undo", str(reviews[0]["id"]))
    assert undone.exit_code == 0 and "undone" in undone.stdout
    assert _board_funding(cli)["Japan"] == japan["value_usd"]
    assert _json(cli("claims", "reviews", "--json")) == []
    assert [r["undone_by"] for r in _json(cli("claims", "reviews", "--all", "--json"))] == ["tester"]


def test_a_correction_reads_everywhere_and_a_second_one_keeps_the_first(cli, review_store):
    korea = _funding(cli, "South Korea")
    said = cli("claims", "correct", str(korea["id"]), "--value", "150m", "--year", "2025", "--reason", "own figure")
    assert said.exit_code == 0, said.output
    assert "corrected by tester" in said.stdout
    assert _board_funding(cli)["South Korea"] == 150e6
    again = cli("claims", "correct", str(korea["id"]), "--kind", "investment")
    assert again.exit_code == 0, again.output
    assert "South Korea" not in _board_funding(cli)  # an investment is no public funding
    k = knowledge(review_store)
    record = next(r for r in k.records if r.id == korea["id"])
    assert (record.kind, record.value_usd, record.year) == ("investment", 150e6, 2025)
    assert [c[0] for c in record.review.changes] == ["kind", "year", "value_usd"]
    assert [f for f in k.facts if f.key.kind == "investment" and f.key.entity == "South Korea"]
    listed = _json(cli("claims", "list", "--kind", "investment", "--subject", "South Korea", "--json"))
    assert [c["id"] for c in listed] == [korea["id"]]
    # the superseded correction is kept in the log; undoing the newer brings it back
    reviews = _json(cli("claims", "reviews", "--all", "--json"))
    assert [(r["verdict"], r["undone_at"] is None) for r in reviews] == [("corrected", False), ("corrected", True)]
    assert cli("claims", "undo", str(reviews[1]["id"])).exit_code == 0
    assert _board_funding(cli)["South Korea"] == 150e6


def test_a_corrected_subject_moves_the_claim_to_its_entity(cli):
    korea = _funding(cli, "South Korea")
    said = cli("claims", "correct", str(korea["id"]), "--subject", "Japan")
    assert said.exit_code == 0, said.output
    board = _board_funding(cli)
    assert "South Korea" not in board and board["Japan"] > korea["value_usd"]
    moved = _json(cli("claims", "list", "--subject", "Japan", "--kind", "funding", "--json"))
    assert korea["id"] in [c["id"] for c in moved]


def _cli_line(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SSBRACE_DB": f"sqlite:///{db}", "SSBRACE_CONFIG": "/nonexistent"}
    return subprocess.run([str(SSBRACE), *args], capture_output=True, text=True, env=env, timeout=120)


def test_bad_input_is_one_line(db_path, cli):
    claim = _funding(cli, "Japan")["id"]
    for args, code, words in (
        (("claims", "correct", str(claim), "--kind", "rumour"), 2, "unknown kind 'rumour'"),
        (("claims", "correct", str(claim), "--value", "lots"), 2, "not a number: 'lots'"),
        (("claims", "correct", str(claim), "--year", "next"), 2, "not a year: 'next'"),
        (("claims", "correct", str(claim)), 2, "nothing to correct"),
        (("claims", "list", "--kind", "rumour"), 2, "unknown kind"),
        (("claims", "wrong", "99999"), 1, "no claim 99999"),
        (("claims", "undo", "77"), 1, "no review 77"),
    ):
        res = _cli_line(db_path, *args)
        assert res.returncode == code, (args, res.stderr)
        assert words in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert _json(cli("claims", "reviews", "--json")) == []  # nothing was written
    missing = _cli_line(db_path.with_name("nowhere.db"), "claims", "list")
    assert missing.returncode == 1 and "no store at" in missing.stderr
    assert not db_path.with_name("nowhere.db").exists()


def test_reviews_survive_reextraction(cli, review_store, db_path):
    japan, korea = _funding(cli, "Japan"), _funding(cli, "South Korea")
    assert cli("claims", "wrong", str(japan["id"])).exit_code == 0
    assert cli("claims", "correct", str(korea["id"]), "--value", "150m").exit_code == 0
    with review_store.session() as s:
        before = set(s.scalars(select(Claim.id)))
    result = reextract(review_store, settings=Settings(db=f"sqlite:///{db_path}"), only_outdated=False)
    assert result.documents == 8 and not result.failures
    with review_store.session() as s:
        after = set(s.scalars(select(Claim.id)))
    assert not before & after  # every claim is a new row
    reviews = _json(cli("claims", "reviews", "--json"))
    assert all(r["matched"] for r in reviews) and {r["claim_id"] for r in reviews} <= after
    board = _board_funding(cli)
    assert "Japan" not in board and board["South Korea"] == 150e6


def test_a_review_whose_claim_is_gone_is_kept_unmatched_until_it_is_found_again(cli, review_store, db_path):
    japan = _funding(cli, "Japan")
    assert cli("claims", "wrong", str(japan["id"])).exit_code == 0
    from ssbrace.kb import claims_repo

    # an extractor that no longer finds that claim: the document's claims replaced without it
    with review_store.session() as s:
        claim = s.get(Claim, japan["id"])
        document = claim.document
        kept = [c for c in claims_repo.list_claims(s, document_id=document.id) if c.kind != "funding"]
        after_document_stored(s, document, kept)
    listing = cli("claims", "reviews")
    assert listing.exit_code == 0 and "unmatched" in listing.stdout and "matched no claim" in listing.stdout
    assert [r["matched"] for r in _json(cli("claims", "reviews", "--json"))] == [False]
    reextract(review_store, settings=Settings(db=f"sqlite:///{db_path}"), only_outdated=False)
    reviews = _json(cli("claims", "reviews", "--json"))
    assert [r["matched"] for r in reviews] == [True]
    assert "Japan" not in _board_funding(cli)


def test_export_then_import_into_another_store(cli, examples_db, tmp_path):
    japan, korea = _funding(cli, "Japan"), _funding(cli, "South Korea")
    cli("claims", "wrong", str(japan["id"]), "--reason", "loan")
    cli("claims", "correct", str(korea["id"]), "--year", "2026")
    stdout = cli("claims", "export-reviews")
    lines = stdout.stdout.splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["key_kind"] == "funding"
    assert "claim_id" not in json.loads(lines[0])  # no database ids travel
    exported = tmp_path / "reviews.jsonl"
    wrote = cli("claims", "export-reviews", "--out", str(exported))
    assert wrote.exit_code == 0 and "2 reviews written" in wrote.stdout
    # a second store with the same documents, ingested on its own (other ids would do as well)
    other = tmp_path / "other.db"
    other.write_bytes(examples_db.read_bytes())
    with open_store(other).session() as s:  # shift its claim ids: matching must not rely on them
        for claim in s.scalars(select(Claim)):
            claim.id = claim.id + 1000
    first = cli("claims", "import-reviews", str(exported), db=other)
    assert first.exit_code == 0, first.output
    assert "reviews imported: 2 (2 matched a claim, 0 unmatched)" in first.stdout
    board = _json(cli("board", "--json", db=other))["rows"]
    assert "Japan" not in {r["entity"] for r in board if r["indicators"].get("funding")}
    again = cli("claims", "import-reviews", str(exported), db=other)
    assert "reviews imported: 0" in again.stdout and "already here: 2" in again.stdout
    # a store without those documents keeps them, unmatched
    empty = tmp_path / "empty.db"
    assert cli("init", db=empty).exit_code == 0
    lonely = cli("claims", "import-reviews", str(exported), db=empty)
    assert "reviews imported: 2 (0 matched a claim, 2 unmatched)" in lonely.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"uid": "x"}\n', encoding="utf-8")
    refused = cli("claims", "import-reviews", str(bad))
    assert refused.exit_code != 0 and "line 1: not a review" in str(refused.exception)
