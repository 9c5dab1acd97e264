"""``censorsim scan``: check messages against keyword rules.

Input: plain lines (one message per line, id = ``FILE:LINE``) or JSON lines (objects
with ``text`` and an optional ``id``), from files or standard input, in UTF-8 unless
``--encoding`` says otherwise (text that is not valid in it is an error, never scanned
as mojibake). Output: JSON lines, one per message (``id``, ``fired``, ``censored``,
``action``, ``rules``, ``spans`` in code points of the original text, ``hits`` with each
rule's components, the ``found`` original text of each, and ``masked``), or a table:
the original text with what made a rule fire in ``[brackets]``, every rule id in full,
columns aligned by display width (CJK characters take two columns); ``--explain`` adds
each message's explanation (action names, keywords as written, near misses, exceptions).

"Censored" has one meaning: the most severe action of the rules that fired censors
(an action above ``flag``: limit-results, hide, delete-later, refuse, block, drop). A
message on which only ``deliver`` or ``flag`` rules fired is "fired" but not censored.
``--only-censored`` keeps censored messages; ``--only-fired`` keeps messages on which
any rule fired; ``masked`` (and the table's text) masks the spans of censored messages
only; ``--fail-on-hit`` exits 1 when a message is censored, ``--fail-on-fired`` when any
rule fired.

Rule files (-r) are read in the format --rules-format names; ``auto`` (the default)
chooses by suffix: ``.csv`` is csv, ``.jsonl``/``.ndjson`` jsonl, any other name the
combination format (``a+b`` is two components, ``a|b`` alternatives). A raw keyword
list whose keywords may contain ``+`` or ``|`` (``6+1``) needs ``--rules-format plain``.

With ``--platform NAME`` each message goes through a platform profile instead of rule
files (``censorsim.platforms``: its own rules, surfaces, regions and outcomes), sent on
``--surface`` (default: the profile's first) from an account in ``--region`` (default
mainland), on ``--on`` (default today): one JSON line per message with the decision's
``action``, ``outcome``, ``reason``, ``rules``, ``error`` (what the sender sees),
``hidden_from`` and ``delivered_text`` (the text as filtered recipients receive it:
``censorsim scan --platform line --region international`` shows LINE's asterisks).

With ``--out DIR`` the scan writes Parquet instead, partition by partition (one row per
message: source file, line, id, fired, censored, action, rules, spans), plus
``summary.json`` and a manifest; a scan stopped half-way resumes from the partitions
already written, if its inputs, rules and options are unchanged (``--fresh`` starts
over). ``--workers N`` runs it on N local processes, ``--dask`` on a Dask cluster started
for the run, ``--dask ADDRESS`` on the Dask scheduler there (the workers must see the
input files and DIR at the same paths); every way writes the same rows. Inputs may be
globs (quote them) and Parquet files with a ``text`` column. ``--errors record`` lists
bad lines in the summary and scans the rest. ``--platform NAME`` with ``--out`` checks
each message through the profile's censor instead of rule files (same columns).

Exit status: 0 done; 1 ``--fail-on-hit``/``--fail-on-fired`` was given and a message
matched it; 2 bad usage or bad input (the message names the file and line). When bad
input is found after results were written (JSON lines are written in batches of 4,096
messages), the error says how many results were written before it: they are a partial
result.
"""

from __future__ import annotations

import argparse
import codecs
import json
import sys
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from censorsim.cli._common import check_out_dir, int_at_least
from censorsim.errors import CensorsimError, InputError, ParameterError
from censorsim.models import ScanResult
from censorsim.text.matchers import BACKENDS
from censorsim.text.messages import MESSAGE_FORMATS, read_messages
from censorsim.text.normalize import PROFILES, Normalizer
from censorsim.text.rules import RuleSet
from censorsim.text.wordlists import load_rule_files

__all__ = ["register"]

_BATCH = 4096
_TEXT_COLUMNS = 100
"""The most terminal columns of a message the table shows."""
_RULE_FORMATS = ("auto", "plain", "combination", "csv", "jsonl")


