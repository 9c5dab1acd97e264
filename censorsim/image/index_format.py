"""The hash-index file format: JSON lines, a header then one entry per line (no pickle).

Documented in ``docs/images.md``::

    {"format": "censorsim.hash-index", "version": 1, "algorithm": "phash", "size": 8, "bits": 64}
    {"id": "poster-1", "hash": "c3d4e5f60718293a", "source": "leak.jpg",
     "category": "protest", "added": "2024-06-04"}      (one line in the file)
    {"id": "poster-2", "hash": ["0f0f0f0f0f0f0f0f", "f0f0f0f0f0f0f0f0"]}

This module reads and writes lines and columns; :class:`~censorsim.image.index.HammingIndex`
turns them into an index (``dump``, ``load``).

Example:
    >>> line = header_line("phash", 8)
    >>> read_header(line, "<doc>")
    ('phash', 8)
    >>> parse_entries(['{"id": "a", "hash": "00000000000000ff"}'], "<doc>", "phash", 8).ids
    ['a']
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from censorsim.errors import IndexFormatError, ParameterError
from censorsim.image.algorithms import hash_bits
from censorsim.image.files import NotRegularFileError, file_kind, open_regular
from censorsim.image.values import ImageHash, MultiHash

if TYPE_CHECKING:
    from censorsim.image.index import IndexEntry

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MAX_LINE_BYTES",
    "ParsedEntries",
    "append_entries",
    "entry_record",
    "header_line",
    "parse_entries",
    "read_header",
    "read_kind",
    "read_lines",
]

FORMAT_NAME = "censorsim.hash-index"
"""The ``format`` field of an index file's header line."""
FORMAT_VERSION = 1
"""The only index file version this code reads and writes."""

MAX_LINE_BYTES = 1 << 20
"""The longest line an index file may have (1 MiB); a longer one is an IndexFormatError."""

_ENTRY_KEYS = frozenset({"id", "hash", "source", "category", "added"})
_HEADER_KEYS = frozenset({"format", "version", "algorithm", "size", "bits"})


def header_line(algorithm: str, size: int) -> str:
    """The header line (with its newline) of a file of ``algorithm:size`` hashes."""
    header = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "algorithm": algorithm,
        "size": size,
        "bits": hash_bits(algorithm, size),
    }
    return json.dumps(header) + "\n"


def read_header(line: str, where: str) -> tuple[str, int]:
    """The ``(algorithm, size)`` of a header line.

    Raises:
        IndexFormatError: not a header of this format and version (names ``where``).
    """

    def fail(problem: str) -> IndexFormatError:
        return IndexFormatError(f"{where}:1: {problem}")

    if not line.strip():
        raise fail("empty file: expected a censorsim hash index header")
    header = _json(line, f"{where}:1", "header is not JSON")
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise fail(f"not a censorsim hash index (no \"format\": {FORMAT_NAME!r} header)")
    version = header.get("version")
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise fail(
            f"index format version {_short(version)} is not supported "
            f"(this censorsim reads version {FORMAT_VERSION})"
        )
    unknown = set(header) - _HEADER_KEYS
    if unknown:
        raise fail(f"unknown header fields: {_cut(', '.join(sorted(unknown)))}")
    algorithm, size = header.get("algorithm"), header.get("size")
    if not isinstance(algorithm, str) or not isinstance(size, int) or isinstance(size, bool):
        raise fail("header needs a string \"algorithm\" and an integer \"size\"")
    try:
        bits = hash_bits(algorithm, size)
    except (ValueError, TypeError) as exc:
        raise fail(_cut(str(exc), 300)) from None
    if header.get("bits", bits) != bits:
        raise fail(f"header says {_short(header.get('bits'))} bits; {algorithm}:{size} has {bits}")
    return algorithm, size


