"""Shared plumbing of the research commands: subcommand groups, rule options, file output."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from censorsim.models import Rule
from censorsim.text.wordlists import load_rule_files

__all__ = ["add_rule_options", "command_group", "rules_from_options", "write_json", "write_text"]


def command_group(
    subparsers: Any, name: str, *, help: str, description: str | None
) -> tuple[argparse.ArgumentParser, Any]:
    """Add command ``name`` whose subcommands are added to the returned subparsers.

    Run without a subcommand, the command prints its help and exits with status 2.
    """
    parser = subparsers.add_parser(
        name, help=help, description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND")

    def usage(_args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    parser.set_defaults(func=usage)
    return parser, sub


def add_rule_options(parser: argparse.ArgumentParser, *, shipped: bool) -> None:
    """Add ``-r/--rules``, ``--citizenlab`` and ``--dataset``: the rules of the censor.

    With ``shipped``, naming no rules means the shipped example lists.
    """
    default = " (default: the shipped wordlists/*.csv)" if shipped else ""
    parser.add_argument("-r", "--rules", action="append", default=[], type=Path,
                        metavar="FILE", help=f"rule file{default}; repeatable")
    parser.add_argument("--citizenlab", type=Path, metavar="PATH",
                        help="also read rules from a copy of Citizen Lab's data")
    parser.add_argument("--dataset", help="with --citizenlab: only this data set")


def rules_from_options(args: argparse.Namespace, *, shipped: bool) -> list[Rule]:
    """The rules named by the options of :func:`add_rule_options`."""
    places = [args.citizenlab] if args.citizenlab is not None else []
    return load_rule_files(args.rules, citizenlab=places, dataset=args.dataset,
                           shipped=shipped)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON (creating the folder)."""
    write_text(path, json.dumps(data, ensure_ascii=False, indent=1))


def write_text(path: Path, text: str) -> None:
    """Write ``text`` plus a final newline as UTF-8 (creating the folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
