"""Each profile shows its documented behaviour."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from censorsim.errors import PolicyError, UnknownNameError
from censorsim.image import HammingIndex, Hasher
from censorsim.models import Action, Rule
from censorsim.platforms import (
    PLATFORMS,
    great_firewall,
    line,
    make_profile,
    qqmail,
    search,
    wechat,
    weibo,
)
from censorsim.policy import (
    Attachment,
    Censor,
    ImageBlacklist,
    ImageMemory,
    Message,
    Reason,
    Region,
    Surface,
)

AT = datetime(2017, 7, 20, 12)


def test_every_profile_builds_and_cites() -> None:
    assert PLATFORMS.names() == ("wechat", "weibo", "search", "qqmail", "line", "gfw")
    for name in PLATFORMS:
        pol = make_profile(name)
        assert pol.sources and all(s.startswith("http") for s in pol.sources)
    with pytest.raises(
        UnknownNameError, match="unknown platform profile 'myspace'; expected one of: wechat"
    ):
        make_profile("myspace")
    with pytest.raises(PolicyError, match="profile 'wechat'"):
        make_profile("wechat", colour="red")


def test_wechat_region_scoping_and_silent_drop() -> None:
    c = Censor(wechat())
    cn = c.check(Message("刘晓波", Surface.CHAT, Region.MAINLAND), at=AT)
    intl = c.check(Message("刘晓波", Surface.CHAT, Region.INTERNATIONAL), at=AT)
    assert cn.action is Action.DROP and cn.sender_sees_sent and cn.error is None
    assert intl.action is Action.DELIVER and intl.reason is Reason.OUT_OF_SCOPE


def test_wechat_group_filtered_more_than_one_to_one() -> None:
    """One App, Two Systems (2016): 法轮功 was delivered one-to-one in August 2016 and
    filtered in group chat. The exemption is an observation of that month (issue 11.3),
    not timeless: the old test checked it on 2017-07-20, which no source covers."""
    c = Censor(wechat())
    aug = datetime(2016, 8, 15)
    assert c.check(Message("法轮功", Surface.CHAT), at=aug).action is Action.DELIVER
    assert c.check(Message("法轮功", Surface.GROUP_CHAT), at=aug).action is Action.DROP
    assert c.check(Message("法轮功", Surface.CHAT), at=AT).action is Action.DROP
    static = Censor(wechat(group_only=["oats-falun-gong"]))
    assert static.check(Message("法轮功", Surface.CHAT), at=AT).action is Action.DELIVER


def test_wechat_moments_hidden_from_mainland() -> None:
    """(Can't) Picture This (2018): Moments posts were visible for seconds before removal,
    not blocked before posting (issue 11.4): DELETE_LATER for mainland viewers now."""
    d = Censor(wechat()).check(Message("刘晓波", Surface.FEED, Region.INTERNATIONAL), at=AT)
    assert d.action is Action.DELETE_LATER and d.hidden_from == {Region.MAINLAND}


def _banned() -> tuple[bytes, ImageBlacklist, Hasher]:
    import io

    img = Image.new("RGB", (64, 64))
    for x in range(64):
        for y in range(64):
            img.putpixel((x, y), (x * 4, y * 4, (x * y) % 256))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    hasher = Hasher("phash")
    index = HammingIndex("phash")
    index.add(hasher.hash(buf.getvalue()), id="banned")
    return buf.getvalue(), ImageBlacklist(perceptual=index, radius=8), hasher


def test_wechat_md5_learning_first_delivered_second_blocked() -> None:
    data, blacklist, hasher = _banned()
    c = Censor(wechat(images=blacklist))
    memory = ImageMemory()
    att = Attachment.from_bytes(data, "x", hasher=hasher)
    msg = Message("", Surface.CHAT, Region.MAINLAND, att)
    first = c.check(msg, at=AT, memory=memory)
    assert first.action is Action.DELIVER and first.learn_md5 == msg.attachment.md5  # type: ignore[union-attr]
    memory.learn(first.learn_md5, AT + c.policy.analysis_delay)  # type: ignore[arg-type]
    later = AT + c.policy.analysis_delay
    second = c.check(msg, at=later, memory=memory)
    assert second.action is Action.DROP and second.reason is Reason.IMAGE_MD5
    # The same two sends in one batch give the same decisions.
    assert c.check_many([msg, msg], at=[AT, later], memory=ImageMemory()) == [first, second]


def test_wechat_moments_blocks_visually_and_ocr() -> None:
    data, blacklist, hasher = _banned()
    c = Censor(wechat(images=blacklist))
    att = Attachment.from_bytes(data, "x", hasher=hasher)
    d = c.check(Message("", Surface.FEED, Region.INTERNATIONAL, att), at=AT)
    # Removed seconds after posting ("(Can't) Picture This", 2018; issue 11.4).
    assert d.action is Action.DELETE_LATER and d.reason is Reason.IMAGE_VISUAL
    assert d.image_ids == ("banned",)
    ocr = Attachment("poster", "cd" * 16, None, "悼念刘晓波")
    d = c.check(Message("", Surface.FEED, Region.MAINLAND, ocr), at=AT)
    assert d.censored and d.reason is Reason.IMAGE_OCR


def test_weibo_refuse_hide_delete_later() -> None:
    """Weibo's post rules are its own list now (issue 11.2), so the test passes WeChat's
    example rules explicitly; the 2014 report removed the search notice (issue 11.5)."""
    from censorsim.platforms import example_rules

    c = Censor(weibo(example_rules("wechat-combinations"), data_error=["xk19-xi-third-term"],
                     hide=["oats-falun-gong"]))
    refused = c.check(Message("习近平三连任", Surface.POST), at=AT)
    assert refused.action is Action.REFUSE and refused.error == "data error"
    assert not refused.sender_sees_sent
    assert c.check(Message("法轮功", Surface.POST), at=AT).action is Action.HIDE
    assert c.check(Message("刘晓波", Surface.POST), at=AT).action is Action.DELETE_LATER
    s = c.check(Message("晓波", Surface.SEARCH), at=AT)
    assert s.action is Action.BLOCK and s.error is None


def test_search_hard_vs_soft() -> None:
    """Each engine has its own list (issue 11.2): Weibo's hard-blocks 刘晓波, Baidu's
    example soft-censors 习近平 (the old shared list gave every engine both)."""
    assert Censor(search("weibo")).check(
        Message("刘晓波", Surface.SEARCH), at=AT).action is Action.BLOCK
    c = Censor(search("baidu"))
    assert c.check(Message("刘晓波", Surface.SEARCH), at=AT).action is Action.DELIVER
    soft = c.check(Message("习近平", Surface.SEARCH), at=AT)
    assert soft.action is Action.LIMIT_RESULTS and soft.censored and soft.error is None
    with pytest.raises(
        UnknownNameError, match="unknown search engine 'altavista'; expected one of: baidu"
    ):
        search("altavista")


def test_qqmail_refuses_with_550_and_extenuating() -> None:
    rule = Rule.combination("六四+学生", unless=(("历史", "考试"),))
    c = Censor(qqmail([rule]))
    d = c.check(Message("六四学生", Surface.MAIL), at=AT)
    assert d.action is Action.REFUSE and d.error == "550 Mail content denied"
    assert c.check(Message("六四学生 历史考试", Surface.MAIL), at=AT).action is Action.DELIVER


def test_line_client_side_only_for_china_numbers() -> None:
    """Asia Chats (2013): LINE refuses with a notice to the sender (issue 11.6; it was a
    silent DROP before), only for China-registered numbers; its own list (issue 11.2)."""
    c = Censor(line())
    d = c.check(Message("藏人自焚", Surface.CHAT, Region.MAINLAND), at=AT)
    assert d.action is Action.REFUSE and d.error and "forbidden words" in d.error
    intl = Message("藏人自焚", Surface.CHAT, Region.INTERNATIONAL)
    sent = c.check(intl, at=AT)  # sent; masked for China-number recipients
    assert sent.sender_sees_sent and sent.delivered_text == "****"


def test_great_firewall_resets_and_domains() -> None:
    c = Censor(great_firewall())
    d = c.check(Message("GET https://www.Google.com/search?q=weather", Surface.WEB), at=AT)
    assert d.action is Action.BLOCK and d.error == "connection reset"
    assert d.rule_ids == ("domain:google.com",)
    # Clayton et al. 2006: the single keyword "falun" (the default list; issue 11.7).
    assert c.check(Message("GET /?falun", Surface.WEB), at=AT).action is Action.BLOCK
    assert c.check(Message("GET https://notgoogle.com/", Surface.WEB), at=AT).action \
        is Action.DELIVER
    assert c.check(Message("GET https://example.cn/", Surface.WEB), at=AT).action is Action.DELIVER
    outside = c.check(Message("GET https://twitter.com/", Surface.WEB, Region.INTERNATIONAL), at=AT)
    assert outside.action is Action.DELIVER


def test_policy_file_learn_from(tmp_path: Path) -> None:
    """A policy file can say whose images a surface learns from (``learn_from``), as the
    WeChat profile does for the feedback loop of "We Chat, They Watch" (2020)."""
    from censorsim.policy import policy_from_dict

    data = {"policy": {"name": "p"},
            "surfaces": {"chat": {"regions": ["mainland"], "images": "learn",
                                  "learn_from": ["mainland", "international"]}}}
    pol = policy_from_dict(data, base=tmp_path)
    assert pol.surface("chat").learn_from == frozenset({Region.MAINLAND, Region.INTERNATIONAL})
    plain = policy_from_dict({"policy": {"name": "p"},
                              "surfaces": {"chat": {"regions": ["mainland"]}}}, base=tmp_path)
    assert plain.surface("chat").learn_from is None
    assert pol.fingerprint() != plain.fingerprint()
    with pytest.raises(PolicyError, match="mars"):
        policy_from_dict({"surfaces": {"chat": {"learn_from": ["mars"]}}}, base=tmp_path)


def test_wechat_group_only_intervals_from_config_values() -> None:
    """``group_only`` intervals may be ISO strings (a simulation config is TOML/JSON);
    a bad value is a PolicyError naming the rule."""
    c = Censor(make_profile("wechat", group_only={"oats-falun-gong": ["2017-07-01", None]}))
    assert c.check(Message("法轮功", Surface.CHAT), at=AT).action is Action.DELIVER
    assert c.check(Message("法轮功", Surface.CHAT), at=datetime(2017, 6, 1)).censored
    for bad in (["July", None], "2017-07-01", ["2017-07-02", "2017-07-01"]):
        with pytest.raises(PolicyError, match="group_only"):
            make_profile("wechat", group_only={"oats-falun-gong": bad})
