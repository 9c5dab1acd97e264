#!/usr/bin/env python3
"""Full pipeline vs raw pyahocorasick, messages/s, from one run of the harness.

    python benchmarks/bench_text.py            # 10,000 and 100,000 keywords, 10,000 messages
    python benchmarks/bench_text.py --quick    # 1,000 and 10,000 keywords, 1,000 messages
    python benchmarks/bench_text.py --json out/bench_text.json

The pipeline is ``RuleSet.check_many`` with the default normalisation profile (normalise,
match, evaluate one rule per keyword); the peer is pyahocorasick used directly, one
``Automaton.iter`` per message. Both pass the correctness gate first. Issue 2's targets:
pipeline >= 5x pyahocorasick on Chinese, and no slower on English. Exit status 1 if a
gate fails (not if a target is missed: this script measures, CI does not time).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from censorsim.bench.harness import BenchConfig, TextSpec, run_benchmarks
from censorsim.bench.tables import save_run

PIPELINE = "pipeline:default"
RAW = "pyahocorasick"
TARGETS = {"zh": 5.0, "en": 1.0}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats")
    parser.add_argument("--json", type=Path, help="also save the run as JSON")
    args = parser.parse_args(argv)
    sizes = (1_000, 10_000) if args.quick else (10_000, 100_000)
    n_messages = 1_000 if args.quick else 10_000
    specs = tuple(TextSpec(lang, n, n_messages) for lang in ("zh", "en") for n in sizes)
    config = BenchConfig(
        profile="bench_text-quick" if args.quick else "bench_text",
        suites=("text",),
        text=specs,
        contenders=(PIPELINE, RAW),
        repeats=args.repeats or (1 if args.quick else 3),
        latency_items=100,
    )
    run = run_benchmarks(config, command="python benchmarks/bench_text.py " + " ".join(argv))
    env = run.environment
    print(f"# pipeline ({PIPELINE}) vs raw {RAW}, chat messages 10-140 code points")
    print(f"{env['cpu_model']}, {env['cpu_count']} cores, python {env['python']}, "
          f"load {env['load_average']}")
    print(f"{'lang':4} {'keywords':>9} {'messages':>8} {'pipeline msg/s':>15} "
          f"{'raw msg/s':>11} {'ratio':>7} {'target':>7}  met")
    by = {(r.workload, r.contender): r for r in run.results}
    for w in run.workloads:
        pipe, raw = by.get((w["name"], PIPELINE)), by.get((w["name"], RAW))
        if pipe is None or raw is None or pipe.status != "ok" or raw.status != "ok":
            states = f"{pipe.status if pipe else '-'} / {raw.status if raw else '-'}"
            print(f"{w['language']:4} {w['keywords']:9,d} not timed ({states})")
            continue
        p, q = pipe.throughput["messages"], raw.throughput["messages"]
        target = TARGETS[w["language"]]
        met = "yes" if p / q >= target else "NO"
        print(f"{w['language']:4} {w['keywords']:9,d} {w['messages']:8,d} {p:15,.0f} "
              f"{q:11,.0f} {p / q:6.2f}x {target:6.1f}x  {met}")
    if args.json:
        save_run(run, args.json)
    failures = run.gate_failures
    for r in failures:
        print(f"GATE FAILED: {r.contender} on {r.workload}: {r.reason}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
