"""The array fast paths (issue 16) agree with their readable references.

``Matcher.find_joined_arrays`` (numpy-prefix's vectorised verification, daachorse's one
call per batch) must equal ``find_joined_raw``; ``RuleSet.check_many`` (rules decided
over occurrence arrays) must equal ``RuleSet.check_many_plain`` (per-text Python) and the
brute-force ``check_reference``. Chinese, mixed-script, emoji and surrogate text, and
dense lists of one- and two-character keywords.
"""

from __future__ import annotations

import functools
from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.models import Action, Rule, RuleMode
from censorsim.text.matchers import Matcher, available_backends, make_matcher
from censorsim.text.rules import RuleSet
from tests.text.strategies import chars, keyword_lists, texts

# Short keywords from a small alphabet: the dense shape, many occurrences per text.
short_keywords = st.lists(
    st.text(alphabet=chars, min_size=1, max_size=2), min_size=1, max_size=30
)


def _joined(batch: list[str]) -> tuple[str, np.ndarray]:
    bounds = np.zeros(len(batch) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in batch], out=bounds[1:])
    return "".join(batch), bounds


@settings(max_examples=60, deadline=None)
@given(
    kws=keyword_lists | short_keywords,
    batch=st.lists(texts, min_size=1, max_size=5),
    backend=st.sampled_from(available_backends()),
    whole=st.booleans(),
)
def test_arrays_equal_the_raw_batch_path(
    kws: list[str], batch: list[str], backend: str, whole: bool
) -> None:
    m = make_matcher(kws, backend, whole_word=whole)
    joined, bounds = _joined(batch)
    expected = m.find_joined_raw(joined, bounds)
    got = m.find_joined_arrays(joined, bounds)
    assert got.to_dict() == expected
    reference = make_matcher(kws, "reference", whole_word=whole)
    assert got.to_dict() == {
        i: raw for i, t in enumerate(batch) if (raw := reference.find_raw(t))
    }


@settings(max_examples=40, deadline=None)
@given(kws=short_keywords | keyword_lists, batch=st.lists(texts, min_size=1, max_size=5))
def test_numpy_prefix_vectorised_verification_equals_the_python_loop(
    kws: list[str], batch: list[str]
) -> None:
    m = make_matcher(["六四", *kws], "numpy-prefix")  # mostly Han: prefix lengths 1, 2, 3
    joined, bounds = _joined(batch)
    assert m.find_joined_arrays(joined, bounds).to_dict() == m.find_joined_raw(joined, bounds)


@st.composite
def dense_rules(draw: st.DrawFn) -> list[Rule]:
    """Mostly array-path rules (keywords, ALL combinations) and a few Python ones."""
    kws = draw(short_keywords)
    out: list[Rule] = []
    for i in range(draw(st.integers(1, 12))):
        comps = tuple(
            tuple(draw(st.lists(st.sampled_from(kws), min_size=1, max_size=2)))
            for _ in range(draw(st.integers(1, 3)))
        )
        kind = draw(st.sampled_from(["all", "all", "all", "ordered", "unless", "whole"]))
        action = draw(st.sampled_from([Action.HIDE, Action.FLAG, Action.DROP]))
        out.append(
            Rule(
                id=f"r{i}",
                components=comps,
                mode=RuleMode.ORDERED if kind == "ordered" else RuleMode.ALL,
                whole_word=kind == "whole",
                unless=((draw(st.sampled_from(kws)),),) if kind == "unless" else (),
                action=action,
                added=draw(st.none() | st.just(date(2020, 1, 1))),
            )
        )
    return out


@settings(max_examples=80, deadline=None)
@given(
    rule_list=dense_rules(),
    batch=st.lists(texts, min_size=1, max_size=6),
    backend=st.sampled_from(["default", "numpy-prefix", "daachorse", "pyahocorasick-utf8"]),
    on=st.none() | st.sampled_from([date(2019, 6, 1), date(2021, 6, 1)]),
)
def test_array_rule_evaluation_equals_the_plain_path(
    rule_list: list[Rule], batch: list[str], backend: str, on: date | None
) -> None:
    try:
        rs = RuleSet(rule_list, backend=backend)
    except Exception as exc:  # a keyword that normalises to nothing
        assert "normalises to nothing" in str(exc)
        return
    fast = rs.check_many(batch, on=on)
    plain = rs.check_many_plain(batch, on=on)
    assert list(fast) == list(plain)
    assert fast.fired_indices == plain.fired_indices
    assert fast.censored_indices == plain.censored_indices
    assert fast.matched_indices == plain.matched_indices
    for text, got in zip(batch, fast, strict=True):
        ref = rs.check_reference(text, on=on)
        assert got.hits == ref.hits


