"""Part 8: the report is one self-contained HTML file with charts and source links; exports parse."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from ssbrace.delivery.report import render_report
from ssbrace.domains.loader import load_domain
from ssbrace.errors import InputError, UsageError
from ssbrace.pipeline import build_knowledge, load_reference


@pytest.fixture
def loaded(store, mini_pack):
    pack = load_domain(str(mini_pack))
    load_reference(store, pack=pack)
    return build_knowledge(store, pack)


def test_html_is_self_contained_with_charts_and_source_links(loaded, tmp_path):
    html = render_report(loaded, tmp_path / "r.html", "html").read_text(encoding="utf-8")
    # Nothing is fetched: no external scripts, styles, images or fonts.
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert not re.search(r"<link\b", html)
    assert not re.search(r"""<(img|iframe|source|embed)[^>]*\bsrc=["']?https?:""", html)
    assert "@import" not in html and "url(http" not in html
    # Every http(s) reference is a plain link to a source.
    for tag in re.findall(r"<(\w+)[^>]*\b(?:href|src)=\"https?://", html):
        assert tag == "a"
    for chart in ("Patents by country", "Public funding by country", "Target ledger",
                  "Market share over time: companies"):
        assert re.search(r'<svg[^>]*aria-label="' + chart, html), chart
    assert "No figures for patent share by country" in html  # an empty chart says so instead of drawing
    assert 'href="http://cellweekly.example/acme-lead"' in html
    assert 'href="#src-1"' in html and 'id="src-1"' in html
    # Titles and sentences are escaped, never interpreted.
    assert "Acme &lt;b&gt;widens&lt;/b&gt; its lead" in html and "<b>widens</b>" not in html
    assert "Scoreboard by country" in html and "Conflicts" in html and "Target ledger" in html
    assert "36.2%" in html and "37%" in html  # the conflict's two sides
    assert "slip" in html


def test_exports_parse_and_carry_the_same_content(loaded, tmp_path):
    data = json.loads(render_report(loaded, tmp_path / "r.json", "json").read_text())
    assert {"boards", "conflicts", "scope_differences", "findings", "ledgers", "sources"} <= set(data)
    [conflict] = data["conflicts"]
    assert conflict["entity"] == "Acme Cells" and len(conflict["sides"]) == 2
    [acme] = [led for led in data["ledgers"] if led["entity"] == "Acme Cells"]
    assert acme["current"] == "2028" and acme["slips"] == 1
    assert data["boards"][0]["rows"][0]["entity"] == "Ruritania"
    assert all(s["link"].startswith("http://") for s in data["sources"])

    rows = list(csv.DictReader(io.StringIO(render_report(loaded, tmp_path / "r.csv", "csv").read_text())))
    sections = {r["section"] for r in rows}
    assert {"board_country", "board_company", "conflicts", "ledger", "sources"} <= sections
    assert any(r["section"] == "ledger" and r["detail"] == "slip" for r in rows)

    md = render_report(loaded, tmp_path / "r.md", "md").read_text()
    assert md.startswith("# ") and "## Scoreboard by country" in md and "[^1]:" in md
    assert "| 1 | Ruritania |" in md


def test_bad_format_and_empty_store(store, mini_pack, tmp_path):
    empty = build_knowledge(store, load_domain(str(mini_pack)))
    with pytest.raises(InputError, match="no claims"):
        render_report(empty, tmp_path / "r.html", "html")
    with pytest.raises(UsageError):
        render_report(empty, tmp_path / "r.pdf", "pdf")
    assert not (tmp_path / "r.html").exists()
