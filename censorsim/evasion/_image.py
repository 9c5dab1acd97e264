"""Image transforms: named, seeded edits of an image (geometry, borders, blur, colour, JPEG).

Example:
    >>> from PIL import Image
    >>> image_transform("tile-2").apply(Image.new("RGB", (30, 20))).size
    (60, 20)
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from censorsim.evasion._seed import seeded_rng
from censorsim.registry import Registry

__all__ = ["IMAGE_TRANSFORMS", "ImageTransform", "image_transform"]

_ImageFn = Callable[[Image.Image, random.Random], Image.Image]


@dataclass(frozen=True, slots=True)
class ImageTransform:
    """A named, seeded image transform.

    Attributes:
        name: the registry name, parameters included (``blur-8``).
        description: one line for tables.
    """

    name: str
    description: str
    _fn: _ImageFn

    def apply(self, image: Image.Image, *, seed: int | str = 0) -> Image.Image:
        """Transform one image (converted to RGB first, alpha over white)."""
        return self._fn(_rgb(image), seeded_rng(seed, self.name))

    def apply_many(
        self, images: Iterable[Image.Image], *, seed: int | str = 0
    ) -> list[Image.Image]:
        """Transform many images; image ``i`` uses the seed ``(seed, i)``."""
        return [self.apply(im, seed=f"{seed}:{i}") for i, im in enumerate(images)]


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image.copy()
    if image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    ):
        rgba = image.convert("RGBA")
        base = Image.new("RGB", rgba.size, (255, 255, 255))
        base.paste(rgba, mask=rgba.getchannel("A"))
        return base
    return image.convert("RGB")


_WHITE: Final = (255, 255, 255)


def _resize(im: Image.Image, w: int, h: int) -> Image.Image:
    return im.resize((max(1, w), max(1, h)), Image.Resampling.LANCZOS)


def _scale(factor: float) -> _ImageFn:
    return lambda im, _r: _resize(im, round(im.width * factor), round(im.height * factor))


def _shorter(share: float) -> _ImageFn:
    return lambda im, _r: _resize(im, im.width, round(im.height * (1 - share)))


def _thinner(share: float) -> _ImageFn:
    return lambda im, _r: _resize(im, round(im.width * (1 - share)), im.height)


def _rotate(degrees: float) -> _ImageFn:
    if degrees == 90:
        return lambda im, _r: im.transpose(Image.Transpose.ROTATE_90)
    return lambda im, _r: im.rotate(
        degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=_WHITE
    )


def _border(share: float, along_long: bool) -> _ImageFn:
    """White padding: ``share`` of the long (or short) dimension, half on each end."""

    def fn(im: Image.Image, _r: random.Random) -> Image.Image:
        w, h = im.size
        wide = w >= h
        pad_w = (along_long == wide)  # pad the width when it is the chosen dimension
        extra = round((w if pad_w else h) * share)
        size = (w + extra, h) if pad_w else (w, h + extra)
        canvas = Image.new("RGB", size, _WHITE)
        canvas.paste(im, (extra // 2, 0) if pad_w else (0, extra // 2))
        return canvas

    return fn


def _box_blur_array(a: np.ndarray, k: int) -> np.ndarray:
    """Mean over a k x k box (edges replicated), separable, with cumulative sums."""
    if k <= 1:
        return a
    before, after = (k - 1) // 2, k // 2
    out = a.astype(np.float64)
    for axis in (0, 1):
        pad = [(0, 0)] * out.ndim
        pad[axis] = (before + 1, after)
        c = np.cumsum(np.pad(out, pad, mode="edge"), axis=axis)
        n = out.shape[axis]
        hi = np.take(c, np.arange(k, k + n), axis=axis)
        lo = np.take(c, np.arange(0, n), axis=axis)
        out = (hi - lo) / k
    return out


def _blur(kernel: int, short_side: int = 200) -> _ImageFn:
    def fn(im: Image.Image, _r: random.Random) -> Image.Image:
        w, h = im.size
        f = short_side / min(w, h)
        small = _resize(im, round(w * f), round(h * f))
        a = _box_blur_array(np.asarray(small), kernel)
        return Image.fromarray(np.clip(np.rint(a), 0, 255).astype(np.uint8), "RGB")

    return fn


def _brightness(delta: float) -> _ImageFn:
    def fn(im: Image.Image, _r: random.Random) -> Image.Image:
        a = np.asarray(im).astype(np.int16) + round(delta * 255)
        return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")

    return fn


def _contrast(factor: float) -> _ImageFn:
    return lambda im, _r: ImageEnhance.Contrast(im).enhance(factor)


def _jpeg(quality: int) -> _ImageFn:
    def fn(im: Image.Image, _r: random.Random) -> Image.Image:
        buf = io.BytesIO()
        im.save(buf, format="JPEG", quality=quality)
        buf.seek(0)
        with Image.open(buf) as out:
            return out.convert("RGB")

    return fn


def _crop(share: float) -> _ImageFn:
    """Keep ``1 - share`` of each dimension, at a seeded position."""

    def fn(im: Image.Image, rng: random.Random) -> Image.Image:
        w, h = im.size
        cw, ch = max(1, round(w * (1 - share))), max(1, round(h * (1 - share)))
        x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
        return im.crop((x, y, x + cw, y + ch))

    return fn


def _translate(share: float) -> _ImageFn:
    """Shift the content by ``share`` of each dimension in a seeded direction, white fill."""

    def fn(im: Image.Image, rng: random.Random) -> Image.Image:
        w, h = im.size
        dx = round(w * share) * rng.choice((-1, 1))
        dy = round(h * share) * rng.choice((-1, 1))
        canvas = Image.new("RGB", im.size, _WHITE)
        canvas.paste(im, (dx, dy))
        return canvas

    return fn


def _tile(copies: int) -> _ImageFn:
    def fn(im: Image.Image, _r: random.Random) -> Image.Image:
        w, h = im.size
        wide = w >= h
        canvas = Image.new("RGB", (w * copies, h) if wide else (w, h * copies), _WHITE)
        for i in range(copies):
            canvas.paste(im, (i * w, 0) if wide else (0, i * h))
        return canvas

    return fn


def _image_transforms() -> tuple[ImageTransform, ...]:
    t = ImageTransform
    out = [
        t("noop", "no change (the baseline)", lambda im, _r: im),
        t("mirror", "mirrored left to right", lambda im, _r: ImageOps.mirror(im)),
        t("rotate-90", "rotated 90 degrees", _rotate(90)),
        t("rotate-2", "rotated 2 degrees, white corners", _rotate(2)),
        t("rotate-5", "rotated 5 degrees, white corners", _rotate(5)),
        t("shorter-30", "30% shorter (height x 0.7)", _shorter(0.3)),
        t("thinner-30", "30% thinner (width x 0.7)", _thinner(0.3)),
        t("scale-50", "scaled to half size", _scale(0.5)),
        t("scale-200", "scaled to double size", _scale(2.0)),
        t("translate-10", "content shifted 10% of each side, white fill", _translate(0.1)),
    ]
    for share in (50, 200):
        out.append(t(f"border-short-{share}", f"white border adding {share}% along the short "
                     "side's direction", _border(share / 100, along_long=False)))
        out.append(t(f"border-long-{share}", f"white border adding {share}% along the long "
                     "side's direction", _border(share / 100, along_long=True)))
    out.extend(
        t(f"blur-{k}", f"short side to 200 px, then a {k} px box blur", _blur(k))
        for k in range(1, 11)
    )
    out += [
        t("invert", "colours inverted", lambda im, _r: ImageOps.invert(im)),
        t("brightness+0.4", "brightness +0.4 (of full scale)", _brightness(0.4)),
        t("brightness-0.4", "brightness -0.4 (of full scale)", _brightness(-0.4)),
        t("contrast-50", "contrast halved", _contrast(0.5)),
        t("contrast-80", "contrast reduced by 80% (strong)", _contrast(0.2)),
        t("contrast+50", "contrast x 1.5", _contrast(1.5)),
    ]
    out.extend(t(f"jpeg-{q}", f"re-encoded as JPEG at quality {q}", _jpeg(q))
               for q in (90, 50, 20, 5))
    out += [
        t("crop-10", "10% cropped off each dimension, seeded position", _crop(0.1)),
        t("crop-25", "25% cropped off each dimension, seeded position", _crop(0.25)),
    ]
    out.extend(t(f"tile-{n}", f"{n} copies side by side along the long side", _tile(n))
               for n in (2, 3))
    out.append(t("grayscale", "grey levels", lambda im, _r: ImageOps.grayscale(im).convert("RGB")))
    return tuple(out)


IMAGE_TRANSFORMS: Final[Registry[ImageTransform]] = Registry("image transform")
"""Image transforms by name, ``noop`` first."""

for _i in _image_transforms():
    IMAGE_TRANSFORMS.add(_i.name, _i, summary=_i.description)
del _i


def image_transform(name: str) -> ImageTransform:
    """The image transform called ``name``.

    Raises:
        UnknownNameError: an unknown name (the message lists the known ones).
    """
    return IMAGE_TRANSFORMS.get(name)
