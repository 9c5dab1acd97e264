"""Conformance suite for Hamming index backends: exact range search, like the linear scan.

:func:`check_index_backend` raises :class:`AssertionError` with a clear message on the
first violation. The project's tests run it over every available backend of
:data:`censorsim.image.INDEX_BACKENDS`.

Example:
    >>> check_index_backend("mih")
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from censorsim.image import HammingIndex, make_backend

__all__ = ["check_index_backend"]

_Triples = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]


def _linear(rows: NDArray[np.uint64], queries: NDArray[np.uint64], radius: int) -> _Triples:
    """The reference, by Python integers: every (query, row, distance) within radius."""
    out: list[tuple[int, int, int]] = []
    values = [int.from_bytes(r.astype(">u8").tobytes(), "big") for r in rows]
    for qi, q in enumerate(queries):
        qv = int.from_bytes(q.astype(">u8").tobytes(), "big")
        for ri, v in enumerate(values):
            d = (qv ^ v).bit_count()
            if d <= radius:
                out.append((qi, ri, d))
    out.sort(key=lambda t: (t[0], t[2], t[1]))
    cols = list(zip(*out, strict=True)) if out else [(), (), ()]
    q_, r_, d_ = (np.asarray(c, dtype=np.int64) for c in cols)
    return q_, r_, d_


def _same(name: str, what: str, got: _Triples, want: _Triples) -> None:
    for label, g, w in zip(("query", "row", "distance"), got, want, strict=True):
        if not np.array_equal(np.asarray(g, dtype=np.int64), w):
            raise AssertionError(
                f"index backend {name!r}: {what}: {label} column differs from the linear "
                f"reference ({len(g)} results, expected {len(w)})"
            )


def _random_rows(rng: np.random.Generator, n: int, bits: int) -> NDArray[np.uint64]:
    n_words = (bits + 63) // 64
    rows = rng.integers(0, 2**64, size=(n, n_words), dtype=np.uint64)
    if bits % 64:
        rows[:, 0] &= np.uint64((1 << (bits % 64)) - 1)
    return rows


def _near(rng: np.random.Generator, rows: NDArray[np.uint64], n: int, bits: int) -> Any:
    """Queries: copies of stored rows with a few bits flipped, plus random rows."""
    picks = rows[rng.integers(0, len(rows), n)].copy()
    for q in picks:
        for bit in rng.choice(bits, int(rng.integers(0, 6)), replace=False):
            word, offset = divmod(int(bit), 64)
            q[len(q) - 1 - word] ^= np.uint64(1) << np.uint64(offset)
    return np.concatenate([picks, _random_rows(rng, n, bits)])


def check_index_backend(name: str, *, seed: int = 0, **options: Any) -> None:
    """Check the backend called ``name`` (``options`` go to its constructor).

    Checks, for 64-, 42- and 128-bit hashes: range queries equal the linear reference
    on random rows with duplicates, at radius 0 and at larger radii, in canonical order
    (query, distance, row); an empty backend and an empty query batch give no results;
    rows added in two batches behave as one; a :class:`HammingIndex` on the backend
    survives a dump/load round trip with the same answers.

    Raises:
        AssertionError: the first violation, naming the backend.
    """
    rng = np.random.default_rng(seed)
    for bits in (64, 42, 128):
        backend = make_backend(name, bits, **options)
        empty_q = _random_rows(rng, 3, bits)
        if any(len(a) for a in backend.query(empty_q, 5)):
            raise AssertionError(f"index backend {name!r}: an empty backend returned results")
        rows = _random_rows(rng, 300, bits)
        rows = np.concatenate([rows, rows[:40]])  # duplicates
        backend.add(rows[:200])
        backend.add(rows[200:])
        if len(backend) != len(rows):
            raise AssertionError(f"index backend {name!r}: holds {len(backend)} rows, "
                                 f"expected {len(rows)}")
        queries = _near(rng, rows, 25, bits)
        for radius in (0, 3, 8, bits // 4):
            _same(name, f"{bits}-bit radius {radius}", backend.query(queries, radius),
                  _linear(rows, queries, radius))
        none = backend.query(np.zeros((0, rows.shape[1]), dtype=np.uint64), 4)
        if any(len(a) for a in none):
            raise AssertionError(f"index backend {name!r}: an empty query batch gave results")

    words = _random_rows(rng, 120, 64)[:, 0]
    index = HammingIndex.from_words(words, "phash", backend=name, **options)
    queries = _near(rng, words[:, None], 20, 64)[:, 0]
    before = index.query_words(queries, 6)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.jsonl"
        index.dump(path)
        loaded = HammingIndex.load(path, backend=name, **options)
    if len(loaded) != len(index):
        raise AssertionError(f"index backend {name!r}: save/load kept {len(loaded)} of "
                             f"{len(index)} entries")
    _same(name, "after save/load", loaded.query_words(queries, 6), before)
