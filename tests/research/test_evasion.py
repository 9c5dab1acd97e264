"""Every evasion transform: seeded, deterministic, ``noop`` is the identity."""

from __future__ import annotations

import io

import numpy as np
import opencc
import pytest
from PIL import Image, ImageOps
from pypinyin.pinyin_dict import pinyin_dict

from censorsim.errors import ParameterError, UnknownNameError
from censorsim.evasion import (
    IMAGE_TRANSFORMS,
    TEXT_TRANSFORMS,
    homophones,
    image_transform,
    text_transform,
)

TEXT = "今天说六四学生 Liu Xiaobo ISIS 64！"
TARGETS = [(3, 5), (5, 7), (8, 19)]


@pytest.mark.parametrize("name", list(TEXT_TRANSFORMS))
def test_text_transform_is_seeded_and_deterministic(name: str) -> None:
    t = text_transform(name)
    a = t.apply(TEXT, targets=TARGETS, seed=7)
    assert a == t.apply(TEXT, targets=TARGETS, seed=7)
    assert isinstance(a, str)
    many = t.apply_many([TEXT, TEXT], targets=[TARGETS, TARGETS], seed=3)
    assert many == t.apply_many([TEXT, TEXT], targets=[TARGETS, TARGETS], seed=3)
    if name != "noop":
        assert a != TEXT, f"{name} changed nothing"


@pytest.mark.parametrize("name", list(TEXT_TRANSFORMS))
def test_text_transform_leaves_text_outside_targets(name: str) -> None:
    out = text_transform(name).apply(TEXT, targets=[(3, 7)], seed=1)
    assert out.startswith(TEXT[:3]) and out.endswith(TEXT[7:])


@pytest.mark.parametrize("name", [n for n, t in TEXT_TRANSFORMS.items() if t.strength])
def test_strength_zero_changes_nothing(name: str) -> None:
    assert text_transform(name).apply(TEXT, seed=1, strength=0.0) == TEXT


def test_noop_is_identity() -> None:
    t = text_transform("noop")
    for text in ("", "六四", TEXT, "\u200b x"):
        assert t.apply(text, seed=5, strength=1.0) == text


def test_seeds_differ() -> None:
    t = text_transform("punctuation")
    outs = {t.apply("六四学生民主运动" * 3, seed=s, strength=0.5) for s in range(8)}
    assert len(outs) > 1


def test_separators() -> None:
    assert text_transform("spaces").apply("六四学生") == "六 四 学 生"
    zw = text_transform("zero-width").apply("六四")
    assert zw[0] == "六" and zw[-1] == "四" and zw[1] in "\u200b\u200c\u200d\ufeff"
    p = text_transform("punctuation").apply("六四")
    assert len(p) == 3 and p[1] in "，。、·.-_*"


def test_strength_is_a_share_of_gaps() -> None:
    out = text_transform("spaces").apply("一二三四五六七八九十一", strength=0.5, seed=2)
    assert out.count(" ") == 5


def test_fullwidth() -> None:
    assert text_transform("fullwidth").apply("ISIS 64") == "ＩＳＩＳ\u3000６４"


def test_homophones_share_the_reading() -> None:
    alts = homophones("四")
    assert alts and "四" not in alts
    for ch in alts:
        assert pinyin_dict[ord(ch)].split(",")[0] == pinyin_dict[ord("四")].split(",")[0]
    out = text_transform("homophone").apply("四学", seed=0)
    assert out[0] in alts and out[1] in homophones("学")


def test_pinyin_and_traditional() -> None:
    assert text_transform("pinyin").apply("六四") == "liusi"
    assert text_transform("traditional").apply("学生习近平") == opencc.OpenCC("s2t").convert(
        "学生习近平"
    )


def test_leetspeak_confusable_repeat() -> None:
    assert text_transform("leetspeak").apply("Liu Xiaobo") == "11u X14080"
    conf = text_transform("confusable").apply("ISIS")
    assert conf != "ISIS" and conf.upper() == conf and not conf.isascii()
    assert text_transform("repeat").apply("六四") == "六六四四"


def test_drop_component() -> None:
    t = text_transform("drop-component")
    text = "六四的学生"
    outs = {t.apply(text, targets=[(0, 2), (3, 5)], seed=s) for s in range(10)}
    assert outs == {"的学生", "六四的"}


def test_bad_arguments() -> None:
    with pytest.raises(UnknownNameError, match="unknown text transform"):
        text_transform("nope")
    with pytest.raises(ParameterError, match="strength"):
        text_transform("spaces").apply("ab", strength=1.5)
    with pytest.raises(ParameterError, match="outside"):
        text_transform("spaces").apply("ab", targets=[(0, 5)])
    with pytest.raises(ParameterError, match="target lists"):
        text_transform("spaces").apply_many(["ab"], targets=[])
    with pytest.raises(UnknownNameError, match="unknown image transform"):
        image_transform("nope")


