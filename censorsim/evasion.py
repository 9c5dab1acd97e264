"""Named, seeded transforms of texts and images, the evasions a user might try.

Every transform has a name, is found in a registry by that name, and is deterministic
given its seed. ``noop`` exists in both registries and returns its input unchanged: it
is the baseline row of every evasion matrix (:mod:`censorsim.research`).

Text transforms act on *targets*: spans of the text (usually the spans of the keywords
that made a rule fire, from :attr:`censorsim.models.Hit.spans`). Without targets the
whole text is the target. ``strength`` is the share of target characters (or gaps
between them) that are changed; 1.0 changes all of them.

========================  ===============================================================
text transform            what it does to the chosen target characters
========================  ===============================================================
``noop``                  nothing
``spaces``                inserts a space inside the target, between two characters
``punctuation``           inserts punctuation (``，。、·.-_*``) between characters
``zero-width``            inserts zero-width characters (U+200B, U+200C, U+200D, U+FEFF)
``fullwidth``             ASCII to full-width forms (``A``→``Ａ``, ``64``→``６４``)
``homophone``             a common Han character to another with the same pinyin (pypinyin)
``pinyin``                a Han character to its toneless pinyin (``六``→``liu``)
``traditional``           simplified to traditional script (OpenCC ``s2t``)
``leetspeak``             Latin letters to digits (``e``→``3``, ``o``→``0``)
``confusable``            Latin letters to Cyrillic and Greek look-alikes (``a``→``а``)
``repeat``                a character written twice
``drop-component``        one target span removed (a combination loses one component;
                          without targets, the whole text is the one span)
========================  ===============================================================

Image transforms take and return a PIL image (RGB); their parameters are part of the
name (``blur-8``, ``jpeg-30``, ``border-short-50``). See :data:`IMAGE_TRANSFORMS`.

Example:
    >>> t = text_transform("spaces")
    >>> t.apply("六四学生", targets=[(0, 2)])
    '六 四学生'
    >>> text_transform("noop").apply("六四学生")
    '六四学生'
    >>> text_transform("fullwidth").apply("ISIS 64")
    'ＩＳＩＳ\\u3000６４'
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from censorsim._optional import import_optional
from censorsim.errors import ParameterError
from censorsim.registry import Registry
from censorsim.text.script import is_han

__all__ = [
    "IMAGE_TRANSFORMS",
    "TEXT_TRANSFORMS",
    "ImageTransform",
    "TextTransform",
    "homophones",
    "image_transform",
    "text_transform",
]

Span = tuple[int, int]
_TextFn = Callable[[str, Sequence[Span], random.Random, float], str]
_ImageFn = Callable[[Image.Image, random.Random], Image.Image]


def _rng(seed: int | str, *parts: object) -> random.Random:
    """A private generator seeded from ``seed`` and ``parts`` (string seeds are stable)."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


# ------------------------------------------------------------------------------- text


@dataclass(frozen=True, slots=True)
class TextTransform:
    """A named, seeded text transform.

    Attributes:
        name: the registry name.
        description: one line for tables and ``--help``.
        strength: the default share of target characters changed, or None when the
            transform has no strength (``noop``, ``drop-component``).
    """

    name: str
    description: str
    _fn: _TextFn
    strength: float | None = 1.0

    def apply(
        self,
        text: str,
        *,
        targets: Sequence[Span] | None = None,
        seed: int | str = 0,
        strength: float | None = None,
    ) -> str:
        """Transform one text.

        Args:
            text: the text.
            targets: half-open spans to act on; None for the whole text.
            seed: the seed; the same seed gives the same output.
            strength: share of target characters changed (default :attr:`strength`).

        Raises:
            ParameterError: a strength outside [0, 1] or a span outside the text.
        """
        s = self.strength if strength is None else strength
        if s is None:
            s = 1.0
        if not 0.0 <= s <= 1.0:
            raise ParameterError(f"strength must be in [0, 1], got {s}")
        spans = _target_spans(text, targets)
        return self._fn(text, spans, _rng(seed, self.name), s)

    def apply_many(
        self,
        texts: Sequence[str],
        *,
        targets: Sequence[Sequence[Span] | None] | None = None,
        seed: int | str = 0,
        strength: float | None = None,
    ) -> list[str]:
        """Transform many texts; text ``i`` uses the seed ``(seed, i)``.

        Raises:
            ParameterError: as :meth:`apply`, or not one target list per text.
        """
        if targets is not None and len(targets) != len(texts):
            raise ParameterError(f"targets: "f"{len(texts)} texts but {len(targets)} target lists")
        return [
            self.apply(
                t,
                targets=None if targets is None else targets[i],
                seed=f"{seed}:{i}",
                strength=strength,
            )
            for i, t in enumerate(texts)
        ]


