"""Index and hash contenders, with the references their gates compare against.

Both are :class:`~censorsim.bench.contender.Contender` s registered in
:data:`~censorsim.bench.contender.CONTENDERS`:

``index:<backend>``
    :meth:`~censorsim.image.HammingIndex.query_words` over every index backend;
``faiss-flat``, ``faiss-multihash``
    faiss ``IndexBinaryFlat`` and ``IndexBinaryMultiHash`` used directly (extra ``faiss``);
``hash:<algorithm>``, ``hash:<algorithm>:fast``
    :func:`~censorsim.image.hash_many` with exact and JPEG draft decoding (``visual`` is
    the |DFT| pre-filter hash of the visual matcher);
``visual:index``
    :class:`~censorsim.image.VisualIndex`: pre-filter and edge cross-correlation of each
    image against a blacklist of the workload's images (gate: each finds itself);
``ocr:rapidocr``
    :class:`~censorsim.image.OcrReader` (extra ``ocr``), run when ``hash_algorithms``
    names ``ocr`` (gate: the same text as a fresh reader).

An index contender is built from :class:`IndexData` (random 64-bit hashes and the radius)
and scans query arrays; its records are ``(query, entry, distance)`` triples, compared
with :func:`reference_triples`. A hash contender scans image paths; its records are
``(image, hex)`` pairs, compared with :func:`reference_hashes` (imagehash called directly).

Example:
    >>> import numpy as np
    >>> from censorsim.bench.contender import make_contender
    >>> rng = np.random.default_rng(0)
    >>> entries = rng.integers(0, 2**64, size=50, dtype=np.uint64)
    >>> queries = make_queries(entries, 10, rng)
    >>> runner = make_contender("index:mih").build(IndexData(entries, 8))
    >>> got = runner.records(queries, runner.scan(queries))
    >>> got == reference_triples(entries, queries, 8)
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from censorsim.bench.contender import CONTENDERS, Contender, Runner
from censorsim.image import ALGORITHMS, INDEX_BACKENDS, HammingIndex, Hasher, hash_many

__all__ = [
    "HashContender",
    "IndexContender",
    "IndexData",
    "OcrContender",
    "VisualContender",
    "make_queries",
    "reference_hashes",
    "reference_triples",
]

Triples = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]


@dataclass(frozen=True, slots=True)
class IndexData:
    """What an index contender is built from: the stored hashes and the query radius."""

    entries: NDArray[np.uint64]
    radius: int


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


def reference_triples(
    entries: NDArray[np.uint64], queries: NDArray[np.uint64], radius: int
) -> set[tuple[int, int, int]]:
    """The gate's reference: ``(query, entry, distance)`` by the linear numpy scan."""
    qi, rows, dist = HammingIndex.from_words(entries, "phash", backend="linear").query_words(
        queries, radius
    )
    return set(zip(qi.tolist(), rows.tolist(), dist.tolist(), strict=True))


# --------------------------------------------------------------------------- index


def _as_bytes(words: NDArray[np.uint64]) -> NDArray[np.uint8]:
    return np.ascontiguousarray(words.astype(">u8")).view(np.uint8).reshape(len(words), 8)


class _IndexRunner(Runner):
    """A built index; ``scan(queries)`` answers the range queries at the built radius."""

    def __init__(self, query: Callable[[NDArray[np.uint64], int], Triples], radius: int) -> None:
        self._query = query
        self._radius = radius

    def scan(self, batch: Sequence[Any]) -> Triples:
        return self._query(np.asarray(batch, dtype=np.uint64), self._radius)

    def records(self, batch: Sequence[Any], output: Any) -> set[Any]:
        qi, rows, dist = output
        return set(zip(qi.tolist(), rows.tolist(), dist.tolist(), strict=True))


class IndexContender(Contender):
    """A Hamming range-search contender over 64-bit hashes."""

    suite = "index"
    family = "index"
    semantics = "range"

    def __init__(self, name: str, note: str, requires: tuple[str, ...] = ()) -> None:
        self.name = name
        self.note = note
        self.requires = requires

    def build(self, data: IndexData) -> Runner:
        """Index the entries (lazy tables are built by one query at the radius)."""
        raise NotImplementedError


