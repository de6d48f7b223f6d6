"""Main text and metadata from HTML, Markdown and plain text; bad bytes rejected clearly."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from ssbrace.documents.text import extract_main_text, read_file
from ssbrace.errors import InputError

WEB = Path(__file__).resolve().parents[1] / "data" / "web"
EXAMPLES = Path(__file__).resolve().parents[2] / "ssbrace" / "domains" / "solid_state_batteries" / "examples"


def test_html_main_text_without_boilerplate():
    result = read_file(WEB / "pages" / "electrolyte-primer.html")
    assert result.title == "A short guide to solid electrolytes"
    assert result.author == "Mira Okafor"
    assert result.published == date(2024, 2, 14)
    assert result.language == "en"
    assert result.publisher == "Cell Chemistry Notes"
    assert "Oxide electrolytes such as garnet-type ceramics" in result.text
    assert "All rights reserved" not in result.text
    assert "Related reading" not in result.text


def test_declared_charset_is_used():
    result = read_file(WEB / "pages" / "latin1.html")
    assert "Batteries à électrolyte solide" in result.text
    assert result.language == "fr"


def test_http_charset_overrides_guessing():
    raw = "<html><body><article><p>Les électrolytes céramiques résistent à la chaleur et à l'air humide des usines modernes.</p></article></body></html>".encode(
        "cp1252"
    )
    result = extract_main_text(raw, content_type="text/html; charset=windows-1252")
    assert "électrolytes céramiques" in result.text


def test_markdown_title_date_and_syntax_stripped(tmp_path):
    md = tmp_path / "note.md"
    md.write_text(
        "---\nauthor: Sam Lee\n---\n# Sulfide lines in Japan\n\nDate: 3 March 2025\n\n"
        "Two **new** plants for [lithium sulfide](https://example.invalid) are planned, and more may follow.\n",
        encoding="utf-8",
    )
    result = read_file(md)
    assert result.title == "Sulfide lines in Japan"
    assert result.author == "Sam Lee"
    assert result.published == date(2025, 3, 3)
    assert "Two new plants for lithium sulfide are planned" in result.text
    assert "**" not in result.text and "](" not in result.text


def test_plain_text_first_line_title_dateline_and_byline(tmp_path):
    txt = tmp_path / "note.txt"
    txt.write_text(
        "Pilot lines open\nMarch 12, 2024\nBy Jo Marsh\n\nThe line makes sample cells for carmakers this year.\n"
    )
    result = read_file(txt)
    assert result.title == "Pilot lines open"
    assert result.published == date(2024, 3, 12)
    assert result.author == "Jo Marsh"


def test_invalid_utf8_is_decoded_by_detection(tmp_path):
    txt = tmp_path / "latin.txt"
    txt.write_bytes(
        "Électrolyte solide: une étape décisive pour les véhicules électriques de demain.".encode("latin-1")
    )
    result = read_file(txt)
    assert result.text.startswith("Électrolyte solide")


def test_utf8_bom_is_dropped(tmp_path):
    txt = tmp_path / "bom.txt"
    txt.write_bytes(b"\xef\xbb\xbfA title\n\nSome text about a cell with five words or more.")
    assert read_file(txt).title == "A title"


def test_binary_file_is_refused(tmp_path):
    fake = tmp_path / "image.txt"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    with pytest.raises(InputError, match="^not text: binary content$"):
        read_file(fake)


def test_empty_page_is_refused():
    with pytest.raises(InputError, match="^empty page: no main text found$"):
        read_file(WEB / "pages" / "empty.html")


def test_empty_file_is_refused(tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("\n\n")
    with pytest.raises(InputError, match="^empty file"):
        read_file(empty)


def test_unsupported_suffix(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    with pytest.raises(InputError, match=r"^unsupported file type \.pdf"):
        read_file(pdf)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file(tmp_path):
    locked = tmp_path / "locked.txt"
    locked.write_text("secret words that nobody may read here")
    locked.chmod(0)
    try:
        with pytest.raises(InputError, match="^cannot read file: permission denied"):
            read_file(locked)
    finally:
        locked.chmod(0o644)


def test_size_cap_on_files(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000)
    with pytest.raises(InputError, match="file larger than 100 bytes"):
        read_file(big, max_bytes=100)


@pytest.mark.parametrize("path", sorted(EXAMPLES.iterdir()), ids=lambda p: p.name)
def test_every_example_article_reads_with_title_date_and_sources(path):
    result = read_file(path)
    assert result.title and result.published and result.language == "en"
    assert "Sources:" in result.text


def test_file_that_fails_to_read(tmp_path):
    # Works as root too: reading /proc/self/mem from offset 0 fails with an I/O error.
    link = tmp_path / "memory.txt"
    link.symlink_to("/proc/self/mem")
    with pytest.raises(InputError, match="^cannot read file: Input/output error"):
        read_file(link)
