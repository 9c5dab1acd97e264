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

from censorsim.text.matchers._base import MatchArrays, Matcher, RawMatch
from censorsim.text.script import HAN_RANGES, han_share

__all__ = ["NumpyPrefixMatcher", "mostly_han"]


# --------------------------------------------------------------------------------------
# Vectorised prefix hashing with exact verification.

_HASH_BITS: Final = 22
_MULT32: Final = np.uint32(0x9E3779B1)
_BASE32: Final = np.uint32(0x01000193)
_MULT64: Final = np.uint64(0x9E3779B97F4A7C15)
_CP_BITS: Final = 21
"""Bits of a code point: three of them pack exactly into one non-negative ``int64``."""


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
        # The tables of the per-position Python path are built on its first use: the
        # array path of mostly-Han sets (:class:`_ExactPrefixes`) does not need them.
        self._python_tables: (
            tuple[dict[int, dict[str, list[int]]], tuple[int, ...], list[int],
                  dict[int, npt.NDArray[np.bool_]]] | None
        ) = None
        self._exact: _ExactPrefixes | None = (
            _ExactPrefixes(keywords) if self.prefix_lengths == (1, 2, 3) else None
        )

    def _tables(
        self,
    ) -> tuple[dict[int, dict[str, list[int]]], tuple[int, ...], list[int],
               dict[int, npt.NDArray[np.bool_]]]:
        """Prefix groups, prefix lengths in use, keyword lengths, bitmaps (built once)."""
        got = self._python_tables
        if got is not None:
            return got
        keywords = self._keywords
        groups: dict[int, dict[str, list[int]]] = {n: {} for n in self.prefix_lengths}
        for k, kw in enumerate(keywords):
            n = max(p for p in self.prefix_lengths if p <= len(kw))
            groups[n].setdefault(kw[:n], []).append(k)
        used = tuple(n for n in self.prefix_lengths if groups[n])
        bitmaps: dict[int, npt.NDArray[np.bool_]] = {}
        for n in used:
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
            bitmaps[n] = table
        got = self._python_tables = (groups, used, [len(k) for k in keywords], bitmaps)
        return got

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
        if not self._keywords or not joined:
            return out
        _, used, _, bitmaps = self._tables()
        if codes is None:
            codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ends = bounds[1:]
        h = codes.copy()  # rolling hash of the n code points starting at each position
        for n in range(1, used[-1] + 1):
            if n > 1:
                if h.size <= 1:
                    break
                h = h[:-1]
                h *= _BASE32
                h += codes[n - 1 :]
            table = bitmaps.get(n)
            if table is None:
                continue
            hits = table.take(codes) if n == 1 else table.take(self._bucket(h))
            positions = np.flatnonzero(hits)
            if positions.size:
                self._verify(joined, positions, ends, bounds, n, out)
        return out

    def _find_joined_arrays(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> MatchArrays:
        if self._exact is None or not joined:
            return super()._find_joined_arrays(joined, bounds, codes)
        if codes is None:
            codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        return self._exact.find(codes, bounds)

    def _verify(
        self,
        joined: str,
        positions: npt.NDArray[np.intp],
        ends: npt.NDArray[np.int64],
        bounds: npt.NDArray[np.int64],
        n: int,
        out: dict[int, list[RawMatch]],
    ) -> None:
        groups, _, kw_len, _ = self._tables()
        group = groups[n]
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


def _pack(codes: npt.NDArray[np.uint32], n: int) -> npt.NDArray[np.int64]:
    """The ``n`` (1-3) code points starting at every position, packed exactly into int64."""
    size = codes.size - n + 1
    key = codes[:size].astype(np.int64)
    for j in range(1, n):
        key <<= _CP_BITS
        key |= codes[j : j + size]
    return key


def _bucket64(key: npt.NDArray[np.int64], bits: int = _HASH_BITS) -> npt.NDArray[np.int64]:
    out = key.view(np.uint64) * _MULT64
    out >>= np.uint64(64 - bits)
    return out.view(np.int64)  # below 2**bits: an index array without a conversion copy


def _bitmap_bits(n_keys: int) -> int:
    """Hash bits of a prefix bitmap: about 32 buckets per key (3% false positives), at
    least 2**12 and at most 2**22. A bitmap that fits the CPU's cache filters every
    position of a batch faster than a 4 MB one (its lookups are random)."""
    return min(_HASH_BITS, max(12, (max(1, n_keys) * 32 - 1).bit_length()))


class _ExactPrefixes:
    """The array path of ``numpy-prefix`` (prefix lengths 1, 2, 3): no Python per match.

    A prefix of at most three code points packs exactly into one ``int64`` (21 bits
    each), so a position's prefix is looked up exactly: a bitmap of hashed keys filters
    the positions, ``np.searchsorted`` over the sorted prefix keys finds the prefix, and
    a CSR table lists the keywords filed under it. Keywords longer than their prefix are
    verified column by column against one flat array of the keywords' code points,
    every step over all candidates at once. The Python loop of
    :meth:`NumpyPrefixMatcher._verify` is the readable reference it must agree with.
    """

    def __init__(self, keywords: tuple[str, ...]):
        self.kw_len = np.fromiter(map(len, keywords), dtype=np.int64, count=len(keywords))
        self.kw_off = np.zeros(len(keywords) + 1, dtype=np.int64)
        np.cumsum(self.kw_len, out=self.kw_off[1:])
        joined = "".join(keywords)
        self.kw_codes = np.frombuffer(
            joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32
        ).astype(np.int64)
        # Per prefix length: sorted packed prefix keys, CSR pointers, keyword ids, bitmap.
        # A keyword is filed under its first min(length, 3) code points; built with numpy
        # (a sort of the packed keys), no Python object per keyword.
        self.tables: dict[
            int,
            tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64],
                  npt.NDArray[np.bool_]],
        ] = {}
        filed = np.minimum(self.kw_len, 3)
        for n in (1, 2, 3):
            sel = np.flatnonzero(filed == n)
            if not sel.size:
                continue
            first = self.kw_off[sel]
            key = self.kw_codes[first].copy()
            for j in range(1, n):
                key <<= _CP_BITS
                key |= self.kw_codes[first + j]
            order = np.lexsort((sel, key))  # by prefix, then keyword index
            key, ids = key[order], sel[order]
            new = np.ones(key.size, dtype=np.bool_)
            new[1:] = key[1:] != key[:-1]
            starts = np.flatnonzero(new)
            ptr = np.append(starts, key.size).astype(np.int64)
            keys = key[starts]
            bits = _bitmap_bits(keys.size)
            bitmap = np.zeros(1 << bits, dtype=np.bool_)
            bitmap[_bucket64(keys, bits)] = True
            self.tables[n] = (keys, ptr, ids.astype(np.int64, copy=False), bitmap)

    def find(self, codes: npt.NDArray[np.uint32], bounds: npt.NDArray[np.int64]) -> MatchArrays:
        parts_pos: list[npt.NDArray[np.int64]] = []
        parts_kw: list[npt.NDArray[np.int64]] = []
        for n, (keys, ptr, ids, bitmap) in self.tables.items():
            if codes.size < n:
                continue
            packed = _pack(codes, n)
            bits = bitmap.size.bit_length() - 1
            # mode="wrap": every bucket is in range, so no bounds check per position.
            pos = np.flatnonzero(bitmap.take(_bucket64(packed, bits), mode="wrap"))
            if not pos.size:
                continue
            got = packed[pos]
            slot = np.searchsorted(keys, got)
            slot[slot == keys.size] = 0
            hit = keys[slot] == got
            pos, slot = pos[hit], slot[hit]
            # Every keyword filed under the prefix found at each position.
            counts = ptr[slot + 1] - ptr[slot]
            pos = np.repeat(pos, counts)
            first = np.repeat(ptr[slot] - np.cumsum(counts) + counts, counts)
            kw = ids[first + np.arange(pos.size, dtype=np.int64)]
            parts_pos.append(pos)
            parts_kw.append(kw)
        if not parts_pos:
            empty = np.zeros(0, dtype=np.int64)
            return MatchArrays(empty, empty, empty, empty)
        pos = np.concatenate(parts_pos)
        kw = np.concatenate(parts_kw)
        owner = np.searchsorted(bounds, pos, side="right") - 1
        length = self.kw_len[kw]
        end = pos + length
        keep = end <= bounds[owner + 1]
        pos, kw, owner, length, end = pos[keep], kw[keep], owner[keep], length[keep], end[keep]
        # Verify the characters after the prefix, one column at a time, for the keywords
        # longer than three (shorter ones matched exactly through their packed prefix).
        todo = np.flatnonzero(length > 3)
        j = 3
        ok = np.ones(pos.size, dtype=np.bool_)
        while todo.size:
            same = codes[pos[todo] + j] == self.kw_codes[self.kw_off[kw[todo]] + j]
            ok[todo[~same]] = False
            todo = todo[same]
            j += 1
            todo = todo[length[todo] > j]
        pos, kw, owner, end = pos[ok], kw[ok], owner[ok], end[ok]
        base = bounds[owner]
        return MatchArrays.sorted(owner, pos - base, end - base, kw)


_HAN_BOUNDS: Final = np.array([b for r in HAN_RANGES for b in r], dtype=np.int64)


def mostly_han(keywords: Sequence[str]) -> bool:
    """Whether at least half the first three characters of the keywords are Han.

    :func:`censorsim.text.script.han_share` ``>= 0.5``, vectorised (one array of the
    keywords' first characters, one binary search over the Han ranges).
    """
    heads = "".join([k[:3] for k in keywords])
    if not heads:
        return han_share(()) >= 0.5
    codes = np.frombuffer(heads.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    inside = np.searchsorted(_HAN_BOUNDS, codes, side="right") % 2 == 1
    return 2 * int(np.count_nonzero(inside)) >= codes.size
