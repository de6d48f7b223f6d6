"""`ssbrace demo` (what `make demo` runs) end to end through the real console script, twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SSBRACE = str(Path(sys.executable).parent / "ssbrace")


def test_demo_runs_the_main_job_and_is_safe_to_rerun(tmp_path):
    env = {**os.environ, "SSBRACE_DB": f"sqlite:///{tmp_path / 'demo.db'}"}
    report = tmp_path / "report.html"
    first = subprocess.run([SSBRACE, "demo", "--out", str(report)], capture_output=True, text=True, env=env,
                           cwd=tmp_path, timeout=900)
    assert first.returncode == 0, first.stderr[-2000:]
    for step in ("1. ingest", "2. load the reference claims", "3. scoreboard by country", "5. where the sources",
                 "6. report"):
        assert step in first.stdout, step
    assert "Japan" in first.stdout and "new 8" in first.stdout.replace(",", "")
    assert report.stat().st_size > 10_000 and "<html" in report.read_text(encoding="utf-8").lower()
    again = subprocess.run([SSBRACE, "demo", "--out", str(report)], capture_output=True, text=True, env=env,
                           cwd=tmp_path, timeout=900)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "new 0" in again.stdout.replace(",", "")  # nothing stored twice
