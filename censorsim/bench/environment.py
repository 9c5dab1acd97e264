"""The machine a run measures on: CPU, packages, git state, and memory tracking.

Example:
    >>> env = environment()
    >>> env["cpu_count"] >= 1 and "numpy" in env["packages"]
    True
"""

from __future__ import annotations

import gc
import os
import platform
import tracemalloc
from pathlib import Path
from typing import Any, Final

from censorsim.bench.records import Memory

__all__ = ["MemoryTracker", "environment"]


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


class MemoryTracker:
    """tracemalloc and ``/proc`` around a build and a scan: ``start``, ``built``, ``stop``."""

    def __init__(self) -> None:
        self._rss0: int | None = None
        self._rss_built: int | None = None
        self._retained = 0
        self._peak_ok = False

    def start(self) -> None:
        """Begin tracing (before the build)."""
        gc.collect()
        self._peak_ok = _reset_peak_rss()
        self._rss0 = _status_kib("VmRSS")
        tracemalloc.start()

    def built(self) -> None:
        """Note what the build retained."""
        self._retained = tracemalloc.get_traced_memory()[0]
        self._rss_built = _status_kib("VmRSS")

    def stop(self) -> Memory:
        """Stop tracing and return the memory of the build and scan."""
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        hwm = _status_kib("VmHWM")
        rss0, built = self._rss0, self._rss_built
        retained = (built - rss0) * 1024 if rss0 is not None and built is not None else None
        rss_peak = (hwm - rss0) * 1024 if self._peak_ok and hwm and rss0 is not None else None
        return Memory(self._retained, peak, retained, rss_peak)

    def abort(self) -> None:
        """Stop tracing after a failure."""
        if tracemalloc.is_tracing():
            tracemalloc.stop()
