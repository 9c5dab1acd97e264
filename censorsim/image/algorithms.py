"""Hash algorithms by name: how each is computed, its sizes and its bit count.

:data:`HASH_ALGORITHMS` is the registry of every algorithm of :mod:`imagehash` (average,
perceptual, perceptual-simple, difference horizontal and vertical, wavelet, colour,
crop-resistant), ``visual`` (the translation-invariant |DFT| signature that pre-filters
:class:`~censorsim.image.visual.VisualIndex`) and the MD5 of the file bytes;
:func:`resolve_size` checks a size parameter and :func:`hash_bits` gives the bit count.

Example:
    >>> hash_bits("phash"), hash_bits("phash", 16), hash_bits("colorhash"), hash_bits("md5")
    (64, 256, 42, 128)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeAlias

import imagehash
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from censorsim.errors import ParameterError
from censorsim.registry import Registry

__all__ = ["ALGORITHMS", "HASH_ALGORITHMS", "HashAlgorithm", "hash_bits", "resolve_size"]

_Bits: TypeAlias = NDArray[np.bool_]


def _average(image: Image.Image, size: int, _natural: int) -> _Bits:
    return np.asarray(imagehash.average_hash(image, hash_size=size).hash, dtype=bool)


def _phash(image: Image.Image, size: int, _natural: int) -> _Bits:
    return np.asarray(imagehash.phash(image, hash_size=size).hash, dtype=bool)


def _phash_simple(image: Image.Image, size: int, _natural: int) -> _Bits:
    return np.asarray(imagehash.phash_simple(image, hash_size=size).hash, dtype=bool)


def _dhash(image: Image.Image, size: int, _natural: int) -> _Bits:
    return np.asarray(imagehash.dhash(image, hash_size=size).hash, dtype=bool)


def _dhash_vertical(image: Image.Image, size: int, _natural: int) -> _Bits:
    return np.asarray(imagehash.dhash_vertical(image, hash_size=size).hash, dtype=bool)


def _natural_scale(size: int, original: tuple[int, int]) -> int:
    """The ``image_scale`` imagehash's whash picks for an image of ``original`` size."""
    return max(1 << int(math.log2(max(1, min(original)))), size)


def _whash(image: Image.Image, size: int, natural: int) -> _Bits:
    # image_scale comes from the undecimated size so that fast (draft) mode hashes the
    # same wavelet level as exact mode; in exact mode it equals imagehash's default.
    return np.asarray(
        imagehash.whash(image, hash_size=size, image_scale=natural).hash, dtype=bool
    )


def _colorhash(image: Image.Image, size: int, _natural: int) -> _Bits:
    return np.asarray(imagehash.colorhash(image, binbits=size).hash, dtype=bool)


def _crop_resistant(image: Image.Image, size: int, _natural: int) -> list[_Bits]:
    func = partial(imagehash.dhash, hash_size=size)
    multi = imagehash.crop_resistant_hash(image, hash_func=func)
    return [np.asarray(h.hash, dtype=bool) for h in multi.segment_hashes]


def _visual(image: Image.Image, size: int, _natural: int) -> _Bits:
    from censorsim.image.visual import dft_signature_bits

    return dft_signature_bits(image, size)


def _twice_square(size: int) -> int:
    return 2 * size * size


@dataclass(frozen=True, slots=True)
class HashAlgorithm:
    """How one hash algorithm is computed and described (a :data:`HASH_ALGORITHMS` value).

    Attributes:
        name: the registry name.
        default_size: the size used when none is given.
        bits: the number of bits of a hash of a given size.
        compute: bits from a decoded image (``None``: md5 of the file bytes).
        draft_side: the side a JPEG may be draft-decoded to in fast mode.
        colour: hashes colour (decodes to RGB rather than L).
        multi: returns several parts (crop-resistant).
        power_of_two: sizes must be powers of two.
        size_range: the inclusive range of sizes.
    """

    name: str
    default_size: int
    bits: Callable[[int], int]
    compute: Callable[[Image.Image, int, int], _Bits | list[_Bits]] | None
    draft_side: Callable[[int], int]
    colour: bool = False
    multi: bool = False
    power_of_two: bool = False
    size_range: tuple[int, int] = (2, 64)


def _square(size: int) -> int:
    return size * size


HASH_ALGORITHMS: Registry[HashAlgorithm] = Registry("hash algorithm")
"""Every hash algorithm by name, in a stable order."""

for _spec in (
    HashAlgorithm("average", 8, _square, _average, lambda s: s),
    HashAlgorithm("phash", 8, _square, _phash, lambda s: 4 * s),
    HashAlgorithm("phash_simple", 8, _square, _phash_simple, lambda s: 4 * s),
    HashAlgorithm("dhash", 8, _square, _dhash, lambda s: s + 1),
    HashAlgorithm("dhash_vertical", 8, _square, _dhash_vertical, lambda s: s + 1),
    HashAlgorithm("whash", 8, _square, _whash, lambda s: s, power_of_two=True),
    HashAlgorithm(
        "colorhash", 3, lambda s: 14 * s, _colorhash, lambda s: 128, colour=True,
        size_range=(1, 16),
    ),
    HashAlgorithm("crop_resistant", 8, _square, _crop_resistant, lambda s: 300, multi=True),
    HashAlgorithm("visual", 8, _twice_square, _visual, lambda s: 256, size_range=(2, 16)),
    HashAlgorithm("md5", 128, lambda s: 128, None, lambda s: 0, size_range=(128, 128)),
):
    HASH_ALGORITHMS.add(_spec.name, _spec)
del _spec

ALGORITHMS: tuple[str, ...] = HASH_ALGORITHMS.names()
"""Names of every hash algorithm, in a stable order."""


def _algorithm(name: str) -> HashAlgorithm:
    return HASH_ALGORITHMS.get(name)


def resolve_size(algorithm: str, size: int | None) -> int:
    """The size parameter ``size`` of ``algorithm`` checked, or its default for ``None``.

    Raises:
        UnknownNameError: an unknown algorithm.
        ParameterError: a size out of the algorithm's range.
        TypeError: a size that is not an int.

    Example:
        >>> resolve_size("phash", None), resolve_size("colorhash", 4)
        (8, 4)
    """
    spec = _algorithm(algorithm)
    if size is None:
        return spec.default_size
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError(f"hash size must be an int, not {type(size).__name__}")
    low, high = spec.size_range
    if not low <= size <= high:
        if low == high:
            raise ParameterError(f"{algorithm} has a fixed size of {low}, not {size}")
        raise ParameterError(f"{algorithm} size must be between {low} and {high}, not {size}")
    if spec.power_of_two and size & (size - 1):
        raise ParameterError(f"{algorithm} size must be a power of two, not {size}")
    return size


def hash_bits(algorithm: str, size: int | None = None) -> int:
    """The number of bits in a hash (one part, for crop-resistant) of ``algorithm``.

    Example:
        >>> hash_bits("phash"), hash_bits("phash", 16), hash_bits("colorhash"), hash_bits("md5")
        (64, 256, 42, 128)
    """
    return _algorithm(algorithm).bits(resolve_size(algorithm, size))
