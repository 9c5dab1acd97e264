"""``censorsim bench``: gate, time and compare matcher, index and hasher contenders.

    censorsim bench --quick                                  # CI: gate everything, ~1 min
    censorsim bench --full --out benchmarks/results           # the README's run, ~20 min
    censorsim bench --quick --compare benchmarks/results/baseline-quick.json
    censorsim bench --baseline-from r1.json r2.json r3.json --save-baseline base.json
    censorsim bench --keywords words.txt --corpus chat.txt --suite text
    censorsim bench --list

Exit status: 0 when every gate passed (and nothing regressed, with ``--compare``);
1 when a gate failed or a contender regressed (by the rule of
:mod:`censorsim.bench.compare`); 2 for bad usage or
bad input, reported before anything runs: an option out of range, an unknown contender,
a ``--keywords``, ``--corpus`` or ``--compare`` file that is missing, not a regular
file, not UTF-8, malformed or empty, or an ``--out``/``--save-baseline`` that cannot
be written. ``--slowdown NAME=1.5`` slows a contender down to test the gate.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from censorsim.cli._common import (
    check_out_dir,
    check_out_file,
    check_regular_file,
    finite_float,
    int_at_least,
    write_text,
)
from censorsim.errors import InputError, ParameterError, UnknownNameError, WordlistError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``bench`` command."""
    p = subparsers.add_parser(
        "bench",
        help="benchmark matchers, indexes and hashers behind a correctness gate",
        description=(
            "Run every contender through the correctness gate, then time it; write JSON, "
            "markdown and plots; optionally compare with a saved baseline."
        ),
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="the small CI profile (default)")
    mode.add_argument("--full", action="store_true", help="the full profile (~20 minutes)")
    p.add_argument("--suite", action="append", choices=("text", "index", "hash"),
                   help="run only this suite (repeatable; default all)")
    p.add_argument("--contender", action="append", default=[], metavar="NAME",
                   help="run only this contender (repeatable; 'censorsim:' selects a prefix)")
    p.add_argument("--keywords", type=Path, help="your keyword or rule file (with --corpus)")
    p.add_argument("--corpus", type=Path, help="your corpus, one message per line")
    p.add_argument("--max-messages", type=int_at_least(1),
                   help="read at most this many corpus lines")
    p.add_argument("--repeats", type=int_at_least(1), help="timed repeats (default: profile's)")
    p.add_argument("--budget", type=finite_float(0.0, above=True),
                   help="seconds per scan above which a text contender is not timed "
                        "(default: profile's)")
    p.add_argument("--pairs", type=int_at_least(0),
                   help="scan samples paired with the reference contender (default: "
                        "profile's; 0: unpaired repeats)")
    p.add_argument("--slowdown", action="append", default=[], metavar="NAME=FACTOR",
                   help="slow this contender down by FACTOR (>= 1) to test the regression "
                        "gate (repeatable)")
    p.add_argument("--seed", type=int, default=0, help="workload seed (default 0)")
    p.add_argument("--out", type=Path, help="write bench-<profile>.json/.md and plots here")
    p.add_argument("--no-plots", action="store_true", help="do not draw plots")
    p.add_argument("--compare", type=Path, metavar="BASELINE",
                   help="compare with a baseline (or a saved run); exit 1 on a regression")
    p.add_argument("--tolerance", type=finite_float(0.0, 1.0), default=0.2,
                   help="smallest relative slowdown that counts as a regression "
                        "(default 0.2)")
    p.add_argument("--z", type=finite_float(0.0), default=3.5,
                   help="a regression must also exceed this many times the measured "
                        "run-to-run noise (default 3.5)")
    p.add_argument("--reference", metavar="NAME",
                   help="text contender the ratios of unpaired runs are taken to "
                        "(default pyahocorasick; paired runs use their own)")
    p.add_argument("--save-baseline", type=Path, metavar="PATH",
                   help="save this run's ratios (or those of --baseline-from) as a baseline")
    p.add_argument("--baseline-from", type=Path, nargs="+", metavar="RUN",
                   help="with --save-baseline: merge these saved runs (on unchanged code) "
                        "into a baseline instead of running")
    p.add_argument("--list", action="store_true", help="list the contenders and exit")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=_run)


def _list() -> int:
    from censorsim.bench.contender import contenders

    for c in contenders():
        print(f"{c.suite:6} {c.name:28} {c.semantics:28} {c.missing() or 'available'}")
    return 0


def _check_names(args: argparse.Namespace) -> None:
    """Refuse ``--contender``, ``--slowdown`` and ``--reference`` names that select nothing."""
    if not args.contender and args.reference is None and not args.slowdown:
        return
    from censorsim.bench.contender import contenders

    names = tuple(c.name for c in contenders())
    for given in args.contender:
        if not any(n == given or (given.endswith(":") and n.startswith(given)) for n in names):
            raise UnknownNameError("bench contender", given, names)
    for given in args.slowdown:
        name = _slowdown(given)[0]
        if name not in names:
            raise UnknownNameError("bench contender", name, names)
    if args.reference is not None:
        text = tuple(c.name for c in contenders("text"))
        if args.reference not in text:
            raise UnknownNameError("text contender", args.reference, text)


