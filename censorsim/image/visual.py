"""A visual matcher built on what WeChat Moments' visual filter was seen to do (2018).

Knockel, Ruan, Crete-Nishihata and Deibert ("(Can't) Picture This", FOCI 2018) found
WeChat's blacklist comparison robust to brightness, contrast, scaling, inversion and to
moving the image within a larger blank canvas, but not to mirroring, stretching, borders
added along the short side, blurring, or duplicating the image several times. They
hypothesised a grey conversion, a resize that brings the *shortest* side to a fixed size
(so an image keeps its aspect ratio and extra canvas along the long side changes nothing),
edge detection, and a whole-image, translation-invariant comparison. This module is that
hypothesis:

1. luminosity grey (``0.299 R + 0.587 G + 0.114 B``);
2. a proportional resize bringing the short side to ``side`` pixels (200 by default, the
   size of the paper's blur test; the long side is capped at ``max_ratio`` times that);
3. signed horizontal and vertical edges (Sobel);
4. similarity = the largest normalised cross-correlation over every translation, by FFT:
   the blacklisted image's edges in :data:`PARTS` vertical strips, each correlated in
   absolute value and summed (an inverted image has negated edges and still matches, and
   so does a half-inverted one, as on WeChat), over the upload's edge norm weighted
   between the blacklisted image's window and the whole upload (:data:`WINDOW_WEIGHT`: a
   copy tiled ``n`` times scores about ``n ** -0.28``, so 3 and 5 copies match and 7 sit
   on the threshold, as the paper counted). The upload's edge energy is floored at
   ``floor`` (0.1) of the blacklisted image's, so an almost flat upload (an image erased
   by the grey conversion) does not match on the shape of its JPEG noise.

The cross-correlation costs an FFT per blacklisted image, so :class:`VisualIndex` puts a
cheap pre-filter in front: the ``visual`` hash of :data:`~censorsim.image.HASH_ALGORITHMS`
(the median-thresholded low-frequency amplitudes of the edge image's 2-D DFT, in a fixed
canvas: translation-invariant, since a shift changes only the DFT's phase) in a
:class:`~censorsim.image.HammingIndex`; only blacklisted images within
``prefilter_radius`` bits are correlated (a long strip is also looked up by its central
third and fifth, :data:`TILE_COPIES`). Those are correlated first at a short side of
:data:`COARSE_SIDE` (32) px, every translation, batched by shape; the survivors at full
size only near where the coarse stage peaked (:data:`LOCAL_MARGIN`), so the transforms
are about the blacklisted image's size instead of the two sizes added. That local
search never scores above the exhaustive one and equals it wherever the exhaustive
search peaks inside the searched box; among tiled copies it may settle on a slightly
weaker copy than the best (``search="exhaustive"`` is the reference).

Example:
    >>> from PIL import Image, ImageDraw
    >>> im = Image.new("RGB", (96, 64), "white")
    >>> ImageDraw.Draw(im).polygon([(10, 10), (60, 10), (10, 50)], fill="black")
    >>> a = visual_features(im)
    >>> wider = Image.new("RGB", (192, 64), "white"); wider.paste(im, (70, 0))
    >>> visual_similarity(a, visual_features(wider)) > 0.95
    True
    >>> from PIL import ImageOps
    >>> visual_similarity(a, visual_features(ImageOps.mirror(im))) < DEFAULT_VISUAL_THRESHOLD
    True
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from censorsim.errors import ImageError, ParameterError
from censorsim.image._load import ImageSource, _decode, _name_of
from censorsim.image.hashing import HashValue
from censorsim.image.index import HammingIndex
from censorsim.image.values import ImageHash

__all__ = [
    "DEFAULT_VISUAL_THRESHOLD",
    "VisualFeatures",
    "VisualIndex",
    "VisualMatch",
    "dft_signature_bits",
    "visual_features",
    "visual_similarity",
]

_LUMA: Final = np.array([0.299, 0.587, 0.114])

DEFAULT_VISUAL_THRESHOLD: Final = 0.56
"""The similarity at or above which :class:`VisualIndex` reports a match (fitted on the
blur series of Citizen Lab's 2018 images at ``side=200``; see ``docs/research.md``)."""

DEFAULT_SIDE: Final = 200
"""The short side edges are compared at."""

COARSE_SIDE: Final = 32
"""The short side of the coarse stage."""

COARSE_THRESHOLD: Final = 0.5
"""Candidates whose similarity at :data:`COARSE_SIDE` is below this are not correlated at
full size (every form matched on Citizen Lab's 2018 images scores at least 0.77 there;
99 % of unrelated synthetic pictures score below 0.38)."""

TILE_COPIES: Final = (3, 5)
"""An upload at least ``n`` times longer than wide (or the reverse) is also looked up in
the pre-filter by its central ``1/n`` (the middle copy, were it ``n`` copies side by
side). Tiling multiplies the |DFT| by a comb and moves the pre-filter hash far, but WeChat
filtered 3 and 5 copies 10/10 ("(Can't) Picture This" 2018). Two extra hashes for long
strips only; the correlation then decides."""

EDGE_FLOOR: Final = 0.1
"""An upload's edge energy counts as at least this share of the blacklisted image's."""


def _grey(image: Image.Image) -> NDArray[np.float64]:
    if image.mode == "L":
        return np.asarray(image, dtype=np.float64)
    grey: NDArray[np.float64] = np.asarray(image.convert("RGB"), dtype=np.float64) @ _LUMA
    return grey


def _resized_grey(image: Image.Image, side: int, max_ratio: float) -> NDArray[np.float64]:
    w, h = image.size
    f = side / min(w, h)
    nw = max(1, min(round(w * f), round(side * max_ratio)))
    nh = max(1, min(round(h * f), round(side * max_ratio)))
    grey = Image.fromarray(_grey(image).astype(np.float32), "F")
    out: NDArray[np.float64] = np.asarray(grey.resize((nw, nh), Image.Resampling.BOX),
                                          dtype=np.float64)
    return out


def _sobel(g: NDArray[Any], dtype: type[np.floating[Any]] = np.float32
           ) -> tuple[NDArray[Any], NDArray[Any]]:
    """Horizontal and vertical Sobel edges over the last two axes (edge-replicated),
    computed separably (a difference along one axis, a [1, 2, 1] smoothing along the
    other) in ``dtype``."""
    p = np.pad(np.asarray(g, dtype=dtype), [(0, 0)] * (g.ndim - 2) + [(1, 1), (1, 1)],
               mode="edge")
    dx = p[..., :, 2:] - p[..., :, :-2]
    gx = dx[..., :-2, :] + dx[..., 2:, :]
    gx += 2 * dx[..., 1:-1, :]
    sx = p[..., :, :-2] + p[..., :, 2:]
    sx += 2 * p[..., :, 1:-1]
    gy = sx[..., 2:, :] - sx[..., :-2, :]
    gx *= dtype(1 / 8)
    gy *= dtype(1 / 8)
    return gx, gy


@dataclass(frozen=True, slots=True, eq=False)
class VisualFeatures:
    """One image's signed edges at the matcher's scale.

    Attributes:
        name: the image's name.
        edges: ``(2, h, w)`` float32 signed Sobel edges (x, y) of the resized grey image.
        norm: their Euclidean norm (0 for a flat image).
        size: the original image's ``(width, height)``.
    """

    name: str
    edges: NDArray[np.float32]
    norm: float
    size: tuple[int, int]


def visual_features(
    image: ImageSource, *, side: int = DEFAULT_SIDE, max_ratio: float = 12.0
) -> VisualFeatures:
    """Decode an image (as the hashers do) and compute its edges at the matcher's scale.

    Raises:
        ImageError: the image cannot be read.
        ParameterError: ``side`` below 8 or ``max_ratio`` below 1.
    """
    if side < 8:
        raise ParameterError(f"side must be at least 8, not {side}")
    if max_ratio < 1:
        raise ParameterError(f"max_ratio must be at least 1, not {max_ratio}")
    name = _name_of(image)
    decoded, _ = _decode(image, name)
    return _features(decoded, name, side, max_ratio)


def _features(decoded: Image.Image, name: str, side: int, max_ratio: float) -> VisualFeatures:
    return _from_grey(_resized_grey(decoded, side, max_ratio), name, decoded.size)


def _from_grey(g: NDArray[np.float64], name: str, size: tuple[int, int]) -> VisualFeatures:
    gx, gy = _sobel(g)
    edges = np.stack([gx, gy])
    return VisualFeatures(name, edges, float(np.linalg.norm(edges)), size)


def _fft() -> Any:
    """scipy.fft (float32 transforms, fast lengths; installed with imagehash), else numpy."""
    try:
        from scipy import fft
    except ImportError:  # pragma: no cover - scipy comes with imagehash
        return np.fft
    return fft


def _fft_shape(a: VisualFeatures, b: VisualFeatures) -> tuple[int, int]:
    ha, wa = a.edges.shape[1:]
    hb, wb = b.edges.shape[1:]
    fft = _fft()
    if not hasattr(fft, "next_fast_len"):  # pragma: no cover
        return (ha + hb - 1, wa + wb - 1)
    return (fft.next_fast_len(ha + hb - 1, real=True), fft.next_fast_len(wa + wb - 1, real=True))


def _spectrum(f: VisualFeatures, shape: tuple[int, int]) -> NDArray[np.complex64]:
    return _padded_rfft2(f.edges, shape)


PARTS: Final = 2
"""The blacklisted image's edges are correlated in this many vertical strips, each in
absolute value, summed at every shift: a half-inverted image (its edges negated on one
side) still matches, as WeChat filtered it ("(Can't) Picture This" 2018), where one signed
correlation over the whole image cancels."""

WINDOW_WEIGHT: Final = 0.56
"""How much of the upload's edge energy *outside* the blacklisted image's window counts:
the normaliser is ``local ** (1 - w) * whole ** w`` (``local``: the upload's energy under
the window at that shift). A copy tiled ``n`` times then scores ``n ** (-w / 2)``: 0.73,
0.64, 0.58, 0.54 for 3, 5, 7, 9 copies. Fitted (an assumption, not a measurement of
WeChat's code) to the paper's duplicates test: 3 and 5 copies filtered 10/10, 7 copies
5/10, 9 and 11 copies 3/10. ``w = 1`` is the plain whole-image normalisation."""


def _window_norm(
    b: VisualFeatures, ha: int, wa: int, shape: tuple[int, int]
) -> NDArray[np.float32]:
    """The norm of ``b``'s edges under an ``ha`` x ``wa`` window at every shift, laid out
    as the circular correlation of :func:`_similarities` lays out shifts (a summed-area
    table read through reversed slices: linear in the shifts; positions no shift reaches
    are 0)."""
    energy = (b.edges.astype(np.float64) ** 2).sum(axis=0)
    hb, wb = energy.shape
    # Shifts -(hb - 1) .. ha - 1 along each axis, in that order: the window covers rows
    # clip(hb - 1 - t) .. clip(ha + hb - 1 - t) of the upload (and the same for columns).
    # Two separable passes of prefix sums: columns first, then rows.
    cols = np.zeros((hb, wb + 1))
    np.cumsum(energy, axis=1, out=cols[:, 1:])
    x0 = np.clip(np.arange(wb - 1, -wa, -1), 0, wb)
    x1 = np.clip(np.arange(wa + wb - 1, 0, -1), 0, wb)
    rows = np.zeros((hb + 1, len(x0)))
    np.cumsum(cols[:, x1] - cols[:, x0], axis=0, out=rows[1:])
    y0 = np.clip(np.arange(hb - 1, -ha, -1), 0, hb)
    y1 = np.clip(np.arange(ha + hb - 1, 0, -1), 0, hb)
    window = rows[y1] - rows[y0]
    norm = np.sqrt(np.maximum(window, 0.0)).astype(np.float32)
    out = np.zeros(shape, dtype=np.float32)
    h, w = shape
    n = hb - 1  # negative shifts wrap to the end
    m = wb - 1
    out[:ha, :wa] = norm[n:, m:]
    out[h - n:, :wa] = norm[:n, m:]
    out[:ha, w - m:] = norm[n:, :m]
    out[h - n:, w - m:] = norm[:n, :m]
    return out


def _padded_rfft2(x: NDArray[np.float32], shape: tuple[int, int]) -> NDArray[np.complex64]:
    """``rfft2(x, s=shape)`` over the last two axes, the row transform run on ``x``'s own
    rows only (the zero rows the padding adds transform to zero)."""
    fft = _fft()
    rows = fft.rfft(x, n=shape[1], axis=-1)
    out: NDArray[np.complex64] = fft.fft(rows, n=shape[0], axis=-2)
    return out


_BATCH: Final = 8
"""Candidates correlated together in one set of transforms (bounds the memory: a few MB
each at the default side)."""


def _similarities(group: list[VisualFeatures], b: VisualFeatures,
                  fb: NDArray[np.complex64] | None, floor: float) -> list[float]:
    """:func:`visual_similarity` of every blacklisted image in ``group`` (all of one edge
    shape) against the upload ``b``, the transforms batched; ``fb``: ``b``'s spectrum at
    the group's FFT shape, if already computed."""
    if not group:
        return []
    edges = np.stack([a.edges for a in group])
    norms = np.array([a.norm for a in group])
    return [float(x) for x in _edge_similarities(edges, norms, b, fb, floor)[0]]


def _edge_similarities(edges: NDArray[np.float32], norms: NDArray[np.float64],
                       b: VisualFeatures, fb: NDArray[np.complex64] | None,
                       floor: float) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The similarities of ``n`` blacklisted images given as their ``(n, 2, h, w)`` edges
    and norms, against the upload ``b`` (0 where either is flat), over every translation,
    and where each peaked: the ``(row, column)`` in ``b`` of the blacklisted image's
    corner at the best translation."""
    out = np.zeros(len(edges))
    where = np.zeros((len(edges), 2), dtype=np.int64)
    live = np.flatnonzero(norms)
    if not len(live) or b.norm == 0:
        return out, where
    fft = _fft()
    ha, wa = edges.shape[2:]
    hb, wb = b.edges.shape[1:]
    shape = (fft.next_fast_len(ha + hb - 1, real=True), fft.next_fast_len(wa + wb - 1, real=True))
    conj_b = np.conj(_padded_rfft2(b.edges, shape) if fb is None else fb)
    local = _window_norm(b, ha, wa, shape)
    base = local ** np.float32(1 - WINDOW_WEIGHT) * np.float32(b.norm ** WINDOW_WEIGHT)
    cuts = np.linspace(0, wa, PARTS + 1).round().astype(int)
    for start in range(0, len(live), _BATCH):
        chunk = live[start:start + _BATCH]
        strips = np.zeros((len(chunk), PARTS, *edges.shape[1:]), dtype=np.float32)
        for k in range(PARTS):
            strips[:, k, :, :, cuts[k]:cuts[k + 1]] = edges[chunk, :, :, cuts[k]:cuts[k + 1]]
        spectra = _padded_rfft2(strips, shape)
        product = spectra[:, :, 0] * conj_b[0]
        product += spectra[:, :, 1] * conj_b[1]
        total = np.abs(fft.irfft2(product, s=shape, axes=(-2, -1))).sum(axis=1)
        for row, i in zip(total, chunk.tolist(), strict=True):
            ratio = row / np.maximum(base, np.float32(floor * norms[i]))
            peak = int(ratio.argmax())
            out[i] = min(1.0, float(ratio.flat[peak]) / norms[i])
            # shift t at circular position p (t < 0 wraps to the end); the corner is at -t
            ty, tx = divmod(peak, shape[1])
            where[i] = (-(ty if ty < ha else ty - shape[0]), -(tx if tx < wa else tx - shape[1]))
    return out, where


def _local_similarity(a: NDArray[np.float32], na: float, b: VisualFeatures,
                      corner: tuple[int, int], margin: tuple[int, int], floor: float) -> float:
    """:func:`visual_similarity` of one blacklisted image (edges ``a``, norm ``na``) over the
    translations that put its corner within ``margin`` of ``corner`` in ``b`` only.

    The same value as the exhaustive search wherever that search peaks within the margin
    (and never more): the upload is cropped to what those windows cover, so the
    transforms are about the blacklisted image's size plus twice the margin instead of
    the two images' sizes added."""
    if na == 0 or b.norm == 0:
        return 0.0
    fft = _fft()
    ha, wa = a.shape[1:]
    hb, wb = b.edges.shape[1:]
    (oy, ox), (my, mx) = corner, margin
    y0, y1 = max(0, oy - my), min(hb, oy + ha + my)
    x0, x1 = max(0, ox - mx), min(wb, ox + wa + mx)
    if y1 <= y0 or x1 <= x0:
        return 0.0  # every searched window lies outside the upload
    crop = b.edges[:, y0:y1, x0:x1]
    hc, wc = crop.shape[1:]
    ly, hy, lx, hx = oy - my - y0, oy + my - y0, ox - mx - x0, ox + mx - x0
    # no searched offset wraps around: a's far edge stays below the period, and a
    # negative offset wraps into the crop's zero padding
    shape = (fft.next_fast_len(max(ha + max(hy, 0), hc + max(-ly, 0)), real=True),
             fft.next_fast_len(max(wa + max(hx, 0), wc + max(-lx, 0)), real=True))
    cuts = np.linspace(0, wa, PARTS + 1).round().astype(int)
    strips = np.zeros((PARTS, *a.shape), dtype=np.float32)
    for k in range(PARTS):
        strips[k, :, :, cuts[k]:cuts[k + 1]] = a[:, :, cuts[k]:cuts[k + 1]]
    spectra = np.conj(_padded_rfft2(strips, shape))
    fc = _padded_rfft2(crop, shape)
    product = spectra[:, 0] * fc[0]
    product += spectra[:, 1] * fc[1]
    corr = fft.irfft2(product, s=shape, axes=(-2, -1))
    rows = np.arange(ly, hy + 1)
    cols = np.arange(lx, hx + 1)
    total = np.abs(corr[:, (rows % shape[0])[:, None], (cols % shape[1])[None, :]]).sum(axis=0)
    # the crop's edge energy under the window at each searched offset (prefix sums)
    energy = (crop.astype(np.float64) ** 2).sum(axis=0)
    by_col = np.zeros((hc, wc + 1))
    np.cumsum(energy, axis=1, out=by_col[:, 1:])
    c0, c1 = np.clip(cols, 0, wc), np.clip(cols + wa, 0, wc)
    by_row = np.zeros((hc + 1, len(cols)))
    np.cumsum(by_col[:, c1] - by_col[:, c0], axis=0, out=by_row[1:])
    window = by_row[np.clip(rows + ha, 0, hc)] - by_row[np.clip(rows, 0, hc)]
    local = np.sqrt(np.maximum(window, 0.0))
    denominator = np.maximum(local ** (1 - WINDOW_WEIGHT) * b.norm ** WINDOW_WEIGHT, floor * na)
    return float(min(1.0, float((total / denominator).max()) / na))


def _similarity(a: VisualFeatures, b: VisualFeatures, fa: NDArray[np.complex64] | None,
                fb: NDArray[np.complex64] | None, floor: float) -> float:
    """One pair through :func:`_similarities` (``fa`` unused: the strips' spectra are
    computed there; kept for the callers' signature)."""
    del fa
    return _similarities([a], b, fb, floor)[0]


def visual_similarity(
    a: VisualFeatures, b: VisualFeatures, *, floor: float = EDGE_FLOOR
) -> float:
    """The largest absolute normalised cross-correlation of a blacklisted image's edges
    (``a``) and an upload's (``b``) over every translation, in ``[0, 1]`` (0 when either
    is flat); ``b``'s edge energy counts as at least ``floor`` times ``a``'s."""
    return _similarity(a, b, None, None, floor)


def dft_signature_bits(image: Image.Image, size: int = 8, *, side: int = 32) -> NDArray[np.bool_]:
    """The pre-filter hash: ``size`` x ``2 size`` low-frequency |DFT| amplitudes of the
    edge magnitude, the image embedded (short side ``side``, along the rows) in a fixed
    ``side`` x ``8 side`` canvas, each compared with their median.

    A shift of the content within the canvas changes only the DFT's phase, so moving the
    image within a blank canvas leaves the hash (nearly) unchanged.
    """
    g = _resized_grey(image, side, 8.0)
    if g.shape[0] > g.shape[1]:
        g = g.T
    gx, gy = _sobel(g, np.float64)
    mag = np.hypot(gx, gy)
    canvas = np.zeros((side, 8 * side))
    canvas[: mag.shape[0], : mag.shape[1]] = mag[:side, : 8 * side]
    amp = np.abs(np.fft.rfft2(canvas))
    block = np.log1p(amp[:size, : 2 * size].astype(np.float64)).ravel()
    block[0] = np.median(block)  # the DC term carries only the overall edge energy
    bits: NDArray[np.bool_] = (block > np.median(block)).reshape(size, 2 * size)
    return bits


@dataclass(frozen=True, slots=True)
class VisualMatch:
    """A blacklisted image the visual matcher found similar.

    Attributes:
        id: the blacklisted image's id.
        similarity: the edge cross-correlation, in ``[0, 1]``.
        prefilter_distance: the Hamming distance of the pre-filter hashes (None when the
            pre-filter was bypassed).
    """

    id: str
    similarity: float
    prefilter_distance: int | None


def _edges_of(greys: NDArray[np.uint8]) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """Signed Sobel edges ``(n, 2, h, w)`` of ``(n, h, w)`` grey images, and their norms."""
    gx, gy = _sobel(greys)
    edges = np.stack([gx, gy], axis=1)
    return edges, np.sqrt((edges.astype(np.float64) ** 2).sum(axis=(1, 2, 3)))


def _grouped(ids: list[str], greys: dict[str, NDArray[np.uint8]], upload: VisualFeatures
             ) -> tuple[dict[str, float], dict[str, tuple[int, int]]]:
    """The similarity to ``upload`` of each blacklisted id, given its resized grey image,
    and where it peaked (:func:`_edge_similarities`): ids of one grey shape get their
    edges in one batched Sobel and are correlated together (the upload's spectrum and
    window norm computed once per shape)."""
    groups: dict[tuple[int, ...], list[str]] = {}
    for id_ in ids:
        groups.setdefault(greys[id_].shape, []).append(id_)
    scores: dict[str, float] = {}
    corners: dict[str, tuple[int, int]] = {}
    for members in groups.values():
        edges, norms = _edges_of(np.stack([greys[i] for i in members]))
        found, where = _edge_similarities(edges, norms, upload, None, EDGE_FLOOR)
        scores.update(zip(members, found.tolist(), strict=True))
        corners.update(zip(members, [(int(y), int(x)) for y, x in where], strict=True))
    return scores, corners


LOCAL_MARGIN: Final = 2.0
"""The local search (``VisualIndex(search="local")``) correlates at full size only the
translations within this many coarse pixels (of :data:`COARSE_SIDE`) of where the coarse
stage peaked: a coarse pixel is about 6 full-size pixels, and the two images' coarse
resizes round by up to half a pixel each. An assumption of this model, checked against
the exhaustive search on Citizen Lab's 2018 images (``docs/research.md``)."""

SEARCHES: Final = ("local", "exhaustive")
"""How :class:`VisualIndex` searches translations at full size."""


class VisualIndex:
    """A blacklist matched the WeChat-like way: a |DFT| hash pre-filter, then correlation.

    Args:
        threshold: the similarity at or above which an image matches.
        side: the short side edges are compared at.
        prefilter_radius: the Hamming radius of the pre-filter (``None``: correlate with
            every blacklisted image, exact but linear in the blacklist).
        prefilter_size: the pre-filter hash's size (``size`` x ``2 size`` bits).
        coarse_threshold: candidates less similar than this at 32 px are dropped before
            the full-size correlation (0: none dropped).
        search: ``"local"`` (the default) correlates at full size only near where the
            coarse stage peaked (:data:`LOCAL_MARGIN`); ``"exhaustive"`` over every
            translation (:func:`visual_similarity`, the reference; about 3-6x the cost
            per candidate).

    Raises:
        ParameterError: a threshold outside ``[0, 1]``, a negative radius or an unknown
            search.
    """

    def __init__(self, *, threshold: float = DEFAULT_VISUAL_THRESHOLD,
                 side: int = DEFAULT_SIDE,
                 prefilter_radius: int | None = 16, prefilter_size: int = 8,
                 coarse_threshold: float = COARSE_THRESHOLD, search: str = "local") -> None:
        if search not in SEARCHES:
            raise ParameterError(f"search must be one of {', '.join(SEARCHES)}, not {search!r}")
        if not 0.0 <= threshold <= 1.0:
            raise ParameterError(f"threshold must be in [0, 1], not {threshold}")
        if prefilter_radius is not None and prefilter_radius < 0:
            raise ParameterError(f"prefilter_radius must be at least 0, not {prefilter_radius}")
        self.threshold = threshold
        self.side = side
        self.prefilter_radius = prefilter_radius
        self._size = prefilter_size
        self._index = HammingIndex("visual", prefilter_size)
        # the resized grey image (uint8, about 50 KB each), edges recomputed per candidate,
        # and a 32-px one for the coarse stage
        self._grey: dict[str, NDArray[np.uint8]] = {}
        self._sizes: dict[str, tuple[int, int]] = {}
        self._coarse: dict[str, NDArray[np.uint8]] = {}
        self.coarse_threshold = coarse_threshold
        self.search = search

    def __len__(self) -> int:
        return len(self._grey)

    def _hash(self, decoded: Image.Image, name: str) -> HashValue:
        try:
            bits = dft_signature_bits(decoded, self._size)
        except MemoryError:
            raise
        except Exception as exc:
            raise ImageError(f"visual hashing failed ({exc})", image=name) from exc
        return ImageHash.from_bits(bits, "visual", self._size)

    def _analyse(self, image: ImageSource) -> tuple[Image.Image, str, list[HashValue]]:
        """Decode once: the image, its name and the pre-filter hashes (the image's, and for
        a long strip those of its central copies, see :data:`TILE_COPIES`)."""
        name = _name_of(image)
        decoded, _ = _decode(image, name)
        hashes = [self._hash(decoded, name)]
        w, h = decoded.size
        for n in TILE_COPIES:
            if max(w, h) >= n * min(w, h):
                if w >= h:
                    left = round((w - w / n) / 2)
                    box = (left, 0, left + max(1, round(w / n)), h)
                else:
                    top = round((h - h / n) / 2)
                    box = (0, top, w, top + max(1, round(h / n)))
                hashes.append(self._hash(decoded.crop(box), name))
        return decoded, name, hashes

    def add(self, image: ImageSource, id: str) -> None:
        """Blacklist one image under ``id``.

        Raises:
            ImageError: the image cannot be read.
        """
        name = _name_of(image)
        decoded, _ = _decode(image, name)
        grey = np.clip(np.rint(_resized_grey(decoded, self.side, 12.0)), 0, 255)
        coarse = np.clip(np.rint(_resized_grey(decoded, COARSE_SIDE, 12.0)), 0, 255)
        self._index.add(self._hash(decoded, name), id=id)
        self._grey[id] = grey.astype(np.uint8)
        self._sizes[id] = decoded.size
        self._coarse[id] = coarse.astype(np.uint8)

    def add_many(self, images: Iterable[tuple[ImageSource, str]]) -> None:
        """Blacklist ``(image, id)`` pairs."""
        for image, id_ in images:
            self.add(image, id_)

    def _candidates(self, values: list[HashValue]) -> dict[str, int | None]:
        if self.prefilter_radius is None:
            return dict.fromkeys(self._grey)
        out: dict[str, int | None] = {}
        for value in values:
            for m, d in self._index.query(value, self.prefilter_radius):
                best = out.get(m.id)
                out[m.id] = d if best is None else min(best, d)
        return out

    def candidates(self, image: ImageSource) -> dict[str, int | None]:
        """The blacklisted ids the pre-filter passes, with their Hamming distance."""
        return self._candidates(self._analyse(image)[2])

    def _scored(self, image: ImageSource, prune: bool = True) -> list[VisualMatch]:
        decoded, name, hashes = self._analyse(image)
        candidates = self._candidates(hashes)
        if not candidates:
            return []
        ids = list(candidates)
        prune = prune and self.coarse_threshold > 0
        corners: dict[str, tuple[int, int]] = {}
        coarse = None
        if prune or self.search == "local":
            coarse = _features(decoded, name, COARSE_SIDE, 12.0)
            scores, corners = _grouped(ids, self._coarse, coarse)
            if prune:
                ids = [i for i in ids if scores[i] >= self.coarse_threshold]
                if not ids:
                    return []
        feats = _features(decoded, name, self.side, 12.0)
        if self.search == "local" and coarse is not None:
            (hf, wf), (hc, wc) = feats.edges.shape[1:], coarse.edges.shape[1:]
            margin = (math.ceil(LOCAL_MARGIN * hf / hc), math.ceil(LOCAL_MARGIN * wf / wc))
            scores = {}
            for i in ids:
                edges, norms = _edges_of(self._grey[i][None])
                cy, cx = corners[i]
                scores[i] = _local_similarity(edges[0], float(norms[0]), feats,
                                              (round(cy * hf / hc), round(cx * wf / wc)),
                                              margin, EDGE_FLOOR)
        else:
            scores = _grouped(ids, self._grey, feats)[0]
        out = [VisualMatch(i, scores[i], candidates[i]) for i in ids]
        return sorted(out, key=lambda m: (-m.similarity, m.id))

    def query(self, image: ImageSource) -> list[VisualMatch]:
        """Blacklisted images at least ``threshold`` similar, most similar first.

        Raises:
            ImageError: the image cannot be read.
        """
        return [m for m in self._scored(image) if m.similarity >= self.threshold]

    def best(self, image: ImageSource) -> VisualMatch | None:
        """The most similar candidate, matched or not (``None``: no candidate)."""
        scored = self._scored(image, prune=False)
        return scored[0] if scored else None
