"""OCR in the simulation's Moments surface, and removals by source in the report (issue 12).

WeChat Moments checks the text in posted images against an OCR keyword list of its own
("(Can't) Picture This", Knockel, Ruan, Crete-Nishihata and Deibert, FOCI 2018: only 309
of 876 chat combinations also filtered images). The runs here post three tiny images; a
fake OCR engine stands in for rapidocr in all but one test.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

import censorsim.image.ocr as ocr_module
from censorsim.errors import PolicyError
from censorsim.image import OCR_ENGINES, OcrLine
from censorsim.models import Rule, Surface
from censorsim.platforms import make_profile
from censorsim.policy import Policy
from censorsim.registry import Entry
from censorsim.simulate import SimulationConfig, compute_metrics
from censorsim.simulate._runner import Simulation
from censorsim.text.rules import RuleSet

KEYWORD = "法轮大法"


class _FakeOcr:
    """Reads KEYWORD in any image with black ink, nothing elsewhere; counts its calls."""

    name = "fake"
    calls = 0

    def read(self, grey: NDArray[np.uint8]) -> list[OcrLine]:
        _FakeOcr.calls += 1
        return [OcrLine(KEYWORD, (0, 0, 64, 48), 0.99)] if int(grey.min()) < 40 else []


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(OCR_ENGINES._entries, "fake", Entry("fake", _FakeOcr, (), None, ""))
    monkeypatch.setitem(ocr_module._ENGINES, "fake", _FakeOcr())
    _FakeOcr.calls = 0


def _images(folder: Path, text_image: Image.Image | None = None) -> Path:
    folder.mkdir()
    ink = Image.new("RGB", (64, 48), (250, 250, 250))
    ImageDraw.Draw(ink).rectangle((8, 8, 40, 30), fill="black")
    (text_image or ink).save(folder / "a_text.jpg", quality=90)
    Image.new("RGB", (64, 48), (200, 220, 240)).save(folder / "b_sky.jpg", quality=90)
    Image.new("RGB", (48, 64), (120, 160, 90)).save(folder / "c_grass.jpg", quality=90)
    return folder


def _policy(engine: str, mode: str = "wechat") -> Policy:
    base = make_profile("wechat")
    ocr_list = RuleSet([Rule.combination("法轮+大法", id="ocr:falun")])
    return replace(base, rulesets={**base.rulesets, "ocr": ocr_list},
                   images=replace(base.images, ocr=("ocr",), ocr_engine=engine, ocr_mode=mode))


def _config(folder: Path) -> SimulationConfig:
    return SimulationConfig(
        seed=5, messages=400, batch_size=200, users=20, image_share=0.5,
        surfaces=((Surface.FEED, 1.0),), images=str(folder), banned_images=("c_grass.jpg",))


def _reasons(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT reason, COUNT(*) FROM decisions WHERE censored = 1 "
                           "AND image != '' GROUP BY 1").fetchall()
    return {str(r): int(n) for r, n in rows}


def test_moments_images_are_read_once_per_file_and_removed_by_ocr(
    fake_engine: None, tmp_path: Path
) -> None:
    """The OCR list removes the image with the keyword (reason image_ocr); the banned
    image is removed by the visual matcher (image_visual); the sky passes."""
    folder = _images(tmp_path / "images")
    sim = Simulation(_config(folder), _policy("fake"))
    distinct = {a.md5 for im in sim._images for a in (im.original, *im.by_variant.values())}
    assert _FakeOcr.calls == len(distinct)  # each distinct file read once per run
    texts = {im.name: im.original.text for im in sim._images}
    assert texts == {"a_text.jpg": KEYWORD, "b_sky.jpg": "", "c_grass.jpg": ""}
    db = tmp_path / "run.sqlite"
    sim.run(db)
    reasons = _reasons(db)
    assert reasons.get("image_ocr", 0) > 0 and reasons.get("image_visual", 0) > 0
    metrics = compute_metrics(db)
    by_source = dict(metrics.by_source)
    assert by_source["ocr"] == reasons["image_ocr"]
    assert by_source["visual"] == reasons["image_visual"]
    from censorsim.simulate import write_report

    report = write_report(db, tmp_path / "report", plots=False)
    text = report.markdown.read_text(encoding="utf-8")
    assert "## Removals by source" in text and f"| ocr | {by_source['ocr']} |" in text


def test_without_an_ocr_list_or_engine_images_keep_no_text(
    fake_engine: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _images(tmp_path / "images")
    sim = Simulation(_config(folder), make_profile("wechat"))
    assert _FakeOcr.calls == 0 and all(not im.original.text for im in sim._images)
    monkeypatch.setitem(OCR_ENGINES._entries, "fake",
                        Entry("fake", _FakeOcr, ("no_such_ocr_module",), "ocr", ""))
    sim = Simulation(_config(folder), _policy("fake"))
    assert _FakeOcr.calls == 0 and all(not im.original.text for im in sim._images)


def test_policy_names_its_ocr_list() -> None:
    base = make_profile("wechat")
    with pytest.raises(PolicyError, match=r"images\.ocr names unknown rule set 'nope'"):
        replace(base, images=replace(base.images, ocr=("nope",)))
    with pytest.raises(PolicyError, match="wechat"):
        replace(base.images, ocr_mode="perfect")
    assert _policy("rapidocr").fingerprint() != base.fingerprint()


def test_real_rapidocr_on_a_tiny_run(tmp_path: Path) -> None:
    """One run with the real engine in the wechat mode: rendered text is read, its tiled
    form would not be (see test_ocr_match)."""
    pytest.importorskip("rapidocr_onnxruntime")
    mod = pytest.importorskip("pylopdf_fonts_zh_cn")
    banner = Image.new("RGB", (260, 72), "white")
    ImageDraw.Draw(banner).text((8, 6), KEYWORD, fill="black",
                                font=ImageFont.truetype(str(mod.sans_path()), 52))
    folder = _images(tmp_path / "images", banner)
    config = replace(_config(folder), messages=200, image_variants=(("original", 1.0),))
    sim = Simulation(config, _policy("rapidocr"))
    assert {im.name: im.original.text for im in sim._images}["a_text.jpg"] == KEYWORD
    db = tmp_path / "run.sqlite"
    sim.run(db)
    assert _reasons(db).get("image_ocr", 0) > 0
