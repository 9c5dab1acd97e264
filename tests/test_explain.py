"""Explanations a student can read: action names, keywords as written, near misses,
exceptions, Citizen Lab rules by their text, readable reprs, and the ``+`` syntax."""

from __future__ import annotations

from datetime import datetime

import pytest

from censorsim.errors import RuleError
from censorsim.models import Action, Decision, Hit, Message, Reason, Region, Rule, Surface
from censorsim.policy import Censor, Policy, SurfacePolicy
from censorsim.text.rules import RuleSet

AT = datetime(2020, 2, 1)


def _censor(rs: RuleSet) -> Censor:
    return Censor(Policy(
        name="toy", rulesets={"main": rs},
        surfaces=(SurfacePolicy(Surface.CHAT, rulesets=("main",),
                                regions=frozenset({Region.MAINLAND})),)))


def test_action_names_not_numbers() -> None:
    rs = RuleSet([Rule.combination("六四+学生")])
    r = rs.check("六四的学生")
    assert r.explain().splitlines()[0] == "censored: DROP (1 rule fired)"
    d = _censor(rs).check(Message("六四的学生"), at=AT)
    assert d.explain().startswith("DROP on chat (keyword)")
    assert "7" not in d.explain() and "7" not in repr(d)
    assert repr(d) == "Decision(DROP on chat, keyword, rules=('六四+学生',))"


def test_keyword_shown_from_the_original_text_without_passing_it() -> None:
    rs = RuleSet([Rule.combination("六四+学生")])
    d = _censor(rs).check(Message("六 四的學生們"), at=AT)
    line = d.explain().splitlines()[1].strip()
    assert line == "DROP by 六四+学生: 六四 as '六 四' at [0, 3); 学生 as '學生' at [4, 6)"
    (hit,) = rs.check_many(["xx", "六 四的學生們"])[1].hits
    assert hit.found == ("六 四", "學生")
    # a hit built by hand still explains, from the text given
    hand = Hit(Rule.keyword("法轮功"), ((1, 4),), ("法轮功",))
    assert hand.explain("《法輪功》") == "DROP by 法轮功: 法轮功 as '法輪功' at [1, 4)"
    assert hand.explain() == "DROP by 法轮功: 法轮功 at [1, 4)"


def test_near_misses_are_listed() -> None:
    rs = RuleSet([Rule.combination("六四+学生+民主运动"), Rule.combination("法轮功+真相")])
    r = rs.check("六四那年的学生")
    assert not r.fired
    assert r.explain().splitlines() == [
        "not censored: no rule fired",
        "  near miss 六四+学生+民主运动: 2 of 3 components present, missing 民主运动",
    ]
    (miss,) = r.near_misses()
    assert miss.present == ("六四", "学生") and miss.missing == ("民主运动",)
    # through a decision, given the rule sets
    d = _censor(rs).check(Message("六四那年的学生"), at=AT)
    assert "missing 民主运动" in d.explain("六四那年的学生", rules=[rs])


def test_near_misses_are_never_computed_while_checking(monkeypatch: pytest.MonkeyPatch) -> None:
    rs = RuleSet([Rule.combination("六四+学生+民主运动"), Rule.keyword("法轮功")])

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("near misses computed on the hot path")

    monkeypatch.setattr(RuleSet, "near_misses", boom)
    results = rs.check_many(["六四的学生", "法轮功", "今天"] * 50)
    assert [r.fired for r in results][:3] == [False, True, False]
    _censor(rs).check_many([Message("六四的学生")] * 5, at=AT)


def test_ordered_and_whole_word_near_misses_say_why() -> None:
    rs = RuleSet([Rule.ordered(["学生", "六四"], id="ordered")])
    (miss,) = rs.check("六四的学生").near_misses()
    assert miss.missing == () and "order" in miss.explain()


def test_a_message_saved_by_an_exception_says_so() -> None:
    rule = Rule("qq-1", ["六四+学生"], unless=["六四+学生会"], action="refuse")
    rs = RuleSet([rule])
    r = rs.check("六四学生会的通知")
    assert not r.fired
    assert ("saved by an exception: 六四+学生 (rule qq-1) would REFUSE, but its exception "
            "六四+学生会 is present") in r.explain()


