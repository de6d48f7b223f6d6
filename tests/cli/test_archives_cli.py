"""``ssbrace ingest crawl.warc.gz dump.jsonl.gz folder/``: the real console script over archives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.sources.archive_files import TOPICS, write_jsonl, write_warc

SSBRACE = str(Path(sys.executable).parent / "ssbrace")


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SSBRACE_CONFIG": str(tmp_path / "no-config.toml"), "COLUMNS": "200"}
    env.pop("SSBRACE_DB", None)
    return subprocess.run([SSBRACE, "--db", f"sqlite:///{tmp_path / 'kb.db'}", *args], env=env,
                          capture_output=True, text=True, timeout=180)


def test_ingest_archives_and_a_folder(tmp_path):
    written = write_warc(tmp_path / "crawl.warc.gz", [
        ("request", "https://news.example/a"),
        ("page", "https://news.example/a", "0"),
        ("type", "https://news.example/logo.png", "image/png", b"\x89PNG not really"),
        ("page", "https://news.example/b", "1"),
    ])
    written.path.write_bytes(written.path.read_bytes()[:-10])  # the last record truncated
    dump = write_jsonl(tmp_path / "dump.jsonl.gz", [
        {"url": "https://dump.example/1", "title": "Marrowgate waits", "published": "2024-03-01",
         "text": TOPICS[2][1]},
        {"url": "https://dump.example/2", "text": 7},
    ], gz=True)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "note.md").write_text(f"# {TOPICS[4][0]}\n\n{TOPICS[4][1]}\n", encoding="utf-8")

    done = _run(tmp_path, "ingest", "--json", str(written.path), str(dump), str(folder))
    assert done.returncode == 1, done.stderr  # two records failed; the others are stored
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert rows[-1] == {"totals": {"new": 3, "near_duplicate": 0, "duplicate": 0, "unchanged": 0, "failed": 2}}
    assert [(r["input"], r["status"]) for r in rows[:-1] if r["status"] == "new"] == [
        ("https://news.example/a", "new"), ("https://dump.example/1", "new"), (str(folder / "note.md"), "new")]
    reasons = [r["reason"] for r in rows if r.get("status") == "failed"]
    assert reasons[0] == "broken record: truncated gzip member"
    assert reasons[1] == "line 2: text is not a string but int"
    assert "error: 2 of 5 items failed" in done.stderr and "Traceback" not in done.stderr

    again = _run(tmp_path, "ingest", str(written.path), str(dump), str(folder))
    assert "totals: new 0, duplicate 3, near duplicate 0, failed 2" in again.stdout

    sources = _run(tmp_path, "sources", "list", "--json")
    assert sources.returncode == 0, sources.stderr
    listed = [json.loads(line) for line in sources.stdout.splitlines()]
    statuses = {Path(s["location"]).name: s["last_status"] for s in listed}
    assert statuses["crawl.warc.gz"] == ("ok: 1 files, 1 failed; archives: 4 records: 1 documents, 1 broken; "
                                         "skipped 1 request records, 1 responses not HTML")
