"""RuleSet: documented semantics, explanations, and the fast path against brute force."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.errors import RuleError
from censorsim.models import Action, Rule, RuleMode
from censorsim.text import rules as rules_mod
from censorsim.text.matchers import available_backends
from censorsim.text.normalize import PROFILES
from censorsim.text.rules import RuleSet
from tests.text.strategies import chars, keywords, texts


def test_combination_fires_in_any_order_even_overlapping() -> None:
    rs = RuleSet([Rule.combination("帶來+調整+整體+領域")], normalizer="identity")
    r = rs.check("帶來abc調整體xyz領域")
    assert r.rule_ids == ("帶來+調整+整體+領域",)
    assert r.hits[0].spans == ((0, 2), (5, 7), (6, 8), (11, 13))
    assert not rs.check("帶來abc調整xyz領域").censored
    assert rs.check("領域 整體 調整 帶來").censored


def test_normalisation_reaches_the_original_spans() -> None:
    rs = RuleSet([Rule.combination("六四+学生")])
    r = rs.check("六 四 的學生們")
    assert r.censored
    assert r.hits[0].spans == ((0, 3), (5, 7))
    assert r.hits[0].matched == ("六四", "学生")
    assert r.masked() == "*** 的**們"
    assert "六四 as '六 四' at [0, 3)" in r.explain()


def test_identity_profile_keeps_variants_apart() -> None:
    # The search engines list falun/Falun and 64/６４ as separate rules.
    rs = RuleSet([Rule.keyword("falun"), Rule.keyword("64")], normalizer="identity")
    assert rs.check("Falun ６４").rule_ids == ()
    assert rs.check("falun 64").rule_ids == ("falun", "64")


def test_exceptions_switch_rules_off() -> None:
    # QQMail: the extenuating combination 名+单 disables 习主席+辞职+提出.
    rule = Rule.combination("习主席+辞职+提出", unless=(("名", "单"),), action=Action.REFUSE)
    rs = RuleSet([rule])
    assert rs.check("习主席提出辞职").action is Action.REFUSE
    assert not rs.check("习主席提出辞职的名单").censored
    assert rs.check("习主席提出辞职的名字").censored


def test_ordered_rules_with_gaps() -> None:
    heroin = Rule.ordered(["海", "洛", "因"], id="heroin", max_gap=3, gap_allows_han=False)
    xinjiang = Rule.ordered([("75", "杀人", "独立"), "乌鲁木齐"], id="xj")
    rs = RuleSet([heroin, xinjiang], normalizer="identity")
    assert rs.check("海xx洛yyy因").rule_ids == ("heroin",)
    assert not rs.check("海xxxx洛因").censored  # gap of 4
    assert not rs.check("海中洛因").censored  # Han in the gap
    assert not rs.check("因洛海").censored  # wrong order
    assert rs.check("他说杀人了在乌鲁木齐").rule_ids == ("xj",)
    assert not rs.check("乌鲁木齐杀人").censored


def test_whole_word_rules_use_the_original_text() -> None:
    rs = RuleSet(
        [Rule.keyword("cunt", whole_word=True), Rule.keyword("free tibet", whole_word=True)]
    )
    assert not rs.check("Scunthorpe United").censored
    assert rs.check("What a CUNT!").censored
    assert rs.check("FREE TIBET now").censored
    assert not rs.check("carefree tibetan").censored


def test_repeated_components_need_distinct_occurrences() -> None:
    rs = RuleSet([Rule.combination("你+你+你的")], normalizer="identity")
    assert not rs.check("你的").censored
    assert not rs.check("你你").censored  # 你的 is missing
    assert rs.check("你说你的").censored


def test_rules_in_force_by_date() -> None:
    r = Rule.keyword("武汉肺炎", added=date(2020, 1, 1), removed=date(2020, 3, 1))
    rs = RuleSet([r])
    assert rs.check("武汉肺炎", on=date(2020, 2, 1)).censored
    assert not rs.check("武汉肺炎", on=date(2019, 12, 31)).censored
    assert not rs.check("武汉肺炎", on=date(2020, 3, 1)).censored
    assert rs.check("武汉肺炎").censored


def test_most_severe_action_and_masking_merges_overlaps() -> None:
    rs = RuleSet(
        [
            Rule.keyword("六四", action=Action.DELETE_LATER),
            Rule.combination("四学+学生", action=Action.DROP),
        ],
        normalizer="identity",
    )
    r = rs.check("六四学生")
    assert r.action is Action.DROP
    assert r.spans() == [(0, 4)]
    assert r.masked("█") == "████"
    assert r.matches[0].keyword == "六四"


def test_bad_rule_sets_are_rejected() -> None:
    with pytest.raises(RuleError, match="duplicate rule id 'x'"):
        RuleSet([Rule.keyword("a", id="x"), Rule.keyword("b", id="x")])
    with pytest.raises(RuleError, match="normalises to nothing"):
        RuleSet([Rule.combination("六四+，，")])
    with pytest.raises(RuleError, match="empty component"):
        Rule.combination("六四++学生")
    with pytest.raises(RuleError, match="max_gap needs mode=ORDERED"):
        Rule(id="x", components=(("a",),), max_gap=2)


def test_evaluation_only_looks_at_rules_that_mention_a_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    many = [Rule.combination(f"词{i}+词{i + 1}", id=f"r{i}") for i in range(5000)]
    rs = RuleSet([*many, Rule.combination("六四+学生", id="target")])
    calls: list[str] = []
    real = rules_mod._satisfy

    def counting(c: rules_mod._Compiled, *args: object) -> object:
        calls.append(c.rule.id)
        return real(c, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(rules_mod, "_satisfy", counting)
    assert rs.check("六四学生").rule_ids == ("target",)
    assert calls == ["target"]
    calls.clear()
    assert not rs.check_many_plain(["词7"])[0].censored
    # r6 (词6+词7) and r7 (词7+词8) mention 词7; each rule is filed under one component
    # only (the first of its rarest ones), so only r7 is looked at.
    assert calls == ["r7"]
    calls.clear()
    # The array path decides without Python per rule; a rule that did not fire costs
    # no Python call at all.
    assert not rs.check("词7").censored
    assert calls == []


def test_check_many_is_a_lazy_sequence() -> None:
    rs = RuleSet([Rule.keyword("六四")])
    results = rs.check_many(["六四", "nothing", "又是六四"])
    assert len(results) == 3
    assert results.censored() == [True, False, True]
    assert results.censored_indices == [0, 2]
    assert results[1].text == "nothing" and not results[1].censored
    assert results[-1].text == "又是六四"
    assert results == [rs.check(t) for t in ["六四", "nothing", "又是六四"]]
    with pytest.raises(IndexError):
        results[3]


# -- brute force ---------------------------------------------------------------------------

components = st.lists(keywords, min_size=1, max_size=2).map(tuple)


@st.composite
def rules(draw: st.DrawFn) -> list[Rule]:
    out = []
    for i in range(draw(st.integers(1, 6))):
        comps = tuple(draw(st.lists(components, min_size=1, max_size=4)))
        ordered = draw(st.booleans())
        combos = st.lists(keywords, min_size=1, max_size=2).map(tuple)
        unless = tuple(draw(st.lists(combos, max_size=1)))
        out.append(
            Rule(
                id=f"r{i}",
                components=comps,
                mode=RuleMode.ORDERED if ordered else RuleMode.ALL,
                max_gap=draw(st.none() | st.integers(0, 3)) if ordered else None,
                gap_allows_han=draw(st.booleans()),
                whole_word=draw(st.booleans()),
                unless=unless,
            )
        )
    return out


def _compile(rule_list: list[Rule], profile: str, backend: str) -> RuleSet | None:
    try:
        return RuleSet(rule_list, normalizer=profile, backend=backend)
    except RuleError as exc:
        assert "normalises to nothing" in str(exc)
        return None


@settings(max_examples=150, deadline=None)
@given(
    rule_list=rules(),
    batch=st.lists(texts, min_size=1, max_size=6),
    profile=st.sampled_from(sorted(PROFILES)),
    backend=st.sampled_from(available_backends()),
)
def test_fast_path_equals_brute_force(
    rule_list: list[Rule], batch: list[str], profile: str, backend: str
) -> None:
    rs = _compile(rule_list, profile, backend)
    if rs is None:
        return
    fast = rs.check_many(batch)
    for text, got in zip(batch, fast, strict=True):
        ref = rs.check_reference(text)
        assert got.rule_ids == ref.rule_ids
        assert got.hits == ref.hits
        assert sorted(got.matches) == list(ref.matches)
        assert rs.check(text) == got


@settings(max_examples=100, deadline=None)
@given(rule_list=rules(), parts=st.lists(st.lists(chars, max_size=3).map("".join), max_size=5))
def test_texts_made_of_components(rule_list: list[Rule], parts: list[str]) -> None:
    # Texts built from the rules' own keywords hit the interesting cases far more often.
    rs = _compile(rule_list, "default", "default")
    if rs is None:
        return
    pieces = [k for r in rule_list for k in r.keywords]
    text = "".join(p + q for p, q in zip(pieces, parts + [""] * len(pieces), strict=False))
    assert rs.check(text).hits == rs.check_reference(text).hits


def test_censored_indices_follow_action_censors() -> None:
    """Issue 10 item 9: ``censored_indices`` counted a hit on a deliver/flag rule.

    Reproducer: ``RuleSet([Rule.keyword("a", action=Action.FLAG)]).check_many(["a"])
    .censored_indices`` was ``[0]``; a flagged text is delivered, so it is ``[]`` now and
    the hit is in ``fired_indices``.
    """
    rs = RuleSet(
        [
            Rule.keyword("flag", action=Action.FLAG),
            Rule.keyword("deliver", action=Action.DELIVER),
            Rule.keyword("hide", action=Action.HIDE),
        ],
        normalizer="identity",
    )
    batch = ["flag", "deliver", "hide", "none", "flag hide"]
    results = rs.check_many(batch)
    assert results.fired_indices == [0, 1, 2, 4]
    assert results.censored_indices == [2, 4]
    assert results.censored() == [False, False, True, False, True]
    assert results.censored_indices == [i for i, r in enumerate(results) if r.censored]
    assert results.fired_indices == [i for i, r in enumerate(results) if r.fired]


@settings(max_examples=200, deadline=None)
@given(
    word=st.one_of(keywords, st.text(min_size=1, max_size=6)),
    rid=st.one_of(st.none(), st.text(min_size=1, max_size=6)),
    action=st.sampled_from(list(Action)),
)
def test_plain_keyword_fast_path_equals_the_validated_rule(
    word: str, rid: str | None, action: Action
) -> None:
    """A one-keyword rule skips the general checks of ``Rule.__post_init__``; it must
    equal the same rule made through them (components given as lists, which take the
    general path), and be the same after validating it again."""
    fast = Rule.keyword(word, id=rid, action=action)
    slow = Rule(rid or word, [[word]], action=action)  # type: ignore[arg-type]
    assert fast == slow
    assert fast.components == ((word,),) and fast.unless == () and fast.action is action
    fast._validate()  # the skipped checks accept it and change nothing
    assert fast == slow


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": "", "components": (("x",),)}, "non-empty"),
        ({"id": "r", "components": (("",),)}, "empty keyword"),
        ({"id": "r", "components": ((5,),)}, "not a string"),
        ({"id": "r", "components": (("x",),), "action": "nonsense"}, "nonsense"),
        ({"id": "r", "components": (("x",),), "unless": [("",)]}, "empty keyword"),
        ({"id": "r", "components": (("x",),), "max_gap": 3}, "max_gap needs"),
        ({"id": "r", "components": (("x",),), "added": date(2020, 2, 1),
          "removed": date(2020, 1, 1)}, "before added"),
    ],
)
def test_plain_keyword_shape_still_rejects_bad_fields(
    kwargs: dict[str, object], message: str
) -> None:
    """The fast path for one-keyword rules takes only well-formed default fields."""
    with pytest.raises(RuleError, match=message):
        Rule(**kwargs)  # type: ignore[arg-type]
