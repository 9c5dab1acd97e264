"""WeChat Moments' 2018 image outcomes (WECHAT_2018) held to the paper and Citizen Lab's data.

The data (CC BY-NC-SA, images of third parties) is read from the user's copy and never
copied; the tests that need it skip cleanly when it is absent.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from censorsim.evasion import IMAGE_TRANSFORMS, image_transform
from censorsim.image import VisualIndex
from censorsim.research import WECHAT_2018, wechat_reference, wechat_sliding_outcomes

ROWS = {r.transform: r for r in WECHAT_2018}


def _folder() -> Path:
    env = os.environ.get("CENSORSIM_CITIZENLAB")
    root = Path(env) if env else (
        Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "citizenlab")
    return root / "wechat" / "image-filtering"


@pytest.fixture(scope="module")
def image_filtering() -> Path:
    path = _folder()
    if not path.is_dir():
        pytest.skip(f"Citizen Lab image-filtering data not found at {path}")
    return path


def test_every_row_is_a_transform_and_cites_the_paper() -> None:
    assert len(ROWS) == len(WECHAT_2018)
    for r in WECHAT_2018:
        assert r.transform in IMAGE_TRANSFORMS, r.transform
        assert r.source.startswith("Knockel et al. 2018"), r.transform
        if r.rate is not None:
            assert r.filtered_majority == (2 * (r.filtered or 0) > (r.tested or 0))


@pytest.mark.parametrize(("name", "counts"), [
    ("tile-3", (10, 10)), ("tile-5", (10, 10)), ("tile-7", (5, 10)),
    ("otsu", (13, 15)), ("otsu-invert", (4, 13)),
    ("grey-match-lum", (0, 6)), ("black-border-short-50", (2, 15)),
    ("black-border-all-50", (1, 15)),
])
def test_corrected_counts(name: str, counts: tuple[int, int]) -> None:
    assert (ROWS[name].filtered, ROWS[name].tested) == counts


def test_corrected_rows() -> None:
    assert "tile-2" not in ROWS  # the paper never tested 2 copies
    assert "translate-10" not in ROWS  # it crops; the paper moved within a larger canvas
    assert ROWS["translate-canvas-10"].filtered_majority
    assert not ROWS["grid-flip-3"].filtered_majority
    assert ROWS["half-invert"].filtered_majority
    assert not any(r.startswith("border-short") for r in ROWS)  # the borders were black


def test_new_transforms_do_what_the_rows_say() -> None:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)
    im = Image.fromarray(a, "RGB")
    moved = image_transform("translate-canvas-10").apply(im)
    assert moved.size == (72, 40)
    pos = [x for x in (0, 12) if np.array_equal(np.asarray(moved)[:, x:x + 60], a)]
    assert len(pos) == 1  # nothing cropped
    short = np.asarray(image_transform("black-border-short-50").apply(im))
    assert short.shape == (60, 60, 3) and short[:10].max() == 0 and short[-10:].max() == 0
    both = np.asarray(image_transform("black-border-all-50").apply(im))
    assert both.shape == (60, 80, 3) and both[:, :10].max() == 0
    assert image_transform("tile-7").apply(im).size == (420, 40)
    otsu = np.asarray(image_transform("otsu").apply(im))
    assert set(np.unique(otsu)) <= {0, 255}
    inv = np.asarray(image_transform("otsu-invert").apply(im))
    assert (inv == 255 - otsu).all()
    half = np.asarray(image_transform("half-invert").apply(im))
    assert (half[:, :30] == 255 - a[:, :30]).all() and (half[:, 30:] == a[:, 30:]).all()
    grid = np.asarray(image_transform("grid-flip-3").apply(im))
    assert (grid[:13, :20] == a[:13, :20][:, ::-1]).all()
    for formula, weights in (("lum", (0.299, 0.587, 0.114)), ("average", (1 / 3,) * 3)):
        g = np.asarray(image_transform(f"grey-match-{formula}").apply(im)).astype(float)
        grey = g @ np.array(weights)
        assert grey.max() - grey.min() < 1.5, formula  # flat under its own formula


def test_reference_with_data_matches_the_table(image_filtering: Path) -> None:
    sliding = {r.transform: r for r in wechat_sliding_outcomes(
        image_filtering / "tests-visual-sliding")}
    for name in ("tile-3", "tile-5", "tile-7"):
        assert (sliding[name].filtered, sliding[name].tested) == (
            ROWS[name].filtered, ROWS[name].tested), name
    assert sliding["border-long-200"].filtered_majority
    ref = wechat_reference(["tile-3", "border-long-200"], citizenlab=image_filtering.parents[1])
    assert [r.transform for r in ref] == ["border-long-200", "tile-3"]


def test_mirror_stretch_border_counts_match_the_data(image_filtering: Path) -> None:
    folder = image_filtering / "tests-visual-mirror-stretch-border"
    filtered = {p.name for p in (folder / "filtered").iterdir()}
    for suffix, row in (("mirrored", "mirror"), ("shorter", "shorter-30"),
                        ("thinner", "thinner-30"), ("minborder", "black-border-short-50"),
                        ("symborder", "black-border-all-50")):
        forms = sorted(folder.glob(f"img*-{suffix}.png"))
        kept = sum(p.name in filtered for p in forms)
        assert (kept, len(forms)) == (ROWS[row].filtered, ROWS[row].tested), suffix


def test_grey_and_blur_counts_match_the_data(image_filtering: Path) -> None:
    text = (image_filtering / "tests-visual-gray-algs" / "filtered.txt").read_text("utf-8")
    listed = {m.group(1): [c for c in re.split(r"[,\s]+", m.group(2)) if c]
              for m in re.finditer(r"^(\w+):(.*)$", text, re.M)}
    for formula in ("lum", "average", "lightness"):
        assert len(listed[formula]) == ROWS[f"grey-match-{formula}"].filtered, formula
    blur = image_filtering / "tests-visual-blur"
    at_8 = [p for p in blur.glob("img*/img*-8.png")]
    assert len(at_8) == 0 and len(list(blur.glob("img*/evaded/img*-8.png"))) == 15
    assert ROWS["blur-8"].filtered == 0


@pytest.fixture(scope="module")
def sample_index() -> tuple[VisualIndex, list[Image.Image]]:
    from censorsim.research import image_files

    index = VisualIndex()
    pils = []
    for i, p in enumerate(image_files()):
        index.add(p, f"img{i}")
        with Image.open(p) as im:
            pils.append(im.convert("RGB"))
    return index, pils


@pytest.mark.parametrize("name", ["tile-3", "half-invert", "mirror"])
def test_visual_matcher_rows_on_the_shipped_samples(
    sample_index: tuple[VisualIndex, list[Image.Image]], name: str
) -> None:
    """The visual matcher's row agrees with WECHAT_2018 on the shipped sample JPEGs:
    filtered 3 tiled copies (10/10) and half-inverted images, evaded mirrored ones (15/15)
    (Knockel et al. 2018; 5 copies: tests/image/test_visual_rows.py)."""
    index, pils = sample_index
    out = image_transform(name).apply_many(pils, seed=0)
    hits = sum(any(m.id == f"img{i}" for m in index.query(x)) for i, x in enumerate(out))
    assert (2 * hits > len(pils)) == ROWS[name].filtered_majority, f"{hits}/{len(pils)}"
