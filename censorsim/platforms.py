"""Platform profiles: documented censorship systems, each a policy factory with its sources.

Every factory takes the user's rules (``rules=``) or falls back to the project's small,
cited example lists in ``wordlists/``; the facts each profile encodes are in its
docstring with their citations, and in ``docs/simulation.md``.

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

from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import replace
from datetime import timedelta
from typing import Any

from censorsim._data import data_dir
from censorsim.errors import PolicyError, UnknownNameError
from censorsim.models import Action, Region, Rule, Surface
from censorsim.policy import (
    DelayDistribution,
    ImageBlacklist,
    ImageCheck,
    Policy,
    Scope,
    SurfacePolicy,
)
from censorsim.registry import Registry
from censorsim.text.rules import RuleSet

__all__ = [
    "GFW_DOMAINS",
    "PLATFORMS",
    "SEARCH_ENGINES",
    "SOURCES",
    "example_rules",
    "great_firewall",
    "line",
    "make_profile",
    "qqmail",
    "search",
    "wechat",
    "weibo",
]

SOURCES: dict[str, str] = {
    "oats": "https://citizenlab.ca/2016/11/wechat-china-censorship-one-app-two-systems/",
    "picture-this": "https://citizenlab.ca/2018/08/cant-picture-this-an-analysis-of-image-filtering-on-wechat-moments/",
    "picture-this-2": "https://citizenlab.ca/2019/07/cant-picture-this-2-an-analysis-of-wechats-realtime-image-filtering-in-chats/",
    "covid": "https://citizenlab.ca/2020/03/censored-contagion-how-information-on-the-coronavirus-is-managed-on-chinese-social-media/",
    "zhu2013": "https://www.usenix.org/conference/usenixsecurity13/technical-sessions/paper/zhu",
    "search2023": "https://citizenlab.ca/2023/04/a-comparison-of-search-censorship-in-china/",
    "qqmail": "https://github.com/citizenlab/chat-censorship/tree/master/qqmail",
    "asia-chats": "https://citizenlab.ca/2013/11/asia-chats-analyzing-information-controls-privacy-asian-messaging-applications/",
    "gfw-rst": "https://www.cl.cam.ac.uk/~rnc1/ignoring.pdf",
    "gfw-dns": "https://www.usenix.org/conference/usenixsecurity21/presentation/hoang",
}
"""Citation URLs by short key, as used in the profiles' docstrings."""

GFW_DOMAINS: tuple[str, ...] = ("twitter.com", "google.com", "facebook.com", "whatsapp.com")
"""Blocked domains of the default Great Firewall profile (the issue's seed list)."""

SEARCH_ENGINES: tuple[str, ...] = ("baidu", "weibo", "bing", "sogou")
"""Search engines the :func:`search` profile names (Knockel, Kato & Dirks 2023)."""

_WORDLISTS = data_dir("wordlists")

_FILES_READ: ContextVar[list[str] | None] = ContextVar("censorsim_profile_files", default=None)
"""While :func:`make_profile` builds a profile: the example list files it reads."""


def example_rules(*names: str, action: Action | None = None) -> list[Rule]:
    """Rules from the project's example lists (``wordlists/<name>.csv``).

    Args:
        names: list names, e.g. ``"wechat-combinations"``.
        action: overrides every rule's action when given.

    Raises:
        PolicyError: the lists are not there (an installed package without the source
            tree): pass your own rules instead.
    """
    from dataclasses import replace

    from censorsim.text.wordlists import load_rules

    rules: list[Rule] = []
    for name in names:
        path = _WORDLISTS / f"{name}.csv"
        if not path.is_file():
            raise PolicyError(
                f"example list {str(path)!r} not found (it ships with the source tree); "
                "pass rules= to the profile instead"
            )
        rules.extend(load_rules(path))
        files = _FILES_READ.get()
        if files is not None:
            files.append(str(path.resolve()))
    if action is not None:
        rules = [replace(r, action=action) for r in rules]
    return rules


def _rules(rules: Iterable[Rule] | None, default: Callable[[], list[Rule]]) -> list[Rule]:
    return list(rules) if rules is not None else default()


