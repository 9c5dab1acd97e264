"""Platform profiles: documented censorship systems, each a policy factory with its sources.

Every factory takes the user's rules (``rules=``) or falls back to the project's small,
cited example lists in ``wordlists/``; the facts each profile encodes are in its
docstring with their citations, and in ``docs/simulation.md``.

Hong Kong accounts (``Region.HONG_KONG``, +852 numbers): WeChat, LINE's China version
and the Great Firewall filter mainland accounts only, so a Hong Kong account is treated
like an international one there (WeChat: keyword filtering only for accounts registered
to mainland numbers [oats]; Tencent to The Verge, 2019-11-25: any registration other
than +86 is the international WeChat; Hong Kong's internet is not behind the Great
Firewall, AP, 2020-07-06). Weibo, the search engines and QQMail filter every account
(no source scopes them by region: an assumption). Legal takedown requests under Hong
Kong's national security law are modelled in :mod:`censorsim.legal`.

Example:
    >>> from datetime import datetime
    >>> from censorsim.policy import Censor, Message, Region, Surface
    >>> censor = Censor(make_profile("wechat"))
    >>> at = datetime(2017, 7, 20)
    >>> censor.check(Message("刘晓波", Surface.CHAT, Region.MAINLAND), at=at).action.name
    'DROP'
    >>> censor.check(Message("刘晓波", Surface.CHAT, Region.INTERNATIONAL), at=at).action.name
    'DELIVER'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from censorsim.errors import PolicyError
from censorsim.platforms._common import (
    _FILES_READ,
    NORMALIZERS,
    SOURCES,
    example_rules,
)
from censorsim.platforms._gfw import (
    DOMAIN_MATCHES,
    GFW_DOMAINS,
    GFW_RESPONSE_FILTERING_UNTIL,
    domain_rule,
    great_firewall,
)
from censorsim.platforms._line import LINE_NOTICE, line
from censorsim.platforms._qqmail import qqmail
from censorsim.platforms._search import SEARCH_ENGINES, search
from censorsim.platforms._wechat import ONE_TO_ONE_EXEMPT, wechat
from censorsim.platforms._weibo import (
    WEIBO_DELETION_SHARE,
    WEIBO_REFUSAL_NOTICE,
    WEIBO_SEARCH_NOTICE,
    weibo,
)
from censorsim.policy import Policy
from censorsim.registry import Registry

__all__ = [
    "DOMAIN_MATCHES",
    "GFW_DOMAINS",
    "GFW_RESPONSE_FILTERING_UNTIL",
    "LINE_NOTICE",
    "NORMALIZERS",
    "ONE_TO_ONE_EXEMPT",
    "PLATFORMS",
    "SEARCH_ENGINES",
    "SOURCES",
    "WEIBO_DELETION_SHARE",
    "WEIBO_REFUSAL_NOTICE",
    "WEIBO_SEARCH_NOTICE",
    "domain_rule",
    "example_rules",
    "great_firewall",
    "line",
    "make_profile",
    "qqmail",
    "search",
    "wechat",
    "weibo",
]

PLATFORMS: Registry[Callable[..., Policy]] = Registry("platform profile")
"""Profile factories by name (``make_profile`` builds one)."""
PLATFORMS.add("wechat", wechat, summary="WeChat chat, group chat and Moments")
PLATFORMS.add("weibo", weibo, summary="Sina Weibo posts and search")
PLATFORMS.add("search", search, summary="a Chinese search engine: hard and soft censorship")
PLATFORMS.add("qqmail", qqmail, summary="QQMail SMTP refusals")
PLATFORMS.add("line", line, summary="LINE 2013-14 downloaded list, refused with a notice")
PLATFORMS.add("gfw", great_firewall, summary="Great Firewall resets and blocked domains")


def make_profile(name: str, **options: Any) -> Policy:
    """The policy of profile ``name`` built with ``options``.

    Raises:
        UnknownNameError: an unknown profile name (the message lists the names).
        PolicyError: an unknown option.

    Example:
        >>> make_profile("qqmail").surfaces[0].error
        '550 Mail content denied'
    """
    factory = PLATFORMS.get(name)
    read: list[str] = []
    token = _FILES_READ.set(read)
    try:
        policy = factory(**options)
    except TypeError as exc:
        raise PolicyError(f"profile {name!r}: {exc}") from None
    finally:
        _FILES_READ.reset(token)
    if read:  # the example lists it read: a simulation records their digests
        policy = replace(policy, inputs=(*policy.inputs, *dict.fromkeys(read)))
    return policy
