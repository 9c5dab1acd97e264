#!/usr/bin/env python3
"""Image engine figures: hashing and index throughput from the harness, draft and dihedral effects.

    python benchmarks/bench_images.py            # the full run (a few minutes)
    python benchmarks/bench_images.py --quick    # the small CI run (well under a minute)
    python benchmarks/bench_images.py --json out/bench_images.json
    python benchmarks/bench_images.py --clustered 1000000 10000000   # issue 16, target 6

Throughputs come from one run of the harness (``censorsim.bench``: the ``hash`` and
``index`` suites, every contender behind the correctness gate); the script adds two
measurements of what the hashes do, not how fast: how often fast (JPEG draft) decoding
changes a hash, and how far each rotation or mirror moves it. The figures are discussed
in ``docs/images.md``. Exit status 1 if any contender failed its gate.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from censorsim.bench._clustered import clustered_hashes, clustered_queries
from censorsim.bench.harness import SAMPLES, BenchConfig, BenchRun, run_benchmarks
from censorsim.bench.tables import save_run
from censorsim.image import ALGORITHMS, DEFAULT_BACKEND, Hasher, MultiHash, Transform, hash_many


def draft_effect(jpegs: list[Path], algorithms: tuple[str, ...]) -> dict[str, list[int]]:
    """Per algorithm, the distance of every JPEG whose hash fast decoding changed."""
    out: dict[str, list[int]] = {}
    for algorithm in algorithms:
        if algorithm == "md5":
            continue
        exact = hash_many(jpegs, Hasher(algorithm))
        fast = hash_many(jpegs, Hasher(algorithm, fast=True))
        bits: list[int] = []
        for a, b in zip(exact, fast, strict=True):
            x, y = a.hashes[0], b.hashes[0]
            if x != y:
                multi = isinstance(x, MultiHash) or isinstance(y, MultiHash)
                bits.append(max(x - y, 1) if multi else x - y)
        out[algorithm] = sorted(bits)
    return out


def dihedral_distances(
    paths: list[Path], algorithms: tuple[str, ...]
) -> dict[str, dict[str, float]]:
    """The mean distance between each image's hash and its rotated or mirrored copy's."""
    out: dict[str, dict[str, float]] = {}
    for algorithm in algorithms:
        if algorithm == "md5":
            continue
        hasher = Hasher(algorithm)
        sums = dict.fromkeys(Transform, 0.0)
        for path in paths:
            variants = hasher.hash_variants(path)
            base = variants[Transform.IDENTITY]
            for transform, value in variants.items():
                sums[transform] += base - value
        out[algorithm] = {t.value: s / max(1, len(paths)) for t, s in sums.items()}
    return out


def clustered_index(n: int, n_queries: int = 1_000, radius: int = 10,
                    repeats: int = 3) -> dict[str, float | int | bool]:
    """The default index against faiss ``IndexBinaryFlat`` on ``n`` clustered pHash-like
    hashes: queries/s on the CPU clock (fastest of ``repeats``, alternating), identical
    results, and everything the index holds (rows, tables, groups) over the hashes'
    bytes (faiss flat holds exactly 1x)."""
    import faiss

    from censorsim.image import HammingIndex

    faiss.omp_set_num_threads(1)
    t0 = time.perf_counter()
    words = clustered_hashes(n, seed=0)
    queries = clustered_queries(words, n_queries, seed=1)
    generated = time.perf_counter() - t0

    def as_bytes(x: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(x.astype(">u8")).view(np.uint8).reshape(len(x), 8)

    flat = faiss.IndexBinaryFlat(64)
    flat.add(as_bytes(words))
    t0 = time.perf_counter()
    index = HammingIndex.from_words(words, "phash")
    index.query_words(words[:1], radius)  # builds the tables for this radius
    built = time.perf_counter() - t0
    best = {"flat": float("inf"), "index": float("inf")}
    for _ in range(repeats):
        t0 = time.process_time()
        lims, dist, ids = flat.range_search(as_bytes(queries), radius + 1)
        best["flat"] = min(best["flat"], time.process_time() - t0)
        t0 = time.process_time()
        qi, rows, d = index.query_words(queries, radius)
        best["index"] = min(best["index"], time.process_time() - t0)
    fq = np.repeat(np.arange(n_queries), np.diff(lims).astype(np.int64))
    same = set(zip(fq.tolist(), ids.tolist(), dist.tolist(), strict=True)) == set(
        zip(qi.tolist(), rows.tolist(), d.tolist(), strict=True))
    memory = index._backend.memory() if hasattr(index._backend, "memory") else {}
    return {
        "entries": n, "distinct": len(np.unique(words)), "queries": n_queries,
        "results": len(rows), "generate_s": generated, "build_s": built,
        "flat_qps": n_queries / best["flat"], "index_qps": n_queries / best["index"],
        "speedup": best["flat"] / best["index"], "identical": same,
        "memory_ratio": (memory.get("rows", 0) + memory.get("index", 0))
        / max(1, words.nbytes),
    }


def _rate(run: BenchRun, contender: str, workload: str | None = None) -> float | None:
    for r in run.results:
        if r.contender == contender and r.status == "ok" and workload in (None, r.workload):
            return next(iter(r.throughput.values()))
    return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes for CI")
    parser.add_argument("--json", type=Path, help="also save the run and the effects as JSON")
    parser.add_argument("--queries", type=int, help="queries per index size")
    parser.add_argument("--clustered", type=int, nargs="+", metavar="N",
                        help="only the default index against faiss flat on N clustered "
                             "hashes (radius 10)")
    args = parser.parse_args(argv)
    if args.clustered:
        print("| entries | distinct | results | faiss flat q/s | default q/s | speed-up | "
              "identical | index memory / raw array | build s |")
        print("|---:|---:|---:|---:|---:|---:|---|---:|---:|")
        ok = True
        for n in args.clustered:
            r = clustered_index(n, args.queries or 1_000)
            ok = ok and bool(r["identical"])
            print(f"| {r['entries']:,} | {r['distinct']:,} | {r['results']:,} | "
                  f"{r['flat_qps']:,.0f} | {r['index_qps']:,.0f} | {r['speedup']:.1f}x | "
                  f"{r['identical']} | {r['memory_ratio']:.2f}x | {r['build_s']:.1f} |",
                  flush=True)
        return 0 if ok else 1

    jpegs = sorted(SAMPLES.glob("*.jpg"))
    if args.quick:
        jpegs = jpegs[:4]
    sizes = (10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000)
    profile = BenchConfig.quick if args.quick else BenchConfig.full
    config = profile(
        suites=("hash", "index"),
        images=tuple(jpegs),
        hash_algorithms=ALGORITHMS,
        index_sizes=sizes,
        index_queries=args.queries or (500 if args.quick else 2_000),
        repeats=1 if args.quick else 4,
    )
    run = run_benchmarks(config, command="python benchmarks/bench_images.py " + " ".join(argv))
    print(f"# censorsim image benchmark ({config.profile})")
    env = run.environment
    print(f"python {env['python']}, numpy {env['packages']['numpy']}, {env['cpu_count']} CPUs")

    print(f"\n## Hashing: {len(jpegs)} shipped JPEGs, images/s")
    print(f"{'algorithm':16} {'exact':>9} {'fast':>9} {'speed-up':>9}")
    for algo in ALGORITHMS:
        exact, fast = _rate(run, f"hash:{algo}"), _rate(run, f"hash:{algo}:fast")
        cells = [f"{v:9.1f}" if v else f"{'-':>9}" for v in (exact, fast)]
        ratio = f"{fast / exact:8.2f}x" if exact and fast else f"{'-':>9}"
        print(f"{algo:16} {cells[0]} {cells[1]} {ratio}")

    algorithms = ("phash", "dhash") if args.quick else ALGORITHMS
    print("\n## Fast (draft) decoding: hashes changed on the shipped JPEGs")
    effects = draft_effect(jpegs, algorithms)
    for algo, bits in effects.items():
        spread = f"{min(bits)}-{max(bits)} bits" if bits else "-"
        share = len(bits) / max(1, len(jpegs))
        print(f"{algo:16} {len(bits):3d}/{len(jpegs)} changed ({share:6.1%}), {spread}")

    dihedral: dict[str, dict[str, float]] = {}
    if not args.quick:
        print("\n## Mean distance from each rotation or mirror (shipped JPEGs)")
        dihedral = dihedral_distances(jpegs, ALGORITHMS)
        names = [t.value for t in Transform][1:]
        print(f"{'algorithm':16} " + " ".join(f"{t:>10}" for t in names))
        for algo, row in dihedral.items():
            print(f"{algo:16} " + " ".join(f"{row[t]:10.1f}" for t in names))

    print(f"\n## Index: random 64-bit hashes, radius {config.radius}, "
          f"{config.index_queries} queries, single-threaded")
    print(f"{'workload':18} {'contender':16} {'build s':>8} {'queries/s':>10} gate")
    for r in run.results:
        if r.suite != "index":
            continue
        build = f"{r.build.median:8.2f}" if r.build else f"{'-':>8}"
        rate = f"{r.throughput['queries']:10.0f}" if r.throughput else f"{'-':>10}"
        print(f"{r.workload:18} {r.contender:16} {build} {rate} {r.status}")
    for w in run.workloads:
        if w["suite"] == "index":
            ours = _rate(run, f"index:{DEFAULT_BACKEND}", w["name"])
            flat = _rate(run, "faiss-flat", w["name"])
            if ours and flat:
                print(f"default ({DEFAULT_BACKEND}) / faiss flat at {w['entries']}: "
                      f"{ours / flat:.1f}x")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        save_run(run, args.json.with_name(args.json.stem + "-run.json"))
        raw = {"draft": effects, "dihedral": dihedral}
        args.json.write_text(json.dumps(raw, indent=1))
    return 1 if run.gate_failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
