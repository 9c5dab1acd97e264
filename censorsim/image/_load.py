"""Decoding and normalising images before hashing (private).

Every input (path, bytes, PIL image) goes through :func:`_decode`, which turns every
failure into an :class:`~censorsim.errors.ImageError` naming the image and the problem,
and returns a loaded image in mode ``"L"`` or ``"RGB"``.

Decisions (documented in ``docs/images.md``):

* Pillow's decompression-bomb limit (``PIL.Image.MAX_IMAGE_PIXELS``) stays on; both the
  warning (over the limit) and the error (over twice the limit) become an ``ImageError``.
* Animated images (GIF, APNG, WebP, multi-page TIFF) are hashed by their first frame.
* The EXIF orientation is applied by default (the image is hashed as a viewer shows it).
* Transparent pixels are composited over white; palette and CMYK images are converted
  to RGB (CMYK without colour management); 16-bit and 32-bit grey images are scaled to
  8 bits by their top byte, float images are clipped to ``[0, 255]``.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from typing import BinaryIO, TypeAlias

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from censorsim.errors import ImageError
from censorsim.image.files import DEFAULT_MAX_BYTES, NotRegularFileError, open_regular

ImageSource: TypeAlias = "str | os.PathLike[str] | bytes | bytearray | memoryview | Image.Image"
"""What the hashers accept: a file path, the file's bytes, or a PIL image."""

_ORIENTATION_TAG = 0x0112


@dataclass(frozen=True, slots=True)
class _Draft:
    """A JPEG draft request: decode at a reduced scale, straight into ``mode``."""

    mode: str
    size: tuple[int, int]


def _name_of(source: ImageSource, position: int | None = None) -> str:
    """A human-readable name for an image source, used in errors and records."""
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    suffix = f" #{position}" if position is not None else ""
    if isinstance(source, Image.Image):
        filename = getattr(source, "filename", "")
        return str(filename) if filename else f"<image{suffix}>"
    return f"<bytes{suffix}>"


