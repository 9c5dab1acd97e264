#!/usr/bin/env python3
"""Write ``benchmarks/README.md`` from a saved full run (tables and plots of that run).

    python benchmarks/write_readme.py benchmarks/results/bench-full.json \\
        [--extra notes.md] [--appendix more.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from censorsim.bench.tables import load_run, markdown

HERE = Path(__file__).resolve().parent

INTRO = """# Benchmarks

Thin scripts over `censorsim.bench` (see `docs/benchmarks.md` for the harness, the gate's
semantics, the measures and the JSON schema):

| script | what |
|---|---|
| `python -m censorsim bench --quick` | CI: every contender through the correctness gate (~1 min) |
| `python -m censorsim bench --full --out benchmarks/results` | the run below |
| `python -m censorsim bench --quick --compare results/baseline-quick.json` | CI's \
regression gate (`python3 dev.py bench`): paired ratios to each suite's reference contender \
against a 3-run baseline; see `results/regression-gate.md` |
| `python benchmarks/bench_text.py [--quick]` | issue 2: full pipeline vs raw pyahocorasick |
| `python benchmarks/bench_images.py [--quick]` | hashing modes, draft effect, \
dihedral distances, index |
| `python benchmarks/bench_images.py --clustered 1000000 10000000` | issue 16: the \
default index against faiss flat on clustered pHash-like hashes |
| `python benchmarks/write_readme.py benchmarks/results/bench-full.json` | this file |

Saved results: `results/bench-full.json` (this run, raw), `results/bench-full.md` (its
tables), `results/bench-full-*.png` (its plots), `results/baseline-quick.json` (the CI
baseline: ratios merged over three quick runs), `results/regression-gate.md` (how the gate
was accepted: runs on unchanged code and with a contender slowed 1.5x, and the clustered
index at 1M and 10M hashes).
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a run saved by censorsim bench --out")
    parser.add_argument("--extra", type=Path, help="markdown inserted before the tables")
    parser.add_argument("--appendix", type=Path, help="markdown appended after the tables")
    parser.add_argument("--out", type=Path, default=HERE / "README.md")
    args = parser.parse_args(argv)
    run = load_run(args.run)
    parts = [INTRO, "## Latest full run", ""]
    parts.append(f"Command: `{run.command or 'python -m censorsim bench --full'}`")
    parts.append("")
    if args.extra:
        parts.append(args.extra.read_text(encoding="utf-8"))
    stem = args.run.stem
    plots = sorted(args.run.parent.glob(f"{stem}-*.png"))
    for p in plots:
        rel = p.resolve().relative_to(args.out.resolve().parent)
        parts.append(f"![{p.stem}]({rel.as_posix()})")
        parts.append("")
    parts.append(markdown(run).replace("\n## ", "\n### "))
    if args.appendix:
        parts += ["", args.appendix.read_text(encoding="utf-8")]
    args.out.write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
