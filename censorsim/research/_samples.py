"""Research inputs: sensitive texts and image sets, from the user's paths or the shipped samples.

Text files are read strictly: a regular file (a FIFO or a device is refused before it is
opened for reading, so nothing blocks), UTF-8 (a BOM and CRLF line ends are tolerated),
no NUL bytes, no over-long lines. Every problem is an
:class:`~censorsim.errors.InputError` naming the file and, where there is one, the line.

Example:
    >>> len(load_texts()) > 0, all(p.suffix == ".jpg" for p in image_files())
    (True, True)
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Final

from censorsim._data import data_dir
from censorsim.errors import InputError, ParameterError

__all__ = ["MAX_ARTICLE_BYTES", "MAX_LINE_BYTES", "image_files", "load_article", "load_texts"]

MAX_LINE_BYTES: Final = 1 << 20
"""The longest line :func:`load_texts` accepts (1 MiB of UTF-8)."""

MAX_ARTICLE_BYTES: Final = 4 << 20
"""The largest file :func:`load_article` reads by default (4 MiB)."""

_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
_KINDS: Final = (
    (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
)


def _open_regular(path: Path) -> tuple[BinaryIO, int]:
    """Open ``path`` for binary reading if it is a regular file (checked before opening,
    and again on the open file); also return its size."""
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a file")
            raise InputError(f"{path}: not a regular file ({kind})")
        handle = path.open("rb")
        info = os.fstat(handle.fileno())
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        handle.close()
        raise InputError(f"{path}: not a regular file")
    return handle, info.st_size


def _decode(body: bytes, path: Path, lineno: int) -> str:
    if lineno == 1:
        if body.startswith(_UTF16_BOMS):
            raise InputError(f"{path}:1: file is UTF-16; save it as UTF-8")
        if body.startswith(b"\xef\xbb\xbf"):
            body = body[3:]
    nul = body.find(b"\0")
    if nul >= 0:
        raise InputError(f"{path}:{lineno}: binary data: NUL byte at byte {nul + 1} of the line")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = body[exc.start : exc.end]
        raise InputError(f"{path}:{lineno}: not UTF-8: invalid byte {bad!r} at byte "
                         f"{exc.start + 1} of the line") from None


def _lines(path: Path, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of a UTF-8 text file, line ends removed, read lazily."""
    handle, _ = _open_regular(path)
    with handle:
        lineno = 0
        while True:
            try:
                raw = handle.readline(max_line_bytes + 2)
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
            if not raw:
                return
            lineno += 1
            body = raw[:-1] if raw.endswith(b"\n") else raw
            if body.endswith(b"\r"):
                body = body[:-1]
            if len(body) > max_line_bytes:
                raise InputError(f"{path}:{lineno}: line is longer than {max_line_bytes:,} "
                                 "bytes; is this a text file?")
            yield lineno, _decode(body, path, lineno)


def load_texts(paths: Iterable[str | os.PathLike[str]] = ()) -> list[str]:
    """Texts, one a line, from ``paths`` (default: ``samples/corpus/sensitive-*.txt``).

    Blank lines and lines starting with ``#`` are left out; lines are stripped.

    Raises:
        InputError: a file is missing, unreadable, not a regular file, UTF-16, binary
            (a NUL byte), not UTF-8, or has a line over :data:`MAX_LINE_BYTES` (the
            message names the file and the line).
    """
    files = [Path(p) for p in paths]
    if not files:
        files = sorted((data_dir("samples") / "corpus").glob("sensitive-*.txt"))
    out: list[str] = []
    for path in files:
        out.extend(s for _, line in _lines(path) if (s := line.strip()) and not s.startswith("#"))
    return out


def load_article(path: str | os.PathLike[str], *, max_bytes: int = MAX_ARTICLE_BYTES) -> str:
    """One text from a UTF-8 file, stripped (line breaks inside are kept).

    The size is checked before the file is read.

    Raises:
        InputError: the file is missing, unreadable, not a regular file, larger than
            ``max_bytes``, UTF-16, binary, not UTF-8 or empty (naming the file and line).
        ParameterError: ``max_bytes`` < 1.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ParameterError(f"max_bytes must be an integer >= 1, got {max_bytes!r}")
    p = Path(path)
    handle, size = _open_regular(p)
    with handle:
        if size > max_bytes:
            raise InputError(f"{p}: too large ({size:,} bytes; the limit is {max_bytes:,})")
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(f"{p}: too large (more than {max_bytes:,} bytes)")
    lines = data.split(b"\n")
    text = "\n".join(_decode(body, p, i) for i, body in enumerate(lines, 1)).strip()
    if not text:
        raise InputError(f"{p}: no text (the file is empty or blank)")
    return text


def image_files(paths: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """Image files: ``paths`` with folders expanded (default: ``samples/images/*.jpg``).

    A folder contributes its image files (by suffix, recursively, sorted; see
    :func:`censorsim.image.iter_image_files`); a file is kept as given (a missing one
    is reported when it is read).

    Raises:
        ImageError: an entry of a folder that cannot be used (a dangling symbolic link,
            a link loop, an unreadable sub-folder), named, instead of skipped silently.
    """
    from censorsim.image import iter_image_files

    given = [Path(p) for p in paths]
    if not given:
        return sorted((data_dir("samples") / "images").glob("*.jpg"))
    return list(iter_image_files(given))
