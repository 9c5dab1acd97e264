"""Opening a file safely: for reading, only if it is a regular file, never blocking.

The one place the project checks a file's type before reading it. A FIFO is opened
non-blocking (so the call never waits for a writer), checked with ``fstat`` on the open
descriptor (no race between the check and the open) and refused, as are folders,
devices and sockets. :mod:`censorsim.image.files` re-exports these names.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO, Final

__all__ = ["NotRegularFileError", "file_kind", "open_regular"]

_NONBLOCK: Final = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC: Final = getattr(os, "O_CLOEXEC", 0)
_BINARY: Final = getattr(os, "O_BINARY", 0)


class NotRegularFileError(OSError):
    """A path names something other than a regular file (a folder, FIFO, device, socket).

    An :class:`OSError` with ``filename`` set, so the CLI reports it as
    ``FILE: not a regular file (a FIFO)``.
    """

    def __init__(self, path: str | os.PathLike[str], kind: str) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({kind})", os.fspath(path))
        self.kind = kind


def file_kind(mode: int) -> str:
    """A name for the file type of an ``st_mode``, such as ``"a FIFO"``."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "not a file"


def open_regular(path: str | os.PathLike[str]) -> tuple[BinaryIO, int]:
    """Open ``path`` for binary reading if it is a regular file; also return its size.

    A FIFO is opened non-blocking (so the call never waits for a writer) and refused, as
    are folders, devices and sockets.

    Raises:
        NotRegularFileError: not a regular file (an ``OSError`` naming the path).
        OSError: the file cannot be opened (missing, unreadable, a link loop...).
    """
    if not _NONBLOCK:  # no non-blocking open (Windows): check the type before opening
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(path, file_kind(mode))
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC | _BINARY)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(path, file_kind(info.st_mode))
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise
