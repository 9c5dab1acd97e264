"""Hash values: :class:`ImageHash` (one hash) and :class:`MultiHash` (several for one image).

``a - b`` is the Hamming distance (for a :class:`MultiHash`, the smallest over parts);
hex round-trips.

Example:
    >>> h = ImageHash.from_hex("ffff000000000000", "phash")
    >>> h.bits, h - ImageHash.from_hex("0fff000000000000", "phash")
    (64, 4)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from censorsim.errors import ParameterError
from censorsim.image.algorithms import _algorithm, resolve_size

__all__ = ["HashValue", "ImageHash", "MultiHash"]

_Bits: TypeAlias = NDArray[np.bool_]


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
        object.__setattr__(self, "size", resolve_size(self.algorithm, self.size))
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise TypeError(f"hash value must be an int, not {type(self.value).__name__}")
        if not 0 <= self.value < (1 << self.bits):
            raise ParameterError(
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

    def __repr__(self) -> str:
        """``ImageHash.from_hex('e1c3...', 'phash', 8)``: the hex, and evaluates back."""
        return f"ImageHash.from_hex({self.to_hex()!r}, {self.algorithm!r}, {self.size})"

    @classmethod
    def from_hex(cls, text: str, algorithm: str, size: int | None = None) -> ImageHash:
        """Parse the output of :meth:`to_hex`.

        Raises:
            ParameterError: ``text`` is not hex of the right length for the algorithm and size.
        """
        size = resolve_size(algorithm, size)
        width = (_algorithm(algorithm).bits(size) + 3) // 4
        text = text.strip()
        if len(text) != width:
            raise ParameterError(
                f"{algorithm}:{size} hashes have {width} hex digits; got {len(text)}: {text!r}"
            )
        try:
            value = int(text, 16)
        except ValueError:
            raise ParameterError(f"not a hex string: {text!r}") from None
        return cls(algorithm, size, value)

    @classmethod
    def from_bits(cls, bits: _Bits, algorithm: str, size: int | None = None) -> ImageHash:
        """Build a hash from a boolean array (any shape, row-major), e.g. imagehash's ``.hash``."""
        return cls(algorithm, resolve_size(algorithm, size), _bits_to_int(bits))

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
        raise ParameterError(
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
            raise ParameterError("a MultiHash needs at least one part")
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

    def __repr__(self) -> str:
        """``MultiHash.from_hex('e1c3...,0f3c...', 'phash', 8)``: evaluates back."""
        return f"MultiHash.from_hex({self.to_hex()!r}, {self.algorithm!r}, {self.size})"

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
