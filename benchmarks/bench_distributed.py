#!/usr/bin/env python3
"""Scaling of corpus scans and image hashing over local workers: plain processes vs Dask.

    python benchmarks/bench_distributed.py                  # 1,000,000 messages, 2,000 images
    python benchmarks/bench_distributed.py --repeat 2 --json benchmarks/results/distributed.json
    python benchmarks/bench_distributed.py --quick          # 50,000 messages, 40 images (CI)

Scan: a generated corpus (lines drawn with a seed from ``samples/corpus``, Chinese and
English, sensitive and benign) through ``censorsim.distributed.scan_corpus`` with the
shipped example lists: in this process (``serial``), on 1 and 2 local processes, and on a
Dask ``LocalCluster`` of 1 and 2 single-threaded worker processes (started inside the
timing: the zero-set-up path a user gets). Images: JPEGs (640x480, seeded noise) hashed
with pHash by ``hash_many`` (the reference, and its old ``workers=2`` pool), by
``censorsim.image._parallel.hash_files`` on 1 and 2 processes and on Dask, and by a
started ``HashPool`` (its start-up timed apart, ``start_seconds``, and left out of
its row: the pool is meant to be reused).

Every timed row includes its own start-up: the pool's or cluster's worker processes,
the shared rules or hashers sent to them, rules built in each worker, the scan's
planning (SHA-256 and line offsets of the corpus) and the shut-down. Worker processes
fork from one ``forkserver`` per Python process that imports the modules once; it is
started once, before the rows (as the first pool of a run would), and its start-up is
reported as a row of its own (``forkserver``); ``speedups`` also gives each ratio with
that start-up added to both sides (``cold``), as a fresh ``censorsim scan`` pays it.

The machine may be shared: each run measures the cores free to it (two processes spin
for a second before the scan, between scan and images, and after; ``free_cores``, 2.0 on
an idle 2-core machine), every row records the 1-minute load average before and after
it, the processor time the work took in the workers (``cpu``, scan) and in this process
(``parent_cpu``: planning, scheduling, gathering results), so a speed-up lost to other
people's jobs can be told from one lost to overhead. Odd repeats run the engines in
reverse order (drift in the machine's load falls on both sides of a ratio). Every
engine's output is checked equal to the serial one. Inputs are generated under a
temporary folder and removed; nothing is written to the project unless ``--json`` says
where.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from censorsim.distributed import ShippedRules, read_scan, scan_corpus
from censorsim.image import Hasher, hash_many
from censorsim.image._parallel import HashPool, hash_files
from censorsim.text.rules import RuleSet
from censorsim.text.wordlists import load_rule_files

ROOT = Path(__file__).resolve().parents[1]


def _load() -> float:
    return os.getloadavg()[0]


def make_corpus(path: Path, n: int, seed: int = 15) -> None:
    """``n`` lines drawn from the shipped sample corpus (seeded)."""
    pool: list[str] = []
    for name in sorted((ROOT / "samples" / "corpus").glob("*.txt")):
        pool.extend(x for x in name.read_text(encoding="utf-8").splitlines() if x.strip())
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for _ in range(n):
            fh.write(rng.choice(pool) + "\n")


def make_images(folder: Path, n: int, seed: int = 15) -> list[Path]:
    """``n`` 640x480 JPEGs of seeded noise with a moving dark band."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        a = (rng.random((480, 640, 3)) * 255).astype("uint8")
        a[:, : (i * 7) % 640] //= 2
        p = folder / f"{i:04d}.jpg"
        Image.fromarray(a).save(p, quality=85)
        paths.append(p)
    return paths


class _Clock:
    """Wall and this process's processor time, and the load average, from creation."""

    def __init__(self) -> None:
        self.load = _load()
        self.cpu = time.process_time()
        self.t0 = time.perf_counter()
        self.stopped: tuple[float, float] | None = None

    def seconds(self) -> float:
        return time.perf_counter() - self.t0

    def stop(self) -> tuple[float, float]:
        """Wall seconds and this process's processor seconds, frozen at the first call."""
        if self.stopped is None:
            self.stopped = (self.seconds(), time.process_time() - self.cpu)
        return self.stopped


def _row(kind: str, engine: str, workers: int, clock: _Clock, cpu: float | None,
         items: int, **extra: Any) -> dict[str, Any]:
    seconds, parent = clock.stop()
    row = {"kind": kind, "engine": engine, "workers": workers, "seconds": round(seconds, 3),
           "cpu_seconds": None if cpu is None else round(cpu, 3),
           "parent_cpu": round(parent, 3), "items": items,
           "per_second": round(items / seconds, 1), "load_before": round(clock.load, 2),
           "load_after": round(_load(), 2)}
    row.update(extra)
    print(f"  {kind:6} {engine:22} x{workers}  {seconds:8.2f} s  "
          f"{row['per_second']:>10} /s  cpu {row['cpu_seconds']}  parent {row['parent_cpu']}  "
          f"load {row['load_before']} -> {row['load_after']}", flush=True)
    return row