# ------------------------------------------------------------------------------ images


@pytest.fixture(scope="module")
def image() -> Image.Image:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, size=(40, 60, 3), dtype=np.uint8)
    a[10:30, 20:40] = (200, 30, 30)
    return Image.fromarray(a, "RGB")


def _bytes(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("name", list(IMAGE_TRANSFORMS))
def test_image_transform_is_deterministic(name: str, image: Image.Image) -> None:
    t = image_transform(name)
    a, b = t.apply(image, seed=4), t.apply(image, seed=4)
    assert a.mode == "RGB"
    assert _bytes(a) == _bytes(b)
    if name != "noop":
        assert _bytes(a) != _bytes(image), f"{name} changed nothing"
    assert [x.size for x in t.apply_many([image, image], seed=1)] == [
        x.size for x in t.apply_many([image, image], seed=1)
    ]


def test_image_noop_is_identity(image: Image.Image) -> None:
    assert _bytes(image_transform("noop").apply(image)) == _bytes(image)
    rgba = image.convert("RGBA")
    assert image_transform("noop").apply(rgba).mode == "RGB"


EXPECTED_SIZES = {
    "rotate-90": (40, 60),
    "shorter-30": (60, 28),
    "thinner-30": (42, 40),
    "scale-50": (30, 20),
    "scale-200": (120, 80),
    "border-short-50": (60, 60),
    "border-short-200": (60, 120),
    "border-long-50": (90, 40),
    "border-long-200": (180, 40),
    "blur-8": (300, 200),
    "crop-10": (54, 36),
    "crop-25": (45, 30),
    "tile-2": (120, 40),
    "tile-3": (180, 40),
    "translate-10": (60, 40),
}


@pytest.mark.parametrize("name", list(EXPECTED_SIZES))
def test_image_geometry(name: str, image: Image.Image) -> None:
    assert image_transform(name).apply(image).size == EXPECTED_SIZES[name]


def test_image_pixels(image: Image.Image) -> None:
    assert _bytes(image_transform("mirror").apply(image)) == _bytes(ImageOps.mirror(image))
    assert _bytes(image_transform("invert").apply(image)) == _bytes(ImageOps.invert(image))
    g = np.asarray(image_transform("grayscale").apply(image))
    assert (g[..., 0] == g[..., 1]).all() and (g[..., 1] == g[..., 2]).all()
    bright = np.asarray(image_transform("brightness+0.4").apply(image)).astype(int)
    assert (bright >= np.minimum(np.asarray(image).astype(int) + 102, 255)).all()
    tall = image.transpose(Image.Transpose.ROTATE_90)
    assert image_transform("tile-2").apply(tall).size == (40, 120)
    assert image_transform("border-short-50").apply(tall).size == (60, 60)


def test_box_blur_flattens_and_grows_with_kernel(image: Image.Image) -> None:
    stds = [np.asarray(image_transform(f"blur-{k}").apply(image)).std() for k in (1, 4, 10)]
    assert stds[0] > stds[1] > stds[2]
    one = np.asarray(image_transform("blur-1").apply(image))
    big = image.resize((300, 200), Image.Resampling.LANCZOS)
    assert (one == np.asarray(big)).all()


def test_crop_position_is_seeded(image: Image.Image) -> None:
    t = image_transform("crop-25")
    outs = {_bytes(t.apply(image, seed=s)) for s in range(6)}
    assert len(outs) > 1


def test_jpeg_quality_orders_error(image: Image.Image) -> None:
    ref = np.asarray(image).astype(float)
    err = [np.abs(np.asarray(image_transform(f"jpeg-{q}").apply(image)) - ref).mean()
           for q in (90, 20, 5)]
    assert err[0] < err[1] < err[2]


def test_registries_list_their_names_and_optional_needs() -> None:
    assert TEXT_TRANSFORMS.kind == "text transform" and next(iter(TEXT_TRANSFORMS)) == "noop"
    assert "spaces" in TEXT_TRANSFORMS and TEXT_TRANSFORMS["spaces"].name == "spaces"
    pinyin = TEXT_TRANSFORMS.entry("pinyin")
    assert pinyin.requires == ("pypinyin",) and pinyin.extra == "evasion"
    assert TEXT_TRANSFORMS.entry("spaces").requires == ()
    assert IMAGE_TRANSFORMS.entry("blur-8").summary.startswith("short side to 200 px")
    with pytest.raises(UnknownNameError) as info:
        text_transform("nope")
    assert "spaces" in str(info.value) and info.value.known == TEXT_TRANSFORMS.names()


def test_every_han_character_is_a_target_of_the_han_transforms() -> None:
    # Script=Han (censorsim.text.script): extension C and compatibility ideographs too.
    t = text_transform("traditional")
    assert t.apply("\U0002a700") == "\U0002a700"  # no traditional form: kept, no error
    assert text_transform("pinyin").apply("〇") != "〇"