def _encoding(value: str) -> str:
    try:
        return codecs.lookup(value).name
    except LookupError:
        raise argparse.ArgumentTypeError(f"unknown text encoding {value!r}") from None


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a YYYY-MM-DD date, got {value!r}") from None


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
        help="rule file in a project format (plain, combination, csv, jsonl; see "
        "--rules-format); repeatable",
    )
    p.add_argument(
        "--rules-format", choices=_RULE_FORMATS, default="auto",
        help="format of every -r file (default auto: .csv is csv, .jsonl/.ndjson jsonl, "
        "any other suffix, .txt included, combination; use plain for raw keyword lists)",
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
        "--encoding", default="utf-8", type=_encoding, metavar="NAME",
        help="text encoding of the message files and standard input (default utf-8; "
        "e.g. gbk, gb18030, big5, utf-16); text not valid in it is an error",
    )
    p.add_argument(
        "-n", "--normalizer", default="default", metavar="PROFILE",
        help=f"profile ({', '.join(PROFILES)}) or '+'-joined steps (default: default)",
    )
    p.add_argument(
        "-b", "--backend", default="default", choices=["default", *BACKENDS],
        help="matcher backend (default: %(default)s)",
    )
    p.add_argument(
        "--on", type=_iso_date, metavar="YYYY-MM-DD",
        help="only rules in force on this date (added <= date < removed)",
    )
    p.add_argument(
        "-f", "--format", choices=("jsonl", "table"), default="jsonl", help="output format"
    )
    p.add_argument(
        "--platform", metavar="NAME",
        help="check each message through a platform profile (wechat, weibo, search, "
        "qqmail, line, gfw) instead of rule files: JSON lines of its decisions",
    )
    p.add_argument("--surface", metavar="SURFACE",
                   help="with --platform: the surface (default: the profile's first)")
    p.add_argument("--region", default="mainland", metavar="REGION",
                   help="with --platform: the sender's account region (default mainland)")
    only = p.add_mutually_exclusive_group()
    only.add_argument(
        "--only-censored", action="store_true",
        help="print censored messages only (action above flag)",
    )
    only.add_argument(
        "--only-fired", action="store_true",
        help="print messages on which any rule fired (deliver and flag rules included)",
    )
    p.add_argument(
        "--explain", action="store_true",
        help="table: explain every message: the rules that fired by their text, the "
        "keywords as written, near misses and exceptions that saved it",
    )
    p.add_argument(
        "--fail-on-hit", action="store_true",
        help="exit 1 if a message is censored (action above flag)",
    )
    p.add_argument(
        "--fail-on-fired", action="store_true",
        help="exit 1 if any rule fired on a message (deliver and flag rules included)",
    )
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    par = p.add_argument_group("large corpora (Parquet output, parallel, resumable)")
    par.add_argument("--out", type=Path, metavar="DIR",
                     help="write Parquet partitions, summary.json and a manifest to DIR "
                     "instead of JSON lines; resumes a scan stopped half-way")
    engine = par.add_mutually_exclusive_group()
    engine.add_argument("--workers", type=int_at_least(1), default=1, metavar="N",
                        help="with --out: N local processes (default 1: this process)")
    engine.add_argument("--dask", nargs="?", const="local", metavar="ADDRESS",
                        help="with --out: run on Dask: a local cluster of --dask-workers "
                        "processes, or the scheduler at ADDRESS (tcp://host:8786)")
    par.add_argument("--dask-workers", type=int_at_least(1), default=None, metavar="N",
                     help="workers of the local Dask cluster (default: the CPUs)")
    par.add_argument("--errors", choices=("raise", "record"), default="raise",
                     help="with --out: stop at a bad line (raise), or list bad lines in "
                     "summary.json and scan the rest (record)")
    par.add_argument("--partition-size", type=int_at_least(1), default=100_000,
                     metavar="N", help="lines per partition (default 100000)")
    par.add_argument("--fresh", action="store_true",
                     help="with --out: discard an earlier scan in DIR and start over")
    p.set_defaults(func=run)


def _load_rules(args: argparse.Namespace) -> RuleSet:
    if not args.rules and not args.citizenlab:
        raise InputError("no rules: give --rules FILE or --citizenlab PATH")
    norm = Normalizer.from_spec(args.normalizer)
    rules = load_rule_files(
        args.rules, citizenlab=args.citizenlab, format=args.rules_format, normalizer=norm
    )
    return RuleSet(rules, normalizer=norm, backend=args.backend)


