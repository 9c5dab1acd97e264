#!/usr/bin/env python3
"""Scaling of corpus scans and image hashing over local workers: plain processes vs Dask.

    python benchmarks/bench_distributed.py                  # 1,000,000 messages, 240 images
    python benchmarks/bench_distributed.py --repeat 2 --json benchmarks/results/distributed.json
    python benchmarks/bench_distributed.py --quick          # 50,000 messages, 40 images (CI)

Scan: a generated corpus (lines drawn with a seed from ``samples/corpus``, Chinese and
English, sensitive and benign) through ``censorsim.distributed.scan_corpus`` with the
shipped example lists: in this process (``serial``), on 1 and 2 local processes, and on a
Dask ``LocalCluster`` of 1 and 2 single-threaded worker processes (started inside the
timing: the zero-set-up path a user gets). Images: JPEGs (640x480, seeded noise) hashed
with pHash by ``hash_many`` (the reference, and its old ``workers=2`` pool), by
``censorsim.image._parallel.hash_files`` on 1 and 2 processes and on Dask, and by a
started ``HashPool`` (start-up paid once, outside the timing).

The machine may be shared: every row records the 1-minute load average before and after
it, and the processor time the work took in the workers (``cpu``), so a speed-up lost to
other people's jobs can be told from one lost to overhead. Every engine's output is
checked equal to the serial one. Inputs are generated under a temporary folder and
removed; nothing is written to the project unless ``--json`` says where.
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


def _row(kind: str, engine: str, workers: int, seconds: float, cpu: float | None,
         load0: float, items: int, **extra: Any) -> dict[str, Any]:
    row = {"kind": kind, "engine": engine, "workers": workers, "seconds": round(seconds, 3),
           "cpu_seconds": None if cpu is None else round(cpu, 3), "items": items,
           "per_second": round(items / seconds, 1), "load_before": round(load0, 2),
           "load_after": round(_load(), 2)}
    row.update(extra)
    print(f"  {kind:6} {engine:22} x{workers}  {seconds:8.2f} s  "
          f"{row['per_second']:>10} /s  cpu {row['cpu_seconds']}  "
          f"load {row['load_before']} -> {row['load_after']}", flush=True)
    return row


def bench_scan(tmp: Path, corpus: Path, messages: int, partition: int) -> list[dict[str, Any]]:
    rules = RuleSet(load_rule_files([], shipped=True))
    shipped = ShippedRules.from_ruleset(rules)
    runs = [("serial", "serial", 1), ("processes", "processes", 1),
            ("processes", "processes", 2), ("dask LocalCluster", "dask", 1),
            ("dask LocalCluster", "dask", 2)]
    rows = []
    reference = None
    for label, engine, workers in runs:
        out = tmp / f"scan-{engine}-{workers}"
        load0 = _load()
        t0 = time.perf_counter()
        s = scan_corpus([corpus], shipped, out, engine=engine, workers=workers,
                        partition_size=partition, fresh=True)
        seconds = time.perf_counter() - t0
        got = read_scan(out) if messages <= 200_000 else None
        if got is not None:
            reference = reference or got
            assert got == reference, f"{label} x{workers}: rows differ from serial"
        rows.append(_row("scan", label, workers, seconds, s.cpu_seconds, load0, s.messages,
                         censored=s.censored, partitions=s.partitions))
        shutil.rmtree(out)
    return rows


def bench_images(paths: list[Path]) -> list[dict[str, Any]]:
    hasher = [Hasher("phash")]
    rows = []
    load0 = _load()
    c0 = time.process_time()
    t0 = time.perf_counter()
    ref = hash_many(paths, hasher)
    rows.append(_row("images", "hash_many (reference)", 1, time.perf_counter() - t0,
                     time.process_time() - c0, load0, len(paths)))
    load0 = _load()
    t0 = time.perf_counter()
    assert hash_many(paths, hasher, workers=2) == ref
    rows.append(_row("images", "hash_many workers=2", 2, time.perf_counter() - t0, None,
                     load0, len(paths)))
    for engine, workers in (("processes", 1), ("processes", 2), ("dask", 1), ("dask", 2)):
        load0 = _load()
        t0 = time.perf_counter()
        assert hash_files(paths, hasher, workers=workers, engine=engine) == ref
        label = "hash_files " + ("dask LocalCluster" if engine == "dask" else engine)
        rows.append(_row("images", label, workers, time.perf_counter() - t0, None, load0,
                         len(paths)))
    for workers in (1, 2):
        with HashPool(hasher, workers=workers) as pool:
            pool.warm_up()
            load0 = _load()
            t0 = time.perf_counter()
            assert pool.hash_many(paths) == ref
            rows.append(_row("images", "HashPool (started)", workers,
                             time.perf_counter() - t0, None, load0, len(paths)))
    return rows


def speedups(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Two workers over one, per kind and engine; Dask's time over plain processes."""
    t = {(r["kind"], r["engine"], r["workers"]): r["seconds"] for r in rows}
    out: dict[str, float] = {}
    for (kind, engine, workers), sec in t.items():
        one = t.get((kind, engine, 1))
        if workers == 2 and one:
            out[f"{kind}: {engine} 2 vs 1 worker"] = round(one / sec, 2)
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
    images = args.images or (40 if args.quick else 240)
    partition = min(args.partition_size, max(1, messages // 8))
    tmp = Path(tempfile.mkdtemp(prefix="censorsim-bench-dist-"))
    runs = []
    try:
        corpus = tmp / "corpus.txt"
        make_corpus(corpus, messages)
        paths = make_images(tmp / "images", images)
        for k in range(args.repeat):
            print(f"run {k + 1} of {args.repeat}: {messages} messages, {images} images, "
                  f"{os.cpu_count()} CPUs, load {_load():.2f}", flush=True)
            rows = bench_scan(tmp, corpus, messages, partition) + bench_images(paths)
            ups = speedups(rows)
            for key, value in ups.items():
                print(f"  {key}: {value}x")
            runs.append({"rows": rows, "speedups": ups})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "messages": messages, "images": images, "partition_size": partition,
            "cpus": os.cpu_count(), "python": sys.version.split()[0],
            "machine": platform.machine(), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                               time.gmtime()),
            "runs": runs,
        }, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
