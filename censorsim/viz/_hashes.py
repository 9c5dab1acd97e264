"""Perceptual hashes as pictures: the pHash pipeline, bit grids, thumbnails with distances.

:func:`phash_steps` recomputes imagehash's pHash one stage at a time (grey, 32 x 32,
DCT, the top-left 8 x 8 block, bits above its median), so each stage can be shown; its
bits equal :class:`censorsim.image.Hasher` ``("phash")``'s. :func:`bit_grids` lays two
hashes out as grids and marks the bits that differ (their XOR).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps

from censorsim.image import ImageHash
from censorsim.viz._style import COLORS, mpl, pyplot

__all__ = [
    "BitGrids",
    "PHashSteps",
    "bit_grids",
    "draw_bit_grids",
    "draw_phash_pipeline",
    "draw_thumbnails",
    "open_image",
    "phash_steps",
]


def open_image(image: str | os.PathLike[str] | Image.Image) -> Image.Image:
    """An RGB PIL image as the hashers see it: EXIF orientation applied, alpha on white."""
    if isinstance(image, Image.Image):
        im = image
    else:
        with Image.open(image) as opened:
            opened.load()
            im = ImageOps.exif_transpose(opened) or opened
            im = im.copy()
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, rgba)
    return im.convert("RGB")


@dataclass(frozen=True, slots=True)
class PHashSteps:
    """Each stage of a pHash.

    Attributes:
        image: the input, RGB.
        grey: the input in grey (``convert("L")``).
        small: the grey image resized to ``hash_size * highfreq_factor`` square (LANCZOS).
        dct: the 2-D DCT-II of ``small`` (rows, then columns; unnormalised, as imagehash).
        block: the top-left ``hash_size`` square of ``dct``: the lowest frequencies.
        median: the median of ``block``.
        bits: ``block > median``, the hash.
    """

    image: Image.Image
    grey: npt.NDArray[np.uint8]
    small: npt.NDArray[np.uint8]
    dct: npt.NDArray[np.float64]
    block: npt.NDArray[np.float64]
    median: float
    bits: npt.NDArray[np.bool_]

    def to_hash(self) -> ImageHash:
        """The bits as an :class:`~censorsim.image.ImageHash` (``phash``)."""
        return ImageHash.from_bits(self.bits, "phash", self.bits.shape[0])


def phash_steps(
    image: str | os.PathLike[str] | Image.Image, hash_size: int = 8, highfreq_factor: int = 4
) -> PHashSteps:
    """Compute a pHash stage by stage.

    Only the DC coefficient (top left: the mean brightness) of a flat image is above
    the median of the block, so its hash has one bit set.

    Example:
        >>> from PIL import Image
        >>> steps = phash_steps(Image.new("RGB", (40, 30), "white"))
        >>> steps.small.shape, steps.block.shape, steps.bits.nonzero()  # a flat image:
        ((32, 32), (8, 8), (array([0]), array([0])))
    """
    import scipy.fftpack  # imagehash's own dependency, and the DCT it uses

    im = open_image(image)
    grey_im = im.convert("L")
    side = hash_size * highfreq_factor
    small = np.asarray(grey_im.resize((side, side), Image.Resampling.LANCZOS))
    dct = np.asarray(scipy.fftpack.dct(scipy.fftpack.dct(small, axis=0), axis=1),
                     dtype=np.float64)
    block = dct[:hash_size, :hash_size]
    median = float(np.median(block))
    return PHashSteps(im, np.asarray(grey_im), small, dct, block, median, block > median)


def draw_phash_pipeline(steps: PHashSteps, *, title: str = "") -> Any:
    """Five panels: grey, 32 x 32, DCT (log magnitude, the 8 x 8 block outlined), block,
    bits. Returns the Figure."""
    plt = pyplot()
    patches = mpl("patches")
    fig, axes = plt.subplots(1, 5, figsize=(13, 3.2), layout="constrained")
    n = steps.bits.shape[0]
    side = steps.small.shape[0]
    axes[0].imshow(steps.grey, cmap="gray", vmin=0, vmax=255)
    axes[0].set_title(f"1. grey\n{steps.grey.shape[1]}×{steps.grey.shape[0]}", fontsize=9)
    axes[1].imshow(steps.small, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    axes[1].set_title(f"2. resized to {side}×{side}", fontsize=9)
    axes[2].imshow(np.log1p(np.abs(steps.dct)), cmap="magma", interpolation="nearest")
    axes[2].add_patch(patches.Rectangle((-0.5, -0.5), n, n, fill=False, edgecolor="cyan",
                                        linewidth=1.5))
    axes[2].set_title("3. DCT (log |coefficient|)\nlow frequencies top left", fontsize=9)
    centred = steps.block - steps.median
    shown = np.sign(centred) * np.log1p(np.abs(centred))  # the DC term would drown the rest
    lim = float(np.max(np.abs(shown))) or 1.0
    axes[3].imshow(shown, cmap="coolwarm", vmin=-lim, vmax=lim, interpolation="nearest")
    axes[3].set_title(f"4. the {n}×{n} block minus its\nmedian {steps.median:.0f} "
                      "(red above, blue below)", fontsize=9)
    _bit_image(axes[4], steps.bits)
    axes[4].set_title(f"5. bits: above the median\nhash {steps.to_hash().to_hex()}",
                      fontsize=9)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def _grid_shape(bits: int) -> tuple[int, int]:
    side = math.isqrt(bits)
    if side * side == bits:
        return side, side
    return -(-bits // 8), 8


@dataclass(frozen=True, slots=True)
class BitGrids:
    """Two hashes' bits as grids, and where they differ.

    Attributes:
        a: the first hash's bits, row-major in the grid (first bit top left).
        b: the second's.
        differ: ``a XOR b``; its count is the Hamming distance.
    """

    a: npt.NDArray[np.bool_]
    b: npt.NDArray[np.bool_]
    differ: npt.NDArray[np.bool_]

    @property
    def distance(self) -> int:
        """The Hamming distance: how many cells differ."""
        return int(self.differ.sum())


def bit_grids(a: ImageHash, b: ImageHash) -> BitGrids:
    """Lay out two hashes of one kind as grids (square when the bit count is a square,
    else rows of 8).

    Example:
        >>> g = bit_grids(ImageHash("phash", 8, 0b1011), ImageHash("phash", 8, 0b0001))
        >>> g.differ.shape, g.distance
        ((8, 8), 2)
    """
    if a.kind != b.kind:
        from censorsim.errors import ParameterError

        raise ParameterError(f"cannot compare a {a.kind} hash with a {b.kind} hash")
    rows, cols = _grid_shape(a.bits)

    def grid(h: ImageHash) -> npt.NDArray[np.bool_]:
        flat = np.zeros(rows * cols, dtype=bool)
        flat[: h.bits] = h.to_bits()
        return flat.reshape(rows, cols)

    ga, gb = grid(a), grid(b)
    return BitGrids(ga, gb, ga ^ gb)


def _bit_image(ax: Any, bits: npt.NDArray[np.bool_]) -> None:
    colors = mpl("colors")
    cmap = colors.ListedColormap([COLORS["off"], COLORS["on"]])
    ax.imshow(bits.astype(int), cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    rows, cols = bits.shape
    ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color="#bbbbbb", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)


def draw_bit_grids(
    a: ImageHash,
    b: ImageHash,
    *,
    labels: tuple[str, str] = ("A", "B"),
    threshold: int | None = None,
) -> Any:
    """Three panels: the bits of ``a``, of ``b``, and ``b`` with differing bits in red.

    With a ``threshold`` the last title says whether ``b`` would be matched
    (distance at most the threshold) or pass. Returns the Figure.
    """
    plt = pyplot()
    g = bit_grids(a, b)
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.4), layout="constrained")
    _bit_image(axes[0], g.a)
    axes[0].set_title(f"{labels[0]}\n{a.to_hex()}", fontsize=9)
    _bit_image(axes[1], g.b)
    axes[1].set_title(f"{labels[1]}\n{b.to_hex()}", fontsize=9)
    _bit_image(axes[2], g.b)
    for r, c in zip(*np.nonzero(g.differ), strict=True):
        axes[2].add_patch(mpl("patches").Rectangle(
            (c - 0.5, r - 0.5), 1, 1, facecolor=COLORS["differ"], alpha=0.75,
            edgecolor=COLORS["differ"]))
    verdict = ""
    if threshold is not None:
        verdict = (f" ≤ {threshold}: matched" if g.distance <= threshold
                   else f" > {threshold}: passes")
    axes[2].set_title(f"differing bits (red)\ndistance {g.distance}{verdict}", fontsize=9)
    return fig


def draw_thumbnails(
    images: Sequence[str | os.PathLike[str] | Image.Image],
    *,
    labels: Sequence[str] | None = None,
    distances: Sequence[int | None] | None = None,
    threshold: int | None = None,
    ncols: int = 4,
    size: float = 2.2,
) -> Any:
    """Images in a grid, each titled with its label and distance.

    With a ``threshold``, a distance at most the threshold is drawn red ("matched": the
    filter would block it) and one above it green ("passes"). Returns the Figure.
    """
    plt = pyplot()
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = max(1, -(-n // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3),
                             squeeze=False, layout="constrained")
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        im = open_image(images[i])
        im.thumbnail((256, 256))
        ax.imshow(np.asarray(im))
        title = labels[i] if labels is not None else ""
        color = COLORS["text"]
        d = distances[i] if distances is not None else None
        if d is not None:
            title += f"\ndistance {d}"
            if threshold is not None:
                hit = d <= threshold
                title += f" {'≤' if hit else '>'} {threshold}: {'matched' if hit else 'passes'}"
                color = COLORS["censored"] if hit else COLORS["found"]
        ax.set_title(title, fontsize=9, color=color)
    return fig
