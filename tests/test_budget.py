"""Per-document time budgets: checks between steps, and an alarm around library code in the main thread."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from ssbrace.budget import TimeBudgetExceeded, check, interruptible, time_budget


def test_no_budget_means_no_limit():
    check("anything")  # outside a budget: never raises
    with time_budget(None), time_budget(0):
        time.sleep(0.01)
        check("anything")


def test_checks_raise_once_the_budget_is_spent():
    with time_budget(0.05):
        check("starting")
        time.sleep(0.1)
        with pytest.raises(TimeBudgetExceeded, match=r"^took longer than the time budget of 0.05 s per document "
                                                      r"\(while extracting claims\)$"):
            check("extracting claims")


def test_an_outer_budget_wins_over_an_inner_one():
    with time_budget(0.05):
        with time_budget(60):
            time.sleep(0.1)
            with pytest.raises(TimeBudgetExceeded, match="0.05 s"):
                check("inner")


def test_a_busy_loop_in_library_code_is_interrupted_and_the_alarm_restored():
    before = signal.getsignal(signal.SIGALRM)
    start = time.monotonic()
    with pytest.raises(TimeBudgetExceeded, match="while parsing"), time_budget(0.2), interruptible("parsing"):
        while True:  # stands for trafilatura working on a hostile page: no checks of its own
            sum(range(1000))
    assert time.monotonic() - start < 5
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_outside_the_main_thread_only_checks_apply():
    outcome: list[str] = []

    def work() -> None:
        with time_budget(0.05), interruptible("parsing"):
            time.sleep(0.1)  # no alarm here: the block runs to its end
        outcome.append("finished")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert outcome == ["finished"]
