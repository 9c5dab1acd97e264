"""RuleSet's build shortcut for lists of one-keyword rules, against the plain definition."""

from __future__ import annotations

import pickle
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.errors import RuleError
from censorsim.models import Action, KeywordRules, Rule, keyword_rules
from censorsim.models._rules import _keyword_rules_reference
from censorsim.text.normalize import Normalizer
from censorsim.text.rules import RuleSet
from tests.text.strategies import keyword_lists, texts


def _plain_keywords(words: list[str], norm: Normalizer) -> tuple[str, ...]:
    """Distinct normalised keywords in order of first appearance (the definition)."""
    out: dict[str, None] = {}
    for w in words:
        out.setdefault(norm.normalize_reference(w)[0], None)
    return tuple(out)


@settings(max_examples=60, deadline=None)
@given(words=keyword_lists, batch=st.lists(texts, min_size=1, max_size=4),
       profile=st.sampled_from(["default", "identity", "fold"]))
def test_one_keyword_rules_build_like_the_general_path(
    words: list[str], batch: list[str], profile: str
) -> None:
    norm = Normalizer.from_profile(profile)
    if any(not norm.normalize_reference(w)[0] for w in words):
        with pytest.raises(RuleError, match="normalises to nothing"):
            RuleSet([Rule.keyword(w, id=f"k{i}") for i, w in enumerate(words)],
                    normalizer=norm)
        return
    plain = [Rule.keyword(w, id=f"k{i}") for i, w in enumerate(words)]
    rs = RuleSet(plain, normalizer=norm)  # every rule plain: the shortcut
    assert rs.keywords == _plain_keywords(words, norm)
    # The same rules plus one combination go through the general loop.
    mixed = RuleSet([*plain, Rule.combination("六四+学生", id="combo")], normalizer=norm)
    assert mixed.keywords[: len(rs.keywords)] == rs.keywords
    for r in (rs, mixed):
        got = r.check_many(batch)
        for i, text in enumerate(batch):
            assert got[i] == r.check_reference(text)


def test_first_empty_keyword_is_named() -> None:
    with pytest.raises(RuleError, match=r"rule 'b': keyword '，' normalises to nothing"):
        RuleSet([Rule.keyword("六四", id="a"), Rule.keyword("，", id="b"),
                 Rule.keyword("！", id="c")])


def test_duplicate_ids_and_non_rules() -> None:
    with pytest.raises(RuleError, match="duplicate rule id 'a'"):
        RuleSet([Rule.keyword("六四", id="a"), Rule.keyword("学生", id="a")])
    with pytest.raises(TypeError, match="expected a Rule, got str"):
        RuleSet([Rule.keyword("六四", id="a"), "学生"])  # type: ignore[list-item]


@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.one_of(st.sampled_from(["六四", "学生", "法輪功", "ab"]),
                                st.text(min_size=1, max_size=4)), max_size=12, unique=True),
       named=st.booleans(), action=st.sampled_from(list(Action)))
def test_bulk_keyword_rules_equal_one_rule_at_a_time(
    words: list[str], named: bool, action: Action
) -> None:
    """``keyword_rules`` (slots set directly, garbage collector paused) and the lazy
    ``KeywordRules`` make exactly the rules ``Rule.keyword`` makes, field for field."""
    ids = [f"k{i}" for i in range(len(words))] if named else None
    want = _keyword_rules_reference(words, ids=ids, action=action)
    assert keyword_rules(words, ids=ids, action=action) == want
    lazy = KeywordRules(words, ids=ids, action=action)
    assert list(lazy) == want and lazy.materialize() == want and len(lazy) == len(want)
    assert [lazy[i] for i in range(len(words))] == want and lazy[1:3] == want[1:3]


@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.one_of(st.sampled_from(["六四", "学生", "法輪功", "ab", "AB"]),
                                st.text(alphabet="六四学生學abAB ，", min_size=1,
                                        max_size=3)), max_size=10, unique=True),
       batch=st.lists(texts, min_size=1, max_size=4),
       action=st.sampled_from([Action.DROP, Action.FLAG, Action.DELETE_LATER]))
def test_from_keywords_checks_like_the_rules_it_stands_for(
    words: list[str], batch: list[str], action: Action
) -> None:
    """A rule set built from a keyword list without Rule objects finds, fires, censors
    and dates exactly what the same list of ``Rule.keyword`` rules does."""
    norm = Normalizer.from_profile("default")
    if any(not norm.normalize(w) for w in words):
        with pytest.raises(RuleError, match="normalises to nothing"):
            RuleSet.from_keywords(words, action=action)
        return
    lazy = RuleSet.from_keywords(words, action=action)
    eager = RuleSet([Rule.keyword(w, action=action) for w in words])
    assert lazy.keywords == eager.keywords and len(lazy) == len(eager)
    for on in (None, date(2020, 6, 4)):
        got, want = lazy.check_many(batch, on=on), eager.check_many(batch, on=on)
        assert list(got) == list(want)
        assert got.censored_indices == want.censored_indices
        assert got.fired_indices == want.fired_indices
    for text in batch:
        assert lazy.check_reference(text) == eager.check_reference(text)
        assert lazy.find(text) == eager.find(text)
    assert list(lazy) == list(eager.rules) and lazy.rules == eager.rules
    assert list(pickle.loads(pickle.dumps(lazy)).check_many(batch)) == list(
        eager.check_many(batch))


def test_from_keywords_rejects_bad_lists() -> None:
    """Bad keywords, ids and actions are named, as ``Rule.keyword`` would."""
    with pytest.raises(RuleError, match="keyword must be a non-empty string, got ''"):
        RuleSet.from_keywords(["六四", ""])
    with pytest.raises(RuleError, match="rule id must be a non-empty string, got 3"):
        RuleSet.from_keywords(["六四"], ids=[3])  # type: ignore[list-item]
    with pytest.raises(RuleError, match="1 ids for 2 keywords"):
        RuleSet.from_keywords(["六四", "学生"], ids=["a"])
    with pytest.raises(RuleError, match="duplicate rule id '六四'"):
        RuleSet.from_keywords(["六四", "六四"])
    with pytest.raises(RuleError, match="nonsense"):
        RuleSet.from_keywords(["六四"], action="nonsense")
    with pytest.raises(RuleError, match=r"rule '，': keyword '，' normalises to nothing"):
        RuleSet.from_keywords(["六四", "，"])
