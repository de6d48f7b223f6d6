"""`sources remove|disable|enable`, `documents remove`, and `update` polling each source with the options it
was added with (issue 14): the real console script over a SQLite store and HTTP servers on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.cli.test_ingest_cli import EXAMPLES, SSBRACE, json_lines


@pytest.fixture
def cli(tmp_path, db_url):  # type: ignore[no-untyped-def]
    """The console script over this test's store, with no config file or terminal of its own."""
    env = {**os.environ, "HOME": str(tmp_path / "home"), "SSBRACE_CONFIG": str(tmp_path / "no-config.toml"),
           "COLUMNS": "220"}
    env.pop("SSBRACE_DB", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([SSBRACE, "--db", db_url, *args], env=env, capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)

    return run


def _sources(cli) -> list[dict]:  # type: ignore[no-untyped-def]
    return json_lines(cli("sources", "list", "--json").stdout)


def test_update_polls_a_source_with_the_options_it_was_added_with(cli, http_server):  # type: ignore[no-untyped-def]
    feed = http_server.url("conditional/feed.xml")
    added = cli("sources", "add", feed, "--allow-private")
    assert added.returncode == 0 and "[allow-private]" in added.stdout
    # No --allow-private now: the source remembers it (it used to be refused as a loopback address).
    updated = cli("update", "--json")
    assert updated.returncode == 0, updated.stdout
    assert json_lines(updated.stdout)[-1]["totals"]["new"] == 2
    assert _sources(cli)[0]["options"] == {"allow_private": True}


def test_ingest_stores_its_options_with_the_source_and_update_calls_a_stored_page_unchanged(cli, http_server):  # type: ignore[no-untyped-def]
    page = http_server.url("pages/electrolyte-primer.html")
    assert cli("ingest", page, "--allow-private").returncode == 0
    again = cli("update", "--json")
    assert again.returncode == 0, again.stdout
    items = json_lines(again.stdout)
    assert items[0]["status"] == "unchanged" and items[-1]["totals"]["duplicate"] == 0


def test_a_stored_size_cap_applies_when_the_source_is_polled(cli, http_server):  # type: ignore[no-untyped-def]
    page = http_server.url("pages/electrolyte-primer.html")  # about 2 kB
    assert cli("sources", "add", page, "--allow-private", "--max-bytes", "500").returncode == 0
    polled = cli("update")
    assert polled.returncode == 1 and "larger than 500 bytes" in polled.stdout


def test_update_reports_stored_files_as_unchanged(cli, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("# Pilot line\n\nA pilot line for sulfide cells started in the spring this year.\n")
    assert cli("sources", "add", str(folder)).returncode == 0
    assert "new 1" in cli("update").stdout
    second = cli("update")
    assert second.returncode == 0
    assert "unchanged" in second.stdout and "duplicate 0" in second.stdout and "unchanged 1" in second.stdout


def test_disable_enable_and_remove_a_source(cli):  # type: ignore[no-untyped-def]
    assert cli("ingest", str(EXAMPLES)).returncode == 0
    disabled = cli("sources", "disable", str(EXAMPLES))  # by path, as `sources list` shows it
    assert disabled.returncode == 0 and disabled.stdout.startswith("disabled source 1 (folder)")
    assert cli("sources", "disable", "1").stdout.startswith("already disabled: source 1")
    assert _sources(cli)[0]["disabled"] is True and "disabled" in cli("sources", "list").stdout
    assert cli("update", "--json").stdout.strip().endswith('"failed": 0}}')  # nothing polled
    assert json_lines(cli("update", "--json").stdout)[-1]["totals"]["unchanged"] == 0
    assert cli("sources", "enable", "1").stdout.startswith("enabled source 1")
    assert json_lines(cli("update", "--json").stdout)[-1]["totals"]["unchanged"] == 8

    unconfirmed = cli("sources", "remove", "1")  # no terminal to ask on: a usage error, nothing removed
    assert unconfirmed.returncode == 2 and "with 8 documents) needs confirmation: add --yes" in unconfirmed.stderr
    removed = cli("sources", "remove", "1", "--yes")
    assert removed.returncode == 0, removed.stderr
    assert "removed 8 documents and" in removed.stdout and "8 stories gone" in removed.stdout
    assert _sources(cli) == [] and "documents (0 of 0)" in cli("documents", "list").stdout
    again = cli("sources", "remove", "1", "--yes")
    assert again.returncode == 1 and again.stderr.count("\n") == 1 and "no source '1'" in again.stderr


def test_remove_a_source_but_keep_its_documents(cli):  # type: ignore[no-untyped-def]
    assert cli("ingest", str(EXAMPLES / "05-quantumscape-powerco-licence.md")).returncode == 0
    kept = cli("sources", "remove", "1", "--keep-documents", "--yes")
    assert kept.returncode == 0 and "kept 1 document" in kept.stdout
    rows = json_lines(cli("documents", "list", "--json").stdout)
    assert len(rows) == 1 and rows[0]["source_id"] is None


def test_documents_remove_by_id_and_by_url(cli, http_server):  # type: ignore[no-untyped-def]
    assert cli("ingest", str(EXAMPLES / "05-quantumscape-powerco-licence.md")).returncode == 0
    page = http_server.url("pages/electrolyte-primer.html")
    assert cli("ingest", page, "--allow-private").returncode == 0
    by_url = cli("documents", "remove", page, "--json")
    assert by_url.returncode == 0, by_url.stderr
    assert json_lines(by_url.stdout)[0]["documents"] == 1
    removed = cli("documents", "remove", "1")
    assert removed.returncode == 0 and removed.stdout.startswith("removed 1 document and ")
    assert "documents (0 of 0)" in cli("documents", "list").stdout
    missing = cli("documents", "remove", "1")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1 and "no document 1" in missing.stderr


def _note(words: int) -> str:
    """A short Markdown article of about ``words`` words (six bytes a word)."""
    return "# Pilot line\n\n" + " ".join(["cells"] * words) + ".\n"


def test_a_stored_size_cap_applies_to_a_file_source_until_it_is_cleared(cli, tmp_path):  # type: ignore[no-untyped-def]
    big = tmp_path / "big.md"
    big.write_text(_note(200))  # about 1.2 kB
    added = cli("sources", "add", str(big), "--max-bytes", "500")
    assert added.returncode == 0 and "[max-bytes=500]" in added.stdout
    assert "max-bytes=500" in cli("sources", "list").stdout  # the options column, shown when a source has some
    polled = cli("update")
    assert polled.returncode == 1 and "file larger than 500 bytes" in polled.stdout
    cleared = cli("sources", "set", "1", "--clear", "max-bytes")
    assert cleared.returncode == 0, cleared.stderr
    assert cleared.stdout.strip().endswith("options none (the run's settings hold)")
    assert _sources(cli)[0]["options"] == {} and "options" not in cli("sources", "list").stdout
    again = cli("update", "--json")
    assert again.returncode == 0 and json_lines(again.stdout)[-1]["totals"]["new"] == 1


def test_a_folder_sources_cap_holds_for_its_files_and_archive_records(cli, tmp_path):  # type: ignore[no-untyped-def]
    from tests.sources.archive_files import write_jsonl

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "small.md").write_text("# Pilot line\n\nA pilot line for sulfide cells started in the spring.\n")
    (folder / "big.md").write_text(_note(200))
    write_jsonl(folder / "dump.jsonl", [{"url": "https://dump.example/1", "text": "word " * 200}])
    assert cli("sources", "add", str(folder), "--max-bytes", "500").returncode == 0
    items = {i.get("input", "").rsplit("/", 1)[-1]: i for i in json_lines(cli("update", "--json").stdout)[:-1]}
    assert items["small.md"]["status"] == "new"
    assert items["big.md"]["reason"].startswith("file larger than 500 bytes")
    assert [i["reason"] for k, i in items.items() if k.startswith("dump.jsonl")] == [
        "line 1: document larger than 500 bytes"]


def test_sources_set_changes_and_clears_the_kept_options(cli, tmp_path):  # type: ignore[no-untyped-def]
    page = "https://example.org/feed.xml"
    assert cli("sources", "add", page).returncode == 0
    both = cli("sources", "set", page, "--allow-private", "--max-bytes", "2000")
    assert both.returncode == 0 and both.stdout.strip() == (
        f"source 1 (url) {page}: options allow-private, max-bytes=2000")
    one = cli("sources", "set", "1", "--clear", "allow_private")
    assert one.stdout.strip().endswith("options max-bytes=2000")
    # cleared first, then set: --clear all --max-bytes keeps only the new cap
    fresh = cli("sources", "set", "1", "--clear", "all", "--max-bytes", "900")
    assert fresh.stdout.strip().endswith("options max-bytes=900")
    assert _sources(cli)[0]["options"] == {"max_bytes": 900}
    for args, code, message in (
        (("1",), 2, "nothing to change"),
        (("1", "--clear", "timeout"), 2, "no source option 'timeout': one of allow-private, max-bytes, or all"),
        (("1", "--max-bytes", "0"), 2, "--max-bytes must be a positive number of bytes"),
        (("7", "--clear", "all"), 1, "no source '7'"),
    ):
        refused = cli("sources", "set", *args)
        assert (refused.returncode, refused.stderr.count("\n")) == (code, 1), refused.stderr
        assert message in refused.stderr
    assert _sources(cli)[0]["options"] == {"max_bytes": 900}  # a refused change changed nothing
