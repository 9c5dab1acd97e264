"""OCR of text in images: WeChat's luminosity grey, the engine registry, bad input, the CLI.

Chinese text is rendered with the CJK font the project installs (Noto Sans SC from
``pylopdf-fonts-zh-cn``); OCR costs a fraction of a second per small image here, so the
images are few and small.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from censorsim.errors import ImageError, MissingDependencyError, ParameterError, UnknownNameError
from censorsim.evasion import image_transform
from censorsim.image import OCR_ENGINES, OcrLine, OcrReader, luminosity_grey

TEXT = "法轮大法好"


def _font_path() -> str:
    mod = pytest.importorskip("pylopdf_fonts_zh_cn")
    return str(mod.sans_path())


@pytest.fixture(scope="module")
def banner() -> Image.Image:
    font = ImageFont.truetype(_font_path(), 56)
    im = Image.new("RGB", (340, 90), "white")
    ImageDraw.Draw(im).text((10, 8), TEXT, fill="black", font=font)
    return im


@pytest.fixture(scope="module")
def reader() -> OcrReader:
    pytest.importorskip("rapidocr_onnxruntime")
    return OcrReader()


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def test_reads_rendered_chinese_with_boxes(reader: OcrReader, banner: Image.Image) -> None:
    result = reader.read(_png(banner))
    assert result.text == TEXT
    (line,) = result.lines
    left, top, right, bottom = line.box
    assert 0 <= left < right <= banner.width and 0 <= top < bottom <= banner.height
    assert line.confidence > 0.9
    assert json.loads(json.dumps(result.to_json()))["lines"][0]["text"] == TEXT


def test_luminosity_grey_first_so_matched_colours_evade(
    reader: OcrReader, banner: Image.Image
) -> None:
    camouflaged = image_transform("text-lum-match").apply(banner)
    grey = luminosity_grey(camouflaged)
    assert int(grey.max()) - int(grey.min()) <= 1  # flat under the luminosity formula
    assert reader.read(camouflaged).lines == ()  # no text is not an error


def test_results_are_cached_by_md5(
    reader: OcrReader, banner: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _png(banner)
    first = reader.read(data)
    import censorsim.image.ocr as ocr

    def boom(_name: str) -> None:
        raise AssertionError("the engine ran again")

    monkeypatch.setattr(ocr, "_engine", boom)
    again = reader.read(data)
    assert again == first and again.md5 == first.md5


def test_bad_images_get_the_hashers_errors(
    reader: OcrReader, banner: Image.Image, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _png(banner)
    with pytest.raises(ImageError, match="<bytes>"):
        reader.read(data[: len(data) // 2])
    text = tmp_path / "notes.png"
    text.write_text("not an image", encoding="utf-8")
    with pytest.raises(ImageError, match=r"notes\.png"):
        reader.read(text)
    with pytest.raises(ImageError, match="no such file"):
        reader.read(tmp_path / "missing.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ImageError):
        reader.read(_png(Image.new("RGB", (200, 200), "white")))


def test_engine_registry_and_missing_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    assert OCR_ENGINES.names() == ("rapidocr",)
    with pytest.raises(UnknownNameError, match="rapidocr"):
        OcrReader("tesseract-nope")
    with pytest.raises(ParameterError):
        OcrReader(min_confidence=2.0)
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    with pytest.raises(MissingDependencyError, match=r"censorsim\[ocr\]"):
        OcrReader()
    assert OcrLine("x", (0, 0, 1, 1), 0.5).to_json()["box"] == [0, 0, 1, 1]


def test_cli_prints_json_lines(
    reader: OcrReader, banner: Image.Image, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from censorsim.cli import main

    good = tmp_path / "banner.png"
    banner.save(good)
    blank = tmp_path / "blank.png"
    Image.fromarray(np.full((40, 40, 3), 255, np.uint8)).save(blank)
    assert main(["images", "ocr", str(good), str(blank)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in rows] == [TEXT, ""]
    assert rows[0]["lines"][0]["confidence"] > 0.9 and len(rows[0]["lines"][0]["box"]) == 4
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert main(["images", "ocr", str(good), str(bad)]) == 2
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out[1]["image"] == str(bad) and "error" in out[1]
