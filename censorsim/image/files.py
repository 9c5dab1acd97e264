"""Finding image files and opening files safely: folder walks that report what they skip.

:func:`iter_image_files` expands folders into the image files under them (by suffix,
sorted, recursively by default). Every entry it cannot use is reported to ``on_skip``
with a reason (a dangling symbolic link, a link loop, an unreadable folder, a folder
reached a second time through a link); without ``on_skip`` the first such entry raises
:class:`~censorsim.errors.ImageError`. Files whose suffix is not an image suffix, and
sub-folders when ``recursive=False``, are left out by design and not reported.

:func:`open_regular` opens a file for reading only if it is a regular file, without
blocking on a FIFO (it is opened non-blocking, then checked with ``fstat``).

Example:
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = pathlib.Path(tmp)
    ...     _ = (folder / "a.jpg").write_bytes(b"x")
    ...     _ = (folder / "notes.txt").write_text("left out")
    ...     (folder / "gone.png").symlink_to(folder / "missing.png")
    ...     skipped = []
    ...     found = list(iter_image_files([folder], on_skip=lambda p, why: skipped.append(why)))
    ...     [p.name for p in found], skipped
    (['a.jpg'], ['dangling symbolic link (its target does not exist)'])
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Final

from censorsim._files import NotRegularFileError, file_kind, open_regular
from censorsim.errors import ImageError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "IMAGE_SUFFIXES",
    "NotRegularFileError",
    "OnSkip",
    "file_kind",
    "iter_image_files",
    "open_regular",
]

IMAGE_SUFFIXES: Final = frozenset(
    {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
)
"""The file suffixes (lower case) a folder walk takes for images."""

DEFAULT_MAX_BYTES: Final = 256 * 1024 * 1024
"""The largest image file read by default (256 MiB): larger files are refused unread."""

OnSkip = Callable[[Path, str], None]
"""Called with each skipped entry and the reason it was skipped."""

def _raise_skip(path: Path, reason: str) -> None:
    raise ImageError(reason, image=path)


def iter_image_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    recursive: bool = True,
    suffixes: Iterable[str] = IMAGE_SUFFIXES,
    on_skip: OnSkip | None = None,
) -> Iterator[Path]:
    """The image files of ``paths``: files as given, folders expanded, in order.

    A folder contributes the files under it whose suffix (case-insensitive) is in
    ``suffixes``, sorted by path, descending into sub-folders when ``recursive``.
    Symbolic links are followed; each folder is walked once. A path given explicitly
    is yielded as given, even when it is missing or not an image (whoever reads it
    reports the problem), so no input disappears silently.

    Args:
        paths: files and folders.
        recursive: descend into sub-folders.
        suffixes: the suffixes of image files, with their dot (``".jpg"``).
        on_skip: called as ``on_skip(path, reason)`` for each entry of a folder that
            cannot be used: a dangling symbolic link, a symbolic link loop, a folder that
            cannot be read, a folder reached again through a link. ``None`` raises
            instead.

    Raises:
        ImageError: without ``on_skip``, the first skipped entry (naming it and why).

    Example:
        >>> list(iter_image_files(["upload.jpg"]))
        [PosixPath('upload.jpg')]
    """
    wanted = frozenset(s.lower() for s in suffixes)
    report = on_skip if on_skip is not None else _raise_skip
    for given in paths:
        path = Path(given)
        try:
            info = path.stat()
        except (OSError, ValueError):
            yield path  # missing, a dangling link, a loop: the reader names the problem
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path, info, wanted, recursive, report)
        else:
            yield path


def _listing(folder: Path, report: OnSkip) -> list[os.DirEntry[str]] | None:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda e: e.name)
    except OSError as exc:
        report(folder, f"cannot read folder: {exc.strerror or exc}")
        return None


def _walk(
    root: Path, info: os.stat_result, wanted: frozenset[str], recursive: bool, report: OnSkip
) -> Iterator[Path]:
    """Depth-first, in name order (the order of ``sorted(Path)``), with an explicit stack."""
    root_key = (info.st_dev, info.st_ino)
    visited = {root_key}
    listing = _listing(root, report)
    if listing is None:
        return
    # Each level: the entries still to visit, and the folders on the way down (key, path).
    stack: list[tuple[Iterator[os.DirEntry[str]], tuple[tuple[tuple[int, int], Path], ...]]]
    stack = [(iter(listing), ((root_key, root),))]
    while stack:
        entries, chain = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        path = Path(entry.path)
        try:
            target = os.stat(entry.path)
        except FileNotFoundError:
            if entry.is_symlink():
                report(path, "dangling symbolic link (its target does not exist)")
            else:
                report(path, "removed while the folder was being read")
            continue
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                report(path, "symbolic link loop (the link resolves to itself)")
            else:
                report(path, f"cannot read: {exc.strerror or exc}")
            continue
        if not stat.S_ISDIR(target.st_mode):
            if path.suffix.lower() in wanted:
                yield path
            continue
        if not recursive:
            continue
        key = (target.st_dev, target.st_ino)
        ancestor = next((p for k, p in chain if k == key), None)
        if ancestor is not None:
            report(path, f"symbolic link loop (leads back to {ancestor})")
            continue
        if key in visited:
            report(path, "folder already walked through another path (symbolic link)")
            continue
        visited.add(key)
        listing = _listing(path, report)
        if listing is not None:
            stack.append((iter(listing), (*chain, (key, path))))
