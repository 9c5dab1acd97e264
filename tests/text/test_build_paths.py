"""RuleSet's build shortcut for lists of one-keyword rules, against the plain definition."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.errors import RuleError
from censorsim.models import Rule
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
