"""Multi-keyword matchers: one interface, several backends selected by name.

Every backend reports *every* occurrence of every keyword, overlapping ones included, as
half-open ``[start, end)`` spans in code points of the text it was given, sorted by
``(start, end, keyword index)``. Ordering, de-duplication of keywords and whole-word
filtering live once, in :class:`Matcher`; a backend only finds raw occurrences.

Backends (:func:`make_matcher` and :data:`BACKENDS`):

``reference``
    :class:`AhoCorasickMatcher`, a plain pure-Python Aho-Corasick automaton. It is the
    readable reference and exposes its states, goto edges, failure links and outputs so
    a notebook can draw them.
``naive``
    ``str.find`` for every keyword at every position. Quadratic, obviously right.
``regex``
    The standard library's ``re``: one escaped alternation inside a look-ahead finds
    every position where some keyword starts, then the keywords sharing that first
    character are checked there. Literal alternatives only, so no catastrophic
    backtracking.
``pyahocorasick``
    pyahocorasick's automaton over the text as it is. It finds a node's children by a
    linear scan, so it is slow on Chinese, where the root has thousands of children.
``pyahocorasick-utf8``
    The same automaton over UTF-8 bytes (seen as Latin-1 characters), where no node has
    more than 256 children and most have at most 64. Byte offsets are mapped back to code
    points only for texts that matched.
``numpy-prefix``
    :class:`NumpyPrefixMatcher`: every position's first code points hashed at once
    with numpy and looked up in a bitmap of the keywords' prefixes; only hits are
    verified in Python. The fastest here on Chinese.
``auto`` (the default)
    ``numpy-prefix`` for mostly-Han keyword sets; otherwise ``ahocorasick-rs`` when
    installed, else ``pyahocorasick-utf8``.
``ahocorasick-rs``
    The Rust ``ahocorasick_rs`` package (extra ``fast``), overlapping mode.
``hyperscan``
    Intel Hyperscan's literal compiler over UTF-8 bytes (extra ``hyperscan``).

Example:
    >>> m = make_matcher(["六四", "四学", "学生"])
    >>> [(x.start, x.end, x.keyword) for x in m.find("六四学生")]
    [(0, 2, '六四'), (1, 3, '四学'), (2, 4, '学生')]
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar, Final

import numpy as np
import numpy.typing as npt

from censorsim._optional import has_module, import_optional
from censorsim.errors import ParameterError
from censorsim.models import Match
from censorsim.registry import Registry
from censorsim.text.offsets import byte_to_codepoint_array, byte_to_codepoint_offsets
from censorsim.text.script import han_share

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "AhoCorasickMatcher",
    "AutoMatcher",
    "HyperscanMatcher",
    "Matcher",
    "NaiveMatcher",
    "NumpyPrefixMatcher",
    "PyAhoCorasickMatcher",
    "PyAhoCorasickUtf8Matcher",
    "RegexMatcher",
    "RustAhoCorasickMatcher",
    "available_backends",
    "is_word_boundary",
    "make_matcher",
]

RawMatch = tuple[int, int, int]
"""``(start, end, keyword index)`` in code points."""

DEFAULT_BACKEND: Final = "auto"

_OPTIONAL_MODULE: Final = {"ahocorasick-rs": "ahocorasick_rs", "hyperscan": "hyperscan"}
"""The module an optional backend imports (its extra is the class's ``optional``)."""


def _is_word_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in "LNM" or ch == "_"


def is_word_boundary(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands as a whole word.

    The characters just before and just after the span must not be word characters
    (letters, digits, marks, underscore), unless the span's own edge character is not a
    word character either, or is a Han, Hiragana or Katakana character, which have no
    word boundaries.

    >>> is_word_boundary("Scunthorpe", 1, 5)
    False
    >>> is_word_boundary("free tibet!", 5, 10)
    True
    """
    if start > 0 and _needs_boundary(text[start]) and _is_word_char(text[start - 1]):
        return False
    return not (end < len(text) and _needs_boundary(text[end - 1]) and _is_word_char(text[end]))


def _needs_boundary(ch: str) -> bool:
    if not _is_word_char(ch):
        return False
    name_cat = unicodedata.category(ch)
    if name_cat == "Lo":
        # Scripts written without spaces: no boundary needed.
        cp = ord(ch)
        if 0x2E80 <= cp < 0xA000 or 0xF900 <= cp < 0xFB00 or 0x20000 <= cp < 0x32400:
            return False
        if 0x3040 <= cp < 0x3100 or 0xAC00 <= cp < 0xD7B0:
            return False
    return True


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
        kws: dict[str, None] = {}
        for k in keywords:
            if not isinstance(k, str):
                raise TypeError(f"keyword {k!r} is not a string")
            if not k:
                raise ParameterError("keywords: empty keyword: a matcher needs non-empty keywords")
            kws.setdefault(k, None)
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

    def find(self, text: str) -> list[Match]:
        """Every occurrence in ``text`` as :class:`~censorsim.models.Match` objects."""
        kws = self._keywords
        return [Match(s, e, kws[k]) for s, e, k in self.find_raw(text)]

    def find_many(self, texts: Sequence[str]) -> list[list[Match]]:
        """:meth:`find` for each text, through the backend's batch path."""
        kws = self._keywords
        return [[Match(s, e, kws[k]) for s, e, k in raw] for raw in self.find_many_raw(texts)]


# --------------------------------------------------------------------------------------
# Reference: a plain Aho-Corasick automaton.


@dataclass(frozen=True, slots=True)
class _State:
    depth: int
    goto: dict[str, int]
    fail: int
    output: tuple[int, ...]


class AhoCorasickMatcher(Matcher):
    """Pure-Python Aho-Corasick automaton: the readable reference.

    State 0 is the root. :attr:`goto` holds the trie edges of each state, :attr:`fail`
    the failure link of each state, :attr:`output` the keyword indices that end at each
    state (its own and those reached through failure links), :attr:`depth` the length of
    the string each state spells.
    """

    name = "reference"

    def _build(self, keywords: tuple[str, ...]) -> None:
        goto: list[dict[str, int]] = [{}]
        depth = [0]
        own: list[list[int]] = [[]]
        for idx, kw in enumerate(keywords):
            state = 0
            for ch in kw:
                nxt = goto[state].get(ch)
                if nxt is None:
                    nxt = len(goto)
                    goto[state][ch] = nxt
                    goto.append({})
                    depth.append(depth[state] + 1)
                    own.append([])
                state = nxt
            own[state].append(idx)
        fail = [0] * len(goto)
        output: list[list[int]] = [list(o) for o in own]
        queue = list(goto[0].values())
        head = 0
        while head < len(queue):
            state = queue[head]
            head += 1
            for ch, nxt in goto[state].items():
                queue.append(nxt)
                f = fail[state]
                while f and ch not in goto[f]:
                    f = fail[f]
                cand = goto[f].get(ch, 0)
                fail[nxt] = cand if cand != nxt else 0
                output[nxt].extend(output[fail[nxt]])
        self.goto: tuple[dict[str, int], ...] = tuple(goto)
        self.fail: tuple[int, ...] = tuple(fail)
        self.output: tuple[tuple[int, ...], ...] = tuple(tuple(o) for o in output)
        self.depth: tuple[int, ...] = tuple(depth)

    @property
    def states(self) -> list[_State]:
        """Every state with its depth, goto edges, failure link and outputs."""
        return [
            _State(self.depth[i], dict(self.goto[i]), self.fail[i], self.output[i])
            for i in range(len(self.goto))
        ]

    def trace(self, text: str) -> Iterator[tuple[int, str, int, tuple[int, ...]]]:
        """Yield ``(position, character, state after it, keyword indices ending there)``.

        A notebook can animate the scan from this.
        """
        goto, fail, output = self.goto, self.fail, self.output
        state = 0
        for pos, ch in enumerate(text):
            while state and ch not in goto[state]:
                state = fail[state]
            state = goto[state].get(ch, 0)
            yield pos, ch, state, output[state]

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        kws = self._keywords
        out: list[RawMatch] = []
        for pos, _ch, _state, found in self.trace(text):
            for k in found:
                out.append((pos + 1 - len(kws[k]), pos + 1, k))
        return out


# --------------------------------------------------------------------------------------
# Naive and regex.


class NaiveMatcher(Matcher):
    """``str.find`` for every keyword, every occurrence: slow and obviously right."""

    name = "naive"

    def _build(self, keywords: tuple[str, ...]) -> None:
        pass

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        out: list[RawMatch] = []
        for k, kw in enumerate(self._keywords):
            n = len(kw)
            pos = text.find(kw)
            while pos >= 0:
                out.append((pos, pos + n, k))
                pos = text.find(kw, pos + 1)
        return out


class RegexMatcher(Matcher):
    """The ``re`` module: a look-ahead over an escaped alternation of keywords."""

    name = "regex"

    def _build(self, keywords: tuple[str, ...]) -> None:
        # Longest first so the alternation is deterministic; the look-ahead finds every
        # start position, then candidates sharing the first character are checked.
        by_first: dict[str, list[int]] = {}
        for k, kw in enumerate(keywords):
            by_first.setdefault(kw[0], []).append(k)
        self._by_first = by_first
        if keywords:
            alts = "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
            self._pattern: re.Pattern[str] | None = re.compile(f"(?=(?:{alts}))", re.DOTALL)
        else:
            self._pattern = None

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        if self._pattern is None:
            return []
        kws = self._keywords
        out: list[RawMatch] = []
        for m in self._pattern.finditer(text):
            pos = m.start()
            for k in self._by_first[text[pos]]:
                kw = kws[k]
                if text.startswith(kw, pos):
                    out.append((pos, pos + len(kw), k))
        return out


# --------------------------------------------------------------------------------------
# pyahocorasick, as it is and over UTF-8.


def _ahocorasick() -> object:
    return import_optional("ahocorasick", "core", "the pyahocorasick backend")


class PyAhoCorasickMatcher(Matcher):
    """pyahocorasick over the text as it is (one automaton symbol per code point)."""

    name = "pyahocorasick"

    def _build(self, keywords: tuple[str, ...]) -> None:
        ahocorasick = _ahocorasick()
        automaton = ahocorasick.Automaton()  # type: ignore[attr-defined]
        for k, kw in enumerate(keywords):
            automaton.add_word(kw, (k, len(kw)))
        if keywords:
            automaton.make_automaton()
        self._automaton = automaton if keywords else None

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        if self._automaton is None:
            return []
        return [(e + 1 - n, e + 1, k) for e, (k, n) in self._automaton.iter(text)]


def _to_latin1(text: str) -> str:
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


class PyAhoCorasickUtf8Matcher(Matcher):
    """pyahocorasick over UTF-8 bytes seen as Latin-1 characters (the default).

    A Chinese character becomes three symbols; no node has more than 256 children, so
    pyahocorasick's linear child search stays short. UTF-8 is self-synchronising, so a
    keyword's bytes can only match at a character boundary. Byte offsets are converted to
    code points only in texts that matched.
    """

    name = "pyahocorasick-utf8"

    def _build(self, keywords: tuple[str, ...]) -> None:
        ahocorasick = _ahocorasick()
        automaton = ahocorasick.Automaton()  # type: ignore[attr-defined]
        for k, kw in enumerate(keywords):
            automaton.add_word(_to_latin1(kw), (k, len(kw)))
        if keywords:
            automaton.make_automaton()
        self._automaton = automaton if keywords else None

    @staticmethod
    def _to_chars(
        text: str, encoded: str, found: list[tuple[int, tuple[int, int]]]
    ) -> list[RawMatch]:
        if len(encoded) == len(text):
            return [(e + 1 - n, e + 1, k) for e, (k, n) in found]
        ends = byte_to_codepoint_offsets(encoded.encode("latin-1"), [e + 1 for e, _ in found])
        return [(end - n, end, k) for end, (_, (k, n)) in zip(ends, found, strict=True)]

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        if self._automaton is None:
            return []
        encoded = _to_latin1(text)
        found = list(self._automaton.iter(encoded))
        if not found:
            return []
        return self._to_chars(text, encoded, found)

    def _find_many_raw(self, texts: Sequence[str]) -> list[list[RawMatch]]:
        automaton = self._automaton
        if automaton is None:
            return [[] for _ in texts]
        it = automaton.iter
        to_chars = self._to_chars
        out: list[list[RawMatch]] = []
        append = out.append
        for text in texts:
            encoded = text.encode("utf-8", "surrogatepass").decode("latin-1")
            found = list(it(encoded))
            append(to_chars(text, encoded, found) if found else [])
        return out


    def _find_joined(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> dict[int, list[RawMatch]]:
        # One automaton pass over the whole batch; matches that straddle two texts are
        # dropped afterwards, so no separator is needed.
        out: dict[int, list[RawMatch]] = {}
        if self._automaton is None or not joined:
            return out
        encoded = joined.encode("utf-8", "surrogatepass").decode("latin-1")
        found = list(self._automaton.iter(encoded))
        if not found:
            return out
        ends_b = np.fromiter((e for e, _ in found), dtype=np.int64, count=len(found)) + 1
        keys = [v for _, v in found]
        return _place_byte_matches(joined, len(encoded), codes, bounds, ends_b, keys)


def _find_one(matcher: Matcher, text: str) -> list[RawMatch]:
    """One text through a backend's joined-batch path."""
    bounds = np.array([0, len(text)], dtype=np.int64)
    return matcher._find_joined(text, bounds, None).get(0, [])


def _place_byte_matches(
    joined: str,
    n_bytes: int,
    codes: npt.NDArray[np.uint32] | None,
    bounds: npt.NDArray[np.int64],
    ends_b: npt.NDArray[np.int64],
    keys: list[tuple[int, int]],
) -> dict[int, list[RawMatch]]:
    """Turn matches over the UTF-8 bytes of a joined batch into per-text code points.

    ``ends_b`` are exclusive end byte offsets; ``keys`` the matching ``(keyword index,
    length in code points)``. Matches that straddle two texts are dropped.
    """
    out: dict[int, list[RawMatch]] = {}
    if n_bytes == len(joined):
        ends_c = ends_b
    else:
        if codes is None:
            codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ends_c = byte_to_codepoint_array(codes, ends_b)
    lengths = np.fromiter((n for _, n in keys), dtype=np.int64, count=len(keys))
    starts_c = ends_c - lengths
    owner = np.searchsorted(bounds, starts_c, side="right") - 1
    inside = ends_c <= bounds[owner + 1]
    base = bounds[owner]
    for i, s, e, ok, (k, _) in zip(
        owner.tolist(),
        (starts_c - base).tolist(),
        (ends_c - base).tolist(),
        inside.tolist(),
        keys,
        strict=True,
    ):
        if ok:
            out.setdefault(i, []).append((s, e, k))
    return out


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
            (1, 2, 3) if _mostly_han(keywords) else (1, 2, 3, 4, 6, 8, 12)
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


def _mostly_han(keywords: Sequence[str]) -> bool:
    """Whether at least half the first three characters of the keywords are Han."""
    return han_share(keywords) >= 0.5


class AutoMatcher(Matcher):
    """The default: the fastest backend installed, by the script of the keywords.

    Mostly-Han keyword sets get ``numpy-prefix``: on Chinese the vectorised prefix filter
    is several times faster than an automaton (pyahocorasick's children are searched
    linearly and Han keywords start with thousands of characters). Other sets get an
    automaton, whose small Latin alphabet makes it the faster one there:
    ``ahocorasick-rs`` when the extra ``fast`` is installed, else ``pyahocorasick-utf8``.
    ``delegate`` names the backend chosen.
    """

    name = "auto"

    def _build(self, keywords: tuple[str, ...]) -> None:
        inner: Matcher
        if _mostly_han(keywords):
            inner = NumpyPrefixMatcher(keywords)
        elif has_module("ahocorasick_rs"):
            inner = RustAhoCorasickMatcher(keywords)
        else:
            inner = PyAhoCorasickUtf8Matcher(keywords)
        self._inner = inner
        self.delegate: str = inner.name

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        return self._inner._find_raw(text)

    def _find_many_raw(self, texts: Sequence[str]) -> list[list[RawMatch]]:
        return self._inner._find_many_raw(texts)

    def _find_joined(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> dict[int, list[RawMatch]]:
        return self._inner._find_joined(joined, bounds, codes)


# --------------------------------------------------------------------------------------
# Optional: ahocorasick_rs.


class RustAhoCorasickMatcher(Matcher):
    """The Rust ``ahocorasick_rs`` automaton over UTF-8 bytes, overlapping (extra ``fast``).

    Working on bytes lets lone surrogates through (encoded with ``surrogatepass``) and
    needs no offset conversion for ASCII text; byte offsets are mapped back to code
    points as for ``pyahocorasick-utf8``.
    """

    name = "ahocorasick-rs"
    optional = "fast"

    def _build(self, keywords: tuple[str, ...]) -> None:
        mod = import_optional("ahocorasick_rs", "fast", "the ahocorasick-rs backend")
        self._lengths = [len(k) for k in keywords]
        self._automaton = (
            mod.BytesAhoCorasick([k.encode("utf-8", "surrogatepass") for k in keywords])
            if keywords
            else None
        )

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        return _find_one(self, text)

    def _find_joined(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> dict[int, list[RawMatch]]:
        if self._automaton is None or not joined:
            return {}
        data = joined.encode("utf-8", "surrogatepass")
        found = self._automaton.find_matches_as_indexes(data, overlapping=True)
        if not found:
            return {}
        lengths = self._lengths
        keys = [(k, lengths[k]) for k, _, _ in found]
        ends_b = np.fromiter((e for _, _, e in found), dtype=np.int64, count=len(found))
        return _place_byte_matches(joined, len(data), codes, bounds, ends_b, keys)


class HyperscanMatcher(Matcher):
    """Intel Hyperscan in literal mode over UTF-8 bytes (extra ``hyperscan``).

    Hyperscan reports every end offset of every literal, overlapping ones included;
    offsets are mapped back to code points as for ``pyahocorasick-utf8``.
    """

    name = "hyperscan"
    optional = "hyperscan"

    def _build(self, keywords: tuple[str, ...]) -> None:
        hs = import_optional("hyperscan", "hyperscan", "the hyperscan backend")
        self._lengths = [len(k) for k in keywords]
        self._db = None
        if keywords:
            db = hs.Database(mode=hs.HS_MODE_BLOCK)
            patterns = [k.encode("utf-8", "surrogatepass") for k in keywords]
            db.compile(expressions=patterns, ids=list(range(len(patterns))), literal=True)
            self._db = db

    def _scan(self, data: bytes) -> tuple[list[int], list[int]]:
        ids: list[int] = []
        ends: list[int] = []

        def on_match(k: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            ids.append(k)
            ends.append(end)

        assert self._db is not None
        self._db.scan(data, match_event_handler=on_match)
        return ids, ends

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        return _find_one(self, text)

    def _find_joined(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> dict[int, list[RawMatch]]:
        if self._db is None or not joined:
            return {}
        data = joined.encode("utf-8", "surrogatepass")
        ids, ends = self._scan(data)
        if not ids:
            return {}
        lengths = self._lengths
        keys = [(k, lengths[k]) for k in ids]
        ends_b = np.array(ends, dtype=np.int64)
        return _place_byte_matches(joined, len(data), codes, bounds, ends_b, keys)


BACKENDS: Final[Registry[type[Matcher]]] = Registry("matcher backend")
"""Every backend class by name (a :class:`~censorsim.registry.Registry`)."""

for _cls, _summary in (
    (AhoCorasickMatcher, "pure-Python Aho-Corasick automaton (the reference)"),
    (NaiveMatcher, "str.find for every keyword"),
    (RegexMatcher, "re look-ahead over an escaped alternation"),
    (PyAhoCorasickMatcher, "pyahocorasick over code points"),
    (PyAhoCorasickUtf8Matcher, "pyahocorasick over UTF-8 bytes"),
    (NumpyPrefixMatcher, "numpy prefix hashing, exact verification"),
    (AutoMatcher, "the fastest installed backend for the keywords' script"),
    (RustAhoCorasickMatcher, "ahocorasick_rs over UTF-8 bytes"),
    (HyperscanMatcher, "Intel Hyperscan literals over UTF-8 bytes"),
):
    BACKENDS.add(
        _cls.name,
        _cls,
        requires=_OPTIONAL_MODULE.get(_cls.name, ()),
        extra=_cls.optional,
        summary=_summary,
    )


def available_backends() -> list[str]:
    """Names of the backends whose packages are installed here."""
    return list(BACKENDS.available())


def make_matcher(
    keywords: Iterable[str],
    backend: str = "default",
    *,
    whole_word: bool | Collection[str] = False,
) -> Matcher:
    """Build a matcher for ``keywords`` with the backend named ``backend``.

    ``"default"`` is :data:`DEFAULT_BACKEND`.

    Raises:
        UnknownNameError: for an unknown name (the message lists the known ones).
        MissingDependencyError: when the backend's optional package is not installed
            (the message names the extra).
    """
    name = DEFAULT_BACKEND if backend == "default" else backend
    return BACKENDS.get(name)(keywords, whole_word=whole_word)
