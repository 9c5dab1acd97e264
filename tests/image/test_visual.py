"""The WeChat-like visual matcher: the paper's invariances, the pre-filter, bad input, and
per-image agreement with WeChat on Citizen Lab's 2018 images (skipped when absent)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from censorsim.errors import ImageError, ParameterError
from censorsim.evasion import image_transform
from censorsim.image import HASH_ALGORITHMS, Hasher, hash_bits
from censorsim.image.visual import (
    DEFAULT_VISUAL_THRESHOLD,
    VisualIndex,
    visual_features,
    visual_similarity,
)

T = DEFAULT_VISUAL_THRESHOLD


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
def picture() -> Image.Image:
    return _picture(1)


@pytest.mark.parametrize(("name", "matched"), [
    ("noop", True), ("invert", True), ("contrast-80", True), ("brightness+0.4", True),
    ("jpeg-50", True), ("scale-200", True), ("border-long-200", True),
    ("translate-canvas-10", True), ("tile-3", True), ("tile-5", True), ("half-invert", True),
    ("mirror", False), ("rotate-90", False), ("black-border-short-50", False),
    ("black-border-all-50", False), ("grid-flip-3", False),
    ("grey-match-lum", False), ("blur-8", False),
])
def test_the_papers_invariances(picture: Image.Image, name: str, matched: bool) -> None:
    a = visual_features(picture)
    b = visual_features(image_transform(name).apply(picture))
    assert (visual_similarity(a, b) >= T) == matched


def test_registered_beside_the_hashers(picture: Image.Image) -> None:
    assert "visual" in HASH_ALGORITHMS
    assert hash_bits("visual") == 128
    h = Hasher.parse("visual")
    base = h.hash(picture)
    moved = h.hash(image_transform("border-long-200").apply(picture))
    mirrored = h.hash(image_transform("grid-flip-3").apply(picture))
    assert base - moved < base - mirrored


def test_usable_in_the_evasion_matrix(picture: Image.Image, tmp_path: Path) -> None:
    from censorsim.research import image_matrix

    files = []
    for i in range(3):
        p = tmp_path / f"p{i}.png"
        _picture(i).save(p)
        files.append(p)
    m = image_matrix(files, detectors=["visual=20,40"], transforms=["noop", "border-long-200"])
    assert m.rate("noop", "visual<=20").rate == 1.0
    assert m.rate("border-long-200", "visual<=40").rate == 1.0


def test_index_prefilter_and_query(picture: Image.Image) -> None:
    index = VisualIndex()
    index.add(picture, "banned")
    for i in range(2, 8):
        index.add(_picture(i), f"other-{i}")
    assert len(index) == 7
    hits = index.query(image_transform("border-long-200").apply(picture))
    assert [h.id for h in hits] == ["banned"] and hits[0].similarity >= T
    assert hits[0].prefilter_distance is not None
    assert index.query(image_transform("mirror").apply(picture)) == []
    exact = VisualIndex(prefilter_radius=None)
    exact.add(picture, "banned")
    assert exact.candidates(picture) == {"banned": None}
    best = exact.best(image_transform("mirror").apply(picture))
    assert best is not None and best.similarity < T


def test_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    buf = io.BytesIO()
    _picture(0).save(buf, format="PNG")
    with pytest.raises(ImageError, match="<bytes>"):
        visual_features(buf.getvalue()[:200])
    junk = tmp_path / "junk.jpg"
    junk.write_text("no", encoding="utf-8")
    with pytest.raises(ImageError, match=r"junk\.jpg"):
        VisualIndex().add(junk, "x")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ImageError):
        visual_features(buf.getvalue())
    with pytest.raises(ParameterError):
        VisualIndex(threshold=1.5)
    with pytest.raises(ParameterError):
        visual_features(_picture(0), side=4)
    flat = visual_features(Image.new("RGB", (40, 30), "white"))
    assert flat.norm == 0 and visual_similarity(flat, flat) == 0.0


def _image_filtering() -> Path | None:
    env = os.environ.get("CENSORSIM_CITIZENLAB")
    root = Path(env) if env else (
        Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "citizenlab")
    path = root / "wechat" / "image-filtering"
    return path if path.is_dir() else None


def test_agrees_with_wechat_on_the_2018_images() -> None:
    """Held-out families (the threshold was fitted on the blur series): mirrored, shorter,
    thinner, bordered forms of the 15 test images and the grey-conversion forms."""
    root = _image_filtering()
    if root is None:
        pytest.skip("Citizen Lab image-filtering data not present")
    msb = root / "tests-visual-mirror-stretch-border"
    kept = {p.name for p in (msb / "filtered").iterdir()}
    agree = total = 0
    for i in range(1, 16):
        a = visual_features(msb / f"img{i}.png")
        for suffix in ("mirrored", "shorter", "thinner", "minborder", "symborder"):
            form = msb / f"img{i}-{suffix}.png"
            matched = visual_similarity(a, visual_features(form)) >= T
            agree += matched == (form.name in kept)
            total += 1
    grey = root / "tests-visual-gray-algs"
    text = (grey / "filtered.txt").read_text("utf-8")
    listed = {m.group(1): set(re.split(r"[,\s]+", m.group(2))) for m in
              re.finditer(r"^(\w+):(.*)$", text, re.M)}
    base = visual_features(grey / "thresh.png")
    for form in sorted(grey.glob("*/*.jpeg")):
        matched = visual_similarity(base, visual_features(form)) >= T
        agree += matched == (form.stem in listed.get(form.parent.name, set()))
        total += 1
    assert total == 93
    assert agree / total >= 0.9, f"{agree}/{total}"