class _BackendIndex(IndexContender):
    def __init__(self, backend: str) -> None:
        requires = INDEX_BACKENDS.entry(backend).requires
        super().__init__(f"index:{backend}", f"HammingIndex(backend={backend!r}).query_words",
                         requires)
        self.backend = backend

    def build(self, data: IndexData) -> Runner:
        index = HammingIndex.from_words(data.entries, "phash", backend=self.backend)
        index.query_words(data.entries[:1], data.radius)
        return _IndexRunner(index.query_words, data.radius)


class _FaissRaw(IndexContender):
    def __init__(self, kind: str) -> None:
        note = (
            "faiss IndexBinaryFlat.range_search"
            if kind == "faiss-flat"
            else "faiss IndexBinaryMultiHash(64, 4 tables, 16 bits), nflip = radius // 4 "
            "(exact by pigeonhole)"
        )
        super().__init__(kind, note, ("faiss",))

    def build(self, data: IndexData) -> Runner:
        import faiss

        index: Any
        if self.name == "faiss-flat":
            index = faiss.IndexBinaryFlat(64)
        else:
            index = faiss.IndexBinaryMultiHash(64, 4, 16)
            index.nflip = data.radius // 4
        index.add(_as_bytes(data.entries))

        def query(queries: NDArray[np.uint64], r: int) -> Triples:
            # faiss reports distances strictly below its radius; ours is inclusive.
            lims, dist, ids = index.range_search(_as_bytes(queries), r + 1)
            qi = np.repeat(
                np.arange(len(queries), dtype=np.int64), np.diff(lims).astype(np.int64)
            )
            return qi, ids.astype(np.int64), dist.astype(np.int64)

        return _IndexRunner(query, data.radius)


# --------------------------------------------------------------------------- hash


class _HashRunner(Runner):
    def __init__(self, hasher: Hasher) -> None:
        self._hasher = hasher

    def scan(self, batch: Sequence[Any]) -> list[str]:
        return [r.hashes[0].to_hex() for r in hash_many(batch, self._hasher)]

    def records(self, batch: Sequence[Any], output: Any) -> set[Any]:
        return set(enumerate(output))


class HashContender(Contender):
    """One hasher in one decoding mode; ``scan(paths)`` is :func:`hash_many`.

    Attributes:
        algorithm: the algorithm.
        fast: JPEG draft decoding (changes some hashes).
        name: ``hash:<algorithm>`` or ``hash:<algorithm>:fast``.
    """

    suite = "hash"
    family = "hash"

    def __init__(self, algorithm: str, fast: bool) -> None:
        self.algorithm = algorithm
        self.fast = fast
        self.name = f"hash:{algorithm}" + (":fast" if fast else "")
        self.semantics = "draft-decode" if fast else "exact"
        self.note = (
            "hash_many, JPEG draft decoding: gated on the inputs draft mode leaves alone"
            if fast
            else "hash_many, exact decoding: gated against imagehash (hashlib for md5)"
        )

    def build(self, data: Sequence[Path]) -> Runner:
        """A runner hashing paths to hex (the paths themselves are only scanned)."""
        return _HashRunner(Hasher(self.algorithm, fast=self.fast))

    def gated_inputs(self, paths: Sequence[Path]) -> list[int]:
        """Indices of the inputs the gate compares (see :func:`reference_hashes`)."""
        keep = []
        for i, p in enumerate(paths):
            jpeg = Path(p).suffix.lower() in (".jpg", ".jpeg")
            if self.algorithm == "md5" or not (_has_alpha(Path(p)) or (self.fast and jpeg)):
                keep.append(i)
        return keep

    def expected(self, data: Any, reference: set[Any], batch: Sequence[Any]) -> set[Any]:
        keep = set(self.gated_inputs(batch))
        return {r for r in reference if r[0] in keep}

    def comparable(self, expected: set[Any], got: set[Any]) -> set[Any]:
        keep = {r[0] for r in expected}
        return {r for r in got if r[0] in keep}


class _VisualRunner(Runner):
    def __init__(self, paths: Sequence[Path]) -> None:
        from censorsim.image import VisualIndex

        self._index = VisualIndex()
        for i, p in enumerate(paths):
            self._index.add(p, f"img{i}")

    def scan(self, batch: Sequence[Any]) -> list[str | None]:
        out: list[str | None] = []
        for p in batch:
            hits = self._index.query(p)
            out.append(hits[0].id if hits else None)
        return out

    def records(self, batch: Sequence[Any], output: Any) -> set[Any]:
        return set(enumerate(output))


