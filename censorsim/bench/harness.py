"""The benchmark harness: gate every contender, then time it, and record everything.

For each workload and each contender: a contender whose package is missing is
``skipped``; otherwise it is built and run once on the workload under ``tracemalloc``
(the gate run, which is also the warm-up and the memory measurement) and its output is
compared with the reference (:mod:`censorsim.bench.gate`). A contender whose output
differs is ``gate-failed`` and is not timed; one whose first messages show it would take
longer than the budget per scan is ``over-budget`` (gated on those messages only). The
others are ``ok`` and timed: build apart from scan, ``repeats`` times, medians with min
and max, then per-item latency on single-item calls.

Example:
    >>> run = run_benchmarks(BenchConfig.quick(suites=("index",), index_sizes=(500,)))
    >>> {r.status for r in run.results} <= {"ok", "skipped"}
    True
"""

from __future__ import annotations

import gc
import os
import platform
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np

from censorsim.bench.contenders import TextContender, reference_occurrences, text_contenders
from censorsim.bench.gate import GateResult, Occurrence, gate
from censorsim.bench.workloads import Workload, make_workload, with_combination_rules
from censorsim.image import ALGORITHMS
from censorsim.image.bench import (
    HashContender,
    IndexContender,
    hash_contenders,
    index_contenders,
    make_queries,
    reference_hashes,
    reference_triples,
)

