"""WARC files and JSONL dumps: written here with warcio and json, ingested into a real SQLite store."""

from __future__ import annotations

import gzip
import tracemalloc
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from ssbrace.kb.tables import Document, Source
from ssbrace.pipeline import ingest_documents, run_ingest
from ssbrace.settings import Settings
from ssbrace.sources.archives import ArchiveStats, Broken, Record, archive_kind, read_archive
from tests.sources.archive_files import TOPICS, page_html, write_jsonl, write_warc

MIXED = [
    ("request", "https://news.example/a"),
    ("page", "https://news.example/a", "0"),
    ("type", "https://news.example/report.pdf", "application/pdf", b"%PDF-1.4 not a page"),
    ("redirect", "https://news.example/old", "https://news.example/a"),
    ("status", "https://news.example/gone", "404 Not Found"),
    ("page", "https://news.example/b", "1"),
]


def _documents(store) -> list[Document]:
    with store.session() as session:
        docs = list(session.scalars(select(Document).order_by(Document.id)))
        session.expunge_all()
        return docs


def _status(store, location_end: str) -> str:
    with store.session() as session:
        source = session.scalars(select(Source).where(Source.location.like(f"%{location_end}"))).one()
        return source.last_status or ""


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_warc_html_responses_become_documents_and_the_rest_is_counted(store, tmp_path, gz):
    written = write_warc(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), MIXED, gz=gz)
    result = run_ingest(store, [str(written.path)], Settings(db=store.url))
    assert result.counts() == {"new": 2, "near_duplicate": 0, "duplicate": 0, "unchanged": 0, "failed": 0}
    assert [i.input for i in result.items] == ["https://news.example/a", "https://news.example/b"]
    docs = _documents(store)
    assert [d.url for d in docs] == ["https://news.example/a", "https://news.example/b"]
    # identity: the URL and the WARC-Record-ID; the fetch time is the WARC-Date
    assert [d.location for d in docs] == [f"https://news.example/a {written.record_ids[1]}",
                                          f"https://news.example/b {written.record_ids[5]}"]
    assert all(d.fetched_at.replace(tzinfo=None) == datetime(2024, 5, 6, 7, 8, 9) for d in docs)
    assert docs[0].title == TOPICS[0][0] and "pilot line in Tarrow" in docs[0].text
    assert docs[0].content_type == "text/html"
    status = _status(store, written.path.name)
    assert "6 records: 2 documents, 0 broken" in status
    for counted in ("1 request records", "1 responses not HTML", "1 redirects", "1 HTTP 404 responses"):
        assert counted in status


def test_rerunning_an_archive_stores_nothing_twice(store, tmp_path):
    warc = write_warc(tmp_path / "crawl.warc.gz", MIXED).path
    dump = write_jsonl(tmp_path / "dump.jsonl", [{"url": "https://dump.example/1", "text": TOPICS[4][1]}])
    settings = Settings(db=store.url)
    assert run_ingest(store, [str(warc), str(dump)], settings).counts()["new"] == 3
    again = run_ingest(store, [str(warc), str(dump)], settings)
    assert again.counts() == {"new": 0, "near_duplicate": 0, "duplicate": 3, "unchanged": 0, "failed": 0}
    assert all(i.reason.startswith("already stored as document") for i in again.items)
    assert len(_documents(store)) == 3


def test_the_same_text_in_another_archive_is_a_duplicate(store, tmp_path):
    warc = write_warc(tmp_path / "crawl.warc.gz", [("page", "https://news.example/a", "0")]).path
    dump = write_jsonl(tmp_path / "dump.jsonl", [{"url": "https://mirror.example/a",
                                                  "html": page_html(0).decode()}])
    result = run_ingest(store, [str(warc), str(dump)], Settings(db=store.url))
    assert [i.status for i in result.items] == ["new", "duplicate"]
    assert result.items[1].reason.startswith("same text as document 1")


def _corrupt(written, index: int) -> bytes:
    data = bytearray(written.path.read_bytes())
    start = written.offsets[index]
    data[start + 40 : start + 48] = b"\x00" * 8  # inside the deflate stream of that gzip member
    return bytes(data)


def test_broken_gzip_members_are_reported_and_the_rest_ingests(store, tmp_path):
    pages = [("page", f"https://news.example/{i}", str(i)) for i in range(5)]
    written = write_warc(tmp_path / "crawl.warc.gz", [*pages[:2], ("request", "https://news.example/x"), *pages[2:]])
    data = _corrupt(written, 3)
    written.path.write_bytes(data[:-20])  # and the last member truncated
    result = run_ingest(store, [str(written.path)], Settings(db=store.url))
    by_status = {s: [i for i in result.items if i.status == s] for s in ("new", "failed")}
    assert [i.input for i in by_status["new"]] == ["https://news.example/0", "https://news.example/1",
                                                   "https://news.example/3"]
    failed = by_status["failed"]
    assert len(failed) == 2
    assert failed[0].input == f"{written.path} at byte {written.offsets[3]}"
    assert failed[0].reason == f"broken record: corrupt gzip data; resumed at byte {written.offsets[4]}"
    assert failed[1].input == f"{written.path} at byte {written.offsets[5]} (https://news.example/4)"
    assert failed[1].reason.startswith("broken record: truncated, ") and "bytes missing" in failed[1].reason
    assert "\n" not in failed[0].reason + failed[1].reason
    assert "6 records: 3 documents, 2 broken; skipped 1 request records" in _status(store, "crawl.warc.gz")