def read_kind(path: str | os.PathLike[str]) -> tuple[str, int]:
    """The ``(algorithm, size)`` of an index file, from its header line only.

    Raises:
        IndexFormatError: a bad header (not UTF-8, too long, not this format).
        OSError: the file cannot be opened, or is not a regular file.
    """
    with open_regular(path)[0] as fh:
        return read_header(next(read_lines(fh, os.fspath(path)), ""), os.fspath(path))


def read_lines(fh: BinaryIO, where: str) -> Iterator[str]:
    """The lines of a binary index file, decoded as UTF-8 (a leading BOM is dropped).

    Each line is read with a bound (:data:`MAX_LINE_BYTES`), so a file without line
    breaks is never read whole.

    Raises:
        IndexFormatError: a line that is not UTF-8 or is too long; names ``where`` and
            the line.
    """
    lineno = 0
    while True:
        raw = fh.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > MAX_LINE_BYTES:
            raise IndexFormatError(
                f"{where}:{lineno}: line longer than {MAX_LINE_BYTES:,} bytes "
                "(not a censorsim hash index?)"
            )
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise IndexFormatError(
                f"{where}:{lineno}: not UTF-8 text (byte {raw[exc.start]:#04x} at column "
                f"{exc.start + 1}); an index file is UTF-8 JSON lines"
            ) from None


def _json(line: str, where: str, what: str) -> Any:
    """``json.loads(line)``; any failure (bad JSON, deep nesting, huge numbers) is an error.

    Raises:
        IndexFormatError: ``where: what (reason)``.
    """
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise IndexFormatError(f"{where}: {what} ({exc.msg})") from None
    except RecursionError:
        raise IndexFormatError(f"{where}: {what} (nested too deeply)") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise IndexFormatError(f"{where}: {what} ({_short(str(exc))})") from None


