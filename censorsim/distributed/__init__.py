"""Scans and sweeps beyond one core: partitions of a corpus, rule sets shipped once,
engines from one process to a Dask cluster.

Parallel image hashing (:func:`hash_files`, :func:`iter_hash_files`, :class:`HashPool`)
lives in ``censorsim.image._parallel`` and is re-exported here.

Modules: ``_corpus`` (inputs, partitions, reading one), ``_rules`` (rule sets shipped to
workers and built once per process), ``_engine`` (serial, local processes, Dask),
``_scan`` (a corpus scanned into Parquet, resumable), ``_sweep`` (grids of simulations
and their intervals across seeds).

Dask is optional (extra ``dask``): the ``serial`` and ``processes`` engines need only
pyarrow (extra ``parquet``) for the output.
"""

from __future__ import annotations

from censorsim.distributed._corpus import (
    CORPUS_FORMATS,
    BadLine,
    Partition,
    PartitionData,
    Source,
    expand_inputs,
    plan_partitions,
    read_partition,
)
from censorsim.distributed._engine import DASK_SCHEDULERS, ENGINES, cpu_count, run_tasks
from censorsim.distributed._rules import ShippedRules, builds
from censorsim.distributed._scan import (
    SCAN_COLUMNS,
    PlatformCheck,
    ScanSummary,
    read_scan,
    scan_corpus,
    scan_partition,
)
from censorsim.distributed._sweep import (
    SWEEP_METRICS,
    Aggregate,
    Cell,
    SweepConfig,
    SweepResult,
    load_sweep,
    run_sweep,
    t_interval,
)
from censorsim.image._parallel import HashPool, hash_files, iter_hash_files

__all__ = [
    "CORPUS_FORMATS",
    "DASK_SCHEDULERS",
    "ENGINES",
    "SCAN_COLUMNS",
    "SWEEP_METRICS",
    "Aggregate",
    "BadLine",
    "Cell",
    "HashPool",
    "Partition",
    "PartitionData",
    "PlatformCheck",
    "ScanSummary",
    "ShippedRules",
    "Source",
    "SweepConfig",
    "SweepResult",
    "builds",
    "cpu_count",
    "expand_inputs",
    "hash_files",
    "iter_hash_files",
    "load_sweep",
    "plan_partitions",
    "read_partition",
    "read_scan",
    "run_sweep",
    "run_tasks",
    "scan_corpus",
    "scan_partition",
    "t_interval",
]
