"""The one measurement loop: gate a contender on a task, then time its build and scans.

For every suite the same steps: a contender whose package is missing is ``skipped``;
otherwise it is built and run once on the task under ``tracemalloc`` (the gate run, which
is also the warm-up and the memory measurement) and its records are compared with the
reference (:mod:`censorsim.bench.gate`). A contender whose records differ is
``gate-failed`` and is not timed. On a *budgeted* task (text), the first items are
scanned first as a trial; a contender whose trial shows it would take longer than the
budget per scan is ``over-budget``, gated on the trial's first chunk only. The others
are ``ok`` and timed: build apart from scan (``repeats`` builds), then the scans, then
per-item latency on single-item calls.

Scans are timed in *pairs* with the suite's reference contender (a
:class:`PairedReference`, built once per task): contender and reference alternately
(A B, then B A, ...), so both see the same slow drifts of machine load, and the
regression gate (:mod:`censorsim.bench.compare`) works on the paired log-ratios. A
sample whose scan is shorter than ``min_sample_seconds`` repeats the scan, timing each,
until the sample lasts that long, and keeps the fastest: a scan another process
preempted (a scheduler slice is milliseconds, many quick scans are tenths of one) only
ever adds time, so the minimum of a sample's scans is the scan without interference.
Scans are timed on the process's CPU clock (``clock="cpu"``, the default) so that time
spent descheduled while other jobs run is not counted; ``clock="wall"`` times them with
``time.perf_counter``. Builds and latencies are wall-clock times.
Without a reference (or with ``pairs=0``) the scans are timed ``repeats`` times alone.

Example:
    >>> from censorsim.bench.contender import make_contender
    >>> task = Task("hash", "none", data=[], items=[], reference=set(),
    ...             rates=lambda sec: {}, latency=[])
    >>> make_contender("hash:md5").name, task.budgeted
    ('hash:md5', False)
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from censorsim.bench.config import BenchConfig
from censorsim.bench.contender import Contender, Runner
from censorsim.bench.environment import MemoryTracker
from censorsim.bench.gate import gate
from censorsim.bench.records import ContenderResult, Memory, Stat

__all__ = [
    "CLOCKS", "PairedReference", "SlowedRunner", "Task", "calibrate", "measure", "scans_for",
    "spread",
]

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


@dataclass(slots=True)
class PairedReference:
    """The reference contender, built once per task, that every scan is paired with.

    Attributes:
        name: the reference contender's name.
        runner: its built runner.
        items: what it scans (the task's items).
        scans_per_sample: how many scans make one timed sample (see :func:`scans_for`);
            the sample is the fastest of them.
        seconds: every sample taken so far, per scan (for the record).
    """

    name: str
    runner: Runner
    items: Any
    scans_per_sample: int = 1
    seconds: list[float] = field(default_factory=list)

    def time(self, clock: Callable[[], float] = time.process_time) -> float:
        """Seconds of the fastest scan of one sample."""
        return _timed(self.runner, self.items, self.scans_per_sample, clock)


class SlowedRunner(Runner):
    """A runner made ``factor`` times slower by extra CPU work after each scan (tests the gate).

    Only the harness's ``slowdown`` option wraps contenders in it: a contender slowed by
    1.5 must be reported as a regression by :mod:`censorsim.bench.compare`. The extra work
    is a plain Python loop of ``(factor - 1)`` times the scan's CPU time, at a rate
    calibrated once; it makes no system calls (a loop polling the CPU clock would, and
    each call disturbs the caches the next scan uses).
    """

    _rate: float = 0.0  # loop iterations per CPU second, measured on first use

    def __init__(self, inner: Runner, factor: float) -> None:
        self._inner = inner
        self._factor = factor
        if SlowedRunner._rate == 0.0:
            SlowedRunner._rate = _loop_rate()

    def scan(self, batch: Sequence[Any]) -> Any:
        t0 = time.process_time()
        out = self._inner.scan(batch)
        _spin(int((time.process_time() - t0) * (self._factor - 1.0) * self._rate))
        return out

    def records(self, batch: Sequence[Any], output: Any) -> set[Any]:
        return self._inner.records(batch, output)


def _spin(iterations: int) -> int:
    total = 0
    for i in range(iterations):
        total += i
    return total


def _loop_rate() -> float:
    """Iterations of :func:`_spin` per CPU second (not under tracemalloc: see measure)."""
    best = math.inf
    for _ in range(5):
        t0 = time.process_time()
        _spin(200_000)
        best = min(best, time.process_time() - t0)
    return 200_000 / max(best, 1e-9)


def scans_for(seconds: float, min_sample_seconds: float, limit: int = 1_000) -> int:
    """Scans per timed sample so that one sample lasts at least ``min_sample_seconds``.

    >>> scans_for(0.001, 0.005), scans_for(0.2, 0.005)
    (5, 1)
    """
    if seconds <= 0.0:
        return limit
    return max(1, min(limit, math.ceil(min_sample_seconds / seconds)))


CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}
"""The clocks scans can be timed on (``BenchConfig.clock``)."""


def calibrate(
    runner: Runner, items: Any, min_sample_seconds: float,
    clock: Callable[[], float] = time.perf_counter,
) -> int:
    """Scans per sample for ``runner``, from its fastest of up to five scans (one when a
    scan alone lasts a sample): the fastest-of-k statistic depends on k, so k must not
    follow one unlucky scan."""
    seconds = _timed(runner, items, 1, clock)
    if seconds < min_sample_seconds:
        seconds = min(seconds, _timed(runner, items, 4, clock))
    return scans_for(seconds, min_sample_seconds)


def _timed(
    runner: Runner, items: Any, scans: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    """The fastest of ``scans`` individually timed scans."""
    best = math.inf
    for _ in range(scans):
        t0 = clock()
        runner.scan(items)
        best = min(best, clock() - t0)
    return best


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


def measure(
    contender: Contender, task: Task, config: BenchConfig,
    reference: PairedReference | None = None,
) -> ContenderResult:
    """Gate ``contender`` on ``task``, then time it (see the module docstring).

    Args:
        contender: what to measure.
        task: the workload.
        config: repeats, pairs, budgets; ``config.slowdown`` may slow the contender.
        reference: the reference to pair every scan with (None: scans timed alone).
    """
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
    for r in range(config.repeats):
        if r == 0 or first_build < REBUILD_SECONDS:
            del runner
            gc.collect()
            t0 = time.perf_counter()
            runner = contender.build(task.data)
            builds.append(time.perf_counter() - t0)
    # Slowed only now, outside tracemalloc (which would slow its calibration loop 20x).
    runner = _slowed(runner, contender.name, config)
    gc.collect()
    if reference is not None and config.pairs > 0:
        scans, ref_scans = _paired(runner, items, reference, config)
    else:
        scans = [_timed(runner, items, 1, CLOCKS[config.clock])
                 for _ in range(config.repeats)]
        ref_scans = []
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
        reference=reference.name if ref_scans and reference else None,
        reference_samples=tuple(ref_scans),
    )


def _slowed(runner: Runner, name: str, config: BenchConfig) -> Runner:
    factor = dict(config.slowdown).get(name)
    return runner if factor is None or isinstance(runner, SlowedRunner) \
        else SlowedRunner(runner, factor)


def _paired(
    runner: Runner, items: Any, reference: PairedReference, config: BenchConfig,
) -> tuple[list[float], list[float]]:
    """Time contender and reference alternately: at least ``min_pairs`` pairs, then more
    up to ``pairs`` while the contender's pairs have taken less than ``pair_budget_seconds``.
    """
    clock = CLOCKS[config.clock]
    _timed(runner, items, 1)  # warm-up of the rebuilt runner
    scans = calibrate(runner, items, config.min_sample_seconds, clock)
    mine: list[float] = []
    theirs: list[float] = []
    t_start = time.perf_counter()
    for i in range(config.pairs):
        if i >= config.min_pairs and time.perf_counter() - t_start > config.pair_budget_seconds:
            break
        if i % 2 == 0:
            theirs.append(reference.time(clock))
            mine.append(_timed(runner, items, scans, clock))
        else:
            mine.append(_timed(runner, items, scans, clock))
            theirs.append(reference.time(clock))
    reference.seconds.extend(theirs)
    return mine, theirs
