"""A Dask worker process killed mid-task: the scheduler reruns its partition on a new
worker and the output has every row once (the one test that needs worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from censorsim.distributed import ShippedRules, plan_partitions, read_scan, run_tasks, scan_corpus
from censorsim.text.rules import RuleSet


@pytest.mark.slow
def test_a_killed_dask_worker_loses_and_duplicates_nothing(
    tmp_path: Path, corpus: list[Path], rules: RuleSet
) -> None:
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    from censorsim.distributed._scan import _Job
    from tests.distributed import _faults

    shipped = ShippedRules.from_ruleset(rules)
    scan_corpus(corpus, shipped, tmp_path / "ref", partition_size=3)
    parts = plan_partitions(corpus, partition_size=3)[1]
    out = tmp_path / "out"
    out.mkdir()
    marker = tmp_path / "killed-once"
    with dask.config.set({"distributed.comm.timeouts.connect": "120s"}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                     dashboard_address=":0", silence_logs=50) as cluster:
        done = sorted(i for i, _ in run_tasks(
            _faults.die_once, [(p, str(marker)) for p in parts],
            _Job(shipped, str(out), None, "raise"), engine="dask",
            address=cluster.scheduler_address))
    assert marker.exists()  # the worker did die
    assert done == list(range(len(parts)))
    assert read_scan(out) == read_scan(tmp_path / "ref")
