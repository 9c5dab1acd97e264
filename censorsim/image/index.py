"""A blacklist of image hashes with inclusive Hamming-range queries.

:class:`HammingIndex` holds hashes of one algorithm and size, each in an
:class:`IndexEntry` with an id and metadata (source, category, date added), and answers
"which entries are within ``radius`` bits of this hash?" with :class:`IndexMatch` pairs
``(entry, distance)``. The search itself is delegated to a backend chosen by name
(:mod:`censorsim.image.backends`): ``"mih"`` (default), ``"linear"``, ``"faiss"``.

A :class:`~censorsim.image.hashing.MultiHash` entry (crop-resistant segments, dihedral
variants) is stored as one row per part; its distance to a query is the smallest over
parts, so each entry is reported once.

Index files are JSON lines (no pickle), documented in ``docs/images.md``::

    {"format": "censorsim.hash-index", "version": 1, "algorithm": "phash", "size": 8, "bits": 64}
    {"id": "poster-1", "hash": "c3d4e5f60718293a", "source": "leak.jpg",
     "category": "protest", "added": "2024-06-04"}      (one line in the file)
    {"id": "poster-2", "hash": ["0f0f0f0f0f0f0f0f", "f0f0f0f0f0f0f0f0"]}

Example:
    >>> from censorsim.image.hashing import ImageHash
    >>> index = HammingIndex("phash")
    >>> _ = index.add(ImageHash.from_hex("ffff000000000000", "phash"), id="banned")
    >>> query = ImageHash.from_hex("0fff000000000000", "phash")
    >>> [(entry.id, distance) for entry, distance in index.query(query, radius=10)]
    [('banned', 4)]
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from censorsim.errors import IndexFormatError
from censorsim.image.backends import DEFAULT_BACKEND, HammingBackend, QueryResult, make_backend
from censorsim.image.hashing import HashValue, ImageHash, MultiHash, _resolve_size, hash_bits

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "HammingIndex",
    "IndexEntry",
    "IndexMatch",
    "append_entries",
]

FORMAT_NAME = "censorsim.hash-index"
"""The ``format`` field of an index file's header line."""
FORMAT_VERSION = 1
"""The only index file version this code reads and writes."""

