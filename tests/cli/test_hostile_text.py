"""Hostile text in the real ``ssbrace`` console script: Rich markup, links, HTML and ampersands print literally.

A stored title, publisher, sentence or entity name such as ``[/bold]`` or ``[link=javascript:alert(1)]``
must neither vanish, restyle the output nor crash the command with a MarkupError. The articles are
written for this test; the companies are invented.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from ssbrace.entities.resolve import link_claims
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Claim, Document

SSBRACE = str(Path(sys.executable).parent / "ssbrace")

LINK = "[link=javascript:alert(1)]x[/link]"
# The entity name stays short and without spaces so that no table column folds it over two lines.
NAME = "[red]Volt&<script>"
TITLE = f"[/bold] Cells [red]news & <script>alert(1)</script> {LINK}"
PUBLISHER = "[bold]Wire[/bold] & <b>Co</b>"
SECOND_TITLE = "[red]Second[/red] count & <i>more</i>"
SECOND_PUBLISHER = "<b>Grid</b> [/red] & Sons"
RIVAL = "Plainfield Energy"
# Tokens each command must print as written (the markup ones would vanish if Rich read them as markup).
TOKENS = ("[/bold]", "[red]", LINK, "<script>", "&")

ARTICLES = [
    {
        "title": TITLE, "publisher": PUBLISHER, "published": date(2025, 8, 1), "url": "https://example.org/a?x=1&y=[2]",
        "sentences": [
            (f"{NAME} aims to mass-produce solid-state cells by 2031 [/bold] & {LINK} <script>alert(2)</script>.",
             {"kind": "target", "subject": NAME, "subject_type": "company", "stage": "mass_production",
              "year": 2031, "value": 2031, "unit": "year"}),
            (f"{NAME} held 60% of the [red]automotive battery[/red] market in 2024 & <script>x</script>.",
             {"kind": "market_share", "subject": NAME, "subject_type": "company", "value": 60, "unit": "%",
              "segment": "automotive_batteries", "year": 2024}),
            (f"{RIVAL} held 85% of the same market in 2024.",
             {"kind": "market_share", "subject": RIVAL, "subject_type": "company", "value": 85, "unit": "%",
              "segment": "automotive_batteries", "year": 2024}),
        ],
    },
    {
        "title": SECOND_TITLE, "publisher": SECOND_PUBLISHER, "published": date(2025, 9, 1),
        "url": "https://example.net/b",
        "sentences": [
            (f"Another count gives {NAME} only 30% of the automotive battery market in 2024 [/bold] {LINK}.",
             {"kind": "market_share", "subject": NAME, "subject_type": "company", "value": 30, "unit": "%",
              "segment": "automotive_batteries", "year": 2024}),
            (f"{NAME} now plans to mass-produce solid-state cells in 2033 & <script>y</script> [red]later[/red].",
             {"kind": "target", "subject": NAME, "subject_type": "company", "stage": "mass_production",
              "year": 2033, "value": 2033, "unit": "year"}),
        ],
    },
]


@dataclass(frozen=True)
class Hostile:
    db: str
    doc_id: int
    tmp: Path


def _fill(store: Store) -> int:
    """Store both articles with their claims (linked to entities); returns the first document's id."""
    ids = []
    with store.session() as session:
        for article in ARTICLES:
            text = f"{article['title']}\n\n" + " ".join(s for s, _ in article["sentences"])
            doc = Document(location=f"test:{article['url']}", url=article["url"], title=article["title"],
                           publisher=article["publisher"], published=article["published"], text=text,
                           word_count=len(text.split()), sha256=hashlib.sha256(text.encode()).hexdigest())
            session.add(doc)
            session.flush()
            rows = []
            for sentence, fields in article["sentences"]:
                start = text.index(sentence)
                rows.append(Claim(document_id=doc.id, sentence=sentence, start=start, end=start + len(sentence),
                                  confidence=0.9, extractor_version="test", bound="eq", **fields))
            session.add_all(rows)
            session.flush()
            link_claims(session, [row.id for row in rows])
            ids.append(doc.id)
    return ids[0]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Hostile:
    tmp = tmp_path_factory.mktemp("hostile")
    db = f"sqlite:///{tmp / 'hostile.db'}"
    store = Store(db)
    try:
        doc_id = _fill(store)
    finally:
        store.dispose()
    return Hostile(db, doc_id, tmp)


