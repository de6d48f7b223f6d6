"""Main-text extraction of HTML that a time budget can stop from any thread: trafilatura in a child process.

trafilatura and lxml have no points where a budget could be checked, and the alarm signal that stops
them (``budget.interruptible``) works only in the main thread, between Python instructions. So when the
alarm cannot be used (ingestion in a server or worker thread), or when the page is large enough that lxml
alone may parse for long in C, the page goes to a small reusable child process instead. When the budget
runs out the child is killed, a fresh one is started for the next page, and the document fails with the
budget's reason. Ordinary pages in the main thread stay in process: no round trip per page.

The child runs ``python -m ssbrace.documents.html_worker``; requests and replies are length-prefixed
pickles on its standard input and output (both ends are ours, so pickle is safe here).
"""

from __future__ import annotations

import atexit
import os
import pickle
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from ssbrace import budget
from ssbrace.errors import InputError

# Fields of trafilatura's result the documents stage uses.
Fields = dict[str, str | None]

# Pages longer than this (characters) go to a child even in the main thread: an alarm is only delivered
# between Python instructions, and lxml can parse a page of several megabytes in C for seconds.
# Ordinary articles (30-300 KB of HTML) stay below it.
ISOLATE_ABOVE_CHARS = 1_000_000
# Idle children kept for reuse; more threads at once start more, and the extra ones exit after use.
_MAX_IDLE = 4
_HEADER = struct.Struct("!Q")
_CHUNK = 1 << 16


def main_text_fields(html: str, url: str | None) -> Fields | None:
    """trafilatura's main text and metadata of one page, as plain fields; None when it finds nothing."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    if doc is None or isinstance(doc, dict):
        return None
    return {"text": doc.text, "title": doc.title, "author": doc.author, "date": doc.date,
            "sitename": doc.sitename}


def should_isolate(html: str) -> bool:
    """Whether this page needs a child process to stay within the current time budget."""
    if budget.remaining() is None:
        return False  # no budget to keep
    return not budget.can_interrupt() or len(html) > ISOLATE_ABOVE_CHARS


def extract_isolated(html: str, url: str | None, stage: str) -> Fields | None:
    """``main_text_fields`` in a child process, within the current document's time budget.

    Raises:
        TimeBudgetExceeded: the budget ran out (the child is killed and replaced).
        InputError: trafilatura failed on the page, or the child died.
    """
    request = pickle.dumps((html, url), protocol=pickle.HIGHEST_PROTOCOL)
    left = budget.remaining()
    deadline = time.monotonic() + (left if left is not None else 365 * 86400.0)
    worker = _take()
    try:
        reply = worker.exchange(request, deadline)
    except BaseException:
        worker.kill()
        raise
    if reply is None:  # out of time: this child may be stuck in C for minutes
        worker.kill()
        _prestart()
        raise budget.exceeded(stage)
    _give_back(worker)
    status, value = pickle.loads(reply)
    if status == "error":
        raise InputError(f"cannot parse HTML: {value}")
    return value


class _ChildDied(InputError):
    """The child exited or closed its pipes before answering."""


class _Worker:
    """One child process and its two pipes."""

    def __init__(self) -> None:
        # The child imports this package from where this process found it, whatever sys.path says there.
        root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ssbrace.documents.html_worker"],
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
                for key, _events in selector.select(left):
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
        return _ChildDied(f"cannot parse HTML: the parser process ended ({how})")

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
_lock = threading.Lock()


def _take() -> _Worker:
    with _lock:
        while _idle:
            worker = _idle.pop()
            if worker.process.poll() is None:
                return worker
            worker.kill()
    return _Worker()


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
            _idle.append(_Worker())


@atexit.register
def shutdown() -> None:
    """End every idle child (also called by tests to start from none)."""
    with _lock:
        workers, _idle[:] = list(_idle), []
    for worker in workers:
        worker.close()


def _serve() -> None:
    """The child's loop: one request in, one reply out, until the parent closes our input."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by a library goes to standard error, not into the replies
    requests = sys.stdin.buffer
    import trafilatura  # noqa: F401  (loaded before the first request, not during it)

    while True:
        header = requests.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        html, url = pickle.loads(requests.read(_HEADER.unpack(header)[0]))
        reply: tuple[str, Any]
        try:
            reply = ("ok", main_text_fields(html, url))
        except Exception as exc:  # trafilatura/lxml raise many kinds on malformed markup
            reply = ("error", type(exc).__name__)
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        replies.write(_HEADER.pack(len(data)) + data)
        replies.flush()


if __name__ == "__main__":
    _serve()
