"""Conformance suite of evasion transforms: what every text and image transform must do.

Each ``check_*`` function raises :class:`AssertionError` naming the transform and the
broken property; run it over every registered transform (or a new one before registering
it).

Example:
    >>> check_text_transform("spaces")
    >>> check_image_transform("mirror")
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image

from censorsim.errors import ParameterError
from censorsim.evasion import ImageTransform, TextTransform, image_transform, text_transform

__all__ = ["check_image_transform", "check_text_transform"]

_TEXTS = (
    "六四学生",
    "今天习近平说要三连任，我们去吃饭吧。",
    "ISIS 64 hello world",
    "Falun Gong 法轮功 ok",
    "〇々𠀀㐀",
    "한국어 かな ｈｅｌｌｏ",
    "a",
    "",
)
_SEEDS = (0, 7, "x")


def check_text_transform(
    transform: str | TextTransform, texts: Sequence[str] = _TEXTS
) -> None:
    """Check a text transform (by name or object) on ``texts``.

    Properties: the output is a string of sane length; the same seed gives the same
    output; ``apply_many`` equals ``apply`` with the seeds it documents; only the target
    is changed (the text before and after it is kept); ``noop`` and strength 0 are the
    identity; the empty text stays empty; a strength outside [0, 1] or a target outside
    the text raises :class:`~censorsim.errors.ParameterError`; no Han, non-Han or empty
    text makes it raise anything else.

    Raises:
        AssertionError: a property does not hold (the message names it).
    """
    t = text_transform(transform) if isinstance(transform, str) else transform
    who = f"text transform {t.name!r}"
    for text in texts:
        half = [(0, len(text) // 2)] if text else None
        for targets in (None, half):
            for seed in _SEEDS:
                out = t.apply(text, targets=targets, seed=seed)
                what = f"{who} on {text!r} (targets={targets}, seed={seed!r})"
                assert isinstance(out, str), f"{what}: returned {type(out).__name__}, not str"
                assert len(out) <= 10 * len(text) + 10, f"{what}: output of {len(out)} chars"
                again = t.apply(text, targets=targets, seed=seed)
                assert again == out, f"{what}: not deterministic ({out!r} then {again!r})"
                if targets:
                    s, e = targets[0]
                    assert out.startswith(text[:s]) and out.endswith(text[e:]), (
                        f"{what}: changed text outside the target: {out!r}")
                if t.name == "noop":
                    assert out == text, f"{what}: noop changed the text to {out!r}"
                if t.strength is not None:
                    zero = t.apply(text, targets=targets, seed=seed, strength=0.0)
                    assert zero == text, f"{what}: strength 0 changed the text to {zero!r}"
        if not text:
            assert t.apply(text) == "", f"{who}: the empty text became {t.apply(text)!r}"
    many = t.apply_many(list(texts), seed=3)
    one = [t.apply(x, seed=f"3:{i}") for i, x in enumerate(texts)]
    assert many == one, f"{who}: apply_many differs from apply with seeds '3:i'"
    for bad in (-0.1, 1.5):
        try:
            t.apply("六四学生", strength=bad)
        except ParameterError:
            pass
        else:
            raise AssertionError(f"{who}: strength {bad} did not raise ParameterError")
    try:
        t.apply("六四", targets=[(1, 5)])
    except ParameterError:
        pass
    else:
        raise AssertionError(f"{who}: a target outside the text did not raise ParameterError")


def _images() -> list[Image.Image]:
    grad = Image.linear_gradient("L").resize((48, 32)).convert("RGB")
    rgba = Image.new("RGBA", (20, 30), (200, 30, 30, 128))
    grey = Image.linear_gradient("L").resize((17, 17))
    return [grad, rgba, grey, Image.new("RGB", (1, 1), (0, 0, 0))]


def check_image_transform(
    transform: str | ImageTransform, images: Sequence[Image.Image] | None = None
) -> None:
    """Check an image transform (by name or object) on ``images`` (default: small samples).

    Properties: the output is an RGB image of sane size (each side at most four times the
    input's long side, or what a resize of the short side to 200 px gives); the same seed
    gives the same pixels; ``apply_many`` equals ``apply`` with the seeds it documents;
    the input image is not modified; ``noop`` returns the RGB input unchanged; a 1x1 image
    and images with alpha or in grey levels do not make it raise.

    Raises:
        AssertionError: a property does not hold (the message names it).
    """
    t = image_transform(transform) if isinstance(transform, str) else transform
    who = f"image transform {t.name!r}"
    ims = list(images) if images is not None else _images()
    for im in ims:
        before = im.tobytes()
        w, h = im.size
        limit = 4 * max(w, h, round(200 * max(w, h) / min(w, h)))
        for seed in _SEEDS[:2]:
            what = f"{who} on a {w}x{h} {im.mode} image (seed={seed!r})"
            out = t.apply(im, seed=seed)
            assert isinstance(out, Image.Image), f"{what}: returned {type(out).__name__}"
            assert out.mode == "RGB", f"{what}: returned mode {out.mode}, not RGB"
            assert min(out.size) >= 1 and max(out.size) <= limit, (
                f"{what}: returned size {out.size}")
            again = t.apply(im, seed=seed)
            assert again.size == out.size and again.tobytes() == out.tobytes(), (
                f"{what}: not deterministic")
            if t.name == "noop" and im.mode == "RGB":
                assert out.tobytes() == im.tobytes(), f"{what}: noop changed the image"
        assert im.tobytes() == before, f"{who}: modified its input image"
    many = t.apply_many(ims, seed=3)
    one = [t.apply(x, seed=f"3:{i}") for i, x in enumerate(ims)]
    assert [m.tobytes() for m in many] == [o.tobytes() for o in one], (
        f"{who}: apply_many differs from apply with seeds '3:i'")
