"""The matcher interface: backends find raw occurrences, ordering and filtering live here.

Every backend reports *every* occurrence of every keyword, overlapping ones included, as
half-open ``[start, end)`` spans in code points of the text it was given, sorted by
``(start, end, keyword index)``. Ordering, de-duplication of keywords and whole-word
filtering live once, in :class:`Matcher`; a backend only finds raw occurrences.

Example:
    >>> is_word_boundary("Scunthorpe", 1, 5)
    False
"""

from __future__ import annotations

import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from censorsim.errors import ParameterError
from censorsim.models import Match
from censorsim.text.script import is_han

__all__ = ["MatchArrays", "Matcher", "RawMatch", "is_word_boundary"]

RawMatch = tuple[int, int, int]
"""``(start, end, keyword index)`` in code points."""


@dataclass(frozen=True, slots=True)
class MatchArrays:
    """Every occurrence in a joined batch, as parallel ``int64`` arrays (no Python tuple).

    Sorted by ``(text, start, end, keyword)``; ``start`` and ``end`` are relative to the
    text, as in :meth:`Matcher.find_joined_raw`.

    Attributes:
        text: the index of the text each occurrence is in.
        start, end: its half-open span in code points of that text.
        keyword: its keyword index.
    """

    text: npt.NDArray[np.int64]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    keyword: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.text.size)

    @classmethod
    def from_dict(cls, found: dict[int, list[RawMatch]]) -> MatchArrays:
        """From ``{text: [(start, end, keyword), ...]}`` (any order)."""
        n = sum(map(len, found.values()))
        text = np.fromiter(
            (i for i, raw in found.items() for _ in raw), dtype=np.int64, count=n
        )
        flat = np.fromiter(
            (x for raw in found.values() for m in raw for x in m), dtype=np.int64, count=3 * n
        ).reshape(n, 3)
        return cls.sorted(text, flat[:, 0], flat[:, 1], flat[:, 2])

    @classmethod
    def sorted(
        cls,
        text: npt.NDArray[np.int64],
        start: npt.NDArray[np.int64],
        end: npt.NDArray[np.int64],
        keyword: npt.NDArray[np.int64],
    ) -> MatchArrays:
        """The occurrences given in any order, sorted."""
        order = np.lexsort((keyword, end, start, text))
        return cls(text[order], start[order], end[order], keyword[order])

    @classmethod
    def from_joined(
        cls,
        bounds: npt.NDArray[np.int64],
        start: npt.NDArray[np.int64],
        end: npt.NDArray[np.int64],
        keyword: npt.NDArray[np.int64],
    ) -> MatchArrays:
        """Occurrences at offsets in the joined batch (``bounds``: each text's start and
        the batch's end), given to their texts and sorted; any that straddle two texts
        are dropped."""
        owner = np.searchsorted(bounds, start, side="right") - 1
        inside = end <= bounds[owner + 1]
        if not inside.all():
            owner, start, end, keyword = owner[inside], start[inside], end[inside], keyword[inside]
        base = bounds[owner]
        return cls.sorted(owner, start - base, end - base, keyword)

    def select(self, keep: npt.NDArray[np.bool_]) -> MatchArrays:
        """The occurrences where ``keep`` is true."""
        return MatchArrays(self.text[keep], self.start[keep], self.end[keep], self.keyword[keep])

    def to_dict(self) -> dict[int, list[RawMatch]]:
        """``{text: sorted [(start, end, keyword), ...]}`` for the texts with an occurrence."""
        out: dict[int, list[RawMatch]] = {}
        for i, s, e, k in zip(
            self.text.tolist(), self.start.tolist(), self.end.tolist(),
            self.keyword.tolist(), strict=True,
        ):
            got = out.get(i)
            if got is None:
                got = out[i] = []
            got.append((s, e, k))
        return out


def _is_word_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in "LNM" or ch == "_"