def _short(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters for an error message."""
    return _cut(repr(value), limit)


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def entry_record(
    entry_id: str,
    hash_hex: str | list[str],
    source: str | None,
    category: str | None,
    added: date | None,
) -> dict[str, Any]:
    """One entry as the JSON object of an entry line (absent metadata left out)."""
    out: dict[str, Any] = {"id": entry_id, "hash": hash_hex}
    if source is not None:
        out["source"] = source
    if category is not None:
        out["category"] = category
    if added is not None:
        out["added"] = added.isoformat()
    return out


@dataclass(slots=True)
class ParsedEntries:
    """The entry lines of a file as columns.

    Attributes:
        ids, sources, categories, added: one item per entry, in file order.
        hexes: each entry's hash as hex (its first part, for a list of parts).
        multi: the :class:`MultiHash` of each entry given as a list, by position.
    """

    ids: list[str] = field(default_factory=list)
    hexes: list[str] = field(default_factory=list)
    multi: dict[int, MultiHash] = field(default_factory=dict)
    sources: list[str | None] = field(default_factory=list)
    categories: list[str | None] = field(default_factory=list)
    added: list[date | None] = field(default_factory=list)


def parse_entries(
    lines: Iterable[str], where: str, algorithm: str, size: int, first_line: int = 2
) -> ParsedEntries:
    """Parse entry lines of ``algorithm:size`` hashes (blank lines are skipped).

    Raises:
        IndexFormatError: a malformed line or a duplicate id; names ``where`` and the line.
    """
    bits = hash_bits(algorithm, size)
    kind = f"{algorithm}:{size}"
    width = (bits + 3) // 4
    top_limit = 1 << (bits - 4 * (width - 1))
    pattern = re.compile(rf"[0-9a-fA-F]{{{width}}}")

    def parse_hex(text: object, lineno: int) -> str:
        if not isinstance(text, str) or not pattern.fullmatch(text):
            raise IndexFormatError(
                f"{where}:{lineno}: hash must be {width} hex digits for {kind}, not {_short(text)}"
            )
        if int(text[0], 16) >= top_limit:
            raise IndexFormatError(f"{where}:{lineno}: hash {text!r} exceeds {bits} bits")
        return text.lower()

    out = ParsedEntries()
    seen: dict[str, int] = {}
    for lineno, line in enumerate(lines, start=first_line):
        if not line.strip():
            continue
        record = _json(line, f"{where}:{lineno}", "not JSON")
        if not isinstance(record, dict):
            raise IndexFormatError(f"{where}:{lineno}: an entry must be a JSON object")
        unknown = set(record) - _ENTRY_KEYS
        if unknown:
            fields = _cut(", ".join(sorted(unknown)))
            raise IndexFormatError(f"{where}:{lineno}: unknown fields: {fields}")
        entry_id = record.get("id")
        if not isinstance(entry_id, str) or not entry_id:
            raise IndexFormatError(f"{where}:{lineno}: entry needs a non-empty string \"id\"")
        if entry_id in seen:
            raise IndexFormatError(
                f"{where}:{lineno}: duplicate id {_short(entry_id)} "
                f"(first on line {seen[entry_id]})"
            )
        seen[entry_id] = lineno
        raw = record.get("hash")
        if isinstance(raw, list):
            if not raw:
                raise IndexFormatError(f"{where}:{lineno}: empty hash list")
            hexes = [parse_hex(h, lineno) for h in raw]
            out.multi[len(out.ids)] = MultiHash(
                tuple(ImageHash(algorithm, size, int(h, 16)) for h in hexes)
            )
            out.hexes.append(hexes[0])
        else:
            out.hexes.append(parse_hex(raw, lineno))
        meta: list[str | None] = []
        for key in ("source", "category"):
            text = record.get(key)
            if text is not None and not isinstance(text, str):
                raise IndexFormatError(f"{where}:{lineno}: {key!r} must be a string")
            meta.append(text)
        day = record.get("added")
        try:
            parsed = date.fromisoformat(day) if day is not None else None
        except (TypeError, ValueError):
            raise IndexFormatError(
                f"{where}:{lineno}: 'added' must be a date like 2024-06-04, not {_short(day)}"
            ) from None
        if "\\u" in line and any(
            isinstance(t, str) and _has_lone_surrogate(t) for t in (entry_id, *meta)
        ):
            raise IndexFormatError(
                f"{where}:{lineno}: a string holds an unpaired surrogate escape "
                "(not valid Unicode)"
            )
        out.ids.append(entry_id)
        out.sources.append(meta[0])
        out.categories.append(meta[1])
        out.added.append(parsed)
    return out


def append_entries(path: str | os.PathLike[str], entries: Iterable[IndexEntry]) -> int:
    """Append entries to an index file, creating it (with a header) if it does not exist.

    The file's header must name the entries' algorithm and size. Ids are not checked
    against the entries already in the file; :meth:`HammingIndex.load` rejects duplicates.

    Returns:
        The number of entries written.

    Raises:
        IndexFormatError: the existing file has a bad header.
        ParameterError: entries of different kinds, or of another kind than the file.
    """
    batch: Sequence[IndexEntry] = list(entries)
    if not batch:
        return 0
    kind = (batch[0].hash.algorithm, batch[0].hash.size)
    for entry in batch:
        if (entry.hash.algorithm, entry.hash.size) != kind:
            raise ParameterError(
                f"cannot append {entry.hash.kind} and {kind[0]}:{kind[1]} together"
            )
    target = Path(path)
    if target.exists() and not target.is_file():
        raise NotRegularFileError(target, file_kind(target.stat().st_mode))
    exists = target.exists() and target.stat().st_size > 0
    if exists:
        held = read_kind(target)
        if held != kind:
            raise ParameterError(
                f"{target} holds {held[0]}:{held[1]} hashes, not {kind[0]}:{kind[1]}"
            )
        with target.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            needs_newline = fh.read(1) != b"\n"
    with target.open("a", encoding="utf-8") as fh:
        if not exists:
            fh.write(header_line(*kind))
        elif needs_newline:
            fh.write("\n")
        for entry in batch:
            fh.write(json.dumps(entry.to_json(), ensure_ascii=False) + "\n")
    return len(batch)
