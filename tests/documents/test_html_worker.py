"""Main-text extraction in a child process: same result as in process, stopped by the budget from any thread."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ssbrace import budget, isolated
from ssbrace.documents import html_worker
from ssbrace.documents.text import extract_main_text
from ssbrace.errors import InputError
from ssbrace.models import ExtractedText
from tests.isolation import in_thread, no_idle_children  # noqa: F401 (a fixture)

PAGES = Path(__file__).resolve().parents[1] / "data" / "web" / "pages"
# trafilatura works on this for many seconds (about 8 s on an idle test machine).
HOSTILE = "<html><body>" + "<p>Plant two opens in 2027.</p>" * 100_000 + "</body></html>"


pytestmark = pytest.mark.usefixtures("no_idle_children")


def _children() -> set[int]:
    """Process ids of this process's living children."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == os.getpid() and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def _budgeted(raw: bytes | str, seconds: float = 60) -> Callable[[], ExtractedText]:
    def work() -> ExtractedText:
        with budget.time_budget(seconds):
            return extract_main_text(raw, content_type="text/html")
    return work


def test_pages_off_the_main_thread_go_to_a_child_and_give_the_same_result():
    for page in sorted(PAGES.glob("*.html")):
        raw = page.read_bytes()
        try:
            in_process = extract_main_text(raw, content_type="text/html")  # no budget: no child
        except InputError as exc:
            in_process = exc
        in_child = in_thread(_budgeted(raw))
        if isinstance(in_process, InputError):
            assert isinstance(in_child, InputError) and str(in_child) == str(in_process), page.name
        else:
            assert in_child == in_process, page.name
    assert len(isolated._idle) == 1  # one child served every page, and waits for the next


def test_a_hostile_page_in_a_thread_fails_at_its_budget_and_its_child_is_replaced():
    in_thread(_budgeted((PAGES / "electrolyte-primer.html").read_bytes()))  # a child, started and idle
    (first,) = isolated._idle
    start = time.monotonic()
    failed = in_thread(_budgeted(HOSTILE, 1.0))
    elapsed = time.monotonic() - start
    assert isinstance(failed, budget.TimeBudgetExceeded)
    assert str(failed) == ("took longer than the time budget of 1 s per document "
                           "(while extracting the main text of the page)")
    assert elapsed < 6, elapsed  # the 1 s budget plus room for a loaded machine; not trafilatura's 8 s+
    assert first.process.returncode is not None  # the busy child was killed, not left running
    assert first.process.pid not in _children()
    # a replacement was started at once, and the next page is extracted by it
    result = in_thread(_budgeted((PAGES / "electrolyte-primer.html").read_bytes()))
    assert isinstance(result, ExtractedText) and result.title == "A short guide to solid electrolytes"
    assert isolated._idle and isolated._idle[0] is not first


def test_a_big_page_in_the_main_thread_also_goes_to_a_child():
    small = "<html><body><p>x</p></body></html>"
    big = small + " " * html_worker.ISOLATE_ABOVE_CHARS
    assert not html_worker.should_isolate(big)  # no budget: nothing to keep
    with budget.time_budget(60):
        assert not html_worker.should_isolate(small)  # the alarm is enough
        assert html_worker.should_isolate(big)
    start = time.monotonic()
    with pytest.raises(budget.TimeBudgetExceeded), budget.time_budget(1.0):
        extract_main_text(HOSTILE + " " * html_worker.ISOLATE_ABOVE_CHARS, content_type="text/html")
    assert time.monotonic() - start < 6


def test_threads_at_once_each_get_a_child():
    pages = sorted(PAGES.glob("*.html"))[:4]
    expected = {}
    for page in pages:
        try:
            expected[page.name] = extract_main_text(page.read_bytes(), content_type="text/html").text
        except InputError as exc:
            expected[page.name] = str(exc)
    got: dict[str, str] = {}

    def work(page: Path) -> None:
        for _ in range(3):
            try:
                got[page.name] = _budgeted(page.read_bytes())().text
            except InputError as exc:
                got[page.name] = str(exc)

    threads = [threading.Thread(target=work, args=(page,)) for page in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert got == expected
    assert 1 <= len(isolated._idle) <= len(pages)


def test_a_child_that_died_fails_the_document_with_one_line():
    worker = isolated._Worker()
    worker.process.kill()
    with pytest.raises(Exception, match=r"^the worker process ended \(signal 9\)$"):
        worker.exchange(b"x" * 1_000_000, time.monotonic() + 30)
    worker.kill()
