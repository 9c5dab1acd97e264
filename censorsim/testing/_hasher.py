"""Conformance suite for image hashers: what every registered hash algorithm must satisfy.

:func:`check_hasher` raises :class:`AssertionError` with a clear message on the first
violation. The project's tests run it over every algorithm of
:data:`censorsim.image.HASH_ALGORITHMS`; run it over your own hasher the same way.

Example:
    >>> check_hasher("dhash")
    >>> check_hasher(Hasher("phash", 16))
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from censorsim.errors import ImageError
from censorsim.image import Hasher, HashValue, ImageHash, MultiHash

__all__ = ["check_hasher"]


def _fixture(width: int = 96, height: int = 72, seed: int = 7) -> Image.Image:
    """A deterministic RGB image with structure at several scales (not flat)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack(
        [
            (x * 255 // width),
            (y * 255 // height),
            ((x // 12 + y // 12) % 2) * 200,
        ],
        axis=-1,
    ).astype(np.int16)
    noise = rng.integers(-12, 13, size=base.shape, dtype=np.int16)
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")


def _png(image: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt)
    return buf.getvalue()


def _parts(value: HashValue) -> tuple[ImageHash, ...]:
    return value.parts if isinstance(value, MultiHash) else (value,)


def _fail(hasher: Hasher, problem: str) -> AssertionError:
    return AssertionError(f"hasher {hasher.kind}: {problem}")


def check_hasher(hasher: str | Hasher) -> None:
    """Check one hasher (a name, ``"name:size"``, or a :class:`Hasher`).

    Checks: hashing is deterministic; every part has the announced bit length; hex
    round-trips; distances are symmetric and zero on self; undecodable bytes (for md5, a
    PIL image without file bytes) raise :class:`ImageError`; a pixel hasher barely moves
    under a small resize and a JPEG re-encoding; md5 changes with any byte.

    Raises:
        AssertionError: the first violation, naming the hasher.
    """
    h = Hasher.parse(hasher) if isinstance(hasher, str) else hasher
    image = _fixture()
    data = _png(image)

    first, second = h.hash(data), h.hash(data)
    if first != second:
        raise _fail(h, f"two hashes of the same bytes differ: {first} != {second}")
    if first.kind != h.kind:
        raise _fail(h, f"hash kind {first.kind!r} is not the hasher's {h.kind!r}")
    for part in _parts(first):
        if part.bits != h.bits or not 0 <= part.value < (1 << h.bits):
            raise _fail(h, f"part {part} does not have {h.bits} bits")
        text = part.to_hex()
        if len(text) != (h.bits + 3) // 4:
            raise _fail(h, f"hex {text!r} is not {(h.bits + 3) // 4} digits")
        if ImageHash.from_hex(text, h.algorithm, h.size) != part:
            raise _fail(h, f"hex {text!r} does not round-trip")
    multi = isinstance(first, MultiHash)
    if multi and MultiHash.from_hex(first.to_hex(), h.algorithm, h.size) != first:
        raise _fail(h, "multi-hash hex does not round-trip")
    if first - first != 0:
        raise _fail(h, f"distance to itself is {first - first}, not 0")

    other = h.hash(_png(_fixture(seed=99).transpose(Image.Transpose.ROTATE_90)))
    if first - other != other - first:
        raise _fail(h, f"distance is not symmetric: {first - other} != {other - first}")
    if not 0 <= first - other <= h.bits:
        raise _fail(h, f"distance {first - other} outside 0..{h.bits}")

    bad: bytes | Image.Image = image if h.exact else b"this is not an image"
    try:
        h.hash(bad)
    except ImageError:
        pass
    else:
        what = "a PIL image (no file bytes)" if h.exact else "undecodable bytes"
        raise _fail(h, f"{what} did not raise ImageError")

    if h.exact:
        changed = h.hash(data + b"\0")
        if changed == first:
            raise _fail(h, "an extra byte did not change the hash of the file bytes")
        return
    resized = h.hash(image.resize((image.width * 3 // 4, image.height * 3 // 4)))
    recoded = h.hash(_png(image, "JPEG"))
    small = max(resized - first, recoded - first)
    limit = max(2, h.bits // 4)
    if small > limit:
        raise _fail(h, f"a 3/4 resize or a re-encoding moved the hash {small} bits (> {limit})")
