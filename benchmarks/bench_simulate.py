#!/usr/bin/env python3
"""Simulation benchmark: simulated messages/s with logging on vs Censor.check_many alone.

    python benchmarks/bench_simulate.py            # 200,000 messages, best of 5
    python benchmarks/bench_simulate.py --quick    # 20,000 messages, once (CI)

A thin front end over :mod:`censorsim.bench.simulate`; the figures are discussed in
``docs/simulation.md``. Exit status 1 if simulate < 0.5x check_many (the issue's target)
and ``--strict`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from dataclasses import asdict
from pathlib import Path

from censorsim.bench.simulate import bench_simulate

TARGET = 0.5


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run for CI")
    parser.add_argument("--messages", type=int, help="messages (default 200000; quick 20000)")
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, help="repeats (default 5; quick 1)")
    parser.add_argument("--json", type=Path, help="also save the result as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 below the target")
    args = parser.parse_args(argv)
    n = args.messages or (20_000 if args.quick else 200_000)
    repeat = args.repeat or (1 if args.quick else 5)
    r = bench_simulate(messages=n, batch_size=args.batch_size, repeat=repeat)
    print(f"# censorsim simulation benchmark ({'quick' if args.quick else 'full'})")
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs; WeChat profile, "
          f"{r.messages} messages, batches of {r.batch_size}, best of {repeat}")
    print(f"simulate (logging on):  {r.simulate_per_second:10,.0f} messages/s")
    print(f"Censor.check_many only: {r.check_many_per_second:10,.0f} messages/s")
    verdict = "meets" if r.ratio >= TARGET else "misses"
    print(f"ratio: {r.ratio:.2f}x ({verdict} the {TARGET}x target)")
    paired = ", ".join(f"{x:.2f}" for x in r.paired_ratios)
    print(f"paired ratios (each repeat back to back): {paired}; median {r.median_ratio:.2f}x")
    if args.json:
        args.json.write_text(json.dumps(
            {**asdict(r), "ratio": r.ratio, "median_ratio": r.median_ratio}, indent=2
        ))
    return 1 if args.strict and r.ratio < TARGET else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
