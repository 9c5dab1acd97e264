"""Weibo: one test per published observation (source and behaviour in each docstring)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from censorsim.models import Action, Rule
from censorsim.platforms import WEIBO_SEARCH_NOTICE, weibo
from censorsim.policy import Censor, DelayDistribution, Message, Surface
from tests.fidelity.conftest import AT


def test_search_bans_name_in_every_script_and_english() -> None:
    """Remembering Liu Xiaobo (Citizen Lab, 2017): Weibo search bans 刘晓波 in simplified
    and traditional Chinese and "Liu Xiaobo" in English (no results)."""
    c = Censor(weibo())
    for q in ("刘晓波", "劉曉波", "Liu Xiaobo"):
        assert c.check(Message(q, Surface.SEARCH), at=AT).action is Action.BLOCK


def test_given_name_alone_blocked_after_his_death() -> None:
    """Remembering Liu Xiaobo (2017): after his death on 13 July 2017 his given name 晓波
    alone triggered Weibo search censorship; before, it did not (first seen that day)."""
    c = Censor(weibo())
    assert c.check(Message("晓波", Surface.SEARCH), at=datetime(2017, 7, 1)).action \
        is Action.DELIVER
    assert c.check(Message("晓波", Surface.SEARCH), at=AT).action is Action.BLOCK


def test_search_notice_removed_in_2014() -> None:
    """Tracing the Path of a Censored Weibo Post (Citizen Lab, 2014): Weibo removed its
    "according to relevant laws..." notice from searches; a blocked search shows no
    notice by default, and ``search_notice=True`` restores it for earlier studies."""
    assert Censor(weibo()).check(Message("晓波", Surface.SEARCH), at=AT).error is None
    old = Censor(weibo(search_notice=True)).check(Message("刘晓波", Surface.SEARCH), at=AT)
    assert old.error == WEIBO_SEARCH_NOTICE


def test_three_paths_of_automatic_review() -> None:
    """Tracing the Path of a Censored Weibo Post (2014): some keywords cannot be posted
    (refused), some make the post visible only to its author (camouflaged), and other
    sensitive posts are published and deleted later."""
    rules = [Rule.keyword("甲", id="a"), Rule.keyword("乙", id="b"), Rule.keyword("丙", id="c")]
    c = Censor(weibo(rules, refuse=["a"], hide=["b"]))
    refused = c.check(Message("甲", Surface.POST), at=AT)
    assert refused.action is Action.REFUSE and not refused.sender_sees_sent
    assert c.check(Message("乙", Surface.POST), at=AT).action is Action.HIDE
    assert c.check(Message("丙", Surface.POST), at=AT).action is Action.DELETE_LATER


def test_high_deletion_terms_are_deleted_later() -> None:
    """Bamman, O'Connor and Smith (First Monday, 2012): posts with 方滨兴 (Fang Binxing)
    or 真理部 ("Ministry of Truth") were deleted at anomalously high rates after
    publication (the default post list)."""
    c = Censor(weibo())
    for text in ("真理部的通知", "方滨兴演讲"):
        assert c.check(Message(text, Surface.POST), at=AT).action is Action.DELETE_LATER


def test_deletion_delays_follow_zhu_2013() -> None:
    """Zhu et al. (USENIX Security 2013): about 30% of deletions happen 5 to 30 minutes
    after posting and about 90% within a day. (The 5-minute and 14-day knots of the
    distribution are assumptions, see docs/fidelity.md.)"""
    d = DelayDistribution.zhu2013()
    assert abs(d.cdf(1800) - d.cdf(300) - 0.30) < 1e-9
    assert d.cdf(86400) == 0.90


def test_weibo_search_reads_published_rules(citizenlab: Path) -> None:
    """Missing Links (2023) data: with the data folder Weibo's search rules are the
    published search/rules/weibo.txt (hard) and weibo-soft.txt (soft)."""
    import warnings

    from censorsim.policy import RuleIdentityWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuleIdentityWarning)
        rules = weibo(citizenlab=citizenlab).rulesets["search"].rules
    assert {r.source for r in rules} == {"search/rules/weibo.txt", "search/rules/weibo-soft.txt"}
