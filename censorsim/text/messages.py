"""Message files: reading the texts to check, as ``(id, text)`` pairs.

Two formats:

* **lines**: one message per line (line ends removed, blank lines kept as empty
  messages); the id is ``NAME:LINE``.
* **jsonl**: one JSON object per line with a ``text`` string and an optional ``id``
  (default ``NAME:LINE``); blank lines are skipped.

``auto`` picks ``jsonl`` for names ending in ``.jsonl`` or ``.ndjson`` and ``lines``
otherwise.

Files are UTF-8 (a UTF-8 BOM and CRLF line ends are tolerated) unless another
``encoding`` is declared (``encoding="gbk"``, ``"utf-16"``; ``scan --encoding``). Text
that is not valid in the declared encoding (GBK or Latin-1 bytes read as UTF-8, a
UTF-16 file without ``encoding="utf-16"``), a NUL byte (a binary file) and JSON nested
too deeply are errors: :class:`~censorsim.errors.InputError` naming the file and the
line. A message is never scanned as mojibake. Errors are raised when the reader reaches
the bad line; messages before it have already been yielded.

Example:
    >>> import io
    >>> list(read_messages(io.StringIO('{"text": "六四", "id": "a"}\\n'), "jsonl"))
    [('a', '六四')]
    >>> list(read_messages(io.StringIO("x\\ny\\n"), name="chat.txt"))
    [('chat.txt:1', 'x'), ('chat.txt:2', 'y')]
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Literal, TextIO

from censorsim.errors import InputError, ParameterError, UnknownNameError
from censorsim.text._lines import open_input

__all__ = ["MESSAGE_FORMATS", "MessageFormat", "read_messages"]

MessageFormat = Literal["auto", "lines", "jsonl"]
MESSAGE_FORMATS: tuple[str, ...] = ("auto", "lines", "jsonl")
"""The message formats :func:`read_messages` accepts."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _format_of(name: str, format: str) -> str:
    if format not in MESSAGE_FORMATS:
        raise UnknownNameError("message format", format, MESSAGE_FORMATS)
    if format == "auto":
        return "jsonl" if name.endswith((".jsonl", ".ndjson")) else "lines"
    return format


