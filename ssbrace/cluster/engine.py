"""Opening a Dask client: a ``LocalCluster`` of worker processes on this machine, or an existing scheduler."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ssbrace.errors import UsageError

if TYPE_CHECKING:
    from distributed import Client

# How long to wait for an existing scheduler before saying it cannot be reached.
CONNECT_TIMEOUT_S = 20

# A local cluster's housekeeping, slowed: by default each process checks its event loop every 20 ms,
# samples its own stack every 10 ms (the dashboard's profile) and reads system metrics every 0.5 s. A local
# cluster has no dashboard, and on the 2-core machine of the benchmark that housekeeping cost about a tenth
# of a core, idle or not (driver 4%, each worker 3%; with these settings 1.7% and 0.7%): CPU the workers'
# documents need (docs/scale.md).
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.profile.enabled": False,
}


def _require_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ModuleNotFoundError:
        raise UsageError("distributed runs need Dask: pip install 'ssbrace[distributed]'") from None


def worker_env() -> dict[str, str]:
    """The environment of local worker processes: this copy of ssbrace first on their path, so that the
    workers run the same code as the driver (a checkout that is not installed, a second worktree)."""
    root = str(Path(__file__).resolve().parents[2])
    paths = [root, *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != root)]
    return {"PYTHONPATH": os.pathsep.join(paths)}


@contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Client]:
    """A Dask client for one run, closed (with its local cluster) at the end.

    Args:
        workers: start a ``LocalCluster`` of this many worker processes, one thread each (the work is
            CPU-bound Python: threads would share one interpreter lock).
        scheduler: the address of an existing scheduler (``tcp://host:8786``); its workers must have this
            version of ssbrace installed.

    Raises:
        UsageError: neither or both given, Dask missing, or the scheduler cannot be reached.
    """
    if (workers is None) == (scheduler is None):
        raise UsageError("give either a number of workers or a scheduler address, not both")
    _require_dask()
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            yield client
        finally:
            client.close()
        return
    assert workers is not None
    if workers < 1:
        raise UsageError("--workers must be at least 1")
    options: dict[str, Any] = {"n_workers": workers, "threads_per_worker": 1, "processes": True,
                               "dashboard_address": None, "host": "127.0.0.1", "env": worker_env()}
    with dask.config.set(LOCAL_CLUSTER_CONFIG), LocalCluster(**options) as cluster, Client(cluster) as client:
        yield client
