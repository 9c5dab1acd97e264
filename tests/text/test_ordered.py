"""Ordered and gap rules: linear-time evaluation, and regex gaps translated exactly.

Issue 10, items 4 and 12.
"""

from __future__ import annotations

import re
import time

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.models import Rule, RuleMode
from censorsim.text._regex import line_regex_rule
from censorsim.text.normalize import PROFILES
from censorsim.text.rules import GAP_EXCLUDED, RuleSet

# Han characters outside U+4E00..U+9FA5 that ``[^一-龥]`` accepts, and ones it refuses.
OUTSIDE_CLASS = ["〇", "㐀", "⺀", "\uf900", "\U00020000", "\u9fa6", "\u9fff"]
INSIDE_CLASS = ["一", "中", "\u9fa5"]


# -- item 4: time linear in the text --------------------------------------------------------


def test_ordered_rule_is_not_quadratic_in_the_message() -> None:
    """Issue 10 item 4: a 2,001-character message on one ``a+b`` ordered rule took 76 s.

    Reproducer: ``RuleSet([Rule.ordered(["a", "b"], gap_allows_han=False)],
    normalizer="identity").check("a" * 1000 + "中" + "b" * 1000)``. Each ordered rule is
    now decided by binary searches over the occurrences after one pass over the text
    (``_GapBound``); the bound below is a generous guard, the agreement with the plain
    reference is proven by the property tests.
    """
    rs = RuleSet(
        [Rule.ordered(["a", "b"], id="ab", gap_allows_han=False)], normalizer="identity"
    )
    text = "a" * 1000 + "中" + "b" * 1000
    t0 = time.perf_counter()
    assert not rs.check(text).censored
    assert rs.check("a" * 1000 + "b" * 1000).censored
    assert time.perf_counter() - t0 < 5


def test_line_gap_rule_on_60k_characters() -> None:
    """Issue 10 item 4: ``海[^一-龥]{0,3}洛[^一-龥]{0,3}因`` took 27 s on 60k characters.

    Reproducer: ``RuleSet([line_regex_rule(...)], normalizer="identity").check("海洛" *
    30000)``.
    """
    rule = line_regex_rule("海[^一-龥]{0,3}洛[^一-龥]{0,3}因", id="heroin", source="t")
    rs = RuleSet([rule], normalizer="identity")
    t0 = time.perf_counter()
    assert not rs.check("海洛" * 30000).censored
    r = rs.check("海洛" * 30000 + "因")
    assert r.censored and r.hits[0].spans == ((59998, 59999), (59999, 60000), (60000, 60001))
    assert time.perf_counter() - t0 < 10


# -- reference agreement on ordered rules ---------------------------------------------------

ORDERED_ALPHABET = [*"ab海洛因 x", *OUTSIDE_CLASS, *INSIDE_CLASS, "\n"]
ochars = st.sampled_from(ORDERED_ALPHABET)


@st.composite
def ordered_rules(draw: st.DrawFn) -> Rule:
    kw = st.text(alphabet=st.sampled_from([*"ab海洛因", "〇", "中"]), min_size=1, max_size=2)
    comps = draw(st.lists(st.lists(kw, min_size=1, max_size=2).map(tuple), min_size=1, max_size=4))
    return Rule(
        id="r",
        components=tuple(comps),
        mode=RuleMode.ORDERED,
        max_gap=draw(st.none() | st.integers(0, 4)),
        gap_allows_han=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(rule=ordered_rules(), text=st.text(alphabet=ochars, max_size=60))
def test_ordered_fast_path_equals_reference(rule: Rule, text: str) -> None:
    """The binary-search evaluation picks the same chain as the plain depth-first search."""
    rs = RuleSet([rule], normalizer="identity")
    assert rs.check(text).hits == rs.check_reference(text).hits


@settings(max_examples=100, deadline=None)
@given(
    rule=ordered_rules(),
    text=st.text(alphabet=ochars, max_size=30),
    profile=st.sampled_from(sorted(PROFILES)),
)
def test_ordered_fast_path_equals_reference_normalised(
    rule: Rule, text: str, profile: str
) -> None:
    rs = RuleSet([rule], normalizer=profile)
    assert rs.check(text).hits == rs.check_reference(text).hits


# -- item 12: the regex gap class, exactly --------------------------------------------------


def test_gap_class_is_exactly_the_regex_class() -> None:
    """Issue 10 item 12: ``海[^一-龥]{0,3}洛[^一-龥]{0,3}因`` missed ``海〇洛因``.

    ``re.search`` matches it: the class excludes only U+4E00..U+9FA5.
    """
    assert GAP_EXCLUDED == ("\u4e00", "\u9fa5")
    pattern = "海[^一-龥]{0,3}洛[^一-龥]{0,3}因"
    rs = RuleSet([line_regex_rule(pattern, id="h", source="t")], normalizer="identity")
    for ch in OUTSIDE_CLASS:
        text = f"海{ch}洛因"
        assert re.search(pattern, text), ch
        assert rs.check(text).censored, ch
    for ch in INSIDE_CLASS:
        text = f"海{ch}洛因"
        assert not re.search(pattern, text), ch
        assert not rs.check(text).censored, ch


GAP_ALPHABET = [*"海洛因ab .", *OUTSIDE_CLASS, *INSIDE_CLASS, "\n", "\u3000"]
piece = st.text(alphabet=st.sampled_from([*"海洛因ab"]), min_size=1, max_size=2)


@st.composite
def line_patterns(draw: st.DrawFn) -> tuple[str, bool]:
    """A LINE-style regex line (components, optional groups, one kind of gap)."""
    n = draw(st.integers(1, 4))
    items = []
    for _ in range(n):
        if draw(st.booleans()):
            alts = draw(st.lists(piece, min_size=2, max_size=3, unique=True))
            items.append("(" + "|".join(alts) + ")")
        else:
            items.append(draw(piece))
    dot = draw(st.booleans())
    gap = ".*" if dot else f"[^一-龥]{{0,{draw(st.integers(0, 4))}}}"
    pattern = gap.join(items)
    if draw(st.booleans()):
        pattern = ".*" + pattern
        dot = True
    return pattern, dot


@settings(max_examples=400, deadline=None)
@given(spec=line_patterns(), text=st.text(alphabet=st.sampled_from(GAP_ALPHABET), max_size=40))
def test_translated_rules_agree_with_re_and_regex(spec: tuple[str, bool], text: str) -> None:
    """Differential test: a translated LINE line fires exactly when ``re.search`` matches.

    ``.*`` is compared with ``re.DOTALL``: a translated ``.*`` gap also spans a line
    break (documented in docs/text.md), everything else is the regex's own meaning.
    """
    pattern, dot = spec
    rule = line_regex_rule(pattern, id="p", source="t")
    rs = RuleSet([rule], normalizer="identity")
    flags = re.DOTALL if dot else 0
    want = re.search(pattern, text, flags) is not None
    assert (regex.search(pattern, text, regex.DOTALL if dot else 0) is not None) == want
    assert rs.check(text).censored == want
    assert rs.check_reference(text).censored == want