__all__ = [
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

SCHEMA_VERSION: Final = 1
"""Version of the JSON layout (``docs/benchmarks.md``); bumped on incompatible changes."""

Status = Literal["ok", "skipped", "gate-failed", "over-budget", "error"]
Suite = Literal["text", "index", "hash"]
Progress = Callable[[str], None]

SAMPLES: Final = Path(__file__).resolve().parents[2] / "samples" / "images"


# --------------------------------------------------------------------------------------
# Result records.


@dataclass(frozen=True, slots=True)
class Stat:
    """Seconds over repeats: median, min, max and every sample."""

    median: float
    min: float
    max: float
    samples: tuple[float, ...]

    @classmethod
    def of(cls, samples: Sequence[float]) -> Stat:
        """The statistics of ``samples`` (at least one)."""
        return cls(statistics.median(samples), min(samples), max(samples), tuple(samples))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"median": self.median, "min": self.min, "max": self.max,
                "samples": list(self.samples)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Stat:
        """The inverse of :meth:`to_json`."""
        return cls(float(data["median"]), float(data["min"]), float(data["max"]),
                   tuple(float(x) for x in data["samples"]))


@dataclass(frozen=True, slots=True)
class Memory:
    """Memory of the gate run.

    Attributes:
        py_retained_bytes: Python allocations still held after the build (tracemalloc).
        py_peak_bytes: peak Python allocations during build and scan (tracemalloc).
        rss_retained_bytes: growth of the resident set over the build (``/proc``).
        rss_peak_bytes: peak resident set during build and scan above the level before
            it, or None where the kernel's peak cannot be reset.
    """

    py_retained_bytes: int
    py_peak_bytes: int
    rss_retained_bytes: int | None
    rss_peak_bytes: int | None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "py_retained_bytes": self.py_retained_bytes,
            "py_peak_bytes": self.py_peak_bytes,
            "rss_retained_bytes": self.rss_retained_bytes,
            "rss_peak_bytes": self.rss_peak_bytes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Memory:
        """The inverse of :meth:`to_json`."""
        return cls(
            int(data["py_retained_bytes"]),
            int(data["py_peak_bytes"]),
            None if data["rss_retained_bytes"] is None else int(data["rss_retained_bytes"]),
            None if data["rss_peak_bytes"] is None else int(data["rss_peak_bytes"]),
        )


@dataclass(frozen=True, slots=True)
class ContenderResult:
    """One contender on one workload.

    Attributes:
        suite: ``text``, ``index`` or ``hash``.
        workload: the workload's name.
        contender: the contender's name.
        status: ``ok``, ``skipped``, ``gate-failed``, ``over-budget`` or ``error``.
        reason: why it was not ``ok``.
        family: ``censorsim``, ``pipeline``, ``peer`` (text), ``index``, ``hash``.
        semantics: what its output means (the gate compared under it).
        note: how the contender is run.
        advisory: a gate failure is reported but does not fail the run.
        gate: the gate's verdict; None when skipped.
        build: build seconds; None unless ``ok``.
        scan: seconds per scan of the whole workload (messages, queries, images).
        memory: memory of the gate run.
        throughput: per second: ``messages``, ``mb``, ``code_points`` (text),
            ``queries`` (index), ``images`` (hash); from the median scan.
        latency_us: per-item latency percentiles ``p50``, ``p99`` in microseconds.
    """

    suite: str
    workload: str
    contender: str
    status: str
    reason: str | None = None
    family: str = ""
    semantics: str = ""
    note: str = ""
    advisory: bool = False
    gate: GateResult | None = None
    build: Stat | None = None
    scan: Stat | None = None
    memory: Memory | None = None
    throughput: dict[str, float] = field(default_factory=dict)
    latency_us: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "suite": self.suite,
            "workload": self.workload,
            "contender": self.contender,
            "status": self.status,
            "reason": self.reason,
            "family": self.family,
            "semantics": self.semantics,
            "note": self.note,
            "advisory": self.advisory,
            "gate": self.gate.to_json() if self.gate else None,
            "build": self.build.to_json() if self.build else None,
            "scan": self.scan.to_json() if self.scan else None,
            "memory": self.memory.to_json() if self.memory else None,
            "throughput": dict(self.throughput),
            "latency_us": dict(self.latency_us),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContenderResult:
        """The inverse of :meth:`to_json`."""
        return cls(
            suite=data["suite"],
            workload=data["workload"],
            contender=data["contender"],
            status=data["status"],
            reason=data["reason"],
            family=data["family"],
            semantics=data["semantics"],
            note=data["note"],
            advisory=bool(data["advisory"]),
            gate=GateResult.from_json(data["gate"]) if data["gate"] else None,
            build=Stat.from_json(data["build"]) if data["build"] else None,
            scan=Stat.from_json(data["scan"]) if data["scan"] else None,
            memory=Memory.from_json(data["memory"]) if data["memory"] else None,
            throughput={k: float(v) for k, v in data["throughput"].items()},
            latency_us={k: float(v) for k, v in data["latency_us"].items()},
        )


@dataclass(frozen=True, slots=True)
class BenchRun:
    """A whole run: what ran where, on what, with which results."""

    profile: str
    created: str
    command: str
    environment: dict[str, Any]
    config: dict[str, Any]
    workloads: tuple[dict[str, Any], ...]
    results: tuple[ContenderResult, ...]
    schema_version: int = SCHEMA_VERSION

    @property
    def gate_failures(self) -> list[ContenderResult]:
        """Results whose gate failed or that raised, advisory gates excepted."""
        return [
            r for r in self.results
            if r.status in ("gate-failed", "error") and not r.advisory
        ]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the documented schema)."""
        return {
            "schema_version": self.schema_version,
            "profile": self.profile,
            "created": self.created,
            "command": self.command,
            "environment": self.environment,
            "config": self.config,
            "workloads": [dict(w) for w in self.workloads],
            "results": [r.to_json() for r in self.results],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BenchRun:
        """The inverse of :meth:`to_json`.

        Raises:
            ValueError: for a schema version this code does not read.
        """
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(
                f"benchmark results have schema_version {version!r}; "
                f"this censorsim reads version {SCHEMA_VERSION}"
            )
        return cls(
            profile=data["profile"],
            created=data["created"],
            command=data["command"],
            environment=dict(data["environment"]),
            config=dict(data["config"]),
            workloads=tuple(dict(w) for w in data["workloads"]),
            results=tuple(ContenderResult.from_json(r) for r in data["results"]),
            schema_version=int(version),
        )


# --------------------------------------------------------------------------------------
# Configuration.


@dataclass(frozen=True, slots=True)
class TextSpec:
    """A generated text workload.

    Attributes:
        language: ``zh`` or ``en``.
        keywords: number of keywords (the pool, for combination rules).
        messages: number of messages.
        min_length, max_length: message lengths in code points.
        rules: number of combination rules (WeChat 709 proportions); 0 for one
            single-keyword rule per keyword.
        planted_share: share of messages with a keyword inserted.
    """

    language: Literal["zh", "en"]
    keywords: int
    messages: int
    min_length: int = 10
    max_length: int = 140
    rules: int = 0
    planted_share: float = 0.05

    def make(self, seed: int) -> Workload:
        """Generate the workload."""
        w = make_workload(
            self.language, self.keywords, self.messages, min_length=self.min_length,
            max_length=self.max_length, planted_share=self.planted_share, seed=seed,
        )
        return with_combination_rules(w, self.rules, seed=seed) if self.rules else w


@dataclass(frozen=True, slots=True)
class BenchConfig:
    """What to run and how.

    Attributes:
        profile: a label (``quick``, ``full`` or ``custom``).
        suites: which of ``text``, ``index``, ``hash`` to run.
        text: generated text workloads.
        extra_workloads: ready-made text workloads (a user's keyword file and corpus).
        contenders: names to run (all when empty); exact names or prefixes ending in
            ``:`` (``censorsim:``).
        repeats: timed repeats (medians over them).
        budget_seconds: a text contender estimated to need longer per scan is not timed.
        probe_messages: messages scanned first to estimate that.
        latency_items: single-item calls for the latency percentiles.
        index_sizes: blacklist sizes (random 64-bit hashes).
        index_queries: queries per size.
        radius: the Hamming radius of the range queries.
        images: image files for the hashers (default: the shipped samples).
        hash_algorithms: which hashers (all when empty).
        seed: the seed of every workload.
    """

    profile: str = "custom"
    suites: tuple[str, ...] = ("text", "index", "hash")
    text: tuple[TextSpec, ...] = ()
    extra_workloads: tuple[Workload, ...] = ()
    contenders: tuple[str, ...] = ()
    repeats: int = 3
    budget_seconds: float = 20.0
    probe_messages: int = 200
    latency_items: int = 500
    index_sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    index_queries: int = 2_000
    radius: int = 10
    images: tuple[Path, ...] = ()
    hash_algorithms: tuple[str, ...] = ()
    seed: int = 0

    @classmethod
    def quick(cls, **overrides: Any) -> BenchConfig:
        """The CI profile: small workloads, one repeat; checks the gate, not speed."""
        base = cls(
            profile="quick",
            text=(
                TextSpec("zh", 1_000, 300),
                TextSpec("en", 1_000, 300),
                TextSpec("zh", 1_000, 4, min_length=2_000, max_length=5_000),
                TextSpec("zh", 1_000, 300, rules=300),
            ),
            repeats=1,
            budget_seconds=5.0,
            probe_messages=50,
            latency_items=50,
            index_sizes=(5_000,),
            index_queries=200,
            images=tuple(_sample_images(4)),
            hash_algorithms=tuple(a for a in ALGORITHMS if a != "crop_resistant"),
        )
        return replace(base, **overrides)

    @classmethod
    def full(cls, **overrides: Any) -> BenchConfig:
        """The full profile behind ``benchmarks/README.md``."""
        text: list[TextSpec] = []
        for lang in ("zh", "en"):
            text += [TextSpec(lang, n, 10_000) for n in (1_000, 10_000, 100_000)]
            text.append(TextSpec(lang, 10_000, 50, min_length=5_000, max_length=20_000))
            text.append(TextSpec(lang, 10_000, 10_000, rules=10_000))
        base = cls(profile="full", text=tuple(text), images=tuple(_sample_images(None)),
                   latency_items=300)
        return replace(base, **overrides)

    def to_json(self) -> dict[str, Any]:
        """The configuration as recorded in a run."""
        return {
            "profile": self.profile,
            "suites": list(self.suites),
            "text": [
                {"language": s.language, "keywords": s.keywords, "messages": s.messages,
                 "min_length": s.min_length, "max_length": s.max_length, "rules": s.rules,
                 "planted_share": s.planted_share}
                for s in self.text
            ],
            "extra_workloads": [w.name for w in self.extra_workloads],
            "contenders": list(self.contenders),
            "repeats": self.repeats,
            "budget_seconds": self.budget_seconds,
            "probe_messages": self.probe_messages,
            "latency_items": self.latency_items,
            "index_sizes": list(self.index_sizes),
            "index_queries": self.index_queries,
            "radius": self.radius,
            "images": [Path(p).name for p in self.images],
            "hash_algorithms": list(self.hash_algorithms),
            "seed": self.seed,
        }

    def wants(self, name: str) -> bool:
        """Whether the contender ``name`` is selected."""
        if not self.contenders:
            return True
        return any(name == c or (c.endswith(":") and name.startswith(c)) for c in self.contenders)


def _sample_images(limit: int | None) -> list[Path]:
    files = sorted(p for p in SAMPLES.glob("*") if p.suffix.lower() in (".jpg", ".png", ".gif"))
    if limit is None:
        return files
    jpegs = [p for p in files if p.suffix.lower() == ".jpg"][: max(0, limit - 2)]
    others = [p for p in files if p.suffix.lower() != ".jpg"][:2]
    return jpegs + others


# --------------------------------------------------------------------------------------
# Environment and memory probes.


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _numpy_simd() -> dict[str, Any]:
    import importlib

    try:
        mu = importlib.import_module("numpy._core._multiarray_umath")
    except ImportError:  # pragma: no cover - numpy < 2
        return {}
    features: dict[str, bool] = getattr(mu, "__cpu_features__", {})
    dispatch = [f for f in getattr(mu, "__cpu_dispatch__", []) if features.get(f)]
    return {
        "baseline": list(getattr(mu, "__cpu_baseline__", [])),
        "dispatch_enabled": dispatch,
        "level": dispatch[-1] if dispatch else None,
    }


_PACKAGES: Final = (
    "censorsim", "numpy", "pyahocorasick", "ahocorasick-rs", "hyperscan", "flashtext",
    "regex", "faiss-cpu", "jieba", "imagehash", "pillow", "matplotlib",
)


def _git_state() -> dict[str, Any] | None:
    """The checkout's commit and whether ``censorsim/`` had uncommitted changes."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "censorsim"],
                               capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head, "censorsim_modified": bool(dirty.strip())}


