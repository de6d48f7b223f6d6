"""Shared fixtures. Real parts only: a temporary store, servers on 127.0.0.1 (tests/fixtures/)."""

from __future__ import annotations

import pytest

from ssbrace.kb.store import Store

# Each fixture module holds one real part (HTTP server, SMTP server, browser...).
pytest_plugins: list[str] = ["tests.fixtures.http_server", "tests.fixtures.web_server", "tests.fixtures.mini_pack",
                             "tests.fixtures.smtp_server", "tests.fixtures.postgres"]


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def store(db_url) -> Store:
    s = Store(db_url)
    yield s
    s.dispose()
