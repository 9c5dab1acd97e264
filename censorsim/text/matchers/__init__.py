"""Multi-keyword matchers: one interface, several backends selected by name.

Every backend reports *every* occurrence of every keyword, overlapping ones included, as
half-open ``[start, end)`` spans in code points of the text it was given, sorted by
``(start, end, keyword index)``. Ordering, de-duplication of keywords and whole-word
filtering live once, in :class:`Matcher`; a backend only finds raw occurrences.

The interface is in ``_base``; the backends in ``_python`` (reference, naive, regex),
``_compiled`` (pyahocorasick, ahocorasick_rs, Hyperscan) and ``_prefix`` (numpy-prefix);
this module adds ``auto`` and the registry.

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
    ``numpy-prefix`` for mostly-Han keyword sets; ``hyperscan`` (extra ``hyperscan``)
    for ASCII keyword sets of at most :data:`AUTO_HYPERSCAN_MAX_KEYWORDS`; otherwise
    ``ahocorasick-rs`` when
    installed and the list is of a shape it builds fast (:func:`rust_builds_fast`: at
    most 10,000 keywords, 2,000 when many extend others), else ``daachorse`` when
    installed, else ``pyahocorasick-utf8`` (measured: ``docs/benchmarks.md``).
``ahocorasick-rs``
    The Rust ``ahocorasick_rs`` package (extra ``fast``), overlapping mode.
``hyperscan``
    Intel Hyperscan's literal compiler over UTF-8 bytes (extra ``hyperscan``).
``daachorse``
    :class:`DaachorseMatcher`: the ``daachorse`` package's character-wise double-array
    Aho-Corasick automaton (extra ``daachorse``), one call per joined batch.

Example:
    >>> m = make_matcher(["六四", "四学", "学生"])
    >>> [(x.start, x.end, x.keyword) for x in m.find("六四学生")]
    [(0, 2, '六四'), (1, 3, '四学'), (2, 4, '学生')]
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from itertools import pairwise
from typing import Final

import numpy as np
import numpy.typing as npt

from censorsim._optional import has_module
from censorsim.registry import Registry
from censorsim.text.matchers._base import MatchArrays, Matcher, RawMatch, is_word_boundary
from censorsim.text.matchers._compiled import (
    DaachorseMatcher,
    HyperscanMatcher,
    PyAhoCorasickMatcher,
    PyAhoCorasickUtf8Matcher,
    RustAhoCorasickMatcher,
    _reduce_by_rebuilding,
)
from censorsim.text.matchers._prefix import NumpyPrefixMatcher, mostly_han
from censorsim.text.matchers._python import AhoCorasickMatcher, NaiveMatcher, RegexMatcher

__all__ = [
    "AUTO_HYPERSCAN_MAX_KEYWORDS",
    "AUTO_RUST_MAX_KEYWORDS",
    "AUTO_RUST_MAX_NESTED",
    "BACKENDS",
    "DEFAULT_BACKEND",
    "AhoCorasickMatcher",
    "AutoMatcher",
    "DaachorseMatcher",
    "HyperscanMatcher",
    "MatchArrays",
    "Matcher",
    "NaiveMatcher",
    "NumpyPrefixMatcher",
    "PyAhoCorasickMatcher",
    "PyAhoCorasickUtf8Matcher",
    "RawMatch",
    "RegexMatcher",
    "RustAhoCorasickMatcher",
    "available_backends",
    "hyperscan_fits",
    "is_word_boundary",
    "make_matcher",
    "nested_share",
    "rust_builds_fast",
]

DEFAULT_BACKEND: Final = "auto"

_OPTIONAL_MODULE: Final = {
    "ahocorasick-rs": "ahocorasick_rs",
    "hyperscan": "hyperscan",
    "daachorse": "daachorse",
}
"""The module an optional backend imports (its extra is the class's ``optional``)."""


class AutoMatcher(Matcher):
    """The default: the fastest backend installed, by the shape of the keywords.

    Chosen by measurement (the table and the command that made it are in
    ``docs/benchmarks.md``, section "Matcher choice"): over the occurrence arrays the
    pipeline uses, mostly-Han keyword sets get ``numpy-prefix``, fastest on generated
    chat lists, the Citizen Lab lists (many two- and three-character keywords), dense
    lists of one- and two-character keywords and long documents. Other sets get an
    automaton: ``hyperscan`` for ASCII sets of at most
    :data:`AUTO_HYPERSCAN_MAX_KEYWORDS` when the extra ``hyperscan`` is installed
    (measured on English chat and documents with 10,000 keywords: 1.7x and 1.8x
    ``daachorse``'s scan over the normalised stream, for a build of about 0.5 s on a
    quiet machine instead of 0.2 s), then ``ahocorasick-rs`` when the extra ``fast`` is
    installed and
    :func:`rust_builds_fast` (its build is quadratic on large lists such as
    ``w0..w199999``), else ``daachorse`` (extra ``daachorse``; about twice
    ``pyahocorasick-utf8`` there, linear build), else ``pyahocorasick-utf8``.
    ``delegate`` names the backend chosen.
    """

    name = "auto"

    def _build(self, keywords: tuple[str, ...]) -> None:
        inner: Matcher
        if mostly_han(keywords):
            inner = NumpyPrefixMatcher(keywords)
        elif hyperscan_fits(keywords):
            inner = HyperscanMatcher(keywords)
        elif has_module("ahocorasick_rs") and rust_builds_fast(keywords):
            inner = RustAhoCorasickMatcher(keywords)
        elif has_module("daachorse"):
            inner = DaachorseMatcher(keywords)
        else:
            inner = PyAhoCorasickUtf8Matcher(keywords)
        self._inner = inner
        self.delegate: str = inner.name

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled as its keywords; unpickling chooses (and builds) the backend again.
        return _reduce_by_rebuilding(self)

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        return self._inner._find_raw(text)

    def _find_many_raw(self, texts: Sequence[str]) -> list[list[RawMatch]]:
        return self._inner._find_many_raw(texts)

    def _find_joined(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> dict[int, list[RawMatch]]:
        return self._inner._find_joined(joined, bounds, codes)

    def _find_joined_arrays(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> MatchArrays:
        return self._inner._find_joined_arrays(joined, bounds, codes)


AUTO_HYPERSCAN_MAX_KEYWORDS: Final = 10_000
"""The most ASCII keywords ``auto`` hands to ``hyperscan`` (its build grows fast: about
7 s for 100,000 English keywords on a quiet machine, where ``daachorse`` also scans
faster)."""


def hyperscan_fits(keywords: Sequence[str]) -> bool:
    """Whether ``auto`` gives ``keywords`` to ``hyperscan``: installed, ASCII, few enough."""
    return (
        0 < len(keywords) <= AUTO_HYPERSCAN_MAX_KEYWORDS
        and has_module("hyperscan")
        and all(map(str.isascii, keywords))
    )


AUTO_RUST_MAX_KEYWORDS: Final = 10_000
"""The most keywords ``auto`` hands to ``ahocorasick-rs`` (see :func:`rust_builds_fast`)."""
AUTO_RUST_MAX_NESTED: Final = 2_000
"""The most keywords ``auto`` hands it when many keywords extend others (``w1``, ``w10``)."""


def nested_share(keywords: Sequence[str]) -> float:
    """The share of keywords that are a proper prefix of another keyword (sorted order).

    ``w0..w199999`` gives 0.1 (``w1`` is a prefix of ``w10``); O(n log n).
    """
    if len(keywords) < 2:
        return 0.0
    s = sorted(keywords)
    return sum(1 for a, b in pairwise(s) if b.startswith(a)) / len(s)


def rust_builds_fast(keywords: Sequence[str]) -> bool:
    """Whether ``ahocorasick-rs`` builds an automaton for ``keywords`` in bounded time.

    Its build is quadratic on some shapes (measured: 20,000 keywords ``w0..w19999``
    take 1.6-2.6 s, 40,000 take 6.6-8.5 s, 200,000 take 83 s; 200,000 random 8-letter
    words 4.3 s), while ``pyahocorasick-utf8`` builds 200,000 ``w<i>`` in 0.6 s and a
    million in 4.6 s. So ``auto`` gives it at most :data:`AUTO_RUST_MAX_KEYWORDS`
    keywords, and at most :data:`AUTO_RUST_MAX_NESTED` when 5% or more of them are a
    prefix of another.
    """
    n = len(keywords)
    if n > AUTO_RUST_MAX_KEYWORDS:
        return False
    return n <= AUTO_RUST_MAX_NESTED or nested_share(keywords) < 0.05


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
    (DaachorseMatcher, "daachorse character-wise double-array automaton"),
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
