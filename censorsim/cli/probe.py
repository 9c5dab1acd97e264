"""``censorsim probe``: isolate the keyword combination that made a filter act.

    censorsim probe isolate -r rules.csv "今天习近平说要三连任"
    censorsim probe isolate -r rules.csv --file article.txt --method recursive-halving
    censorsim probe validate --citizenlab ../shared/data/citizenlab \\
        --dataset wechat/709crackdown --dataset coronavirus/wechat --dataset qqmail \\
        --articles 200 --out results/probe

``validate`` builds articles with known rules in generated filler, censors them with the
full list, isolates with each method and writes ``validation.json``, ``validation.md`` and
``validation.png`` into ``--out``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from censorsim.cli._common import (
    add_rule_options,
    check_out_dir,
    command_group,
    finite_float,
    int_at_least,
    rules_from_options,
    write_json,
    write_text,
)
from censorsim.errors import ParameterError
from censorsim.models import Rule
from censorsim.probe import METHODS, Oracle, isolate
from censorsim.research import (
    load_article,
    plot_validation,
    validate_probing,
    validation_table,
)
from censorsim.text.rules import RuleSet
from censorsim.text.wordlists import load_rule_files

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``probe`` command with its ``isolate`` and ``validate`` subcommands."""
    _, sub = command_group(
        subparsers, "probe", description=__doc__,
        help="isolate hidden keyword combinations through a censored-or-not oracle",
    )

    i = sub.add_parser("isolate", help="isolate the combination in one censored text")
    i.add_argument("text", nargs="?", help="the text (or --file)")
    i.add_argument("--file", type=Path, help="read the text from this file")
    add_rule_options(i, shipped=False)
    i.add_argument("-n", "--normalizer", default="default", help="the censor's normaliser")
    i.add_argument("-m", "--method", choices=list(METHODS), default="binary-split")
    i.add_argument("--separator", default="auto",
                   help="joins fragments; 'auto' (default): a common Han character that the "
                        "normaliser keeps and no keyword contains. A separator the "
                        "normaliser removes, or that a keyword contains, is refused")
    i.add_argument("--budget", type=int_at_least(0), default=None,
                   help="most queries allowed")
    i.set_defaults(func=_isolate)

    v = sub.add_parser("validate", help="score the methods on articles with known rules")
    v.add_argument("--citizenlab", type=Path, metavar="PATH",
                   help="a copy of Citizen Lab's data (read, never copied)")
    v.add_argument("--dataset", action="append", default=[],
                   help="a Citizen Lab data set, one table row each; repeatable")
    v.add_argument("-r", "--rules", action="append", default=[], type=Path, metavar="FILE",
                   help="a rule file, one table row each; repeatable")
    v.add_argument("--articles", type=int_at_least(1), default=100, help="articles per list")
    v.add_argument("--length", type=int_at_least(0), default=600,
                   help="filler characters per article")
    v.add_argument("--max-rules", type=int_at_least(1), default=3,
                   help="most rules planted per article")
    v.add_argument("--adjacent", type=finite_float(0.0, 1.0), default=0.0,
                   help="probability that a rule's components are planted side by side")
    v.add_argument("-n", "--normalizer", default="default", help="the censor's normaliser")
    v.add_argument("--seed", type=int, default=0)
    v.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    v.add_argument("--no-plot", action="store_true", help="skip the PNG")
    v.set_defaults(func=_validate)


def _isolate(args: argparse.Namespace) -> int:
    if args.file is not None and args.text is not None:
        raise ParameterError("give a text or --file, not both")
    if args.file is not None:
        text = load_article(args.file)
    elif args.text is not None:
        text = args.text
    else:
        raise ParameterError("give a text or --file")
    rules = rules_from_options(args, shipped=False)
    if not rules:
        raise ParameterError("give --rules or --citizenlab")
    censor = RuleSet(rules, normalizer=args.normalizer)
    sep = None if args.separator == "auto" else args.separator
    iso = isolate(Oracle(censor, separator=sep, budget=args.budget), text, args.method)
    if not iso.components and not iso.exhausted:
        print("not censored: nothing to isolate")
        return 0
    state = "confirmed" if iso.confirmed else ("budget spent" if iso.exhausted else
                                               "NOT confirmed")
    print(f"{'+'.join(iso.components)}\t{iso.queries} queries\t{state}")
    return 0


def _rule_lists(args: argparse.Namespace) -> list[tuple[str, list[Rule]]]:
    if args.dataset and args.citizenlab is None:
        raise ParameterError("--dataset needs --citizenlab")
    lists = [(ds, load_rule_files(citizenlab=[args.citizenlab], dataset=ds))
             for ds in args.dataset]
    if args.citizenlab is not None and not args.dataset:
        lists.append(("citizenlab", load_rule_files(citizenlab=[args.citizenlab])))
    lists += [(f.name, load_rule_files([f])) for f in args.rules]
    if not lists:
        raise ParameterError("give --citizenlab or --rules")
    return lists


def _validate(args: argparse.Namespace) -> int:
    check_out_dir(args.out)
    results = []
    for name, rules in _rule_lists(args):
        print(f"validating {name} ({len(rules)} rules) ...", file=sys.stderr)
        results.append(validate_probing(
            rules, articles=args.articles, seed=args.seed, normalizer=args.normalizer,
            length=args.length, max_rules=args.max_rules, adjacent=args.adjacent, name=name,
        ))
    out: Path = args.out
    table = validation_table(results)
    write_json(out / "validation.json", [v.to_json() for v in results])
    write_text(out / "validation.md", table)
    if not args.no_plot:
        plot_validation(results, out / "validation.png")
    print(table)
    print(f"wrote {out}/", file=sys.stderr)
    return 0
