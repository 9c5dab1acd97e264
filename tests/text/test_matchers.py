"""Matcher contract over every backend, and property tests against the reference."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.errors import ParameterError, UnknownNameError
from censorsim.models import Match
from censorsim.text.matchers import (
    BACKENDS,
    DEFAULT_BACKEND,
    AhoCorasickMatcher,
    Matcher,
    available_backends,
    is_word_boundary,
    make_matcher,
)
from tests.text.strategies import any_text, keyword_lists, texts

BACKEND_NAMES = available_backends()


def test_every_backend_is_installed_in_the_test_environment() -> None:
    # CI installs the test extra, which brings every optional matcher package; a
    # backend missing here would silently escape the contract tests.
    assert set(BACKEND_NAMES) == set(BACKENDS)
    assert DEFAULT_BACKEND in BACKEND_NAMES


@pytest.fixture(params=BACKEND_NAMES)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# -- contract ----------------------------------------------------------------------------


def test_overlapping_occurrences_are_all_reported(backend: str) -> None:
    m = make_matcher(["帶來", "調整", "整體", "領域"], backend)
    assert m.find("帶來abc調整體xyz領域") == [
        Match(0, 2, "帶來"),
        Match(5, 7, "調整"),
        Match(6, 8, "整體"),
        Match(11, 13, "領域"),
    ]


def test_prefixes_suffixes_and_repeats(backend: str) -> None:
    m = make_matcher(["he", "she", "his", "hers", "六四", "六四学生", "四"], backend)
    assert [(x.start, x.end, x.keyword) for x in m.find("ushers 六四学生六四")] == [
        (1, 4, "she"),
        (2, 4, "he"),
        (2, 6, "hers"),
        (7, 9, "六四"),
        (7, 11, "六四学生"),
        (8, 9, "四"),
        (11, 13, "六四"),
        (12, 13, "四"),
    ]
    assert m.find("aaaa") == []
    assert m.find("") == []


def test_spans_are_code_points_outside_the_bmp(backend: str) -> None:
    m = make_matcher(["😀六四", "\U00020000"], backend)
    text = "a😀六四\U00020000b"
    found = m.find(text)
    assert [(x.start, x.end) for x in found] == [(1, 4), (4, 5)]
    assert all(text[x.start : x.end] == x.keyword for x in found)


def test_lone_surrogates_never_crash(backend: str) -> None:
    m = make_matcher(["a\ud800", "六四"], backend)
    assert m.find("xa\ud800六四\udfff") == [Match(1, 3, "a\ud800"), Match(3, 5, "六四")]
    assert make_matcher(["六四"], backend).find("\ud800六四") == [Match(1, 3, "六四")]


def test_duplicate_keywords_are_merged(backend: str) -> None:
    m = make_matcher(["六四", "学生", "六四"], backend)
    assert m.keywords == ("六四", "学生")
    assert len(m) == 2
    assert m.find_raw("六四") == [(0, 2, 0)]


def test_no_keywords(backend: str) -> None:
    m = make_matcher([], backend)
    assert m.find("anything") == []
    assert m.find_many(["a", ""]) == [[], []]


def test_whole_word_filtering_is_shared(backend: str) -> None:
    m = make_matcher(["cunt", "free tibet", "六四"], backend, whole_word=["cunt", "free tibet"])
    assert m.find("Scunthorpe") == []
    assert m.find("what a cunt!") == [Match(7, 11, "cunt")]
    assert m.find("carefree tibetans") == []
    assert m.find("free tibet, 六四年") == [Match(0, 10, "free tibet"), Match(12, 14, "六四")]


def test_batch_equals_single(backend: str) -> None:
    m = make_matcher(["六四", "学生", "he"], backend)
    batch = ["六四学生", "", "the六四", "nothing", "学生" * 3]
    assert m.find_many(batch) == [m.find(t) for t in batch]
    assert m.find_many_raw(batch) == [m.find_raw(t) for t in batch]


def test_empty_keyword_is_rejected(backend: str) -> None:
    with pytest.raises(ParameterError, match="empty keyword"):
        make_matcher(["ok", ""], backend)


def test_unknown_backend_names_the_known_ones() -> None:
    with pytest.raises(UnknownNameError, match=r"unknown matcher backend 'fastest'.*reference"):
        make_matcher(["a"], "fastest")


def test_backends_describe_themselves() -> None:
    for name, cls in BACKENDS.items():
        assert issubclass(cls, Matcher)
        assert cls.name == name
    assert make_matcher(["a"]).name == DEFAULT_BACKEND


# -- the reference exposes its automaton ------------------------------------------------


def test_reference_automaton_structure() -> None:
    m = AhoCorasickMatcher(["he", "she", "his", "hers"])
    # Classic example (Aho and Corasick 1975): states spell prefixes of the keywords.
    spelled = {0: ""}
    for state, edges in enumerate(m.goto):
        for ch, nxt in edges.items():
            spelled[nxt] = spelled[state] + ch
    assert sorted(spelled.values()) == ["", "h", "he", "her", "hers", "hi", "his", "s", "sh", "she"]
    by_name = {v: k for k, v in spelled.items()}
    assert spelled[m.fail[by_name["she"]]] == "he"
    assert spelled[m.fail[by_name["hers"]]] == "s"
    assert spelled[m.fail[by_name["his"]]] == "s"
    assert {m.keywords[k] for k in m.output[by_name["she"]]} == {"she", "he"}
    assert [s.depth for s in m.states][by_name["hers"]] == 4
    trace = list(m.trace("ushers"))
    assert [spelled[state] for _, _, state, _ in trace] == ["", "s", "sh", "she", "her", "hers"]


def test_word_boundaries() -> None:
    assert not is_word_boundary("Scunthorpe", 1, 5)
    assert is_word_boundary("a cunt.", 2, 6)
    assert is_word_boundary("六四学生", 0, 2)  # Han needs no boundary
    assert not is_word_boundary("tibetan", 0, 5)


# -- property tests ------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(keywords=keyword_lists, text=st.one_of(texts, any_text))
def test_every_backend_equals_the_reference(keywords: list[str], text: str) -> None:
    ref = make_matcher(keywords, "reference")
    expected = ref.find_raw(text)
    # The reference agrees with the obvious definition.
    naive = sorted(
        (i, i + len(kw), k)
        for k, kw in enumerate(ref.keywords)
        for i in range(len(text))
        if text.startswith(kw, i)
    )
    assert expected == naive
    for name in BACKEND_NAMES:
        assert make_matcher(keywords, name).find_raw(text) == expected, name


@settings(max_examples=80, deadline=None)
@given(keywords=keyword_lists, batch=st.lists(st.one_of(texts, any_text), max_size=40))
def test_every_batch_path_equals_the_reference(keywords: list[str], batch: list[str]) -> None:
    ref = make_matcher(keywords, "reference")
    expected = [ref.find_raw(t) for t in batch]
    for name in BACKEND_NAMES:
        assert make_matcher(keywords, name).find_many_raw(batch) == expected, name


@settings(max_examples=60, deadline=None)
@given(keywords=keyword_lists, text=texts, whole=st.booleans())
def test_whole_word_equals_filtered_reference(keywords: list[str], text: str, whole: bool) -> None:
    ref = make_matcher(keywords, "reference")
    expected = [
        m for m in ref.find_raw(text) if not whole or is_word_boundary(text, m[0], m[1])
    ]
    for name in BACKEND_NAMES:
        assert make_matcher(keywords, name, whole_word=whole).find_raw(text) == expected


@settings(max_examples=40, deadline=None)
@given(keywords=keyword_lists, batch=st.lists(texts, max_size=10))
def test_prefix_hash_collisions_stay_exact(keywords: list[str], batch: list[str]) -> None:
    import censorsim.text.matchers._prefix as mod

    saved = mod._HASH_BITS
    mod._HASH_BITS = 2  # four buckets: almost every position collides
    try:
        fast = make_matcher(keywords, "numpy-prefix")
        got = fast.find_many_raw(batch)
    finally:
        mod._HASH_BITS = saved
    ref = make_matcher(keywords, "reference")
    assert got == [ref.find_raw(t) for t in batch]


@settings(max_examples=60, deadline=None)
@given(keywords=keyword_lists, batch=st.lists(st.one_of(texts, any_text), max_size=30))
def test_every_joined_path_equals_the_reference(keywords: list[str], batch: list[str]) -> None:
    import numpy as np

    ref = make_matcher(keywords, "reference")
    expected = {i: ref.find_raw(t) for i, t in enumerate(batch) if ref.find_raw(t)}
    bounds = np.zeros(len(batch) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in batch], out=bounds[1:])
    joined = "".join(batch)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    for name in BACKEND_NAMES:
        m = make_matcher(keywords, name)
        assert m.find_joined_raw(joined, bounds) == expected, name
        assert m.find_joined_raw(joined, bounds, codes) == expected, name
