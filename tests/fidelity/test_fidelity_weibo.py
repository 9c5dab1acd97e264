"""Weibo: one test per published observation (source and behaviour in each docstring)."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

from censorsim.models import Action, Outcome, Rule
from censorsim.platforms import (
    WEIBO_DELETION_SHARE,
    WEIBO_REFUSAL_NOTICE,
    WEIBO_SEARCH_NOTICE,
    weibo,
)
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


def _paths() -> Censor:
    rules = [Rule.keyword(k, id=i) for k, i in
             (("甲", "a"), ("乙", "b"), ("丙", "c"), ("丁", "d"))]
    return Censor(weibo(rules, refuse=["a"], data_error=["d"], hide=["b"]))


def test_explicit_refusal_is_its_own_outcome() -> None:
    """Tracing the Path of a Censored Weibo Post (Citizen Lab, 2014): 66 keywords could
    not be posted, with an explicit message saying so (explicit filtering). The author
    sees the refusal notice; the outcome is ``refused``."""
    d = _paths().check(Message("甲", Surface.POST), at=AT)
    assert d.action is Action.REFUSE and not d.sender_sees_sent
    assert d.outcome is Outcome.REFUSED and d.error == WEIBO_REFUSAL_NOTICE


def test_data_error_is_its_own_outcome() -> None:
    """Citizen Lab 2014: 14 keywords returned a "data error" instead (implicit
    filtering): refused too, but the error does not say why; the outcome is
    ``data_error``, distinct from the explicit refusal."""
    d = _paths().check(Message("丁", Surface.POST), at=AT)
    assert d.action is Action.REFUSE and d.outcome is Outcome.DATA_ERROR
    assert d.error == "data error"
    assert "does not say why" in d.explain()


def test_camouflage_is_visible_only_to_the_author() -> None:
    """Citizen Lab 2014: 133 keywords made a post invisible and camouflaged: it shows in
    the author's own timeline as published and is missing when another user views it.
    The author sees it sent, no error; the outcome is ``author_only``."""
    d = _paths().check(Message("乙", Surface.POST), at=AT)
    assert d.action is Action.HIDE and d.outcome is Outcome.AUTHOR_ONLY
    assert d.sender_sees_sent and d.error is None and "only to its author" in d.explain()


def test_other_matching_posts_are_deleted_later() -> None:
    """Zhu et al. (USENIX Security 2013): other sensitive posts are published and
    deleted afterwards; a rule's own outcome from its data is kept when it is one of
    the review's paths (here a rule loaded as a data error)."""
    c = _paths()
    assert c.check(Message("丙", Surface.POST), at=AT).outcome is Outcome.DELETED_LATER
    own = Rule.keyword("戊", id="e", action=Action.REFUSE, outcome=Outcome.DATA_ERROR)
    assert Censor(weibo([own])).check(Message("戊", Surface.POST), at=AT).outcome \
        is Outcome.DATA_ERROR


def test_only_a_share_of_matching_posts_is_deleted() -> None:
    """Zhu et al. (2013) saw about 12% of the tracked "sensitive" users' posts deleted,
    not all of them. The Weibo profile's ``deletion_share`` (default 0.12, inferred from
    that figure) is the probability that a matching post is deleted; the others are
    kept (``FLAG``, outcome ``kept``), drawn from the seed and the message key, so the
    same seed and key always give the same verdict. Over 4,000 matching posts the
    realised share lies within the 99.9% binomial interval of 0.12."""
    c = Censor(weibo())
    assert c.policy.deletion_share == WEIBO_DELETION_SHARE == 0.12
    n = 4_000
    d = c.check(Message("真理部的通知", Surface.POST), at=AT)
    settled = c.settle([d] * n, range(n), seed=11)
    assert settled == c.settle([d] * n, range(n), seed=11)  # reproducible
    deleted = sum(x.action is Action.DELETE_LATER for x in settled)
    kept = [x for x in settled if x.action is Action.FLAG]
    assert deleted + len(kept) == n and all(x.outcome is Outcome.KEPT for x in kept)
    assert not any(x.censored for x in kept) and kept[0].rule_ids == d.rule_ids
    half = 3.29 * math.sqrt(0.12 * 0.88 / n)
    assert abs(deleted / n - 0.12) < half
    per_rule = Censor(weibo(deletion_shares={"weibo-post-ministry-of-truth": 1.0}))
    assert all(x.action is Action.DELETE_LATER
               for x in per_rule.settle([d] * 50, range(50), seed=11))


def test_seeded_run_realises_the_deletion_share(tmp_path: Path) -> None:
    """Zhu et al. (2013), as above, end to end: a seeded Weibo simulation logs matched
    posts that review kept as ``flag``/``kept`` and counts them in the metrics; the
    realised deletion share of the matched posts is within the 99.9% binomial interval
    of the profile's 0.12, and a resumed run gives the same log."""
    from censorsim.simulate import Simulation, SimulationConfig, compute_metrics

    cfg = SimulationConfig(seed=3, messages=6_000, batch_size=1_500, users=40,
                           profile="weibo", surfaces=((Surface.POST, 1.0),),
                           sensitive_share=0.5, image_share=0.0, images=None)
    db = tmp_path / "w.db"
    Simulation(cfg).run(db)
    m = compute_metrics(db)
    outcomes = dict(m.outcomes)
    deleted, kept = outcomes.get("deleted_later", 0), outcomes.get("kept", 0)
    n = deleted + kept
    assert n > 500 and kept == m.kept
    half = 3.29 * math.sqrt(0.12 * 0.88 / n)
    assert abs(deleted / n - 0.12) < half
    from censorsim.simulate import summary_markdown

    report = summary_markdown(m)
    assert "## Outcomes" in report and f"| kept | {kept} |" in report
    again = tmp_path / "again.db"
    Simulation(cfg).run(again, max_batches=2)
    Simulation(cfg).run(again)
    assert compute_metrics(again).outcomes == m.outcomes


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


def test_a_rule_file_carries_the_review_path(tmp_path: Path) -> None:
    """Citizen Lab (2014) published its keywords per review path (refused, data error,
    camouflaged); a rule file can carry that path (the optional ``outcome`` column, and
    ``surfaces``), so the Weibo profile takes each rule's path from the data, and the
    file round-trips through dump_rules and load_rules (CSV and JSON lines)."""
    from censorsim.text.wordlists import dump_rules, load_rules

    path = tmp_path / "weibo-review.csv"
    path.write_text("id,rule,action,outcome,surfaces\n"
                    "e,甲,refuse,data_error,post\n"
                    "h,乙,hide,author_only,\n"
                    "d,丙,,,\n", encoding="utf-8")
    rules = load_rules(path, default_action=Action.DELETE_LATER)
    assert rules[0].outcome is Outcome.DATA_ERROR and rules[1].surfaces is None
    c = Censor(weibo(rules))
    assert c.check(Message("甲", Surface.POST), at=AT).outcome is Outcome.DATA_ERROR
    assert c.check(Message("乙", Surface.POST), at=AT).outcome is Outcome.AUTHOR_ONLY
    assert c.check(Message("丙", Surface.POST), at=AT).outcome is Outcome.DELETED_LATER
    for name in ("out.csv", "out.jsonl"):
        dump_rules(rules, tmp_path / name)
        assert load_rules(tmp_path / name) == rules
