"""``censorsim scan``: check messages against keyword rules.

Input: plain lines (one message per line, id = ``FILE:LINE``) or JSON lines (objects
with ``text`` and an optional ``id``), from files or standard input. Output: JSON lines,
one per message (``id``, ``censored``, ``action``, ``rules``, ``spans`` in code points
of the original text, ``hits`` with each rule's components, and ``masked``), or a table
of the censored messages.

Exit status: 0 done; 1 ``--fail-on-hit`` was given and a message was censored; 2 bad
usage or bad input (the message names the file and line).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from censorsim.errors import InputError
from censorsim.models import ScanResult
from censorsim.text.matchers import BACKENDS
from censorsim.text.messages import MESSAGE_FORMATS, read_messages
from censorsim.text.normalize import PROFILES, Normalizer
from censorsim.text.rules import RuleSet
from censorsim.text.wordlists import load_rule_files

__all__ = ["register"]

_BATCH = 4096


def register(sub: Any) -> None:
    """Add the ``scan`` subcommand."""
    p = sub.add_parser(
        "scan",
        help="check messages against keyword rules",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "-r", "--rules", action="append", default=[], type=Path, metavar="FILE",
        help="rule file in a project format (plain, combination, csv, jsonl); repeatable",
    )
    p.add_argument(
        "--citizenlab", action="append", default=[], type=Path, metavar="PATH",
        help="a file or folder in one of Citizen Lab's published layouts; repeatable",
    )
    p.add_argument(
        "inputs", nargs="*", type=Path, metavar="MESSAGES",
        help="message files (default: standard input; '-' also means standard input)",
    )
    p.add_argument(
        "--input-format", choices=MESSAGE_FORMATS, default="auto",
        help="plain lines or JSON lines with a 'text' field (auto: by .jsonl suffix)",
    )
    p.add_argument(
        "-n", "--normalizer", default="default", metavar="PROFILE",
        help=f"profile ({', '.join(PROFILES)}) or '+'-joined steps (default: default)",
    )
    p.add_argument(
        "-b", "--backend", default="default", choices=["default", *BACKENDS],
        help="matcher backend (default: %(default)s)",
    )
    p.add_argument("--on", type=date.fromisoformat, help="only rules in force on this date")
    p.add_argument(
        "-f", "--format", choices=("jsonl", "table"), default="jsonl", help="output format"
    )
    p.add_argument("--only-censored", action="store_true", help="print censored messages only")
    p.add_argument("--explain", action="store_true", help="table: explain every decision")
    p.add_argument("--fail-on-hit", action="store_true", help="exit 1 if a message is censored")
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    p.set_defaults(func=run)


def _load_rules(args: argparse.Namespace) -> RuleSet:
    if not args.rules and not args.citizenlab:
        raise InputError("no rules: give --rules FILE or --citizenlab PATH")
    norm = Normalizer.from_spec(args.normalizer)
    rules = load_rule_files(args.rules, citizenlab=args.citizenlab, normalizer=norm)
    return RuleSet(rules, normalizer=norm, backend=args.backend)


def _messages(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    for src in args.inputs or [Path("-")]:
        if str(src) == "-":
            yield from read_messages(sys.stdin, args.input_format, name="<stdin>")
        else:
            yield from read_messages(src, args.input_format)


def _record(ident: str, result: ScanResult) -> dict[str, object]:
    return {
        "id": ident,
        "censored": result.censored,
        "action": result.action.name.lower(),
        "rules": list(result.rule_ids),
        "spans": [list(s) for s in result.spans()],
        "hits": [
            {
                "rule": h.rule.id,
                "action": h.rule.action.name.lower(),
                "matched": list(h.matched),
                "spans": [list(s) for s in h.spans],
            }
            for h in result.hits
        ],
        "masked": result.masked() if result.censored else None,
    }


def _json_line(record: dict[str, object]) -> str:
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: escape them, keep the JSON valid
        line = json.dumps(record, ensure_ascii=True)
    return line + "\n"


def _batches(items: Iterator[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    batch: list[tuple[str, str]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run(args: argparse.Namespace) -> int:
    """Run ``censorsim scan``."""
    ruleset = _load_rules(args)
    out = sys.stdout
    progress = None
    if not args.no_progress and sys.stderr.isatty():
        from tqdm import tqdm

        progress = tqdm(unit=" msg", file=sys.stderr, leave=False)
    total = censored = 0
    table_rows: list[tuple[str, ScanResult]] = []
    try:
        for batch in _batches(_messages(args), _BATCH):
            results = ruleset.check_many([t for _, t in batch], on=args.on)
            for (ident, _text), result in zip(batch, results, strict=True):
                total += 1
                if result.censored:
                    censored += 1
                elif args.only_censored:
                    continue
                if args.format == "jsonl":
                    out.write(_json_line(_record(ident, result)))
                elif result.censored or not args.only_censored:
                    table_rows.append((ident, result))
            if progress is not None:
                progress.update(len(batch))
    finally:
        if progress is not None:
            progress.close()
    if args.format == "table":
        _print_table(table_rows, args.explain, out)
        out.write(
            f"\n{censored} of {total} message(s) censored by {len(ruleset)} rule(s) "
            f"(normaliser {ruleset.normalizer.name}, backend {ruleset.matcher.name})\n"
        )
    out.flush()
    return 1 if args.fail_on_hit and censored else 0


def _print_table(rows: list[tuple[str, ScanResult]], explain: bool, out: TextIO) -> None:
    width = max([len(i) for i, _ in rows] + [2])
    out.write(f"{'id':<{width}}  {'action':<12}  {'rules':<30}  text\n")
    for ident, r in rows:
        rules = ",".join(r.rule_ids) or "-"
        shown = r.masked() if r.censored else r.text
        if len(shown) > 60:
            shown = shown[:57] + "..."
        shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")
        out.write(f"{ident:<{width}}  {r.action.name.lower():<12}  {rules[:30]:<30}  {shown}\n")
        if explain:
            explained = r.explain().encode("utf-8", "backslashreplace").decode("utf-8")
            for line in explained.splitlines():
                out.write(f"{'':<{width}}    {line}\n")
