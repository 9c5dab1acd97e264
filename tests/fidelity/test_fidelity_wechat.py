"""WeChat: one test per published observation (source and behaviour in each docstring)."""

from __future__ import annotations

import warnings
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from censorsim.models import Action, Rule
from censorsim.platforms import wechat
from censorsim.policy import (
    Attachment,
    Censor,
    ImageMemory,
    Message,
    Reason,
    Region,
    RuleIdentityWarning,
    Surface,
)
from censorsim.text.citizenlab import load_citizenlab
from censorsim.text.normalize import Normalizer
from tests.fidelity.conftest import AT

LXB_DAY = datetime(2017, 7, 14, 12)


def test_simplified_only_list_does_not_censor_traditional() -> None:
    """Liu Xiaobo report (Citizen Lab, 2017) and its data: WeChat's list holds 刘晓波 and
    劉曉波 as separate entries, so matching is literal. On the WeChat profile a list
    holding only the simplified form drops 刘晓波 and delivers 劉曉波 and 刘 晓 波."""
    c = Censor(wechat([Rule.keyword("刘晓波")]))
    assert c.check(Message("刘晓波", Surface.CHAT), at=AT).action is Action.DROP
    assert c.check(Message("劉曉波", Surface.CHAT), at=AT).action is Action.DELIVER
    assert c.check(Message("刘 晓 波", Surface.CHAT), at=AT).action is Action.DELIVER


def test_709_list_keeps_script_variants_separate(citizenlab: Path) -> None:
    """We (Can't) Chat: 709 Crackdown (Citizen Lab, 2017), data: 法轮功 and 法輪功 are
    separate entries, and 210 pairs of rules differ only in script. A list that keeps
    both forms is evidence the filter does not fold traditional into simplified."""
    rules = load_citizenlab(citizenlab, "wechat/709crackdown")
    t2s = Normalizer(["t2s"])
    by_folded: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for r in rules:
        by_folded[tuple(sorted(t2s.normalize(k) for k in r.keywords))].add(r.keywords)
    assert sum(len(v) > 1 for v in by_folded.values()) == 210
    keywords = {r.keywords for r in rules}
    assert ("法轮功",) in keywords and ("法輪功",) in keywords


def test_lxb_rules_split_by_surface_on_2017_07_14(citizenlab: Path) -> None:
    """Liu Xiaobo data (wechat/lxb, Citizen Lab 2017): on 2017-07-14 刘+晓波 was blocked
    in group chat but not one-to-one, while 曉波+劉 was blocked in both; 19 of the 60
    rules are recorded group-only. The WeChat profile built from that data reproduces
    it: 刘 晓波 is delivered one-to-one and dropped in group chat, 曉波 劉 is dropped in
    both."""
    rules = load_citizenlab(citizenlab, "wechat/lxb")
    assert len(rules) == 60
    # The chat results are a typed field (Rule.surfaces), not text in the note.
    group_only = [r for r in rules if r.surfaces is not None
                  and Surface.CHAT not in r.surfaces and Surface.GROUP_CHAT in r.surfaces]
    assert len(group_only) == 19
    assert all(r.surfaces is not None and Surface.CHAT in r.surfaces
               for r in rules if r not in group_only)
    by_text = {str(r): r for r in rules}
    assert Surface.CHAT not in by_text["刘+晓波"].surfaces  # type: ignore[operator]
    assert Surface.CHAT in by_text["曉波+劉"].surfaces  # type: ignore[operator]
    stripped = [replace(r, note=None) for r in rules]  # the note plays no part
    assert Censor(wechat(stripped)).check(Message("刘 晓波", Surface.CHAT),
                                          at=LXB_DAY).action is Action.DELIVER
    c = Censor(wechat(rules))
    assert len(c.policy.rulesets["group"].rules) - len(c.policy.rulesets["chat"].rules) == 19
    one, group = Surface.CHAT, Surface.GROUP_CHAT
    assert c.check(Message("刘 晓波", one), at=LXB_DAY).action is Action.DELIVER
    assert c.check(Message("刘 晓波", group), at=LXB_DAY).action is Action.DROP
    assert c.check(Message("曉波 劉", one), at=LXB_DAY).action is Action.DROP
    assert c.check(Message("曉波 劉", group), at=LXB_DAY).action is Action.DROP


