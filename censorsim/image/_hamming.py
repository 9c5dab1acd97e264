"""The Hamming backend interface and its reference: packed rows, inclusive range queries.

:class:`HammingBackend` stores rows of hashes packed as ``(n, w)`` arrays of uint64 words
(most significant word first; unused high bits zero), validates queries and puts every
backend's results in one canonical order; :class:`LinearBackend` is the exact scan every
other backend is checked against. The backends by name are in
:mod:`censorsim.image.backends`.
"""

from __future__ import annotations

import abc
from typing import Any, ClassVar, TypeAlias

import numpy as np
from numpy.typing import NDArray

from censorsim.errors import ParameterError

__all__ = ["HammingBackend", "Ints", "LinearBackend", "QueryResult", "Words"]

Words: TypeAlias = NDArray[np.uint64]
Ints: TypeAlias = NDArray[np.int64]
QueryResult: TypeAlias = tuple[Ints, Ints, Ints]
"""``(query, row, distance)`` arrays of equal length."""

_EMPTY = np.zeros(0, dtype=np.int64)


def _popcount(x: Words) -> NDArray[Any]:
    """Bit counts summed over the last axis (words) of a 2-D array, or of a 1-D array."""
    counts = np.bitwise_count(x)
    if x.ndim == 1:
        return np.asarray(counts)
    if x.shape[1] == 1:
        return np.asarray(counts[:, 0])
    return np.asarray(counts.sum(axis=1, dtype=np.int64))


def _canonical(qi: Ints, rows: Ints, dist: Ints) -> QueryResult:
    """Order triples by query, then distance, then row."""
    qi = np.asarray(qi, dtype=np.int64)
    rows = np.asarray(rows, dtype=np.int64)
    dist = np.asarray(dist, dtype=np.int64)
    order = np.lexsort((rows, dist, qi))
    return qi[order], rows[order], dist[order]


class HammingBackend(abc.ABC):
    """Stores packed hash rows and answers inclusive Hamming range queries.

    Subclasses implement :meth:`_query` (any order, no duplicates) and may override
    :meth:`_invalidate` to drop structures built over the rows; validation and the order
    of results live here, once.

    Attributes:
        name: the backend's registry name.
        bits: the number of meaningful bits per row.
        exact: whether the backend is guaranteed to return every pair (all here are).
    """

    name: ClassVar[str] = ""
    exact: ClassVar[bool] = True

    def __init__(self, bits: int) -> None:
        if bits < 1:
            raise ParameterError(f"bits must be positive, not {bits}")
        self.bits = bits
        self.n_words = (bits + 63) // 64
        self._blocks: list[Words] = []
        self._words: Words = np.zeros((0, self.n_words), dtype=np.uint64)

    def __len__(self) -> int:
        return len(self.words)

    @property
    def words(self) -> Words:
        """All rows as one ``(n, w)`` uint64 array."""
        if self._blocks:
            self._words = np.concatenate([self._words, *self._blocks])
            self._blocks = []
        return self._words

    def row(self, position: int) -> Words:
        """The words of one row (a ``(w,)`` array)."""
        out: Words = self.words[position]
        return out

    def add(self, words: Words) -> None:
        """Append rows (an ``(n, w)`` uint64 array, or ``(n,)`` when ``w == 1``)."""
        rows = self.check_rows(words, "rows")
        if len(rows):
            self._blocks.append(rows)
            self._invalidate()

    def query(self, queries: Words, radius: int) -> QueryResult:
        """Every ``(query, row, distance)`` with ``distance <= radius``, in canonical order.

        Args:
            queries: ``(q, w)`` uint64 array (or ``(q,)`` when ``w == 1``).
            radius: the largest Hamming distance reported (inclusive), ``>= 0``.
        """
        if isinstance(radius, bool) or not isinstance(radius, int | np.integer):
            raise TypeError(f"radius must be an int, not {type(radius).__name__}")
        if radius < 0:
            raise ParameterError(f"radius must be at least 0, not {radius}")
        q = self.check_rows(queries, "queries")
        if len(q) == 0 or len(self) == 0:
            return _EMPTY, _EMPTY, _EMPTY
        return _canonical(*self._query(q, min(int(radius), self.bits)))

    def check_rows(self, words: Words, what: str = "words") -> Words:
        """``words`` as a contiguous ``(n, w)`` uint64 array of this backend's row width.

        Raises:
            ParameterError: the array has the wrong shape (``what`` names it).
            TypeError: the array does not hold integers.
        """
        arr = np.asarray(words)
        if arr.ndim == 1 and self.n_words == 1:
            arr = arr[:, None]
        if arr.ndim != 2 or arr.shape[1] != self.n_words:
            raise ParameterError(
                f"{what} must have shape (n, {self.n_words}) for {self.bits}-bit hashes, "
                f"not {arr.shape}"
            )
        if arr.dtype != np.uint64:
            if not np.issubdtype(arr.dtype, np.integer):
                raise TypeError(f"{what} must be unsigned 64-bit words, not {arr.dtype}")
            arr = arr.astype(np.uint64)
        return np.ascontiguousarray(arr)

    def _invalidate(self) -> None:  # noqa: B027 - optional hook
        """Drop anything built over the rows (called after rows are added)."""

    # Pickling (process pools with spawn): the rows travel, derived structures do not.

    #: Attributes left out of a pickle: rebuilt by :meth:`_restore` after unpickling.
    _transient: ClassVar[tuple[str, ...]] = ()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_words"] = self.words  # one array instead of the pending blocks
        state["_blocks"] = []
        for name in self._transient:
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._restore()

    def _restore(self) -> None:  # noqa: B027 - optional hook
        """Recreate the transient attributes after unpickling (tables are built lazily)."""

    @abc.abstractmethod
    def _query(self, queries: Words, radius: int) -> QueryResult:
        """Every pair within ``radius``, any order, no duplicates."""


