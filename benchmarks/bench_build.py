#!/usr/bin/env python3
"""Build time and resident memory per matcher backend, one fresh process each (issue 16 target 3).

    python benchmarks/bench_build.py                      # 200,000 keywords, three lists
    python benchmarks/bench_build.py --keywords 20000 --backend numpy-prefix

Each measurement runs in its own interpreter, so one backend's memory never counts
against another: the child imports censorsim, reads the keyword list from a file, notes
its resident set (``before``), builds, and reports the build's wall time and its peak
resident set (``VmHWM``, reset to the current set before the build) beyond ``before``,
and beyond a bare interpreter that only imported censorsim (``beyond interpreter``: the
issue's measure). Lists:

``zh-chat``
    :func:`censorsim.bench.workloads.make_workload` keywords (names and phrases).
``zh-dense``
    :func:`censorsim.bench.workloads.dense_workload` keywords (one and two characters).
``en-shared-prefix``
    ``w0..w199999`` (:func:`censorsim.bench.workloads.shared_prefix_workload`).

``pipeline`` is ``RuleSet.from_keywords`` (one rule per keyword, ids ``k0``, ``k1``, ...,
no ``Rule`` object made) with the default profile and backend: normalising every keyword,
merging, building the matcher. ``pipeline-rules`` is ``RuleSet`` over the same rules as
``Rule`` objects (made by ``keyword_rules``, shown apart as "of which Rules"). Target:
at most 2 s and 150 MB beyond the interpreter for 200,000 keywords.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

BACKENDS = ("pipeline", "pipeline-rules", "numpy-prefix", "daachorse", "ahocorasick-rs",
            "pyahocorasick-utf8", "hyperscan")

_CHILD = r"""
import json, sys, time
import censorsim.text.matchers as m
from censorsim.models import keyword_rules
from censorsim.text.rules import RuleSet

def status_mb(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(field)

def rss_mb():
    return status_mb("VmRSS")

backend, path = sys.argv[1], sys.argv[2]
keywords = open(path, encoding="utf-8").read().split("\n")
before = rss_mb()
try:  # reset the peak (VmHWM) to the current resident set, so imports do not count
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
except OSError:
    pass
start = time.perf_counter()
if backend == "pipeline":
    made = start
    built = RuleSet.from_keywords(keywords, ids=[f"k{i}" for i in range(len(keywords))])
elif backend == "pipeline-rules":
    rules = keyword_rules(keywords, ids=[f"k{i}" for i in range(len(keywords))])
    made = time.perf_counter()
    built = RuleSet(rules)
else:
    made = start
    built = m.make_matcher(keywords, backend)
seconds = time.perf_counter() - start
peak = status_mb("VmHWM")
print(json.dumps({"seconds": seconds, "rules_seconds": made - start, "before_mb": before,
                  "peak_mb": peak}))
"""

_BARE = r"""
import censorsim.text.rules
with open("/proc/self/status") as fh:
    print(next(int(x.split()[1]) / 1024 for x in fh if x.startswith("VmRSS:")))
"""


def _lists(n: int) -> dict[str, list[str]]:
    from censorsim.bench.workloads import dense_workload, make_workload, shared_prefix_workload

    return {
        "zh-chat": list(make_workload("zh", n, 1, seed=0).keywords),
        "zh-dense": list(dense_workload(n, 1, single=min(3_000, n // 2), combinations=0,
                                        seed=0).keywords),
        "en-shared-prefix": list(shared_prefix_workload(n, 1).keywords),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keywords", type=int, default=200_000)
    parser.add_argument("--backend", action="append", choices=BACKENDS)
    parser.add_argument("--list", action="append", dest="lists",
                        choices=("zh-chat", "zh-dense", "en-shared-prefix"))
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per build")
    parser.add_argument("--json", type=Path, help="also save the rows as JSON")
    args = parser.parse_args(argv)
    bare = float(subprocess.run([sys.executable, "-c", _BARE], capture_output=True, text=True,
                                check=True).stdout)
    print(f"# build of {args.keywords:,} keywords, one process per row; "
          f"interpreter with censorsim imported: {bare:.0f} MB")
    print(f"{'list':18} {'backend':20} {'seconds':>8} {'of which Rules':>15} "
          f"{'MB beyond list':>15} {'MB beyond interpreter':>22}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, keywords in _lists(args.keywords).items():
            if args.lists and name not in args.lists:
                continue
            path = Path(tmp) / f"{name}.txt"
            path.write_text("\n".join(keywords), encoding="utf-8")
            for backend in args.backend or BACKENDS:
                try:
                    done = subprocess.run(
                        [sys.executable, "-c", _CHILD, backend, str(path)],
                        capture_output=True, text=True, timeout=args.timeout,
                    )
                except subprocess.TimeoutExpired:
                    print(f"{name:18} {backend:20} over {args.timeout:.0f} s")
                    continue
                if done.returncode:
                    last = (done.stderr.strip().splitlines() or ["?"])[-1]
                    print(f"{name:18} {backend:20} failed: {last}")
                    continue
                got = json.loads(done.stdout)
                row = {"list": name, "backend": backend, "seconds": got["seconds"],
                       "rules_seconds": got["rules_seconds"],
                       "mb_beyond_list": got["peak_mb"] - got["before_mb"],
                       "mb_beyond_interpreter": got["peak_mb"] - bare}
                rows.append(row)
                print(f"{name:18} {backend:20} {row['seconds']:8.2f} "
                      f"{row['rules_seconds']:15.2f} {row['mb_beyond_list']:15.0f} "
                      f"{row['mb_beyond_interpreter']:22.0f}",
                      flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
