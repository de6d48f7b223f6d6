"""Ingest throughput: documents/s from disk and from a local HTTP server, beside bare trafilatura.

Generates N realistic HTML pages (about 30 KB each, most of it boilerplate), then in the same run:
  1. bare trafilatura extraction of every page (the baseline),
  2. ``ssbrace ingest FOLDER`` as a library call, with the CLI's per-document hook (claims extraction),
  3. the same without the hook (ingestion's own overhead: decoding, dedup, SQLite),
  4. ``ssbrace ingest URL...`` against ``python -m http.server`` on 127.0.0.1 (its own process).
Each ingest writes to a fresh SQLite store. The ratio baseline/ingest is our overhead factor.

    .venv/bin/python bench/ingest.py --n 2000
"""

from __future__ import annotations

import argparse
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trafilatura

from ssbrace.kb.store import Store
from ssbrace.pipeline import after_document_stored, ingest_documents
from ssbrace.settings import Settings

VOCABULARY = (
    "cell anode cathode sulfide oxide polymer electrolyte lithium sodium pilot line factory yield pressure "
    "dendrite coating separator foil stack module pack charge cycle density volume weight cost supplier "
    "carmaker licence patent subsidy program plant capacity target prototype sample test vehicle range grid "
    "storage ceramic garnet interface layer powder dry room furnace press roll film metal alloy engineers "
    "researchers investors analysts ministry company startup partner agreement production series market "
    "share demand price kilowatt hour energy power safety fire heat temperature ion conductivity crystal "
    "the a of and to in for with on at by from that which while after before because although"
).split()


def make_page(i: int, rng: random.Random) -> str:
    """One page: an article of ~900 words inside ~22 KB of navigation, sidebars, scripts and footer."""
    nav = "".join(
        f'<li><a href="/section/{k}">Section {k} {rng.choice(VOCABULARY)}</a></li>' for k in range(60)
    )
    related = "".join(
        f'<li><a href="/story/{rng.randrange(10**6)}">{" ".join(rng.choices(VOCABULARY, k=8))}</a></li>'
        for _ in range(90)
    )
    footer = "".join(f'<a href="/legal/{k}">Legal notice {k}</a> ' for k in range(140))
    script = "<script>" + "var tracking_" + "x" * 40 + " = {};" * 150 + "</script>"
    style = "<style>" + ".c{margin:0;padding:0;color:#333}" * 120 + "</style>"
    paragraphs = "".join(
        "<p>" + " ".join(rng.choices(VOCABULARY, k=75)).capitalize() + ".</p>" for _ in range(12)
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Report {i} | Bench News</title>"
        f"<meta name='author' content='Writer {i % 17}'><meta property='article:published_time' "
        f"content='2024-{1 + i % 12:02d}-{1 + i % 28:02d}'>{style}{script}</head><body>"
        f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>Report number {i}</h1>"
        f"{paragraphs}</article><aside><h3>Related</h3><ul>{related}</ul></aside></main>"
        f"<footer>{footer}<p>Copyright Bench News</p></footer></body></html>"
    )


def generate(folder: Path, n: int) -> list[Path]:
    rng = random.Random(7)
    paths = []
    for i in range(n):
        path = folder / f"page-{i:05d}.html"
        path.write_text(make_page(i, rng), encoding="utf-8")
        paths.append(path)
    return paths


def serve(folder: Path) -> tuple[subprocess.Popen, str]:
    """``python -m http.server`` in its own process, so it does not share the client's GIL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server, f"http://127.0.0.1:{port}"


def bare(paths: list[Path]) -> float:
    """Seconds for trafilatura alone, with the options ingest uses."""
    start = time.perf_counter()
    for path in paths:
        html = path.read_bytes().decode("utf-8")
        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True
        )
        assert doc is not None and doc.text
    return time.perf_counter() - start


def timed_ingest(inputs: list[str], db: Path, hook: bool = True) -> tuple[float, dict[str, int]]:
    store = Store(f"sqlite:///{db}")  # migrations run here, outside the timing
    settings = Settings(db=store.url, allow_private=True)
    start = time.perf_counter()
    result = ingest_documents(store, inputs, settings, after_store=after_document_stored if hook else None)
    elapsed = time.perf_counter() - start
    store.dispose()
    return elapsed, result.counts()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="number of pages (default 2000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ssbrace-bench-") as tmp:
        root = Path(tmp)
        pages = root / "pages"
        pages.mkdir()
        paths = generate(pages, args.n)
        size = sum(p.stat().st_size for p in paths) / len(paths)
        server, base = serve(pages)
        try:
            t_bare = bare(paths)
            t_disk, disk_counts = timed_ingest([str(pages)], root / "disk.db")
            t_nohook, _ = timed_ingest([str(pages)], root / "nohook.db", hook=False)
            urls = [f"{base}/{p.name}" for p in paths]
            t_http, http_counts = timed_ingest(urls, root / "http.db")
        finally:
            server.terminate()
            server.wait()
        n = args.n
        print(f"pages: {n}, mean size {size / 1000:.1f} KB")
        print(f"{'bare trafilatura':<28}{n / t_bare:8.1f} docs/s   ({t_bare:.1f} s)")
        print(
            f"{'ingest from disk':<28}{n / t_disk:8.1f} docs/s   ({t_disk:.1f} s)  "
            f"ratio {t_disk / t_bare:.2f}x the bare time   {disk_counts}"
        )
        print(
            f"{'ingest from disk, no hook':<28}{n / t_nohook:8.1f} docs/s   ({t_nohook:.1f} s)  "
            f"ratio {t_nohook / t_bare:.2f}x the bare time   (ingestion alone: claims extraction off)"
        )
        print(
            f"{'ingest from local server':<28}{n / t_http:8.1f} docs/s   ({t_http:.1f} s)  "
            f"ratio {t_http / t_bare:.2f}x the bare time   {http_counts}"
        )
        for name, counts in (("disk", disk_counts), ("server", http_counts)):
            if counts["new"] != n:
                print(f"warning: {name} ingest stored {counts['new']} of {n} pages: {counts}")


if __name__ == "__main__":
    main()