def start_forkserver() -> dict[str, Any]:
    """Start the process's forkserver with what the engines preload (timed: a row)."""
    from censorsim.distributed._engine import _forkserver_context, _preload
    from censorsim.distributed._scan import scan_partition
    from censorsim.image._parallel import _hash_chunk

    modules = [*_preload(scan_partition), *_preload(_hash_chunk)]
    try:
        import distributed  # noqa: F401  (the dask engine's workers fork from it too)
        modules.append("distributed")
    except ImportError:
        pass
    clock = _Clock()
    ctx = _forkserver_context(modules)
    proc = ctx.Process(target=_noop)
    proc.start()
    proc.join()
    return _row("setup", "forkserver", 0, clock, None, 1, preload=modules)


def _noop() -> None:
    pass


def _spin(seconds: float) -> float:
    """Spin for ``seconds`` of wall time; the processor time this process got."""
    c0 = time.process_time()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
    return time.process_time() - c0


def free_cores(seconds: float = 1.0) -> float:
    """How many cores two spinning processes got between them (2.0 on an idle 2-core
    machine; 1.0 when other jobs keep one core busy, when no 2-worker run can reach
    1.7x whatever the code does)."""
    from concurrent.futures import ProcessPoolExecutor

    from censorsim.distributed._engine import _forkserver_context

    with ProcessPoolExecutor(2, mp_context=_forkserver_context([])) as pool:
        list(pool.map(_spin, [0.05, 0.05]))  # both workers started
        got = list(pool.map(_spin, [seconds, seconds]))
    return round(sum(got) / seconds, 2)


def start_dask() -> list[dict[str, Any]]:
    """A first ``LocalCluster`` in this process pays one-off costs (Distributed's lazy
    imports and set-up in this process): paid here, before the rows, as a fresh
    ``censorsim scan --dask`` pays it on 1 worker and on 2 alike. Then the start and
    close of clusters of 1 and 2 workers running nothing, as rows (each Dask row of the
    tables includes its own)."""
    try:
        import distributed
    except ImportError:
        return []
    from censorsim.distributed._engine import _local_cluster

    rows = []
    for label, workers in (("dask first LocalCluster", 1), ("dask LocalCluster, empty", 1),
                           ("dask LocalCluster, empty", 2)):
        clock = _Clock()
        with _local_cluster(distributed, workers, []) as cluster, \
                distributed.Client(cluster):
            pass
        rows.append(_row("setup", label, workers, clock, None, 1))
    return rows


def bench_scan(tmp: Path, corpus: Path, messages: int, partition: int,
               reverse: bool = False) -> list[dict[str, Any]]:
    rules = RuleSet(load_rule_files([], shipped=True))
    shipped = ShippedRules.from_ruleset(rules)
    runs = [("processes", "processes", 1), ("processes", "processes", 2),
            ("dask LocalCluster", "dask", 1), ("dask LocalCluster", "dask", 2)]
    runs = [("serial", "serial", 1), *(runs[::-1] if reverse else runs)]
    rows = []
    reference = None
    for label, engine, workers in runs:
        out = tmp / f"scan-{engine}-{workers}"
        clock = _Clock()
        s = scan_corpus([corpus], shipped, out, engine=engine, workers=workers,
                        partition_size=partition, fresh=True)
        clock.stop()
        got = read_scan(out) if messages <= 200_000 else None
        if got is not None:
            reference = reference or got
            assert got == reference, f"{label} x{workers}: rows differ from serial"
        rows.append(_row("scan", label, workers, clock, s.cpu_seconds, s.messages,
                         censored=s.censored, partitions=s.partitions))
        shutil.rmtree(out)
    return rows


