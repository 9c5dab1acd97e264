"""Shared colours and the matplotlib entry point of the drawing helpers."""

from __future__ import annotations

import importlib
from typing import Any, Final

__all__ = ["COLORS", "colormap", "mpl", "new_axes", "pyplot"]

COLORS: Final = {
    "edge": "#33415c",
    "text": "#1b1b1b",
    "muted": "#9aa0a6",
    "fail": "#d1495b",
    "current": "#2a6fdb",
    "path": "#f4a259",
    "output": "#cfe8cf",
    "found": "#2d6a4f",
    "differ": "#d1495b",
    "censored": "#d1495b",
    "passed": "#6c9a8b",
    "on": "#1b1b1b",
    "off": "#f2f2f2",
}
"""Colours used across the drawings (failure links and differing bits in red)."""


def pyplot() -> Any:
    """``matplotlib.pyplot`` with a CJK font configured (the ``plot`` extra).

    The backend is left as it is: inline in a notebook, Agg on a headless machine.
    """
    from censorsim._optional import import_optional
    from censorsim.viz._fonts import use_cjk_font

    plt = import_optional("matplotlib.pyplot", "plot", "drawing")
    use_cjk_font()
    return plt


def new_axes(ax: Any, size: tuple[float, float]) -> Any:
    """``ax`` itself (after configuring fonts), or the Axes of a new figure of ``size``."""
    plt = pyplot()
    if ax is not None:
        return ax
    _fig, new = plt.subplots(figsize=size)
    return new


def mpl(module: str) -> Any:
    """A matplotlib submodule by name, e.g. ``mpl("patches")``."""
    return importlib.import_module(f"matplotlib.{module}")


def colormap(name: str) -> Any:
    """A registered matplotlib colormap by name."""
    return importlib.import_module("matplotlib").colormaps[name]
