"""Work in a child process (``ssbrace.isolated``): results and failures come back as one-line reasons."""

from __future__ import annotations

import os

import pytest

from ssbrace import isolated
from ssbrace.errors import InputError


@pytest.fixture(autouse=True)
def no_idle_children():  # type: ignore[no-untyped-def]
    isolated.shutdown()
    yield
    isolated.shutdown()


def test_a_job_runs_in_a_child_and_its_failures_read_as_one_line() -> None:
    assert isolated.run(divmod, 17, 5, stage="testing", failure="cannot divide") == (3, 2)
    with pytest.raises(InputError, match=r"^cannot divide: ZeroDivisionError$"):
        isolated.run(divmod, 1, 0, stage="testing", failure="cannot divide")
    (child,) = isolated._idle  # one child served both, and waits for the next job
    assert child.process.pid != os.getpid() and child.process.poll() is None


def test_a_child_that_dies_fails_the_job_with_one_line_and_is_replaced() -> None:
    with pytest.raises(InputError, match=r"^cannot parse the feed: the worker process ended \(exit status 3\)$"):
        isolated.run(os._exit, 3, stage="testing", failure="cannot parse the feed")
    assert not isolated._idle  # the dead child is not kept
    assert isolated.run(divmod, 7, 2, stage="testing", failure="cannot divide") == (3, 1)