def _codec(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ParameterError(f"unknown text encoding {encoding!r}") from None


def read_messages(
    source: str | Path | TextIO | BinaryIO,
    format: MessageFormat = "auto",
    *,
    name: str | None = None,
    encoding: str = "utf-8",
) -> Iterator[tuple[str, str]]:
    """Yield ``(id, text)`` for every message of a file or an open stream.

    Args:
        source: a path, or an open stream (such as ``sys.stdin`` or
            ``sys.stdin.buffer``), read lazily. A text stream is decoded by its owner
            (``encoding`` then applies to paths and binary streams only).
        format: ``lines``, ``jsonl`` or ``auto`` (by the name's suffix).
        name: the name used in ids and errors (default: the path, or ``<stream>``).
        encoding: the text encoding of the file (default UTF-8).

    Raises:
        InputError: the file cannot be read, is not text in ``encoding`` (or is
            UTF-16/32 while UTF-8 was expected), holds a NUL byte, or a ``jsonl`` line
            is not an object with a ``text`` string (the message names the file and
            the line).
        ParameterError: an unknown ``encoding``.
        UnknownNameError: an unknown ``format``.
    """
    codec = _codec(encoding)
    if isinstance(source, str | Path):
        label = name or str(source)
        fmt = _format_of(label, format)
        try:
            handle: BinaryIO = open_input(source)
        except OSError as exc:
            raise InputError(f"{label}: cannot read: {exc.strerror or exc}") from exc
        with handle:
            lines = _decoded(handle, label, codec)
            try:
                yield from _parse(lines, label, fmt)
            finally:  # finish the decoder before its file closes
                lines.close()  # type: ignore[attr-defined]
    elif isinstance(source, io.TextIOBase) or not _is_binary(source):
        label = name or "<stream>"
        fmt = _format_of(label, format)
        yield from _parse(_text_lines(source, label), label, fmt)  # type: ignore[arg-type]
    else:
        label = name or "<stream>"
        fmt = _format_of(label, format)
        lines = _decoded(source, label, codec)  # type: ignore[arg-type]
        try:
            yield from _parse(lines, label, fmt)
        finally:  # leave the caller's stream usable
            lines.close()  # type: ignore[attr-defined]


def _is_binary(stream: object) -> bool:
    return isinstance(stream, io.BufferedIOBase | io.RawIOBase) or "b" in str(
        getattr(stream, "mode", "")
    )


def _check_text(text: str, name: str, lineno: int) -> str:
    if "\0" in text:
        raise InputError(
            f"{name}:{lineno}: binary file: NUL character at character {text.index(chr(0)) + 1}"
        )
    return text


def _text_lines(handle: TextIO, name: str) -> Iterator[tuple[int, str]]:
    lineno = 0
    try:
        for lineno, line in enumerate(handle, 1):
            yield lineno, _check_text(line.rstrip("\r\n"), name, lineno)
    except UnicodeError as exc:  # a stream opened strictly
        raise InputError(
            f"{name}:{lineno + 1}: not valid text in the stream's encoding ({exc}); "
            "give the file's encoding (scan --encoding)"
        ) from None


def _decoded(handle: BinaryIO, name: str, codec: str) -> Iterator[tuple[int, str]]:
    """Numbered lines of a binary stream decoded strictly as ``codec``."""
    head = handle.peek(4)[:4] if hasattr(handle, "peek") else b""
    if codec in ("utf-8", "utf-8-sig"):
        for bom, what in _BOMS:
            if head.startswith(bom):
                raise InputError(
                    f"{name}:1: the file is {what} (it starts with a {what} byte-order mark), "
                    f"not UTF-8; give its encoding (--encoding {what.lower()})"
                )
        return _utf8_lines(handle, name)
    return _codec_lines(handle, name, codec)


def _utf8_lines(handle: BinaryIO, name: str) -> Iterator[tuple[int, str]]:
    for lineno, raw in enumerate(handle, 1):
        body = raw.rstrip(b"\r\n")
        if lineno == 1 and body.startswith(codecs.BOM_UTF8):
            body = body[3:]
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = body[exc.start : exc.start + 4]
            raise InputError(
                f"{name}:{lineno}: not UTF-8 (byte {exc.start + 1} of the line: {bad!r}); "
                "if the file is in another encoding (GBK, GB18030, Big5, UTF-16), "
                "give it (--encoding)"
            ) from None
        yield lineno, _check_text(text, name, lineno)


def _codec_lines(handle: BinaryIO, name: str, codec: str) -> Iterator[tuple[int, str]]:
    text = io.TextIOWrapper(handle, encoding=codec, errors="strict", newline="")
    lineno = 0
    try:
        for lineno, line in enumerate(text, 1):
            if lineno == 1:
                line = line.removeprefix("\ufeff")
            yield lineno, _check_text(line.rstrip("\r\n"), name, lineno)
    except UnicodeError as exc:  # UnicodeDecodeError, or UTF-16 without a BOM
        why = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        raise InputError(
            f"{name}:{lineno + 1}: not valid {codec} ({why}, at or near this line)"
        ) from None
    finally:
        text.detach()


def _parse(lines: Iterator[tuple[int, str]], name: str, fmt: str) -> Iterator[tuple[str, str]]:
    for lineno, line in lines:
        if fmt == "lines":
            yield f"{name}:{lineno}", line
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{lineno}: invalid JSON: {exc.msg}") from None
        except RecursionError:
            raise InputError(f"{name}:{lineno}: JSON nested too deeply") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise InputError(f"{name}:{lineno}: expected an object with a 'text' string")
        ident = obj.get("id", f"{name}:{lineno}")
        if not isinstance(ident, str | int) or isinstance(ident, bool):
            raise InputError(f"{name}:{lineno}: 'id' must be a string or an integer")
        yield str(ident), obj["text"]