def is_word_boundary(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands as a whole word.

    The characters just before and just after the span must not be word characters
    (letters, digits, marks, underscore), unless the span's own edge character is not a
    word character either, or is a Han, Hiragana or Katakana character, which have no
    word boundaries. A neighbour written without spaces (Han, by
    :func:`censorsim.text.script.is_han`, kana or Hangul) is a boundary too: Chinese
    text runs straight into a Latin name, as in ``我读过Liu Xiaobo的书``.

    >>> is_word_boundary("Scunthorpe", 1, 5)
    False
    >>> is_word_boundary("free tibet!", 5, 10)
    True
    >>> is_word_boundary("我读过Liu Xiaobo的书", 3, 13)
    True
    """
    if start > 0 and _needs_boundary(text[start]) and _joins(text[start - 1]):
        return False
    return not (end < len(text) and _needs_boundary(text[end - 1]) and _joins(text[end]))


def _joins(ch: str) -> bool:
    """Whether a neighbour ``ch`` continues a word: a word character of a script
    written with spaces (not Han, kana or Hangul)."""
    return _is_word_char(ch) and not (is_han(ch) or _spaceless(ch))


def _spaceless(ch: str) -> bool:
    """Kana, Hangul and the CJK blocks around them (scripts with no word boundary)."""
    cp = ord(ch)
    return (0x2E80 <= cp < 0xA000 or 0xF900 <= cp < 0xFB00 or 0x20000 <= cp < 0x32400
            or 0xAC00 <= cp < 0xD7B0)


def _needs_boundary(ch: str) -> bool:
    if not _is_word_char(ch):
        return False
    # Scripts written without spaces: no boundary needed.
    return not (unicodedata.category(ch) == "Lo" and _spaceless(ch))


class Matcher(ABC):
    """Finds every occurrence of a fixed set of keywords.

    Args:
        keywords: the keywords; duplicates are dropped (first occurrence wins), empty
            strings are rejected.
        whole_word: ``True`` to report only whole-word occurrences of every keyword, or
            a collection of the keywords that must match as whole words.

    Raises:
        ParameterError: for an empty keyword.
    """

    name: ClassVar[str] = "abstract"
    """The backend's name in :data:`BACKENDS`."""
    optional: ClassVar[str | None] = None
    """The extra that installs the backend's package, if it is optional."""

    def __init__(self, keywords: Iterable[str], *, whole_word: bool | Collection[str] = False):
        given = keywords if isinstance(keywords, (list, tuple)) else list(keywords)
        if set(map(type, given)) - {str}:  # the exact type first: one C-level pass
            for k in given:
                if not isinstance(k, str):
                    raise TypeError(f"keyword {k!r} is not a string")
        kws = dict.fromkeys(given)  # de-duplicated, first occurrence wins
        if "" in kws:
            raise ParameterError("keywords: empty keyword: a matcher needs non-empty keywords")
        self._keywords: tuple[str, ...] = tuple(kws)
        if whole_word is True:
            ww = set(range(len(self._keywords)))
        elif whole_word is False:
            ww = set()
        else:
            wanted = set(whole_word)
            ww = {i for i, k in enumerate(self._keywords) if k in wanted}
        self._whole_word: frozenset[int] = frozenset(ww)
        self._build(self._keywords)

    @property
    def keywords(self) -> tuple[str, ...]:
        """The keywords, de-duplicated, in the order given; a match's index refers here."""
        return self._keywords

    def __len__(self) -> int:
        return len(self._keywords)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {len(self._keywords)} keywords>"

    # -- backend interface -------------------------------------------------------------

    @abstractmethod
    def _build(self, keywords: tuple[str, ...]) -> None:
        """Prepare the backend for ``keywords``."""

    @abstractmethod
    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        """Every occurrence in ``text``, in any order."""

    def _find_many_raw(self, texts: Sequence[str]) -> list[list[RawMatch]]:
        """Every occurrence in each text; backends override this for a faster batch."""
        return [list(self._find_raw(t)) for t in texts]

    # -- shared, public ----------------------------------------------------------------

    def _finish(self, text: str, raw: Iterable[RawMatch]) -> list[RawMatch]:
        out = sorted(raw)
        if self._whole_word and out:
            ww = self._whole_word
            out = [m for m in out if m[2] not in ww or is_word_boundary(text, m[0], m[1])]
        return out

    def find_raw(self, text: str) -> list[RawMatch]:
        """Occurrences as sorted ``(start, end, keyword index)`` tuples."""
        return self._finish(text, self._find_raw(text))

    def find_many_raw(self, texts: Sequence[str]) -> list[list[RawMatch]]:
        """:meth:`find_raw` for each text, through the backend's batch path."""
        out = self._find_many_raw(texts)
        for i, raw in enumerate(out):
            if raw:
                out[i] = self._finish(texts[i], raw)
        return out

    def _find_joined(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> dict[int, list[RawMatch]]:
        """Occurrences per text of a joined batch; backends override this for speed."""
        b = bounds.tolist()
        texts = [joined[b[i] : b[i + 1]] for i in range(len(b) - 1)]
        return {i: raw for i, raw in enumerate(self._find_many_raw(texts)) if raw}

    def find_joined_raw(
        self,
        joined: str,
        bounds: npt.NDArray[np.int64],
        codes: npt.NDArray[np.uint32] | None = None,
    ) -> dict[int, list[RawMatch]]:
        """Occurrences in texts given joined: the batch path with the least overhead.

        Args:
            joined: the texts concatenated.
            bounds: ``len + 1`` offsets; text ``i`` is ``joined[bounds[i]:bounds[i + 1]]``.
            codes: the code points of ``joined`` as ``uint32``, if already at hand.

        Returns:
            For each text with at least one occurrence, its sorted raw matches (offsets
            relative to the text); texts without one are absent.
        """
        out = self._find_joined(joined, bounds, codes)
        if not out:
            return out
        b = bounds.tolist()
        for i, raw in out.items():
            out[i] = self._finish(joined[b[i] : b[i + 1]], raw)
        return {i: raw for i, raw in out.items() if raw}

    def _find_joined_arrays(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> MatchArrays:
        """Occurrences of a joined batch as arrays, any order; backends may override."""
        return MatchArrays.from_dict(self._find_joined(joined, bounds, codes))

    def find_joined_arrays(
        self,
        joined: str,
        bounds: npt.NDArray[np.int64],
        codes: npt.NDArray[np.uint32] | None = None,
    ) -> MatchArrays:
        """:meth:`find_joined_raw` as sorted arrays: no Python object per occurrence.

        The path for batches with many occurrences per text (dense lists). Whole-word
        filtering costs Python work only for the occurrences of whole-word keywords.
        """
        found = self._find_joined_arrays(joined, bounds, codes)
        order = np.lexsort((found.keyword, found.end, found.start, found.text))
        if not np.array_equal(order, np.arange(order.size)):
            found = MatchArrays(
                found.text[order], found.start[order], found.end[order], found.keyword[order]
            )
        if self._whole_word and len(found):
            ww = np.zeros(len(self._keywords), dtype=np.bool_)
            ww[list(self._whole_word)] = True
            check = np.flatnonzero(ww[found.keyword])
            if check.size:
                keep = np.ones(len(found), dtype=np.bool_)
                b = bounds.tolist()
                for j, i, s, e in zip(
                    check.tolist(), found.text[check].tolist(), found.start[check].tolist(),
                    found.end[check].tolist(), strict=True,
                ):
                    # Only the characters either side of the span matter: cut a window
                    # (bounded by the text) so a long document is not copied per match.
                    lo = b[i] + s - (1 if s > 0 else 0)
                    hi = min(b[i] + e + 1, b[i + 1])
                    keep[j] = is_word_boundary(joined[lo:hi], b[i] + s - lo, b[i] + e - lo)
                found = found.select(keep)
        return found

    def find(self, text: str) -> list[Match]:
        """Every occurrence in ``text`` as :class:`~censorsim.models.Match` objects."""
        kws = self._keywords
        return [Match(s, e, kws[k]) for s, e, k in self.find_raw(text)]

    def find_many(self, texts: Sequence[str]) -> list[list[Match]]:
        """:meth:`find` for each text, through the backend's batch path."""
        kws = self._keywords
        return [[Match(s, e, kws[k]) for s, e, k in raw] for raw in self.find_many_raw(texts)]
