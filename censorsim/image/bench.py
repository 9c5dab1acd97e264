"""Benchmarks of the image engine (library side; ``benchmarks/bench_images.py`` prints them).

* :func:`bench_hashing`: images per second per algorithm, exact vs fast (JPEG draft)
  decoding, one process vs a pool.
* :func:`draft_effect`: how fast mode changes hashes (share changed, bits).
* :func:`dihedral_distances`: how far each rotation or mirror moves each hash.
* :func:`bench_index`: range queries per second for every backend and faiss
  ``IndexBinaryFlat`` over random 64-bit hashes, checked against the numpy reference.

Nothing here prints; every function returns plain dataclasses.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from censorsim._optional import has_module
from censorsim.image.backends import BACKENDS, available_backends
from censorsim.image.hashing import ALGORITHMS, Hasher, MultiHash, Transform, hash_many
from censorsim.image.index import HammingIndex

__all__ = [
    "DraftEffect",
    "HashingResult",
    "IndexResult",
    "bench_hashing",
    "bench_index",
    "dihedral_distances",
    "draft_effect",
    "make_queries",
]


@dataclass(frozen=True, slots=True)
class HashingResult:
    """Hashing throughput of one algorithm in one mode."""

    algorithm: str
    fast: bool
    workers: int
    images: int
    seconds: float

    @property
    def images_per_second(self) -> float:
        """Images hashed per second."""
        return self.images / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True, slots=True)
class DraftEffect:
    """How fast (draft) decoding changed one algorithm's hashes of a set of JPEGs."""

    algorithm: str
    images: int
    changed: int
    bits: tuple[int, ...]  # the distance for every changed image

    @property
    def share_changed(self) -> float:
        """The share of images whose hash changed."""
        return self.changed / self.images if self.images else 0.0


@dataclass(frozen=True, slots=True)
class IndexResult:
    """Range-query throughput of one backend at one index size."""

    backend: str
    entries: int
    radius: int
    queries: int
    build_seconds: float
    query_seconds: float
    results: int
    identical: bool  # same (query, entry, distance) triples as the linear reference

    @property
    def queries_per_second(self) -> float:
        """Queries answered per second."""
        return self.queries / self.query_seconds if self.query_seconds > 0 else float("inf")


def _jpegs(paths: Sequence[Path]) -> list[Path]:
    return [p for p in paths if p.suffix.lower() in (".jpg", ".jpeg")]


def bench_hashing(
    paths: Sequence[Path],
    algorithms: Sequence[str] = ALGORITHMS,
    *,
    workers: Sequence[int] = (1,),
    modes: Sequence[bool] = (False, True),
    repeat: int = 1,
) -> list[HashingResult]:
    """Images per second for each algorithm, mode (``fast``) and pool size.

    Each hasher is warmed up on one file first (imports, the OS file cache); a pool's
    start-up is included in its time. ``repeat`` hashes the file list that many times.
    """
    files = list(paths) * max(1, repeat)
    out: list[HashingResult] = []
    for algorithm in algorithms:
        for fast in modes:
            if fast and algorithm == "md5":
                continue
            hasher = Hasher(algorithm, fast=fast)
            hasher.hash(files[0])
            for n_workers in workers:
                start = time.perf_counter()
                hash_many(files, hasher, workers=None if n_workers == 1 else n_workers)
                elapsed = time.perf_counter() - start
                out.append(HashingResult(algorithm, fast, n_workers, len(files), elapsed))
    return out


def draft_effect(
    paths: Sequence[Path], algorithms: Sequence[str] = ALGORITHMS
) -> list[DraftEffect]:
    """For each algorithm, how many JPEG hashes fast mode changed, and by how many bits."""
    jpegs = _jpegs(paths)
    out: list[DraftEffect] = []
    for algorithm in algorithms:
        if algorithm == "md5":
            continue
        exact = hash_many(jpegs, Hasher(algorithm))
        fast = hash_many(jpegs, Hasher(algorithm, fast=True))
        bits: list[int] = []
        for a, b in zip(exact, fast, strict=True):
            x, y = a.hashes[0], b.hashes[0]
            if isinstance(x, MultiHash) or isinstance(y, MultiHash):
                changed = x != y
                distance = x - y if changed else 0
                if changed:
                    bits.append(max(distance, 1))
            elif x != y:
                bits.append(x - y)
        out.append(DraftEffect(algorithm, len(jpegs), len(bits), tuple(sorted(bits))))
    return out


