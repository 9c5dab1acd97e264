"""The visual matcher on the rows of WECHAT_2018 it used to miss (issue 12).

"(Can't) Picture This" (Knockel et al., FOCI 2018): an image with copies tiled beside it
was filtered (3 and 5 copies 10/10, 7 copies 5/10, 9 and 11 copies 3/10), and so was a
half-inverted image. The matcher correlates the blacklisted image in vertical strips, each
in absolute value, and normalises by a window-weighted energy of the upload; the plain
loop below is the reference the FFT path is held to.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from censorsim.evasion import image_transform
from censorsim.image import DEFAULT_VISUAL_THRESHOLD, VisualIndex, visual_features
from censorsim.image.visual import WINDOW_WEIGHT, _similarity
from tests.image._visual_reference import features, plain_score

T = DEFAULT_VISUAL_THRESHOLD


def _reference(a: np.ndarray, b: np.ndarray, floor: float) -> float:
    """Every shift by plain loops (``b`` may sit anywhere over ``a``)."""
    _, ha, wa = a.shape
    _, hb, wb = b.shape
    shifts = [(-sy, -sx) for sy in range(-(hb - 1), ha) for sx in range(-(wb - 1), wa)]
    return plain_score(a, b, shifts, floor)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5), st.integers(2, 6), st.integers(2, 5), st.integers(2, 6),
       st.integers(0, 2**32 - 1))
def test_fft_path_agrees_with_the_plain_loops(ha: int, wa: int, hb: int, wb: int,
                                              seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(2, ha, wa)).astype(np.float32)
    b = rng.normal(size=(2, hb, wb)).astype(np.float32)
    got = _similarity(features(a), features(b), None, None, 0.1)
    assert got == pytest.approx(_reference(a, b, 0.1), rel=1e-3, abs=1e-4)


def _picture(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    im = Image.new("RGB", (150, 100), "white")
    draw = ImageDraw.Draw(im)
    for _ in range(6):
        x, y = rng.integers(0, 120), rng.integers(0, 70)
        pts = [(int(x), int(y)), (int(x + rng.integers(10, 40)), int(y)),
               (int(x), int(y + rng.integers(10, 30)))]
        draw.polygon(pts, fill=tuple(int(c) for c in rng.integers(0, 200, 3)))
    return im


@pytest.fixture(scope="module")
def index() -> VisualIndex:
    ix = VisualIndex()
    ix.add(_picture(1), "p1")
    ix.add(_picture(2), "p2")
    return ix


@pytest.mark.parametrize(("name", "matched"), [
    ("tile-3", True), ("tile-5", True), ("half-invert", True), ("noop", True),
    ("mirror", False), ("grid-flip-3", False),
])
def test_index_agrees_with_the_paper_on_tiles_and_half_inversion(
    index: VisualIndex, name: str, matched: bool
) -> None:
    """Filtered: 3 and 5 copies (10/10 each), half-inverted. Evaded: mirrored (15/15), a
    3x3 grid of mirrored cells."""
    upload = image_transform(name).apply(_picture(1))
    assert any(m.id == "p1" for m in index.query(upload)) == matched


def test_copies_score_n_to_the_minus_half_weight() -> None:
    """n copies score about n ** (-w / 2): 3 and 5 copies clear the threshold, 7 copies sit
    on it (WeChat: 5/10) and 9 fall below (3/10; here also squeezed by the long-side cap)."""
    a = visual_features(_picture(1))
    scores = {}
    for n in (3, 5, 7, 9):
        tiled = Image.new("RGB", (150 * n, 100))
        for k in range(n):
            tiled.paste(_picture(1), (150 * k, 0))
        scores[n] = _similarity(a, visual_features(tiled), None, None, 0.1)
        if n < 9:  # 9 copies of a 3:2 image pass the long-side cap (12x) and are squeezed
            assert scores[n] == pytest.approx(n ** (-WINDOW_WEIGHT / 2), abs=0.04)
    assert scores[3] > scores[5] > T > scores[9]
    assert abs(scores[7] - T) < 0.05
