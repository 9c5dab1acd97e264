"""Benchmarks of the image engine (library side; ``benchmarks/bench_images.py`` prints them).

* :func:`bench_hashing`: images per second per algorithm, exact vs fast (JPEG draft)
  decoding, one process vs a pool.
* :func:`draft_effect`: how fast mode changes hashes (share changed, bits).
* :func:`dihedral_distances`: how far each rotation or mirror moves each hash.
* :func:`bench_index`: range queries per second for every backend and faiss
  ``IndexBinaryFlat`` over random 64-bit hashes, checked against the numpy reference.
* Contenders for the harness (:mod:`censorsim.bench.harness`), one runner signature per
  kind: :class:`IndexContender` (``build(entries, radius)`` then ``query(queries,
  radius)``; every index backend, faiss ``IndexBinaryFlat`` and
  ``IndexBinaryMultiHash``) and :class:`HashContender` (``build()`` then
  ``scan(paths)``; every hasher, exact and fast decoding), with their gate references
  :func:`reference_triples` and :func:`reference_hashes`.

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
    "HashContender",
    "HashingResult",
    "IndexContender",
    "IndexResult",
    "IndexRunner",
    "bench_hashing",
    "bench_index",
    "dihedral_distances",
    "draft_effect",
    "hash_contenders",
    "index_contenders",
    "make_queries",
    "reference_hashes",
    "reference_triples",
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
    start = time.perf_counter()
    runner = _FaissRaw("faiss-flat").build(entries, radius)
    built = time.perf_counter() - start
    start = time.perf_counter()
    triples = runner.query(queries, radius)
    elapsed = time.perf_counter() - start
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



# --------------------------------------------------------------------------- contenders

Triples = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]


def _as_bytes(words: NDArray[np.uint64]) -> NDArray[np.uint8]:
    return np.ascontiguousarray(words.astype(">u8")).view(np.uint8).reshape(len(words), 8)


def _sorted_triples(qi: NDArray[Any], rows: NDArray[Any], dist: NDArray[Any]) -> Triples:
    order = np.lexsort((rows, dist, qi))
    return (
        qi[order].astype(np.int64),
        rows[order].astype(np.int64),
        dist[order].astype(np.int64),
    )


class IndexRunner:
    """A built index: :meth:`query` answers range queries (the timed call)."""

    def __init__(self, query: Any) -> None:
        self._query = query

    def query(self, queries: NDArray[np.uint64], radius: int) -> Triples:
        """``(query, entry, distance)`` arrays of every entry within ``radius``."""
        result: Triples = self._query(queries, radius)
        return result


class IndexContender:
    """A Hamming range-search contender over 64-bit hashes.

    Attributes:
        name: ``index:<backend>`` for :class:`HammingIndex` backends, ``faiss-flat`` and
            ``faiss-multihash`` for faiss used directly.
        requires: modules that must import.
        note: one line for the report.
    """

    name: str = "abstract"
    requires: tuple[str, ...] = ()
    note: str = ""

    def missing(self) -> str | None:
        """Why the contender cannot run here, or None."""
        absent = [m for m in self.requires if not has_module(m)]
        return f"package not installed: {', '.join(absent)}" if absent else None

    def build(self, entries: NDArray[np.uint64], radius: int) -> IndexRunner:
        """Index ``entries`` (lazy tables are built by one query at ``radius``)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class _BackendIndex(IndexContender):
    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.name = f"index:{backend}"
        self.requires = ("faiss",) if backend == "faiss" else ()
        self.note = f"HammingIndex(backend={backend!r}).query_words"

    def build(self, entries: NDArray[np.uint64], radius: int) -> IndexRunner:
        index = HammingIndex.from_words(entries, "phash", backend=self.backend)
        index.query_words(entries[:1], radius)

        def query(queries: NDArray[np.uint64], r: int) -> Triples:
            qi, rows, dist = index.query_words(queries, r)
            return _sorted_triples(qi, rows, dist)

        return IndexRunner(query)


class _FaissRaw(IndexContender):
    requires = ("faiss",)

    def __init__(self, kind: str) -> None:
        self.name = kind
        self.note = (
            "faiss IndexBinaryFlat.range_search"
            if kind == "faiss-flat"
            else "faiss IndexBinaryMultiHash(64, 4 tables, 16 bits), nflip = radius // 4 "
            "(exact by pigeonhole)"
        )

    def build(self, entries: NDArray[np.uint64], radius: int) -> IndexRunner:
        import faiss

        index: Any
        if self.name == "faiss-flat":
            index = faiss.IndexBinaryFlat(64)
        else:
            index = faiss.IndexBinaryMultiHash(64, 4, 16)
            index.nflip = radius // 4
        index.add(_as_bytes(entries))

        def query(queries: NDArray[np.uint64], r: int) -> Triples:
            # faiss reports distances strictly below its radius; ours is inclusive.
            lims, dist, ids = index.range_search(_as_bytes(queries), r + 1)
            qi = np.repeat(
                np.arange(len(queries), dtype=np.int64), np.diff(lims).astype(np.int64)
            )
            return _sorted_triples(qi, ids, dist)

        return IndexRunner(query)


