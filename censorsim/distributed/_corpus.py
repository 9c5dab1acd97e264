"""Corpus partitions: files or globs of plain lines, JSON lines or Parquet, cut into
partitions that a worker reads on its own.

Planning reads every input once, in blocks: it computes the file's SHA-256 (the resume
check) and, for text files, the byte offset of every ``partition_size``-th line, so a
worker seeks straight to its partition (the cost of planning is one pass over the
input; a worker's cost is its partition). A Parquet file is cut by row groups. Text in
an encoding where a newline byte is not always a newline (UTF-16, UTF-32) is one
partition per file.

Reading a partition follows :func:`censorsim.text.messages.read_messages` line for line
(same ids ``FILE:LINE``, same JSON-lines rules), with one addition: ``errors="record"``
lists a bad line and reads on, where ``errors="raise"`` stops with an
:class:`~censorsim.errors.InputError` naming the file and the line.
"""

from __future__ import annotations

import codecs
import glob
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from censorsim.errors import InputError, ParameterError, UnknownNameError

__all__ = [
    "CORPUS_FORMATS",
    "BadLine",
    "Partition",
    "PartitionData",
    "Source",
    "expand_inputs",
    "plan_partitions",
    "read_partition",
]

CORPUS_FORMATS: tuple[str, ...] = ("auto", "lines", "jsonl", "parquet")
"""Input formats: ``auto`` picks by suffix (``.parquet``, ``.jsonl``/``.ndjson``, else lines)."""
ErrorMode = Literal["raise", "record"]
_BLOCK = 1 << 20
_MAX_LISTED = 1000
"""The most bad lines one partition lists (the count covers them all)."""
_WIDE = ("utf-16", "utf-32")
_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