def test_identical_rules_under_default_normaliser_are_counted_once() -> None:
    """Issue 11 item 1 (the demo double-counted): under the ``default`` normaliser the
    example rules 刘晓波 and 劉曉波 are the same rule; building the profile warns with
    RuleIdentityWarning and a message is attributed to one rule, not two."""
    with pytest.warns(RuleIdentityWarning, match="lxb-liu-xiaobo-traditional"):
        policy = wechat(normalizer="default")
    d = Censor(policy).check(Message("劉曉波", Surface.GROUP_CHAT), at=AT)
    assert d.rule_ids == ("lxb-liu-xiaobo-simplified",)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        literal = Censor(wechat())  # literal: two distinct rules, no warning
    assert literal.check(Message("劉曉波", Surface.GROUP_CHAT), at=AT).rule_ids == (
        "lxb-liu-xiaobo-traditional",
    )


def test_only_mainland_accounts_are_filtered() -> None:
    """One App, Two Systems (Citizen Lab, 2016): a message from an account registered
    with a mainland-China number is silently not delivered (the sender sees it sent);
    the same message from an international account is delivered."""
    c = Censor(wechat())
    cn = c.check(Message("刘晓波", Surface.CHAT, Region.MAINLAND), at=AT)
    intl = c.check(Message("刘晓波", Surface.CHAT, Region.INTERNATIONAL), at=AT)
    assert cn.action is Action.DROP and cn.sender_sees_sent and cn.error is None
    assert intl.action is Action.DELIVER and intl.reason is Reason.OUT_OF_SCOPE


def test_combination_needs_every_component() -> None:
    """One App, Two Systems (2016), report figure: 六四 + 学生 + 民主运动 was blocked in
    group chat, while each keyword alone was delivered."""
    c = Censor(wechat())
    assert c.check(Message("六四的学生和民主运动", Surface.GROUP_CHAT), at=AT).censored
    for part in ("六四", "学生", "民主运动"):
        assert not c.check(Message(part, Surface.GROUP_CHAT), at=AT).censored


def test_falun_gong_one_to_one_exemption_is_dated() -> None:
    """One App, Two Systems (2016): 法轮功 was delivered in one-to-one chat in August
    2016 while group chat filtered it. The exemption holds for that observation only; on
    other days the profile assumes the rule applies one-to-one too."""
    c = Censor(wechat())
    aug = datetime(2016, 8, 15)
    assert c.check(Message("法轮功", Surface.CHAT), at=aug).action is Action.DELIVER
    assert c.check(Message("法轮功", Surface.GROUP_CHAT), at=aug).action is Action.DROP
    assert c.check(Message("法轮功", Surface.CHAT), at=datetime(2016, 7, 1)).censored
    assert c.check(Message("法轮功", Surface.CHAT), at=AT).censored


def test_moments_posts_are_hidden_from_mainland_viewers_after_seconds() -> None:
    """(Can't) Picture This (Citizen Lab, 2018): a filtered Moments post is published,
    stays visible to its author, and is hidden from other users' timelines about 5-30 s
    (OCR) or up to 10 s (visual) later: DELETE_LATER for mainland viewers, with every
    delay within 30 s. ``moments_delay=False`` hides it at once."""
    d = Censor(wechat()).check(Message("刘晓波", Surface.FEED, Region.INTERNATIONAL), at=AT)
    assert d.action is Action.DELETE_LATER and d.hidden_from == {Region.MAINLAND}
    delays = wechat().deletion
    assert delays.cdf(30) == 1.0 and delays.cdf(10) == 0.5
    now = Censor(wechat(moments_delay=False)).check(Message("刘晓波", Surface.FEED), at=AT)
    assert now.action is Action.HIDE


def test_chat_image_first_delivered_then_blocked_by_md5() -> None:
    """(Can't) Picture This 2 (Citizen Lab, 2019): an image sent in chat is delivered the
    first time, analysed, and its MD5 added to the blacklist, so the next send of the
    same file is blocked."""
    c = Censor(wechat())
    att = Attachment("poster.jpg", "ab" * 16, None, "悼念刘晓波")
    msg = Message("", Surface.CHAT, Region.MAINLAND, att)
    memory = ImageMemory()
    first = c.check(msg, at=AT, memory=memory)
    assert first.action is Action.DELIVER and first.learn_md5 == att.md5
    later = AT + c.policy.analysis_delay
    memory.learn(att.md5, later)
    second = c.check(msg, at=later, memory=memory)
    assert second.action is Action.DROP and second.reason is Reason.IMAGE_MD5