def _target_spans(text: str, targets: Sequence[Span] | None) -> list[Span]:
    """The user's targets, checked against the text, empty ones dropped, sorted."""
    if targets is None:
        return [(0, len(text))] if text else []
    out: list[Span] = []
    for s, e in targets:
        if not 0 <= s <= e <= len(text):
            raise ParameterError(
                f"targets: span ({s}, {e}) is outside a text of {len(text)} characters")
        if e > s:
            out.append((s, e))
    return sorted(set(out))


def _positions(spans: Sequence[Span], eligible: Callable[[str], bool], text: str) -> list[int]:
    seen: dict[int, None] = {}
    for s, e in spans:
        for i in range(s, e):
            if eligible(text[i]):
                seen.setdefault(i, None)
    return list(seen)


def _choose(items: list[int], rng: random.Random, strength: float) -> set[int]:
    if not items or strength <= 0:
        return set()
    k = min(len(items), max(1, math.ceil(strength * len(items))))
    return set(rng.sample(items, k))


def _map_chars(
    eligible: Callable[[str], bool], replace: Callable[[str, random.Random], str]
) -> _TextFn:
    def fn(text: str, spans: Sequence[Span], rng: random.Random, strength: float) -> str:
        chosen = _choose(_positions(spans, eligible, text), rng, strength)
        return "".join(replace(ch, rng) if i in chosen else ch for i, ch in enumerate(text))

    return fn


def _insert_between(pool: str) -> _TextFn:
    def fn(text: str, spans: Sequence[Span], rng: random.Random, strength: float) -> str:
        gaps: dict[int, None] = {}
        for s, e in spans:
            for i in range(s + 1, e):
                gaps.setdefault(i, None)
        chosen = _choose(list(gaps), rng, strength)
        out: list[str] = []
        for i, ch in enumerate(text):
            if i in chosen:
                out.append(rng.choice(pool))
            out.append(ch)
        return "".join(out)

    return fn


def _noop(text: str, spans: Sequence[Span], rng: random.Random, strength: float) -> str:
    return text


def _drop_component(text: str, spans: Sequence[Span], rng: random.Random, _s: float) -> str:
    if not spans:
        return text
    s, e = rng.choice(list(spans))
    return text[:s] + text[e:]


def _repeat(text: str, spans: Sequence[Span], rng: random.Random, strength: float) -> str:
    chosen = _choose(_positions(spans, lambda c: not c.isspace(), text), rng, strength)
    return "".join(ch + ch if i in chosen else ch for i, ch in enumerate(text))


def _fullwidth(ch: str, _rng: random.Random) -> str:
    return "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0)


@cache
def _pinyin_module() -> object:
    return import_optional("pypinyin", "evasion", "homophone and pinyin transforms")


def _common(ch: str) -> bool:
    """Whether ``ch`` is among GB 2312's 3,755 level-1 (most common) characters."""
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and 0xB0 <= code[0] <= 0xD7


@cache
def _homophone_table() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Each common Han character's first reading, and the characters of each reading."""
    _pinyin_module()
    data = import_optional("pypinyin.pinyin_dict", "evasion", "homophone substitution")
    raw: dict[int, str] = data.pinyin_dict
    reading: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    for cp in sorted(raw):
        if not _common(chr(cp)):
            continue
        first = raw[cp].split(",")[0].strip()
        if not first:
            continue
        ch = chr(cp)
        reading[ch] = first
        groups.setdefault(first, []).append(ch)
    return reading, {k: tuple(v) for k, v in groups.items()}


