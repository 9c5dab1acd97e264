"""Shared plumbing of the research commands: subcommand groups and JSON/markdown output."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["command_group", "write_json", "write_text"]


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


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON (creating the folder)."""
    write_text(path, json.dumps(data, ensure_ascii=False, indent=1))


def write_text(path: Path, text: str) -> None:
    """Write ``text`` plus a final newline as UTF-8 (creating the folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
