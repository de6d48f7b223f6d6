"""`ssbrace extract` takes folders as `ingest` does; `eval` refuses empty files (issue 14)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
SSBRACE = str(Path(sys.executable).parent / "ssbrace")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([SSBRACE, *args], capture_output=True, text=True, timeout=120)


def test_extract_walks_a_folder_recursively(tmp_path):
    first, second = sorted(ARTICLES.glob("00[12]_*.txt"))
    (tmp_path / "sub").mkdir()
    shutil.copy(first, tmp_path / first.name)
    shutil.copy(second, tmp_path / "sub" / second.name)
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01")  # not a text file: passed over
    folder = run("extract", str(tmp_path), "--jsonl")
    assert folder.returncode == 0, folder.stderr
    one_by_one = run("extract", str(tmp_path / first.name), str(tmp_path / "sub" / second.name), "--jsonl")
    claims = [json.loads(line) for line in folder.stdout.splitlines()]
    assert claims and folder.stdout == one_by_one.stdout
    assert {Path(c["doc"]).name for c in claims} == {first.name, second.name}


def test_extract_of_a_folder_with_nothing_to_read_fails_in_one_line(tmp_path):
    res = run("extract", str(tmp_path))
    assert res.returncode == 1
    assert res.stderr.strip().endswith("no text, Markdown or HTML files in this folder")


def test_eval_refuses_an_empty_prediction_file(tmp_path):
    empty = tmp_path / "pred.jsonl"
    empty.write_text("")
    res = run("eval", str(ARTICLES.parent / "gold.jsonl"), str(empty))
    assert res.returncode == 1 and "no predicted claims" in res.stderr
    assert res.stdout == ""  # no table of zeros
