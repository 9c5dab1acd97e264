"""The ``numpy-prefix`` backend: vectorised prefix hashing over a batch, exact verification.

Example:
    >>> NumpyPrefixMatcher(["六四", "学生"]).find_raw("六四学生")
    [(0, 2, 0), (2, 4, 1)]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from censorsim.text.matchers._base import Matcher, RawMatch
from censorsim.text.script import han_share

__all__ = ["NumpyPrefixMatcher", "mostly_han"]


# --------------------------------------------------------------------------------------
# Vectorised prefix hashing with exact verification.

_HASH_BITS: Final = 22
_MULT32: Final = np.uint32(0x9E3779B1)
_BASE32: Final = np.uint32(0x01000193)


class NumpyPrefixMatcher(Matcher):
    """Vectorised prefix hashing over a whole batch, then exact verification.

    Every keyword is filed under its *prefix*: its first ``p`` code points, where ``p``
    is the largest of :attr:`prefix_lengths` not longer than the keyword (1, 2, 3 for
    mostly-Han keyword sets; 1, 2, 3, 4, 6, 8, 12 otherwise). A batch of
    texts becomes one array of code points; for every position and every prefix length
    in use, a rolling polynomial hash of the next characters is looked up in a bitmap of
    the keywords' prefix hashes (numpy, no Python loop). Only positions with a hit are
    examined in Python: the actual prefix is looked up in a dict and the keywords filed
    under it are compared with ``str.startswith``. A hash collision only costs a dict
    miss, so the result is exact.

    On Chinese chat text a position rarely starts a keyword's prefix, so almost all the
    work is the vectorised part, whose cost does not depend on how many keywords there
    are or on how many distinct characters they start with.
    """

    name = "numpy-prefix"

    def _build(self, keywords: tuple[str, ...]) -> None:
        # Three Han characters select about as well as six Latin letters; shorter
        # prefixes mean fewer array passes, longer ones fewer positions to verify.
        self.prefix_lengths: tuple[int, ...] = (
            (1, 2, 3) if mostly_han(keywords) else (1, 2, 3, 4, 6, 8, 12)
        )
        groups: dict[int, dict[str, list[int]]] = {n: {} for n in self.prefix_lengths}
        for k, kw in enumerate(keywords):
            n = max(p for p in self.prefix_lengths if p <= len(kw))
            groups[n].setdefault(kw[:n], []).append(k)
        self._groups = groups
        self._used = tuple(n for n in self.prefix_lengths if groups[n])
        self._kw_len = [len(k) for k in keywords]
        self._bitmaps: dict[int, npt.NDArray[np.bool_]] = {}
        for n in self._used:
            prefixes = list(groups[n])
            if n == 1:
                table = np.zeros(0x110000, dtype=np.bool_)
                table[[ord(p) for p in prefixes]] = True
            else:
                table = np.zeros(1 << _HASH_BITS, dtype=np.bool_)
                codes = np.array([[ord(c) for c in p] for p in prefixes], dtype=np.uint32)
                h = codes[:, 0].copy()
                for j in range(1, n):
                    h *= _BASE32
                    h += codes[:, j]
                table[self._bucket(h)] = True
            self._bitmaps[n] = table

    @staticmethod
    def _bucket(h: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
        out = h * _MULT32
        out >>= np.uint32(32 - _HASH_BITS)
        return out

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        return self._find_many_raw([text])[0]

    def _find_many_raw(self, texts: Sequence[str]) -> list[list[RawMatch]]:
        bounds = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=bounds[1:])
        found = self._find_joined("".join(texts), bounds, None)
        return [found.get(i, []) for i in range(len(texts))]

    def _find_joined(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> dict[int, list[RawMatch]]:
        out: dict[int, list[RawMatch]] = {}
        if not self._used or not joined:
            return out
        if codes is None:
            codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ends = bounds[1:]
        h = codes.copy()  # rolling hash of the n code points starting at each position
        for n in range(1, self._used[-1] + 1):
            if n > 1:
                if h.size <= 1:
                    break
                h = h[:-1]
                h *= _BASE32
                h += codes[n - 1 :]
            table = self._bitmaps.get(n)
            if table is None:
                continue
            hits = table.take(codes) if n == 1 else table.take(self._bucket(h))
            positions = np.flatnonzero(hits)
            if positions.size:
                self._verify(joined, positions, ends, bounds, n, out)
        return out

    def _verify(
        self,
        joined: str,
        positions: npt.NDArray[np.intp],
        ends: npt.NDArray[np.int64],
        bounds: npt.NDArray[np.int64],
        n: int,
        out: dict[int, list[RawMatch]],
    ) -> None:
        group = self._groups[n]
        kw_len = self._kw_len
        keywords = self._keywords
        owners = np.searchsorted(ends, positions, side="right")
        b = bounds.tolist()
        for pos, i in zip(positions.tolist(), owners.tolist(), strict=True):
            end = b[i + 1]
            if pos + n > end:
                continue
            cands = group.get(joined[pos : pos + n])
            if cands is None:
                continue
            start = b[i]
            for k in cands:
                m = kw_len[k]
                if m == n or joined.startswith(keywords[k], pos, end):
                    out.setdefault(i, []).append((pos - start, pos - start + m, k))


def mostly_han(keywords: Sequence[str]) -> bool:
    """Whether at least half the first three characters of the keywords are Han."""
    return han_share(keywords) >= 0.5
