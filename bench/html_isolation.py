"""What running trafilatura in a child process costs on ordinary pages, and what it buys on a hostile one.

In one run, on N generated pages of about 30 KB (bench/ingest.py's generator), the main text of every page
is extracted three ways, rounds interleaved so that machine load hits all alike:
  1. trafilatura called directly (what ingestion did before the child process existed),
  2. ``extract_main_text`` in the main thread under a time budget: pages stay in process (the alarm),
  3. ``extract_main_text`` in another thread under a time budget: every page goes to the child process.
Then a hostile page (100,000 paragraphs) with a 2 s budget in another thread: seconds until it fails.

    PYTHONPATH=. .venv/bin/python bench/html_isolation.py --n 200 --rounds 3
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
from collections.abc import Callable

import trafilatura

from bench.ingest import make_page
from ssbrace import budget, isolated
from ssbrace.documents.text import extract_main_text
from ssbrace.errors import InputError


def _direct(pages: list[str]) -> None:
    for page in pages:
        trafilatura.bare_extraction(page, with_metadata=True, include_comments=False, include_tables=True)


def _budgeted(pages: list[str]) -> None:
    for page in pages:
        with budget.time_budget(60):
            extract_main_text(page, content_type="text/html")


def _in_thread(work: Callable[[], None]) -> None:
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


def _seconds(work: Callable[[], None]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="pages per round (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    args = parser.parse_args()
    rng = random.Random(7)
    pages = [make_page(i, rng) for i in range(args.n)]
    _in_thread(lambda: _budgeted(pages[:5]))  # the child's start, outside the timing
    ways: dict[str, list[float]] = {"direct trafilatura": [], "main thread, in process": [],
                                    "other thread, child process": []}
    for _ in range(args.rounds):
        ways["direct trafilatura"].append(_seconds(lambda: _direct(pages)))
        ways["main thread, in process"].append(_seconds(lambda: _budgeted(pages)))
        ways["other thread, child process"].append(_seconds(lambda: _in_thread(lambda: _budgeted(pages))))
    base = statistics.median(ways["direct trafilatura"]) / args.n
    print(f"pages: {args.n} of {sum(map(len, pages)) / args.n / 1000:.1f} KB, {args.rounds} rounds (median)")
    for name, runs in ways.items():
        per_page = statistics.median(runs) / args.n
        print(f"{name:<30}{per_page * 1000:7.1f} ms/page   {per_page / base:5.2f}x direct   "
              f"(rounds: {', '.join(f'{r:.1f}' for r in runs)} s)")

    hostile = "<html><body>" + "<p>Plant two opens in 2027.</p>" * 100_000 + "</body></html>"
    outcome: list[str] = []

    def _hostile() -> None:
        start = time.perf_counter()
        try:
            with budget.time_budget(2):
                extract_main_text(hostile, content_type="text/html")
            outcome.append("extracted")
        except InputError as exc:
            outcome.append(str(exc))
        outcome.append(f"{time.perf_counter() - start:.2f} s")

    _in_thread(_hostile)
    print(f"hostile page ({len(hostile) / 1e6:.1f} MB), 2 s budget, other thread: {outcome[1]}: {outcome[0]}")
    isolated.shutdown()


if __name__ == "__main__":
    main()
