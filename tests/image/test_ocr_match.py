"""``images match --ocr-rules`` and the ``wechat`` OCR mode (issue 12).

The ``wechat`` mode models the blob merging Knockel, Ruan, Crete-Nishihata and Deibert
observed ("(Can't) Picture This", FOCI 2018): Chinese text broken into tiled squares or
tiled letters evaded WeChat's OCR filter 92 % and 100 %, while ordinary rendered text was
read. Images are rendered with the project's CJK font; they are few and small.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image, ImageDraw, ImageFont

from censorsim.cli import main
from censorsim.errors import ParameterError
from censorsim.evasion import image_transform
from censorsim.image import OcrReader, blob_scale, luminosity_grey
from censorsim.image.ocr import WECHAT_MIN_BLOB_SCALE, _blobs, _blobs_reference

TEXT = "法轮大法好"


@pytest.fixture(scope="module")
def banner() -> Image.Image:
    mod = pytest.importorskip("pylopdf_fonts_zh_cn")
    font = ImageFont.truetype(str(mod.sans_path()), 56)
    im = Image.new("RGB", (340, 90), "white")
    ImageDraw.Draw(im).text((10, 8), TEXT, fill="black", font=font)
    return im


@pytest.fixture(scope="module")
def wechat() -> OcrReader:
    pytest.importorskip("rapidocr_onnxruntime")
    return OcrReader(mode="wechat")


@settings(max_examples=60, deadline=None)
@given(arrays(np.bool_, st.tuples(st.integers(1, 12), st.integers(1, 12))))
def test_blob_labelling_agrees_with_the_flood_fill_reference(mask: np.ndarray) -> None:
    assert _blobs(mask) == _blobs_reference(mask)


def test_blob_scale_of_rendered_and_tiled_text(banner: Image.Image) -> None:
    """Rendered Chinese joins into glyph-sized blobs; the tiled transforms do not."""
    grey = luminosity_grey(banner)
    assert blob_scale(grey) > 0.45
    for name in ("text-squares", "text-letters"):
        tiled = luminosity_grey(image_transform(name).apply(banner))
        assert blob_scale(tiled) < WECHAT_MIN_BLOB_SCALE / 2, name
    assert blob_scale(np.full((10, 10), 7, np.uint8)) == 0.0  # no ink
    assert blob_scale(grey, (5, 5, 5, 5)) == 0.0  # empty box


def test_wechat_mode_reads_plain_text_not_tiled_text(
    wechat: OcrReader, banner: Image.Image
) -> None:
    """(Can't) Picture This 2018: tiled squares evaded 92 %, tiled letters 100 %; plain
    rendered text was filtered. The plain mode (PP-OCRv4) still reads the squares."""
    assert wechat.read(banner).text == TEXT
    squares = image_transform("text-squares").apply(banner)
    assert TEXT not in wechat.read(squares).text
    assert TEXT not in wechat.read(image_transform("text-letters").apply(banner)).text
    assert OcrReader(mode="plain").read(squares).text == TEXT
    with pytest.raises(ParameterError, match="wechat"):
        OcrReader(mode="better")


def _rules(tmp_path: Path) -> Path:
    rules = tmp_path / "ocr.txt"
    rules.write_text("法轮+大法\n六四\n", encoding="utf-8")
    return rules


def test_match_ocr_rules_reports_rules_with_stage_ocr(
    wechat: OcrReader, banner: Image.Image, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "a-banner.png"
    banner.save(good)
    blank = tmp_path / "b-blank.png"
    Image.new("RGB", (40, 40), "white").save(blank)
    rules = _rules(tmp_path)
    argv = ["images", "match", str(good), str(blank), "--ocr-rules", str(rules),
            "--format", "jsonl", "--fail-on-hit"]
    assert main(argv) == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["blocked"] for r in rows] == [True, False]
    (hit,) = rows[0]["hits"]
    assert hit["stage"] == "ocr" and hit["rule"] == "法轮+大法" and hit["action"] == "drop"
    # wechat is the default mode, as in policy files
    assert rows[0]["ocr"]["text"] == TEXT and rows[0]["ocr"]["mode"] == "wechat"
    assert rows[1]["hits"] == [] and rows[1]["ocr"]["text"] == ""
    # wechat mode: the tiled banner passes
    tiled = tmp_path / "c-squares.png"
    image_transform("text-squares").apply(banner).save(tiled)
    assert main(["images", "match", str(tiled), "--ocr-rules", str(rules),
                 "--ocr-mode", "wechat", "--format", "jsonl", "--fail-on-hit"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["blocked"] is False and row["ocr"]["mode"] == "wechat"


def test_match_ocr_rules_with_an_index_and_bad_images(
    wechat: OcrReader, banner: Image.Image, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "a-banner.png"
    banner.save(good)
    index = tmp_path / "banned.jsonl"
    assert main(["images", "hash", str(good), "-a", "md5", "-o", str(index)]) == 0
    bad = tmp_path / "b-bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    capsys.readouterr()
    assert main(["images", "match", str(good), str(bad), "-i", str(index), "--ocr-rules",
                 str(_rules(tmp_path)), "--format", "jsonl"]) == 2
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [h["stage"] for h in rows[0]["hits"]] == ["hash", "ocr"]
    assert rows[1] == {"path": str(bad), "blocked": None, "error": rows[1]["error"]}
    assert "b-bad.png" in rows[1]["error"] and "1 of 2 images could not be checked" in captured.err
    assert main(["images", "match", str(good), "--ocr-rules", str(_rules(tmp_path))]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[1].split()[:2] == ["BLOCK", "ocr"] and "法轮+大法" in table[1]


def test_match_needs_something_to_match_and_names_the_missing_extra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    image = tmp_path / "x.png"
    Image.new("RGB", (8, 8), "white").save(image)
    assert main(["images", "match", str(image)]) == 2
    assert "--ocr-rules" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    assert main(["images", "match", str(image), "--ocr-rules", str(_rules(tmp_path))]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "censorsim[ocr]" in err[0] and err[0].startswith("censorsim images")