def _messages(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    for src in args.inputs or [Path("-")]:
        if str(src) == "-":
            stdin = getattr(sys.stdin, "buffer", sys.stdin)
            yield from read_messages(
                stdin, args.input_format, name="<stdin>", encoding=args.encoding
            )
        else:
            yield from read_messages(src, args.input_format, encoding=args.encoding)


def _record(ident: str, result: ScanResult) -> dict[str, object]:
    return {
        "id": ident,
        "fired": result.fired,
        "censored": result.censored,
        "action": result.action.name.lower(),
        "rules": list(result.rule_ids),
        "spans": [list(s) for s in result.spans()],
        "hits": [
            {
                "rule": h.rule.id,
                "action": h.rule.action.name.lower(),
                "matched": list(h.matched),
                "found": list(h.found),
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


def _check_parallel_options(args: argparse.Namespace) -> None:
    if args.out is None:
        needs = [name for name, given in (
            ("--workers", args.workers > 1), ("--dask", args.dask is not None),
            ("--errors record", args.errors == "record"), ("--fresh", args.fresh),
        ) if given]
        if needs:
            raise ParameterError(f"{needs[0]} writes Parquet partitions: give --out DIR")
        return
    if args.platform is not None and (args.rules or args.citizenlab):
        raise ParameterError("--platform takes the profile's own rules: drop -r/--citizenlab")
    for name, given in (("-f table", args.format == "table"), ("--explain", args.explain),
                        ("--only-censored", args.only_censored),
                        ("--only-fired", args.only_fired)):
        if given:
            raise ParameterError(f"{name} does not apply to --out (Parquet holds every "
                                 "message; filter it when reading)")
    if not args.inputs or any(str(src) == "-" for src in args.inputs):
        raise ParameterError("--out needs message files (standard input cannot be "
                             "partitioned)")
    check_out_dir(args.out)


def _run_partitioned(args: argparse.Namespace, ruleset: RuleSet | None) -> int:
    from censorsim.distributed import PlatformCheck, ShippedRules, cpu_count, scan_corpus

    shipped: ShippedRules | PlatformCheck
    if ruleset is None:  # --platform: the profile's censor
        shipped = PlatformCheck.from_profile(args.platform, surface=args.surface,
                                             region=args.region, on=args.on)
    else:
        shipped = ShippedRules.from_ruleset(ruleset, backend=args.backend)
    if args.dask is not None:
        engine, address = "dask", (None if args.dask == "local" else args.dask)
        workers = args.dask_workers or cpu_count()
    else:
        engine = "processes" if args.workers > 1 else "serial"
        address, workers = None, args.workers
    bar = None
    if not args.no_progress and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(unit=" partition", file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.n = done
            bar.refresh()

    try:
        summary = scan_corpus(
            [str(p) for p in args.inputs], shipped, args.out,
            format=args.input_format, encoding=args.encoding, on=args.on, errors=args.errors,
            partition_size=args.partition_size, engine=engine, workers=workers,
            address=address, fresh=args.fresh, progress=progress,
        )
    finally:
        if bar is not None:
            bar.close()
    resumed = f", {summary.resumed} resumed" if summary.resumed else ""
    bad = f"; {summary.bad_count} bad line(s) listed in summary.json" if summary.bad_count \
        else ""
    print(f"{summary.censored} of {summary.messages} message(s) censored, {summary.fired} "
          f"with a rule fired; {summary.partitions} partition(s){resumed} in {args.out} "
          f"({engine}, {workers} worker(s), {summary.seconds:.1f} s){bad}")
    return 1 if (args.fail_on_hit and summary.censored) or (
        args.fail_on_fired and summary.fired) else 0


def run(args: argparse.Namespace) -> int:
    """Run ``censorsim scan``."""
    _check_parallel_options(args)
    if args.platform is not None:
        return _run_partitioned(args, None) if args.out is not None else _run_platform(args)
    if args.surface is not None:
        raise ParameterError("--surface applies to --platform")
    ruleset = _load_rules(args)
    if args.out is not None:
        return _run_partitioned(args, ruleset)
    out = sys.stdout
    progress = None
    if not args.no_progress and sys.stderr.isatty():
        from tqdm import tqdm

        progress = tqdm(unit=" msg", file=sys.stderr, leave=False)
    total = censored = fired = written = 0
    table_rows: list[tuple[str, ScanResult]] = []
    try:
        for batch in _batches(_messages(args), _BATCH):
            results = ruleset.check_many([t for _, t in batch], on=args.on)
            for (ident, _text), result in zip(batch, results, strict=True):
                total += 1
                censored += result.censored
                fired += result.fired
                if (args.only_censored and not result.censored) or (
                    args.only_fired and not result.fired
                ):
                    continue
                if args.format == "jsonl":
                    out.write(_json_line(_record(ident, result)))
                    written += 1
                else:
                    table_rows.append((ident, result))
            if progress is not None:
                progress.update(len(batch))
    except CensorsimError as exc:
        if not written:
            raise
        out.flush()
        raise InputError(
            f"{exc} -- scan stopped here: the {written} result(s) already written "
            f"(of the first {total} message(s)) are a partial result"
        ) from None
    finally:
        if progress is not None:
            progress.close()
    if args.format == "table":
        _print_table(table_rows, args.explain, out)
        out.write(
            f"\n{censored} of {total} message(s) censored, {fired} with a rule fired, "
            f"by {len(ruleset)} rule(s) "
            f"(normaliser {ruleset.normalizer.name}, backend {ruleset.matcher.name})\n"
        )
    out.flush()
    return 1 if (args.fail_on_hit and censored) or (args.fail_on_fired and fired) else 0


def _run_platform(args: argparse.Namespace) -> int:
    """``scan --platform``: each message through the profile's censor, as JSON lines."""
    from datetime import datetime

    from censorsim.models import Message, Region, Surface
    from censorsim.platforms import make_profile
    from censorsim.policy import Censor

    for name, given in (("-r/--rules", args.rules), ("--citizenlab", args.citizenlab),
                        ("-f table", args.format == "table"), ("--out", args.out),
                        ("--explain", args.explain)):
        if given:
            raise ParameterError(f"--platform takes the profile's own rules and writes "
                                 f"JSON lines: drop {name}")
    censor = Censor(make_profile(args.platform))
    policy = censor.policy
    surface = (Surface.parse(args.surface) if args.surface is not None
               else policy.surfaces[0].surface)
    policy.surface(surface)  # raises naming the surfaces the profile has
    region = Region.parse(args.region)
    day = args.on or date.today()
    at = datetime(day.year, day.month, day.day, 12)
    out = sys.stdout
    total = censored = fired = 0
    for batch in _batches(_messages(args), _BATCH):
        decisions = censor.check_many([Message(t, surface, region) for _, t in batch], at=at)
        for (ident, _text), d in zip(batch, decisions, strict=True):
            total += 1
            censored += d.censored
            fired += bool(d.rule_ids)
            if (args.only_censored and not d.censored) or (args.only_fired and not d.rule_ids):
                continue
            out.write(_json_line({
                "id": ident, "platform": policy.name, "surface": surface.value,
                "region": region.value, "censored": d.censored,
                "action": d.action.name.lower(), "outcome": d.outcome.value,
                "reason": d.reason.value, "rules": list(d.rule_ids), "error": d.error,
                "hidden_from": sorted(r.value for r in d.hidden_from),
                "delivered_text": d.delivered_text,
            }))
    out.flush()
    return 1 if (args.fail_on_hit and censored) or (args.fail_on_fired and fired) else 0


def _width(text: str) -> int:
    """Terminal columns of ``text``: 2 for wide and full-width (CJK) characters, 0 for
    combining marks and format characters, 1 otherwise."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n


def _pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns."""
    return text + " " * max(0, width - _width(text))


def _clip(text: str, first: int, limit: int = _TEXT_COLUMNS) -> str:
    """At most ``limit`` columns of ``text``, starting a little before index ``first``."""
    if _width(text) <= limit:
        return text
    start = first
    room = 10  # columns of context kept before the first mark
    while start > 0 and room > 0:
        start -= 1
        room -= _width(text[start])
    head = "…" if start > 0 else ""
    out: list[str] = []
    used = _width(head) + 1  # one column kept for a trailing "…"
    for ch in text[start:]:
        w = _width(ch)
        if used + w > limit:
            return head + "".join(out) + "…"
        out.append(ch)
        used += w
    return head + "".join(out)


def _safe(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _print_table(rows: list[tuple[str, ScanResult]], explain: bool, out: TextIO) -> None:
    """The original text with the spans that made a rule fire in [brackets], every rule
    id in full, columns aligned by display width (CJK characters take two columns)."""
    cells = [(_safe(ident), r.action.name, ", ".join(_safe(x) for x in r.rule_ids) or "-", r)
             for ident, r in rows]
    wi = max([_width(c[0]) for c in cells] + [2])
    wa = max([len(c[1]) for c in cells] + [6])
    wr = max([_width(c[2]) for c in cells] + [5])
    out.write(f"{_pad('id', wi)}  {_pad('action', wa)}  {_pad('rules', wr)}  "
              "text ([...]: what made a rule fire)\n")
    for ident, action, rules, r in cells:
        spans = r.spans()
        marked = r.marked()
        first = spans[0][0] if spans else 0
        shown = _safe(_clip(marked, first))
        out.write(f"{_pad(ident, wi)}  {_pad(action, wa)}  {_pad(rules, wr)}  {shown}\n")
        if explain:
            for line in _safe(r.explain()).splitlines():
                out.write(f"{'':<{wi}}    {line}\n")
