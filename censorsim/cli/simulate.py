"""``censorsim simulate CONFIG.toml``: run (or resume) a simulation into a decision log.

    censorsim simulate samples/configs/wechat-day.toml --db run.db
    censorsim simulate samples/configs/wechat-day.toml --db run.db --export run.parquet
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from censorsim.simulate import Simulation, check_export, export_log, load_config

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``simulate`` command."""
    p = subparsers.add_parser(
        "simulate",
        help="run or resume a simulation into an SQLite decision log",
        description="Run the simulation a config file describes. An existing log of the "
        "same config is resumed from its last committed batch, if none of its inputs "
        "(config, corpus, images, policy and rule files) changed. One run writes a log at "
        "a time: another gets 'log in use by process N'.",
    )
    p.add_argument("config", type=Path, help="simulation config (TOML)")
    p.add_argument("--db", type=Path, default=Path("run.db"), help="the log (default run.db)")
    p.add_argument("--overwrite", action="store_true", help="start over in an existing log")
    p.add_argument("--max-batches", type=int, help="stop after this many new batches")
    p.add_argument("--export", type=Path, help="also export the log (.csv or .parquet)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar (there is none unless stderr is a terminal)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the ``simulate`` command."""
    config = load_config(args.config)
    if args.export:
        check_export(args.db, args.export)  # a bad --export fails before the run
    sim = Simulation(config)
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=config.messages, unit="msg", file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.n = done
            bar.refresh()

    summary = sim.run(args.db, overwrite=args.overwrite, max_batches=args.max_batches,
                      progress=progress)
    if bar is not None:
        bar.close()
    state = ("complete" if summary.complete else
             f"incomplete: {summary.messages} of {config.messages} messages; resume with the "
             "same command")
    resumed = f", resumed from {summary.resumed_from}" if summary.resumed_from else ""
    print(f"{summary.messages} messages in {summary.path} ({state}{resumed}); "
          f"{summary.seconds:.1f} s")
    if config.legal is not None:
        from censorsim.simulate import open_log

        with open_log(args.db) as log:
            n = log.legal_requests()
        print(f"{n} legal requests ({config.legal.name}; host platform "
              f"{config.legal.host or 'none'}): see censorsim report {args.db}")
    if args.export:
        n = export_log(args.db, args.export)
        print(f"exported {n} rows to {args.export}")
    return 0
