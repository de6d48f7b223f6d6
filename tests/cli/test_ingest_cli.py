"""The real ``ssbrace`` console script: summaries, exit codes, sources, documents, kill -9 safety."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ssbrace.documents.dedup import sha256_of

SSBRACE = str(Path(sys.executable).parent / "ssbrace")
EXAMPLES = Path(__file__).resolve().parents[2] / "ssbrace" / "domains" / "solid_state_batteries" / "examples"


@pytest.fixture
def cli(tmp_path, db_url):
    env = dict(os.environ)
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        SSBRACE_CONFIG=str(tmp_path / "no-config.toml"),
        COLUMNS="220",
    )
    env.pop("SSBRACE_DB", None)

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [SSBRACE, "--db", db_url, *args], env=env, capture_output=True, text=True, timeout=timeout
        )

    run.env = env  # type: ignore[attr-defined]
    return run


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def test_folder_summary_and_exit_zero(cli):
    done = cli("ingest", str(EXAMPLES))
    assert done.returncode == 0, done.stderr
    assert "ingest summary" in done.stdout
    assert "Toyota and Idemitsu team up on sulfide electrolytes" in done.stdout
    assert "totals: new 8, duplicate 0, near duplicate 0, failed 0" in done.stdout
    again = cli("ingest", str(EXAMPLES))
    assert again.returncode == 0
    assert "totals: new 0, duplicate 8, near duplicate 0, failed 0" in again.stdout


def test_some_failures_exit_one_and_say_why(cli, http_server, tmp_path):
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00" * 100)
    done = cli(
        "ingest",
        "--allow-private",
        http_server.url("pages/electrolyte-primer.html"),
        http_server.url("status/404"),
        http_server.url("wrong-type"),
        str(binary),
        "--json",
    )
    assert done.returncode == 1
    rows = json_lines(done.stdout)
    reasons = {Path(r["input"]).name: (r["status"], r["reason"]) for r in rows if "input" in r}
    assert reasons["electrolyte-primer.html"][0] == "new"
    assert reasons["404"] == ("failed", "HTTP 404 Not Found")
    assert reasons["wrong-type"] == ("failed", "unsupported content type application/pdf")
    assert reasons["blob.txt"] == ("failed", "not text: binary content")
    assert rows[-1] == {
        "totals": {"new": 1, "near_duplicate": 0, "duplicate": 0, "unchanged": 0, "failed": 3}
    }


def test_loopback_without_allow_private_is_refused_in_the_table(cli, http_server):
    done = cli("ingest", http_server.url("pages/electrolyte-primer.html"))
    assert done.returncode == 1
    assert "refused: 127.0.0.1 is a loopback address (use --allow-private)" in done.stdout
    assert "failed 1" in done.stdout
    assert http_server.state.hits["/pages/electrolyte-primer.html"] == 0


def test_large_page_with_custom_cap(cli, http_server):
    done = cli("ingest", "--allow-private", "--max-bytes", "200000", http_server.url("huge"), "--json")
    assert done.returncode == 1
    assert json_lines(done.stdout)[0]["reason"] == "page larger than 200000 bytes"


# Click-level usage errors (missing argument, bad option value) are mapped to exit 2 by
# ssbrace/cli/main.py; it checks click.ClickException while typer 0.29 raises its vendored
# typer._click exceptions, so these exit 1 until main.py is fixed (strict: an XPASS flags the fix).


@pytest.mark.parametrize(
    "args",
    [
        ["ingest"],
        ["ingest", "--max-bytes", "0", "x.txt"],
        ["ingest", "--max-bytes", "lots", "x"],
        ["documents", "list", "--limit", "0"],
        ["sources", "add", "ftp://127.0.0.1/feed"],
    ],
)
def test_usage_errors_exit_two(cli, args):
    done = cli(*args)
    assert done.returncode == 2, (done.stdout, done.stderr)


def test_sources_add_list_and_update(cli, http_server, tmp_path):
    feed = http_server.url("conditional/feed.xml")
    # The address guard judges a source when it is registered too (issue 16).
    refused = cli("sources", "add", feed, "--name", "notes")
    assert refused.returncode == 1 and "refused: 127.0.0.1 is a loopback address" in refused.stderr
    added = cli("sources", "add", feed, "--name", "notes", "--allow-private")
    assert added.returncode == 0 and f"added source 1 (url) {feed}" in added.stdout
    assert "already registered: source 1" in cli("sources", "add", feed, "--allow-private").stdout
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.md").write_text(
        "# Pilot line news\n\nA pilot line for sulfide cells started in the spring this year.\n"
    )
    assert cli("sources", "add", str(folder)).returncode == 0
    assert cli("sources", "add", str(tmp_path / "missing")).returncode == 2
    updated = cli("update", "--allow-private", "--json")
    assert updated.returncode == 0, updated.stdout
    assert json_lines(updated.stdout)[-1]["totals"]["new"] == 3
    listed = json_lines(cli("sources", "list", "--json").stdout)
    assert [(s["id"], s["kind"], s["name"], s["documents"]) for s in listed] == [
        (1, "feed", "notes", 2),
        (2, "folder", None, 1),
    ]
    assert listed[0]["last_status"].startswith("ok: 2 entries, 2 new")
    repolled = cli("update", "--allow-private")
    assert repolled.returncode == 0
    assert "feed not modified since last poll (HTTP 304)" in repolled.stdout
    assert "new 0" in repolled.stdout


def test_documents_list_and_show(cli):
    assert cli("ingest", str(EXAMPLES / "05-quantumscape-powerco-licence.md")).returncode == 0
    rows = json_lines(cli("documents", "list", "--json").stdout)
    assert (
        len(rows) == 1 and rows[0]["title"] == "QuantumScape licenses its solid-state cell design to PowerCo"
    )
    assert rows[0]["published"] == "2024-07-11" and rows[0]["content_type"] == "text/markdown"
    table = cli("documents", "list").stdout
    assert "QuantumScape licenses" in table and "documents (1 of 1)" in table
    shown = cli("documents", "show", str(rows[0]["id"]))
    assert shown.returncode == 0 and "up to 40 GWh a year" in shown.stdout
    missing = cli("documents", "show", "999")
    assert missing.returncode == 1 and "no document with id 999" in missing.stderr


WORDS = (
    "cell anode cathode sulfide oxide polymer electrolyte lithium sodium pilot line factory yield pressure "
    "dendrite coating separator foil stack module pack charge cycle density volume weight cost supplier "
    "carmaker licence patent subsidy program plant capacity target prototype sample test vehicle range "
    "grid storage ceramic garnet interface layer powder dry room furnace press roll film metal alloy"
).split()


def _write_pages(folder: Path, n: int) -> None:
    rng = random.Random(20240601)
    folder.mkdir()
    for i in range(n):
        paragraphs = "".join(
            "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)) + ".</p>" for _ in range(12)
        )
        (folder / f"page-{i:04d}.html").write_text(
            f"<html lang='en'><head><title>Page {i}</title></head><body><nav>Home About</nav>"
            f"<article><h1>Report number {i}</h1>{paragraphs}</article><footer>Footer text</footer></body></html>"
        )


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("select count(*) from documents").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_kill_9_halfway_then_rerun(cli, tmp_path, db_url):
    n = 300
    folder = tmp_path / "many"
    _write_pages(folder, n)
    db = Path(db_url.removeprefix("sqlite:///"))
    process = subprocess.Popen(
        [SSBRACE, "--db", db_url, "ingest", str(folder)],
        env=cli.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while _count(db) < 15 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    at_kill = _count(db)
    assert process.returncode == -signal.SIGKILL
    assert 0 < at_kill < n, "the kill must land in the middle of the ingest"
    rerun = cli("ingest", str(folder), "--json", timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    totals = json_lines(rerun.stdout)[-1]["totals"]
    assert totals["duplicate"] >= at_kill and totals["new"] + totals["duplicate"] == n
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select location, text, sha256 from documents").fetchall()
    locations = [r[0] for r in rows]
    assert len(rows) == n and len(set(locations)) == n
    assert set(locations) == {str(p.resolve()) for p in folder.iterdir()}
    for _location, text, sha in rows:
        assert sha == sha256_of(text) and text.count(".") == 12
