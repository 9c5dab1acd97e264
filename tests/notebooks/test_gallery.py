"""docs/gallery.md shows exactly the figures notebooks/make_gallery.py draws, all small."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="the gallery needs the plot extra")
pytest.importorskip("pandas", reason="the gallery needs the pandas extra")

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "docs" / "gallery.md"


def _script() -> object:
    spec = importlib.util.spec_from_file_location("make_gallery",
                                                  ROOT / "notebooks" / "make_gallery.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gallery_links_every_figure_the_script_draws() -> None:
    linked = re.findall(r"!\[[^\]]*\]\(figures/([\w-]+)\.png\)", GALLERY.read_text("utf-8"))
    drawn = list(_script().FIGURES)  # type: ignore[attr-defined]
    assert sorted(linked) == sorted(drawn)


@pytest.mark.parametrize("png", sorted((ROOT / "docs" / "figures").glob("*.png")),
                         ids=lambda p: p.name)
def test_figures_are_under_200_kb(png: Path) -> None:
    assert png.stat().st_size < 200 * 1024