def test_bad_header_and_wrong_length_in_a_plain_warc(store, tmp_path, capfd):
    pages = [("page", f"https://news.example/{i}", str(i)) for i in range(5)]
    written = write_warc(tmp_path / "crawl.warc", pages, gz=False)
    data = written.path.read_bytes()
    # record 1 says it is 7 bytes shorter than it is; record 3 does not start with WARC/1.x
    length_at = data.index(b"Content-Length: ", written.offsets[1])
    end = data.index(b"\r\n", length_at)
    length = int(data[length_at + 16 : end])
    data = data[:length_at] + b"Content-Length: %d" % (length - 7) + data[end:]
    third = data.index(b"WARC/1.", written.offsets[3] - 7)
    data = data[:third] + b"WARX/9." + data[third + 7 :]
    written.path.write_bytes(data)
    result = run_ingest(store, [str(written.path)], Settings(db=store.url))
    assert [(i.input, i.status) for i in result.items if i.status == "new"] == [
        ("https://news.example/0", "new"), ("https://news.example/2", "new"), ("https://news.example/4", "new")]
    reasons = [i.reason for i in result.items if i.status == "failed"]
    assert reasons[0] == f"broken record: its length does not match its Content-Length ({length - 7})"
    assert reasons[1].startswith("broken record: bad record header (not WARC/1.x); resumed at byte ")
    assert len(reasons) == 2
    assert "WARNING" not in capfd.readouterr().err  # warcio's warning does not reach the terminal


def test_jsonl_lines_good_and_bad(store, tmp_path):
    lines: list[object] = [
        {"url": "https://dump.example/1", "title": "Harbourline expands", "published": "2024-02-03",
         "text": TOPICS[0][1]},
        "{not json",
        {"url": "https://dump.example/2", "title": "Nothing to read"},
        {"url": "https://dump.example/3", "title": 42, "text": TOPICS[1][1]},
        {"title": "No address", "text": TOPICS[2][1]},
        {"url": "https://dump.example/4", "published": "last Tuesday", "text": TOPICS[2][1]},
        "",
        ["a", "list"],
        {"url": "https://dump.example/5", "published": "2024-02-05T10:11:12+02:00",
         "html": f"<html><head><title>{TOPICS[3][0]}</title></head><body><article><p>{TOPICS[3][1]}</p>"
                 "</article></body></html>"},
    ]
    for gz in (False, True):
        path = write_jsonl(tmp_path / f"dump{gz}.jsonl{'.gz' if gz else ''}", lines, gz=gz)
        result = ingest_documents(store, [str(path)], Settings(db=store.url))
        failed = {i.input.rsplit(" ", 1)[-1]: i.reason for i in result.items if i.status == "failed"}
        assert failed == {
            "2": "line 2: not JSON (Expecting property name enclosed in double quotes, column 2)",
            "3": "line 3: neither html nor text",
            "4": "line 4: title is not a string but int",
            "5": "line 5: no url",
            "6": "line 6: published is not an ISO date or datetime: 'last Tuesday'",
            "8": "line 8: not a JSON object but list",
        }
        if not gz:
            assert [i.status for i in result.items if i.status != "failed"] == ["new", "new"]
        else:  # the same lines again, gzipped: the same documents, stored once
            assert [i.status for i in result.items if i.status != "failed"] == ["duplicate", "duplicate"]
    one, five = _documents(store)
    assert (one.url, one.title, one.published, one.content_type) == (
        "https://dump.example/1", "Harbourline expands", date(2024, 2, 3), "text/plain")
    assert one.text.startswith("Harbourline Cells said on Tuesday") and "title:" not in one.text
    assert (five.title, five.published, five.content_type) == (TOPICS[3][0], date(2024, 2, 5), "text/html")


def test_a_jsonl_line_in_another_encoding_is_read_like_any_file(store, tmp_path):
    html = ('<html><head><meta charset="windows-1252"><title>Caf\u00e9 cells</title></head><body><article><p>'
            "The caf\u00e9 owner in Tarrow powers her espresso machine with a prototype solid battery pack "
            "\u2013 or so the sign says.</p></article></body></html>")
    line = b'{"url": "https://dump.example/cafe", "html": "' + html.replace('"', '\\"').encode("cp1252") + b'"}'
    path = write_jsonl(tmp_path / "dump.jsonl", [b"\xef\xbb\xbf" + line])
    result = ingest_documents(store, [str(path)], Settings(db=store.url))
    assert [i.status for i in result.items] == ["new"], result.items
    (doc,) = _documents(store)
    assert doc.title == "Caf\u00e9 cells" and "The caf\u00e9 owner" in doc.text and "\u2013 or so" in doc.text


