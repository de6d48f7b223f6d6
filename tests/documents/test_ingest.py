"""Ingestion end to end against a real store and the real test server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ssbrace.documents.dedup import sha256_of
from ssbrace.kb import documents_repo as repo
from ssbrace.kb.tables import Document, Source
from ssbrace.pipeline import ingest_documents, update_documents
from ssbrace.settings import Settings

WEB = Path(__file__).resolve().parents[1] / "data" / "web"
EXAMPLES = Path(__file__).resolve().parents[2] / "ssbrace" / "domains" / "solid_state_batteries" / "examples"


@pytest.fixture
def settings(db_url) -> Settings:
    return Settings(db=db_url, allow_private=True, connect_timeout=2.0, read_timeout=1.0)


def by_input(result):
    return {item.input: item for item in result.items}


def documents(store) -> list[Document]:
    with store.session() as s:
        return list(s.scalars(select(Document).order_by(Document.id)))


def test_folder_ingest_and_rerun_adds_nothing(store, settings, tmp_path):
    folder = tmp_path / "articles"
    shutil.copytree(EXAMPLES, folder)
    first = ingest_documents(store, [str(folder)], settings)
    assert first.counts()["new"] == 8 and first.ok
    again = ingest_documents(store, [str(folder)], settings)
    assert again.counts() == {"new": 0, "near_duplicate": 0, "duplicate": 8, "unchanged": 0, "failed": 0}
    assert all(item.reason.startswith("already stored as document") for item in again.items)
    docs = documents(store)
    assert len(docs) == 8
    for doc in docs:
        assert doc.sha256 == sha256_of(doc.text) and len(doc.minhash) == 128 * 8
        assert doc.title and doc.published and doc.word_count > 100 and doc.language == "en"
        assert doc.extractor_version
    with store.session() as s:
        (source,) = repo.list_sources(s)
        assert source.kind == "folder" and source.last_status == "ok: 8 files, 0 failed"
        assert repo.count_documents_by_source(s) == {source.id: 8}


def test_bad_files_never_lose_the_rest_of_the_batch(store, settings, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(EXAMPLES / "01-toyota-idemitsu-sulfide-electrolyte.md", folder / "a-good.md")
    (folder / "b-binary.txt").write_bytes(b"\x00\x01\x02\x03" * 500)
    (folder / "c-empty.html").write_text("<html><body><nav>Home</nav></body></html>")
    (folder / "d-latin1.txt").write_bytes(
        "Électrolyte solide: les usines européennes préparent la production en série.".encode("latin-1")
    )
    (folder / "e-unreadable.txt").symlink_to("/proc/self/mem")
    (folder / "f-ignored.pdf").write_bytes(b"%PDF-1.7")
    shutil.copy(EXAMPLES / "04-samsung-sdi-2027-target.html", folder / "g-good.html")
    result = ingest_documents(store, [str(folder), str(tmp_path / "missing")], settings)
    items = by_input(result)
    status = {Path(k).name: (v.status, v.reason) for k, v in items.items()}
    assert status["a-good.md"][0] == "new"
    assert status["b-binary.txt"] == ("failed", "not text: binary content")
    assert status["c-empty.html"] == ("failed", "empty page: no main text found")
    assert status["d-latin1.txt"][0] == "new"
    assert status["e-unreadable.txt"][0] == "failed"
    # A link out of the walked folder is never read (issue 16), whatever it points to.
    assert status["e-unreadable.txt"][1] == "skipped: symbolic link to a file outside the folder"
    assert "f-ignored.pdf" not in status
    assert status["g-good.html"][0] == "new"
    assert status["missing"][0] == "failed" and "no such file or folder" in status["missing"][1]
    assert not result.ok
    assert len(documents(store)) == 3
    assert "\n" not in "".join(item.reason for item in result.items)


def test_url_exact_and_near_duplicates(store, settings, http_server):
    urls = [
        http_server.url(f"pages/{name}")
        for name in ("pilot-lines.html", "pilot-lines-copy.html", "pilot-lines-syndicated.html")
    ]
    result = ingest_documents(store, urls, settings)
    original, copy, syndicated = (by_input(result)[u] for u in urls)
    assert original.status == "new"
    assert (
        copy.status == "duplicate"
        and copy.reason == f"same text as document {original.document_id} ({urls[0]})"
    )
    assert syndicated.status == "near_duplicate" and syndicated.duplicate_of == original.document_id
    assert 0.8 <= syndicated.similarity < 1.0
    docs = documents(store)
    assert len(docs) == 2
    assert docs[1].duplicate_of == docs[0].id and docs[1].similarity == syndicated.similarity
    assert docs[0].url == urls[0] and docs[0].content_type == "text/html"
    assert docs[0].author == "Tomas Lindqvist" and str(docs[0].published) == "2024-05-03"


def test_near_duplicate_index_is_rebuilt_from_the_store(store, settings, http_server):
    ingest_documents(store, [http_server.url("pages/pilot-lines.html")], settings)
    # A new run (new index, rebuilt from stored signatures) still sees the original.
    result = ingest_documents(store, [http_server.url("pages/pilot-lines-syndicated.html")], settings)
    assert result.items[0].status == "near_duplicate"


def test_redirected_page_keeps_input_location_and_final_url(store, settings, http_server):
    result = ingest_documents(store, [http_server.url("redirect/page")], settings)
    assert result.items[0].status == "new"
    (doc,) = documents(store)
    assert doc.location == http_server.url("redirect/page")
    assert doc.url == http_server.url("pages/electrolyte-primer.html")


def test_summary_feed_fetches_each_link_and_repolls_conditionally(store, settings, http_server):
    feed = http_server.url("conditional/feed.xml")
    first = ingest_documents(store, [feed], settings)
    assert [i.status for i in first.items] == ["new", "new"]
    assert http_server.state.hits["/pages/entry-one.html"] == 1
    with store.session() as s:
        source = repo.find_source(s, feed)
        assert source.kind == "feed" and source.etag == '"v1"' and source.name == "Cell Chemistry Notes"
    # Same feed again: a conditional GET answered 304, nothing fetched, nothing added.
    second = ingest_documents(store, [feed], settings)
    assert [(i.status, i.reason) for i in second.items] == [
        ("unchanged", "feed not modified since last poll (HTTP 304)")
    ]
    assert http_server.state.not_modified["/conditional/feed.xml"] == 1
    # The feed changes: only the new entry's page is fetched.
    http_server.state.conditional_feed = "feeds/summary-v2.xml"
    http_server.state.conditional_etag = '"v2"'
    third = update_documents(store, settings)
    # entries stored before are unchanged on a poll (issue 14), not duplicates of anything
    assert sorted(i.status for i in third.items) == ["new", "unchanged", "unchanged"]
    assert http_server.state.hits["/pages/entry-one.html"] == 1
    assert http_server.state.hits["/pages/entry-three.html"] == 1
    assert len(documents(store)) == 3
    with store.session() as s:
        source = repo.find_source(s, feed)
        assert source.etag == '"v2"' and source.last_status.startswith("ok: 3 entries, 1 new")


def test_full_text_feed_entries_are_used_without_fetching(store, settings, http_server):
    result = ingest_documents(store, [http_server.url("feeds/fulltext.atom")], settings)
    assert [i.status for i in result.items] == ["new", "new"]
    assert http_server.state.hits["/articles/anode-free"] == 0
    docs = documents(store)
    assert docs[0].title == "Anode-free designs move from paper to prototype"
    assert docs[0].author == "Lena Park" and str(docs[0].published) == "2024-09-12"
    assert "copper foil" in docs[0].text and "<p>" not in docs[0].text


def test_a_failing_feed_entry_does_not_stop_the_others(store, settings, http_server):
    result = ingest_documents(store, [http_server.url("feeds/summary-mixed.xml")], settings)
    statuses = {i.input.rsplit("/", 1)[1]: (i.status, i.reason) for i in result.items}
    assert statuses["entry-one.html"][0] == "new"
    assert statuses["404"] == ("failed", "HTTP 404 Not Found")


def test_bad_urls_fail_one_by_one(store, settings, http_server):
    http_server.state.slow_seconds = 4
    good = http_server.url("pages/electrolyte-primer.html")
    bad = {
        "status/404": "HTTP 404 Not Found",
        "status/500": "HTTP 500 Internal Server Error",
        "slow": "timed out waiting for an answer",
        "huge": "page larger than 10000000 bytes",
        "wrong-type": "unsupported content type application/pdf",
        "feeds/broken.xml": "feed XML is broken: ",
        "fake-feed.xml": "not a feed: an HTML page served as application/rss+xml",
        "pages/empty.html": "empty page: no main text found",
        "redirect/zero": "refused: 0.0.0.0 is an unspecified address",
        "redirect/file": "refused: only http and https URLs are fetched",
        "no-type-binary": "not text: binary content",
    }
    inputs = [http_server.url(p) for p in bad] + [good, "ftp://127.0.0.1/file.txt"]
    result = ingest_documents(store, inputs, settings)
    items = by_input(result)
    for path, reason in bad.items():
        item = items[http_server.url(path)]
        assert item.status == "failed" and item.reason.startswith(reason), (path, item.reason)
    assert items["ftp://127.0.0.1/file.txt"].reason.startswith("unsupported URL scheme ftp")
    assert items[good].status == "new"
    assert len(documents(store)) == 1


def test_loopback_refused_without_allow_private(store, db_url, http_server):
    result = ingest_documents(store, [http_server.url("pages/electrolyte-primer.html")], Settings(db=db_url))
    (item,) = result.items
    assert item.status == "failed"
    assert item.reason == "refused: 127.0.0.1 is a loopback address (use --allow-private)"
    assert http_server.state.hits["/pages/electrolyte-primer.html"] == 0
    with store.session() as s:
        assert s.scalar(select(func.count(Source.id))) == 0


def test_hook_runs_in_the_document_transaction(store, settings, tmp_path):
    seen = []

    def hook(session, document):
        # The row is flushed: it has an id and is visible in this transaction.
        assert session.get(Document, document.id) is document
        seen.append(document.id)
        if "Samsung SDI, the battery arm" in document.text:
            raise RuntimeError("extractor exploded")
        return 3

    result = ingest_documents(store, [str(EXAMPLES)], settings, after_store=hook)
    failed = result.failed
    assert len(failed) == 1 and failed[0].reason == "internal error: RuntimeError: extractor exploded"
    assert {i.claims for i in result.items if i.status == "new"} == {3}
    stored = documents(store)
    assert len(stored) == 7 and not any("Samsung SDI, the battery arm" in d.text for d in stored)
    assert len(seen) == 8