def environment() -> dict[str, Any]:
    """CPU, cores, load, Python and package versions, numpy's SIMD level, git commit."""
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str | None] = {}
    for pkg in _PACKAGES:
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    try:
        affinity = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        affinity = os.cpu_count() or 1
    try:
        load: list[float] | None = list(os.getloadavg())
    except OSError:
        load = None
    return {
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "load_average": load,
        "machine": platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "packages": versions,
        "numpy_simd": _numpy_simd(),
        "git": _git_state(),
    }


def _status_kib(field_name: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


class _MemoryProbe:
    """tracemalloc and /proc around a build and a scan."""

    def __init__(self) -> None:
        self._rss0: int | None = None
        self._rss_built: int | None = None
        self._retained = 0
        self._peak_ok = False

    def start(self) -> None:
        gc.collect()
        self._peak_ok = _reset_peak_rss()
        self._rss0 = _status_kib("VmRSS")
        tracemalloc.start()

    def built(self) -> None:
        self._retained = tracemalloc.get_traced_memory()[0]
        self._rss_built = _status_kib("VmRSS")

    def stop(self) -> Memory:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        hwm = _status_kib("VmHWM")
        rss0, built = self._rss0, self._rss_built
        retained = (built - rss0) * 1024 if rss0 is not None and built is not None else None
        rss_peak = (hwm - rss0) * 1024 if self._peak_ok and hwm and rss0 is not None else None
        return Memory(self._retained, peak, retained, rss_peak)

    def abort(self) -> None:
        if tracemalloc.is_tracing():
            tracemalloc.stop()


def _percentiles(samples_ns: Sequence[int]) -> dict[str, float]:
    if not samples_ns:
        return {}
    arr = np.asarray(samples_ns, dtype=np.float64) / 1000.0
    return {"p50": float(np.percentile(arr, 50)), "p99": float(np.percentile(arr, 99))}


def _probe_chunk(messages: Sequence[str], limit: int) -> int:
    """Messages per probe step: up to 10, fewer when they are long (about 2,000 code points)."""
    size = 0
    for i, m in enumerate(messages[: min(limit, 10)]):
        size += len(m)
        if size >= 2_000:
            return i + 1
    return max(1, min(limit, 10, len(messages)))


def _spread(n: int, k: int) -> list[int]:
    if n <= k:
        return list(range(n))
    step = n / k
    return [int(i * step) for i in range(k)]


# --------------------------------------------------------------------------------------
# Text.


def _text_one(
    contender: TextContender,
    workload: Workload,
    reference: set[Occurrence],
    config: BenchConfig,
) -> ContenderResult:
    base = ContenderResult(
        "text", workload.name, contender.name, "ok", family=contender.family,
        semantics=contender.semantics, note=contender.note, advisory=contender.advisory,
    )
    why = contender.missing()
    if why is not None:
        return replace(base, status="skipped", reason=why)
    messages = list(workload.messages)
    n = len(messages)
    probe = _MemoryProbe()
    try:
        contender.prepare()
        probe.start()
        t0 = time.perf_counter()
        runner = contender.build(workload)
        first_build = time.perf_counter() - t0
        probe.built()
        # Probe: the first messages in chunks, until probe_messages or a tenth of the
        # budget; the gate of a contender over budget sees the first chunk only.
        k = max(1, min(n, config.probe_messages))
        chunk = _probe_chunk(messages, k)
        done = 0
        head_out: Any = None
        t0 = time.perf_counter()
        while done < k:
            out = runner.scan(messages[done : done + chunk])
            if head_out is None:
                head_out = out
            done += chunk
            if time.perf_counter() - t0 > config.budget_seconds / 10:
                break
        estimate = (time.perf_counter() - t0) * n / done
        if estimate > config.budget_seconds and done < n:
            memory = probe.stop()
            head = messages[:chunk]
            ref = {o for o in reference if o[0] < chunk}
            want = contender.expected(workload, ref, head)
            got = contender.comparable(want, runner.occurrences(head, head_out))
            verdict = gate(want, got, scope="probe", semantics=contender.semantics)
            status = "over-budget" if verdict.passed else "gate-failed"
            reason = (
                f"estimated {estimate:.3g} s per scan > budget {config.budget_seconds:g} s; "
                f"gated on the first {chunk} messages"
            )
            return replace(base, status=status, reason=reason, gate=verdict, memory=memory)
        output = runner.scan(messages)
        memory = probe.stop()
        want = contender.expected(workload, reference, messages)
        got = contender.comparable(want, runner.occurrences(messages, output))
        verdict = gate(want, got, semantics=contender.semantics)
        del output
    except Exception as exc:  # a contender's crash is a result, not a harness failure
        probe.abort()
        return replace(base, status="error", reason=f"{type(exc).__name__}: {exc}")
    if not verdict.passed:
        return replace(base, status="gate-failed", reason="output differs from the reference",
                       gate=verdict, memory=memory)
    builds: list[float] = []
    scans: list[float] = []
    for r in range(config.repeats):
        if r == 0 or first_build < 2.0:
            del runner
            gc.collect()
            t0 = time.perf_counter()
            runner = contender.build(workload)
            builds.append(time.perf_counter() - t0)
        gc.collect()
        t0 = time.perf_counter()
        runner.scan(messages)
        scans.append(time.perf_counter() - t0)
    latencies: list[int] = []
    for i in _spread(n, config.latency_items):
        one = [messages[i]]
        t0n = time.perf_counter_ns()
        runner.scan(one)
        latencies.append(time.perf_counter_ns() - t0n)
    scan = Stat.of(scans)
    sec = scan.median or 1e-12
    throughput = {
        "messages": n / sec,
        "mb": workload.utf8_bytes / 1e6 / sec,
        "code_points": workload.code_points / sec,
    }
    return replace(base, gate=verdict, build=Stat.of(builds), scan=scan, memory=memory,
                   throughput=throughput, latency_us=_percentiles(latencies))


def _run_text(
    config: BenchConfig, progress: Progress, extra: Sequence[TextContender]
) -> tuple[list[dict[str, Any]], list[ContenderResult]]:
    contenders = [c for c in text_contenders() if config.wants(c.name)] + list(extra)
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
        reference = reference_occurrences(workload.keywords, workload.messages)
        for c in contenders:
            progress(f"text {workload.name}: {c.name}")
            results.append(_text_one(c, workload, reference, config))
    return described, results


# --------------------------------------------------------------------------------------
# Index.


def _index_one(
    contender: IndexContender,
    name: str,
    entries: np.ndarray[Any, np.dtype[np.uint64]],
    queries: np.ndarray[Any, np.dtype[np.uint64]],
    reference: set[tuple[int, int, int]],
    config: BenchConfig,
) -> ContenderResult:
    base = ContenderResult("index", name, contender.name, "ok", family="index",
                           semantics="range", note=contender.note)
    why = contender.missing()
    if why is not None:
        return replace(base, status="skipped", reason=why)
    probe = _MemoryProbe()
    r = config.radius
    try:
        probe.start()
        runner = contender.build(entries, r)
        probe.built()
        qi, rows, dist = runner.query(queries, r)
        memory = probe.stop()
        got = set(zip(qi.tolist(), rows.tolist(), dist.tolist(), strict=True))
        verdict = gate(reference, got, semantics="range")
    except Exception as exc:
        probe.abort()
        return replace(base, status="error", reason=f"{type(exc).__name__}: {exc}")
    if not verdict.passed:
        return replace(base, status="gate-failed", reason="results differ from the linear scan",
                       gate=verdict, memory=memory)
    builds: list[float] = []
    scans: list[float] = []
    for _ in range(config.repeats):
        gc.collect()
        t0 = time.perf_counter()
        runner = contender.build(entries, r)
        builds.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        runner.query(queries, r)
        scans.append(time.perf_counter() - t0)
    latencies: list[int] = []
    for i in _spread(len(queries), min(config.latency_items, 200)):
        one = queries[i : i + 1]
        t0n = time.perf_counter_ns()
        runner.query(one, r)
        latencies.append(time.perf_counter_ns() - t0n)
    scan = Stat.of(scans)
    return replace(base, gate=verdict, build=Stat.of(builds), scan=scan, memory=memory,
                   throughput={"queries": len(queries) / (scan.median or 1e-12)},
                   latency_us=_percentiles(latencies))


def _run_index(
    config: BenchConfig, progress: Progress
) -> tuple[list[dict[str, Any]], list[ContenderResult]]:
    contenders = [c for c in index_contenders() if config.wants(c.name)]
    if any(c.name.startswith("faiss") or c.name == "index:faiss" for c in contenders):
        try:
            import faiss

            faiss.omp_set_num_threads(1)
        except ImportError:
            pass
    rng = np.random.default_rng(config.seed)
    described: list[dict[str, Any]] = []
    results: list[ContenderResult] = []
    for n in config.index_sizes:
        entries = rng.integers(0, 2**64, size=n, dtype=np.uint64)
        queries = make_queries(entries, config.index_queries, rng)
        name = f"index-{n}-r{config.radius}"
        progress(f"index {name}: reference")
        reference = reference_triples(entries, queries, config.radius)
        described.append({"suite": "index", "name": name, "entries": n,
                          "queries": len(queries), "radius": config.radius,
                          "results": len(reference), "threads": 1})
        for c in contenders:
            progress(f"index {name}: {c.name}")
            results.append(_index_one(c, name, entries, queries, reference, config))
    return described, results


# --------------------------------------------------------------------------------------
# Hashing.


def _hash_one(
    contender: HashContender, name: str, paths: list[Path], reference: list[str],
    config: BenchConfig,
) -> ContenderResult:
    base = ContenderResult("hash", name, contender.name, "ok", family="hash",
                           semantics="draft-decode" if contender.fast else "exact",
                           note=contender.note)
    probe = _MemoryProbe()
    try:
        probe.start()
        scan_fn = contender.build()
        probe.built()
        got = scan_fn(paths)
        memory = probe.stop()
    except Exception as exc:
        probe.abort()
        return replace(base, status="error", reason=f"{type(exc).__name__}: {exc}")
    keep = contender.gated_inputs(paths)
    verdict = gate({(i, reference[i]) for i in keep}, {(i, got[i]) for i in keep},
                   semantics=base.semantics)
    if not verdict.passed:
        return replace(base, status="gate-failed", reason="hashes differ from imagehash",
                       gate=verdict, memory=memory)
    builds: list[float] = []
    scans: list[float] = []
    for _ in range(config.repeats):
        t0 = time.perf_counter()
        scan_fn = contender.build()
        builds.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        scan_fn(paths)
        scans.append(time.perf_counter() - t0)
    latencies: list[int] = []
    for p in paths:
        t0n = time.perf_counter_ns()
        scan_fn([p])
        latencies.append(time.perf_counter_ns() - t0n)
    scan = Stat.of(scans)
    return replace(base, gate=verdict, build=Stat.of(builds), scan=scan, memory=memory,
                   throughput={"images": len(paths) / (scan.median or 1e-12)},
                   latency_us=_percentiles(latencies))


def _run_hash(
    config: BenchConfig, progress: Progress
) -> tuple[list[dict[str, Any]], list[ContenderResult]]:
    paths = [Path(p) for p in config.images] or _sample_images(None)
    algorithms = config.hash_algorithms or ALGORITHMS
    contenders = [c for c in hash_contenders(algorithms) if config.wants(c.name)]
    name = f"images-{len(paths)}"
    described = [{"suite": "hash", "name": name, "images": len(paths),
                  "files": [p.name for p in paths],
                  "bytes": sum(p.stat().st_size for p in paths)}]
    results: list[ContenderResult] = []
    refs: dict[str, list[str]] = {}
    for c in contenders:
        progress(f"hash {name}: {c.name}")
        if c.algorithm not in refs:
            refs[c.algorithm] = reference_hashes(c.algorithm, paths)
        results.append(_hash_one(c, name, paths, refs[c.algorithm], config))
    return described, results


# --------------------------------------------------------------------------------------
# Entry point.


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
