"""Reading the project's TOML files: simulation and sweep configs, policies, firewall rules.

Opened only if it is a regular file (:func:`censorsim._files.open_regular`), one size
check before anything is read (the read itself is bounded, so a file that grows after the
check is still refused), one decode, and one error style: the message names the
file, the line when the parser gives one, and what is wrong. Each caller passes the error
class it raises and the words naming its file ("policy file", "sweep config").
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from censorsim._files import NotRegularFileError, open_regular

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__: list[str] = []


def read_toml(
    path: str | os.PathLike[str],
    *,
    what: str,
    limit: int,
    error: Callable[[str], Exception],
) -> tuple[dict[str, Any], str]:
    """The parsed table and the text of the TOML file at ``path``.

    Args:
        what: the file's kind in messages ("config file", "policy file").
        limit: the largest size accepted, in bytes.
        error: makes the exception raised from its message.

    Raises:
        the exception ``error`` makes: the file is missing, not a regular file, larger
        than ``limit``, not UTF-8, or not valid TOML (nested too deeply included).
    """
    p = Path(path)
    where = str(p)
    try:
        fh, size = open_regular(p)  # a folder or FIFO is refused, a FIFO never waited on
        with fh:
            if size > limit:
                raise error(f"{where}: {what} larger than {limit} bytes")
            raw = fh.read(limit + 1)
        if len(raw) > limit:
            raise error(f"{where}: {what} larger than {limit} bytes")
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise error(f"{where}: {what} not found") from None
    except NotRegularFileError:
        raise error(f"{where}: not a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{where}: cannot read {what} ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _error_line(exc, text)
        at = f":{line}" if line else ""
        raise error(f"{where}{at}: malformed TOML ({exc})") from None
    except RecursionError:
        raise error(f"{where}: malformed TOML (nested too deeply)") from None
    return data, text


def _error_line(exc: tomllib.TOMLDecodeError, text: str) -> int | None:
    """The line a TOML error is on: ``lineno`` (Python 3.14+), else from the message."""
    lineno = getattr(exc, "lineno", None)
    if isinstance(lineno, int):
        return lineno
    m = re.search(r"line (\d+)", str(exc))
    if m:
        return int(m.group(1))
    if "end of document" in str(exc):
        return max(1, len(text.splitlines()))
    return None