def homophones(char: str) -> tuple[str, ...]:
    """Common characters whose first pinyin reading (with tone) equals ``char``'s.

    Both ``char`` and its homophones must be GB 2312 level-1 characters (the 3,755 most
    common), so substitutes read naturally; ``char`` itself is left out. Built once
    from pypinyin's installed dictionary (the ``evasion`` extra).

    Raises:
        MissingDependencyError: pypinyin is not installed.
    """
    reading, groups = _homophone_table()
    key = reading.get(char)
    if key is None:
        return ()
    return tuple(c for c in groups[key] if c != char)


def _homophone(ch: str, rng: random.Random) -> str:
    alts = homophones(ch)
    return rng.choice(alts) if alts else ch


def _pinyin(ch: str, _rng: random.Random) -> str:
    mod = _pinyin_module()
    out: list[str] = mod.lazy_pinyin(ch)  # type: ignore[attr-defined]
    return "".join(out)


@cache
def _s2t() -> Callable[[str], str]:
    import opencc

    converter = opencc.OpenCC("s2t")
    convert: Callable[[str], str] = converter.convert
    return convert


def _traditional(ch: str, _rng: random.Random) -> str:
    return _s2t()(ch) or ch


_LEET: Final = {"a": "4", "b": "8", "e": "3", "g": "9", "i": "1", "l": "1", "o": "0",
                "s": "5", "t": "7", "z": "2"}
_CONFUSABLE: Final = {
    "a": "а", "c": "с", "e": "е", "i": "і", "j": "ј", "o": "о", "p": "р", "s": "ѕ",
    "x": "х", "y": "у", "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І",
    "K": "К", "M": "М", "N": "Ν", "O": "О", "P": "Р", "S": "Ѕ", "T": "Т", "X": "Х",
    "Y": "Υ", "Z": "Ζ",
}


def _leet(ch: str, _rng: random.Random) -> str:
    return _LEET[ch.lower()]


def _confusable(ch: str, _rng: random.Random) -> str:
    return _CONFUSABLE[ch]


_TEXT: Final[tuple[TextTransform, ...]] = (
    TextTransform("noop", "no change (the baseline)", _noop, None),
    TextTransform("spaces", "spaces between characters", _insert_between(" ")),
    TextTransform("punctuation", "punctuation between characters",
                  _insert_between("，。、·.-_*")),
    TextTransform("zero-width", "zero-width characters between characters",
                  _insert_between("\u200b\u200c\u200d\ufeff")),
    TextTransform("fullwidth", "ASCII as full-width forms",
                  _map_chars(lambda c: c == " " or 0x21 <= ord(c) <= 0x7E, _fullwidth)),
    TextTransform("homophone", "Han characters as same-pinyin characters",
                  _map_chars(is_han, _homophone)),
    TextTransform("pinyin", "Han characters as toneless pinyin", _map_chars(is_han, _pinyin)),
    TextTransform("traditional", "simplified characters in traditional script (OpenCC s2t)",
                  _map_chars(is_han, _traditional)),
    TextTransform("leetspeak", "Latin letters as digits",
                  _map_chars(lambda c: c.lower() in _LEET and c.isascii(), _leet)),
    TextTransform("confusable", "Latin letters as Cyrillic or Greek look-alikes",
                  _map_chars(lambda c: c in _CONFUSABLE, _confusable)),
    TextTransform("repeat", "characters written twice", _repeat),
    TextTransform("drop-component", "one target span removed", _drop_component, None),
)

_NEEDS_PYPINYIN: Final = frozenset({"homophone", "pinyin"})

TEXT_TRANSFORMS: Final[Registry[TextTransform]] = Registry("text transform")
"""Text transforms by name, ``noop`` first (``homophone`` and ``pinyin`` need the
``evasion`` extra)."""

for _t in _TEXT:
    if _t.name in _NEEDS_PYPINYIN:
        TEXT_TRANSFORMS.add(_t.name, _t, requires="pypinyin", extra="evasion",
                            summary=_t.description)
    else:
        TEXT_TRANSFORMS.add(_t.name, _t, summary=_t.description)
del _t


def text_transform(name: str) -> TextTransform:
    """The text transform called ``name``.

    Raises:
        UnknownNameError: an unknown name (the message lists the known ones).
        MissingDependencyError: the transform needs pypinyin (the ``evasion`` extra).
    """
    return TEXT_TRANSFORMS.get(name)


# ------------------------------------------------------------------------------ image


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
        return self._fn(_rgb(image), _rng(seed, self.name))

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
