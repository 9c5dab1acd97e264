"""Dask's LocalCluster runs a scan's tasks on every worker, not on one."""

from __future__ import annotations

from collections import Counter

import pytest

from censorsim.distributed._engine import run_tasks
from tests.distributed._faults import busy_pid


@pytest.mark.slow
def test_tasks_that_share_the_rules_spread_over_both_workers() -> None:
    """Every task depends on the shared rules; held by one worker only, the scheduler put
    every task on that worker for data locality (measured: 2 workers no faster than 1).
    The engine waits for both forked workers to register, then replicates the shared
    value to each, so both share the work (work stealing alone moved only a few tasks)."""
    results = list(run_tasks(busy_pid, list(range(8)), {"rules": "x" * 1000},
                             engine="dask", workers=2))
    assert sorted(i for i, _ in results) == list(range(8))
    per_worker = Counter(pid for _, pid in results)
    assert len(per_worker) == 2 and min(per_worker.values()) >= 3, per_worker


@pytest.mark.slow
def test_the_local_cluster_forks_quiet_workers() -> None:
    """The engine's LocalCluster: workers forked from the forkserver (Dask's default
    spawns a fresh interpreter per worker, seconds of start-up on two cores), without
    the 10 ms stack sampler (a thread that takes the GIL from every task) and with its
    housekeeping slowed (20 ms event-loop checks become 1 s)."""
    pytest.importorskip("distributed")
    from tests.distributed._faults import worker_settings

    results = list(run_tasks(worker_settings, [0, 1], None, engine="dask", workers=1))
    assert [r for _, r in results] == [(False, "1s", "forkserver")] * 2