def test_covid_list_counts(citizenlab: Path) -> None:
    """Censored Contagion (Citizen Lab, 2020): 132 keyword combinations found in January
    2020 and another 384 by mid-February, 516 in all. The data hold the 516 with their
    detection dates (by date, 147 are January detections: the data's dates are first
    seen, the report's split is by testing round)."""
    rules = load_citizenlab(citizenlab, "coronavirus/wechat")
    assert len(rules) == 516 == 132 + 384
    months = [(r.added.year, r.added.month) for r in rules if r.added]
    assert months.count((2020, 1)) == 147 and months.count((2020, 2)) == 369


def test_international_images_feed_the_mainland_blacklist() -> None:
    """We Chat, They Watch (Citizen Lab, 2020): images sent among international accounts
    are analysed, and those found sensitive are added to the blacklist used to censor
    mainland accounts. An international send is delivered and learned; the same file
    from a mainland account is then blocked by MD5. ``feedback=False`` turns it off."""
    att = Attachment("poster.jpg", "cd" * 16, None, "悼念刘晓波")
    intl = Message("", Surface.CHAT, Region.INTERNATIONAL, att)
    cn = Message("", Surface.CHAT, Region.MAINLAND, att)
    c = Censor(wechat())
    first = c.check(intl, at=AT, memory=ImageMemory())
    assert first.action is Action.DELIVER and first.learn_md5 == att.md5
    memory = ImageMemory()
    later = AT + c.policy.analysis_delay
    memory.learn(att.md5, later)
    assert c.check(cn, at=later, memory=memory).reason is Reason.IMAGE_MD5
    assert c.check(intl, at=later, memory=memory).action is Action.DELIVER
    off = Censor(wechat(feedback=False)).check(intl, at=AT, memory=ImageMemory())
    assert off.learn_md5 is None


def test_profile_reads_a_published_wechat_list(citizenlab: Path) -> None:
    """Censored Contagion (2020) data: with the data folder the WeChat profile reads the
    published list itself (``citizenlab=``, ``dataset=``); a rule is in force from the
    day it was first seen, so a combination detected in February is not yet applied in
    January."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuleIdentityWarning)
        policy = wechat(citizenlab=citizenlab, dataset="coronavirus/wechat")
    rules = policy.rulesets["group"].rules
    assert 500 <= len(rules) <= 516
    rule = next(r for r in rules if r.added and r.added.month == 2 and len(r.components) > 1)
    text = " ".join(comp[0] for comp in rule.components)
    c = Censor(policy)
    assert c.check(Message(text, Surface.GROUP_CHAT), at=datetime(2020, 1, 15)).action \
        is Action.DELIVER
    assert c.check(Message(text, Surface.GROUP_CHAT), at=datetime(2020, 3, 1)).censored


def test_rule_surfaces_construct_backward_compatibly() -> None:
    """Issue 11 item 3 (the data record group vs one-to-one per rule): ``Rule.surfaces``
    is optional (None: every surface), so rules built as before apply everywhere; a rule
    limited to group chat is delivered one-to-one by the WeChat profile, whichever
    surface names it was given."""
    assert Rule.keyword("刘晓波").surfaces is None
    r = Rule.keyword("刘晓波", surfaces=["group-chat", "feed"])
    assert r.surfaces == frozenset({Surface.GROUP_CHAT, Surface.FEED})
    c = Censor(wechat([r]))
    assert c.check(Message("刘晓波", Surface.CHAT), at=AT).action is Action.DELIVER
    assert c.check(Message("刘晓波", Surface.GROUP_CHAT), at=AT).action is Action.DROP
    from censorsim.errors import RuleError

    with pytest.raises(RuleError, match="surface"):
        Rule.keyword("x", surfaces=["moments"])


def test_policy_file_counts_rules_identical_under_its_normaliser_once() -> None:
    """Issue 11 item 1, for policy files as for the built-in profiles: a TOML rule set
    holding 刘晓波 and 劉曉波 under a normaliser that folds script warns with
    RuleIdentityWarning and attributes a message to one rule, not two."""
    from censorsim.policy import load_policy

    path = Path(__file__).parent / "fixtures" / "script-variants.toml"
    with pytest.warns(RuleIdentityWarning, match="劉曉波"):
        policy = load_policy(path)
    assert [str(r) for r in policy.rulesets["main"].rules] == ["刘晓波", "六四+学生"]
    d = Censor(policy).check(Message("劉曉波和刘晓波", Surface.CHAT), at=AT)
    assert d.rule_ids == ("刘晓波",)
