"""Offset mapping between representations of a text: UTF-8 bytes, code points, normalised text.

The one definition of two mappings every matcher and benchmark needs:

* UTF-8 byte offsets to code point offsets (:func:`byte_to_codepoint_offsets` for the
  matches of one text, :func:`byte_to_codepoint_array` vectorised over a joined batch;
  both give the same numbers);
* spans of a normalised text back to the original text (:func:`span_mapper` for the
  spans of one text, :func:`span_to_original` for one span), from the original index of
  every normalised character.

Example:
    >>> data = "六四ab".encode()
    >>> byte_to_codepoint_offsets(data, [0, 3, 6, 7])
    [0, 1, 2, 3]
    >>> span_to_original((0, 2, 2, 5), 1, 3)
    (2, 3)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

from censorsim.errors import ParameterError

__all__ = [
    "aligned",
    "byte_to_codepoint_array",
    "byte_to_codepoint_offsets",
    "span_mapper",
    "span_to_original",
]


def byte_to_codepoint_offsets(data: bytes, byte_offsets: Iterable[int]) -> list[int]:
    """The code point offset of each byte offset into the UTF-8 ``data``.

    Each byte offset must fall on a character boundary (every match of a UTF-8 keyword
    does). Lone surrogates count as one code point (``surrogatepass``). Repeated offsets
    are computed once.
    """
    if data.isascii():
        return list(byte_offsets)
    cache: dict[int, int] = {}
    out: list[int] = []
    for b in byte_offsets:
        c = cache.get(b)
        if c is None:
            c = cache[b] = len(data[:b].decode("utf-8", "surrogatepass"))
        out.append(c)
    return out


def byte_to_codepoint_array(
    codes: npt.NDArray[np.uint32], byte_offsets: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """:func:`byte_to_codepoint_offsets`, vectorised, given the text's code points.

    Args:
        codes: the code points of the text (``uint32``).
        byte_offsets: offsets into the text's UTF-8 encoding, on character boundaries.

    Example:
        >>> codes = np.array([ord(c) for c in "六四ab"], dtype=np.uint32)
        >>> byte_to_codepoint_array(codes, np.array([3, 7])).tolist()
        [1, 3]
    """
    width = 1 + (codes >= 0x80).astype(np.int64) + (codes >= 0x800) + (codes >= 0x10000)
    before = np.zeros(codes.size + 1, dtype=np.int64)
    np.cumsum(width, out=before[1:])
    return np.searchsorted(before, byte_offsets).astype(np.int64, copy=False)


def _same_span(span: tuple[int, int]) -> tuple[int, int]:
    return span


def span_mapper(
    offsets: Sequence[int] | npt.NDArray[np.int64] | None, shift: int = 0
) -> Callable[[tuple[int, int]], tuple[int, int]]:
    """A function mapping non-empty normalised spans ``(start, end)`` to the original text.

    ``offsets[i] - shift`` is the original index of normalised character ``i`` (``None``:
    normalisation changed nothing, every span is its own image). A span maps to
    ``(offsets[start] - shift, offsets[end - 1] - shift + 1)``. The hot path builds one per
    matched text; :func:`span_to_original` maps a single span and checks it.

    Example:
        >>> span_mapper((0, 2, 2, 5))((1, 3))
        (2, 3)
    """
    if offsets is None:
        return _same_span

    def mapper(span: tuple[int, int]) -> tuple[int, int]:
        return int(offsets[span[0]]) - shift, int(offsets[span[1] - 1]) - shift + 1

    return mapper


def aligned(offsets: Sequence[int] | npt.NDArray[np.int64], start: int, end: int) -> bool:
    """Whether normalised span ``[start, end)`` starts and ends between original characters.

    ``offsets[i]`` is the original index of normalised character ``i``. A span that
    begins or ends inside the output of one original character (the second ``s`` of
    ``ß``→``ss``) is not aligned.

    Example:
        >>> aligned((0, 0, 1), 0, 2), aligned((0, 0, 1), 1, 3)
        (True, False)
    """
    if start > 0 and offsets[start] == offsets[start - 1]:
        return False
    return end >= len(offsets) or offsets[end] != offsets[end - 1]


def span_to_original(
    offsets: Sequence[int] | npt.NDArray[np.int64] | None,
    start: int,
    end: int,
    shift: int = 0,
) -> tuple[int, int]:
    """Map a normalised span ``[start, end)`` to the original text (see :func:`span_mapper`).

    Raises:
        ParameterError: the span is empty.
    """
    if end <= start:
        raise ParameterError(f"empty span [{start}, {end})")
    return span_mapper(offsets, shift)((start, end))
