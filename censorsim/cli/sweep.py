"""``censorsim sweep CONFIG.toml``: a grid of simulations in parallel, then metrics with
intervals across seeds.

    censorsim sweep samples/configs/sweep-wechat.toml --out sweep --workers 2

Every cell (platform x list x date x seed) is a simulation with its own resumable log in
``OUT/cells/``; running the same command again resumes a sweep stopped half-way. The
aggregate table (mean over seeds, two-sided 95% Student-t interval) is printed and
written to ``OUT/sweep.md`` and ``OUT/sweep.csv``, per-cell metrics to ``OUT/cells.csv``,
and a plot to ``OUT/sweep.png``. The config format is in ``docs/simulation.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from censorsim.cli._common import check_out_dir, int_at_least

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``sweep`` command."""
    p = subparsers.add_parser(
        "sweep", help="run a grid of simulations in parallel; intervals across seeds",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("config", type=Path, help="sweep config (TOML)")
    p.add_argument("--out", type=Path, default=Path("sweep"),
                   help="output folder (default: sweep)")
    engine = p.add_mutually_exclusive_group()
    engine.add_argument("--workers", type=int_at_least(1), default=None, metavar="N",
                        help="local processes (default: the CPUs)")
    engine.add_argument("--dask", nargs="?", const="local", metavar="ADDRESS",
                        help="run on Dask: a local cluster, or the scheduler at ADDRESS")
    p.add_argument("--no-plot", action="store_true", help="do not draw sweep.png")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar (there is none unless stderr is a terminal)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the ``sweep`` command."""
    from censorsim.distributed import cpu_count, load_sweep, run_sweep

    check_out_dir(args.out)
    sweep = load_sweep(args.config)
    workers = args.workers or cpu_count()
    if args.dask is not None:
        engine, address = "dask", (None if args.dask == "local" else args.dask)
    else:
        engine, address = ("processes" if workers > 1 else "serial"), None
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(sweep.cells), unit=" run", file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.n = done
            bar.refresh()

    try:
        result = run_sweep(sweep, args.out, engine=engine, workers=workers, address=address,
                           progress=progress, plot=not args.no_plot)
    finally:
        if bar is not None:
            bar.close()
    print(result.markdown(), end="")
    print(f"\n{len(result.cells)} simulation(s); wrote "
          f"{', '.join(str(f) for f in result.files)}")
    return 0
