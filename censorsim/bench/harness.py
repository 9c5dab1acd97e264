"""The benchmark harness: turn each suite's workloads into tasks and measure every contender.

Text workloads are generated (:class:`~censorsim.bench.config.TextSpec`) or given; the
index suite draws random 64-bit hashes per size, and clustered pHash-like ones
(:mod:`censorsim.bench._clustered`); the hash suite hashes image files. Each
becomes a :class:`~censorsim.bench.measure.Task` with its reference records, and every
selected contender of the suite goes through the one loop,
:func:`~censorsim.bench.measure.measure`, its scans paired with the suite's reference
contender (:data:`~censorsim.bench.tables.REFERENCES`), built once per task.
The run is recorded as a :class:`~censorsim.bench.records.BenchRun` with the machine's
:func:`environment`.

Example:
    >>> run = run_benchmarks(BenchConfig.quick(suites=("index",), index_sizes=(500,),
    ...                                        index_clustered=(500,)))
    >>> {r.status for r in run.results} <= {"ok", "skipped"}
    True
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from censorsim.bench._clustered import clustered_hashes, clustered_queries
from censorsim.bench.config import SAMPLES, BenchConfig, TextSpec, sample_images
from censorsim.bench.contender import Contender, contenders, make_contender
from censorsim.bench.contenders import TextContender, reference_occurrences
from censorsim.bench.environment import environment
from censorsim.bench.image_contenders import (
    HashContender,
    IndexData,
    make_queries,
    reference_hashes,
    reference_triples,
)
from censorsim.bench.measure import CLOCKS, PairedReference, Task, calibrate, measure, spread
from censorsim.bench.records import SCHEMA_VERSION, BenchRun, ContenderResult, Memory, Stat
from censorsim.bench.tables import REFERENCES
from censorsim.bench.workloads import Workload
from censorsim.image import ALGORITHMS

__all__ = [
    "SAMPLES",
    "SCHEMA_VERSION",
    "BenchConfig",
    "BenchRun",
    "ContenderResult",
    "Memory",
    "Stat",
    "TextSpec",
    "environment",
    "run_benchmarks",
]

Progress = Callable[[str], None]
_Suite = tuple[list[dict[str, Any]], list[ContenderResult]]


def _per_second(unit: str, count: int) -> Callable[[float], dict[str, float]]:
    return lambda seconds: {unit: count / seconds}


def _paired_reference(config: BenchConfig, task: Task) -> PairedReference | None:
    """The suite's reference contender built on ``task`` (None when pairing is off or
    the reference cannot run here)."""
    name = REFERENCES.get(task.suite)
    if config.pairs == 0 or name is None:
        return None
    contender = make_contender(name)
    if contender.missing() is not None:
        return None
    contender.prepare()
    runner = contender.build(task.data)
    runner.scan(task.items)  # warm-up
    scans = calibrate(runner, task.items, config.min_sample_seconds, CLOCKS[config.clock])
    return PairedReference(name, runner, task.items, scans)


def _selected(config: BenchConfig, suite: str) -> list[Contender]:
    return [c for c in contenders(suite) if config.wants(c.name)]


def _run_text(config: BenchConfig, progress: Progress, extra: Sequence[TextContender]) -> _Suite:
    chosen = _selected(config, "text") + list(extra)
    described: list[dict[str, Any]] = []
    results: list[ContenderResult] = []
    workloads: list[Workload | TextSpec] = [*config.text, *config.extra_workloads]
    for item in workloads:
        workload = item.make(config.seed) if isinstance(item, TextSpec) else item
        info: dict[str, Any] = {"suite": "text", **workload.describe()}
        if isinstance(item, TextSpec):
            info["language"] = item.language
            info["kind"] = "document" if item.max_length > 1_000 else "chat"
        else:
            info["language"] = None
            info["kind"] = "user"
        described.append(info)
        progress(f"text {workload.name}: reference occurrences")
        messages = list(workload.messages)
        n = len(messages)

        def rates(sec: float, w: Workload = workload, n: int = n) -> dict[str, float]:
            return {"messages": n / sec, "mb": w.utf8_bytes / 1e6 / sec,
                    "code_points": w.code_points / sec}

        task = Task(
            "text", workload.name, workload, messages,
            reference_occurrences(workload.keywords, workload.messages), rates,
            spread(n, config.latency_items), budgeted=True,
        )
        reference = _paired_reference(config, task)
        for c in chosen:
            progress(f"text {workload.name}: {c.name}")
            results.append(measure(c, task, config, reference))
    return described, results


def _run_index(config: BenchConfig, progress: Progress) -> _Suite:
    chosen = _selected(config, "index")
    if any(c.name.startswith("faiss") or c.name == "index:faiss" for c in chosen):
        try:
            import faiss

            faiss.omp_set_num_threads(1)
        except ImportError:
            pass
    rng = np.random.default_rng(config.seed)
    described: list[dict[str, Any]] = []
    results: list[ContenderResult] = []
    shapes = [("uniform", n) for n in config.index_sizes]
    shapes += [("clustered", n) for n in config.index_clustered]
    for shape, n in shapes:
        if shape == "uniform":
            entries = rng.integers(0, 2**64, size=n, dtype=np.uint64)
            queries = make_queries(entries, config.index_queries, rng)
            name = f"index-{n}-r{config.radius}"
        else:
            entries = clustered_hashes(n, seed=config.seed)
            queries = clustered_queries(entries, config.index_queries, seed=config.seed + 1)
            name = f"index-clustered-{n}-r{config.radius}"
        progress(f"index {name}: reference")
        reference = reference_triples(entries, queries, config.radius)
        described.append({"suite": "index", "name": name, "entries": n, "shape": shape,
                          "queries": len(queries), "radius": config.radius,
                          "results": len(reference), "threads": 1})
        task = Task(
            "index", name, IndexData(entries, config.radius), queries, set(reference),
            _per_second("queries", len(queries)),
            spread(len(queries), min(config.latency_items, 200)),
            differs="results differ from the linear scan",
        )
        paired = _paired_reference(config, task)
        for c in chosen:
            progress(f"index {name}: {c.name}")
            results.append(measure(c, task, config, paired))
    return described, results


def _run_hash(config: BenchConfig, progress: Progress) -> _Suite:
    paths = [Path(p) for p in config.images] or sample_images(None)
    algorithms = set(config.hash_algorithms or ALGORITHMS)
    chosen = [
        c for c in _selected(config, "hash")
        if isinstance(c, HashContender) and c.algorithm in algorithms
    ]
    name = f"images-{len(paths)}"
    described = [{"suite": "hash", "name": name, "images": len(paths),
                  "files": [p.name for p in paths],
                  "bytes": sum(p.stat().st_size for p in paths)}]
    results: list[ContenderResult] = []
    refs: dict[str, set[tuple[int, str]]] = {}
    pairing = Task("hash", name, paths, paths, set(), _per_second("images", len(paths)), ())
    reference = _paired_reference(config, pairing) if chosen else None
    for c in chosen:
        progress(f"hash {name}: {c.name}")
        if c.algorithm not in refs:
            refs[c.algorithm] = reference_hashes(c.algorithm, paths)
        task = Task(
            "hash", name, paths, paths, set(refs[c.algorithm]),
            _per_second("images", len(paths)), range(len(paths)),
            differs="hashes differ from imagehash",
        )
        results.append(measure(c, task, config, reference))
    return described, results


def run_benchmarks(
    config: BenchConfig,
    *,
    progress: Progress | None = None,
    command: str = "",
    text_extra: Sequence[TextContender] = (),
) -> BenchRun:
    """Run every selected suite and return the run.

    Args:
        config: what to run.
        progress: called with a short line before each step (the CLI prints it).
        command: the command line, recorded in the run.
        text_extra: more text contenders (a test double, a user's own matcher).
    """
    say = progress or (lambda _line: None)
    random.seed(config.seed)
    env = environment()
    workloads: list[dict[str, Any]] = []
    results: list[ContenderResult] = []
    if "text" in config.suites:
        w, r = _run_text(config, say, text_extra)
        workloads += w
        results += r
    if "index" in config.suites:
        w, r = _run_index(config, say)
        workloads += w
        results += r
    if "hash" in config.suites:
        w, r = _run_hash(config, say)
        workloads += w
        results += r
    try:
        env["load_average_end"] = list(os.getloadavg())
    except OSError:
        env["load_average_end"] = None
    return BenchRun(
        profile=config.profile,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        command=command,
        environment=env,
        config=config.to_json(),
        workloads=tuple(workloads),
        results=tuple(results),
    )