# --------------------------------------------------------------------------- linear


class LinearBackend(HammingBackend):
    """Exact scan: XOR every row with every query and count bits. The reference."""

    name = "linear"

    #: Largest number of (query, row) distances held in memory at once.
    block_cells: ClassVar[int] = 1 << 18

    def _query(self, queries: Words, radius: int) -> QueryResult:
        return _scan(self.words, queries, radius, self.block_cells)


def _scan(words: Words, queries: Words, radius: int, block_cells: int) -> QueryResult:
    """Exact scan, one query at a time into reused buffers (or in tiles when rows are few)."""
    n, w = words.shape
    columns = [np.ascontiguousarray(words[:, k]) for k in range(w)]
    out_q: list[Ints] = []
    out_r: list[Ints] = []
    out_d: list[Ints] = []
    step = max(1, block_cells // max(1, n))
    xor = np.empty((step, n), dtype=np.uint64)
    count = np.empty((step, n), dtype=np.uint8)
    total = np.empty((step, n), dtype=np.int64) if w > 1 else count
    for q0 in range(0, len(queries), step):
        block = queries[q0 : q0 + step]
        b = len(block)
        for k in range(w):
            np.bitwise_xor(columns[k][None, :], block[:, k, None], out=xor[:b])
            np.bitwise_count(xor[:b], out=count[:b])
            if w > 1:
                if k == 0:
                    np.copyto(total[:b], count[:b])
                else:
                    total[:b] += count[:b]
        # flatnonzero on a flat view is far faster than 2-D nonzero.
        found = np.flatnonzero(total[:b].reshape(-1) <= radius)
        if len(found):
            out_q.append(found // n + q0)
            out_r.append(found % n)
            out_d.append(total[:b].reshape(-1)[found].astype(np.int64))
    if not out_q:
        return _EMPTY, _EMPTY, _EMPTY
    return np.concatenate(out_q), np.concatenate(out_r), np.concatenate(out_d)
