"""The patents commands through ``python -m ssbrace`` on a temporary store."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

from tests.patents.conftest import GOOGLE_JSONL, LENS, PATENTSVIEW


def run(db: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SSBRACE_DB": db, "COLUMNS": "300"}  # a wide terminal: one error, one line
    env.pop("SSBRACE_DOMAIN", None)
    return subprocess.run([sys.executable, "-m", "ssbrace", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_load_count_and_reload(tmp_path):
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    first = run(db, "patents", "load", str(LENS), str(GOOGLE_JSONL), *map(str, PATENTSVIEW))
    assert first.returncode == 0, first.stderr
    assert "loaded: " in first.stdout and "(lens, 11 records, export 1)" in first.stdout
    again = run(db, "patents", "load", str(LENS))
    assert again.returncode == 0 and again.stdout.startswith("already loaded")
    res = run(db, "patents", "count", "--by", "country", "--export", "1", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["unit"] == "simple_family" and {r["key"]: r["count"] for r in data["rows"]}["Japan"] == 3
    res = run(db, "patents", "count", "--by", "country", "--export", "1", "--unit", "family", "--country-by",
              "first_applicant", "--from", "2019", "--to", "2019", "--csv")
    table = list(csv.reader(io.StringIO(res.stdout)))
    assert table[0] == ["country", "count", "share", "definition"] and table[1][:2] == ["Japan", "2"]
    res = run(db, "patents", "growth", "--export", "1")
    assert res.returncode == 0 and "compound growth 2019-2022" in res.stdout
    res = run(db, "patents", "top", "--n", "1", "--json")
    assert [r["key"] for r in json.loads(res.stdout)["rows"]] == ["TOYOTA MOTOR CORP"]


def test_count_a_file_without_the_store(tmp_path):
    res = run(f"sqlite:///{tmp_path / 'kb.db'}", "patents", "count", "--file", str(LENS), "--by", "year")
    assert res.returncode == 0, res.stderr
    assert "5 simple families in the landscape" in res.stdout and "definition " in res.stdout


def test_errors_are_one_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    bad = tmp_path / "notes.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    for args, code, words in ((("load", str(bad)), 1, "unknown export format"),
                              (("load", str(tmp_path / "missing.csv")), 1, "no such file"),
                              (("count",), 2, "no patent exports loaded"),
                              (("count", "--file", str(LENS), "--from", "2020", "--to", "2000"), 2, "after year_to"),
                              (("count", "--file", str(LENS), "--country-by", "owner"), 2, "country_by")):
        res = run(db, "patents", *args)
        assert res.returncode == code, (args, res.stderr)
        assert words in res.stderr and res.stderr.count("\n") == 1, res.stderr


def test_check_sets_reported_figures_beside_the_exports(tmp_path):
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    assert run(db, "load-reference").returncode == 0
    assert run(db, "patents", "load", str(LENS)).returncode == 0
    res = run(db, "check", "--json")
    gaps = [f for f in json.loads(res.stdout) if f["check"] == "patent_gap"]
    assert gaps and all(g["definition"] and g["exports"] == ["lens-export.csv"] for g in gaps)
    res = run(db, "check")
    assert "Reported patent figures vs loaded exports" in res.stdout