def wechat(
    rules: Iterable[Rule] | None = None,
    *,
    group_only: Sequence[str] = ("oats-falun-gong",),
    images: ImageBlacklist | None = None,
    analysis_delay: timedelta = timedelta(seconds=30),
    normalizer: str | None = None,
) -> Policy:
    """WeChat chat (one-to-one and group) and Moments.

    Facts encoded:

    - Filtering is server-side, by keyword combinations (all components anywhere in the
      message); a censored chat message is silently not delivered, and the sender sees
      it as sent (``DROP``). [oats]
    - Only accounts registered with mainland-China phone numbers are filtered; the same
      message from an international account is delivered. [oats]
    - Group chat is filtered more than one-to-one chat: rules named in ``group_only``
      apply to group chat and Moments only (the report found 法轮功 delivered one-to-one
      in August 2016). [oats]
    - Moments posts that trip a filter are hidden from mainland-China accounts (``HIDE``,
      viewer scope). [oats]
    - Images in chat are looked up by file MD5; an unknown image is delivered once,
      analysed, and its MD5 learned, so the next send of the same file is blocked
      (``ImageCheck.LEARN``). [picture-this-2]
    - Moments images are checked by visual similarity and OCR before posting
      (``ImageCheck.VISUAL``). [picture-this]
    - Lists change over time (the COVID-19 list grew from 132 rules in January 2020 to
      384 in the first half of February); rules carry ``added``/``removed`` dates. [covid]

    Sources: see :data:`SOURCES` under the keys in brackets.
    """
    all_rules = _rules(
        rules,
        lambda: [
            r
            for r in example_rules("wechat-combinations", "english-whole-word")
            if r.action is Action.DROP
        ],
    )
    group = set(group_only)
    mainland = frozenset({Region.MAINLAND})
    return Policy(
        name="wechat",
        rulesets={
            "chat": RuleSet([r for r in all_rules if r.id not in group], normalizer=normalizer),
            "group": RuleSet(all_rules, normalizer=normalizer),
        },
        surfaces=(
            SurfacePolicy(Surface.CHAT, ("chat",), mainland, Scope.SENDER, Action.DROP,
                          images=ImageCheck.LEARN),
            SurfacePolicy(Surface.GROUP_CHAT, ("group",), mainland, Scope.SENDER, Action.DROP,
                          images=ImageCheck.LEARN),
            SurfacePolicy(Surface.FEED, ("group",), mainland, Scope.VIEWER, Action.HIDE,
                          images=ImageCheck.VISUAL),
        ),
        images=images or ImageBlacklist(),
        analysis_delay=analysis_delay,
        description="WeChat one-to-one chat, group chat and Moments",
        sources=(SOURCES["oats"], SOURCES["picture-this"], SOURCES["picture-this-2"],
                 SOURCES["covid"]),
    )


def weibo(
    rules: Iterable[Rule] | None = None,
    *,
    search_rules: Iterable[Rule] | None = None,
    refuse: Iterable[str] = (),
    hide: Iterable[str] = (),
    deletion: DelayDistribution | None = None,
    normalizer: str | None = None,
) -> Policy:
    """Sina Weibo posts and search.

    Facts encoded:

    - A post that trips a filter is refused outright with an error (rules in
      ``refuse``; the error is Weibo's "data error"), made visible only to its author
      (rules in ``hide``), or published and deleted later (every other rule:
      ``DELETE_LATER``).
    - Deletion delays follow Zhu et al. 2013: about 30% of deletions happen 5 to 30
      minutes after posting and about 90% within 24 hours
      (:meth:`DelayDistribution.zhu2013`). [zhu2013]
    - Search hard-blocks names (刘晓波, 晓波, Liu Xiaobo after July 2017): no results,
      with a notice. [search2023]

    Weibo filters every account; there is no region scope.
    """
    post_rules = _rules(rules, lambda: example_rules("wechat-combinations"))
    refused, hidden = set(refuse), set(hide)
    from dataclasses import replace

    def action_of(r: Rule) -> Action:
        if r.id in refused:
            return Action.REFUSE
        if r.id in hidden:
            return Action.HIDE
        return Action.DELETE_LATER

    post_rules = [replace(r, action=action_of(r)) for r in post_rules]
    s_rules = _rules(
        search_rules,
        lambda: [
            r
            for r in example_rules("search-hard-soft", "english-whole-word")
            if r.id.startswith("weibo-")
        ],
    )
    return Policy(
        name="weibo",
        rulesets={
            "post": RuleSet(post_rules, normalizer=normalizer),
            "search": RuleSet(s_rules, normalizer=normalizer),
        },
        surfaces=(
            SurfacePolicy(Surface.POST, ("post",), error="data error"),
            SurfacePolicy(
                Surface.SEARCH,
                ("search",),
                error="According to relevant laws, regulations and policies, "
                "search results are not shown",
            ),
        ),
        deletion=deletion or DelayDistribution.zhu2013(),
        description="Sina Weibo posts and search",
        sources=(SOURCES["zhu2013"], SOURCES["search2023"]),
    )


def search(
    engine: str = "baidu",
    rules: Iterable[Rule] | None = None,
    *,
    normalizer: str | None = None,
) -> Policy:
    """A Chinese search engine (Baidu, Weibo, Bing, Sogou...).

    Facts encoded (Knockel, Kato & Dirks 2023, "Missing Links"):

    - Hard censorship: a query that trips a hard rule returns no results at all
      (``BLOCK``).
    - Soft censorship: a query that trips a soft rule returns results only from
      authorised sources (``LIMIT_RESULTS``).
    - Which rules are hard or soft is per engine: pass that engine's lists (for example
      ``load_citizenlab(path, "search/baidu")`` and ``"search/baidu-soft"``).

    Sources: [search2023]; the example soft rule on Baidu cites a 2012 report.

    Raises:
        UnknownNameError: ``engine`` is not one of :data:`SEARCH_ENGINES`.
    """
    name = engine.strip().lower()
    if name not in SEARCH_ENGINES:
        raise UnknownNameError("search engine", engine, SEARCH_ENGINES)
    s_rules = _rules(rules, lambda: example_rules("search-hard-soft"))
    return Policy(
        name=f"search-{name}",
        rulesets={"search": RuleSet(s_rules, normalizer=normalizer)},
        surfaces=(SurfacePolicy(Surface.SEARCH, ("search",), error="no results"),),
        description=f"{name} search: hard (no results) and soft (authorised sources only)",
        sources=(SOURCES["search2023"],),
    )


