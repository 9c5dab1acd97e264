"""``censorsim report RUN.db``: plots and a markdown summary of a decision log.

    censorsim report run.db --out report/
    censorsim report run.db --export run.csv --no-plots
    censorsim report run.db --html      # also report.html, one self-contained page
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from censorsim.errors import ParameterError
from censorsim.simulate import check_export, export_log, write_report

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``report`` command."""
    p = subparsers.add_parser(
        "report",
        help="write plots and a markdown summary of a decision log",
        description="Censored share per surface, region and time window, top rules, "
        "collateral damage and time to deletion, as PNGs and summary.md (and "
        "report.html with --html); for a run with a [legal] section, also the "
        "transparency table of its legal requests per platform and two plots "
        "(docs/legal.md).",
    )
    p.add_argument("db", type=Path, help="the decision log")
    p.add_argument("--out", type=Path, help="output folder (default: <db>-report/)")
    p.add_argument("--window", type=float, default=60.0, help="time window, minutes")
    p.add_argument("--no-plots", action="store_true", help="only summary.md")
    p.add_argument("--html", action="store_true",
                   help="also write report.html: one self-contained page (plots inlined, "
                   "no network) with the tables, plots and a filter by surface, region "
                   "and rule")
    p.add_argument("--export", type=Path, help="also export the log (.csv or .parquet)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the ``report`` command."""
    if not (args.window > 0 and math.isfinite(args.window)):
        raise ParameterError(f"--window must be a positive number of minutes, got {args.window}")
    if args.export:
        check_export(args.db, args.export)
    out = args.out or args.db.with_name(args.db.stem + "-report")
    rep = write_report(args.db, out, window=args.window * 60, plots=not args.no_plots,
                       html=args.html)
    print(rep.markdown.read_text(encoding="utf-8"))
    print(f"summary: {rep.markdown}")
    for p in rep.plots:
        print(f"plot:    {p}")
    if rep.html is not None:
        print(f"page:    {rep.html}")
    if args.export:
        print(f"exported {export_log(args.db, args.export)} rows to {args.export}")
    return 0
