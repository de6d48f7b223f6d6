"""The distributed tests' real parts: one Dask ``LocalCluster`` of 2 worker processes for the whole package
(each costs seconds on a small machine), and a folder of our own articles with duplicates in it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from distributed import Client, LocalCluster  # noqa: E402

from ssbrace.cluster.engine import worker_env  # noqa: E402
from tests.distributed.common import ARTICLES, PICKED  # noqa: E402


@pytest.fixture(scope="package")
def client() -> Iterator[Client]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1", env=worker_env()) as cluster, Client(cluster) as dask:
        yield dask


@pytest.fixture
def folder(tmp_path) -> Path:
    """The picked articles, an exact copy of one, a near copy of the first (last in the folder, so in another
    partition than its original), and an empty file that fails."""
    root = tmp_path / "input"
    root.mkdir()
    for name in PICKED:
        shutil.copy(ARTICLES / name, root / name)
    shutil.copy(ARTICLES / PICKED[1], root / "050_catl-copy.txt")
    original = (ARTICLES / PICKED[0]).read_text(encoding="utf-8")
    (root / "090_toyota-idemitsu-syndicated.txt").write_text(
        original + "\nThis article was first published by our partner desk.\n", encoding="utf-8")
    (root / "095_empty.txt").write_text("", encoding="utf-8")
    return root
