"""Perceptual and exact image hashes.

Every algorithm of :mod:`imagehash` (average, perceptual, perceptual-simple, difference
horizontal and vertical, wavelet, colour, crop-resistant) at a configurable size, plus the
MD5 of the file bytes. A :class:`Hasher` coerces any input (path, bytes, PIL image) through
one decoding step and computes a hash value object: :class:`ImageHash` (``a - b`` is the
Hamming distance, hex round-trips) or, for crop-resistant hashes and dihedral variant sets,
:class:`MultiHash` (``a - b`` is the smallest distance between any two parts).

:func:`hash_many` is the batch entry point: one decode per file for several hashers, an
error policy (``"raise"``, or ``"record"`` per file and go on) and an optional process pool.

Example:
    >>> from PIL import Image
    >>> img = Image.new("L", (64, 64), 128)
    >>> h = Hasher("average").hash(img)
    >>> h.to_hex(), h.bits
    ('0000000000000000', 64)
    >>> ImageHash.from_hex(h.to_hex(), "average") == h
    True
"""

from __future__ import annotations

import enum
import hashlib
import math
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Literal, TypeAlias

import imagehash
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from censorsim.errors import ImageError
from censorsim.image._load import ImageSource, _decode, _Draft, _name_of, _read_bytes

__all__ = [
    "ALGORITHMS",
    "HashRecord",
    "HashValue",
    "Hasher",
    "ImageHash",
    "ImageSource",
    "MultiHash",
    "Transform",
    "hash_bits",
    "hash_many",
    "iter_hashes",
]

ErrorPolicy: TypeAlias = Literal["raise", "record"]
_Bits: TypeAlias = NDArray[np.bool_]


# --------------------------------------------------------------------------- algorithms


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


@dataclass(frozen=True, slots=True)
class _Algorithm:
    """How one algorithm is computed and described (private registry row)."""

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


_ALGORITHMS: dict[str, _Algorithm] = {
    a.name: a
    for a in (
        _Algorithm("average", 8, _square, _average, lambda s: s),
        _Algorithm("phash", 8, _square, _phash, lambda s: 4 * s),
        _Algorithm("phash_simple", 8, _square, _phash_simple, lambda s: 4 * s),
        _Algorithm("dhash", 8, _square, _dhash, lambda s: s + 1),
        _Algorithm("dhash_vertical", 8, _square, _dhash_vertical, lambda s: s + 1),
        _Algorithm("whash", 8, _square, _whash, lambda s: s, power_of_two=True),
        _Algorithm(
            "colorhash", 3, lambda s: 14 * s, _colorhash, lambda s: 128, colour=True,
            size_range=(1, 16),
        ),
        _Algorithm(
            "crop_resistant", 8, _square, _crop_resistant, lambda s: 300, multi=True
        ),
        _Algorithm("md5", 128, lambda s: 128, None, lambda s: 0, size_range=(128, 128)),
    )
}

ALGORITHMS: tuple[str, ...] = tuple(_ALGORITHMS)
"""Names of every hash algorithm, in a stable order."""


def _algorithm(name: str) -> _Algorithm:
    try:
        return _ALGORITHMS[name]
    except KeyError:
        known = ", ".join(ALGORITHMS)
        raise ValueError(f"unknown hash algorithm {name!r}; expected one of: {known}") from None


def _resolve_size(algorithm: str, size: int | None) -> int:
    spec = _algorithm(algorithm)
    if size is None:
        return spec.default_size
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError(f"hash size must be an int, not {type(size).__name__}")
    low, high = spec.size_range
    if not low <= size <= high:
        if low == high:
            raise ValueError(f"{algorithm} has a fixed size of {low}, not {size}")
        raise ValueError(f"{algorithm} size must be between {low} and {high}, not {size}")
    if spec.power_of_two and size & (size - 1):
        raise ValueError(f"{algorithm} size must be a power of two, not {size}")
    return size


def hash_bits(algorithm: str, size: int | None = None) -> int:
    """The number of bits in a hash (one part, for crop-resistant) of ``algorithm``.

    Example:
        >>> hash_bits("phash"), hash_bits("phash", 16), hash_bits("colorhash"), hash_bits("md5")
        (64, 256, 42, 128)
    """
    return _algorithm(algorithm).bits(_resolve_size(algorithm, size))


# --------------------------------------------------------------------------- value objects