def run(hostile: Hostile, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(HOME=str(hostile.tmp / "home"), XDG_CONFIG_HOME=str(hostile.tmp / "config"),
               XDG_DATA_HOME=str(hostile.tmp / "data"), SSBRACE_CONFIG=str(hostile.tmp / "no-config.toml"),
               COLUMNS="250")
    env.pop("SSBRACE_DB", None)
    return subprocess.run([SSBRACE, "--db", hostile.db, *args], env=env, capture_output=True, text=True,
                          timeout=180)


def assert_literal(done: subprocess.CompletedProcess, *tokens: str) -> None:
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "MarkupError" not in done.stderr, done.stderr
    for token in tokens:
        assert token in done.stdout, f"{token!r} missing from:\n{done.stdout}"


@pytest.mark.parametrize("args, tokens", [
    (("documents", "list"), TOKENS),
    (("entities",), (NAME,)),
    (("conflicts",), (NAME, *TOKENS, PUBLISHER, SECOND_PUBLISHER)),
    (("roadmap",), (NAME, "[bold]Wire[/bold]")),
    (("check",), (NAME, "[bold]Wire[/bold]")),
    (("board", "--by", "company"), (NAME,)),
    (("changes", "--since", "2000-01-01"), (NAME,)),
], ids=lambda v: " ".join(v) if isinstance(v[0], str) and v[0].isalpha() else None)
def test_knowledge_commands_print_hostile_text_literally(hostile, args, tokens) -> None:  # type: ignore[no-untyped-def]
    assert_literal(run(hostile, *args), *tokens)


def test_roadmap_of_a_hostile_company_by_name(hostile) -> None:  # type: ignore[no-untyped-def]
    done = run(hostile, "roadmap", NAME)
    assert_literal(done, NAME, "SLIP")


def test_documents_show(hostile) -> None:  # type: ignore[no-untyped-def]
    done = run(hostile, "documents", "show", str(hostile.doc_id))
    assert_literal(done, *TOKENS, TITLE, PUBLISHER, "https://example.org/a?x=1&y=[2]", "alert(2)")


def test_stories_brief_and_digest(hostile) -> None:  # type: ignore[no-untyped-def]
    listed = run(hostile, "stories")
    assert_literal(listed, "[/bold]", "[red]", "&")
    stories = json.loads(run(hostile, "stories", "--json").stdout)
    story = next(s for s in stories if any(d["title"] == TITLE for d in s["documents"]))
    assert_literal(run(hostile, "brief", str(story["id"])), *TOKENS, PUBLISHER)
    digest = run(hostile, "digest", "--topic", "targets-roadmaps", "--since", "2000-01-01", "--format", "text")
    assert_literal(digest, "[/bold]", "[red]", "<script>", "&")


def test_extract_on_a_hostile_file(hostile) -> None:  # type: ignore[no-untyped-def]
    path = hostile.tmp / "[red]notes[bold] & <b>.md"
    path.write_text(
        "# Samsung SDI [/bold] news & <script>\n\nDate: 14 March 2024\n\n"
        "Samsung SDI told investors [red]this week & <script> that it aims to mass-produce all-solid-state "
        "cells in 2027.\n",
        encoding="utf-8")
    done = run(hostile, "extract", str(path))
    assert_literal(done, "[red]notes[bold]", "<b>", "Samsung SDI", "[red]this", "<script>", "&")
    assert "target" in done.stdout
    # One file that cannot be read: its hostile name comes back in the one-line error, literally.
    missing = run(hostile, "extract", str(hostile.tmp / "[/bold]gone[red].txt"))
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert "[/bold]gone[red].txt" in missing.stderr


def test_errors_and_control_characters_print_literally(hostile) -> None:  # type: ignore[no-untyped-def]
    bad = run(hostile, "roadmap", "[/bold] Nobody [link=javascript:alert(1)]")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert "[/bold] Nobody [link=javascript:alert(1)]" in bad.stderr
    # An escape sequence in stored text never reaches the terminal.
    store = Store(hostile.db)
    try:
        with store.session() as session:
            text = "Clears the screen \x1b[2J and rings \x07 here :fire:"
            doc = Document(location="test:escape", title="Escape \x1b]0;pwned\x07 title :fire:", text=text,
                           word_count=9, sha256=hashlib.sha256(text.encode()).hexdigest())
            session.add(doc)
            session.flush()
            doc_id = doc.id
    finally:
        store.dispose()
    shown = run(hostile, "documents", "show", str(doc_id))
    assert shown.returncode == 0, shown.stderr
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout
    assert "Clears the screen \ufffd[2J and rings \ufffd here :fire:" in shown.stdout
    listed = run(hostile, "documents", "list")
    assert "\x1b" not in listed.stdout and "Escape \ufffd]0;pwned\ufffd title :fire:" in listed.stdout