class VisualContender(HashContender):
    """The WeChat-like visual matcher: images against a blacklist of the same images."""

    def __init__(self) -> None:
        super().__init__("visual", False)
        self.name = "visual:index"
        self.semantics = "visual-match"
        self.note = ("VisualIndex.query: |DFT| hash pre-filter, coarse correlation at 32 px, "
                     "then edge cross-correlation at 200 px near the coarse peak; gated on "
                     "each image finding itself")

    def build(self, data: Sequence[Path]) -> Runner:
        return _VisualRunner(list(data))

    def expected(self, data: Any, reference: set[Any], batch: Sequence[Any]) -> set[Any]:
        return {(i, f"img{i}") for i in range(len(batch))}

    def comparable(self, expected: set[Any], got: set[Any]) -> set[Any]:
        return got


class _OcrRunner(Runner):
    def __init__(self) -> None:
        from censorsim.image import OcrReader

        self._reader = OcrReader(cache_size=0)

    def scan(self, batch: Sequence[Any]) -> list[str]:
        return [self._reader.read(p).text for p in batch]

    def records(self, batch: Sequence[Any], output: Any) -> set[Any]:
        return set(enumerate(output))


class OcrContender(HashContender):
    """OCR of every image (uncached), WeChat's luminosity grey first."""

    def __init__(self) -> None:
        super().__init__("ocr", False)
        self.name = "ocr:rapidocr"
        self.semantics = "ocr"
        self.requires = ("rapidocr_onnxruntime",)
        self.note = "OcrReader(cache_size=0).read: PP-OCRv4 (rapidocr-onnxruntime)"

    def build(self, data: Sequence[Path]) -> Runner:
        return _OcrRunner()

    def gated_inputs(self, paths: Sequence[Path]) -> list[int]:
        return list(range(len(paths)))


def _has_alpha(path: Path) -> bool:
    from PIL import Image

    with Image.open(path) as img:
        return img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info


def reference_hashes(algorithm: str, paths: Sequence[Path]) -> set[tuple[int, str]]:
    """The gate's reference: ``(image, hex)`` by imagehash called directly (hashlib for md5).

    Inputs with an alpha channel are composited by censorsim before hashing, which
    imagehash does not do; :meth:`HashContender.gated_inputs` leaves them out.
    """
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
    out: set[tuple[int, str]] = set()
    if algorithm == "ocr":
        from censorsim.image import OcrReader

        reader = OcrReader(cache_size=0)
        return {(i, reader.read(p).text) for i, p in enumerate(paths)}
    for i, p in enumerate(paths):
        if algorithm == "visual":  # censorsim's own; the gate checks draft mode against it
            out.add((i, Hasher("visual").hash(p).to_hex()))
            continue
        if algorithm == "md5":
            out.add((i, hashlib.md5(Path(p).read_bytes()).hexdigest()))
            continue
        with Image.open(p) as img:
            out.add((i, str(funcs[algorithm](ImageOps.exif_transpose(img)))))
    return out


# --------------------------------------------------------------------------- registry


def _register() -> None:
    for backend in INDEX_BACKENDS:
        entry = INDEX_BACKENDS.entry(backend)
        CONTENDERS.add(
            f"index:{backend}", partial(_BackendIndex, backend),
            requires=entry.requires, extra=entry.extra, summary=entry.summary,
        )
    for kind in ("faiss-flat", "faiss-multihash"):
        CONTENDERS.add(kind, partial(_FaissRaw, kind), requires="faiss", extra="faiss")
    for algorithm in ALGORITHMS:
        CONTENDERS.add(f"hash:{algorithm}", partial(HashContender, algorithm, False))
        if algorithm != "md5":
            CONTENDERS.add(f"hash:{algorithm}:fast", partial(HashContender, algorithm, True))
    CONTENDERS.add("visual:index", VisualContender,
                   summary="the WeChat-like visual matcher (pre-filter, cross-correlation)")
    CONTENDERS.add("ocr:rapidocr", OcrContender, requires="rapidocr_onnxruntime", extra="ocr",
                   summary="OCR, luminosity grey first (run with hash_algorithms 'ocr')")


_register()