def _bits_to_int(bits: _Bits) -> int:
    flat = np.asarray(bits, dtype=bool).ravel()
    if flat.size == 0:
        return 0
    pad = (-flat.size) % 8
    packed = np.packbits(flat).tobytes()
    return int.from_bytes(packed, "big") >> pad


@dataclass(frozen=True, slots=True)
class ImageHash:
    """A hash of one algorithm and size; ``a - b`` is the Hamming distance.

    Attributes:
        algorithm: one of :data:`ALGORITHMS`.
        size: the algorithm's size parameter (``hash_size``; ``binbits`` for colorhash;
            the segment ``hash_size`` for crop-resistant; 128 for md5).
        value: the bits as an integer, first bit most significant (imagehash's hex order).
    """

    algorithm: str
    size: int
    value: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", _resolve_size(self.algorithm, self.size))
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise TypeError(f"hash value must be an int, not {type(self.value).__name__}")
        if not 0 <= self.value < (1 << self.bits):
            raise ValueError(
                f"hash value does not fit in the {self.bits} bits of {self.algorithm}:{self.size}"
            )

    @property
    def bits(self) -> int:
        """The number of bits."""
        return _algorithm(self.algorithm).bits(self.size)

    @property
    def kind(self) -> str:
        """``"algorithm:size"``, e.g. ``"phash:8"``."""
        return f"{self.algorithm}:{self.size}"

    def to_hex(self) -> str:
        """The hash as lowercase hex, ``ceil(bits / 4)`` digits (imagehash's ``str(h)``)."""
        return f"{self.value:0{(self.bits + 3) // 4}x}"

    def __str__(self) -> str:
        return self.to_hex()

    @classmethod
    def from_hex(cls, text: str, algorithm: str, size: int | None = None) -> ImageHash:
        """Parse the output of :meth:`to_hex`.

        Raises:
            ValueError: ``text`` is not hex of the right length for the algorithm and size.
        """
        size = _resolve_size(algorithm, size)
        width = (_algorithm(algorithm).bits(size) + 3) // 4
        text = text.strip()
        if len(text) != width:
            raise ValueError(
                f"{algorithm}:{size} hashes have {width} hex digits; got {len(text)}: {text!r}"
            )
        try:
            value = int(text, 16)
        except ValueError:
            raise ValueError(f"not a hex string: {text!r}") from None
        return cls(algorithm, size, value)

    @classmethod
    def from_bits(cls, bits: _Bits, algorithm: str, size: int | None = None) -> ImageHash:
        """Build a hash from a boolean array (any shape, row-major), e.g. imagehash's ``.hash``."""
        return cls(algorithm, _resolve_size(algorithm, size), _bits_to_int(bits))

    def to_bits(self) -> _Bits:
        """The bits as a flat boolean array, first bit first."""
        n = self.bits
        raw = np.frombuffer(self.value.to_bytes((n + 7) // 8, "big"), dtype=np.uint8)
        return np.unpackbits(raw)[(-n) % 8 :].astype(bool)

    def to_words(self) -> NDArray[np.uint64]:
        """The bits as ``ceil(bits / 64)`` uint64 words, most significant word first."""
        n_words = (self.bits + 63) // 64
        return np.frombuffer(self.value.to_bytes(8 * n_words, "big"), dtype=">u8").astype(
            np.uint64
        )

    def __sub__(self, other: object) -> int:
        if isinstance(other, MultiHash):
            return other - self
        if not isinstance(other, ImageHash):
            return NotImplemented
        _check_same_kind(self, other)
        return (self.value ^ other.value).bit_count()


def _check_same_kind(a: ImageHash | MultiHash, b: ImageHash | MultiHash) -> None:
    if (a.algorithm, a.size) != (b.algorithm, b.size):
        raise ValueError(
            f"cannot compare a {a.algorithm}:{a.size} hash with a {b.algorithm}:{b.size} hash"
        )


@dataclass(frozen=True, slots=True)
class MultiHash:
    """Several hashes of one algorithm and size that stand for one image.

    Used for crop-resistant hashes (one part per segment) and for dihedral variant sets
    (one part per rotation or mirror). ``a - b`` is the smallest Hamming distance between
    a part of ``a`` and a part of ``b``, which is what a Hamming-range index answers.

    Attributes:
        parts: the hashes, at least one, all of the same algorithm and size.
    """

    parts: tuple[ImageHash, ...]

    def __post_init__(self) -> None:
        parts = tuple(self.parts)
        if not parts:
            raise ValueError("a MultiHash needs at least one part")
        for part in parts:
            if not isinstance(part, ImageHash):
                raise TypeError(f"MultiHash parts must be ImageHash, not {type(part).__name__}")
            _check_same_kind(parts[0], part)
        object.__setattr__(self, "parts", parts)

    @property
    def algorithm(self) -> str:
        """The algorithm of the parts."""
        return self.parts[0].algorithm

    @property
    def size(self) -> int:
        """The size of the parts."""
        return self.parts[0].size

    @property
    def bits(self) -> int:
        """The number of bits of one part."""
        return self.parts[0].bits

    @property
    def kind(self) -> str:
        """``"algorithm:size"``, e.g. ``"crop_resistant:8"``."""
        return self.parts[0].kind

    def to_hex(self) -> str:
        """The parts' hex joined by commas (imagehash's ``str`` of a multi-hash)."""
        return ",".join(p.to_hex() for p in self.parts)

    def __str__(self) -> str:
        return self.to_hex()

    @classmethod
    def from_hex(cls, text: str, algorithm: str, size: int | None = None) -> MultiHash:
        """Parse the output of :meth:`to_hex`."""
        return cls(tuple(ImageHash.from_hex(t, algorithm, size) for t in text.split(",")))

    def __sub__(self, other: object) -> int:
        if isinstance(other, ImageHash):
            others: tuple[ImageHash, ...] = (other,)
        elif isinstance(other, MultiHash):
            others = other.parts
        else:
            return NotImplemented
        _check_same_kind(self.parts[0], others[0])
        return min((a.value ^ b.value).bit_count() for a in self.parts for b in others)


HashValue: TypeAlias = ImageHash | MultiHash
"""What a hasher returns: an :class:`ImageHash`, or a :class:`MultiHash`."""


class Transform(enum.Enum):
    """The eight rotations and mirrors of a rectangle (the dihedral group D4)."""

    IDENTITY = "identity"
    ROTATE_90 = "rotate90"
    """Counter-clockwise by 90 degrees."""
    ROTATE_180 = "rotate180"
    ROTATE_270 = "rotate270"
    MIRROR = "mirror"
    """Left-right mirror."""
    FLIP = "flip"
    """Top-bottom flip."""
    TRANSPOSE = "transpose"
    """Mirror along the main diagonal."""
    TRANSVERSE = "transverse"
    """Mirror along the anti-diagonal."""

    def apply(self, image: Image.Image) -> Image.Image:
        """``image`` transformed (the identity returns ``image`` itself)."""
        if self is Transform.IDENTITY:
            return image
        return image.transpose(_TRANSPOSE[self])


_TRANSPOSE: dict[Transform, Image.Transpose] = {
    Transform.ROTATE_90: Image.Transpose.ROTATE_90,
    Transform.ROTATE_180: Image.Transpose.ROTATE_180,
    Transform.ROTATE_270: Image.Transpose.ROTATE_270,
    Transform.MIRROR: Image.Transpose.FLIP_LEFT_RIGHT,
    Transform.FLIP: Image.Transpose.FLIP_TOP_BOTTOM,
    Transform.TRANSPOSE: Image.Transpose.TRANSPOSE,
    Transform.TRANSVERSE: Image.Transpose.TRANSVERSE,
}


# --------------------------------------------------------------------------- hashers


@dataclass(frozen=True, slots=True)
class _Decoded:
    image: Image.Image
    natural_size: tuple[int, int]
    name: str


@dataclass(frozen=True, slots=True)
class Hasher:
    """Computes one hash algorithm at one size from a path, bytes or a PIL image.

    Attributes:
        algorithm: one of :data:`ALGORITHMS`.
        size: the algorithm's size parameter; ``None`` picks its default (8; 3 for
            colorhash; 128 for md5).
        fast: decode JPEGs in draft mode (a reduced DCT scale, straight to the mode the
            algorithm needs). Faster, but changes some hashes by a few bits: see
            ``docs/images.md`` for the measured effect. Exact mode equals imagehash.
        exif_transpose: apply the EXIF orientation before hashing (default ``True``).

    Example:
        >>> Hasher("phash", 16).kind
        'phash:16'
        >>> Hasher.parse("colorhash:4")
        Hasher(algorithm='colorhash', size=4, fast=False, exif_transpose=True)
    """

    algorithm: str
    size: int | None = None
    fast: bool = False
    exif_transpose: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", _resolve_size(self.algorithm, self.size))

    @classmethod
    def parse(cls, spec: str, *, fast: bool = False, exif_transpose: bool = True) -> Hasher:
        """A hasher from ``"algorithm"`` or ``"algorithm:size"``."""
        name, _, size_text = spec.strip().partition(":")
        size: int | None = None
        if size_text:
            try:
                size = int(size_text)
            except ValueError:
                raise ValueError(f"bad hash size in {spec!r}; expected e.g. 'phash:8'") from None
        return cls(name, size, fast=fast, exif_transpose=exif_transpose)

    @property
    def kind(self) -> str:
        """``"algorithm:size"``."""
        return f"{self.algorithm}:{self.size}"

    @property
    def bits(self) -> int:
        """The number of bits of a hash (of one part, for crop-resistant)."""
        return _algorithm(self.algorithm).bits(self._size)

    @property
    def _size(self) -> int:
        assert self.size is not None
        return self.size

    @property
    def exact(self) -> bool:
        """Whether this hasher hashes file bytes (md5) rather than pixels."""
        return _algorithm(self.algorithm).compute is None

    def hash(self, image: ImageSource) -> HashValue:
        """The hash of ``image`` (a path, the file bytes, or a PIL image).

        Raises:
            ImageError: the image cannot be read or hashed; names the image and the problem.
        """
        return _hash_source(image, _name_of(image), (self,), dihedral=False)[0]

    def hash_variants(self, image: ImageSource) -> dict[Transform, HashValue]:
        """The hash of each of the eight rotations and mirrors of ``image``.

        Raises:
            ValueError: for md5, which hashes file bytes and has no variants.
            ImageError: the image cannot be read or hashed.
        """
        self._check_dihedral()
        name = _name_of(image)
        decoded = self._decode(image, name, _read_bytes(image, name), {})
        return {t: self._compute(decoded, t) for t in Transform}

    def _check_dihedral(self) -> None:
        if self.exact:
            raise ValueError(f"{self.algorithm} hashes the file bytes and has no dihedral variants")

    def _draft(self) -> _Draft | None:
        if not self.fast or self.exact:
            return None
        spec = _algorithm(self.algorithm)
        # whash keeps the wavelet scale of the full-size image (_Decoded.natural_size)
        # and resamples the drafted pixels to it.
        return _Draft("RGB" if spec.colour else "L", (spec.draft_side(self._size),) * 2)

    def _decode(
        self,
        source: ImageSource,
        name: str,
        data: bytes | None,
        cache: dict[tuple[_Draft | None, bool], _Decoded],
    ) -> _Decoded:
        key = (self._draft(), self.exif_transpose)
        if key not in cache:
            image, natural = _decode(
                source, name, data=data, draft=key[0], exif_transpose=self.exif_transpose
            )
            cache[key] = _Decoded(image, natural, name)
        return cache[key]

    def _compute(self, decoded: _Decoded, transform: Transform = Transform.IDENTITY) -> HashValue:
        spec = _algorithm(self.algorithm)
        assert spec.compute is not None
        image = transform.apply(decoded.image)
        natural = _natural_scale(self._size, decoded.natural_size)
        try:
            bits = spec.compute(image, self._size, natural)
        except MemoryError:
            raise
        except Exception as exc:
            raise ImageError(f"{self.kind} hashing failed ({exc})", image=decoded.name) from exc
        if isinstance(bits, list):
            return MultiHash(tuple(ImageHash.from_bits(b, self.algorithm, self.size) for b in bits))
        return ImageHash.from_bits(bits, self.algorithm, self.size)


def _hash_source(
    source: ImageSource, name: str, hashers: Sequence[Hasher], *, dihedral: bool
) -> tuple[HashValue, ...]:
    """Hash one input with every hasher, decoding it once per distinct decode setting."""
    data = _read_bytes(source, name)
    cache: dict[tuple[_Draft | None, bool], _Decoded] = {}
    out: list[HashValue] = []
    for hasher in hashers:
        if hasher.exact:
            if data is None:
                raise ImageError(
                    "md5 hashes the file bytes: give a path or bytes, not a PIL image", image=name
                )
            out.append(ImageHash("md5", 128, int.from_bytes(hashlib.md5(data).digest(), "big")))
            continue
        decoded = hasher._decode(source, name, data, cache)
        if not dihedral:
            out.append(hasher._compute(decoded))
            continue
        parts: list[ImageHash] = []
        for transform in Transform:
            value = hasher._compute(decoded, transform)
            parts.extend(value.parts if isinstance(value, MultiHash) else (value,))
        out.append(MultiHash(tuple(parts)))
    return tuple(out)


# --------------------------------------------------------------------------- batches


@dataclass(frozen=True, slots=True)
class HashRecord:
    """The outcome of hashing one input in a batch.

    Attributes:
        source: the input's name (its path, or ``<bytes #i>`` / ``<image #i>``).
        hashes: one hash per hasher, in the hashers' order; empty when ``error`` is set.
        error: the :class:`ImageError` under the ``"record"`` policy, else ``None``.
    """

    source: str
    hashes: tuple[HashValue, ...] = ()
    error: ImageError | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        """Whether the input was hashed."""
        return self.error is None


_Outcome: TypeAlias = tuple[str, tuple[HashValue, ...] | None, tuple[str, str] | None]


def _hash_job(
    job: tuple[ImageSource, str], hashers: tuple[Hasher, ...], dihedral: bool
) -> _Outcome:
    """Hash one input; errors come back as (image, problem) so they cross processes."""
    source, name = job
    try:
        return name, _hash_source(source, name, hashers, dihedral=dihedral), None
    except ImageError as exc:
        return name, None, (exc.image, exc.problem)


def _pool_context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def iter_hashes(
    sources: Iterable[ImageSource],
    hashers: Hasher | Sequence[Hasher],
    *,
    errors: ErrorPolicy = "raise",
    dihedral: bool = False,
    workers: int | None = None,
    chunksize: int = 8,
) -> Iterator[HashRecord]:
    """Hash many inputs lazily, yielding one :class:`HashRecord` per input, in order.

    Args:
        sources: paths, file bytes or PIL images.
        hashers: one hasher or several; each input is decoded once per decode setting.
        errors: ``"raise"`` stops at the first bad input; ``"record"`` records the error
            in that input's record and goes on.
        dihedral: hash the eight rotations and mirrors; each hash is then a
            :class:`MultiHash` (md5 hashers refuse this).
        workers: a process pool of this many workers (``None`` or 1: this process).
        chunksize: inputs per task sent to a worker.

    Raises:
        ImageError: under ``"raise"``, the first input that cannot be hashed.
        ValueError: a bad argument.
    """
    hasher_tuple = (hashers,) if isinstance(hashers, Hasher) else tuple(hashers)
    if not hasher_tuple:
        raise ValueError("give at least one hasher")
    if errors not in ("raise", "record"):
        raise ValueError(f"errors must be 'raise' or 'record', not {errors!r}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if dihedral:
        for hasher in hasher_tuple:
            hasher._check_dihedral()
    jobs = ((s, _name_of(s, i)) for i, s in enumerate(sources))
    run = partial(_hash_job, hashers=hasher_tuple, dihedral=dihedral)
    if workers is None or workers == 1:
        for outcome in map(run, jobs):
            yield _record(outcome, errors)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
        try:
            for outcome in pool.map(run, jobs, chunksize=max(1, chunksize)):
                yield _record(outcome, errors)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _record(outcome: _Outcome, errors: ErrorPolicy) -> HashRecord:
    name, hashes, problem = outcome
    if problem is None:
        assert hashes is not None
        return HashRecord(name, hashes)
    error = ImageError(problem[1], image=problem[0])
    if errors == "raise":
        raise error
    return HashRecord(name, (), error)


def hash_many(
    sources: Iterable[ImageSource],
    hashers: Hasher | Sequence[Hasher],
    *,
    errors: ErrorPolicy = "raise",
    dihedral: bool = False,
    workers: int | None = None,
    chunksize: int = 8,
) -> list[HashRecord]:
    """Hash many inputs; the list form of :func:`iter_hashes` (same arguments).

    Example:
        >>> from PIL import Image
        >>> imgs = [Image.new("RGB", (32, 32), c) for c in ("red", "blue")]
        >>> [r.hashes[0].to_hex() for r in hash_many(imgs, Hasher("dhash"))]
        ['0000000000000000', '0000000000000000']
    """
    return list(
        iter_hashes(
            sources, hashers, errors=errors, dihedral=dihedral, workers=workers,
            chunksize=chunksize,
        )
    )