def _read_bytes(
    source: ImageSource, name: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> bytes | None:
    """The file bytes of a path or bytes source; ``None`` for a PIL image.

    A path is opened only if it is a regular file (a FIFO is never waited on) and read
    only if it holds at most ``max_bytes`` bytes: the size is checked before reading, and
    the read itself stops one byte past the limit (a file growing meanwhile is caught).
    """
    if isinstance(source, Image.Image):
        return None
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        try:
            fh, size = open_regular(source)
        except NotRegularFileError as exc:
            if exc.kind == "a directory":
                raise ImageError("is a directory, not an image file", image=name) from None
            raise ImageError(f"not a regular file ({exc.kind})", image=name) from None
        except IsADirectoryError:
            raise ImageError("is a directory, not an image file", image=name) from None
        except FileNotFoundError:
            raise ImageError("no such file", image=name) from None
        except (OSError, ValueError) as exc:
            problem = getattr(exc, "strerror", None) or exc
            raise ImageError(f"cannot read file: {problem}", image=name) from exc
        with fh:
            if size > max_bytes:
                raise ImageError(_too_large(size, max_bytes), image=name)
            try:
                data = _read_at_most(fh, size, max_bytes)
            except OSError as exc:
                raise ImageError(f"cannot read file: {exc.strerror or exc}", image=name) from exc
        if len(data) > max_bytes:
            raise ImageError(_too_large(None, max_bytes), image=name)
    if not data:
        raise ImageError("empty file (zero bytes)", image=name)
    return data


def _read_at_most(fh: BinaryIO, size: int, max_bytes: int) -> bytes:
    """The file's bytes, at most ``max_bytes + 1`` of them.

    Reads ``size + 1`` bytes at once (``read(n)`` allocates ``n`` bytes up front, so the
    limit itself is never the request), then in 1 MiB steps only if the file holds more
    than its size said (it grew, or it is a ``/proc`` file that reports size 0).
    """
    data = fh.read(size + 1)
    if len(data) <= size:
        return data
    chunks = [data]
    total = len(data)
    while total <= max_bytes:
        chunk = fh.read(min(1 << 20, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _too_large(size: int | None, max_bytes: int) -> str:
    given = f"{size:,} bytes" if size is not None else "more bytes"
    return (
        f"too large ({given}; the limit is {max_bytes:,} bytes: raise it with "
        "Hasher(max_bytes=...) or --max-bytes)"
    )


def _bomb_message(exc: BaseException) -> str:
    return (
        f"refused as a possible decompression bomb ({exc}); Pillow's limit is "
        f"PIL.Image.MAX_IMAGE_PIXELS = {Image.MAX_IMAGE_PIXELS} pixels"
    )


def _open_bytes(
    data: bytes, name: str, draft: _Draft | None
) -> tuple[Image.Image, tuple[int, int]]:
    """Open and load the first frame of an encoded image; also its full-resolution size."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageError(_bomb_message(exc), image=name) from exc
        except UnidentifiedImageError as exc:
            raise ImageError("not an image (format not recognised)", image=name) from exc
        except MemoryError:
            raise
        except Exception as exc:
            raise ImageError(f"cannot open image: {exc}", image=name) from exc
        natural = image.size
        try:
            if draft is not None and image.format == "JPEG":
                image.draft(draft.mode, draft.size)
            if getattr(image, "n_frames", 1) > 1:
                image.seek(0)
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageError(_bomb_message(exc), image=name) from exc
        except MemoryError:
            raise
        except Exception as exc:
            problem = str(exc) or type(exc).__name__
            if "truncated" in problem:
                raise ImageError(f"truncated image data ({problem})", image=name) from exc
            raise ImageError(f"corrupt image data ({problem})", image=name) from exc
    return image, natural


def _exif_transposed(image: Image.Image, name: str) -> Image.Image:
    try:
        orientation = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # an unreadable EXIF block does not make the pixels unusable
        return image
    if orientation not in (2, 3, 4, 5, 6, 7, 8):
        return image
    try:
        transposed = ImageOps.exif_transpose(image)
    except Exception as exc:
        raise ImageError(f"cannot apply EXIF orientation ({exc})", image=name) from exc
    return transposed if transposed is not None else image


def _flatten_alpha(image: Image.Image) -> Image.Image:
    """Composite an image with an alpha channel over white."""
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def _normalise_mode(image: Image.Image, name: str) -> Image.Image:
    """Convert any Pillow mode to ``"L"`` or ``"RGB"``."""
    mode = image.mode
    if mode in ("L", "RGB"):
        return image
    if mode == "1":
        return image.convert("L")
    if mode == "P":
        if "transparency" in image.info:
            return _flatten_alpha(image)
        return image.convert("RGB")
    if mode in ("RGBA", "RGBa", "LA", "La", "PA"):
        return _flatten_alpha(image)
    if mode.startswith("I;16") or mode == "I":
        pixels = np.asarray(image).astype(np.int64)
        scaled = (np.clip(pixels, 0, 65535) >> 8).astype(np.uint8)
        return Image.fromarray(scaled, mode="L")
    if mode == "F":
        pixels = np.nan_to_num(np.asarray(image, dtype=np.float64), nan=0.0)
        return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
    try:
        return image.convert("RGB")
    except (ValueError, OSError) as exc:
        raise ImageError(f"unsupported image mode {mode!r} ({exc})", image=name) from exc


def _decode(
    source: ImageSource,
    name: str,
    *,
    data: bytes | None = None,
    draft: _Draft | None = None,
    exif_transpose: bool = True,
) -> tuple[Image.Image, tuple[int, int]]:
    """Decode ``source`` to a loaded ``"L"`` or ``"RGB"`` image.

    Returns:
        The image and its full-resolution size (before any draft reduction).

    Args:
        source: a path, the file bytes or a PIL image.
        name: the name used in errors.
        data: the file bytes, when already read (saves a second read).
        draft: JPEG draft decoding to use (ignored for other formats and PIL images).
        exif_transpose: whether to apply the EXIF orientation.

    Raises:
        ImageError: the image cannot be read, naming ``name`` and the problem.
    """
    if isinstance(source, Image.Image):
        image = source  # hashed at its current frame; Image.open() starts at the first
        natural = image.size
        try:
            image.load()
        except MemoryError:
            raise
        except Exception as exc:
            raise ImageError(f"cannot load image ({exc})", image=name) from exc
    else:
        if data is None:
            data = _read_bytes(source, name)
        assert data is not None
        image, natural = _open_bytes(data, name, draft)
    if exif_transpose:
        image = _exif_transposed(image, name)
    if image.width < 1 or image.height < 1:
        raise ImageError(f"image has no pixels ({image.width}x{image.height})", image=name)
    return _normalise_mode(image, name), natural
