"""Hong Kong accounts in the platform profiles."""

from __future__ import annotations

from datetime import datetime

from censorsim.models import Action, Message, Reason, Region, Surface
from censorsim.platforms import make_profile
from censorsim.policy import Censor

AT = datetime(2017, 7, 20)


def test_wechat_does_not_filter_hong_kong_accounts() -> None:
    """WeChat's keyword filtering is enabled only for accounts registered to mainland
    China phone numbers (Citizen Lab, "One App, Two Systems", 2016); Tencent: any
    registration other than +86 is the international WeChat (The Verge, 2019-11-25). A
    Hong Kong (+852) account's chat message is delivered where a mainland one is dropped."""
    censor = Censor(make_profile("wechat"))
    mainland = censor.check(Message("刘晓波", Surface.CHAT, Region.MAINLAND), at=AT)
    hk = censor.check(Message("刘晓波", Surface.CHAT, Region.HONG_KONG), at=AT)
    assert mainland.action is Action.DROP
    assert hk.action is Action.DELIVER and hk.reason is Reason.OUT_OF_SCOPE


def test_hong_kong_is_outside_the_great_firewall() -> None:
    """Hong Kong has had unrestricted internet access, unlike the mainland (AP,
    2020-07-06): the firewall profile filters mainland requests only."""
    censor = Censor(make_profile("gfw"))
    msg = "GET https://twitter.com/"
    assert censor.check(Message(msg, Surface.WEB, Region.MAINLAND), at=AT).censored
    assert not censor.check(Message(msg, Surface.WEB, Region.HONG_KONG), at=AT).censored


def test_region_names() -> None:
    assert Region.parse("hk") is Region.parse("Hong Kong") is Region.HONG_KONG