def qqmail(
    rules: Iterable[Rule] | None = None,
    *,
    normalizer: str | None = None,
) -> Policy:
    """QQMail: mail refused at SMTP with ``550 Mail content denied``.

    Facts encoded:

    - A mail whose content trips a rule is refused with the SMTP reply
      ``550 Mail content denied`` (``REFUSE``; the sender sees the error). [qqmail]
    - "Extenuating" combinations switch rules off: when every keyword of one is present
      the mail goes through (``Rule.unless``; ``load_qqmail`` reads the published
      layout). [qqmail]
    """
    m_rules = _rules(rules, lambda: example_rules("wechat-combinations"))
    return Policy(
        name="qqmail",
        rulesets={"mail": RuleSet(m_rules, normalizer=normalizer)},
        surfaces=(
            SurfacePolicy(Surface.MAIL, ("mail",), action=Action.REFUSE,
                          error="550 Mail content denied"),
        ),
        description="QQMail SMTP keyword filtering with extenuating combinations",
        sources=(SOURCES["qqmail"],),
    )


def line(
    rules: Iterable[Rule] | None = None,
    *,
    normalizer: str | None = None,
) -> Policy:
    """LINE (2013-14): a client-side list, applied only to China-registered numbers.

    Facts encoded (Citizen Lab, "Asia Chats", 2013):

    - The keyword list ships inside the app and is applied on the device.
    - It applies only to accounts registered with a mainland-China number; a matching
      message is not sent (``DROP``).
    - Its lists used regular expressions, read here as ordered rules with gap limits
      (``load_line_list``).
    """
    l_rules = _rules(rules, lambda: example_rules("wechat-combinations"))
    return Policy(
        name="line",
        rulesets={"client": RuleSet(l_rules, normalizer=normalizer)},
        surfaces=(
            SurfacePolicy(Surface.CHAT, ("client",), frozenset({Region.MAINLAND}),
                          action=Action.DROP),
            SurfacePolicy(Surface.GROUP_CHAT, ("client",), frozenset({Region.MAINLAND}),
                          action=Action.DROP),
        ),
        description="LINE 2013-14 client-side keyword list for China-registered numbers",
        sources=(SOURCES["asia-chats"],),
    )


def great_firewall(
    keywords: Iterable[Rule] | None = None,
    *,
    domains: Iterable[str] = GFW_DOMAINS,
) -> Policy:
    """The Great Firewall: keyword-triggered connection resets and blocked domains.

    Facts encoded:

    - A request from inside China that carries a blacklisted keyword is answered with
      forged TCP resets: the connection is reset (``BLOCK``, error "connection reset").
      [gfw-rst]
    - Requests to blocked domains (Twitter, Google, Facebook, WhatsApp in the issue's
      seed list) never complete. [gfw-dns]

    A "message" on :attr:`Surface.WEB` is the request (URL and body).
    """
    k_rules = _rules(
        keywords, lambda: example_rules("wechat-combinations", action=Action.BLOCK)
    )
    d_rules = [
        Rule.keyword(d, id=f"domain:{d}", action=Action.BLOCK, category="domain")
        for d in domains
    ]
    return Policy(
        name="gfw",
        rulesets={
            "keywords": RuleSet(k_rules),
            "domains": RuleSet(d_rules, normalizer="casefold"),
        },
        surfaces=(
            SurfacePolicy(Surface.WEB, ("domains", "keywords"), frozenset({Region.MAINLAND}),
                          action=Action.BLOCK, error="connection reset"),
        ),
        description="Great Firewall keyword resets and blocked domains",
        sources=(SOURCES["gfw-rst"], SOURCES["gfw-dns"]),
    )


PLATFORMS: Registry[Callable[..., Policy]] = Registry("platform profile")
"""Profile factories by name (``make_profile`` builds one)."""
PLATFORMS.add("wechat", wechat, summary="WeChat chat, group chat and Moments")
PLATFORMS.add("weibo", weibo, summary="Sina Weibo posts and search")
PLATFORMS.add("search", search, summary="a Chinese search engine: hard and soft censorship")
PLATFORMS.add("qqmail", qqmail, summary="QQMail SMTP refusals")
PLATFORMS.add("line", line, summary="LINE 2013-14 client-side list")
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
