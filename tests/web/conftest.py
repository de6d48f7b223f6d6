"""Clients for the web tests: httpx against real uvicorn servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import httpx
import pytest

from ssbrace.settings import Settings
from ssbrace.web.app import create_app
from tests.fixtures.web_server import ServerThread


@pytest.fixture
def client(web_server) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    """A client of the shared server over the filled store (write token ``WRITE_TOKEN``)."""
    with httpx.Client(base_url=web_server, timeout=60) as c:
        yield c


@pytest.fixture
def serve() -> Iterator[Callable[..., httpx.Client]]:
    """Start an app with other settings on its own port: ``serve(db=..., api_token=...)`` -> client."""
    with ExitStack() as stack:
        def start(**settings: object) -> httpx.Client:
            app = create_app(Settings(**settings))  # type: ignore[arg-type]
            stack.callback(app.state.ssbrace.close)
            server = stack.enter_context(ServerThread(app))
            return stack.enter_context(httpx.Client(base_url=server.url, timeout=60))

        yield start
