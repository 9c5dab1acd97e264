"""Hamming range-search backends over packed hashes.

A backend stores rows of hashes packed as ``(n, w)`` arrays of uint64 words (most
significant word first; unused high bits zero) and answers inclusive range queries:
every ``(query, row, distance)`` with ``distance <= radius``. Backends are chosen by name
through :func:`make_backend` from the :data:`INDEX_BACKENDS` registry;
:class:`~censorsim.image.index.HammingIndex` never knows which one it holds.

* ``"linear"`` — an exact vectorised numpy scan (XOR, ``np.bitwise_count``). The reference.
* ``"mih"`` — multi-index hashing (Norouzi, Punjani and Fleet, CVPR 2012): the bits are
  split into ``m`` substrings; any row within ``r`` of a query is within ``r // m`` of it on
  at least one substring (pigeonhole), so each substring's neighbours are looked up in a
  bucket table and the few candidates verified by popcount. ``m`` is chosen per query
  radius from a cost model; when no ``m`` beats a scan, it scans.
* ``"faiss"`` — faiss ``IndexBinaryFlat`` (the optional extra ``faiss``).

Every backend returns the same triples, ordered by query, then distance, then row.

Example:
    >>> import numpy as np
    >>> words = np.array([[0b1011], [0b0000], [0b1111]], dtype=np.uint64)
    >>> backend = make_backend("mih", 64)
    >>> backend.add(words)
    >>> backend.query(np.array([[0b1111]], dtype=np.uint64), radius=1)
    (array([0, 0]), array([2, 0]), array([0, 1]))
"""


from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from censorsim._optional import import_optional
from censorsim.image._hamming import HammingBackend, LinearBackend, QueryResult, Words
from censorsim.image._mih import MIHBackend
from censorsim.registry import Registry

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "INDEX_BACKENDS",
    "FaissBackend",
    "HammingBackend",
    "LinearBackend",
    "MIHBackend",
    "QueryResult",
    "available_backends",
    "make_backend",
]


# --------------------------------------------------------------------------- faiss


class FaissBackend(HammingBackend):
    """faiss ``IndexBinaryFlat`` (exhaustive, SIMD popcount); needs the extra ``faiss``.

    The thread count is faiss's global OpenMP setting (``faiss.omp_set_num_threads``).
    """

    name = "faiss"

    def __init__(self, bits: int) -> None:
        self._faiss: ModuleType = import_optional("faiss", "faiss", "the 'faiss' index backend")
        super().__init__(bits)
        self._dim = 8 * ((bits + 7) // 8)
        self._index: Any = None

    # A faiss index and the faiss module do not pickle: the rows do, and the faiss index
    # is rebuilt from them on the first query after unpickling.
    _transient = ("_faiss", "_index")

    def _invalidate(self) -> None:
        self._index = None

    def _restore(self) -> None:
        self._faiss = import_optional("faiss", "faiss", "the 'faiss' index backend")
        self._index = None

    def _bytes(self, words: Words) -> NDArray[np.uint8]:
        raw = np.ascontiguousarray(words.astype(">u8")).view(np.uint8)
        return np.ascontiguousarray(raw[:, raw.shape[1] - self._dim // 8 :])

    def _query(self, queries: Words, radius: int) -> QueryResult:
        if self._index is None:
            self._index = self._faiss.IndexBinaryFlat(self._dim)
            self._index.add(self._bytes(self.words))
        # faiss reports distances strictly below its radius; ours is inclusive.
        lims, dist, rows = self._index.range_search(self._bytes(queries), radius + 1)
        qi = np.repeat(np.arange(len(queries), dtype=np.int64), np.diff(lims).astype(np.int64))
        return qi, rows.astype(np.int64), dist.astype(np.int64)


# --------------------------------------------------------------------------- registry

INDEX_BACKENDS: Registry[type[HammingBackend]] = Registry("index backend")
"""Every index backend by name (``faiss`` needs the extra of the same name)."""
INDEX_BACKENDS.add("linear", LinearBackend, summary="exact numpy scan (the reference)")
INDEX_BACKENDS.add("mih", MIHBackend, summary="multi-index hashing (default)")
INDEX_BACKENDS.add(
    "faiss", FaissBackend, requires="faiss", extra="faiss", summary="faiss IndexBinaryFlat"
)

BACKENDS: tuple[str, ...] = INDEX_BACKENDS.names()
"""Every backend name, available or not."""

DEFAULT_BACKEND = "mih"
"""The backend used when none is named (fastest in the harness's index suite)."""


def available_backends() -> tuple[str, ...]:
    """The backend names whose dependencies are installed."""
    return INDEX_BACKENDS.available()


def make_backend(name: str, bits: int, **options: Any) -> HammingBackend:
    """A new, empty backend by name.

    Raises:
        UnknownNameError: an unknown name (the message lists the known ones).
        MissingDependencyError: the backend's optional package is not installed.
        ParameterError: a bad ``bits`` or option value.
    """
    return INDEX_BACKENDS.get(name)(bits, **options)
