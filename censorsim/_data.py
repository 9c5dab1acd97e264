"""Locate the data that ships with censorsim: example word lists and samples.

In a wheel, ``wordlists/`` and ``samples/`` are installed inside the package as
``censorsim/_data/wordlists`` and ``censorsim/_data/samples`` (see ``pyproject.toml``);
in a clone or an editable install they are read from the repository's top level.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir"]

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The directory of shipped data ``name`` (``"wordlists"`` or ``"samples"``)."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name
