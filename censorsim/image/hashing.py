"""Hashers: decode an image once and compute its hashes, one by one or in batches.

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
import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Literal, TypeAlias

from PIL import Image

from censorsim.errors import ImageError, ParameterError
from censorsim.image._load import (
    ImageSource,
    _decode,
    _Draft,
    _name_of,
    _read_bytes,
    _too_large,
)
from censorsim.image.algorithms import (
    ALGORITHMS,
    HASH_ALGORITHMS,
    HashAlgorithm,
    _algorithm,
    _natural_scale,
    hash_bits,
    resolve_size,
)
from censorsim.image.files import DEFAULT_MAX_BYTES
from censorsim.image.values import HashValue, ImageHash, MultiHash

__all__ = [
    "ALGORITHMS",
    "HASH_ALGORITHMS",
    "HashAlgorithm",
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
    "resolve_size",
]

ErrorPolicy: TypeAlias = Literal["raise", "record"]


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
        max_bytes: the largest file read from a path (keyword only; default
            :data:`~censorsim.image.files.DEFAULT_MAX_BYTES`, 256 MiB). A larger file is
            an :class:`ImageError` ("too large") without being read.

    Example:
        >>> Hasher("phash", 16).kind
        'phash:16'
        >>> Hasher.parse("colorhash:4")
        Hasher(algorithm='colorhash', size=4, fast=False, exif_transpose=True, max_bytes=268435456)
    """

    algorithm: str
    size: int | None = None
    fast: bool = False
    exif_transpose: bool = True
    max_bytes: int = field(default=DEFAULT_MAX_BYTES, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", resolve_size(self.algorithm, self.size))
        limit = self.max_bytes
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ParameterError(f"max_bytes must be a positive int, not {limit!r}")

    @classmethod
    def parse(
        cls,
        spec: str,
        *,
        fast: bool = False,
        exif_transpose: bool = True,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> Hasher:
        """A hasher from ``"algorithm"`` or ``"algorithm:size"``."""
        name, _, size_text = spec.strip().partition(":")
        size: int | None = None
        if size_text:
            try:
                size = int(size_text)
            except ValueError:
                raise ParameterError(
                    f"bad hash size in {spec!r}; expected e.g. 'phash:8'"
                ) from None
        return cls(name, size, fast=fast, exif_transpose=exif_transpose, max_bytes=max_bytes)

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
            ParameterError: for md5, which hashes file bytes and has no variants.
            ImageError: the image cannot be read or hashed.
        """
        self._check_dihedral()
        name = _name_of(image)
        decoded = self._decode(image, name, _read_bytes(image, name, self.max_bytes), {})
        return {t: self._compute(decoded, t) for t in Transform}

    def _check_dihedral(self) -> None:
        if self.exact:
            raise ParameterError(
                f"{self.algorithm} hashes the file bytes and has no dihedral variants"
            )

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
    data = _read_bytes(source, name, max(h.max_bytes for h in hashers))
    if data is not None and not isinstance(source, bytes | bytearray | memoryview):
        for hasher in hashers:
            if len(data) > hasher.max_bytes:
                raise ImageError(_too_large(len(data), hasher.max_bytes), image=name)
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
        ParameterError: a bad argument.
    """
    hasher_tuple = (hashers,) if isinstance(hashers, Hasher) else tuple(hashers)
    if not hasher_tuple:
        raise ParameterError("give at least one hasher")
    if errors not in ("raise", "record"):
        raise ParameterError(f"errors must be 'raise' or 'record', not {errors!r}")
    if workers is not None and workers < 1:
        raise ParameterError(f"workers must be at least 1, not {workers}")
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

