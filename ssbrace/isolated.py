"""Library work that a time budget can stop from any thread: a function run in a small reusable child process.

Parsers such as trafilatura, lxml and feedparser have no points where a budget could be checked, and the
alarm signal that stops them (``budget.interruptible``) works only in the main thread, between Python
instructions. So when the alarm cannot be used (a server or worker thread), or when the input is large
enough that a parser may work for long in C, a stage hands the call to a child instead (``run``). When the
budget runs out the child is killed, a fresh one is started for the next call, and the document fails with
the budget's reason. Children are shared by every kind of work: each imports a job's module when first asked.

The child runs ``python -m ssbrace.isolated``; a request names a module-level function of this package and
its arguments; requests and replies are length-prefixed pickles on its standard input and output (both ends
are ours, so pickle is safe here).
"""

from __future__ import annotations

import atexit
import importlib
import os
import pickle
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

from ssbrace import budget
from ssbrace.errors import InputError

T = TypeVar("T")

# Idle children kept for reuse; more threads at once start more, and the extra ones exit after use.
_MAX_IDLE = 4
_HEADER = struct.Struct("!Q")
_CHUNK = 1 << 16
_NO_BUDGET_SECONDS = 365 * 86400.0


def should_isolate(size: int, above: int) -> bool:
    """Whether work on an input of ``size`` needs a child process to stay within the current time budget:
    the alarm cannot be used here, or the input is over ``above``, where a parser may work in C for long."""
    if budget.remaining() is None:
        return False  # no budget to keep
    return not budget.can_interrupt() or size > above


def run(job: Callable[..., T], *args: Any, stage: str, failure: str, preload: Sequence[str] = ()) -> T:
    """``job(*args)`` in a child process, within the current document's time budget.

    Args:
        job: a function the child can import by its module and name; its arguments and result must pickle.
        stage: what the document was doing, for the budget's reason.
        failure: how a failure of the job reads ("cannot parse HTML"), before the exception's name.
        preload: modules children import before their first request, so that it is not paid inside a budget.

    Raises:
        TimeBudgetExceeded: the budget ran out (the child is killed and replaced).
        InputError: the job raised one (passed on as it is), failed otherwise, or the child died.
    """
    with _lock:
        _preload.update(preload)
    request = pickle.dumps((job.__module__, job.__qualname__, args), protocol=pickle.HIGHEST_PROTOCOL)
    left = budget.remaining()
    deadline = time.monotonic() + (left if left is not None else _NO_BUDGET_SECONDS)
    worker = _take()
    try:
        reply = worker.exchange(request, deadline)
    except _ChildDied as exc:
        worker.kill()
        raise InputError(f"{failure}: {exc}") from None
    except BaseException:
        worker.kill()
        raise
    if reply is None:  # out of time: this child may be stuck in C for minutes
        worker.kill()
        _prestart()
        raise budget.exceeded(stage)
    _give_back(worker)
    status, value = pickle.loads(reply)
    if status == "raised":
        raise value
    if status == "error":
        raise InputError(f"{failure}: {value}")
    return cast(T, value)


class _ChildDied(Exception):
    """The child exited or closed its pipes before answering."""


class _Worker:
    """One child process and its two pipes."""

    def __init__(self, preload: Sequence[str] = ()) -> None:
        # The child imports this package from where this process found it, whatever sys.path says there.
        root = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ssbrace.isolated", *preload],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, close_fds=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._to, self._from = self.process.stdin.fileno(), self.process.stdout.fileno()
        os.set_blocking(self._to, False)
        os.set_blocking(self._from, False)

    def exchange(self, request: bytes, deadline: float) -> bytes | None:
        """Send one request and wait for its reply until ``deadline``; None when the time ran out."""
        outgoing = memoryview(_HEADER.pack(len(request)) + request)
        received = bytearray()
        expected: int | None = None
        with selectors.DefaultSelector() as selector:
            selector.register(self._to, selectors.EVENT_WRITE)
            selector.register(self._from, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                for key, _events in selector.select(min(left, 3600.0)):  # epoll takes at most ~24 days
                    if key.fd == self._to:
                        try:
                            outgoing = outgoing[os.write(self._to, outgoing[:_CHUNK]):]
                        except BlockingIOError:
                            continue
                        except BrokenPipeError:
                            raise self._died() from None
                        if not outgoing:
                            selector.unregister(self._to)
                        continue
                    chunk = os.read(self._from, 1 << 20)
                    if not chunk:
                        raise self._died()
                    received += chunk
                    if expected is None and len(received) >= _HEADER.size:
                        expected = _HEADER.size + _HEADER.unpack_from(received)[0]
                    if expected is not None and len(received) >= expected:
                        return bytes(received[_HEADER.size:expected])

    def _died(self) -> _ChildDied:
        code = self.process.wait(timeout=5)
        how = f"signal {-code}" if code < 0 else f"exit status {code}"
        return _ChildDied(f"the worker process ended ({how})")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self._close_pipes()

    def close(self) -> None:
        """Let the child end on its own (it stops at the end of its input); kill it if it lingers."""
        self._close_pipes()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()

    def _close_pipes(self) -> None:
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


_idle: list[_Worker] = []
_preload: set[str] = set()  # every job's modules so far: a new child imports them before its first request
_lock = threading.Lock()


def _take() -> _Worker:
    with _lock:
        while _idle:
            worker = _idle.pop()
            if worker.process.poll() is None:
                return worker
            worker.kill()
        preload = sorted(_preload)
    return _Worker(preload)


def _give_back(worker: _Worker) -> None:
    with _lock:
        if len(_idle) < _MAX_IDLE:
            _idle.append(worker)
            return
    worker.close()


def _prestart() -> None:
    """Start a replacement for a killed child now: its interpreter starts while this process goes on."""
    with _lock:
        if not _idle:
            _idle.append(_Worker(sorted(_preload)))


@atexit.register
def shutdown() -> None:
    """End every idle child (also called by tests to start from none)."""
    with _lock:
        workers, _idle[:] = list(_idle), []
    for worker in workers:
        worker.close()


def _serve(preload: Sequence[str]) -> None:
    """The child's loop: one request in, one reply out, until the parent closes our input."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by a library goes to standard error, not into the replies
    requests = sys.stdin.buffer
    for name in preload:  # loaded before the first request, not during it
        importlib.import_module(name)
    while True:
        header = requests.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        module, name, args = pickle.loads(requests.read(_HEADER.unpack(header)[0]))
        reply: tuple[str, Any]
        try:
            job: Any = importlib.import_module(module)
            for part in name.split("."):
                job = getattr(job, part)
            reply = ("ok", job(*args))
        except InputError as exc:  # the job's own one-line reason
            reply = ("raised", exc)
        except Exception as exc:  # parsers raise many kinds on malformed input
            reply = ("error", type(exc).__name__)
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an exception or result that does not pickle
            data = pickle.dumps(("error", type(exc).__name__), protocol=pickle.HIGHEST_PROTOCOL)
        replies.write(_HEADER.pack(len(data)) + data)
        replies.flush()


if __name__ == "__main__":
    _serve(sys.argv[1:])
