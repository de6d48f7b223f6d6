"""The command line decides what the library's log shows: warnings by default, each step with --verbose."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SSBRACE = str(Path(sys.executable).parent / "ssbrace")
ARTICLE = (Path(__file__).resolve().parents[2] / "ssbrace" / "domains" / "solid_state_batteries" / "examples"
           / "04-samsung-sdi-2027-target.html")


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SSBRACE_CONFIG": str(tmp_path / "no-config.toml"), "COLUMNS": "200"}
    env.pop("SSBRACE_DB", None)
    return subprocess.run([SSBRACE, "--db", f"sqlite:///{tmp_path / 'kb.db'}", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_verbose_logs_each_step_on_stderr_without_control_codes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    # a file name that would retitle the terminal if it reached it as written
    (folder / "sdi\x1b]0;owned\x07.html").write_bytes(ARTICLE.read_bytes())
    quiet = _run(tmp_path, "init")
    assert quiet.returncode == 0 and quiet.stderr == ""  # migrating the new store is not news by default
    done = _run(tmp_path, "--verbose", "ingest", str(folder))
    assert done.returncode == 0, done.stderr
    assert "totals: new 1" in done.stdout and "INFO" not in done.stdout  # results on stdout, logs on stderr
    assert "INFO ssbrace.documents.ingest: " in done.stderr and ": new" in done.stderr
    assert "INFO ssbrace.api: ingested 1 input(s)" in done.stderr
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr and "\ufffd]0;owned\ufffd" in done.stderr