def test_a_dense_message_fires_through_the_arrays() -> None:
    rs = RuleSet(
        [Rule.keyword("六"), Rule.keyword("四"), Rule.combination("学生+六四", id="c"),
         Rule.combination("民主+运动+法", id="d"), Rule.combination("六+无", id="e")],
        backend="numpy-prefix",
    )
    res = rs.check_many(["六四学生民主运动", "無六", "nothing"])
    assert [r.rule_ids for r in res] == [("六", "四", "c"), ("六", "e"), ()]
    assert res.fired_indices == [0, 1]
    assert res[0].hits[2].matched == ("学生", "六四")


@settings(max_examples=60, deadline=None)
@given(
    kws=st.lists(st.text(alphabet="abcAB64 -\x00", min_size=1, max_size=3), min_size=1,
                 max_size=12),
    batch=st.lists(texts, min_size=1, max_size=5),
)
def test_daachorse_bytewise_path_on_ascii_lists(kws: list[str], batch: list[str]) -> None:
    # ASCII keyword lists take daachorse's byte-wise automaton; texts are mixed-script
    # (Han, emoji, a lone surrogate), so byte offsets must map back to code points.
    m = make_matcher(kws, "daachorse")
    assert m._bytewise is not None  # type: ignore[attr-defined]
    reference = make_matcher(kws, "reference")
    joined, bounds = _joined(batch)
    assert m.find_joined_arrays(joined, bounds).to_dict() == {
        i: raw for i, t in enumerate(batch) if (raw := reference.find_raw(t))
    }


def _large_ascii_list() -> list[str]:
    # About 100 KiB of keywords: more than DAACHORSE_PROFILE_BYTES, so daachorse's
    # profile-guided build sees an evenly spaced sample of them, not the whole list.
    syllables = ["ka", "lo", "mi", "ne", "su", "ta", "vo", "ri"]
    return ["".join(syllables[(k >> (3 * j)) % 8] for j in range(6)) for k in range(9_000)]


_LARGE_ASCII = _large_ascii_list()


def test_daachorse_profile_corpus_is_a_bounded_sample() -> None:
    from censorsim.text.matchers._compiled import DAACHORSE_PROFILE_BYTES, _profile_corpus

    patterns = [kw.encode("ascii") for kw in _LARGE_ASCII]
    corpus = _profile_corpus(patterns)
    assert sum(map(len, patterns)) > DAACHORSE_PROFILE_BYTES
    assert 0 < len(corpus) <= DAACHORSE_PROFILE_BYTES
    step = -(-sum(map(len, patterns)) // DAACHORSE_PROFILE_BYTES)
    assert corpus.startswith(patterns[0] + patterns[step])  # evenly spaced keywords
    small = patterns[:10]
    assert _profile_corpus(small) == b"".join(small)  # a small list: all of it


@settings(max_examples=40, deadline=None)
@given(
    batch=st.lists(
        st.lists(st.sampled_from(["ka", "lo", "mi", "ne", "su", "ta", "vo", "ri", " ", "中", "x"]),
                 max_size=40).map("".join),
        min_size=1, max_size=5,
    ),
)
def test_daachorse_profiled_automaton_finds_what_the_reference_finds(batch: list[str]) -> None:
    # The profile-guided layout changes where states live, never what is found.
    profiled, reference = _large_matchers()
    joined, bounds = _joined(batch)
    assert profiled.find_joined_arrays(joined, bounds).to_dict() == {
        i: raw for i, t in enumerate(batch) if (raw := reference.find_raw(t))
    }


@functools.cache
def _large_matchers() -> tuple[Matcher, Matcher]:
    return make_matcher(_LARGE_ASCII, "daachorse"), make_matcher(_LARGE_ASCII, "reference")
