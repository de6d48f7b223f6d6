"""Per-document time budgets: a document that takes too long fails on its own, with a reason.

``time_budget`` opens a budget around the handling of one document. Long loops call ``check`` (cheap)
so that any thread stops at the next step once the budget is spent. ``interruptible`` additionally
arms SIGALRM around stages that spend their time in library code we cannot add checks to
(trafilatura, lxml): only in the main thread, only while no other timer is armed, and never around
database work, so that the exception can only land in pure computation. Where no alarm can be used
(another thread), ``remaining`` and ``exceeded`` let a stage run its work in a child process and kill it
when the budget is spent (``ssbrace.isolated``).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from ssbrace.errors import InputError


class TimeBudgetExceeded(InputError):
    """One document took longer than its time budget."""


@dataclass(frozen=True)
class _Budget:
    deadline: float
    seconds: float

    def error(self, stage: str) -> TimeBudgetExceeded:
        return TimeBudgetExceeded(
            f"took longer than the time budget of {self.seconds:g} s per document (while {stage})"
        )


_current: ContextVar[_Budget | None] = ContextVar("ssbrace_time_budget", default=None)


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Run the block under a budget of ``seconds`` (None or <= 0: no budget). An outer budget wins."""
    if not seconds or seconds <= 0 or _current.get() is not None:
        yield
        return
    token = _current.set(_Budget(time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _current.reset(token)


def check(stage: str) -> None:
    """Raise TimeBudgetExceeded when the current document's budget is spent."""
    budget = _current.get()
    if budget is not None and time.monotonic() > budget.deadline:
        raise budget.error(stage)


def remaining() -> float | None:
    """Seconds left in the current document's budget (0 when spent); None outside a budget."""
    budget = _current.get()
    return None if budget is None else max(budget.deadline - time.monotonic(), 0.0)


def exceeded(stage: str) -> TimeBudgetExceeded:
    """The error of the current budget running out while ``stage`` (call only inside a budget)."""
    budget = _current.get()
    assert budget is not None, "exceeded() outside a time budget"
    return budget.error(stage)


def can_interrupt() -> bool:
    """Whether ``interruptible`` can stop library code here (the main thread, no other timer armed)."""
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
    )


@contextmanager
def interruptible(stage: str) -> Iterator[None]:
    """Check the budget, then let the block be interrupted when the budget runs out inside it."""
    check(stage)
    budget = _current.get()
    if budget is None or not can_interrupt():
        yield
        return

    def _on_alarm(_signum: int, _frame: object) -> None:
        raise budget.error(stage)

    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(budget.deadline - time.monotonic(), 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
