"""Shared plumbing of the research commands: subcommand groups, rule options, file output.

Output folders are checked before any work starts (:func:`check_out_dir`), and files are
written whole or not at all (a temporary file in the same folder, then renamed).
Numeric options are parsed by the ``type=`` helpers here, so a value out of range is a
usage error (exit 2) naming the option, before anything runs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from censorsim.errors import InputError, ParameterError
from censorsim.models import Rule
from censorsim.text.wordlists import load_rule_files

__all__ = [
    "add_rule_options",
    "check_out_dir",
    "check_out_file",
    "check_regular_file",
    "command_group",
    "finite_float",
    "int_at_least",
    "rules_from_options",
    "write_json",
    "write_text",
]


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


def int_at_least(low: int) -> Callable[[str], int]:
    """An argparse ``type``: an integer >= ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}")
        return value

    parse.__name__ = f"integer >= {low}"
    return parse


def finite_float(low: float | None = None, high: float | None = None, *,
                 above: bool = False) -> Callable[[str], float]:
    """An argparse ``type``: a finite number (not NaN or infinite) in ``[low, high]``
    (``(low, high]`` with ``above``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
        if low is not None and (value <= low if above else value < low):
            raise argparse.ArgumentTypeError(f"must be {'>' if above else '>='} {low:g}, "
                                             f"got {text}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be <= {high:g}, got {text}")
        return value

    parse.__name__ = "number"
    return parse


def _first_existing(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def check_out_dir(path: Path, option: str = "--out") -> None:
    """Refuse an output folder that cannot be one, before any work is done.

    Raises:
        ParameterError: ``path`` (or a folder on the way to it) exists and is not a
            folder, or the folder that would hold it is not writable.
    """
    existing = _first_existing(path)
    if not existing.is_dir():
        what = "is" if existing == path.absolute() else f"is inside {existing}, which is"
        raise ParameterError(f"{option} {path}: {what} not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ParameterError(f"{option} {path}: cannot write to {existing}")


def check_out_file(path: Path, option: str) -> None:
    """Refuse an output file path that cannot be written, before any work is done.

    Raises:
        ParameterError: ``path`` is a folder, or its folder cannot be one.
    """
    if path.is_dir():
        raise ParameterError(f"{option} {path}: is a folder, not a file")
    check_out_dir(path.parent, option)


def check_regular_file(path: Path, option: str) -> None:
    """Refuse an input that is missing or not a regular file (a folder, a FIFO that would
    block, a device that never ends) before anything opens it.

    Raises:
        InputError: naming the option, the path and what it is.
    """
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InputError(f"{option} {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else \
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"
        raise InputError(f"{option} {path}: {kind}, not a regular file")


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON (creating the folder)."""
    write_text(path, json.dumps(data, ensure_ascii=False, indent=1))


def write_text(path: Path, text: str) -> None:
    """Write ``text`` plus a final newline as UTF-8 (creating the folder).

    The file is replaced whole: written to a temporary file beside it, then renamed, so
    a failure (a full disk) leaves the previous file as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    # O_EXCL: never follow or reuse an existing name; mode 0o666 minus the umask, as a
    # plain open() would create it.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