def bench_images(paths: list[Path], reverse: bool = False) -> list[dict[str, Any]]:
    hasher = [Hasher("phash")]
    rows = []
    clock = _Clock()
    ref = hash_many(paths, hasher)
    rows.append(_row("images", "hash_many (reference)", 1, clock, clock.stop()[1],
                     len(paths)))
    runs: list[tuple[str, int]] = [("hash_many", 2), ("processes", 1), ("processes", 2),
                                   ("dask", 1), ("dask", 2), ("pool", 1), ("pool", 2)]
    for engine, workers in runs[::-1] if reverse else runs:
        if engine == "pool":
            clock = _Clock()
            with HashPool(hasher, workers=workers) as pool:
                pool.warm_up()
                start = clock.seconds()
                clock = _Clock()
                got = pool.hash_many(paths)
                clock.stop()
                assert got == ref
                rows.append(_row("images", "HashPool (started)", workers, clock, None,
                                 len(paths), start_seconds=round(start, 3)))
            continue
        clock = _Clock()
        if engine == "hash_many":
            got = hash_many(paths, hasher, workers=workers)
            clock.stop()
            assert got == ref
            label = "hash_many workers=2"
        else:
            got = hash_files(paths, hasher, workers=workers, engine=engine)
            clock.stop()
            assert got == ref
            label = "hash_files " + ("dask LocalCluster" if engine == "dask" else engine)
        rows.append(_row("images", label, workers, clock, None, len(paths)))
    return rows


def speedups(rows: list[dict[str, Any]], cold: float = 0.0,
             dask_cold: float = 0.0) -> dict[str, float]:
    """Two workers over one, per kind and engine (``cold``: with the one-off start-up
    of a fresh process added to both sides, the forkserver's and for Dask its first
    cluster's); Dask's time over plain processes."""
    t = {(r["kind"], r["engine"], r["workers"]): r["seconds"] for r in rows}
    out: dict[str, float] = {}
    for (kind, engine, workers), sec in t.items():
        one = t.get((kind, engine, 1))
        if workers == 2 and one:
            out[f"{kind}: {engine} 2 vs 1 worker"] = round(one / sec, 2)
            extra = cold + (dask_cold if "dask" in engine else 0.0)
            if extra and "HashPool" not in engine and "hash_many" not in engine:
                out[f"{kind}: {engine} 2 vs 1 worker, cold"] = round(
                    (one + extra) / (sec + extra), 2)
    for kind, dask, plain in (("scan", "dask LocalCluster", "processes"),
                              ("images", "hash_files dask LocalCluster", "hash_files processes")):
        for w in (1, 2):
            if (kind, dask, w) in t and (kind, plain, w) in t:
                out[f"{kind}: dask over processes, {w} worker(s)"] = round(
                    t[(kind, dask, w)] / t[(kind, plain, w)], 2)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="50,000 messages and 40 images")
    ap.add_argument("--messages", type=int, default=None)
    ap.add_argument("--images", type=int, default=None)
    ap.add_argument("--partition-size", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=1, help="run everything this many times")
    ap.add_argument("--json", type=Path, help="write the rows here")
    args = ap.parse_args(argv)
    messages = args.messages or (50_000 if args.quick else 1_000_000)
    images = args.images or (40 if args.quick else 2000)
    partition = min(args.partition_size, max(1, messages // 8))
    tmp = Path(tempfile.mkdtemp(prefix="censorsim-bench-dist-"))
    runs = []
    try:
        corpus = tmp / "corpus.txt"
        make_corpus(corpus, messages)
        paths = make_images(tmp / "images", images)
        setup = start_forkserver()
        dask_setup = start_dask()
        for k in range(args.repeat):
            reverse = k % 2 == 1
            cores = [free_cores()]
            print(f"run {k + 1} of {args.repeat}: {messages} messages, {images} images, "
                  f"{os.cpu_count()} CPUs, load {_load():.2f}, free cores {cores[0]}"
                  f"{', engines in reverse order' if reverse else ''}", flush=True)
            rows = bench_scan(tmp, corpus, messages, partition, reverse)
            cores.append(free_cores())
            rows += bench_images(paths, reverse)
            cores.append(free_cores())
            ups = speedups(rows, cold=setup["seconds"],
                           dask_cold=dask_setup[0]["seconds"] if dask_setup else 0.0)
            print(f"  free cores before, between and after: {cores}"
                  + ("" if min(cores) >= 1.8 else
                     " (other jobs held the cores: the 2-worker ratios below are not "
                     "the code's)"))
            for key, value in ups.items():
                print(f"  {key}: {value}x")
            runs.append({"rows": rows, "speedups": ups, "reverse": reverse,
                         "free_cores": cores})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.repeat > 1:
        print("over the runs:")
        for key in runs[0]["speedups"]:
            values = sorted(r["speedups"][key] for r in runs)
            print(f"  {key}: {values[0]}-{values[-1]}x")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "messages": messages, "images": images, "partition_size": partition,
            "cpus": os.cpu_count(), "python": sys.version.split()[0],
            "machine": platform.machine(), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                               time.gmtime()),
            "setup": [setup, *dask_setup], "runs": runs,
        }, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
