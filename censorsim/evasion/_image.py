"""Image transforms: named, seeded edits of an image (geometry, borders, blur, colour, JPEG).

Example:
    >>> from PIL import Image
    >>> image_transform("tile-2").apply(Image.new("RGB", (30, 20))).size
    (60, 20)
"""

from __future__ import annotations

import io
import itertools
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


def _black_border(share: float, both: bool) -> _ImageFn:
    """Black padding of ``share`` of the short side, half on each end (Citizen Lab's form).

    Added to the short dimension only (``minborder``) or to both (``symborder``).
    """

    def fn(im: Image.Image, _r: random.Random) -> Image.Image:
        w, h = im.size
        extra = round(min(w, h) * share)
        pad_w = both or w <= h
        pad_h = both or w > h
        size = (w + extra * pad_w, h + extra * pad_h)
        canvas = Image.new("RGB", size, (0, 0, 0))
        canvas.paste(im, (extra // 2 * pad_w, extra // 2 * pad_h))
        return canvas

    return fn


def _translate_canvas(share: float) -> _ImageFn:
    """The whole image moved within a white canvas ``share`` longer at each end of the long
    dimension (the short side, which WeChat normalises by, is unchanged)."""

    def fn(im: Image.Image, rng: random.Random) -> Image.Image:
        w, h = im.size
        wide = w >= h
        extra = round((w if wide else h) * share)
        canvas = Image.new("RGB", (w + 2 * extra, h) if wide else (w, h + 2 * extra), _WHITE)
        offset = rng.choice((0, 2 * extra))
        canvas.paste(im, (offset, 0) if wide else (0, offset))
        return canvas

    return fn


_LUMA: Final = np.array([0.299, 0.587, 0.114])


def _luma(a: np.ndarray) -> np.ndarray:
    return np.asarray(a[..., :3].astype(np.float64) @ _LUMA)


def _otsu_mask(im: Image.Image) -> np.ndarray:
    """True where the luminosity grey level is above Otsu's threshold."""
    g = np.clip(np.rint(_luma(np.asarray(im))), 0, 255).astype(np.int64)
    hist = np.bincount(g.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256, dtype=np.float64)
    w0 = np.cumsum(hist)
    w1 = w0[-1] - w0
    m0 = np.cumsum(hist * levels)
    mu0 = np.divide(m0, w0, out=np.zeros(256), where=w0 > 0)
    mu1 = np.divide(m0[-1] - m0, w1, out=np.zeros(256), where=w1 > 0)
    between = w0 * w1 * (mu0 - mu1) ** 2
    return np.asarray(g > int(np.argmax(between)))


def _otsu(invert: bool) -> _ImageFn:
    def fn(im: Image.Image, _r: random.Random) -> Image.Image:
        mask = _otsu_mask(im) != invert
        return Image.fromarray(np.where(mask, 255, 0).astype(np.uint8), "L").convert("RGB")

    return fn


_COLOURS: Final = ((255, 0, 0), (255, 255, 0), (0, 255, 0), (0, 255, 255), (0, 0, 255),
                   (255, 0, 255))
_GREY_FORMULAS: Final[dict[str, Callable[[tuple[int, int, int]], float]]] = {
    "lum": lambda c: float(np.dot(c, _LUMA)),
    "average": lambda c: sum(c) / 3,
    "lightness": lambda c: (max(c) + min(c)) / 2,
}


def _grey_match(formula: str) -> _ImageFn:
    """Otsu's light pixels in a saturated colour, dark ones in the grey that ``formula``
    gives that colour: the image is flat under that grey conversion (Citizen Lab's
    ``tests-visual-gray-algs`` construction)."""

    def fn(im: Image.Image, rng: random.Random) -> Image.Image:
        colour = rng.choice(_COLOURS)
        grey = round(_GREY_FORMULAS[formula](colour))
        mask = _otsu_mask(im)[..., None]
        out = np.where(mask, np.array(colour), np.array((grey, grey, grey)))
        return Image.fromarray(out.astype(np.uint8), "RGB")

    return fn


def _grid_flip(cells: int) -> _ImageFn:
    """Each cell of a ``cells`` x ``cells`` grid mirrored left to right in place."""

    def fn(im: Image.Image, _r: random.Random) -> Image.Image:
        a = np.asarray(im).copy()
        h, w = a.shape[:2]
        xs = [round(i * w / cells) for i in range(cells + 1)]
        ys = [round(i * h / cells) for i in range(cells + 1)]
        for y0, y1 in itertools.pairwise(ys):
            for x0, x1 in itertools.pairwise(xs):
                a[y0:y1, x0:x1] = a[y0:y1, x0:x1][:, ::-1]
        return Image.fromarray(a, "RGB")

    return fn


def _half_invert(im: Image.Image, _r: random.Random) -> Image.Image:
    a = np.asarray(im).copy()
    half = a.shape[1] // 2
    a[:, :half] = 255 - a[:, :half]
    return Image.fromarray(a, "RGB")


def _text_mask(im: Image.Image) -> np.ndarray:
    """True on the text: the smaller side of Otsu's threshold (text is the minority)."""
    light = _otsu_mask(im)
    return np.asarray(~light if light.mean() >= 0.5 else light)


def _text_lum_match(im: Image.Image, rng: random.Random) -> Image.Image:
    """Text in a saturated colour on the grey of the same luminosity (evaded WeChat's OCR
    150/150: its luminosity grey makes the image flat)."""
    colour = rng.choice(_COLOURS)
    grey = round(_GREY_FORMULAS["lum"](colour))
    out = np.where(_text_mask(im)[..., None], np.array(colour), np.array((grey,) * 3))
    return Image.fromarray(out.astype(np.uint8), "RGB")


# A 5 x 7 capital A: the tile the text-letters transform fills strokes with.
_LETTER: Final = np.array([[c == "#" for c in row] for row in (
    ".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#")])


def _text_pattern(kind: str) -> _ImageFn:
    """Text strokes kept only where a tiled pattern is: small squares with gaps, or small
    letters; WeChat's blob merging then finds the tiles rather than the characters
    (tiled squares evaded 92 %, tiled letters 100 %)."""

    def fn(im: Image.Image, _r: random.Random) -> Image.Image:
        mask = _text_mask(im)
        h, w = mask.shape
        if kind == "squares":
            side, gap = 6, 2
            yy, xx = np.mgrid[0:h, 0:w]
            pattern = ((yy % (side + gap)) < side) & ((xx % (side + gap)) < side)
        else:
            tile = np.pad(_LETTER, ((1, 1), (1, 1)))
            pattern = np.tile(tile, (h // tile.shape[0] + 1, w // tile.shape[1] + 1))[:h, :w]
        a = np.asarray(im)
        background = np.array(a[~mask].mean(axis=0) if (~mask).any() else (255, 255, 255))
        out = np.where((mask & ~pattern)[..., None], background, a)
        return Image.fromarray(np.clip(np.rint(out), 0, 255).astype(np.uint8), "RGB")

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
    out.append(t("translate-canvas-10", "the whole image moved 10% of its length within a "
                 "white canvas 20% longer (nothing cropped)", _translate_canvas(0.1)))
    for share in (50, 200):
        out.append(t(f"border-short-{share}", f"white border adding {share}% along the short "
                     "side's direction", _border(share / 100, along_long=False)))
        out.append(t(f"border-long-{share}", f"white border adding {share}% along the long "
                     "side's direction", _border(share / 100, along_long=True)))
    out.append(t("black-border-short-50", "black border of 50% of the short side, split "
                 "across both ends of the short dimension", _black_border(0.5, both=False)))
    out.append(t("black-border-all-50", "black border of 50% of the short side, split "
                 "across both ends of each dimension", _black_border(0.5, both=True)))
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
               for n in (2, 3, 5, 7))
    out.append(t("grayscale", "grey levels", lambda im, _r: ImageOps.grayscale(im).convert("RGB")))
    out += [
        t("otsu", "black and white at Otsu's threshold of the luminosity grey", _otsu(False)),
        t("otsu-invert", "Otsu's black and white, then inverted", _otsu(True)),
        t("half-invert", "left half of the image inverted", _half_invert),
        t("grid-flip-3", "each cell of a 3x3 grid mirrored in place", _grid_flip(3)),
    ]
    out.extend(t(f"grey-match-{f}", f"Otsu's light pixels coloured, dark ones the grey the "
                 f"{f} formula gives that colour (flat under {f})", _grey_match(f))
               for f in _GREY_FORMULAS)
    out += [
        t("text-lum-match", "text in a colour on the grey of equal luminosity (OCR evasion)",
          _text_lum_match),
        t("text-squares", "text strokes kept only on tiled 6 px squares (OCR evasion)",
          _text_pattern("squares")),
        t("text-letters", "text strokes kept only on tiled small letters (OCR evasion)",
          _text_pattern("letters")),
    ]
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
