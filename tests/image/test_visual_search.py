"""The visual matcher's local search (issue 12: within 10x of a pHash lookup).

``VisualIndex(search="local")`` correlates at full size only the translations near where
the 32-px coarse stage peaked. Held here to plain loops over exactly those translations,
and to the exhaustive search (:func:`~censorsim.image.visual_similarity`) wherever that
search peaks inside the searched box; the verdicts on Citizen Lab's 2018 images are
compared in ``benchmarks/wechat_images.py`` (``visual-index`` against
``visual-index-exhaustive``, both 89/93 there).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from censorsim.errors import ParameterError
from censorsim.evasion import image_transform
from censorsim.image import VisualIndex, visual_features
from censorsim.image.visual import (
    _edge_similarities,
    _local_similarity,
    visual_similarity,
)
from tests.image._visual_reference import features, plain_score


def _box_reference(a: np.ndarray, b: np.ndarray, corner: tuple[int, int],
                   margin: tuple[int, int], floor: float) -> float:
    """Plain loops over the translations putting ``a``'s corner within ``margin`` of
    ``corner`` in ``b``."""
    offsets = [(oy, ox)
               for oy in range(corner[0] - margin[0], corner[0] + margin[0] + 1)
               for ox in range(corner[1] - margin[1], corner[1] + margin[1] + 1)]
    return plain_score(a, b, offsets, floor)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 5), st.integers(2, 6), st.integers(2, 6), st.integers(2, 8),
       st.integers(-7, 8), st.integers(-7, 9), st.integers(0, 3), st.integers(0, 3),
       st.integers(0, 2**32 - 1))
def test_local_search_agrees_with_plain_loops_over_its_box(
        ha: int, wa: int, hb: int, wb: int, cy: int, cx: int, my: int, mx: int,
        seed: int) -> None:
    """Any corner (also partly or wholly outside the upload) and margin."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(2, ha, wa)).astype(np.float32)
    b = rng.normal(size=(2, hb, wb)).astype(np.float32)
    got = _local_similarity(a, float(np.linalg.norm(a)), features(b), (cy, cx), (my, mx), 0.1)
    assert got == pytest.approx(_box_reference(a, b, (cy, cx), (my, mx), 0.1),
                                rel=1e-3, abs=1e-4)


def _picture(seed: int, size: tuple[int, int] = (120, 90), background: str = "") -> Image.Image:
    rng = np.random.default_rng(seed)
    fill = background or tuple(int(c) for c in rng.integers(150, 256, 3))
    im = Image.new("RGB", size, fill)
    draw = ImageDraw.Draw(im)
    for _ in range(6):
        x, y = int(rng.integers(0, size[0] - 30)), int(rng.integers(0, size[1] - 25))
        draw.polygon([(x, y), (x + int(rng.integers(10, 40)), y),
                      (x, y + int(rng.integers(10, 30)))],
                     fill=tuple(int(c) for c in rng.integers(0, 150, 3)))
    return im


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**16), st.integers(0, 160),
       st.sampled_from(["noop", "jpeg-50", "invert", "border-long-200", "mirror"]))
def test_local_search_finds_the_exhaustive_peak(seed: int, left: int, edit: str) -> None:
    """An edited picture on white moved within a canvas extended along its long side
    (the paper's translation test): the local search never exceeds the exhaustive similarity, and
    where the picture matches the coarse stage locates it and the two are equal."""
    im = _picture(seed, background="white")
    form = image_transform(edit).apply(im)
    canvas = Image.new("RGB", (form.width + 160, form.height), "white")
    canvas.paste(form, (left, 0))
    local = VisualIndex(prefilter_radius=None, coarse_threshold=0)
    exhaustive = VisualIndex(prefilter_radius=None, coarse_threshold=0, search="exhaustive")
    for index in (local, exhaustive):
        index.add(im, "im")
    got, want = local.best(canvas), exhaustive.best(canvas)
    assert got is not None and want is not None
    assert got.similarity <= want.similarity + 1e-5
    if want.similarity >= 0.5:
        assert got.similarity == pytest.approx(want.similarity, abs=1e-4)
    assert edit == "mirror" or want.similarity >= 0.5
    # the index keeps the blacklisted grey image rounded to 8 bits
    assert want.similarity == pytest.approx(
        visual_similarity(visual_features(im), visual_features(canvas)), abs=2e-3)


def test_the_coarse_peak_is_where_the_picture_sits() -> None:
    """The corner reported with the exhaustive score is the picture's place."""
    im = _picture(7, background="white")
    canvas = Image.new("RGB", (400, 90), "white")
    canvas.paste(im, (150, 0))
    a, b = visual_features(im), visual_features(canvas)
    score, where = _edge_similarities(a.edges[None], np.array([a.norm]), b, None, 0.1)
    scale = b.edges.shape[1] / canvas.height
    assert score[0] > 0.95
    assert tuple(where[0]) == pytest.approx((0, 150 * scale), abs=2)


def test_local_and_exhaustive_indexes_agree_on_verdicts() -> None:
    """Same matches over a blacklist of 40 pictures and their usual edits."""
    pictures = [_picture(i) for i in range(40)]
    local, exhaustive = VisualIndex(), VisualIndex(search="exhaustive")
    for i, p in enumerate(pictures):
        local.add(p, f"p{i}")
        exhaustive.add(p, f"p{i}")
    edits = ["noop", "jpeg-50", "invert", "mirror", "border-long-200", "tile-3"]
    matched = 0
    for i, p in enumerate(pictures[:24]):
        form = image_transform(edits[i % len(edits)]).apply(p)
        got = [m.id for m in local.query(form)]
        assert got == [m.id for m in exhaustive.query(form)]
        matched += bool(got)
    assert matched >= 16  # mirror evades; the others match their source


def test_an_unknown_search_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="search must be one of local, exhaustive"):
        VisualIndex(search="fast")
