"""The knowledge commands through the real console script on a temporary store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SSBRACE = Path(sys.executable).with_name("ssbrace")


def run(db: str, *args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "SSBRACE_DB": db, **(env_extra or {})}
    env.pop("SSBRACE_DOMAIN", None)
    env.update(env_extra or {})
    return subprocess.run([str(SSBRACE), *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def reference_db(tmp_path_factory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('kbcli') / 'ref.db'}"
    first = run(db, "load-reference")
    assert first.returncode == 0, first.stderr
    assert "reference claims added: 318" in first.stdout
    return db


def test_load_reference_twice_adds_nothing(reference_db):
    again = run(reference_db, "load-reference")
    assert again.returncode == 0 and "reference claims added: 0" in again.stdout


def test_board_prints_ranked_countries_and_takes_weights(reference_db):
    res = run(reference_db, "board")
    assert res.returncode == 0, res.stderr
    lines = [line for line in res.stdout.splitlines() if line.startswith("│ ")]
    ranked = [line.split("│")[2].strip() for line in lines]
    assert {"Japan", "China", "South Korea"} <= set(ranked[:4])
    assert "World" not in ranked
    assert "Composite score per country" in res.stdout
    as_json = json.loads(run(reference_db, "board", "--json", "--weight", "funding=10").stdout)
    assert as_json["weights"]["funding"] == 10 and "funding=10" in as_json["explanation"]
    assert [r["rank"] for r in as_json["rows"]] == list(range(1, len(as_json["rows"]) + 1))
    companies = run(reference_db, "board", "--by", "company")
    assert companies.returncode == 0 and "Toyota" in companies.stdout
    # the score reads the same everywhere: 0-100, one decimal (issue 14: 0.719 here, 70 on the web)
    plain_json = json.loads(run(reference_db, "board", "--json").stdout)
    first = plain_json["rows"][0]
    assert lines[0].split("│")[3].strip() == f"{first['score'] * 100:.1f}"
    md = run(reference_db, "report", "--format", "md").stdout
    assert f"| 1 | {first['entity']} | {first['score'] * 100:.1f} |" in md


def test_bad_weight_is_a_usage_error(reference_db):
    res = run(reference_db, "board", "--weight", "charisma=3")
    assert res.returncode == 2 and "unknown weight" in res.stderr and "Traceback" not in res.stderr


def test_conflicts_show_the_2022_catl_share_conflict(reference_db):
    res = run(reference_db, "conflicts")
    assert res.returncode == 0, res.stderr
    assert "CONFLICT (number) CATL: market share (automotive batteries) (2022)" in res.stdout
    assert "36.2%" in res.stdout and "37%" in res.stdout
    assert "DIGITIMES Asia" in res.stdout and "CnEVPost" in res.stdout
    data = json.loads(run(reference_db, "conflicts", "--json").stdout)
    catl = [c for c in data if c["entity"] == "CATL" and c["period"] == "2022"]
    assert catl and {s["label"] for s in catl[0]["sides"]} == {"36.2%", "37%"}
    assert any(c["type"] == "standing" for c in data) and any(c["type"] == "scope" for c in data)


def test_roadmap_shows_slips(reference_db):
    res = run(reference_db, "roadmap", "Toyota")
    assert res.returncode == 0, res.stderr
    assert "SLIP" in res.stdout and "mass production" in res.stdout and "now 2030" in res.stdout
    data = json.loads(run(reference_db, "roadmap", "ProLogium", "--json").stdout)
    assert data[0]["first"] == "2026" and data[0]["current"] == "2028" and data[0]["slips"] == 1
    # an alias means its entity, as on the web (issue 14: "Toyota Motor" once had "no dated targets")
    assert run(reference_db, "roadmap", "Toyota Motor").stdout == res.stdout
    assert run(reference_db, "roadmap", "toyota motor corporation").stdout == res.stdout
    missing = run(reference_db, "roadmap", "Nobody Motors")
    assert missing.returncode == 2 and "no dated targets" in missing.stderr


def test_check_changes_entities_and_report(reference_db, tmp_path):
    check = json.loads(run(reference_db, "check", "--json").stdout)
    assert {f["check"] for f in check} >= {"conversion"}
    changes = json.loads(run(reference_db, "changes", "--since", "2026-01-01", "--json").stdout)
    assert any("ProLogium mass production target slipped" in s for s in changes["moved_targets"])
    assert run(reference_db, "changes", "--since", "yesterday").returncode == 2
    entities = json.loads(run(reference_db, "entities", "--json").stdout)
    toyota = next(e for e in entities if e["name"] == "Toyota")
    assert toyota["claim_count"] >= 30 and toyota["country"] == "Japan"
    out = tmp_path / "report.html"
    res = run(reference_db, "report", "--out", str(out))
    assert res.returncode == 0, res.stderr
    html = out.read_text(encoding="utf-8")
    assert "<svg" in html and "https://www.digitimes.com/" in html


def test_entities_merge(tmp_path, mini_pack):
    db = f"sqlite:///{tmp_path / 'merge.db'}"
    env = {"SSBRACE_DOMAIN": str(mini_pack)}
    assert run(db, "load-reference", env_extra=env).returncode == 0
    res = run(db, "entities", "merge", "Zenith Energy", "Zenith Motors", env_extra=env)
    assert res.returncode == 0, res.stderr
    names = {e["name"] for e in json.loads(run(db, "entities", "--json", "--all", env_extra=env).stdout)}
    assert "Zenith Motors" not in names and "Zenith Energy" in names
    bad = run(db, "entities", "merge", "Zenith Energy", "Nobody", env_extra=env)
    assert bad.returncode == 1 and "no entity named 'Nobody'" in bad.stderr


def test_changes_takes_the_same_since_as_stories_and_digest(reference_db):
    relative = run(reference_db, "changes", "--since", "7d")
    assert relative.returncode == 0, relative.stderr
    dated = run(reference_db, "changes", "--since", "2000-01-01", "--json")
    assert dated.returncode == 0 and json.loads(dated.stdout)["since"] == "2000-01-01"
    bad = run(reference_db, "changes", "--since", "soon")
    assert bad.returncode == 2 and "24h, 7d, 2w or an ISO date" in bad.stderr


def test_read_commands_refuse_a_store_that_does_not_exist(tmp_path):
    missing = tmp_path / "typo.db"
    for args in (["conflicts"], ["board"], ["roadmap", "Toyota"], ["stories"], ["changes", "--since", "2024-01-01"]):
        res = run(f"sqlite:///{missing}", *args)
        assert res.returncode != 0, args
        assert f"no store at {missing}" in res.stderr and res.stderr.count("\n") == 1, args
        assert not missing.exists(), args  # nothing created
    # a command that creates a store still does
    assert run(f"sqlite:///{missing}", "init").returncode == 0 and missing.exists()
    assert run(f"sqlite:///{missing}", "conflicts").returncode == 0


def test_report_goes_to_stdout_and_takes_its_format_from_the_suffix(reference_db, tmp_path):
    piped = run(reference_db, "report", "--format", "md")
    assert piped.returncode == 0 and piped.stdout.startswith("#") and "report written" not in piped.stdout
    as_json = tmp_path / "r.json"
    assert run(reference_db, "report", "--out", str(as_json)).returncode == 0
    assert isinstance(json.loads(as_json.read_text()), dict)  # JSON because of the suffix, not HTML
    wrong = run(reference_db, "report", "--out", str(tmp_path / "r.xlsx"))
    assert wrong.returncode == 2 and "cannot tell a report format" in wrong.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_merge_checks_types_and_unmerge_restores_the_board(tmp_path):
    db = f"sqlite:///{tmp_path / 'merge.db'}"
    assert run(db, "load-reference").returncode == 0
    board = json.loads(run(db, "board", "--json").stdout)
    refused = run(db, "entities", "merge", "Toyota", "Japan")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1 and "--force" in refused.stderr
    assert json.loads(run(db, "board", "--json").stdout) == board  # nothing moved
    assert run(db, "entities", "merge", "Toyota", "Japan", "--force").returncode == 0
    merged = json.loads(run(db, "board", "--json").stdout)
    assert merged != board
    log = json.loads(run(db, "entities", "merges", "--json").stdout)
    assert [(m["dropped"], m["kept"], m["undoable"]) for m in log] == [("Japan", "Toyota", True)]
    undone = run(db, "entities", "unmerge", "Japan")
    assert undone.returncode == 0 and "restored Japan (country)" in undone.stdout
    assert json.loads(run(db, "board", "--json").stdout) == board
    assert json.loads(run(db, "entities", "merges", "--json").stdout) == []
