"""The one place that chooses the font matplotlib draws Chinese text with.

Matplotlib's default font (DejaVu Sans) has no Han characters, so rule ids such as
``法轮功`` draw as empty boxes. :func:`use_cjk_font` finds a font file with CJK glyphs,
registers it with matplotlib's font manager and makes ``font.family`` the chain
``[that font, "DejaVu Sans"]``, DejaVu Sans drawing any symbol the CJK font lacks. Every
drawing helper of :mod:`censorsim.viz` calls it; call it yourself before plotting
Chinese text with plain matplotlib.

Where the font comes from, first found wins:

1. the ``pylopdf-fonts-zh-cn`` package (Noto Sans SC, SIL Open Font License 1.1), which
   the ``plot``, ``notebooks`` and ``test`` extras install from PyPI;
2. a system font: Debian's ``fonts-noto-cjk``, ``fonts-wqy-microhei``,
   ``fonts-wqy-zenhei``, ``fonts-arphic-ukai`` and the usual macOS and Windows fonts;
3. a font matplotlib already knows whose family names a CJK face.

A file counts only if it has glyphs for :data:`CJK_PROBE` (checked with FreeType). When
none is found, a :class:`CJKFontWarning` is issued once and plots keep matplotlib's
fonts. Nothing is ever downloaded.
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = [
    "CJK_PROBE",
    "CJKFont",
    "CJKFontWarning",
    "cjk_font_candidates",
    "find_cjk_font",
    "has_glyphs",
    "use_cjk_font",
]

CJK_PROBE: Final = "法轮功六四學生"
"""Characters a font must draw to be used (simplified and traditional)."""

_PACKAGE_FONTS: Final = (
    # (module, function returning the font path)
    ("pylopdf_fonts_zh_cn", "sans_path"),
)

_SYSTEM_FONTS: Final = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)

_CJK_FAMILY_WORDS: Final = ("CJK", " SC", " TC", "Hei", "WenQuanYi", "Ming", "Kai", "Song",
                            "YaHei", "PingFang", "Source Han", "Droid Sans Fallback")


class CJKFontWarning(UserWarning):
    """No font with Chinese glyphs was found; Chinese text will draw as boxes."""


@dataclass(frozen=True, slots=True)
class CJKFont:
    """The font chosen for Chinese text.

    Attributes:
        path: the font file.
        family: its family name, as matplotlib knows it.
        source: ``"package"``, ``"system"`` or ``"matplotlib"``: where it was found.
    """

    path: Path
    family: str
    source: str


def _matplotlib() -> Any:
    from censorsim._optional import import_optional

    return import_optional("matplotlib", "plot", "drawing")


def has_glyphs(path: str | Path, text: str = CJK_PROBE) -> bool:
    """Whether the font file at ``path`` has a glyph for every character of ``text``.

    Unreadable or missing files have none.
    """
    ft2font = importlib.import_module("matplotlib.ft2font")
    try:
        font = ft2font.FT2Font(str(path))
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) != 0 for ch in text)


def _package_fonts() -> list[Path]:
    out: list[Path] = []
    for module, func in _PACKAGE_FONTS:
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        out.append(Path(getattr(mod, func)()))
    return out


def _matplotlib_fonts() -> list[Path]:
    fm = importlib.import_module("matplotlib.font_manager")
    return [Path(f.fname) for f in fm.fontManager.ttflist
            if any(w.lower() in f.name.lower() for w in _CJK_FAMILY_WORDS)]


def cjk_font_candidates() -> list[tuple[Path, str]]:
    """Every place a CJK font may be, in order of preference, with its source name.

    Files that do not exist are left out; glyphs are not checked here.
    """
    out: list[tuple[Path, str]] = [(p, "package") for p in _package_fonts() if p.is_file()]
    out += [(Path(p), "system") for p in _SYSTEM_FONTS if Path(p).is_file()]
    seen = {p for p, _ in out}
    out += [(p, "matplotlib") for p in _matplotlib_fonts() if p not in seen]
    return out


def find_cjk_font() -> CJKFont | None:
    """The first candidate font that draws :data:`CJK_PROBE`, or None."""
    fm = importlib.import_module("matplotlib.font_manager")
    for path, source in cjk_font_candidates():
        if has_glyphs(path):
            family = fm.FontProperties(fname=str(path)).get_name()
            return CJKFont(path, str(family), source)
    return None


_chosen: list[CJKFont | None] = []  # empty until the first search
_warned: list[bool] = []


def use_cjk_font() -> CJKFont | None:
    """Make matplotlib draw Chinese text; returns the font used, or None if there is none.

    The first call searches (see the module's docstring) and registers the font with
    ``matplotlib.font_manager.fontManager``; every call sets ``rcParams["font.family"]``
    to ``[its family, "DejaVu Sans"]`` and puts it first in ``font.sans-serif`` (so a
    style reset is repaired by the next drawing). Warns :class:`CJKFontWarning` once if no
    font is found.

    Example:
        >>> font = use_cjk_font()
        >>> font is None or has_glyphs(font.path, "法轮功")
        True
    """
    mpl = _matplotlib()
    if not _chosen:
        font = find_cjk_font()
        if font is not None:
            fm = importlib.import_module("matplotlib.font_manager")
            fm.fontManager.addfont(str(font.path))
        _chosen.append(font)
    font = _chosen[0]
    if font is None:
        if not _warned:
            _warned.append(True)
            warnings.warn(
                "no font with Chinese glyphs found; Chinese text will draw as empty boxes. "
                "Install one: pip install 'censorsim[plot]' (Noto Sans SC) or "
                "apt-get install fonts-noto-cjk",
                CJKFontWarning,
                stacklevel=2,
            )
        return None
    rc = mpl.rcParams
    rest = [f for f in rc["font.sans-serif"] if f not in (font.family, "DejaVu Sans")]
    rc["font.sans-serif"] = [font.family, "DejaVu Sans", *rest]
    # A list of families is a per-glyph fallback chain (matplotlib >= 3.6): Latin and
    # Han from the CJK font, symbols it lacks from DejaVu Sans.
    rc["font.family"] = [font.family, "DejaVu Sans"]
    return font


def _reset_for_tests() -> None:
    """Forget the chosen font and the warning (tests only)."""
    _chosen.clear()
    _warned.clear()
