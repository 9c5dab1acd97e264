"""The WeChat-like visual matcher serving a simulation's Moments surface (issue 12).

"(Can't) Picture This" (Knockel, Ruan, Crete-Nishihata and Deibert, FOCI 2018): WeChat
Moments still filtered a blacklisted image after scaling and re-encoding, and not after
mirroring. With ``image_matcher = "visual"`` a run matches each image and variant it can
post once with a ``VisualIndex`` of its banned images, and the censor removes posts by
those verdicts (reason ``image_visual``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from censorsim.errors import SimulationError
from censorsim.models import Surface
from censorsim.platforms import make_profile
from censorsim.simulate import SimulationConfig, load_config
from censorsim.simulate._runner import Simulation


def _picture(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    im = Image.new("RGB", (160, 120), "white")
    draw = ImageDraw.Draw(im)
    for _ in range(7):
        x, y = int(rng.integers(0, 120)), int(rng.integers(0, 90))
        draw.polygon([(x, y), (x + int(rng.integers(10, 40)), y),
                      (x, y + int(rng.integers(10, 30)))],
                     fill=tuple(int(c) for c in rng.integers(0, 150, 3)))
    return im


def _folder(path: Path) -> Path:
    path.mkdir()
    for i, name in enumerate(("a_banned.jpg", "b_other.jpg", "c_other.jpg")):
        _picture(i).save(path / name, quality=90)
    return path


def _config(folder: Path, matcher: str) -> SimulationConfig:
    return SimulationConfig(
        seed=3, messages=600, batch_size=300, users=20, image_share=0.6,
        surfaces=((Surface.FEED, 1.0),), images=str(folder), banned_images=("a_banned.jpg",),
        image_matcher=matcher)


def test_the_visual_matcher_removes_the_banned_image_and_its_resized_form(
        tmp_path: Path) -> None:
    """Original and resized forms of the banned image are matched, the mirrored form and
    the other pictures are not; the run removes exactly the matched posts, first by
    ``image_visual``, then by the MD5 the platform learned from it."""
    folder = _folder(tmp_path / "images")
    sim = Simulation(_config(folder, "visual"), make_profile("wechat"))
    verdicts = sim.policy.images.visual
    assert verdicts is not None
    by_name = {(im.name, v): verdicts[a.md5] for im in sim._images
               for v, a in [("original", im.original), *im.by_variant.items()]}
    assert by_name[("a_banned.jpg", "original")] == ("a_banned.jpg",)
    assert by_name[("a_banned.jpg", "resized")] == ("a_banned.jpg",)
    assert by_name[("a_banned.jpg", "mirrored")] == ()
    assert all(ids == () for (name, _), ids in by_name.items() if name != "a_banned.jpg")
    db = tmp_path / "run.sqlite"
    sim.run(db)
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT image, censored, reason FROM decisions "
                           "WHERE image != ''").fetchall()
    matched = {a.name for im in sim._images
               for a in (im.original, *im.by_variant.values()) if verdicts[a.md5]}
    assert matched == {"a_banned.jpg:original", "a_banned.jpg:resized"}
    assert rows and any(c for _, c, _ in rows)
    for image, censored, reason in rows:
        assert bool(censored) == (image in matched)
        if censored:  # a file matched once is then known by its MD5 (learned)
            assert reason in ("image_visual", "image_md5")
    assert any(reason == "image_visual" for _, _, reason in rows)


def test_the_matcher_is_part_of_the_config_and_the_policy(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "images")
    with pytest.raises(SimulationError, match="unknown image_matcher 'sift'"):
        _config(folder, "sift")
    toml = tmp_path / "run.toml"
    toml.write_text(f'[images]\ndir = "{folder}"\nbanned = ["a_banned.jpg"]\n'
                    'matcher = "visual"\n', encoding="utf-8")
    assert load_config(toml).image_matcher == "visual"
    visual = Simulation(_config(folder, "visual"), make_profile("wechat")).policy
    phash = Simulation(_config(folder, "phash"), make_profile("wechat")).policy
    assert phash.images.visual is None and phash.images.perceptual is not None
    assert visual.fingerprint() != phash.fingerprint()


def test_an_image_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    """A truncated JPEG in the image folder is a SimulationError naming it (it was a raw
    OSError from the variant maker)."""
    folder = _folder(tmp_path / "images")
    config = replace(_config(folder, "visual"), banned_images=("a_banned.jpg",))
    (folder / "a_banned.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(SimulationError, match=r"a_banned\.jpg.*: cannot (be read|open image)"):
        Simulation(config, make_profile("wechat"))
