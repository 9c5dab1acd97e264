"""The one CJK font helper: it finds a font that draws Chinese, and matplotlib uses it."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.font_manager import FontProperties, findfont

from censorsim.viz import (
    CJK_PROBE,
    CJKFontWarning,
    _fonts,
    cjk_font_candidates,
    draw_automaton,
    find_cjk_font,
    has_glyphs,
    use_cjk_font,
)


@pytest.fixture
def fresh_fonts() -> object:
    saved = dict(matplotlib.rcParams)
    _fonts._reset_for_tests()
    yield None
    _fonts._reset_for_tests()
    matplotlib.rcParams.update(saved)


def test_a_font_with_glyphs_for_falun_gong_is_found() -> None:
    font = find_cjk_font()
    assert font is not None, "the plot/test extras install Noto Sans SC (pylopdf-fonts-zh-cn)"
    assert has_glyphs(font.path, "法轮功")
    assert has_glyphs(font.path, CJK_PROBE)


def test_the_packaged_font_comes_first() -> None:
    candidates = cjk_font_candidates()
    assert candidates and candidates[0][1] == "package"
    assert candidates[0][0].name == "NotoSansSC-Regular.otf"


def test_matplotlib_resolves_chinese_text_to_the_cjk_font(fresh_fonts: object) -> None:
    font = use_cjk_font()
    assert font is not None
    family = matplotlib.rcParams["font.family"]
    assert family[0] == font.family
    assert Path(findfont(FontProperties(family=family[0]))) == font.path
    # Drawing Chinese with the configured rcParams raises no missing-glyph warning
    # (pytest turns warnings into errors).
    fig, ax = plt.subplots()
    ax.set_title("法轮功 六四+学生+民主运动 ≤ −1")
    fig.canvas.draw()


def test_dejavu_sans_alone_lacks_the_glyphs() -> None:
    """The reason for the helper: matplotlib's default font draws boxes."""
    assert not has_glyphs(findfont(FontProperties(family="DejaVu Sans")), "法轮功")


def test_use_cjk_font_repairs_a_style_reset(fresh_fonts: object) -> None:
    font = use_cjk_font()
    assert font is not None
    matplotlib.rcdefaults()
    assert matplotlib.rcParams["font.family"] == ["sans-serif"]
    draw_automaton(["法轮功"])
    assert matplotlib.rcParams["font.family"][0] == font.family


def test_missing_font_warns_once(fresh_fonts: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fonts, "cjk_font_candidates", lambda: [])
    with pytest.warns(CJKFontWarning, match="fonts-noto-cjk"):
        assert use_cjk_font() is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert use_cjk_font() is None  # the second call is silent


def test_unreadable_files_have_no_glyphs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"not a font")
    assert not has_glyphs(bad)
    assert not has_glyphs(tmp_path / "missing.ttf")
