"""``ssbrace extract``, ``ssbrace eval`` and ``ssbrace reextract`` through the real console script."""

import json
import subprocess
import sys
from pathlib import Path

SSBRACE = str(Path(sys.executable).parent / "ssbrace")
ARTICLE = "Toyota and Idemitsu aim to commercialize their all-solid-state cells in 2027 or 2028."


def run(*args, stdin=None, env_db=None):
    cmd = [SSBRACE, *(["--db", env_db] if env_db else []), *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=180)


def test_extract_jsonl_prints_only_claims(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    result = run("extract", "--jsonl", str(path))
    assert result.returncode == 0, result.stderr
    claims = [json.loads(line) for line in result.stdout.splitlines()]
    assert {(c["kind"], c["subject"]) for c in claims} >= {("target", "Toyota"), ("target", "Idemitsu Kosan")}
    assert all(c["doc"] == str(path) for c in claims)
    assert all(set(c) >= {"kind", "subject", "evidence", "confidence", "value_usd"} for c in claims)


def test_extract_reads_stdin_and_html(tmp_path):
    result = run("extract", "--jsonl", "-", stdin=ARTICLE)
    assert result.returncode == 0
    assert all(json.loads(line)["doc"] == "-" for line in result.stdout.splitlines())
    html = tmp_path / "p.html"
    html.write_text(f"<html><head><title>t</title></head><body><nav>Home | About</nav><article><h1>News</h1>"
                    f"<p>{ARTICLE}</p><p>More text about the batteries and the plan for the cars.</p></article>"
                    f"</body></html>", encoding="utf-8")
    result = run("extract", "--jsonl", str(html))
    assert result.returncode == 0, result.stderr
    assert any(json.loads(line)["subject"] == "Toyota" for line in result.stdout.splitlines())


def test_extract_without_jsonl_prints_a_table(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    result = run("extract", str(path))
    assert result.returncode == 0 and "target" in result.stdout and "Toyota" in result.stdout


def test_eval_scores_per_kind(tmp_path):
    gold = tmp_path / "gold.jsonl"
    pred = tmp_path / "pred.jsonl"
    gold.write_text(json.dumps({"doc": "tests/data/articles/a.txt", "kind": "target", "subject": "Toyota", "year": 2027}) + "\n"
                    + json.dumps({"doc": "tests/data/articles/a.txt", "kind": "spec", "subject": "Toyota", "value": 500}) + "\n")
    pred.write_text(json.dumps({"doc": "/abs/a.txt", "kind": "target", "subject": "Toyota", "year": 2027}) + "\n")
    result = run("eval", str(gold), str(pred))
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()}
    assert lines["target"][1:4] == ["1.000", "1.000", "1.000"]
    assert lines["spec"][2] == "0.000"
    assert lines["overall"][1:3] == ["1.000", "0.500"]


def test_eval_rejects_a_bad_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    result = run("eval", str(bad), str(bad))
    assert result.returncode != 0 and "not JSON" in result.stderr
