"""The visual matcher and OCR as columns of the image evasion matrix (issue 12).

Knockel, Ruan, Crete-Nishihata and Deibert ("(Can't) Picture This", FOCI 2018) found that
WeChat Moments' OCR filter read ordinary rendered Chinese text, while the same text
broken into tiled squares evaded 92 %, into tiled letters 100 %, and drawn in a colour of
the background's luminosity 150/150. The ``ocr:wechat`` column must show that on rendered
images. The ``visual-match`` column must decide every cell as a
:class:`~censorsim.image.VisualIndex` built at that threshold decides (the reference).
Images are few and small, rendered with the project's CJK font (Noto Sans SC).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from censorsim.cli import main
from censorsim.errors import MissingDependencyError, ParameterError, WordlistError
from censorsim.evasion import image_transform
from censorsim.image import VisualIndex
from censorsim.models import Rule
from censorsim.research import EvasionMatrix, image_matrix, load_matrix_json
from censorsim.research._matrix import _parse_detector

TEXTS = ("法轮大法好", "六四学生", "习近平三连任")
RULES = [Rule.keyword("法轮大法"), Rule.combination("六四+学生"),
         Rule.combination("习近平+三连任")]
OCR_EVASIONS = ("text-squares", "text-letters", "text-lum-match")
TRANSFORMS = ("noop", *OCR_EVASIONS)
VISUAL = (0.5, 0.56)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    mod = pytest.importorskip("pylopdf_fonts_zh_cn")
    font = ImageFont.truetype(str(mod.sans_path()), 48)
    folder = tmp_path_factory.mktemp("rendered")
    paths = []
    for i, text in enumerate(TEXTS):
        im = Image.new("RGB", (60 + 50 * len(text), 80), "white")
        ImageDraw.Draw(im).text((10, 8), text, fill="black", font=font)
        path = folder / f"text{i}.png"
        im.save(path)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def matrix(rendered: list[Path]) -> EvasionMatrix:
    pytest.importorskip("rapidocr_onnxruntime")
    return image_matrix(rendered, detectors=["visual-match=0.5,0.56", "ocr:wechat"],
                        transforms=TRANSFORMS, ocr_rules=RULES)


def test_ocr_wechat_column_reads_text_and_misses_the_paper_evasions(
    matrix: EvasionMatrix,
) -> None:
    """(Can't) Picture This 2018: rendered text is filtered; tiled squares evade 92 %,
    tiled letters 100 %, luminosity-matched colours 150/150."""
    assert matrix.columns == ("visual-match>=0.5", "visual-match>=0.56", "ocr:wechat")
    assert matrix.rate("noop", "ocr:wechat").detected == len(TEXTS)
    for name in OCR_EVASIONS:
        assert matrix.rate(name, "ocr:wechat").detected == 0, name
    assert load_matrix_json(json.loads(json.dumps(matrix.to_json()))) == matrix
    assert "| noop | 3/3 (100%) | 3/3 (100%) | 3/3 (100%) |" in matrix.to_markdown()


def test_visual_column_is_the_visual_index_decision(
    matrix: EvasionMatrix, rendered: list[Path]
) -> None:
    """Each visual cell counts the images a VisualIndex at that threshold matches."""
    pils = [Image.open(p).convert("RGB") for p in rendered]
    for name in TRANSFORMS:
        if name == "noop":
            sources: list[Path] | list[bytes] = rendered
        else:
            out = image_transform(name).apply_many(pils, seed=matrix.seed)
            sources = [_png(x) for x in out]
        for t in VISUAL:
            index = VisualIndex(threshold=t)
            for i, p in enumerate(rendered):
                index.add(p, str(i))
            expected = sum(1 for s in sources if index.query(s))
            assert matrix.rate(name, f"visual-match>={t:g}").detected == expected, (name, t)
    assert matrix.rate("noop", "visual-match>=0.56").detected == len(TEXTS)


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def test_ocr_column_errors_come_before_any_image_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = [tmp_path / "nope.png"]
    with pytest.raises(ParameterError, match="ocr_rules"):
        image_matrix(missing, detectors=["ocr:wechat"], transforms=["noop"])
    with pytest.raises(WordlistError, match=r"no-rules\.txt"):
        image_matrix(missing, detectors=["ocr:wechat"], ocr_rules=tmp_path / "no-rules.txt")
    with pytest.raises(ParameterError, match="OCR mode"):
        image_matrix(missing, detectors=["ocr:tesseract"], ocr_rules=RULES)
    with pytest.raises(ParameterError, match="no thresholds"):
        image_matrix(missing, detectors=["ocr=3"], ocr_rules=RULES)
    with pytest.raises(ParameterError, match=r"in \[0, 1\]"):
        image_matrix(missing, detectors=["visual-match=1.5"])
    with pytest.raises(ParameterError, match="listed twice"):
        image_matrix(missing, detectors=["visual-match", "visual-match=0.56"])
    with pytest.raises(ParameterError, match="visual-match"):
        image_matrix(missing, detectors=["phash"])
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    with pytest.raises(MissingDependencyError, match=r"censorsim\[ocr\]"):
        image_matrix(missing, detectors=["ocr:plain"], ocr_rules=RULES)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=5))
def test_visual_thresholds_become_sorted_distinct_columns(milli: list[int]) -> None:
    spec = "visual-match=" + ",".join(str(m / 1000) for m in milli)
    columns = _parse_detector(spec).columns()
    assert columns == [f"visual-match>={m / 1000:g}" for m in sorted(set(milli))]
    assert _parse_detector("ocr").columns() == ["ocr:plain"]


def test_cli_ocr_and_visual_columns(
    rendered: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    rules = tmp_path / "ocr.txt"
    rules.write_text("法轮大法\n", encoding="utf-8")
    direct = image_matrix(rendered[:1], detectors=["ocr:plain"], transforms=["noop"],
                          ocr_rules=rules)  # a rule file, as the API takes it
    assert direct.rate("noop", "ocr:plain").detected == 1
    out = tmp_path / "out"
    assert main(["evade", "images", str(rendered[0]), "-d", "visual-match", "-d",
                 "ocr:wechat", "--ocr-rules", str(rules), "-t", "noop", "-t", "text-squares",
                 "--no-plot", "--out", str(out)]) == 0
    m = load_matrix_json(out / "matrix.json")
    assert m.columns == ("visual-match>=0.56", "ocr:wechat")
    assert m.rate("noop", "ocr:wechat").detected == 1
    assert m.rate("text-squares", "ocr:wechat").detected == 0
    assert "ocr:wechat" in (out / "matrix.md").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["evade", "images", str(rendered[0]), "-d", "ocr:wechat", "-t", "noop",
                 "--no-plot", "--out", str(tmp_path / "o2")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("censorsim evade: error:") and "ocr" in err[0]
    assert main(["evade", "images", str(rendered[0]), "-d", "phash=8", "--ocr-rules", str(rules),
                 "-t", "noop", "--no-plot", "--out", str(tmp_path / "o3")]) == 2
    assert "needs an ocr detector" in capsys.readouterr().err
