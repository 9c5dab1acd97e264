"""Reading word-list files as numbered UTF-8 lines, with file:line errors.

Every reader of rule files (the project's own formats and Citizen Lab's layouts) goes
through :func:`read_lines`: UTF-8 only (a BOM and CRLF line ends are tolerated), no NUL
bytes, no over-long lines; a problem raises :class:`~censorsim.errors.WordlistError`
naming the file and the line.
"""

from __future__ import annotations

import csv
import fcntl
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from censorsim.errors import ParameterError, WordlistError

__all__ = [
    "DEFAULT_MAX_LINE_LENGTH",
    "PathLike",
    "content_lines",
    "csv_rows",
    "open_input",
    "read_lines",
]

DEFAULT_MAX_LINE_LENGTH = 64 * 1024
"""Longest line accepted, in bytes of UTF-8 without the line end (64 KiB)."""

PathLike = str | Path

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def open_input(path: PathLike) -> BinaryIO:
    """Open a file to read, refusing what is not a file without blocking on it.

    A folder or a device is refused; a FIFO or pipe (``<(command)``) is read, but opening
    one never waits for a writer (with none, it reads as empty).

    Raises:
        OSError: the file cannot be opened (``strerror`` says why; ``filename`` is set).
    """
    info = os.stat(path)
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(21, "is a folder, not a file", str(path))
    if stat.S_ISFIFO(info.st_mode):
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        return os.fdopen(fd, "rb")
    if not stat.S_ISREG(info.st_mode):
        raise OSError(19, "not a regular file (a device or socket)", str(path))
    return open(path, "rb")


def read_lines(path: PathLike, max_line_length: int) -> list[tuple[int, str]]:
    """Read a UTF-8 text file as ``(line number, text)`` pairs, line ends removed.

    Raises:
        WordlistError: unreadable file, UTF-16, NUL bytes, invalid UTF-8 or an
            over-long line; the error names the first bad line.
    """
    if max_line_length < 1:
        raise ParameterError(f"max_line_length must be >= 1, got {max_line_length}")
    try:
        handle = open_input(path)
    except OSError as exc:
        raise WordlistError(f"cannot read file: {exc.strerror or exc}", path=path) from None
    lines: list[tuple[int, str]] = []
    with handle:
        head = handle.peek(8192)[:8192]  # type: ignore[attr-defined]
        nul = head.find(b"\0")
        if nul >= 0 and not head.startswith(_UTF16_BOMS):
            line_start = head.rfind(b"\n", 0, nul) + 1
            raise WordlistError(
                f"binary file: NUL byte at byte {nul - line_start + 1} of the line",
                path=path,
                line=head.count(b"\n", 0, nul) + 1,
            )
        lineno = 0
        while True:
            raw = handle.readline(max_line_length + 2)
            if not raw:
                break
            lineno += 1
            body = raw[:-1] if raw.endswith(b"\n") else raw
            if body.endswith(b"\r"):
                body = body[:-1]
            if lineno == 1:
                if body.startswith(_UTF16_BOMS):
                    raise WordlistError("file is UTF-16; save it as UTF-8", path=path, line=lineno)
                if body.startswith(b"\xef\xbb\xbf"):
                    body = body[3:]
            if len(body) > max_line_length:
                raise WordlistError(
                    f"line is longer than {max_line_length} bytes (max_line_length); "
                    "is this a word list?",
                    path=path,
                    line=lineno,
                )
            nul = body.find(b"\0")
            if nul >= 0:
                raise WordlistError(
                    f"binary file: NUL byte at byte {nul + 1} of the line", path=path, line=lineno
                )
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = body[exc.start : exc.end]
                raise WordlistError(
                    f"invalid UTF-8 at byte {exc.start + 1} of the line ({bad!r})",
                    path=path,
                    line=lineno,
                ) from None
            lines.append((lineno, text))
    return lines


def content_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Lines that are neither blank nor ``#`` comments (not trimmed)."""
    for lineno, text in lines:
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            yield lineno, text


def csv_rows(
    lines: list[tuple[int, str]], path: PathLike
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Parse CSV lines into a trimmed header and ``(first line number, row)`` pairs."""
    numbers = [n for n, _ in lines]
    reader = csv.reader((text + "\n" for _, text in lines), strict=True)
    rows: list[tuple[int, list[str]]] = []
    consumed = 0
    try:
        for row in reader:
            start = numbers[consumed] if consumed < len(numbers) else numbers[-1]
            consumed = reader.line_num
            if row and any(cell.strip() for cell in row):
                rows.append((start, row))
    except csv.Error as exc:
        line = numbers[min(reader.line_num, len(numbers)) - 1] if numbers else None
        raise WordlistError(f"malformed CSV: {exc}", path=path, line=line) from None
    if not rows:
        raise WordlistError("CSV file has no header row", path=path)
    header = [cell.strip() for cell in rows[0][1]]
    return header, rows[1:]
