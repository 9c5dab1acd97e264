"""``censorsim lists``: a dated rule list over time.

    censorsim lists diff --on 2020-01-31 --on 2020-02-15 --citizenlab DATA \
        --dataset coronavirus/wechat
    censorsim lists timeline --citizenlab DATA --dataset coronavirus/wechat --plot covid.png
    censorsim lists diff --on 2017-07-01 --on 2017-07-20 wordlists/weibo.csv

A date in Citizen Lab's data is an observation ("first seen"), not the day a rule
started; a rule's ``removed`` date is the first day it was no longer in force.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from censorsim.errors import ParameterError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``lists`` command."""
    p = subparsers.add_parser(
        "lists",
        help="what a dated rule list added and removed between two days; its size over time",
        description="Dated rule lists (the rules' first-seen and removal dates): `diff` "
        "shows the rules first seen and removed between two days, `timeline` the list's "
        "size after each change (and a plot with --plot).",
    )
    sub = p.add_subparsers(dest="lists_command", metavar="ACTION", required=True)
    diff = sub.add_parser("diff", help="rules first seen and removed between two days")
    diff.add_argument("--on", action="append", required=True, metavar="YYYY-MM-DD",
                      help="a day; give it twice (before, after)")
    diff.add_argument("--limit", type=int, default=50, help="rows shown per side (default 50)")
    timeline = sub.add_parser("timeline", help="the list's size after each change")
    timeline.add_argument("--plot", type=Path, help="also draw the timeline to this PNG")
    for q in (diff, timeline):
        q.add_argument("files", nargs="*", type=Path, help="rule files (the project's formats)")
        q.add_argument("--citizenlab", action="append", type=Path, default=[], metavar="PATH",
                       help="a copy of Citizen Lab's chat-censorship data (or a folder in it)")
        q.add_argument("--dataset", help="only this Citizen Lab data set (name or prefix)")
        q.add_argument("--json", type=Path, help="also write the result as JSON")
        q.set_defaults(func=run)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"--on: expected a date YYYY-MM-DD, got {text!r}") from None


def run(args: argparse.Namespace) -> int:
    """Run the ``lists`` command."""
    from censorsim.research import diff_lists, list_timeline, plot_list_timeline
    from censorsim.text.wordlists import load_rule_files

    if not args.files and not args.citizenlab:
        raise ParameterError("give rule files or --citizenlab PATH")
    if args.lists_command == "diff":
        if len(args.on) != 2:
            raise ParameterError(f"diff: give --on exactly twice, got {len(args.on)}")
        if args.limit < 0:
            raise ParameterError(f"--limit must be 0 or more, got {args.limit}")
        before, after = _day(args.on[0]), _day(args.on[1])
    rules = load_rule_files(args.files, citizenlab=args.citizenlab, dataset=args.dataset)
    if args.lists_command == "diff":
        result = diff_lists(rules, before, after)
        print(result.to_markdown(limit=args.limit))
        data: Any = result.to_json()
    else:
        points = list_timeline(rules)
        print(f"{len(rules)} rules; size after each first-seen or removal day:")
        for d, n in points:
            print(f"{d}  {n}")
        data = {"rules": len(rules),
                "timeline": [{"date": d.isoformat(), "rules": n} for d, n in points]}
        if args.plot:
            plot_list_timeline({args.dataset or "rules": points}, args.plot)
            print(f"plot: {args.plot}")
    if args.json:
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                             encoding="utf-8")
        print(f"json: {args.json}")
    return 0
