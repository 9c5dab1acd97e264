"""Probing: the oracle, both isolation methods, and the isolation property."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from censorsim.errors import CensorsimError, ParameterError, UnknownNameError
from censorsim.models import Rule
from censorsim.policy import Censor, Policy, Region, Surface, SurfacePolicy
from censorsim.probe import (
    METHODS,
    BudgetExhausted,
    Oracle,
    check_separator,
    choose_separator,
    isolate,
    isolate_binary_split,
    isolate_recursive_halving,
)
from censorsim.text.rules import RuleSet
from censorsim.text.script import common_han

XI = RuleSet([Rule.combination("习近平+三连任")], normalizer="identity")
ARTICLE = "今天天气很好，习近平说要三连任，我们去吃饭吧。"


def test_binary_split_isolates_a_combination() -> None:
    oracle = Oracle(XI)
    iso = isolate_binary_split(oracle, ARTICLE)
    assert iso.components == ("习近平", "三连任")
    assert [ARTICLE[s:e] for s, e in iso.spans] == list(iso.components)
    assert iso.confirmed and not iso.exhausted and iso.method == "binary-split"
    assert iso.queries == oracle.queries


def test_recursive_halving_isolates_a_combination() -> None:
    iso = isolate_recursive_halving(Oracle(XI), ARTICLE)
    assert iso.components == ("习近平", "三连任") and iso.confirmed


def test_overlapping_components_survive_only_in_binary_split() -> None:
    rs = RuleSet([Rule.combination("帶來+調整+整體+領域")], normalizer="identity")
    text = "今天帶來abc調整體xyz領域的消息"
    iso = isolate(Oracle(rs), text, "binary-split")
    assert sorted(iso.components) == sorted(["帶來", "調整", "整體", "領域"])
    assert iso.confirmed
    old = isolate(Oracle(rs), text, "recursive-halving")
    assert old.components == ("帶來", "調整體", "領域")  # censored, but not the rule


def test_adjacent_components_merge_in_recursive_halving() -> None:
    text = "吃饭了吗习近平三连任好的"
    assert isolate(Oracle(XI), text).components == ("习近平", "三连任")
    old = isolate(Oracle(XI), text, "recursive-halving")
    assert old.components == ("习近平三连任",)


def test_not_censored_text_isolates_nothing() -> None:
    for method in METHODS:
        iso = isolate(Oracle(XI), "天气很好", method)
        assert iso.components == () and not iso.confirmed and iso.queries == 1


def test_budget() -> None:
    oracle = Oracle(XI, budget=5)
    iso = isolate_binary_split(oracle, ARTICLE)
    assert iso.exhausted and not iso.confirmed and oracle.queries == 5
    iso = isolate_recursive_halving(Oracle(XI, budget=3), ARTICLE)
    assert iso.exhausted
    with pytest.raises(BudgetExhausted):
        Oracle(XI, budget=0).query(["x"])
    assert issubclass(BudgetExhausted, CensorsimError)


def test_separator_joins_fragments() -> None:
    seen: list[str] = []

    def check(text: str) -> bool:
        seen.append(text)
        return False

    Oracle(check, separator="|").query(["a", "", "b"])
    assert seen == ["a|b"]
    with pytest.raises(ParameterError, match="separator"):
        Oracle(check, separator="")
    with pytest.raises(ParameterError, match="budget"):
        Oracle(check, budget=-1)
    with pytest.raises(TypeError):
        Oracle(42)  # type: ignore[arg-type]
    with pytest.raises(UnknownNameError, match="unknown isolation method"):
        isolate(Oracle(check), "x", "nope")


def test_separator_the_normaliser_removes_is_refused() -> None:
    """Issue 10, item 11: a separator the censor's normaliser removes is refused.

    Reproducer: ``Oracle(RuleSet([Rule.combination("习近平+三连任")]), separator="\\n")``
    was accepted, the ``default`` profile strips the newline, every query's fragments ran
    together and the binary split returned six one-character "components".
    """
    default = RuleSet([Rule.combination("习近平+三连任")])  # strips newlines
    with pytest.raises(ParameterError, match=r"separator '\\n': the censor's normaliser "
                                             r"'default' removes it"):
        Oracle(default, separator="\n")
    with pytest.raises(ParameterError, match="removes it"):
        Oracle(default, separator=" \u200b，")  # space, zero-width space, comma: all stripped
    Oracle(default, separator="\n，吧")  # partly removed is fine: 吧 stays between fragments
    # Only to show what the check prevents: the fragments merge.
    iso = isolate(Oracle(default, separator="\n", check=False), ARTICLE)
    assert iso.confirmed and len(iso.components) == 6  # one character each


def test_separator_a_keyword_contains_is_refused() -> None:
    """Issue 10, item 11: a separator that a keyword of the censor contains is refused.

    Reproducer: ``censorsim probe isolate -r wechat-combinations.csv --separator 习 ...``
    was accepted; ``习`` + ``近平`` in two fragments then formed ``习近平`` across the join.
    """
    with pytest.raises(ParameterError, match=r"separator '习': keyword '习近平' contains '习'"):
        Oracle(XI, separator="习")
    with pytest.raises(ParameterError, match="keyword '三连任' contains '连'"):
        Oracle(XI, separator="|连")  # any character of a longer separator
    default = RuleSet([Rule.combination("习近平+三连任")])
    with pytest.raises(ParameterError, match=r"contains '连' \(normalised to '连'\)"):
        Oracle(default, separator="連")  # traditional form, folded by t2s
    exc = RuleSet([Rule.combination("习近平+三连任", unless=[("吧台",)])], normalizer="identity")
    with pytest.raises(ParameterError, match="keyword '吧台'"):
        Oracle(exc, separator="吧")  # exception keywords count too
    with pytest.raises(ParameterError, match="separator must be a string"):
        check_separator(7, [XI])  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="must not be empty"):
        Oracle(XI, separator="", check=False)


def test_separator_is_chosen_when_not_given() -> None:
    """Issue 10, item 11: without a separator the oracle over a rule set picks a safe one,
    as ``censorsim probe isolate --separator auto`` does."""
    default = RuleSet([Rule.combination("习近平+三连任")])
    oracle = Oracle(default)
    assert oracle.separator == choose_separator([default])
    check_separator(oracle.separator, [default])
    assert isolate(oracle, ARTICLE).components == ("习近平", "三连任")
    # A function cannot be inspected: the newline stays its default.
    assert Oracle(lambda text: False).separator == "\n"
    every = RuleSet([Rule.keyword("".join(common_han()))], normalizer="identity")
    with pytest.raises(ParameterError, match="every common Han character"):
        Oracle(every)


def test_oracle_for_censor() -> None:
    policy = Policy(
        name="toy",
        rulesets={"main": XI},
        surfaces=(SurfacePolicy(Surface.CHAT, rulesets=("main",),
                                regions=frozenset({Region.MAINLAND})),),
    )
    oracle = Oracle.for_censor(Censor(policy), at=datetime(2020, 1, 1))
    assert isolate(oracle, ARTICLE).components == ("习近平", "三连任")
    abroad = Oracle.for_censor(Censor(policy), at=datetime(2020, 1, 1), region="international")
    assert not abroad.query([ARTICLE])
    check_separator(oracle.separator, [XI])
    with pytest.raises(ParameterError, match="keyword '习近平' contains '近'"):
        Oracle.for_censor(Censor(policy), at=datetime(2020, 1, 1), separator="近")
    assert Oracle.for_censor(Censor(policy), at=datetime(2020, 1, 1), separator="近",
                             check=False).separator == "近"


# ----------------------------------------------------------------------------- property

KEY_ALPHABET = "abcdefgh"
FILLER = "uvwxyz "

keywords = st.text(KEY_ALPHABET, min_size=1, max_size=3)
rule_specs = st.lists(st.lists(keywords, min_size=1, max_size=3), min_size=1, max_size=5)


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[Rule], str]:
    specs = draw(rule_specs)
    rules = [Rule(id=f"r{i}", components=tuple((k,) for k in comps))
             for i, comps in enumerate(specs)]
    planted = draw(st.lists(st.sampled_from(range(len(rules))), min_size=1, max_size=3))
    pieces = list(draw(st.text(FILLER, max_size=40)))
    for i in planted:
        for comp in rules[i].components:
            for _ in range(draw(st.integers(1, 2))):
                pieces.insert(draw(st.integers(0, len(pieces))), comp[0])
    return rules, "".join(pieces)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_isolated_combination_is_present_and_censored_alone(case: tuple[list[Rule], str]) -> None:
    rules, article = case
    rs = RuleSet(rules, normalizer="identity")
    assert rs.check(article).censored
    oracle = Oracle(rs, separator="|")
    iso = isolate_binary_split(oracle, article)
    assert iso.confirmed and not iso.exhausted
    for comp, (s, e) in zip(iso.components, iso.spans, strict=True):
        assert article[s:e] == comp
    assert rs.check("|".join(iso.components)).censored
    # Minimal: without any one component the rest is not censored.
    for k in range(len(iso.components)):
        rest = iso.components[:k] + iso.components[k + 1 :]
        assert not rs.check("|".join(rest)).censored


@settings(max_examples=100, deadline=None)
@given(cases())
def test_recursive_halving_keeps_a_censored_text(case: tuple[list[Rule], str]) -> None:
    rules, article = case
    rs = RuleSet(rules, normalizer="identity")
    iso = isolate_recursive_halving(Oracle(rs, separator="|"), article)
    for comp, (s, e) in zip(iso.components, iso.spans, strict=True):
        assert article[s:e] == comp
    assert rs.check("".join(iso.components)).censored


def test_query_takes_one_text_or_fragments() -> None:
    seen: list[str] = []

    def check(text: str) -> bool:
        seen.append(text)
        return "六四" in text

    oracle = Oracle(check, separator="|")
    assert oracle.query("六四") and not oracle.query(["六", "四"])
    assert seen == ["六四", "六|四"] and oracle.queries == 2
    assert not hasattr(oracle, "censored")


# ------------------------------------------------------- separators never merge fragments

SEP_ALPHABET = "习近平三連任吧台abcABCａｂ１1 \n，,。\u200b"


@st.composite
def separator_cases(draw: st.DrawFn) -> tuple[RuleSet, str, list[str]]:
    words = st.text(SEP_ALPHABET, min_size=1, max_size=3)
    kws = draw(st.lists(words, min_size=1, max_size=6))
    normalizer = draw(st.sampled_from(["identity", "strip", "fold", "default"]))
    norm = RuleSet([], normalizer=normalizer).normalizer
    rules = [Rule.keyword(k, id=f"k{i}") for i, k in enumerate(kws) if norm.normalize(k)]
    rs = RuleSet(rules, normalizer=normalizer)
    sep = draw(st.text(SEP_ALPHABET, min_size=1, max_size=3))
    frags = draw(st.lists(st.text(SEP_ALPHABET, max_size=6), min_size=1, max_size=4))
    return rs, sep, frags


@settings(max_examples=150, deadline=None)
@given(separator_cases())
def test_an_accepted_separator_keeps_every_match_inside_one_fragment(
    case: tuple[RuleSet, str, list[str]],
) -> None:
    """Whatever the keywords, normaliser and fragments (Han, Latin, full-width, spaces,
    punctuation, zero-width): with a separator :func:`check_separator` accepts, and with
    the one :func:`choose_separator` picks, every keyword match in the joined query lies
    inside one fragment, so no keyword is completed across fragments."""
    rs, sep, frags = case
    seps = [choose_separator([rs])]
    try:
        check_separator(sep, [rs])
        seps.append(sep)
    except ParameterError:
        pass
    for s in seps:
        joined = s.join(frags)
        bounds, at = [], 0
        for f in frags:
            bounds.append((at, at + len(f)))
            at += len(f) + len(s)
        for m in rs.find(joined):
            assert any(lo <= m.start and m.end <= hi for lo, hi in bounds), (s, joined, m)


def test_binary_split_prunes_components_overlapping_rules_do_not_need() -> None:
    """Rules ``cac+b`` and ``a+a`` on ``aaaabcac``: the split finds ``b``, ``ca``, ``a``
    (``ca|a`` alone is censored by ``a+a``); the pruning pass drops ``b``, one query per
    component, and ``prune=False`` keeps the published method's raw answer."""
    rs = RuleSet([Rule.combination("cac+b", id="r0"), Rule.combination("a+a", id="r1")],
                 normalizer="identity")
    raw = isolate_binary_split(Oracle(rs, separator="|"), "aaaabcac", prune=False)
    pruned = isolate_binary_split(Oracle(rs, separator="|"), "aaaabcac")
    assert raw.components == ("b", "ca", "a")
    assert pruned.components == ("ca", "a")
    assert pruned.queries == raw.queries + 3  # one query per component: b dropped, ca and a kept
    assert rs.check("|".join(pruned.components)).censored
