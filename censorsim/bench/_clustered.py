"""Clustered 64-bit pHash workloads for the index suite, from a generator fitted to real hashes.

Perceptual hashes of a real image collection are not uniform random words, and multi-index
hashing (:class:`~censorsim.image.backends.MIHBackend`) assumes buckets of even size. This
generator reproduces the structure measured on real photographs:

Structural facts of imagehash's pHash (hold for every image; checked on the 77 images
listed below, and follow from the algorithm): the 8x8 low-frequency DCT block is compared
with its own median, so **exactly 32 of the 64 bits are set** and every distance is even;
the top bit is the DC term, always above the median, so **bit 63 is always 1**.

Fitted summaries (``FITTED``; :func:`fit` recomputes them): computed from the pHashes of
the 15 distinct photographs of Citizen Lab's WeChat image-filtering tests
(``chat-censorship/wechat/image-filtering``: ``tests-visual-mirror-stretch-border`` and
``tests-visual-blur``; Knockel et al., "(Can't) Picture This 2", Citizen Lab 2019), read
from a local copy that is never shipped; only these numbers are kept:

* per-bit bias ``P(bit = 1)``, shrunk towards 0.5 (``(k + 2) / (n + 4)``, 15 images);
* near-duplicate distances (blurred and re-encoded copies, and copies with a few pixels of
  border or stretch, against their original): 0 bits 157 times, 2 bits 19, 4 bits 4;
* edited-copy distances (borders, crops, stretches that changed the hash more):
  12 to 36 bits (``EDIT_DISTANCES``).

The shape of the collection on top of these is an *assumption* (no source measures a
blacklist's cluster sizes): each original has ``1 + Poisson(edits)`` edited versions and
each version a Zipf-distributed number of near-duplicate copies (exponent 2, at most 1,000,
mean about 3). Queries are half near-duplicates (0-12 bits, even) of stored entries and
half new originals from the same bias model.

Example:
    >>> words = clustered_hashes(1_000, seed=0)
    >>> import numpy as np
    >>> bool(np.all(np.bitwise_count(words) == 32)), bool(np.all(words >> np.uint64(63) == 1))
    (True, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from numpy.typing import NDArray

from censorsim.errors import ParameterError

__all__ = [
    "EDIT_DISTANCES",
    "FITTED",
    "NEAR_DISTANCES",
    "ClusterModel",
    "clustered_hashes",
    "clustered_queries",
    "fit",
]

Words = NDArray[np.uint64]

NEAR_DISTANCES: Final[dict[int, int]] = {0: 157, 2: 19, 4: 4}
"""Near-duplicate distance counts (fitted, Citizen Lab WeChat blur and border tests)."""

EDIT_DISTANCES: Final[dict[int, int]] = {
    12: 1, 14: 1, 16: 3, 18: 5, 20: 2, 24: 6, 26: 2, 32: 6, 34: 2, 36: 2,
}
"""Edited-copy distance counts (fitted, the same tests' crops, borders and stretches)."""

#: P(bit = 1), most significant bit first (bit 63, the DC term, is structurally 1),
#: shrunk towards 0.5 from 15 photographs: (k + 2) / (15 + 4).
_BIAS_COUNTS: Final = (
    15, 7, 9, 4, 9, 10, 8, 6, 9, 6, 9, 7, 6, 6, 5, 8, 10, 7, 5, 10, 7, 7, 9, 10, 9, 10, 6,
    8, 7, 8, 8, 9, 7, 12, 6, 7, 5, 5, 9, 5, 8, 5, 7, 7, 5, 7, 6, 8, 7, 4, 12, 8, 5, 6, 8,
    6, 8, 9, 8, 4, 11, 8, 5, 8,
)


@dataclass(frozen=True, slots=True)
class ClusterModel:
    """The generator's parameters.

    Attributes:
        bias: 64 probabilities ``P(bit = 1)``, most significant bit first.
        near: near-duplicate distance -> weight.
        edit: edited-copy distance -> weight.
        edits: mean number of extra edited versions per original (assumption).
        zipf: exponent of the copies-per-version distribution (assumption).
        max_copies: largest number of near-duplicate copies of one version (assumption).
    """

    bias: tuple[float, ...]
    near: Mapping[int, int] = field(default_factory=lambda: dict(NEAR_DISTANCES))
    edit: Mapping[int, int] = field(default_factory=lambda: dict(EDIT_DISTANCES))
    edits: float = 1.0
    zipf: float = 2.0
    max_copies: int = 1_000

    def __post_init__(self) -> None:
        if len(self.bias) != 64 or not all(0.0 < p < 1.0 for p in self.bias[1:]):
            raise ParameterError("bias must be 64 probabilities (bits 62..0 strictly in (0, 1))")
        for name, pmf in (("near", self.near), ("edit", self.edit)):
            if not pmf or any(d < 0 or d % 2 or d > 62 or w < 0 for d, w in pmf.items()):
                raise ParameterError(f"{name} distances must be even, in [0, 62], weighted")
        if self.zipf <= 1.0 or self.max_copies < 1 or self.edits < 0:
            raise ParameterError("zipf must be > 1, max_copies >= 1 and edits >= 0")


FITTED: Final = ClusterModel(bias=(1.0, *((k + 2) / 19 for k in _BIAS_COUNTS[1:])))
"""The model fitted to real photographs (see the module docstring)."""


def _bits_to_words(bits: NDArray[np.bool_]) -> Words:
    weights = np.uint64(1) << np.arange(63, -1, -1, dtype=np.uint64)
    return np.asarray((bits.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64),
                      dtype=np.uint64)


def _words_to_bits(words: Words) -> NDArray[np.bool_]:
    shifts = np.arange(63, -1, -1, dtype=np.uint64)
    return ((words[:, None] >> shifts) & np.uint64(1)).astype(bool)


def _originals(n: int, model: ClusterModel, rng: np.random.Generator) -> Words:
    """``n`` hashes with bit 63 set and 31 of bits 62..0 set, drawn by the bias
    (weighted sampling without replacement: Efraimidis and Spirakis keys)."""
    p = np.asarray(model.bias[1:], dtype=np.float64)
    out = np.empty(n, dtype=np.uint64)
    for s in range(0, n, 1 << 16):
        m = min(n - s, 1 << 16)
        keys = np.log(rng.random((m, 63))) / (p / (1.0 - p))
        top = np.argpartition(-keys, 31, axis=1)[:, :31]
        bits = np.zeros((m, 64), dtype=bool)
        bits[:, 0] = True
        np.put_along_axis(bits, top + 1, True, axis=1)
        out[s : s + m] = _bits_to_words(bits)
    return out


def _draw(pmf: Mapping[int, int], n: int, rng: np.random.Generator) -> NDArray[np.int64]:
    values = np.array(sorted(pmf), dtype=np.int64)
    weights = np.array([pmf[v] for v in sorted(pmf)], dtype=np.float64)
    return rng.choice(values, size=n, p=weights / weights.sum())


def _perturb(words: Words, distances: NDArray[np.int64], rng: np.random.Generator) -> Words:
    """Each word with ``d / 2`` of its set bits cleared and ``d / 2`` clear bits set
    (bit 63 kept): the distance is ``d`` and 32 bits stay set."""
    out = words.copy()
    moved = np.flatnonzero(distances)
    for s in range(0, len(moved), 1 << 16):
        rows = moved[s : s + (1 << 16)]
        w = words[rows]
        half = distances[rows] // 2
        bits = _words_to_bits(w)[:, 1:]
        keys = rng.random(bits.shape)
        flip = np.zeros_like(bits)
        for h in np.unique(half):
            sub = np.flatnonzero(half == h)
            # The h set bits and h clear bits with the smallest random keys.
            for side in (bits[sub], ~bits[sub]):
                chosen = np.argpartition(np.where(side, keys[sub], 2.0), h - 1, axis=1)[:, :h]
                flip[sub[:, None], chosen] = True
        flipped = np.concatenate([np.zeros((len(w), 1), dtype=bool), flip], axis=1)
        out[rows] = w ^ _bits_to_words(flipped)
    return out


def _copies(n: int, model: ClusterModel, rng: np.random.Generator) -> NDArray[np.int64]:
    draws = rng.zipf(model.zipf, size=n)
    return np.minimum(draws, model.max_copies).astype(np.int64)


def clustered_hashes(n: int, *, seed: int = 0, model: ClusterModel = FITTED) -> Words:
    """``n`` pHash-like 64-bit words: originals, their edited versions, and near-duplicate
    copies of each (see the module docstring), shuffled.

    Raises:
        ParameterError: ``n`` is negative.
    """
    if n < 0:
        raise ParameterError(f"n must be >= 0, not {n}")
    rng = np.random.default_rng(seed)
    parts: list[Words] = []
    total = 0
    while total < n:
        need = n - total
        # About 1 + edits versions per original and E[copies] copies per version.
        originals = _originals(max(1, need // 6), model, rng)
        extra = rng.poisson(model.edits, size=len(originals))
        owners = np.repeat(np.arange(len(originals)), extra)
        edited = _perturb(originals[owners], _draw(model.edit, len(owners), rng), rng)
        versions = np.concatenate([originals, edited])
        copies = _copies(len(versions), model, rng)
        members = np.repeat(versions, copies)
        near = _perturb(members, _draw(model.near, len(members), rng), rng)
        parts.append(near[: need])
        total += len(parts[-1])
    out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    rng.shuffle(out)
    return out


def clustered_queries(
    entries: Words, n_queries: int, *, seed: int = 0, model: ClusterModel = FITTED,
    max_distance: int = 12,
) -> Words:
    """Half near-duplicates of stored entries (even distances 0 to ``max_distance``), half
    new originals from the model."""
    rng = np.random.default_rng(seed)
    n_near = n_queries // 2 if len(entries) else 0
    picked = entries[rng.integers(0, max(1, len(entries)), n_near)]
    dist = 2 * rng.integers(0, max_distance // 2 + 1, n_near)
    near = _perturb(picked, dist.astype(np.int64), rng)
    fresh = _originals(n_queries - n_near, model, rng)
    return np.concatenate([near, fresh])


def fit(
    originals: Iterable[int], near: Iterable[int] = (), edit: Iterable[int] = ()
) -> ClusterModel:
    """A model from real 64-bit pHashes (``originals``) and measured distances.

    Only summaries are kept: the per-bit bias (shrunk towards 0.5), and the near-duplicate
    and edited-copy distance counts (the fitted defaults when none are given).

    Raises:
        ParameterError: no originals.
    """
    values = np.array(list(originals), dtype=np.uint64)
    if len(values) == 0:
        raise ParameterError("fit needs at least one hash")
    counts = _words_to_bits(values).sum(axis=0)
    bias = tuple(float(b) for b in (counts + 2) / (len(values) + 4))
    near_c: dict[int, int] = {}
    for d in near:
        near_c[d] = near_c.get(d, 0) + 1
    edit_c: dict[int, int] = {}
    for d in edit:
        edit_c[d] = edit_c.get(d, 0) + 1
    return ClusterModel(bias=(1.0, *bias[1:]), near=near_c or dict(NEAR_DISTANCES),
                        edit=edit_c or dict(EDIT_DISTANCES))
