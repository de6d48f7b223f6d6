"""What the tests of work in child processes share (``ssbrace.isolated``): no idle child left between tests,
and a call run in another thread, where no alarm can stop library code."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from ssbrace import isolated


@pytest.fixture
def no_idle_children() -> Iterator[None]:
    isolated.shutdown()
    yield
    isolated.shutdown()


def in_thread(work: Callable[[], object]) -> object:
    """``work`` in another thread: its result or its exception."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    assert outcome, "the thread did not finish"
    return outcome[0]
