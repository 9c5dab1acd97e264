"""Conformance suite of keyword matchers and normalisers: what every backend must do.

Each ``check_*`` function raises :class:`AssertionError` naming the backend and the
broken property; run it over every registered backend (or a new one before registering
it).

Example:
    >>> check_matcher("naive")
    >>> check_normalizer("default")
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence

import numpy as np

from censorsim.errors import ParameterError
from censorsim.models import Match
from censorsim.text.matchers import AhoCorasickMatcher, Matcher, make_matcher
from censorsim.text.normalize import Normalizer

__all__ = ["check_matcher", "check_normalizer"]

MatcherFactory = Callable[..., Matcher]
"""``factory(keywords, whole_word=...)`` -> a matcher, like a backend class."""

_KEYWORD_SETS: tuple[tuple[str, ...], ...] = (
    ("帶來", "調整", "整體", "領域"),  # overlapping Han
    ("he", "she", "his", "hers", "六四", "六四学生", "四"),  # prefixes, suffixes, mixed
    ("六四", "学生", "民主运动", "法轮功", "习近平", "64"),  # a Chinese list
    ("a", "aa", "aaa", "ab"),  # self-overlapping Latin
    ("😀六四", "\U00020000", "é", "ß"),  # outside the BMP, multi-byte UTF-8
    ("free tibet", "tibet", "falun gong", "Falun"),  # spaces, case
    ("六四", "学生", "六四"),  # a duplicate
)

_TEXTS: tuple[str, ...] = (
    "",
    "帶來abc調整體xyz領域",
    "ushers 六四学生六四",
    "今天习近平说要三连任，我们去吃饭吧。六四 64 学生民主运动",
    "aaaaab",
    "a😀六四\U00020000béß",
    "free tibet! Falun gong, falun gong",
    "nothing here at all",
    "学生" * 5,
)

_WHOLE_WORD_CASES: tuple[tuple[tuple[str, ...], Collection[str] | bool, str, list[Match]], ...] = (
    (("cunt",), True, "Scunthorpe", []),
    (("cunt",), True, "what a cunt!", [Match(7, 11, "cunt")]),
    (("free tibet", "六四"), ["free tibet"], "carefree tibetans", []),
    (
        ("free tibet", "六四"),
        ["free tibet"],
        "free tibet, 六四年",
        [Match(0, 10, "free tibet"), Match(12, 14, "六四")],
    ),
)


def _factory(backend: str | MatcherFactory) -> tuple[str, MatcherFactory]:
    if isinstance(backend, str):
        name = backend

        def build(keywords: Iterable[str], **kw: object) -> Matcher:
            return make_matcher(keywords, name, **kw)  # type: ignore[arg-type]

        return f"matcher backend {name!r}", build
    return f"matcher {getattr(backend, '__name__', backend)!r}", backend


def check_matcher(backend: str | MatcherFactory, texts: Sequence[str] = _TEXTS) -> None:
    """Check a matcher backend (by registered name, or a class/factory) against the reference.

    Properties: on fixed keyword sets (Chinese, overlapping, prefix-sharing, mixed-script,
    outside the BMP, with a duplicate) every occurrence is reported, as the reference
    :class:`~censorsim.text.matchers.AhoCorasickMatcher` finds it, sorted; the spans hold
    the keyword; duplicates are merged in order; ``find_many``, ``find_many_raw`` and
    ``find_joined_raw`` agree with ``find``; the empty text and the empty keyword list find
    nothing; whole-word filtering works on Latin and is skipped for Han; an empty keyword
    raises :class:`~censorsim.errors.ParameterError`.

    Raises:
        AssertionError: a property does not hold (the message names it).
    """
    who, build = _factory(backend)
    for keywords in _KEYWORD_SETS:
        m = build(keywords)
        ref = AhoCorasickMatcher(keywords)
        what = f"{who} with keywords {keywords!r}"
        assert m.keywords == ref.keywords, (
            f"{what}: keywords {m.keywords!r}, expected {ref.keywords!r} (deduplicated, in order)"
        )
        for text in texts:
            got, want = m.find(text), ref.find(text)
            assert got == want, f"{what} on {text!r}: found {got}, the reference finds {want}"
            for x in got:
                assert text[x.start : x.end] == x.keyword, f"{what} on {text!r}: bad span {x}"
        batch = list(texts)
        single = [m.find_raw(t) for t in batch]
        assert m.find_many_raw(batch) == single, f"{what}: find_many_raw differs from find_raw"
        assert m.find_many(batch) == [m.find(t) for t in batch], f"{what}: find_many differs"
        bounds = np.zeros(len(batch) + 1, dtype=np.int64)
        np.cumsum([len(t) for t in batch], out=bounds[1:])
        joined = m.find_joined_raw("".join(batch), bounds)
        expected = {i: raw for i, raw in enumerate(single) if raw}
        assert joined == expected, f"{what}: find_joined_raw differs from find_raw"
    empty = build([])
    assert len(empty) == 0, f"{who}: a matcher without keywords has {len(empty)} keywords"
    assert empty.find("anything") == [], f"{who}: a matcher without keywords found something"
    assert empty.find_many(["a", ""]) == [[], []], f"{who}: find_many without keywords"
    for keywords, whole_word, text, want in _WHOLE_WORD_CASES:
        got = build(keywords, whole_word=whole_word).find(text)
        assert got == want, (
            f"{who} with whole_word={whole_word!r} on {text!r}: found {got}, expected {want}"
        )
    try:
        build(["ok", ""])
    except ParameterError:
        pass
    else:
        raise AssertionError(f"{who}: an empty keyword was accepted")


def check_normalizer(
    normalizer: str | Normalizer, texts: Sequence[str] = (*_TEXTS, "Ａ b ⑩ İ\u200b學")
) -> None:
    """Check a normaliser (profile name, ``+``-joined steps, or object) against its reference.

    Properties: ``normalize``, ``normalize_with_offsets`` and the batch path
    ``normalize_many`` give the text and offsets of the per-step reference
    (``normalize_reference``); offsets are non-decreasing indices into the original text;
    batch spans map like :func:`~censorsim.text.offsets.span_to_original`.

    Raises:
        AssertionError: a property does not hold (the message names it).
    """
    n = Normalizer.from_spec(normalizer)
    who = f"normaliser {n.name!r}"
    batch = n.normalize_many(list(texts))
    assert len(batch) == len(texts), f"{who}: normalize_many returned {len(batch)} texts"
    for i, text in enumerate(texts):
        ref, ref_offsets = n.normalize_reference(text)
        what = f"{who} on {text!r}"
        plain = n.normalize(text)
        assert plain == ref, f"{what}: normalize gives {plain!r}, not {ref!r}"
        fast = n.normalize_with_offsets(text)
        assert fast == (ref, ref_offsets), f"{what}: normalize_with_offsets {fast}"
        assert batch.text(i) == ref, f"{what}: normalize_many gives {batch.text(i)!r}"
        assert batch.offsets(i) == ref_offsets, f"{what}: batch offsets {batch.offsets(i)}"
        assert list(ref_offsets) == sorted(ref_offsets), f"{what}: offsets go backwards"
        assert all(0 <= o < len(text) for o in ref_offsets), f"{what}: offset out of range"
        for start in range(len(ref)):
            span = batch.span(i, start, len(ref))
            want = (ref_offsets[start], ref_offsets[-1] + 1)
            assert span == want, f"{what}: span [{start}, {len(ref)}) maps to {span}, not {want}"
