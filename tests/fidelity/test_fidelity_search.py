"""Search platforms: one test per published observation."""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path

import pytest

from censorsim.models import Action
from censorsim.platforms import SEARCH_ENGINES, search
from censorsim.policy import Censor, Message, RuleIdentityWarning, Surface
from tests.fidelity.conftest import AT


def test_eight_platforms_are_named() -> None:
    """Missing Links (Citizen Lab, 2023): eight China-accessible search platforms were
    measured: Baidu, Baidu Zhidao, Bilibili, Bing, Douyin, Jingdong, Sogou, Weibo."""
    assert sorted(SEARCH_ENGINES) == sorted(
        ["baidu", "baidu_zhidao", "bilibili", "bing", "douyin", "jingdong", "sogou", "weibo"]
    )


def test_each_platform_has_its_own_rules() -> None:
    """Missing Links (2023): every platform has its own rules (Baidu more than Bing, for
    instance), so the same query is decided differently by different engines. (Bing's
    example: no results for "tank man" on 4 June 2021, AP.)"""
    queries = ["刘晓波", "习近平", "tank man"]
    day = datetime(2021, 6, 4, 12)
    decisions = {
        engine: tuple(Censor(search(engine)).check(Message(q, Surface.SEARCH), at=day).action
                      for q in queries)
        for engine in ("baidu", "bing", "weibo")
    }
    assert decisions["baidu"] == (Action.DELIVER, Action.LIMIT_RESULTS, Action.DELIVER)
    assert decisions["weibo"] == (Action.BLOCK, Action.DELIVER, Action.DELIVER)
    assert decisions["bing"][2] is Action.BLOCK
    assert len(set(decisions.values())) == 3


def test_hard_and_soft_censorship() -> None:
    """Missing Links (2023): hard censorship returns no results; soft censorship returns
    results only from authorised sources (Baidu's soft rule on a leader's name, 2012)."""
    soft = Censor(search("baidu")).check(Message("习近平", Surface.SEARCH), at=AT)
    assert soft.action is Action.LIMIT_RESULTS and soft.censored and soft.error is None
    hard = Censor(search("weibo")).check(Message("刘晓波", Surface.SEARCH), at=AT)
    assert hard.action is Action.BLOCK and hard.error == "no results"


def test_each_engine_loads_its_own_published_files(citizenlab: Path) -> None:
    """Missing Links data (search/rules): each platform's hard and -soft files; with the
    data folder, search(engine, citizenlab=...) reads only that engine's files. The files
    list the same combination in several orders (``64 + 丁子霖`` and ``丁子霖 + 64``), one
    rule for an all-of matcher: the profile warns and counts each once."""
    with pytest.warns(RuleIdentityWarning, match=r"search-baidu: \d+ rule"):
        search("baidu", citizenlab=citizenlab)
    for engine in ("baidu", "bing", "sogou"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuleIdentityWarning)
            policy = search(engine, citizenlab=citizenlab)
        rules = policy.rulesets["search"].rules
        assert rules
        assert {r.source for r in rules} <= {f"search/rules/{engine}.txt",
                                             f"search/rules/{engine}-soft.txt"}
        assert {r.action for r in rules} == {Action.BLOCK, Action.LIMIT_RESULTS}
