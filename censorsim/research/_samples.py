"""Research inputs: sensitive texts and image sets, from the user's paths or the shipped samples.

Example:
    >>> len(load_texts()) > 0, all(p.suffix == ".jpg" for p in image_files())
    (True, True)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from censorsim._data import data_dir
from censorsim.errors import InputError

__all__ = ["image_files", "load_texts"]

_IMAGE_SUFFIXES: Final = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"})


def load_texts(paths: Iterable[str | os.PathLike[str]] = ()) -> list[str]:
    """Texts, one a line, from ``paths`` (default: ``samples/corpus/sensitive-*.txt``).

    Blank lines and lines starting with ``#`` are left out; lines are stripped.

    Raises:
        InputError: a file is missing, unreadable or not UTF-8.
    """
    files = [Path(p) for p in paths]
    if not files:
        files = sorted((data_dir("samples") / "corpus").glob("sensitive-*.txt"))
    out: list[str] = []
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}"
                             ) from None
        out.extend(s for line in lines if (s := line.strip()) and not s.startswith("#"))
    return out


def image_files(paths: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """Image files: ``paths`` with folders expanded (default: ``samples/images/*.jpg``).

    A folder contributes its image files (by suffix, recursively, sorted); a file is
    kept as given (a missing one is reported when it is read).
    """
    given = [Path(p) for p in paths]
    if not given:
        return sorted((data_dir("samples") / "images").glob("*.jpg"))
    out: list[Path] = []
    for p in given:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*")
                              if q.is_file() and q.suffix.lower() in _IMAGE_SUFFIXES))
        else:
            out.append(p)
    return out
