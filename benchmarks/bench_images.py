#!/usr/bin/env python3
"""Image engine benchmark: hashing throughput, draft-mode effect, index queries per second.

    python benchmarks/bench_images.py            # the full run (a few minutes)
    python benchmarks/bench_images.py --quick    # the small CI run (well under a minute)
    python benchmarks/bench_images.py --json out/bench_images.json

A thin front end over :mod:`censorsim.image.bench`; the figures are discussed in
``docs/images.md``. Exit status 1 if any backend's results differ from the reference.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

from censorsim.image import ALGORITHMS, DEFAULT_BACKEND
from censorsim.image.bench import bench_hashing, bench_index, dihedral_distances, draft_effect

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "images"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes for CI")
    parser.add_argument("--json", type=Path, help="also save raw results as JSON")
    parser.add_argument("--queries", type=int, help="queries per index size")
    args = parser.parse_args(argv)

    jpegs = sorted(SAMPLES.glob("*.jpg"))
    if args.quick:
        jpegs = jpegs[:4]
    sizes = (10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000)
    n_queries = args.queries or (500 if args.quick else 2_000)
    pool = min(2, os.cpu_count() or 1)
    print(f"# censorsim image benchmark ({'quick' if args.quick else 'full'})")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs")

    print(f"\n## Hashing: {len(jpegs)} shipped JPEGs, images/s")
    repeat = 1 if args.quick else 4
    hashing = bench_hashing(jpegs, ALGORITHMS, workers=(1,), repeat=repeat)
    pooled = bench_hashing(
        jpegs,
        ("phash",) if args.quick else ALGORITHMS,
        workers=(pool,),
        modes=(False,),
        repeat=repeat,
    )
    by_key = {(r.algorithm, r.fast, r.workers): r.images_per_second for r in hashing + pooled}
    print(f"{'algorithm':16} {'exact':>9} {'fast':>9} {'speed-up':>9} {f'pool({pool})':>9}")
    for algo in ALGORITHMS:
        exact = by_key.get((algo, False, 1))
        fast = by_key.get((algo, True, 1))
        pooled_rate = by_key.get((algo, False, pool))
        cells = [f"{v:9.1f}" if v else f"{'-':>9}" for v in (exact, fast)]
        ratio = f"{fast / exact:8.2f}x" if exact and fast else f"{'-':>9}"
        pool_cell = f"{pooled_rate:9.1f}" if pooled_rate else f"{'-':>9}"
        print(f"{algo:16} {cells[0]} {cells[1]} {ratio} {pool_cell}")

    print("\n## Fast (draft) decoding: hashes changed on the shipped JPEGs")
    effects = draft_effect(jpegs, ("phash", "dhash") if args.quick else ALGORITHMS)
    for e in effects:
        spread = f"{min(e.bits)}-{max(e.bits)} bits" if e.bits else "-"
        share = f"{e.changed:3d}/{e.images} changed ({e.share_changed:6.1%})"
        print(f"{e.algorithm:16} {share}, {spread}")

    dihedral = {}
    if not args.quick:
        print("\n## Mean distance from each rotation or mirror (shipped JPEGs)")
        dihedral = dihedral_distances(jpegs, ALGORITHMS)
        names = list(next(iter(dihedral.values())))
        print(f"{'algorithm':16} " + " ".join(f"{t.value:>10}" for t in names[1:]))
        for algo, row in dihedral.items():
            print(f"{algo:16} " + " ".join(f"{row[t]:10.1f}" for t in names[1:]))

    print(f"\n## Index: random 64-bit hashes, radius 10, {n_queries} queries, single-threaded")
    results = bench_index(sizes, radius=10, n_queries=n_queries)
    print(f"{'entries':>9} {'backend':12} {'build s':>8} {'queries/s':>10} {'results':>8} same")
    for r in results:
        print(
            f"{r.entries:9d} {r.backend:12} {r.build_seconds:8.2f} {r.queries_per_second:10.0f} "
            f"{r.results:8d} {'yes' if r.identical else 'NO'}"
        )
    for n in sizes:
        rates = {r.backend: r.queries_per_second for r in results if r.entries == n}
        if "faiss-flat" in rates:
            ratio = rates[DEFAULT_BACKEND] / rates["faiss-flat"]
            print(f"default ({DEFAULT_BACKEND}) / faiss flat at {n}: {ratio:.1f}x")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        raw = {
            "hashing": [asdict(r) for r in hashing + pooled],
            "draft": [asdict(e) for e in effects],
            "dihedral": {a: {t.value: d for t, d in row.items()} for a, row in dihedral.items()},
            "index": [asdict(r) for r in results],
        }
        args.json.write_text(json.dumps(raw, indent=1))
    return 0 if all(r.identical for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
