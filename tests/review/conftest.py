"""Stores for the review tests: the pack's example articles ingested by the real pipeline, once, then copied."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ssbrace.api import ingest, open_store
from ssbrace.kb.store import Store
from ssbrace.settings import Settings


def examples_folder() -> Path:
    import ssbrace

    return Path(ssbrace.__file__).parent / "domains" / "solid_state_batteries" / "examples"


@pytest.fixture(scope="session")
def examples_db(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A SQLite store holding the eight example articles, their claims, entities and stories."""
    path = tmp_path_factory.mktemp("reviews") / "examples.db"
    store = open_store(path)
    result = ingest(store, examples_folder(), settings=Settings(db=f"sqlite:///{path}"))
    assert result.counts()["new"] == 8
    store.dispose()
    return path


@pytest.fixture
def db_path(examples_db: Path, tmp_path: Path) -> Path:
    """A copy of the examples store of this test's own."""
    path = tmp_path / "kb.db"
    shutil.copy(examples_db, path)
    return path


@pytest.fixture
def review_store(db_path: Path) -> Iterator[Store]:
    store = open_store(db_path)
    yield store
    store.dispose()


@pytest.fixture
def cli(db_path: Path) -> Callable[..., object]:
    """``cli("claims", "list")`` -> click's result, run in this process over the test's store."""
    from ssbrace.cli.main import _register, app

    _register()
    runner = CliRunner()

    def run(*args: str, db: Path | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["--db", f"sqlite:///{db or db_path}", *args],
                             env={"SSBRACE_CONFIG": "/nonexistent", "LOGNAME": "tester", "USER": "tester"})

    return run