def test_caps_apply_to_each_record(store, tmp_path):
    warc = write_warc(tmp_path / "crawl.warc.gz", [("page", "https://news.example/a", "0")]).path
    dump = write_jsonl(tmp_path / "dump.jsonl", [{"url": "https://dump.example/1", "text": "word " * 400}])
    result = ingest_documents(store, [str(warc), str(dump)], Settings(db=store.url, max_bytes=300))
    assert [i.reason for i in result.items] == ["page larger than 300 bytes", "line 1: document larger than 300 bytes"]
    small = ingest_documents(store, [str(dump)], Settings(db=store.url, max_text_chars=100))
    assert small.items[0].reason.startswith("text too long: ")


def test_archives_are_recognised_by_name_and_content_in_folders(store, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    write_warc(folder / "crawl.warc.gz", [("page", "https://news.example/a", "0")])
    write_warc(folder / "sub" / "capture-0001.dat", [("page", "https://news.example/b", "1")], gz=False)
    write_jsonl(folder / "export.gz", [{"url": "https://dump.example/1", "text": TOPICS[2][1]}], gz=True)
    (folder / "sub" / "notes.txt").write_text(TOPICS[3][1])
    (folder / "backup.gz").write_bytes(gzip.compress(b"some tar-like bytes, not an archive"))
    assert archive_kind(folder / "sub" / "capture-0001.dat") == "warc"
    assert archive_kind(folder / "export.gz") == "jsonl"
    assert archive_kind(folder / "backup.gz") is None and archive_kind(folder / "sub" / "notes.txt") is None
    result = ingest_documents(store, [str(folder)], Settings(db=store.url))
    assert sorted(i.input for i in result.items if i.status == "new") == sorted([
        "https://dump.example/1", "https://news.example/a", str(folder / "sub" / "notes.txt")])
    # capture-0001.dat is not in the folder walk (unknown suffix, not .gz): named, it is read by its content
    named = ingest_documents(store, [str(folder / "sub" / "capture-0001.dat")], Settings(db=store.url))
    assert [(i.input, i.status) for i in named.items] == [("https://news.example/b", "new")]


def test_a_file_named_as_an_archive_that_is_not_one(store, tmp_path):
    fake = tmp_path / "fake.warc"
    fake.write_text("hello, this is no web archive at all")
    result = ingest_documents(store, [str(fake)], Settings(db=store.url))
    assert [(i.status, i.reason) for i in result.items] == [
        ("failed", f"not a WARC file (it does not start with WARC/1.x): {fake}")]


def test_progress_counts_archive_records(store, tmp_path):
    warc = write_warc(tmp_path / "crawl.warc.gz", MIXED).path
    dump = write_jsonl(tmp_path / "dump.jsonl", [{"url": f"https://dump.example/{i}", "text": TOPICS[i][1]}
                                                  for i in range(3)])
    calls: list[tuple[int, int]] = []
    ingest_documents(store, [str(warc), str(dump)], Settings(db=store.url),
                     progress=lambda done, total, label: calls.append((done, total)))
    # two inputs; the WARC's 2 pages are counted before they are read, then the dump's 3 lines
    assert calls == [(0, 2), (1, 3), (2, 3), (2, 3), (3, 5), (4, 5), (5, 5)]


def test_streaming_keeps_memory_flat(tmp_path):
    # ~6 MB of archive: 600 pages of ~10 KB each, gzipped per record; and the same as a JSONL dump.
    filler = "".join(f"<p>Paragraph {n} about cell chemistry and pilot lines in the archive.</p>" for n in range(130))
    records = [("type", f"https://news.example/{i}", "text/html", f"<html><body>{filler}{i}</body></html>")
               for i in range(600)]
    warc = write_warc(tmp_path / "big.warc", records, gz=False).path
    dump = write_jsonl(tmp_path / "big.jsonl", [{"url": f"https://dump.example/{i}", "html": filler}
                                                 for i in range(600)])
    for path, kind in ((warc, "warc"), (dump, "jsonl")):
        size = path.stat().st_size
        assert size > 5_000_000
        stats = ArchiveStats()
        tracemalloc.start()
        try:
            count = sum(isinstance(r, Record) for r in read_archive(path, kind, stats=stats))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert count == 600 and stats.documents == 600
        assert peak < size / 20, f"{kind}: peak {peak} bytes for a {size}-byte archive"


def test_read_archive_is_a_lazy_stream(tmp_path):
    written = write_warc(tmp_path / "crawl.warc.gz", [("page", "https://news.example/a", "0"),
                                                       ("page", "https://news.example/b", "1")])
    data = written.path.read_bytes()
    written.path.write_bytes(data[: written.offsets[1]] + b"garbage that is not gzip")
    stream = read_archive(written.path, "warc")
    first = next(stream)
    assert isinstance(first, Record) and first.raw.url == "https://news.example/a"
    assert first.raw.fetched_at == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    second = next(stream)
    assert isinstance(second, Broken) and second.reason.endswith("; nothing readable after it")
    assert next(stream, None) is None
