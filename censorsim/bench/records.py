"""Result records of a benchmark run and their JSON (``docs/benchmarks.md``).

Example:
    >>> Stat.of([3.0, 1.0, 2.0]).median
    2.0
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from censorsim.bench.gate import GateResult
from censorsim.errors import ParameterError

__all__ = [
    "READABLE_VERSIONS", "SCHEMA_VERSION", "BenchRun", "ContenderResult", "Memory", "Stat",
    "Status",
]

SCHEMA_VERSION: Final = 2
"""Version of the JSON layout (``docs/benchmarks.md``); bumped on incompatible changes.

Version 2 added each result's ``reference`` and ``reference_samples`` (the paired scans);
version 1 files are still read (without them)."""

READABLE_VERSIONS: Final = (1, 2)
"""Schema versions :meth:`BenchRun.from_json` reads."""

Status = Literal["ok", "skipped", "gate-failed", "over-budget", "error"]
"""What became of one contender on one workload."""


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
        memory: memory of the gate run (build and first scan).
        throughput: per second: ``messages``, ``mb``, ``code_points`` (text),
            ``queries`` (index), ``images`` (hash); from the median scan.
        latency_us: per-item latency percentiles ``p50``, ``p99`` in microseconds.
        reference: the contender every scan sample was paired with (None: unpaired).
        reference_samples: its seconds per scan, sample ``i`` paired with
            ``scan.samples[i]``.
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
    reference: str | None = None
    reference_samples: tuple[float, ...] = ()

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
            "reference": self.reference,
            "reference_samples": list(self.reference_samples),
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
            reference=data.get("reference"),
            reference_samples=tuple(float(x) for x in data.get("reference_samples", ())),
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
            ParameterError: for a schema version this code does not read.
        """
        version = data.get("schema_version")
        if version not in READABLE_VERSIONS:
            raise ParameterError(
                f"benchmark results have schema_version {version!r}; "
                f"this censorsim reads versions {', '.join(map(str, READABLE_VERSIONS))}"
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