_ENTRY_KEYS = frozenset({"id", "hash", "source", "category", "added"})
_HEADER_KEYS = frozenset({"format", "version", "algorithm", "size", "bits"})


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One blacklisted image.

    Attributes:
        id: unique within its index.
        hash: the image's hash (a :class:`MultiHash` matches through any of its parts).
        source: where the image came from (a file name, a URL, a report).
        category: a free-form label (``"protest"``, ``"satire"``...).
        added: the date the hash was added to the blacklist.
    """

    id: str
    hash: HashValue
    source: str | None = None
    category: str | None = None
    added: date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"entry id must be a non-empty string, not {self.id!r}")
        if not isinstance(self.hash, ImageHash | MultiHash):
            raise TypeError(f"entry hash must be an ImageHash or MultiHash, not {self.hash!r}")
        if self.added is not None and not isinstance(self.added, date):
            raise TypeError(f"added must be a datetime.date, not {self.added!r}")

    def to_json(self) -> dict[str, Any]:
        """The entry as one JSON object of the index file format."""
        out: dict[str, Any] = {"id": self.id}
        if isinstance(self.hash, MultiHash):
            out["hash"] = [p.to_hex() for p in self.hash.parts]
        else:
            out["hash"] = self.hash.to_hex()
        if self.source is not None:
            out["source"] = self.source
        if self.category is not None:
            out["category"] = self.category
        if self.added is not None:
            out["added"] = self.added.isoformat()
        return out


@dataclass(frozen=True, slots=True)
class IndexMatch:
    """An entry within range of a query, and its Hamming distance (unpacks as a pair)."""

    entry: IndexEntry
    distance: int

    def __iter__(self) -> Iterator[Any]:
        yield self.entry
        yield self.distance


class HammingIndex:
    """A blacklist of hashes of one algorithm and size with Hamming-range queries.

    Args:
        algorithm: the hash algorithm of every entry (see ``hashing.ALGORITHMS``).
        size: its size parameter (``None``: the algorithm's default).
        backend: the search backend's name: ``"mih"``, ``"linear"`` or ``"faiss"``.
        **backend_options: passed to the backend (e.g. ``m=4`` for ``"mih"``).

    Raises:
        ValueError: an unknown algorithm or bad size.
        BackendError: an unknown backend name (a ``ValueError``); its subclass
            ``MissingDependencyError`` when the backend's extra is not installed.
    """

    def __init__(
        self,
        algorithm: str,
        size: int | None = None,
        *,
        backend: str = DEFAULT_BACKEND,
        **backend_options: Any,
    ) -> None:
        self.algorithm = algorithm
        self.size = _resolve_size(algorithm, size)
        self.bits = hash_bits(algorithm, self.size)
        self.backend_name = backend
        self._backend: HammingBackend = make_backend(backend, self.bits, **backend_options)
        self._n_words = self._backend.n_words
        self._ids: list[str | None] = []  # None: the default id, str(position)
        self._hashes: list[HashValue | None] = []  # None: rebuilt from the entry's one row
        self._sources: list[str | None] = []
        self._categories: list[str | None] = []
        self._added: list[date | None] = []
        self._row_blocks: list[NDArray[np.int64]] = []
        self._row_entry: NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._entry_row: list[int] = []  # first row of each entry
        self._n_rows = 0
        self._lookup: dict[str, int] | None = None

    # ------------------------------------------------------------------ description

    @property
    def kind(self) -> str:
        """``"algorithm:size"``, e.g. ``"phash:8"``."""
        return f"{self.algorithm}:{self.size}"

    def __len__(self) -> int:
        return len(self._ids)

    def __repr__(self) -> str:
        return f"HammingIndex({self.kind!r}, entries={len(self)}, backend={self.backend_name!r})"

    def __iter__(self) -> Iterator[IndexEntry]:
        return (self.entry(i) for i in range(len(self)))

    def __contains__(self, entry_id: object) -> bool:
        return isinstance(entry_id, str) and entry_id in self._ids_lookup()

    def get(self, entry_id: str) -> IndexEntry:
        """The entry with id ``entry_id``.

        Raises:
            KeyError: no such entry.
        """
        return self.entry(self._ids_lookup()[entry_id])

    def entry(self, position: int) -> IndexEntry:
        """The entry at ``position`` (insertion order)."""
        entry_id = self._ids[position]
        value = self._hashes[position]
        if value is None:
            row = self._backend.words[self._entry_row[position]]
            value = ImageHash(self.algorithm, self.size, _words_to_int(row))
        return IndexEntry(
            entry_id if entry_id is not None else str(position),
            value,
            self._sources[position],
            self._categories[position],
            self._added[position],
        )

    def _ids_lookup(self) -> dict[str, int]:
        if self._lookup is None:
            self._lookup = {
                (e if e is not None else str(i)): i for i, e in enumerate(self._ids)
            }
        return self._lookup

    # ------------------------------------------------------------------ adding

    def add(
        self,
        value: HashValue,
        *,
        id: str | None = None,
        source: str | None = None,
        category: str | None = None,
        added: date | None = None,
    ) -> IndexEntry:
        """Add one hash with metadata; returns its entry.

        Args:
            value: a hash of this index's algorithm and size.
            id: a unique id; ``None`` picks the entry's position as a string.
            source, category, added: metadata.

        Raises:
            ValueError: a hash of another kind, or an id already present.
        """
        if id is None:
            lookup = self._ids_lookup()
            position = len(self)
            id = str(position)
            while id in lookup:
                position += 1
                id = str(position)
        entry = IndexEntry(id, value, source, category, added)
        self.extend((entry,))
        return entry

    def extend(self, entries: Iterable[IndexEntry]) -> None:
        """Add entries (all or none: a bad entry leaves the index unchanged).

        Raises:
            ValueError: a hash of another kind, or a duplicate id.
        """
        batch = list(entries)
        lookup = self._ids_lookup()
        seen: set[str] = set()
        rows: list[int] = []
        owners: list[int] = []
        first_rows: list[int] = []
        for k, entry in enumerate(batch):
            if not isinstance(entry, IndexEntry):
                raise TypeError(f"expected IndexEntry, not {type(entry).__name__}")
            self._check_kind(entry.hash)
            if entry.id in lookup or entry.id in seen:
                raise ValueError(f"duplicate entry id {entry.id!r}")
            seen.add(entry.id)
            parts = entry.hash.parts if isinstance(entry.hash, MultiHash) else (entry.hash,)
            first_rows.append(self._n_rows + len(rows))
            rows.extend(p.value for p in parts)
            owners.extend([len(self) + k] * len(parts))
        if not batch:
            return
        self._backend.add(_ints_to_words(rows, self._n_words))
        self._n_rows += len(rows)
        for entry in batch:
            lookup[entry.id] = len(self._ids)
            self._ids.append(entry.id)
            self._hashes.append(entry.hash if isinstance(entry.hash, MultiHash) else None)
            self._sources.append(entry.source)
            self._categories.append(entry.category)
            self._added.append(entry.added)
        self._entry_row.extend(first_rows)
        self._row_blocks.append(np.asarray(owners, dtype=np.int64))

    def _extend_rows(
        self,
        rows: NDArray[np.uint64],
        ids: list[str | None],
        sources: list[str | None],
        categories: list[str | None],
        added: list[date | None],
    ) -> None:
        """Append single-hash entries from packed rows (ids are not checked here)."""
        n = len(rows)
        start = len(self)
        self._backend.add(rows)
        self._ids.extend(ids)
        self._hashes.extend([None] * n)
        self._sources.extend(sources)
        self._categories.extend(categories)
        self._added.extend(added)
        self._entry_row.extend(range(self._n_rows, self._n_rows + n))
        self._row_blocks.append(np.arange(start, start + n, dtype=np.int64))
        self._n_rows += n
        self._lookup = None

    @classmethod
    def from_words(
        cls,
        words: NDArray[np.uint64],
        algorithm: str,
        size: int | None = None,
        *,
        backend: str = DEFAULT_BACKEND,
        **backend_options: Any,
    ) -> HammingIndex:
        """An index over packed hashes (one per row), ids being their positions.

        The fast way to build a large index: no Python object per entry.

        Args:
            words: ``(n, ceil(bits / 64))`` uint64 words, most significant first (or
                ``(n,)`` for hashes of at most 64 bits), as :meth:`ImageHash.to_words`.
        """
        index = cls(algorithm, size, backend=backend, **backend_options)
        rows = index._backend._as_rows(words, "words")
        if len(rows) and index.bits % 64 and np.any(rows[:, 0] >> np.uint64(index.bits % 64)):
            raise ValueError(f"words have bits set beyond the {index.bits} bits of a hash")
        none: list[Any] = [None] * len(rows)
        index._extend_rows(rows, none, none, none, none)
        return index

    def _check_kind(self, value: HashValue) -> None:
        if not isinstance(value, ImageHash | MultiHash):
            raise TypeError(f"expected an ImageHash or MultiHash, not {type(value).__name__}")
        if (value.algorithm, value.size) != (self.algorithm, self.size):
            raise ValueError(f"this index holds {self.kind} hashes, not {value.kind}")

    def _rows_to_entries(self) -> NDArray[np.int64]:
        if self._row_blocks:
            self._row_entry = np.concatenate([self._row_entry, *self._row_blocks])
            self._row_blocks = []
        return self._row_entry

    # ------------------------------------------------------------------ queries

    def query(self, value: HashValue, radius: int) -> list[IndexMatch]:
        """Entries within ``radius`` bits of ``value`` (inclusive), nearest first.

        Ties are in insertion order. A :class:`MultiHash` query matches through any part.
        """
        return self.query_many((value,), radius)[0]

    def query_many(self, values: Sequence[HashValue], radius: int) -> list[list[IndexMatch]]:
        """:meth:`query` for many hashes at once (the fast path); one list per hash."""
        query_of_part: list[int] = []
        parts: list[int] = []
        for k, value in enumerate(values):
            self._check_kind(value)
            items = value.parts if isinstance(value, MultiHash) else (value,)
            parts.extend(p.value for p in items)
            query_of_part.extend([k] * len(items))
        out: list[list[IndexMatch]] = [[] for _ in values]
        if not parts:
            return out
        qi, ei, dist = self._query_rows(
            _ints_to_words(parts, self._n_words),
            radius,
            np.asarray(query_of_part, dtype=np.int64),
            len(values),
        )
        cache: dict[int, IndexEntry] = {}
        for q, e, d in zip(qi.tolist(), ei.tolist(), dist.tolist(), strict=True):
            if e not in cache:
                cache[e] = self.entry(e)
            out[q].append(IndexMatch(cache[e], d))
        return out

    def query_words(self, words: NDArray[np.uint64], radius: int) -> QueryResult:
        """Range search over packed query hashes, without building Python objects.

        Args:
            words: ``(q, w)`` uint64 (or ``(q,)`` for hashes of at most 64 bits).
            radius: the largest distance reported (inclusive).

        Returns:
            ``(query, entry_position, distance)`` int64 arrays, ordered by query, then
            distance, then entry position.
        """
        rows = self._backend._as_rows(words, "words")
        return self._query_rows(rows, radius, None, len(rows))

    def _query_rows(
        self,
        rows: NDArray[np.uint64],
        radius: int,
        query_of_row: NDArray[np.int64] | None,
        n_queries: int,
    ) -> QueryResult:
        qi, ri, dist = self._backend.query(rows, radius)
        row_entry = self._rows_to_entries()
        multi_rows = len(row_entry) != len(self)
        ei = row_entry[ri] if multi_rows else ri
        if query_of_row is not None:
            qi = query_of_row[qi]
        if (multi_rows or query_of_row is not None) and len(qi):
            # Keep each (query, entry) once, at its smallest distance.
            order = np.lexsort((ei, dist, qi))
            qi, ei, dist = qi[order], ei[order], dist[order]
            _, first = np.unique(qi * max(1, len(self)) + ei, return_index=True)
            qi, ei, dist = qi[first], ei[first], dist[first]
            order = np.lexsort((ei, dist, qi))
            qi, ei, dist = qi[order], ei[order], dist[order]
        del n_queries
        return qi, ei, dist

    # ------------------------------------------------------------------ files

    def dump(self, path: str | os.PathLike[str]) -> None:
        """Write the index to ``path`` in the JSON-lines index format (replacing it)."""
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(_header_line(self.algorithm, self.size))
            fh.writelines(self._json_lines())
        os.replace(tmp, target)

    def _json_lines(self) -> Iterator[str]:
        """The entry lines of the file format, without building entry objects."""
        width = (self.bits + 3) // 4
        words = self._backend.words
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        for i in range(len(self)):
            value = self._hashes[i]
            entry_id = self._ids[i]
            record: dict[str, Any] = {"id": entry_id if entry_id is not None else str(i)}
            if isinstance(value, MultiHash):
                record["hash"] = [p.to_hex() for p in value.parts]
            else:
                record["hash"] = f"{_words_to_int(words[self._entry_row[i]]):0{width}x}"
            if self._sources[i] is not None:
                record["source"] = self._sources[i]
            if self._categories[i] is not None:
                record["category"] = self._categories[i]
            day = self._added[i]
            if day is not None:
                record["added"] = day.isoformat()
            yield dumps(record) + "\n"

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        backend: str = DEFAULT_BACKEND,
        **backend_options: Any,
    ) -> HammingIndex:
        """Read an index file written by :meth:`dump` or :func:`append_entries`.

        Raises:
            IndexFormatError: the file is malformed or from another format version; the
                message names the file and line.
            OSError: the file cannot be read.
        """
        where = os.fspath(path)
        with open(path, encoding="utf-8") as fh:
            header = _read_header(fh.readline(), where)
            index = cls(header[0], header[1], backend=backend, **backend_options)
            _load_entries(index, fh, where)
        return index

    @staticmethod
    def read_kind(path: str | os.PathLike[str]) -> tuple[str, int]:
        """The ``(algorithm, size)`` of an index file, from its header line only."""
        where = os.fspath(path)
        with open(path, encoding="utf-8") as fh:
            return _read_header(fh.readline(), where)


def append_entries(path: str | os.PathLike[str], entries: Iterable[IndexEntry]) -> int:
    """Append entries to an index file, creating it (with a header) if it does not exist.

    The file's header must name the entries' algorithm and size. Ids are not checked
    against the entries already in the file; :meth:`HammingIndex.load` rejects duplicates.

    Returns:
        The number of entries written.

    Raises:
        IndexFormatError: the existing file has a bad header.
        ValueError: entries of different kinds, or of another kind than the file.
    """
    batch = list(entries)
    if not batch:
        return 0
    kind = (batch[0].hash.algorithm, batch[0].hash.size)
    for entry in batch:
        if (entry.hash.algorithm, entry.hash.size) != kind:
            raise ValueError(f"cannot append {entry.hash.kind} and {kind[0]}:{kind[1]} together")
    target = Path(path)
    exists = target.exists() and target.stat().st_size > 0
    if exists:
        file_kind = HammingIndex.read_kind(target)
        if file_kind != kind:
            raise ValueError(
                f"{target} holds {file_kind[0]}:{file_kind[1]} hashes, not {kind[0]}:{kind[1]}"
            )
        with target.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            needs_newline = fh.read(1) != b"\n"
    with target.open("a", encoding="utf-8") as fh:
        if not exists:
            fh.write(_header_line(*kind))
        elif needs_newline:
            fh.write("\n")
        for entry in batch:
            fh.write(json.dumps(entry.to_json(), ensure_ascii=False) + "\n")
    return len(batch)


# --------------------------------------------------------------------------- helpers


def _ints_to_words(values: Sequence[int], n_words: int) -> NDArray[np.uint64]:
    raw = b"".join(v.to_bytes(8 * n_words, "big") for v in values)
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(len(values), n_words)


def _words_to_int(row: NDArray[np.uint64]) -> int:
    return int.from_bytes(row.astype(">u8").tobytes(), "big")


def _header_line(algorithm: str, size: int) -> str:
    header = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "algorithm": algorithm,
        "size": size,
        "bits": hash_bits(algorithm, size),
    }
    return json.dumps(header) + "\n"


def _read_header(line: str, where: str) -> tuple[str, int]:
    def fail(problem: str) -> IndexFormatError:
        return IndexFormatError(f"{where}:1: {problem}")

    if not line.strip():
        raise fail("empty file: expected a censorsim hash index header")
    try:
        header = json.loads(line)
    except json.JSONDecodeError as exc:
        raise fail(f"header is not JSON ({exc.msg})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise fail(f"not a censorsim hash index (no \"format\": {FORMAT_NAME!r} header)")
    if header.get("version") != FORMAT_VERSION:
        raise fail(
            f"index format version {header.get('version')!r} is not supported "
            f"(this censorsim reads version {FORMAT_VERSION})"
        )
    unknown = set(header) - _HEADER_KEYS
    if unknown:
        raise fail(f"unknown header fields: {', '.join(sorted(unknown))}")
    algorithm, size = header.get("algorithm"), header.get("size")
    if not isinstance(algorithm, str) or not isinstance(size, int) or isinstance(size, bool):
        raise fail("header needs a string \"algorithm\" and an integer \"size\"")
    try:
        bits = hash_bits(algorithm, size)
    except (ValueError, TypeError) as exc:
        raise fail(str(exc)) from None
    if header.get("bits", bits) != bits:
        raise fail(f"header says {header.get('bits')} bits; {algorithm}:{size} has {bits}")
    return algorithm, size


def _load_entries(index: HammingIndex, lines: Iterable[str], where: str) -> None:
    width = (index.bits + 3) // 4
    top_limit = 1 << (index.bits - 4 * (width - 1))
    pattern = re.compile(rf"[0-9a-fA-F]{{{width}}}")

    def parse_hex(text: object, lineno: int) -> str:
        if not isinstance(text, str) or not pattern.fullmatch(text):
            raise IndexFormatError(
                f"{where}:{lineno}: hash must be {width} hex digits for {index.kind}, "
                f"not {text!r}"
            )
        if int(text[0], 16) >= top_limit:
            raise IndexFormatError(f"{where}:{lineno}: hash {text!r} exceeds {index.bits} bits")
        return text.lower()

    single_hex: list[str] = []
    ids: list[str] = []
    seen: dict[str, int] = {}
    multi: dict[int, MultiHash] = {}
    sources: list[str | None] = []
    categories: list[str | None] = []
    added: list[date | None] = []
    for lineno, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IndexFormatError(f"{where}:{lineno}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise IndexFormatError(f"{where}:{lineno}: an entry must be a JSON object")
        unknown = set(record) - _ENTRY_KEYS
        if unknown:
            fields = ", ".join(sorted(unknown))
            raise IndexFormatError(f"{where}:{lineno}: unknown fields: {fields}")
        entry_id = record.get("id")
        if not isinstance(entry_id, str) or not entry_id:
            raise IndexFormatError(f"{where}:{lineno}: entry needs a non-empty string \"id\"")
        if entry_id in seen:
            raise IndexFormatError(
                f"{where}:{lineno}: duplicate id {entry_id!r} (first on line {seen[entry_id]})"
            )
        seen[entry_id] = lineno
        raw = record.get("hash")
        if isinstance(raw, list):
            if not raw:
                raise IndexFormatError(f"{where}:{lineno}: empty hash list")
            hexes = [parse_hex(h, lineno) for h in raw]
            multi[len(ids)] = MultiHash(
                tuple(ImageHash(index.algorithm, index.size, int(h, 16)) for h in hexes)
            )
            single_hex.append(hexes[0])
        else:
            single_hex.append(parse_hex(raw, lineno))
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
                f"{where}:{lineno}: 'added' must be a date like 2024-06-04, not {day!r}"
            ) from None
        ids.append(entry_id)
        sources.append(meta[0])
        categories.append(meta[1])
        added.append(parsed)
    if not multi:
        # Bulk path: no Python hash objects, one array for every row.
        digits = 16 * index._n_words
        raw_bytes = bytes.fromhex("".join(h.rjust(digits, "0") for h in single_hex))
        words = np.frombuffer(raw_bytes, dtype=">u8").astype(np.uint64)
        index._extend_rows(
            words.reshape(len(ids), index._n_words), list(ids), sources, categories, added
        )
        return
    entries = []
    for k, entry_id in enumerate(ids):
        parsed_hash: HashValue = multi.get(k) or ImageHash(
            index.algorithm, index.size, int(single_hex[k], 16)
        )
        entries.append(IndexEntry(entry_id, parsed_hash, sources[k], categories[k], added[k]))
    index.extend(entries)
