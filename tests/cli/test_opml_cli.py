"""`sources import FILE.opml` and `sources export`: feed lists in and out as feed readers keep them (issue 14)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ssbrace.sources.opml import read_opml

SSBRACE = str(Path(sys.executable).with_name("ssbrace"))

OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>reader</title></head><body>
  <outline text="Batteries">
    <outline type="rss" text="Cell Notes" xmlUrl="https://cells.example/feed.xml"/>
    <outline type="rss" text="Anode Times" xmlUrl="https://anode.example/rss"/>
  </outline>
  <outline type="rss" text="Intranet" xmlUrl="http://10.0.0.5/feed"/>
  <outline type="rss" text="Local file" xmlUrl="file:///etc/passwd"/>
</body></opml>"""


def run(db: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SSBRACE_DB": db}
    return subprocess.run([SSBRACE, *args], capture_output=True, text=True, env=env, timeout=120)


def test_import_registers_feeds_refuses_private_and_non_http_and_export_round_trips(tmp_path):
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    opml = tmp_path / "feeds.opml"
    opml.write_text(OPML)
    first = run(db, "sources", "import", str(opml))
    assert first.returncode == 0, first.stderr
    assert "2 sources added, 0 already registered, 2 refused" in first.stdout
    assert "refused http://10.0.0.5/feed" in first.stderr and "refused file:///etc/passwd" in first.stderr
    again = run(db, "sources", "import", str(opml))
    assert "0 sources added, 2 already registered" in again.stdout  # nothing twice
    listed = run(db, "sources", "list", "--json").stdout
    assert "cells.example" in listed and "10.0.0.5" not in listed
    exported = run(db, "sources", "export")
    assert exported.returncode == 0
    back = {s.url: s.name for s in read_opml(exported.stdout.encode())}
    assert back == {"https://cells.example/feed.xml": "Cell Notes", "https://anode.example/rss": "Anode Times"}


def test_a_broken_opml_file_is_one_line(tmp_path):
    bad = tmp_path / "feeds.opml"
    bad.write_text("<opml><body><outline")
    res = run(f"sqlite:///{tmp_path / 'kb.db'}", "sources", "import", str(bad))
    assert res.returncode == 1 and res.stderr.count("\n") == 1 and "not valid XML" in res.stderr


TOPICS_OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>reader</title></head><body>
  <outline text="Japan">
    <outline type="rss" text="Tokyo Cells" xmlUrl="https://tokyo-cells.example/rss" category="Policy &amp; Funding,Gardening"/>
  </outline>
  <outline type="rss" text="Plain" xmlUrl="https://plain.example/feed"/>
</body></opml>"""


def test_import_files_categories_under_topics_keeps_other_labels_and_export_writes_them_back(tmp_path):
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    opml = tmp_path / "feeds.opml"
    opml.write_text(TOPICS_OPML)
    done = run(db, "sources", "import", str(opml))
    assert done.returncode == 0, done.stderr
    assert "filed under topics: japan (1 feed), policy-funding (1 feed)" in done.stdout
    assert "kept as labels (no such topic): Gardening" in done.stdout
    listed = {row["location"]: row for row in map(json.loads, run(db, "sources", "list", "--json").stdout.splitlines())}
    tokyo = listed["https://tokyo-cells.example/rss"]
    assert tokyo["topics"] == ["japan", "policy-funding"]
    assert tokyo["categories"] == ["Japan", "Policy & Funding", "Gardening"]
    assert listed["https://plain.example/feed"]["topics"] == []
    back = {s.url: s.categories for s in read_opml(run(db, "sources", "export").stdout.encode())}
    assert back == {"https://tokyo-cells.example/rss": ("Japan", "Policy & Funding", "Gardening"),
                    "https://plain.example/feed": ()}
