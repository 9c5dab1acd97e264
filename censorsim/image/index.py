"""A blacklist of image hashes with inclusive Hamming-range queries.

:class:`HammingIndex` holds hashes of one algorithm and size, each in an
:class:`IndexEntry` with an id and metadata (source, category, date added), and answers
"which entries are within ``radius`` bits of this hash?" with :class:`IndexMatch` pairs
``(entry, distance)``. The search itself is delegated to a backend chosen by name
(:mod:`censorsim.image.backends`): ``"mih"`` (default), ``"linear"``, ``"faiss"``.

A :class:`~censorsim.image.hashing.MultiHash` entry (crop-resistant segments, dihedral
variants) is stored as one row per part; its distance to a query is the smallest over
parts, so each entry is reported once.

Index files are JSON lines (:mod:`censorsim.image.index_format`); :meth:`HammingIndex.dump`
and :meth:`HammingIndex.load` write and read them.

Example:
    >>> from censorsim.image.hashing import ImageHash
    >>> index = HammingIndex("phash")
    >>> _ = index.add(ImageHash.from_hex("ffff000000000000", "phash"), id="banned")
    >>> query = ImageHash.from_hex("0fff000000000000", "phash")
    >>> [(entry.id, distance) for entry, distance in index.query(query, radius=10)]
    [('banned', 4)]
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from censorsim.errors import ParameterError, UnknownNameError
from censorsim.image.algorithms import hash_bits, resolve_size
from censorsim.image.backends import DEFAULT_BACKEND, HammingBackend, QueryResult, make_backend
from censorsim.image.files import open_regular
from censorsim.image.index_format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    ParsedEntries,
    append_entries,
    entry_record,
    header_line,
    parse_entries,
    read_header,
    read_kind,
    read_lines,
)
from censorsim.image.values import HashValue, ImageHash, MultiHash

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "HammingIndex",
    "IndexEntry",
    "IndexMatch",
    "append_entries",
    "default_threshold",
    "save_entries",
]


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
            raise ParameterError(f"entry id must be a non-empty string, not {self.id!r}")
        if not isinstance(self.hash, ImageHash | MultiHash):
            raise TypeError(f"entry hash must be an ImageHash or MultiHash, not {self.hash!r}")
        if self.added is not None and not isinstance(self.added, date):
            raise TypeError(f"added must be a datetime.date, not {self.added!r}")

    def __repr__(self) -> str:
        """``IndexEntry('poster', phash:8 e1c3..., category='demo')``: the hash in hex."""
        extra = "".join(f", {k}={v!r}" for k, v in (
            ("source", self.source), ("category", self.category),
            ("added", None if self.added is None else self.added.isoformat())) if v is not None)
        return f"IndexEntry({self.id!r}, {self.hash.kind} {self.hash.to_hex()}{extra})"

    def to_json(self) -> dict[str, Any]:
        """The entry as one JSON object of the index file format."""
        value = self.hash
        hexes = [p.to_hex() for p in value.parts] if isinstance(value, MultiHash) else None
        return entry_record(
            self.id, hexes or value.to_hex(), self.source, self.category, self.added
        )


@dataclass(frozen=True, slots=True)
class IndexMatch:
    """An entry within range of a query, and its Hamming distance (unpacks as a pair)."""

    entry: IndexEntry
    distance: int

    def __iter__(self) -> Iterator[Any]:
        yield self.entry
        yield self.distance

    def __repr__(self) -> str:
        """``IndexMatch('poster', distance=3, hash=phash:8 e1c3...)``."""
        e = self.entry
        return (f"IndexMatch({e.id!r}, distance={self.distance}, "
                f"hash={e.hash.kind} {e.hash.to_hex()})")


class HammingIndex:
    """A blacklist of hashes of one algorithm and size with Hamming-range queries.

    Args:
        algorithm: the hash algorithm of every entry (see ``hashing.ALGORITHMS``).
        size: its size parameter (``None``: the algorithm's default).
        backend: the search backend's name: ``"mih"``, ``"linear"`` or ``"faiss"``.
        **backend_options: passed to the backend (e.g. ``m=4`` for ``"mih"``).

    Raises:
        UnknownNameError: an unknown algorithm or backend name.
        ParameterError: a bad size.
        MissingDependencyError: the backend's extra is not installed.
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
        self.size = resolve_size(algorithm, size)
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

    # ------------------------------------------------------------------ pickling

    def __getstate__(self) -> dict[str, Any]:
        """The index for pickling: entries and rows; the id lookup is rebuilt on use."""
        self._rows_to_entries()
        state = dict(self.__dict__)
        state["_lookup"] = None
        return state

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
            UnknownNameError: no such entry (the message lists up to ten ids).
        """
        lookup = self._ids_lookup()
        if entry_id not in lookup:
            known = tuple(itertools.islice(lookup, 10)) + (("...",) if len(lookup) > 10 else ())
            raise UnknownNameError("index entry", entry_id, known)
        return self.entry(lookup[entry_id])

    def entry(self, position: int) -> IndexEntry:
        """The entry at ``position`` (insertion order)."""
        entry_id = self._ids[position]
        value = self._hashes[position]
        if value is None:
            row = self._backend.row(self._entry_row[position])
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
            ParameterError: a hash of another kind, or an id already present.
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
            ParameterError: a hash of another kind, or a duplicate id.
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
                raise ParameterError(f"duplicate entry id {entry.id!r}")
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
        rows = index._backend.check_rows(words, "words")
        if len(rows) and index.bits % 64 and np.any(rows[:, 0] >> np.uint64(index.bits % 64)):
            raise ParameterError(f"words have bits set beyond the {index.bits} bits of a hash")
        none: list[Any] = [None] * len(rows)
        index._extend_rows(rows, none, none, none, none)
        return index

    def _check_kind(self, value: HashValue) -> None:
        if not isinstance(value, ImageHash | MultiHash):
            raise TypeError(f"expected an ImageHash or MultiHash, not {type(value).__name__}")
        if (value.algorithm, value.size) != (self.algorithm, self.size):
            raise ParameterError(f"this index holds {self.kind} hashes, not {value.kind}")

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
        rows = self._backend.check_rows(words, "words")
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
        """Write the index to ``path`` in the JSON-lines index format (replacing it).

        The lines go to a temporary file in the same folder, renamed over ``path`` once
        complete: a failure (a full disk, an interrupt) leaves ``path`` as it was and
        removes the temporary file.

        Raises:
            IsADirectoryError: ``path`` is a folder.
            OSError: the folder is missing or cannot be written.
        """
        target = Path(path)
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory, not an index file", str(target))
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(header_line(self.algorithm, self.size))
                fh.writelines(self._json_lines())
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, _new_file_mode())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _json_lines(self) -> Iterator[str]:
        """The entry lines of the file format, without building entry objects."""
        width = (self.bits + 3) // 4
        words = self._backend.words
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        for i in range(len(self)):
            value = self._hashes[i]
            entry_id = self._ids[i]
            if isinstance(value, MultiHash):
                hexes: str | list[str] = [p.to_hex() for p in value.parts]
            else:
                hexes = f"{_words_to_int(words[self._entry_row[i]]):0{width}x}"
            record = entry_record(
                entry_id if entry_id is not None else str(i),
                hexes,
                self._sources[i],
                self._categories[i],
                self._added[i],
            )
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
            IndexFormatError: the file is malformed (not UTF-8 JSON lines, a bad field, a
                line over :data:`~censorsim.image.index_format.MAX_LINE_BYTES`) or from
                another format version; the message names the file and line.
            OSError: the file cannot be read, or is not a regular file
                (:class:`~censorsim.image.files.NotRegularFileError`).
        """
        where = os.fspath(path)
        with open_regular(path)[0] as fh:
            lines = read_lines(fh, where)
            algorithm, size = read_header(next(lines, ""), where)
            index = cls(algorithm, size, backend=backend, **backend_options)
            index._extend_parsed(parse_entries(lines, where, algorithm, size))
        return index

    @staticmethod
    def read_kind(path: str | os.PathLike[str]) -> tuple[str, int]:
        """The ``(algorithm, size)`` of an index file, from its header line only."""
        return read_kind(path)

    def _extend_parsed(self, parsed: ParsedEntries) -> None:
        """Add the entries read from a file."""
        if not parsed.multi:
            # Bulk path: no Python hash objects, one array for every row.
            digits = 16 * self._n_words
            raw_bytes = bytes.fromhex("".join(h.rjust(digits, "0") for h in parsed.hexes))
            words = np.frombuffer(raw_bytes, dtype=">u8").astype(np.uint64)
            self._extend_rows(
                words.reshape(len(parsed.ids), self._n_words),
                list(parsed.ids),
                parsed.sources,
                parsed.categories,
                parsed.added,
            )
            return
        entries = []
        for k, entry_id in enumerate(parsed.ids):
            value: HashValue = parsed.multi.get(k) or ImageHash(
                self.algorithm, self.size, int(parsed.hexes[k], 16)
            )
            entries.append(
                IndexEntry(
                    entry_id, value, parsed.sources[k], parsed.categories[k], parsed.added[k]
                )
            )
        self.extend(entries)


# --------------------------------------------------------------------------- helpers


def _new_file_mode() -> int:
    """The mode a new file gets under the current umask (mkstemp makes files 0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _ints_to_words(values: Sequence[int], n_words: int) -> NDArray[np.uint64]:
    raw = b"".join(v.to_bytes(8 * n_words, "big") for v in values)
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(len(values), n_words)


def _words_to_int(row: NDArray[np.uint64]) -> int:
    return int.from_bytes(row.astype(">u8").tobytes(), "big")


def save_entries(
    path: str | os.PathLike[str],
    algorithm: str,
    size: int | None,
    entries: Sequence[IndexEntry],
    *,
    append: bool = False,
) -> tuple[int, int]:
    """Write entries of ``algorithm:size`` hashes to an index file (its folder is created).

    Without ``append`` the file is replaced. With ``append`` entries go at the end of an
    existing file, those whose id is already there being skipped.

    Returns:
        ``(written, skipped)``.

    Raises:
        ParameterError: the existing file holds hashes of another kind, or an entry does.
        IndexFormatError: the existing file is malformed.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    size = resolve_size(algorithm, size)
    if append and target.exists():
        existing = HammingIndex.load(target, backend="linear")
        if (existing.algorithm, existing.size) != (algorithm, size):
            raise ParameterError(
                f"{target} holds {existing.kind} hashes, not {algorithm}:{size}"
            )
        fresh = [e for e in entries if e.id not in existing]
        append_entries(target, fresh)
        return len(fresh), len(entries) - len(fresh)
    index = HammingIndex(algorithm, size, backend="linear")
    index.extend(entries)
    index.dump(target)
    return len(entries), 0


def default_threshold(algorithm: str, size: int | None = None) -> int:
    """The default match radius: 0 for md5, else 10 bits per 64 (10 for 64-bit hashes).

    Example:
        >>> default_threshold("phash"), default_threshold("phash", 16), default_threshold("md5")
        (10, 40, 0)
    """
    if algorithm == "md5":
        return 0
    return round(hash_bits(algorithm, size) * 10 / 64)
