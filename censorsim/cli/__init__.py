"""Command-line front end: ``censorsim SUBCOMMAND ...`` (also ``python -m censorsim``).

The CLI is the only layer that prints. Each subcommand lives in its own module of this
package and exposes ``register(subparsers)``; the parser sets ``func(args) -> int``.

Exit status: 0 success; 1 when ``scan``/``images match`` was asked to fail on findings
(``--fail-on-hit``) and found some; 2 bad usage or bad input (the message names the file).
The image commands fail closed: any input that could not be read is exit 2, even when
``images match --fail-on-hit`` also found a hit (an unchecked upload never passes).

Every error a user can cause reaches the terminal as one line,
``censorsim COMMAND: error: FILE[:LINE]: problem``, never as a traceback: library errors
(:class:`~censorsim.errors.CensorsimError`), operating-system errors on a named file
(missing, unreadable, disk full) and input nested too deeply to parse.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from censorsim.errors import CensorsimError

__all__ = ["main"]

# Subcommand modules, in the order their commands are listed in --help.
_COMMANDS = ("demo", "scan", "images", "bench", "simulate", "report", "evade", "probe",
             "compare", "lists", "firewall", "sweep")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand registered."""
    from censorsim import __version__

    parser = argparse.ArgumentParser(
        prog="censorsim",
        description="Simulate, measure and probe keyword and image censorship.",
    )
    parser.add_argument("--version", action="version", version=f"censorsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        try:
            module = importlib.import_module(f"censorsim.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"censorsim.cli.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except CensorsimError as exc:
        return _fail(args.command, str(exc))
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            return 0
        return _fail(args.command, _describe_os_error(exc))
    except RecursionError:
        return _fail(args.command, "input is nested too deeply to read")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _fail(command: str, problem: str) -> int:
    print(f"censorsim {command}: error: {problem}", file=sys.stderr)
    return 2


def _describe_os_error(exc: OSError) -> str:
    """``FILE: problem`` for an operating-system error, without Python's decoration."""
    problem = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"{exc.filename}: {problem}"
    return problem