def _slowdown(given: str) -> tuple[str, float]:
    """``NAME=FACTOR`` as a pair; refuses anything else."""
    name, sep, factor = given.rpartition("=")
    try:
        value = float(factor)
    except ValueError:
        value = float("nan")
    if not sep or not name or not value >= 1.0 or value == float("inf"):
        raise ParameterError(f"--slowdown wants NAME=FACTOR with FACTOR >= 1, not {given!r}")
    return name, value


def _baseline(path: Path, load: Any, option: str = "--compare") -> Any:
    """The run saved at ``path``; every way it can be unreadable names the file."""
    check_regular_file(path, option)
    try:
        return load(path)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 (invalid byte at offset {exc.start}); "
                         "not a saved benchmark run") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply; not a saved benchmark run") from None
    except ParameterError as exc:
        if str(path) in str(exc):
            raise
        raise ParameterError(f"{path}: {exc}") from None


def _run(args: argparse.Namespace) -> int:
    if args.list:
        return _list()
    from censorsim.bench.compare import (
        compare_runs,
        load_baseline,
        make_baseline,
        save_baseline,
    )
    from censorsim.bench.harness import BenchConfig, run_benchmarks
    from censorsim.bench.tables import load_run, markdown, plot_run, save_run
    from censorsim.bench.workloads import load_workload

    if args.baseline_from:
        if args.save_baseline is None:
            raise ParameterError("--baseline-from needs --save-baseline PATH")
        check_out_file(args.save_baseline, "--save-baseline")
        runs = [_baseline(p, load_run, "--baseline-from") for p in args.baseline_from]
        merged = make_baseline(runs)
        save_baseline(merged, args.save_baseline)
        print(f"wrote {args.save_baseline}: {len(merged.rows)} rows from {len(runs)} run(s)")
        return 0

    if (args.keywords is None) != (args.corpus is None):
        raise ParameterError("--keywords and --corpus go together")
    if not 0.0 <= args.tolerance < 1.0:
        raise ParameterError(f"--tolerance must be in [0, 1), got {args.tolerance:g}")
    if args.out is not None:
        check_out_dir(args.out)
    if args.save_baseline is not None:
        check_out_file(args.save_baseline, "--save-baseline")
    _check_names(args)
    overrides: dict[str, Any] = {"seed": args.seed}
    if args.suite:
        overrides["suites"] = tuple(dict.fromkeys(args.suite))
    if args.contender:
        overrides["contenders"] = tuple(args.contender)
    if args.repeats is not None:
        overrides["repeats"] = args.repeats
    if args.budget is not None:
        overrides["budget_seconds"] = args.budget
    if args.pairs is not None:
        overrides["pairs"] = args.pairs
    if args.slowdown:
        overrides["slowdown"] = tuple(_slowdown(s) for s in args.slowdown)
    baseline = _baseline(args.compare, load_baseline) if args.compare is not None else None
    if args.keywords is not None:
        check_regular_file(args.keywords, "--keywords")
        check_regular_file(args.corpus, "--corpus")
        user = load_workload(args.keywords, args.corpus, max_messages=args.max_messages)
        if not user.keywords:
            raise WordlistError("no keywords in the file", path=args.keywords)
        if not user.messages:
            raise InputError(f"{args.corpus}: no messages (the corpus has no non-empty line)")
        overrides["text"] = ()
        overrides["extra_workloads"] = (user,)
    config = BenchConfig.full(**overrides) if args.full else BenchConfig.quick(**overrides)

    start = time.perf_counter()

    def progress(line: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - start:7.1f}s] {line}", file=sys.stderr, flush=True)

    command = "python -m censorsim bench " + " ".join(shlex.quote(a) for a in sys.argv[2:]) \
        if sys.argv[1:2] == ["bench"] else ""
    run = run_benchmarks(config, progress=progress, command=command)
    report = markdown(run)
    print(report)
    if args.out is not None:
        stem = f"bench-{config.profile}"
        save_run(run, args.out / f"{stem}.json")
        write_text(args.out / f"{stem}.md", report.rstrip("\n"))
        if not args.no_plots:
            for path in plot_run(run, args.out, prefix=f"{stem}-"):
                progress(f"wrote {path}")
        progress(f"wrote {args.out / (stem + '.json')} and {stem}.md")
    if args.save_baseline is not None:
        save_baseline(make_baseline([run]), args.save_baseline)
    status = 0
    failures = run.gate_failures
    if failures:
        names = ", ".join(f"{r.contender} on {r.workload}" for r in failures)
        print(f"GATE FAILED: {names}", file=sys.stderr)
        status = 1
    else:
        print(f"gate passed: {sum(r.status == 'ok' for r in run.results)} contender runs "
              f"timed, {sum(r.status == 'skipped' for r in run.results)} skipped, "
              f"{sum(r.status == 'over-budget' for r in run.results)} over budget")
    if baseline is not None:
        refs = {"text": args.reference} if args.reference else None
        comparison = compare_runs(run, baseline, tolerance=args.tolerance, z=args.z,
                                  references=refs)
        print(comparison.markdown())
        if not comparison.ok:
            names = ", ".join(f"{r.contender} on {r.workload} ({r.change:+.0%})"
                              for r in comparison.regressions)
            print(f"REGRESSION: {len(comparison.regressions)} contender(s): {names}",
                  file=sys.stderr)
            status = 1
        else:
            print(f"no regression: {len(comparison.rows)} rows compared")
    return status
