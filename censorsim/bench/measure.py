"""The one measurement loop: gate a contender on a task, then time its build and scans.

For every suite the same steps: a contender whose package is missing is ``skipped``;
otherwise it is built and run once on the task under ``tracemalloc`` (the gate run, which
is also the warm-up and the memory measurement) and its records are compared with the
reference (:mod:`censorsim.bench.gate`). A contender whose records differ is
``gate-failed`` and is not timed. On a *budgeted* task (text), the first items are
scanned first as a trial; a contender whose trial shows it would take longer than the
budget per scan is ``over-budget``, gated on the trial's first chunk only. The others
are ``ok`` and timed: build apart from scan, ``repeats`` times, medians with min and max,
then per-item latency on single-item calls.

Example:
    >>> from censorsim.bench.contender import make_contender
    >>> task = Task("hash", "none", data=[], items=[], reference=set(),
    ...             rates=lambda sec: {}, latency=[])
    >>> make_contender("hash:md5").name, task.budgeted
    ('hash:md5', False)
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from censorsim.bench.config import BenchConfig
from censorsim.bench.contender import Contender, Runner
from censorsim.bench.environment import MemoryTracker
from censorsim.bench.gate import gate
from censorsim.bench.records import ContenderResult, Memory, Stat

__all__ = ["Task", "measure", "spread"]

REBUILD_SECONDS = 2.0
"""A build slower than this is timed once; faster ones are timed on every repeat."""


@dataclass(frozen=True, slots=True)
class Task:
    """One workload of one suite, ready for :func:`measure`.

    Attributes:
        suite: ``text``, ``index`` or ``hash``.
        name: the workload's name.
        data: what :meth:`Contender.build` is given.
        items: what a runner scans (a list of messages, a query array, image paths).
        reference: the reference's gate records on every item (item index first).
        rates: throughput per second from the median scan seconds.
        latency: the item indices timed one at a time.
        budgeted: scan a trial first and stop at the budget (text).
        differs: the reason recorded when the gate fails.
    """

    suite: str
    name: str
    data: Any
    items: Any
    reference: set[Any]
    rates: Callable[[float], dict[str, float]]
    latency: Sequence[int]
    budgeted: bool = False
    differs: str = "output differs from the reference"


def spread(n: int, k: int) -> list[int]:
    """``k`` indices spread evenly over ``range(n)`` (all of them when ``n <= k``)."""
    if n <= k:
        return list(range(n))
    step = n / k
    return [int(i * step) for i in range(k)]


def _percentiles(samples_ns: Sequence[int]) -> dict[str, float]:
    if not samples_ns:
        return {}
    arr = np.asarray(samples_ns, dtype=np.float64) / 1000.0
    return {"p50": float(np.percentile(arr, 50)), "p99": float(np.percentile(arr, 99))}


def _trial_chunk(items: Sequence[Any], limit: int) -> int:
    """Items per trial step: up to 10, fewer when they are long (about 2,000 code points)."""
    size = 0
    for i, m in enumerate(items[: min(limit, 10)]):
        size += len(m)
        if size >= 2_000:
            return i + 1
    return max(1, min(limit, 10, len(items)))


def _trial(
    contender: Contender, runner: Runner, task: Task, config: BenchConfig,
    tracker: MemoryTracker,
) -> ContenderResult | None:
    """Scan the first items; a result when the contender would exceed the budget."""
    items = task.items
    n = len(items)
    k = max(1, min(n, config.trial_messages))
    chunk = _trial_chunk(items, k)
    done = 0
    head_out: Any = None
    t0 = time.perf_counter()
    while done < k:
        out = runner.scan(items[done : done + chunk])
        if head_out is None:
            head_out = out
        done += chunk
        if time.perf_counter() - t0 > config.budget_seconds / 10:
            break
    estimate = (time.perf_counter() - t0) * n / done
    if estimate <= config.budget_seconds or done >= n:
        return None
    memory = tracker.stop()
    head = items[:chunk]
    ref = {o for o in task.reference if o[0] < chunk}
    want = contender.expected(task.data, ref, head)
    got = contender.comparable(want, runner.records(head, head_out))
    verdict = gate(want, got, scope="trial", semantics=contender.semantics)
    reason = (
        f"estimated {estimate:.3g} s per scan > budget {config.budget_seconds:g} s; "
        f"gated on the first {chunk} messages"
    )
    status = "over-budget" if verdict.passed else "gate-failed"
    return _base(contender, task, status, reason, gate=verdict, memory=memory)


def _base(contender: Contender, task: Task, status: str, reason: str | None = None,
          **fields: Any) -> ContenderResult:
    return ContenderResult(
        task.suite, task.name, contender.name, status, reason, family=contender.family,
        semantics=contender.semantics, note=contender.note, advisory=contender.advisory,
        **fields,
    )


def measure(contender: Contender, task: Task, config: BenchConfig) -> ContenderResult:
    """Gate ``contender`` on ``task``, then time it (see the module docstring)."""
    why = contender.missing()
    if why is not None:
        return _base(contender, task, "skipped", why)
    items = task.items
    tracker = MemoryTracker()
    try:
        contender.prepare()
        tracker.start()
        t0 = time.perf_counter()
        runner = contender.build(task.data)
        first_build = time.perf_counter() - t0
        tracker.built()
        if task.budgeted:
            stopped = _trial(contender, runner, task, config, tracker)
            if stopped is not None:
                return stopped
        output = runner.scan(items)
        memory: Memory = tracker.stop()
        want = contender.expected(task.data, task.reference, items)
        got = contender.comparable(want, runner.records(items, output))
        verdict = gate(want, got, semantics=contender.semantics)
        del output
    except Exception as exc:  # a contender's crash is a result, not a harness failure
        tracker.abort()
        return _base(contender, task, "error", f"{type(exc).__name__}: {exc}")
    if not verdict.passed:
        return _base(contender, task, "gate-failed", task.differs, gate=verdict, memory=memory)
    builds: list[float] = []
    scans: list[float] = []
    for r in range(config.repeats):
        if r == 0 or first_build < REBUILD_SECONDS:
            del runner
            gc.collect()
            t0 = time.perf_counter()
            runner = contender.build(task.data)
            builds.append(time.perf_counter() - t0)
        gc.collect()
        t0 = time.perf_counter()
        runner.scan(items)
        scans.append(time.perf_counter() - t0)
    latencies: list[int] = []
    for i in task.latency:
        one = items[i : i + 1]
        t0n = time.perf_counter_ns()
        runner.scan(one)
        latencies.append(time.perf_counter_ns() - t0n)
    scan = Stat.of(scans)
    return _base(
        contender, task, "ok", gate=verdict, build=Stat.of(builds), scan=scan, memory=memory,
        throughput=task.rates(scan.median or 1e-12), latency_us=_percentiles(latencies),
    )
