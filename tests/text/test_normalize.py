"""Normalizer: each step, profiles, offsets, and the fast paths against the reference."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.errors import ParameterError, UnknownNameError
from censorsim.models import Rule
from censorsim.text.normalize import PROFILES, STEPS, Normalizer, span_to_original
from censorsim.text.rules import RuleSet
from tests.text.strategies import any_text, keywords, texts

ALL = [Normalizer.from_profile(p) for p in PROFILES] + [Normalizer([s]) for s in STEPS]


@pytest.mark.parametrize(
    ("steps", "text", "expected"),
    [
        (["casefold"], "FaLun Straße", "falun strasse"),
        (["width"], "ＦＡＬＵＮ６４　!", "FALUN64 !"),
        (["width"], "ｶﾀｶﾅ", "カタカナ"),
        (["t2s"], "六四學生民主運動", "六四学生民主运动"),
        (["t2s"], "劉曉波", "刘晓波"),
        (["ignorable"], "六 四,學\u200b生！🙂\ufe0f", "六四學生"),
        (["digits"], "⑥④ ６４ ٦٤ ⑩ ²", "64 64 64 10 2"),
        ([], "ＡＢ 六", "ＡＢ 六"),
    ],
)
def test_steps(steps: list[str], text: str, expected: str) -> None:
    n = Normalizer(steps)
    assert n.normalize(text) == expected
    assert n.normalize_reference(text)[0] == expected
    assert n.normalize_many([text]).texts == [expected]


def test_default_profile_folds_everything() -> None:
    n = Normalizer.from_profile("default")
    assert n.normalize("六 四 ６４ 學生 FALUN ⑥④") == "六四64学生falun64"
    assert n.steps == PROFILES["default"]


def test_identity_profile_changes_nothing() -> None:
    n = Normalizer.from_profile("identity")
    assert n.is_identity
    text = "六 四 ６４ \ud800 😀"
    assert n.normalize(text) == text
    assert n.normalize_with_offsets(text) == (text, tuple(range(len(text))))


def test_offsets_point_into_the_original() -> None:
    n = Normalizer.from_profile("default")
    text = "x ⑩ 學，生"
    norm, offsets = n.normalize_with_offsets(text)
    assert norm == "x10学生"
    assert offsets == (0, 2, 2, 4, 6)
    assert span_to_original(offsets, 1, 3) == (2, 3)
    assert span_to_original(offsets, 3, 5) == (4, 7)
    with pytest.raises(ParameterError, match="empty span"):
        span_to_original(offsets, 2, 2)


def test_unknown_names_are_rejected() -> None:
    with pytest.raises(UnknownNameError, match="unknown normalisation step 'nope'"):
        Normalizer(["casefold", "nope"])
    with pytest.raises(UnknownNameError, match="unknown normalisation profile"):
        Normalizer.from_profile("wechat-2099")
    assert Normalizer.from_spec("casefold+width").steps == ("casefold", "width")
    assert Normalizer.from_spec(None) == Normalizer.from_profile("default")


@pytest.mark.parametrize("norm", ALL, ids=lambda n: n.name)
@settings(max_examples=60, deadline=None)
@given(text=st.one_of(texts, any_text))
def test_fast_paths_equal_reference(norm: Normalizer, text: str) -> None:
    ref_text, ref_offsets = norm.normalize_reference(text)
    assert norm.normalize(text) == ref_text
    assert norm.normalize_with_offsets(text) == (ref_text, ref_offsets)


@pytest.mark.parametrize("norm", ALL, ids=lambda n: n.name)
@settings(max_examples=40, deadline=None)
@given(batch=st.lists(st.one_of(texts, any_text), max_size=6))
def test_batch_equals_reference(norm: Normalizer, batch: list[str]) -> None:
    result = norm.normalize_many(batch)
    assert len(result.texts) == len(batch)
    for i, text in enumerate(batch):
        ref_text, ref_offsets = norm.normalize_reference(text)
        assert result.texts[i] == ref_text
        assert result.offsets(i) == ref_offsets
        for start in range(len(ref_text)):
            end = min(len(ref_text), start + 3)
            assert result.span(i, start, end) == span_to_original(ref_offsets, start, end)


def test_normalisation_is_idempotent_on_examples() -> None:
    n = Normalizer.from_profile("default")
    for text in ["六 四 學生", "ＦＡＬＵＮ ⑥④", "Straße ⑩"]:
        once = n.normalize(text)
        assert n.normalize(once) == once


@pytest.mark.parametrize("norm", ALL, ids=lambda n: n.name)
@settings(max_examples=40, deadline=None)
@given(batch=st.lists(st.text(alphabet=st.characters(max_codepoint=127), max_size=20), max_size=6))
def test_ascii_batches_equal_reference(norm: Normalizer, batch: list[str]) -> None:
    # All-ASCII batches take the bytes.translate path.
    result = norm.normalize_many(batch)
    for i, text in enumerate(batch):
        ref_text, ref_offsets = norm.normalize_reference(text)
        assert result.text(i) == ref_text
        assert result.offsets(i) == ref_offsets


# -- issue 10 item 16: characters that expand, and idempotence ------------------------------


def test_a_string_is_a_profile_name() -> None:
    """Issue 10: ``Normalizer("default")`` iterated characters ("unknown step 'd'")."""
    assert Normalizer("default") == Normalizer.from_profile("default")
    assert Normalizer("default").name == "default"
    assert Normalizer("identity").is_identity
    with pytest.raises(ParameterError, match=r"Normalizer\('nope'\): a string must be a profile"):
        Normalizer("nope")


def test_one_expanded_character_is_one_unit() -> None:
    """Issue 10 item 16: ``ß`` alone fired ``s+s``; ``⑩``'s span did not give back ``1``.

    Reproducer: ``RuleSet([Rule.combination("s+s")]).check("ß").censored`` was True.
    A match may not cut the output of one original character.
    """
    rs = RuleSet([Rule.combination("s+s"), Rule.keyword("1", id="one")])
    assert not rs.check("ß").censored
    assert rs.check("ss").rule_ids == ("s+s",)
    assert not rs.check("ßs").censored  # one s from ß's "ss" would cut it
    assert rs.check("ßss").hits[0].spans == ((1, 2), (2, 3))
    assert not rs.check("⑩").censored
    assert rs.check("⑪1").hits[0].spans == ((1, 2),)
    ten = RuleSet([Rule.keyword("10"), Rule.keyword("strasse")])
    assert ten.check("⑩").hits[0].spans == ((0, 1),)
    assert ten.check("Straße").rule_ids == ("strasse",)
    assert [m.keyword for m in ten.find("⑩ Straße")] == ["10", "strasse"]


def test_dotted_capital_i_folds_to_i() -> None:
    """Issue 10 item 16: ``İSTANBUL`` missed ``istanbul`` (casefold gives i + U+0307)."""
    rs = RuleSet([Rule.keyword("istanbul")])
    assert rs.check("İSTANBUL").censored
    assert rs.check("İSTANBUL").hits[0].spans == ((0, 8),)
    assert Normalizer.from_profile("default").normalize("İ") == "i"


def test_t2s_is_idempotent_for_every_character() -> None:
    """Issue 10 item 16: t2s was not idempotent for 薴 (薴→苧→苎); now 薴→苎.

    Exhaustive over every character any profile changes.
    """
    assert Normalizer.from_profile("default").normalize("薴") == "苎"
    for profile in PROFILES:
        n = Normalizer.from_profile(profile)
        for cp in n._map:
            once = n.normalize(chr(cp))
            assert n.normalize(once) == once, (profile, hex(cp))


@settings(max_examples=300, deadline=None)
@given(text=any_text | texts, profile=st.sampled_from(sorted(PROFILES)))
def test_normalising_twice_equals_once(text: str, profile: str) -> None:
    n = Normalizer.from_profile(profile)
    once = n.normalize(text)
    assert n.normalize(once) == once
    assert n.normalize_reference(once)[0] == once


@settings(max_examples=300, deadline=None)
@given(
    kws=st.lists(keywords, min_size=1, max_size=5),
    batch=st.lists(texts, min_size=1, max_size=4),
    profile=st.sampled_from(sorted(PROFILES)),
)
def test_every_span_normalises_to_its_keyword(
    kws: list[str], batch: list[str], profile: str
) -> None:
    n = Normalizer.from_profile(profile)
    rules = [Rule.keyword(k, id=f"k{i}") for i, k in enumerate(kws) if n.normalize(k)]
    if not rules:
        return
    rs = RuleSet(rules, normalizer=n)
    for text, result in zip(batch, rs.check_many(batch), strict=True):
        ref = rs.check_reference(text)
        assert result.matches == ref.matches
        for m in result.matches:
            assert n.normalize(text[m.start : m.end]) == m.keyword
        for hit in result.hits:
            for (s, e), kw in zip(hit.spans, hit.matched, strict=True):
                assert n.normalize(text[s:e]) == n.normalize(kw)


def test_the_skipped_planes_hold_no_character_here() -> None:
    """Step maps skip planes 4-13 (issue 16 target 3, build time): nothing there may map."""
    import unicodedata

    from censorsim.text.normalize import _UNASSIGNED_PLANES

    lo, hi = _UNASSIGNED_PLANES
    if int(unicodedata.unidata_version.split(".")[0]) > 16:
        return  # walked in full on a newer database
    for cp in range(lo, hi, 7):  # a stride keeps it fast; every block is Cn alike
        ch = chr(cp)
        assert unicodedata.category(ch) == "Cn" and ch.casefold() == ch