def test_citizen_lab_rules_are_shown_by_their_text() -> None:
    rule = Rule("wechat/709crackdown.csv:143", ["王宇+律师"])
    r = RuleSet([rule]).check("王宇律师")
    assert "DROP by 王宇+律师 (rule wechat/709crackdown.csv:143):" in r.explain()


def test_reprs_are_readable() -> None:
    rs = RuleSet([Rule.combination("六四+学生")])
    assert repr(rs.check("六四的学生")) == "ScanResult('六四的学生', DROP, rules=('六四+学生',))"
    assert repr(rs.check("你好")) == "ScanResult('你好', DELIVER)"
    assert len(repr(rs.check("长" * 100))) < 70
    (hit,) = rs.check("六 四的学生").hits
    assert repr(hit) == "Hit('六四+学生', DROP, found=('六 四', '学生'))"
    d = Decision(Action.HIDE, Surface.FEED, Reason.KEYWORD, ("r",),
                 hidden_from=frozenset({Region.MAINLAND}))
    assert repr(d) == "Decision(HIDE on feed, keyword, rules=('r',), hidden_from=['mainland'])"


def test_marked_text() -> None:
    r = RuleSet([Rule.combination("六四+学生")]).check("六 四的學生們")
    assert r.marked() == "[六 四]的[學生]們"


# ---------------------------------------------------------------- the + syntax


def test_plus_means_and_everywhere() -> None:
    assert Rule("r", ["名单"], unless=["名+单"]).unless == (("名", "单"),)
    assert Rule("r", ["名单"], unless="名+单").unless == (("名", "单"),)
    assert Rule("r", ["名单"], unless=[("名", "单")]).unless == (("名", "单"),)
    assert Rule("r", ["名单"], unless=["名", "单"]).unless == (("名",), ("单",))
    assert Rule("r", ["六四+学生|學生"]).components == (("六四",), ("学生", "學生"))
    assert Rule("r", "六四 + 学生") == Rule.combination("六四+学生", id="r")
    # literal keywords: a tuple, or an escape
    assert Rule("r", [("6+1",)]).components == (("6+1",),)
    assert Rule("r", ["6\\+1"]).components == (("6+1",),)
    assert Rule.keyword("6+1").components == (("6+1",),)
    with pytest.raises(RuleError, match="empty keyword"):
        Rule("r", ["a"], unless=["名+"])
    with pytest.raises(RuleError, match="empty keyword"):
        Rule("r", ["六四+"])


def test_unless_plus_syntax_saves_only_when_every_keyword_occurs() -> None:
    rs = RuleSet([Rule("r", ["黑名单"], unless=["名+单"])])
    assert not rs.check("黑名单").fired  # 名 and 单 both occur inside 黑名单
    rs = RuleSet([Rule("r", ["法轮功"], unless=["法轮+练功"])])
    assert rs.check("法轮功").fired
    assert not rs.check("法轮功 练功").fired


# ---------------------------------------------------------------- whole words next to Han


def test_whole_word_latin_rule_next_to_han() -> None:
    rs = RuleSet([Rule.keyword("Liu Xiaobo", whole_word=True)])
    assert rs.check("我读过Liu Xiaobo的书").fired
    assert rs.check("Liu Xiaobo的书").fired and rs.check("读Liu Xiaobo").fired
    assert not rs.check("我读过Liu Xiaobos的书").fired
    assert not rs.check("XLiu Xiaobo").fired
    assert rs.check_reference("我读过Liu Xiaobo的书").fired


def test_results_pickle_without_their_rule_set() -> None:
    import pickle

    rs = RuleSet([Rule.combination("六四+学生")])
    r = rs.check("六 四的学生")
    back = pickle.loads(pickle.dumps(r))
    assert back == r and back.rules is None and back.hits[0].found == ("六 四", "学生")
