"""Message files: reading the texts to check, as ``(id, text)`` pairs.

Two formats:

* **lines**: one message per line (line ends removed, blank lines kept as empty
  messages); the id is ``NAME:LINE``.
* **jsonl**: one JSON object per line with a ``text`` string and an optional ``id``
  (default ``NAME:LINE``); blank lines are skipped.

``auto`` picks ``jsonl`` for names ending in ``.jsonl`` or ``.ndjson`` and ``lines``
otherwise. Bytes that are not UTF-8 are kept as lone surrogates (``surrogateescape``),
so no message is lost. A malformed line raises :class:`~censorsim.errors.InputError`
naming the file and the line.

Example:
    >>> import io
    >>> list(read_messages(io.StringIO('{"text": "六四", "id": "a"}\\n'), "jsonl"))
    [('a', '六四')]
    >>> list(read_messages(io.StringIO("x\\ny\\n"), name="chat.txt"))
    [('chat.txt:1', 'x'), ('chat.txt:2', 'y')]
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, TextIO

from censorsim.errors import InputError, UnknownNameError

__all__ = ["MESSAGE_FORMATS", "MessageFormat", "read_messages"]

MessageFormat = Literal["auto", "lines", "jsonl"]
MESSAGE_FORMATS: tuple[str, ...] = ("auto", "lines", "jsonl")
"""The message formats :func:`read_messages` accepts."""


def _format_of(name: str, format: str) -> str:
    if format not in MESSAGE_FORMATS:
        raise UnknownNameError("message format", format, MESSAGE_FORMATS)
    if format == "auto":
        return "jsonl" if name.endswith((".jsonl", ".ndjson")) else "lines"
    return format


def read_messages(
    source: str | Path | TextIO,
    format: MessageFormat = "auto",
    *,
    name: str | None = None,
) -> Iterator[tuple[str, str]]:
    """Yield ``(id, text)`` for every message of a file or an open text stream.

    Args:
        source: a path, or an open text stream (such as ``sys.stdin``), read lazily.
        format: ``lines``, ``jsonl`` or ``auto`` (by the name's suffix).
        name: the name used in ids and errors (default: the path, or ``<stream>``).

    Raises:
        InputError: the file cannot be read, or a ``jsonl`` line is not an object with
            a ``text`` string (the message names the file and the line).
        UnknownNameError: an unknown ``format``.
    """
    if isinstance(source, str | Path):
        label = name or str(source)
        fmt = _format_of(label, format)
        try:
            handle: TextIO = open(  # noqa: SIM115 - closed below
                source, encoding="utf-8", errors="surrogateescape", newline=""
            )
        except OSError as exc:
            raise InputError(f"{label}: cannot read: {exc.strerror or exc}") from exc
        with handle:
            yield from _parse(handle, label, fmt)
    else:
        label = name or "<stream>"
        yield from _parse(source, label, _format_of(label, format))


def _parse(handle: TextIO, name: str, fmt: str) -> Iterator[tuple[str, str]]:
    try:
        yield from _parse_lines(handle, name, fmt)
    except UnicodeDecodeError as exc:  # a stream opened strictly (files use surrogateescape)
        raise InputError(f"{name}: invalid UTF-8: {exc}") from exc


def _parse_lines(handle: TextIO, name: str, fmt: str) -> Iterator[tuple[str, str]]:
    for lineno, line in enumerate(handle, 1):
        line = line.rstrip("\r\n")
        if fmt == "lines":
            yield f"{name}:{lineno}", line
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{lineno}: invalid JSON: {exc.msg}") from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise InputError(f"{name}:{lineno}: expected an object with a 'text' string")
        yield str(obj.get("id", f"{name}:{lineno}")), obj["text"]