@dataclass(frozen=True, slots=True)
class Source:
    """One input file: its name as given, format, size and SHA-256."""

    path: str
    format: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Partition:
    """A slice of one input: bytes ``[start, stop)`` of a text file whose first line is
    ``first_line``, or row groups ``[start, stop)`` of a Parquet file (``first_line``:
    the 1-based row number of its first row)."""

    index: int
    path: str
    format: str
    encoding: str
    start: int
    stop: int
    first_line: int
    source_sha256: str

    @property
    def key(self) -> str:
        """What determines this partition's output (recorded in it, checked on resume)."""
        text = f"{self.path}|{self.format}|{self.encoding}|{self.start}|{self.stop}|" \
               f"{self.first_line}|{self.source_sha256}"
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line (or Parquet row) that was not a message, with what is wrong."""

    file: str
    line: int
    problem: str


@dataclass(slots=True)
class PartitionData:
    """The messages of one partition, column by column, and its bad lines."""

    lines: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)
    bad_count: int = 0


def _format_of(path: str, fmt: str) -> str:
    if fmt not in CORPUS_FORMATS:
        raise UnknownNameError("corpus format", fmt, CORPUS_FORMATS)
    if path.endswith(".parquet"):
        return "parquet"
    if fmt != "auto":
        return fmt
    return "jsonl" if path.endswith((".jsonl", ".ndjson")) else "lines"


def expand_inputs(inputs: Iterable[str | os.PathLike[str]]) -> list[str]:
    """File names and globs (``*``, ``?``, ``[...]``, ``**``) as a list of file names, in
    the order given (each glob's matches sorted), without repeats.

    Raises:
        InputError: a glob matches no file, or a name is not a readable regular file.
    """
    out: dict[str, None] = {}
    for item in inputs:
        name = os.fspath(item)
        if glob.has_magic(name):
            found = sorted(glob.glob(name, recursive=True))
            files = [f for f in found if os.path.isfile(f)]
            if not files:
                raise InputError(f"{name}: no file matches this pattern")
            out.update(dict.fromkeys(files))
        else:
            out[name] = None
    for name in out:
        try:
            if not os.path.isfile(name):
                what = "a folder" if os.path.isdir(name) else "not a regular file"
                if not os.path.exists(name):
                    what = "no such file"
                raise InputError(f"{name}: cannot read: {what}")
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    return list(out)


def _codec(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ParameterError(f"unknown text encoding {encoding!r}") from None


def plan_partitions(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    format: str = "auto",
    encoding: str = "utf-8",
    partition_size: int = 100_000,
) -> tuple[list[Source], list[Partition]]:
    """The sources and partitions of a corpus.

    Args:
        inputs: file names or globs.
        format: ``auto``, ``lines``, ``jsonl`` (text files) or ``parquet``.
        encoding: the text files' encoding.
        partition_size: messages (lines) per partition of a text file.

    Raises:
        InputError: a missing or unreadable input, a glob matching nothing, a Parquet
            file that cannot be read or has no ``text`` column.
        ParameterError: ``partition_size`` below 1 or an unknown encoding.
    """
    if partition_size < 1:
        raise ParameterError(f"partition_size must be >= 1, got {partition_size}")
    codec = _codec(encoding)
    sources: list[Source] = []
    parts: list[Partition] = []
    for name in expand_inputs(inputs):
        fmt = _format_of(name, format)
        try:
            if fmt == "parquet":
                source, cuts = _plan_parquet(name)
            else:
                source, cuts = _plan_text(name, fmt, codec, partition_size)
        except OSError as exc:
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
        sources.append(source)
        for start, stop, first in cuts:
            parts.append(Partition(len(parts), name, fmt, codec, start, stop, first,
                                   source.sha256))
    return sources, parts


def _plan_text(
    name: str, fmt: str, codec: str, size: int
) -> tuple[Source, list[tuple[int, int, int]]]:
    digest = hashlib.sha256()
    cuts: list[tuple[int, int, int]] = []
    wide = codec.startswith(_WIDE)
    start, first, lines, offset = 0, 1, 0, 0
    with open(name, "rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
            if not wide:
                n = block.count(b"\n")
                pos = 0
                while lines + n >= size:  # a cut inside this block
                    for _ in range(size - lines):
                        pos = block.index(b"\n", pos) + 1
                    n -= size - lines
                    cuts.append((start, offset + pos, first))
                    first += size
                    start, lines = offset + pos, 0
                lines += n
            offset += len(block)
    if offset > start or not cuts:
        cuts.append((start, offset, first))
    return Source(name, fmt, offset, digest.hexdigest()), cuts


def _plan_parquet(name: str) -> tuple[Source, list[tuple[int, int, int]]]:
    import pyarrow.parquet as pq

    digest = hashlib.sha256()
    size = 0
    with open(name, "rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
            size += len(block)
    try:
        meta = pq.ParquetFile(name).metadata
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends
        raise InputError(f"{name}: not a readable Parquet file ({exc})") from None
    if "text" not in meta.schema.names:
        raise InputError(f"{name}: the Parquet file has no 'text' column")
    cuts: list[tuple[int, int, int]] = []
    row = 1
    for g in range(meta.num_row_groups):
        cuts.append((g, g + 1, row))
        row += meta.row_group(g).num_rows
    if not cuts:
        cuts.append((0, 0, 1))
    return Source(name, "parquet", size, digest.hexdigest()), cuts


class _Reader:
    def __init__(self, part: Partition, errors: ErrorMode) -> None:
        self.part = part
        self.errors = errors
        self.data = PartitionData()

    def bad(self, line: int, problem: str) -> None:
        if self.errors == "raise":
            raise InputError(f"{self.part.path}:{line}: {problem}")
        d = self.data
        d.bad_count += 1
        if len(d.bad) < _MAX_LISTED:
            d.bad.append(BadLine(self.part.path, line, problem))

    def add(self, line: int, ident: str, text: str) -> None:
        d = self.data
        d.lines.append(line)
        d.ids.append(ident)
        d.texts.append(text)


def read_partition(part: Partition, errors: ErrorMode = "raise") -> PartitionData:
    """The messages of one partition (see the module docstring for the rules).

    Raises:
        InputError: the file cannot be read, or (with ``errors="raise"``) a line is not
            a message, naming the file and the line.
    """
    if errors not in ("raise", "record"):
        raise UnknownNameError("error mode", errors, ("raise", "record"))
    reader = _Reader(part, errors)
    try:
        if part.format == "parquet":
            _read_parquet(part, reader)
        else:
            _read_text(part, reader)
    except OSError as exc:
        raise InputError(f"{part.path}: cannot read: {exc.strerror or exc}") from None
    return reader.data


def _read_text(part: Partition, reader: _Reader) -> None:
    with open(part.path, "rb") as fh:
        fh.seek(part.start)
        chunk = fh.read(part.stop - part.start)
    if len(chunk) != part.stop - part.start:
        raise InputError(f"{part.path}: the file changed while it was read (shorter)")
    codec = part.encoding
    utf8 = codec in ("utf-8", "utf-8-sig")
    if part.start == 0 and utf8:
        for bom, what in _BOMS:
            if chunk.startswith(bom):
                reader.bad(1, f"the file is {what} (it starts with a {what} byte-order "
                              f"mark), not UTF-8; give its encoding (--encoding "
                              f"{what.lower()})")
                return
    if codec.startswith(_WIDE):
        _read_wide(part, chunk, reader)
        return
    raws = chunk.split(b"\n")
    if raws and raws[-1] == b"":
        raws.pop()
    jsonl = part.format == "jsonl"
    for k, raw in enumerate(raws):
        lineno = part.first_line + k
        body = raw.rstrip(b"\r\n")
        if lineno == 1 and utf8 and body.startswith(codecs.BOM_UTF8):
            body = body[3:]
        try:
            text = body.decode(codec)
        except UnicodeDecodeError as exc:
            if utf8:
                bad = body[exc.start : exc.start + 4]
                reader.bad(lineno, f"not UTF-8 (byte {exc.start + 1} of the line: {bad!r}); "
                                   "if the file is in another encoding (GBK, GB18030, Big5, "
                                   "UTF-16), give it (--encoding)")
            else:
                reader.bad(lineno, f"not valid {codec} ({exc.reason}, at or near this line)")
            continue
        if lineno == 1 and not utf8:
            text = text.removeprefix("\ufeff")
        _message(reader, lineno, text, jsonl)


def _read_wide(part: Partition, chunk: bytes, reader: _Reader) -> None:
    try:
        text = chunk.decode(part.encoding)
    except UnicodeDecodeError as exc:
        where = chunk[: exc.start].decode(part.encoding, "replace").count("\n") + 1
        reader.bad(where, f"not valid {part.encoding} ({exc.reason}, at or near this line)")
        return
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for k, body in enumerate(lines):
        _message(reader, part.first_line + k, body.rstrip("\r\n"), part.format == "jsonl")


def _message(reader: _Reader, lineno: int, text: str, jsonl: bool) -> None:
    name = reader.part.path
    if "\0" in text:
        reader.bad(lineno, f"binary file: NUL character at character {text.index(chr(0)) + 1}")
        return
    if not jsonl:
        reader.add(lineno, f"{name}:{lineno}", text)
        return
    if not text.strip():
        return
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        reader.bad(lineno, f"invalid JSON: {exc.msg}")
        return
    except RecursionError:
        reader.bad(lineno, "JSON nested too deeply")
        return
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        reader.bad(lineno, "expected an object with a 'text' string")
        return
    ident = obj.get("id", f"{name}:{lineno}")
    if not isinstance(ident, str | int) or isinstance(ident, bool):
        reader.bad(lineno, "'id' must be a string or an integer")
        return
    reader.add(lineno, str(ident), obj["text"])


def _read_parquet(part: Partition, reader: _Reader) -> None:
    import pyarrow.parquet as pq

    if part.stop <= part.start:
        return
    try:
        pf = pq.ParquetFile(part.path)
        columns = ["text"] + (["id"] if "id" in pf.schema_arrow.names else [])
        table = pf.read_row_groups(list(range(part.start, part.stop)), columns=columns)
    except OSError:
        raise
    except Exception as exc:
        raise InputError(f"{part.path}: not a readable Parquet file ({exc})") from None
    texts: Sequence[object] = table.column("text").to_pylist()
    ids: Sequence[object] = (table.column("id").to_pylist() if "id" in columns
                             else [None] * len(texts))
    for k, (text, ident) in enumerate(zip(texts, ids, strict=True)):
        row = part.first_line + k
        if not isinstance(text, str):
            reader.bad(row, "row without a 'text' string")
            continue
        if ident is None:
            ident = f"{part.path}:{row}"
        elif not isinstance(ident, str | int) or isinstance(ident, bool):
            reader.bad(row, "'id' must be a string or an integer")
            continue
        if "\0" in text:
            reader.bad(row, f"NUL character at character {text.index(chr(0)) + 1}")
            continue
        reader.add(row, str(ident), text)
