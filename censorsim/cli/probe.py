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
import json
import sys
from pathlib import Path
from typing import Any

from censorsim.probe import METHODS, Oracle, isolate
from censorsim.research import (
    filler_alphabet,
    plot_validation,
    validate_probing,
    validation_table,
)
from censorsim.text.rules import RuleSet
from censorsim.text.wordlists import load_citizenlab, load_rules

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``probe`` command with its ``isolate`` and ``validate`` subcommands."""
    parser = subparsers.add_parser(
        "probe",
        help="isolate hidden keyword combinations through a censored-or-not oracle",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="probe_command", metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda args: _usage(parser))

    i = sub.add_parser("isolate", help="isolate the combination in one censored text")
    i.add_argument("text", nargs="?", help="the text (or --file)")
    i.add_argument("--file", type=Path, help="read the text from this file")
    i.add_argument("-r", "--rules", action="append", default=[], type=Path, metavar="FILE",
                   help="rule file of the simulated censor; repeatable")
    i.add_argument("--citizenlab", type=Path, metavar="PATH", help="rules from Citizen Lab data")
    i.add_argument("--dataset", help="with --citizenlab: only this data set")
    i.add_argument("-n", "--normalizer", default="default", help="the censor's normaliser")
    i.add_argument("-m", "--method", choices=list(METHODS), default="binary-split")
    i.add_argument("--separator", default="auto",
                   help="joins fragments; 'auto' (default): a common Han character that the "
                        "normaliser keeps and no keyword contains")
    i.add_argument("--budget", type=int, default=None, help="most queries allowed")
    i.set_defaults(func=_isolate)

    v = sub.add_parser("validate", help="score the methods on articles with known rules")
    v.add_argument("--citizenlab", type=Path, metavar="PATH",
                   help="a copy of Citizen Lab's data (read, never copied)")
    v.add_argument("--dataset", action="append", default=[],
                   help="a Citizen Lab data set, one table row each; repeatable")
    v.add_argument("-r", "--rules", action="append", default=[], type=Path, metavar="FILE",
                   help="a rule file, one table row each; repeatable")
    v.add_argument("--articles", type=int, default=100, help="articles per list")
    v.add_argument("--length", type=int, default=600, help="filler characters per article")
    v.add_argument("--max-rules", type=int, default=3, help="most rules planted per article")
    v.add_argument("--adjacent", type=float, default=0.0,
                   help="probability that a rule's components are planted side by side")
    v.add_argument("-n", "--normalizer", default="default", help="the censor's normaliser")
    v.add_argument("--seed", type=int, default=0)
    v.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    v.add_argument("--no-plot", action="store_true", help="skip the PNG")
    v.set_defaults(func=_validate)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _isolate(args: argparse.Namespace) -> int:
    if args.file is not None:
        text = args.file.read_text(encoding="utf-8").strip()
    elif args.text is not None:
        text = args.text
    else:
        print("censorsim probe isolate: error: give a text or --file", file=sys.stderr)
        return 2
    rules = []
    for f in args.rules:
        rules.extend(load_rules(f))
    if args.citizenlab is not None:
        rules.extend(load_citizenlab(args.citizenlab, args.dataset))
    if not rules:
        print("censorsim probe isolate: error: give --rules or --citizenlab", file=sys.stderr)
        return 2
    censor = RuleSet(rules, normalizer=args.normalizer)
    sep = args.separator
    if sep == "auto":
        sep = filler_alphabet(rules, censor.normalizer)[0]
    oracle = Oracle(censor, separator=sep, budget=args.budget)
    iso = isolate(oracle, text, args.method)
    if not iso.components and not iso.exhausted:
        print("not censored: nothing to isolate")
        return 0
    state = "confirmed" if iso.confirmed else ("budget spent" if iso.exhausted else
                                               "NOT confirmed")
    print(f"{'+'.join(iso.components)}\t{iso.queries} queries\t{state}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    lists: list[tuple[str, list[Any]]] = []
    if args.dataset and args.citizenlab is None:
        print("censorsim probe validate: error: --dataset needs --citizenlab", file=sys.stderr)
        return 2
    for ds in args.dataset:
        lists.append((ds, load_citizenlab(args.citizenlab, ds)))
    if args.citizenlab is not None and not args.dataset:
        lists.append(("citizenlab", load_citizenlab(args.citizenlab)))
    for f in args.rules:
        lists.append((f.name, load_rules(f)))
    if not lists:
        print("censorsim probe validate: error: give --citizenlab or --rules", file=sys.stderr)
        return 2
    results = []
    for name, rules in lists:
        print(f"validating {name} ({len(rules)} rules) ...", file=sys.stderr)
        try:
            results.append(validate_probing(
                rules, articles=args.articles, seed=args.seed, normalizer=args.normalizer,
                length=args.length, max_rules=args.max_rules, adjacent=args.adjacent,
                name=name,
            ))
        except ValueError as exc:
            print(f"censorsim probe validate: error: {name}: {exc}", file=sys.stderr)
            return 2
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    table = validation_table(results)
    (out / "validation.json").write_text(json.dumps(
        [v.to_json() for v in results], ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "validation.md").write_text(table + "\n", encoding="utf-8")
    if not args.no_plot:
        plot_validation(results, out / "validation.png")
    print(table)
    print(f"wrote {out}/", file=sys.stderr)
    return 0