def dihedral_distances(
    paths: Sequence[Path], algorithms: Sequence[str] = ALGORITHMS
) -> dict[str, dict[Transform, float]]:
    """The mean distance between each image's hash and its rotated or mirrored copy's."""
    out: dict[str, dict[Transform, float]] = {}
    for algorithm in algorithms:
        if algorithm == "md5":
            continue
        hasher = Hasher(algorithm)
        sums = dict.fromkeys(Transform, 0.0)
        for path in paths:
            variants = hasher.hash_variants(path)
            base = variants[Transform.IDENTITY]
            for transform, value in variants.items():
                sums[transform] += base - value
        out[algorithm] = {t: s / max(1, len(paths)) for t, s in sums.items()}
    return out


def make_queries(
    entries: NDArray[np.uint64], n_queries: int, rng: np.random.Generator, max_flips: int = 12
) -> NDArray[np.uint64]:
    """Half near-duplicates of stored hashes (0 to ``max_flips`` bits flipped), half random."""
    n_near = n_queries // 2
    near = entries[rng.integers(0, len(entries), n_near)].copy()
    for i in range(n_near):
        flips = rng.choice(64, int(rng.integers(0, max_flips + 1)), replace=False)
        for bit in flips:
            near[i] ^= np.uint64(1) << np.uint64(int(bit))
    far = rng.integers(0, 2**64, size=n_queries - n_near, dtype=np.uint64)
    return np.concatenate([near, far])


def _faiss_flat(entries: NDArray[np.uint64], queries: NDArray[np.uint64], radius: int) -> Any:
    import faiss

    def as_bytes(words: NDArray[np.uint64]) -> NDArray[np.uint8]:
        return np.ascontiguousarray(words.astype(">u8")).view(np.uint8).reshape(len(words), 8)

    start = time.perf_counter()
    index = faiss.IndexBinaryFlat(64)
    index.add(as_bytes(entries))
    built = time.perf_counter() - start
    q = as_bytes(queries)
    start = time.perf_counter()
    lims, dist, ids = index.range_search(q, radius + 1)
    elapsed = time.perf_counter() - start
    qi = np.repeat(np.arange(len(queries), dtype=np.int64), np.diff(lims).astype(np.int64))
    order = np.lexsort((ids, dist, qi))
    triples = (qi[order], ids.astype(np.int64)[order], dist.astype(np.int64)[order])
    return built, elapsed, triples


def bench_index(
    sizes: Sequence[int] = (10_000, 100_000, 1_000_000),
    *,
    radius: int = 10,
    n_queries: int = 2_000,
    backends: Sequence[str] | None = None,
    seed: int = 0,
    single_thread: bool = True,
) -> list[IndexResult]:
    """Queries per second for every backend and faiss ``IndexBinaryFlat`` (``faiss-flat``).

    Each size gets fresh uniformly random 64-bit hashes and :func:`make_queries` queries.
    Every result set is compared with the ``linear`` reference. With ``single_thread``,
    faiss's global OpenMP thread count is set to 1.
    """
    chosen = list(backends) if backends is not None else list(available_backends())
    if "linear" not in chosen:
        chosen.insert(0, "linear")
    chosen.sort(key=lambda b: b != "linear")
    for name in chosen:
        if name not in BACKENDS:
            raise ValueError(f"unknown backend {name!r}")
    with_faiss = has_module("faiss")
    if with_faiss and single_thread:
        import faiss

        faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(seed)
    out: list[IndexResult] = []
    for n in sizes:
        entries = rng.integers(0, 2**64, size=n, dtype=np.uint64)
        queries = make_queries(entries, n_queries, rng)
        reference: tuple[NDArray[np.int64], ...] | None = None
        for name in chosen:
            start = time.perf_counter()
            index = HammingIndex.from_words(entries, "phash", backend=name)
            index.query_words(queries[:1], radius)  # builds tables (timed as build)
            built = time.perf_counter() - start
            start = time.perf_counter()
            triples = index.query_words(queries, radius)
            elapsed = time.perf_counter() - start
            if reference is None:
                reference = triples
            out.append(
                IndexResult(
                    name, n, radius, len(queries), built, elapsed, len(triples[0]),
                    _same(triples, reference),
                )
            )
        if with_faiss:
            built, elapsed, triples = _faiss_flat(entries, queries, radius)
            assert reference is not None
            out.append(
                IndexResult(
                    "faiss-flat", n, radius, len(queries), built, elapsed, len(triples[0]),
                    _same(triples, reference),
                )
            )
    return out


def _same(a: Sequence[NDArray[np.int64]], b: Sequence[NDArray[np.int64]]) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))

