"""Multi-index hashing (Norouzi, Punjani and Fleet, CVPR 2012): exact Hamming range search
over bucket tables of substrings, with the rows grouped by distinct value and a memory
bound (issue 16, target 6). Registered as ``"mih"`` in :mod:`censorsim.image.backends`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, ClassVar, TypeAlias

import numpy as np
from numpy.typing import NDArray

from censorsim.errors import ParameterError
from censorsim.image._hamming import (
    _EMPTY,
    HammingBackend,
    Ints,
    LinearBackend,
    QueryResult,
    Words,
    _popcount,
    _scan,
)

__all__ = ["MIHBackend"]

_Indices: TypeAlias = NDArray[np.signedinteger[Any]]
"""int32 or int64 positions (int32 while they fit, to halve the tables' memory)."""

# --------------------------------------------------------------------------- multi-index


@cache
def _neighbour_masks(length: int, radius: int) -> Ints:
    """Every ``length``-bit value with at most ``radius`` bits set (XOR masks)."""
    if _n_within(length, radius) * 64 > 1 << length:
        values = np.arange(1 << length, dtype=np.int64)
        return values[np.bitwise_count(values) <= radius]
    masks = [0]
    for k in range(1, min(radius, length) + 1):
        for combo in itertools.combinations(range(length), k):
            masks.append(sum(1 << b for b in combo))
    return np.array(masks, dtype=np.int64)


def _n_within(length: int, radius: int) -> int:
    return sum(math.comb(length, k) for k in range(min(radius, length) + 1))


def _extract(words: Words, start: int, length: int) -> Ints:
    """Bits ``[start, start + length)`` (from the top of the padded row) as integers."""
    k, offset = divmod(start, 64)
    if offset + length <= 64:
        shifted = words[:, k] >> np.uint64(64 - offset - length)
        return (shifted & np.uint64((1 << length) - 1)).astype(np.int64)
    high_len = 64 - offset
    low_len = length - high_len
    high = words[:, k] & np.uint64((1 << high_len) - 1)
    low = words[:, k + 1] >> np.uint64(64 - low_len)
    return ((high << np.uint64(low_len)) | low).astype(np.int64)


def _substrings(bits: int, n_words: int, m: int) -> list[tuple[int, int]]:
    """``m`` near-equal ``(start, length)`` substrings covering the meaningful bits."""
    pad = 64 * n_words - bits
    base, extra = divmod(bits, m)
    out: list[tuple[int, int]] = []
    start = pad
    for j in range(m):
        length = base + (1 if j < extra else 0)
        out.append((start, length))
        start += length
    return out


@dataclass(frozen=True, slots=True)
class _Table:
    """One substring's bucket table: values sorted by substring, with bucket offsets."""

    start: int
    length: int
    offsets: _Indices  # 2**length + 1 bucket boundaries into the sorted arrays
    # Row ids (wide rows) or distinct value ids (64-bit rows) sorted by substring;
    # None over distinct values when ``words`` holds their copy (ids by binary search)
    # and for the first table of 64-bit rows (the values themselves).
    rows: _Indices | None
    # The rows' words in the same order (contiguous candidate reads); None over distinct
    # values when the copy would not fit ``max_memory``: read through ``rows`` instead.
    words: Words | None


@dataclass(frozen=True, slots=True)
class _Distinct:
    """The distinct 64-bit values of the rows and the rows holding each.

    Real perceptual-hash collections hold many exact duplicates (a re-encoded or slightly
    resized copy usually keeps its pHash): the tables index each value once, and a match
    is expanded to every row holding it.
    """

    values: Words  # sorted distinct values (1-D)
    rows: _Indices  # row ids grouped by value, in row order within a value
    starts: _Indices | None  # value v's rows are rows[starts[v]:starts[v + 1]]


def _group_sizes(d: _Distinct) -> Ints:
    """How many rows hold each distinct value."""
    if d.starts is None:
        return np.ones(len(d.values), dtype=np.int64)
    return np.diff(d.starts).astype(np.int64)


def _zeros(n: int, limit: int) -> _Indices:
    """``n`` zero positions, int32 when values up to ``limit`` fit."""
    return np.zeros(n, dtype=np.int32) if limit < 2**31 else np.zeros(n, dtype=np.int64)


def _distinct(flat: Words) -> _Distinct:
    values, inverse = np.unique(flat, return_inverse=True)
    rows = _zeros(len(flat), len(flat))
    rows[:] = np.argsort(inverse, kind="stable")
    if len(values) == len(flat):
        return _Distinct(values, rows, None)
    starts = _zeros(len(values) + 1, len(flat))
    np.cumsum(np.bincount(inverse, minlength=len(values)), out=starts[1:])
    return _Distinct(values, rows, starts)


class MIHBackend(HammingBackend):
    """Multi-index hashing: exact range search, sublinear for small radii.

    Args:
        bits: meaningful bits per row.
        m: a fixed number of substrings; ``None`` chooses per query radius from the cost
            model (see :meth:`plan`).
        max_table_bits: the longest substring given a direct bucket table (``2**bits``
            offsets each).
        max_memory: for hashes of at most 64 bits, the most the index may hold, as a
            multiple of the raw rows' bytes (issue 16: within 2x). The tables keep a
            copy of the values' words (contiguous candidate reads, measured about 1.5x
            the queries/s at 1M) when everything then fits, or when nothing would;
            else 4-byte value ids, which do fit. ``None``: always the copy.

    For hashes of at most 64 bits the tables index each *distinct* value once (sorted;
    the first table is the sorted values themselves) and a match is expanded to every
    row holding that value, so duplicate-heavy collections cost neither candidates nor
    memory; table positions are mapped back to values by binary search on the matches
    only. Once the tables are built the rows are not kept a second time: they are held
    as the distinct values and the rows holding each (``8 + 4`` bytes per distinct
    value, 4 per row), and :attr:`words` rebuilds the row array when asked. Memory in
    all: ``8 * m + 4`` bytes per distinct value and 4 per row, plus the bucket offsets
    (4 bytes per bucket), and 4 more per row once :meth:`row` has been asked for.
    """

    name = "mih"

    #: Cost-model weights, in units of one verified candidate word (about 17 ns on the
    #: benchmark machine): a probe into a table of at most 16 bits (cache-resident,
    #: radix-sorted), a probe into a larger table, and one row-word of a linear scan.
    probe_cost: ClassVar[float] = 1.0
    large_probe_cost: ClassVar[float] = 6.0
    candidate_cost: ClassVar[float] = 1.0
    scan_cost: ClassVar[float] = 0.17
    #: Largest number of probes handled per vectorised step.
    block_probes: ClassVar[int] = 1 << 16

    def __init__(
        self, bits: int, *, m: int | None = None, max_table_bits: int = 22,
        max_memory: float | None = 2.0,
    ) -> None:
        super().__init__(bits)
        if max_memory is not None and not max_memory > 0:
            raise ParameterError(f"max_memory must be positive or None, not {max_memory}")
        self.max_memory = max_memory
        if m is not None and not 1 <= m <= bits:
            raise ParameterError(f"m must be between 1 and {bits}, not {m}")
        if not 1 <= max_table_bits <= 28:
            raise ParameterError(f"max_table_bits must be between 1 and 28, not {max_table_bits}")
        if m is not None and math.ceil(bits / m) > max_table_bits:
            raise ParameterError(
                f"m={m} gives {math.ceil(bits / m)}-bit substrings, longer than "
                f"max_table_bits={max_table_bits}; use a larger m"
            )
        self.m = m
        self.max_table_bits = max_table_bits
        self._tables: dict[int, list[_Table]] = {}
        self._distinct: _Distinct | None = None
        # True once the rows are held only as ``_distinct`` (``_words`` is then empty).
        self._compact = False
        self._n_compact = 0
        self._row_value: _Indices | None = None  # row -> distinct value id, on demand

    _transient = ("_tables", "_distinct", "_row_value")

    def __len__(self) -> int:
        return self._n_compact if self._compact else super().__len__()

    @property
    def words(self) -> Words:
        """All rows as one ``(n, w)`` uint64 array (rebuilt from the distinct values once
        the tables hold the rows: O(n) per call, nothing kept)."""
        if self._compact:
            return self._rows_from_distinct()
        return self._row_array()

    def _row_array(self) -> Words:
        return HammingBackend.words.fget(self)  # type: ignore[attr-defined,no-any-return]

    def row(self, position: int) -> Words:
        """The words of one row (a ``(w,)`` array)."""
        d = self._distinct
        if not self._compact or d is None:
            return super().row(position)
        if self._row_value is None:
            self._row_value = _zeros(self._n_compact, len(d.values))
            self._row_value[d.rows] = np.repeat(
                np.arange(len(d.values), dtype=self._row_value.dtype), _group_sizes(d)
            )
        out: Words = d.values[self._row_value[position]].reshape(1)
        return out

    def _rows_from_distinct(self) -> Words:
        d = self._distinct
        assert d is not None
        out = np.empty((self._n_compact, 1), dtype=np.uint64)
        out[d.rows, 0] = d.values if d.starts is None else np.repeat(d.values, _group_sizes(d))
        return out

    def _invalidate(self) -> None:
        if self._compact:
            # Rows are being added: the row array comes back before its groups go.
            self._words = self._rows_from_distinct()
            self._compact = False
        self._tables.clear()
        self._distinct = None
        self._row_value = None

    def _restore(self) -> None:
        # A pickle holds the row array (HammingBackend.__getstate__ reads .words).
        self._tables = {}
        self._distinct = None
        self._row_value = None
        self._compact = False

    def plan(self, radius: int) -> int | None:
        """The number of substrings used for ``radius`` (``None``: a linear scan is cheaper)."""
        if self.m is not None:
            return self.m
        weights = (self.probe_cost, self.large_probe_cost, self.candidate_cost, self.scan_cost)
        return _plan(self.bits, self.n_words, len(self), radius, self.max_table_bits, weights)

    def memory(self) -> dict[str, int]:
        """Bytes held: the row array (0 once the groups hold the rows), and the
        structures built over the rows (tables, distinct values and their groups)."""
        d = self._distinct
        tables = sum(
            t.offsets.nbytes + (0 if t.rows is None else t.rows.nbytes)
            + (0 if t.words is None or (d is not None and t.words is d.values)
               else t.words.nbytes)
            for ts in self._tables.values() for t in ts
        )
        groups = 0 if d is None else d.values.nbytes + d.rows.nbytes + (
            0 if d.starts is None else d.starts.nbytes)
        if self._row_value is not None:
            groups += self._row_value.nbytes
        rows = 0 if self._compact else self._row_array().nbytes
        return {"rows": rows, "index": tables + groups}

    def _build(self, m: int) -> list[_Table]:
        if m not in self._tables:
            if self.n_words == 1:
                self._compact_rows()
                assert self._distinct is not None
                base = self._distinct.values[:, None]
            else:
                base = self.words
            tables: list[_Table] = []
            copies = self.n_words > 1 or self._copies_fit(m)
            for start, length in _substrings(self.bits, self.n_words, m):
                keys = _extract(base, start, length)
                counts = np.bincount(keys, minlength=1 << length)
                offsets = _zeros((1 << length) + 1, len(base))
                np.cumsum(counts, out=offsets[1:])
                if self.n_words == 1 and start == 64 - self.bits:
                    # Sorted values are already sorted by their top substring.
                    assert self._distinct is not None
                    tables.append(_Table(start, length, offsets, None, self._distinct.values))
                    continue
                order = np.argsort(keys, kind="stable")
                if self.n_words == 1 and copies:
                    tables.append(_Table(start, length, offsets, None, base[order, 0]))
                    continue
                if self.n_words == 1:
                    ids = _zeros(len(order), len(order))
                    ids[:] = order
                    tables.append(_Table(start, length, offsets, ids, None))
                    continue
                sorted_words = np.ascontiguousarray(base[order])
                tables.append(
                    _Table(start, length, offsets, order.astype(np.int64), sorted_words)
                )
            self._tables[m] = tables
        return self._tables[m]

    def _copies_fit(self, m: int) -> bool:
        """Whether the tables for ``m`` keep a copy of the values' words: yes when the
        index then stays within ``max_memory`` times the raw rows, or when 4-byte value
        ids would not keep it there either (64-bit rows, groups built)."""
        d = self._distinct
        assert d is not None
        if self.max_memory is None:
            return True
        held = self.memory()["index"]  # groups and the tables already built
        position = _zeros(0, len(d.values)).itemsize
        substrings = _substrings(self.bits, self.n_words, m)
        # Every table's offsets; all but the first (the values themselves) hold a copy
        # of the values' words (8 bytes each) or their ids.
        offsets = sum(position * ((1 << length) + 1) for _, length in substrings)
        limit = self.max_memory * 8 * self._n_compact
        per_value = (len(substrings) - 1) * len(d.values)
        return (held + offsets + 8 * per_value <= limit
                or held + offsets + position * per_value > limit)

    def _compact_rows(self) -> None:
        """Group the rows by distinct value and drop the row array (64-bit rows only)."""
        if self._distinct is None:
            words = self.words
            self._distinct = _distinct(words[:, 0])
            self._n_compact = len(words)
            self._words = np.zeros((0, 1), dtype=np.uint64)
            self._compact = True

    def _query(self, queries: Words, radius: int) -> QueryResult:
        m = self.plan(radius)
        if m is None:
            if self._compact and self._distinct is not None:
                # Scan each distinct value once, then expand to the rows holding it.
                found = _scan(self._distinct.values[:, None], queries, radius,
                              LinearBackend.block_cells)
                return self._expand(*found) if len(found[0]) else found
            return _scan(self.words, queries, radius, LinearBackend.block_cells)
        tables = self._build(m)
        radii = _sub_radii(radius, m)
        per_query = sum(
            _n_within(t.length, r) for t, r in zip(tables, radii, strict=True) if r >= 0
        )
        step = max(1, self.block_probes // max(1, per_query))
        flat = np.ascontiguousarray(queries[:, 0]) if self.n_words == 1 else queries
        values = None if self._distinct is None else self._distinct.values
        out_q: list[Ints] = []
        out_r: list[Ints] = []
        out_d: list[Ints] = []
        for start in range(0, len(queries), step):
            block = queries[start : start + step]
            flat_block = flat[start : start + step]
            for table, sub_radius in zip(tables, radii, strict=True):
                if sub_radius < 0:
                    continue
                qi, pos, dist = self._probe(table, block, flat_block, radius, sub_radius,
                                            values)
                out_q.append(qi + start)
                out_r.append(self._ids(table, pos))
                out_d.append(dist)
        if not out_q:
            return _EMPTY, _EMPTY, _EMPTY
        qi = np.concatenate(out_q)
        rows = np.concatenate(out_r)
        dist = np.concatenate(out_d)
        if m > 1 and len(qi):
            # A pair within the radius may be found through several substrings.
            _, first = np.unique(qi * (int(rows.max()) + 1) + rows, return_index=True)
            qi, rows, dist = qi[first], rows[first], dist[first]
        if self._distinct is not None and self.n_words == 1:
            qi, rows, dist = self._expand(qi, rows, dist)
        return qi, rows, dist

    def _ids(self, table: _Table, positions: Ints) -> Ints:
        """Row ids (or, over distinct values, value ids) of table positions."""
        if table.rows is not None:
            return table.rows[positions].astype(np.int64, copy=False)
        d = self._distinct
        assert d is not None and table.words is not None
        if table.words is d.values:
            return positions  # the first table: its positions are the value ids
        # A copy of the values' words: the value ids found back by binary search.
        return np.searchsorted(d.values, table.words[positions]).astype(np.int64)

    def _expand(self, qi: Ints, values: Ints, dist: Ints) -> QueryResult:
        """Value-level matches as row-level ones (every row holding a matched value)."""
        d = self._distinct
        assert d is not None
        if d.starts is None:
            return qi, d.rows[values].astype(np.int64), dist
        low = d.starts[values].astype(np.int64)
        counts = d.starts[values + 1] - low
        ends = np.cumsum(counts)
        positions = np.repeat(low - (ends - counts), counts)
        positions += np.arange(len(positions), dtype=np.int64)
        return (np.repeat(qi, counts), d.rows[positions].astype(np.int64),
                np.repeat(dist, counts))

    @staticmethod
    def _probe(
        table: _Table, queries: Words, flat: Words, radius: int, sub_radius: int,
        values: Words | None,
    ) -> QueryResult:
        """``(query, table position, distance)`` of every candidate within ``radius``
        (``values``: the distinct values a table without words refers to)."""
        masks = _neighbour_masks(table.length, sub_radius)
        keys = _extract(queries, table.start, table.length)
        probes = (keys[:, None] ^ masks[None, :]).ravel()
        # Visit buckets in key order: candidate reads then stream through the table.
        if table.length <= 16:
            order = np.argsort(probes.astype(np.uint16), kind="stable")
        else:
            order = np.argsort(probes)
        probes = probes[order]
        low = table.offsets[probes].astype(np.int64)
        counts = table.offsets[probes + 1] - low
        hit = np.flatnonzero(counts)
        if len(hit) == 0:
            return _EMPTY, _EMPTY, _EMPTY
        low = low[hit]
        counts = counts[hit]
        probe_query = order[hit] // len(masks)
        # Expand the buckets [low, low + count) into one flat array of positions.
        ends = np.cumsum(counts)
        positions = np.repeat(low - (ends - counts), counts)
        positions += np.arange(len(positions), dtype=np.int64)
        cand_query = np.repeat(probe_query, counts)
        if table.words is not None:
            candidates = np.take(table.words, positions, axis=0)
        else:
            assert values is not None and table.rows is not None
            candidates = np.take(values, np.take(table.rows, positions))
        candidates ^= np.take(flat, cand_query, axis=0)
        dist = _popcount(candidates)
        keep = np.flatnonzero(dist <= radius)
        return cand_query[keep], positions[keep], dist[keep].astype(np.int64)


@lru_cache(maxsize=256)
def _plan(
    bits: int,
    n_words: int,
    n: int,
    radius: int,
    max_table_bits: int,
    weights: tuple[float, float, float, float],
) -> int | None:
    """The cheapest ``m`` under the cost model, or ``None`` when a scan is cheaper."""
    probe_cost, large_probe_cost, candidate_cost, scan_cost = weights
    best: tuple[float, int | None] = (scan_cost * n * n_words, None)
    for m in range(math.ceil(bits / max_table_bits), bits + 1):
        cost = 0.0
        for (_, length), sub_radius in zip(
            _substrings(bits, n_words, m), _sub_radii(radius, m), strict=True
        ):
            if sub_radius < 0:
                continue
            probes = _n_within(length, sub_radius)
            cost += probes * (probe_cost if length <= 16 else large_probe_cost)
            cost += probes * n / 2.0**length * candidate_cost * n_words
        if cost < best[0]:
            best = (cost, m)
    return best[1]


def _sub_radii(radius: int, m: int) -> list[int]:
    """Per-substring search radii that still find every row within ``radius``.

    With ``radius = q * m + a``, a row within ``radius`` is within ``q`` on one of the first
    ``a + 1`` substrings or within ``q - 1`` on one of the others (Norouzi et al., 2012):
    otherwise its distance would be at least ``(a + 1)(q + 1) + (m - a - 1) q = radius + 1``.
    A radius of ``-1`` means that substring need not be probed.
    """
    q, a = divmod(radius, m)
    return [q if j <= a else q - 1 for j in range(m)]