def index_contenders() -> list[IndexContender]:
    """Every index contender, installed or not, in report order."""
    out: list[IndexContender] = [_BackendIndex(b) for b in BACKENDS]
    out += [_FaissRaw("faiss-flat"), _FaissRaw("faiss-multihash")]
    return out


def reference_triples(
    entries: NDArray[np.uint64], queries: NDArray[np.uint64], radius: int
) -> set[tuple[int, int, int]]:
    """The gate's reference: ``(query, entry, distance)`` by the linear numpy scan."""
    qi, rows, dist = HammingIndex.from_words(entries, "phash", backend="linear").query_words(
        queries, radius
    )
    return set(zip(qi.tolist(), rows.tolist(), dist.tolist(), strict=True))


class HashContender:
    """One hasher in one decoding mode; ``scan(paths)`` is :func:`hash_many`.

    Attributes:
        algorithm: the algorithm.
        fast: JPEG draft decoding (changes some hashes; see :func:`draft_effect`).
        name: ``hash:<algorithm>`` or ``hash:<algorithm>:fast``.
    """

    requires: tuple[str, ...] = ()

    def __init__(self, algorithm: str, fast: bool) -> None:
        self.algorithm = algorithm
        self.fast = fast
        self.name = f"hash:{algorithm}" + (":fast" if fast else "")
        self.note = (
            "hash_many, JPEG draft decoding: gated on the inputs draft mode leaves alone"
            if fast
            else "hash_many, exact decoding: gated against imagehash (hashlib for md5)"
        )

    def missing(self) -> str | None:
        """Always None: hashers need only core dependencies."""
        return None

    def build(self) -> Any:
        """A scan function over paths returning ``(image index, hex)`` pairs per image."""
        hasher = Hasher(self.algorithm, fast=self.fast)

        def scan(paths: Sequence[Path]) -> list[str]:
            return [r.hashes[0].to_hex() for r in hash_many(paths, hasher)]

        return scan

    def gated_inputs(self, paths: Sequence[Path]) -> list[int]:
        """Indices of the inputs the gate compares (see :func:`reference_hashes`)."""
        keep = []
        for i, p in enumerate(paths):
            jpeg = p.suffix.lower() in (".jpg", ".jpeg")
            if self.algorithm == "md5" or not (_has_alpha(p) or (self.fast and jpeg)):
                keep.append(i)
        return keep

    def __repr__(self) -> str:
        return f"<HashContender {self.name!r}>"


def _has_alpha(path: Path) -> bool:
    from PIL import Image

    with Image.open(path) as img:
        return img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info


def hash_contenders(algorithms: Sequence[str] = ALGORITHMS) -> list[HashContender]:
    """Every hasher, exact then fast decoding (md5 has no fast mode)."""
    out = []
    for a in algorithms:
        out.append(HashContender(a, False))
        if a != "md5":
            out.append(HashContender(a, True))
    return out


def reference_hashes(algorithm: str, paths: Sequence[Path]) -> list[str]:
    """The gate's reference: imagehash called directly (hashlib's MD5 for ``md5``).

    Inputs with an alpha channel are composited by censorsim before hashing, which
    imagehash does not do; :meth:`HashContender.gated_inputs` leaves them out.
    """
    import hashlib

    import imagehash
    from PIL import Image, ImageOps

    funcs: dict[str, Any] = {
        "average": imagehash.average_hash,
        "phash": imagehash.phash,
        "phash_simple": imagehash.phash_simple,
        "dhash": imagehash.dhash,
        "dhash_vertical": imagehash.dhash_vertical,
        "whash": imagehash.whash,
        "colorhash": imagehash.colorhash,
        "crop_resistant": imagehash.crop_resistant_hash,
    }
    out = []
    for p in paths:
        if algorithm == "md5":
            out.append(hashlib.md5(Path(p).read_bytes()).hexdigest())
            continue
        with Image.open(p) as img:
            out.append(str(funcs[algorithm](ImageOps.exif_transpose(img))))
    return out
