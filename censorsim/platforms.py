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

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import replace
from datetime import date, timedelta
from os import PathLike
from pathlib import Path
from typing import Any

from censorsim._data import data_dir
from censorsim.errors import PolicyError, UnknownNameError, WordlistError
from censorsim.models import Action, Outcome, Region, Rule, Surface
from censorsim.policy import (
    DelayDistribution,
    ImageBlacklist,
    ImageCheck,
    Policy,
    Scope,
    SurfacePolicy,
    merge_identical,
    one_to_one_exempt,
)
from censorsim.registry import Registry
from censorsim.text.rules import RuleSet

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

SOURCES: dict[str, str] = {
    "oats": "https://citizenlab.ca/2016/11/wechat-china-censorship-one-app-two-systems/",
    "lxb": "https://citizenlab.ca/2017/07/analyzing-censorship-of-the-death-of-liu-xiaobo-on-wechat-and-weibo/",
    "709": "https://citizenlab.ca/2017/04/we-cant-chat-709-crackdown-discussions-blocked-on-weibo-and-wechat/",
    "picture-this": "https://citizenlab.ca/2018/08/cant-picture-this-an-analysis-of-image-filtering-on-wechat-moments/",
    "picture-this-2": "https://citizenlab.ca/2019/07/cant-picture-this-2-an-analysis-of-wechats-realtime-image-filtering-in-chats/",
    "we-chat-they-watch": "https://citizenlab.ca/2020/05/we-chat-they-watch/",
    "covid": "https://citizenlab.ca/2020/03/censored-contagion-how-information-on-the-coronavirus-is-managed-on-chinese-social-media/",
    "zhu2013": "https://www.usenix.org/conference/usenixsecurity13/technical-sessions/paper/zhu",
    "bamman2012": "https://firstmonday.org/ojs/index.php/fm/article/view/3943",
    "weibo2014": "https://citizenlab.ca/2014/11/tracing-path-censored-weibo-post-compiling-keywords-trigger-automatic-review/",
    "search2023": "https://citizenlab.ca/2023/04/a-comparison-of-search-censorship-in-china/",
    "qqmail": "https://dl.acm.org/doi/10.1145/3473604.3474560",
    "asia-chats": "https://citizenlab.ca/2013/11/asia-chats-analyzing-information-controls-privacy-asian-messaging-applications/",
    "line-2014": "https://citizenlab.ca/2014/04/line-censored-keywords-update/",
    "gfw-rst": "https://www.cl.cam.ac.uk/~rnc1/ignoring.pdf",
    "gfw-response": "https://doi.org/10.1109/ICDCS.2010.46",
    "gfw-dns": "https://www.usenix.org/conference/usenixsecurity21/presentation/hoang",
}
"""Citation URLs by short key, as used in the profiles' docstrings and docs/fidelity.md."""

GFW_DOMAINS: tuple[str, ...] = ("twitter.com", "google.com", "facebook.com", "whatsapp.com")
"""Blocked domains of the default Great Firewall profile (the issue's seed list)."""

SEARCH_ENGINES: tuple[str, ...] = (
    "baidu", "weibo", "bing", "sogou", "baidu_zhidao", "bilibili", "douyin", "jingdong",
)
"""The eight search platforms of Knockel, Kato & Dirks 2023 ("Missing Links"), named as
Citizen Lab's ``search/rules/<name>[-soft].txt`` files name them."""

NORMALIZERS: dict[str, str] = {
    "wechat": "identity",
    "weibo": "identity",
    "search": "identity",
    "qqmail": "identity",
    "line": "identity",
    "gfw": "identity",
}
"""Each profile's default normaliser (``normalizer=None``).

WeChat is literal because the data say so: the published lists keep script variants as
separate entries (法轮功 and 法輪功 in the 709 list), and on 2017-07-14 ``刘+晓波`` was
not blocked one-to-one while ``曉波+劉`` was [lxb]. For the other profiles no source
says how text is folded, and their lists also spell variants out (``刘晓波|劉曉波`` on
Weibo search): literal matching is the assumption there (docs/fidelity.md). Pass
``normalizer="default"`` to fold width, case, digits, script and separators instead.
"""

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


def _normalizer(profile: str, normalizer: str | None) -> str:
    return NORMALIZERS[profile] if normalizer is None else normalizer


def _ruleset(rules: Iterable[Rule], normalizer: str, where: str) -> RuleSet:
    """A rule set of ``rules`` with rules identical under ``normalizer`` counted once."""
    return RuleSet(merge_identical(rules, normalizer, where=where), normalizer=normalizer)


def _citizenlab(path: str | PathLike[str], *datasets: str) -> list[Rule]:
    from censorsim.text.citizenlab import load_citizenlab

    rules: list[Rule] = []
    for name in datasets:
        try:
            rules.extend(load_citizenlab(Path(path), name))
        except WordlistError as exc:
            if "found here" not in str(exc):
                raise
    files = _FILES_READ.get()
    if files is not None:
        files.append(str(Path(path).resolve()))
    return rules


ONE_TO_ONE_EXEMPT: dict[str, tuple[date | None, date | None]] = {
    "oats-falun-gong": (date(2016, 8, 1), date(2016, 9, 1)),
}
"""Rules observed filtered in group chat but delivered one-to-one, with the interval of
the observation ([start, end) dates; None for open). 法轮功 was delivered one-to-one in
August 2016 [oats]; outside that month the simulator assumes it is filtered everywhere."""


def _interval(rule_id: str, value: Any) -> tuple[date | None, date | None]:
    """A ``group_only`` interval: two dates (or ISO strings, or None), start before end."""

    def day(v: Any) -> date | None:
        if v is None or isinstance(v, date):
            return v
        if isinstance(v, str):
            try:
                return date.fromisoformat(v)
            except ValueError:
                pass
        raise PolicyError(f"group_only[{rule_id!r}]: expected a date YYYY-MM-DD, got {v!r}")

    if isinstance(value, str) or not isinstance(value, Sequence) or len(value) != 2:
        raise PolicyError(f"group_only[{rule_id!r}]: expected [start, end], got {value!r}")
    start, end = day(value[0]), day(value[1])
    if start is not None and end is not None and end <= start:
        raise PolicyError(f"group_only[{rule_id!r}]: end {end} is not after start {start}")
    return start, end


def wechat(
    rules: Iterable[Rule] | None = None,
    *,
    group_only: Sequence[str] | Mapping[str, tuple[date | None, date | None]] | None = None,
    images: ImageBlacklist | None = None,
    analysis_delay: timedelta = timedelta(seconds=30),
    feedback: bool = True,
    moments_delay: bool = True,
    citizenlab: str | PathLike[str] | None = None,
    dataset: str = "wechat",
    normalizer: str | None = None,
) -> Policy:
    """WeChat chat (one-to-one and group) and Moments.

    Facts encoded:

    - Filtering is server-side, by keyword combinations (all components anywhere in the
      message); a censored chat message is silently not delivered, and the sender sees
      it as sent (``DROP``). [oats]
    - Matching is literal (normaliser ``identity``): the lists keep simplified and
      traditional forms as separate entries, and on 2017-07-14 ``刘+晓波`` was not
      blocked one-to-one while ``曉波+劉`` was. [lxb, 709]
    - Only accounts registered with mainland-China phone numbers are filtered; the same
      message from an international account is delivered. [oats]
    - Group chat is filtered more than one-to-one chat. A rule is group-only where the
      data say so: Citizen Lab's per-rule "1-1 Chat: Not blocked" results (the Liu
      Xiaobo CSV; the loader leaves the chat out of the rule's ``surfaces``,
      :func:`one_to_one_exempt`) and ``group_only``: ids, or ids
      with the ``[start, end)`` interval of the observation (default
      :data:`ONE_TO_ONE_EXEMPT`: 法轮功 delivered one-to-one in August 2016). [oats, lxb]
    - Moments posts that trip a filter are published, then hidden from other users'
      timelines (viewer scope: mainland accounts) 5-30 s (OCR) or up to 10 s (visual)
      after posting: ``DELETE_LATER`` with :meth:`DelayDistribution.picture_this`
      delays (``moments_delay=False``: ``HIDE`` at once). [picture-this]
    - Images in chat are looked up by file MD5; an unknown image is delivered once,
      analysed, and its MD5 learned, so the next send of the same file is blocked
      (``ImageCheck.LEARN``). [picture-this-2]
    - Images sent among international accounts are analysed too, and what is found
      sensitive feeds the blacklist applied to mainland accounts (``feedback=True``:
      chat surfaces learn from every region, block for the mainland). [we-chat-they-watch]
    - Moments images are checked by visual similarity and OCR (``ImageCheck.VISUAL``).
      [picture-this]
    - Lists change over time (the COVID-19 list: 132 keyword combinations found in
      January 2020 and another 384 by mid-February, 516 in all); a rule's ``added`` is
      the day it was first seen, not the day it started. [covid]

    The default list is ``wordlists/wechat-combinations.csv`` and the WeChat rows of
    ``english-whole-word.csv``; with ``citizenlab`` (a copy of Citizen Lab's
    chat-censorship data) the ``dataset`` is read instead (``"wechat"``: every WeChat
    list; ``"wechat/lxb"``, ``"coronavirus/wechat"``...).

    Sources: see :data:`SOURCES` under the keys in brackets.
    """
    norm = _normalizer("wechat", normalizer)
    if rules is None and citizenlab is not None:
        rules = _citizenlab(citizenlab, dataset)
    all_rules = merge_identical(
        _rules(
            rules,
            lambda: [
                r
                for r in example_rules("wechat-combinations", "english-whole-word")
                if r.action is Action.DROP
            ],
        ),
        norm,
        where="wechat",
    )
    exempt: dict[str, tuple[date | None, date | None]]
    if group_only is None:
        exempt = dict(ONE_TO_ONE_EXEMPT)
    elif isinstance(group_only, Mapping):
        exempt = {k: _interval(k, v) for k, v in group_only.items()}
    else:
        exempt = dict.fromkeys(group_only, (None, None))
    for r in all_rules:
        if one_to_one_exempt(r):
            exempt.setdefault(r.id, (None, None))
    # A rule exempt within an interval applies one-to-one before and after it: two dated
    # copies under the same id, in two rule sets (ids are unique within a rule set).
    one_to_one: list[Rule] = []
    before: list[Rule] = []
    for r in all_rules:
        if r.id not in exempt:
            one_to_one.append(r)
            continue
        start, end = exempt[r.id]
        if start is not None and (r.added is None or r.added < start):
            before.append(replace(r, removed=start if r.removed is None
                                  else min(r.removed, start)))
        if end is not None and (r.removed is None or r.removed > end):
            one_to_one.append(replace(r, added=end if r.added is None else max(r.added, end)))
    rulesets = {
        "chat": RuleSet(one_to_one, normalizer=norm),
        "group": RuleSet(all_rules, normalizer=norm),
    }
    chat_sets: tuple[str, ...] = ("chat",)
    if before:
        rulesets["chat-before-exemption"] = RuleSet(before, normalizer=norm)
        chat_sets += ("chat-before-exemption",)
    mainland = frozenset({Region.MAINLAND})
    learn = frozenset(Region) if feedback else None
    return Policy(
        name="wechat",
        rulesets=rulesets,
        surfaces=(
            SurfacePolicy(Surface.CHAT, chat_sets, mainland, Scope.SENDER, Action.DROP,
                          images=ImageCheck.LEARN, learn_from=learn),
            SurfacePolicy(Surface.GROUP_CHAT, ("group",), mainland, Scope.SENDER, Action.DROP,
                          images=ImageCheck.LEARN, learn_from=learn),
            SurfacePolicy(Surface.FEED, ("group",), mainland, Scope.VIEWER,
                          Action.DELETE_LATER if moments_delay else Action.HIDE,
                          images=ImageCheck.VISUAL),
        ),
        images=images or ImageBlacklist(),
        deletion=DelayDistribution.picture_this(),
        analysis_delay=analysis_delay,
        description="WeChat one-to-one chat, group chat and Moments (literal matching)",
        sources=(SOURCES["oats"], SOURCES["lxb"], SOURCES["709"], SOURCES["picture-this"],
                 SOURCES["picture-this-2"], SOURCES["we-chat-they-watch"], SOURCES["covid"]),
    )


WEIBO_SEARCH_NOTICE = (
    "According to relevant laws, regulations and policies, search results are not shown"
)
"""Weibo's search censorship notice, removed from searches in 2014 [weibo2014]."""

WEIBO_REFUSAL_NOTICE = "the content of this post violates Weibo's rules and cannot be posted"
"""What an explicitly refused Weibo post shows its author (Citizen Lab 2014's "explicit
filtering" message; a paraphrase in English, the report's data hold the screenshot)
[weibo2014]. The implicitly refused ones show "data error"."""

WEIBO_DELETION_SHARE = 0.12
"""The share of matching posts that Weibo's review deletes: about 12%, the share of the
tracked users' posts that Zhu et al. (2013) saw deleted [zhu2013]. Zhu et al. tracked
about 3,500 users chosen for posting on sensitive topics (2.38 million posts over two
months in 2012); the figure is a share of all those users' posts, not a measured
probability per matching post, so using it per matching post is an inference
(docs/fidelity.md)."""


def weibo(
    rules: Iterable[Rule] | None = None,
    *,
    search_rules: Iterable[Rule] | None = None,
    refuse: Iterable[str] = (),
    hide: Iterable[str] = (),
    data_error: Iterable[str] = (),
    deletion: DelayDistribution | None = None,
    deletion_share: float = WEIBO_DELETION_SHARE,
    deletion_shares: Mapping[str, float] | None = None,
    search_notice: bool = False,
    citizenlab: str | PathLike[str] | None = None,
    normalizer: str | None = None,
) -> Policy:
    """Sina Weibo posts and search.

    Facts encoded:

    - Posts pass through automatic review, with three outcomes an author can tell
      apart (the 2014 study's keyword counts in brackets) [weibo2014]:
      explicit refusal with a notice (66; rules in ``refuse``: ``REFUSE``,
      :attr:`Outcome.REFUSED`, error :data:`WEIBO_REFUSAL_NOTICE`); refusal with a
      "data error" that does not say why (14; ``data_error``: ``REFUSE``,
      :attr:`Outcome.DATA_ERROR`); camouflage, the post shown to its author as
      published and hidden from everyone else (133; ``hide``: ``HIDE``,
      :attr:`Outcome.AUTHOR_ONLY`). A rule that carries its own ``outcome`` of one of
      these paths keeps it; every other rule's posts are published and deleted later
      (``DELETE_LATER``) [zhu2013].
    - Deletion delays follow :meth:`DelayDistribution.zhu2013` (about 30% of deletions
      within 30 minutes of posting, about 90% within a day [zhu2013]; the 5-minute and
      14-day knots are assumptions).
    - Not every matching post is deleted: review deletes a share ``deletion_share``
      (default :data:`WEIBO_DELETION_SHARE`, 12%, inferred from Zhu et al. [zhu2013];
      per rule in ``deletion_shares``); the others are kept (``FLAG``,
      :attr:`Outcome.KEPT`), drawn per message by :meth:`Censor.settle`.
    - Search hard-blocks names: 刘晓波 and 劉曉波 and "Liu Xiaobo", and after his death
      the given name 晓波 alone (no results). [lxb]
    - The search notice ("According to relevant laws...") was removed in 2014, so by
      default a blocked search shows no notice; ``search_notice=True`` restores it for
      pre-2014 studies. [weibo2014]

    The default lists are ``wordlists/weibo.csv`` (posts: high-deletion terms of
    Bamman et al. 2012 [bamman2012]; search: the Liu Xiaobo bans); with ``citizenlab``
    the search rules are the published ``search/rules/weibo[-soft].txt``. Weibo filters
    every account; there is no region scope.
    """
    norm = _normalizer("weibo", normalizer)
    if search_rules is None and citizenlab is not None:
        search_rules = _citizenlab(citizenlab, "search/weibo", "search/weibo-soft")
    shipped: list[Rule] | None = None
    if rules is None or search_rules is None:
        shipped = example_rules("weibo")
    post_rules = _rules(rules, lambda: [r for r in shipped or () if r.action not in _SEARCH])
    paths = {**dict.fromkeys(hide, Outcome.AUTHOR_ONLY),
             **dict.fromkeys(data_error, Outcome.DATA_ERROR),
             **dict.fromkeys(refuse, Outcome.REFUSED)}

    def path_of(r: Rule) -> Outcome:
        if r.id in paths:
            return paths[r.id]
        if r.outcome in _REVIEW_PATHS:  # the rule's own (from its data)
            return r.outcome
        return Outcome.DELETED_LATER

    post_rules = [replace(r, action=path_of(r).action, outcome=path_of(r))
                  for r in post_rules]
    s_rules = _rules(search_rules, lambda: [r for r in shipped or () if r.action in _SEARCH])
    return Policy(
        name="weibo",
        rulesets={
            "post": _ruleset(post_rules, norm, "weibo posts"),
            "search": _ruleset(s_rules, norm, "weibo search"),
        },
        surfaces=(
            SurfacePolicy(Surface.POST, ("post",), error=WEIBO_REFUSAL_NOTICE,
                          errors={Outcome.DATA_ERROR: "data error"}),
            SurfacePolicy(Surface.SEARCH, ("search",),
                          error=WEIBO_SEARCH_NOTICE if search_notice else None),
        ),
        deletion=deletion or DelayDistribution.zhu2013(),
        deletion_share=deletion_share,
        deletion_shares=dict(deletion_shares or {}),
        description="Sina Weibo posts and search",
        sources=(SOURCES["weibo2014"], SOURCES["zhu2013"], SOURCES["bamman2012"],
                 SOURCES["lxb"]),
    )


_SEARCH = (Action.BLOCK, Action.LIMIT_RESULTS)
_REVIEW_PATHS = (Outcome.REFUSED, Outcome.DATA_ERROR, Outcome.AUTHOR_ONLY, Outcome.DELETED_LATER)
"""The outcomes of Weibo's automatic review of posts [weibo2014, zhu2013]."""


def search(
    engine: str = "baidu",
    rules: Iterable[Rule] | None = None,
    *,
    citizenlab: str | PathLike[str] | None = None,
    normalizer: str | None = None,
) -> Policy:
    """A Chinese search platform (one of :data:`SEARCH_ENGINES`).

    Facts encoded (Knockel, Kato & Dirks 2023, "Missing Links" [search2023]):

    - Hard censorship: a query that trips a hard rule returns no results at all
      (``BLOCK``).
    - Soft censorship: a query that trips a soft rule returns results only from
      authorised sources (``LIMIT_RESULTS``).
    - Rules are per platform: each has its own list. With ``citizenlab`` (a copy of
      Citizen Lab's chat-censorship data) the engine loads its own
      ``search/rules/<engine>.txt`` (hard) and ``<engine>-soft.txt`` (soft) files;
      otherwise its small cited list ``wordlists/<engine>.csv`` where the project has
      one (Baidu: a soft-censored leader name, 2012; Bing: the 2021 "tank man" block;
      Weibo: the Liu Xiaobo search bans [lxb]); platforms without a cited example get
      no default rules.

    Raises:
        UnknownNameError: ``engine`` is not one of :data:`SEARCH_ENGINES`.
    """
    name = engine.strip().lower().replace("-", "_")
    if name not in SEARCH_ENGINES:
        raise UnknownNameError("search engine", engine, SEARCH_ENGINES)
    norm = _normalizer("search", normalizer)
    if rules is not None:
        s_rules = list(rules)
    elif citizenlab is not None:
        s_rules = _citizenlab(citizenlab, f"search/{name}", f"search/{name}-soft")
    elif name == "weibo":
        s_rules = [r for r in example_rules("weibo") if r.action in _SEARCH]
    elif (_WORDLISTS / f"{name}.csv").is_file():
        s_rules = example_rules(name)
    else:
        s_rules = []
    return Policy(
        name=f"search-{name}",
        rulesets={"search": _ruleset(s_rules, norm, f"search-{name}")},
        surfaces=(SurfacePolicy(Surface.SEARCH, ("search",), error="no results"),),
        description=f"{name} search: hard (no results) and soft (authorised sources only)",
        sources=(SOURCES["search2023"],),
    )


def qqmail(
    rules: Iterable[Rule] | None = None,
    *,
    citizenlab: str | PathLike[str] | None = None,
    normalizer: str | None = None,
) -> Policy:
    """QQMail: mail refused at SMTP with ``550 Mail content denied``.

    Facts encoded (Knockel & Ruan, FOCI 2021 [qqmail]):

    - A mail whose content trips a rule is refused with the SMTP reply
      ``550 Mail content denied`` (``REFUSE``; the sender sees the error).
    - Rules are keyword combinations: 习近平 alone and 复辟 alone pass, both together are
      refused.
    - "Extenuating" combinations switch rules off: when every keyword of one is present
      the mail goes through (adding 群发机 to 习近平 + 复辟; ``Rule.unless``).

    The default list is ``wordlists/qqmail.csv``; with ``citizenlab`` the published
    ``qqmail`` folder (173 combinations, 43 extenuating) is read instead.
    """
    norm = _normalizer("qqmail", normalizer)
    if rules is None and citizenlab is not None:
        m_rules = _citizenlab(citizenlab, "qqmail")
    else:
        m_rules = _rules(rules, lambda: example_rules("qqmail"))
    return Policy(
        name="qqmail",
        rulesets={"mail": _ruleset(m_rules, norm, "qqmail")},
        surfaces=(
            SurfacePolicy(Surface.MAIL, ("mail",), action=Action.REFUSE,
                          error="550 Mail content denied"),
        ),
        description="QQMail SMTP keyword filtering with extenuating combinations",
        sources=(SOURCES["qqmail"],),
    )


LINE_NOTICE = "This message contains forbidden words and cannot be sent."
"""The error LINE shows the sender (the app's resource string) [asia-chats]."""


def line(
    rules: Iterable[Rule] | None = None,
    *,
    citizenlab: str | PathLike[str] | None = None,
    version: str = "line-v25",
    normalizer: str | None = None,
) -> Policy:
    """LINE (2013-14): a downloaded keyword list, applied on the device for China numbers.

    Facts encoded (Citizen Lab, "Asia Chats", 2013-14 [asia-chats, line-2014]):

    - When the account is registered with a mainland-China number the app downloads a
      keyword list from the server and applies it on the device (since v3.9.4 there is
      no built-in list); other accounts are not filtered.
    - A matching message is not sent, and the sender is told so: "This message contains
      forbidden words and cannot be sent." (``REFUSE`` with that notice).
    - The same client masks what it receives: a message from an account the list does
      not apply to (an international number), received by a China number, shows each
      listed word as asterisks, one per character (``HIDE`` from mainland recipients,
      :attr:`Outcome.MASKED`, the masked text in ``Decision.delivered_text``). A China
      number's own message with a listed word is refused before it is sent, so it is
      never received masked. [asia-chats: "disallow sending any messages that contain
      any of those words, as well as replace those words with asterisks when
      received"]
    - Since v24 (September 2014) the list holds regular expressions, read here as
      ordered rules with gap limits (``load_line_list``).

    The default list is ``wordlists/line.csv``; with ``citizenlab`` the published list
    ``LINE/<version>`` is read (the downloaded list of that version).
    """
    norm = _normalizer("line", normalizer)
    if rules is None and citizenlab is not None:
        l_rules = _citizenlab(citizenlab, f"LINE/{version}")
    else:
        l_rules = _rules(rules, lambda: example_rules("line"))
    l_rules = [replace(r, action=Action.REFUSE) if r.action is Action.DROP else r
               for r in l_rules]
    china = frozenset({Region.MAINLAND})
    return Policy(
        name="line",
        rulesets={"client": _ruleset(l_rules, norm, "line")},
        surfaces=(
            SurfacePolicy(Surface.CHAT, ("client",), china, action=Action.REFUSE,
                          error=LINE_NOTICE, mask_received=True),
            SurfacePolicy(Surface.GROUP_CHAT, ("client",), china, action=Action.REFUSE,
                          error=LINE_NOTICE, mask_received=True),
        ),
        description="LINE 2013-14 downloaded keyword list for China-registered numbers",
        sources=(SOURCES["asia-chats"], SOURCES["line-2014"]),
    )


GFW_RESPONSE_FILTERING_UNTIL = date(2009, 1, 1)
"""When the Great Firewall stopped filtering HTML responses on most routes: Park and
Crandall (ICDCS 2010) found it discontinued some time between August 2008 and January
2009 (request filtering went on) [gfw-response]; the simulator takes 1 January 2009."""

DOMAIN_MATCHES: tuple[str, ...] = ("domain", "substring")
"""How a blocked domain name matches a request (``great_firewall(domain_match=...)``)."""


def domain_rule(domain: str, match: str = "domain") -> Rule:
    """A rule blocking requests to ``domain``.

    ``match="domain"``: the name or any subdomain as a host name, never as a substring;
    ``google.com`` matches ``https://www.google.com/`` and ``google.com:443`` but not
    ``notgoogle.com`` or ``google.community`` (components are whole words; a dot before
    the name is a word boundary). ``match="substring"``: any request holding the name,
    as the overbroad DNS filters Hoang et al. (2021) reverse-engineered (41K innocuous
    domains blocked because they contain a censored name).

    Raises:
        PolicyError: an empty name or one holding a blank or a slash.
        UnknownNameError: ``match`` is not one of :data:`DOMAIN_MATCHES`.
    """
    if match not in DOMAIN_MATCHES:
        raise UnknownNameError("domain match", match, DOMAIN_MATCHES)
    d = domain.strip().strip(".").lower()
    if not d or any(c.isspace() or c == "/" for c in d):
        raise PolicyError(f"domain {domain!r}: expected a host name such as 'google.com'")
    return Rule.keyword(d, id=f"domain:{d}", action=Action.BLOCK, category="domain",
                        whole_word=match == "domain")


def great_firewall(
    keywords: Iterable[Rule] | None = None,
    *,
    domains: Iterable[str] = GFW_DOMAINS,
    domain_match: str = "domain",
    response_until: date | None = GFW_RESPONSE_FILTERING_UNTIL,
) -> Policy:
    """The Great Firewall (text level): keyword-triggered resets and blocked domains.

    Facts encoded:

    - An HTTP request from inside China that carries a blacklisted keyword is answered
      with forged TCP resets: the connection is reset (``BLOCK``, error "connection
      reset"); the trigger is a single keyword (``?falun``), not a combination of
      several. [gfw-rst]
    - Requests to blocked domains (Twitter, Google, Facebook, WhatsApp in the issue's
      seed list) never complete. Host names are compared without case. How a name
      matches is a parameter because the sources differ: ``domain_match="domain"``
      (default, the issue's rule) matches the domain or its subdomains, never a
      substring (``notgoogle.com`` is not ``google.com``); ``"substring"`` reproduces
      the overbroad filters Hoang et al. measured (41K of 311K censored domains were
      innocuous names containing a censored one). [gfw-dns]

    - Keyword filtering is bidirectional: the request a client sends
      (:attr:`Direction.REQUEST`: URL and body) and the response that comes back
      (:attr:`Direction.RESPONSE`: the HTML) are both checked for the keywords; a
      keyword in either resets the connection. Clayton et al. reset a request
      carrying "falun" that entered China from outside [gfw-rst]; Park and Crandall
      measured the filtering of HTML responses and found it discontinued on most
      routes between August 2008 and January 2009, while request filtering went on
      [gfw-response]. So responses are filtered before ``response_until`` (default
      :data:`GFW_RESPONSE_FILTERING_UNTIL`, 2009-01-01; None: always) and requests
      always. Blocked domains apply to requests only.

    A "message" on :attr:`Surface.WEB` is traffic between a client in ``region`` and a
    server across the border; only mainland clients' traffic is filtered here (the
    text-level model does not place servers).

    Raises:
        PolicyError: a keyword rule with more than one component (the HTTP filter
            matches single keywords).
    """
    k_rules = _rules(keywords, lambda: example_rules("gfw", action=Action.BLOCK))
    for r in k_rules:
        if len(r.components) > 1:
            raise PolicyError(
                f"gfw keyword rule {r.id!r} has {len(r.components)} components; the Great "
                "Firewall's HTTP filter matches single keywords (alternatives are fine)"
            )
    d_rules = [domain_rule(d, domain_match) for d in domains]
    norm = _normalizer("gfw", None)
    keywords_ruleset = _ruleset(k_rules, norm, "gfw keywords")
    # Response filtering ended on response_until: the same rules, removed that day.
    r_rules = [r for r in keywords_ruleset.rules if response_until is None
               or r.added is None or r.added < response_until]
    if response_until is not None:
        r_rules = [replace(r, removed=response_until if r.removed is None
                           else min(r.removed, response_until)) for r in r_rules]
    return Policy(
        name="gfw",
        rulesets={
            "keywords": keywords_ruleset,
            "domains": RuleSet(d_rules, normalizer="casefold"),
            "response-keywords": RuleSet(r_rules, normalizer=norm),
        },
        surfaces=(
            SurfacePolicy(Surface.WEB, ("domains", "keywords"), frozenset({Region.MAINLAND}),
                          action=Action.BLOCK, error="connection reset",
                          response_rulesets=("response-keywords",)),
        ),
        description="Great Firewall keyword resets (requests, and responses until "
                    f"{response_until or 'never'}) and blocked domains",
        sources=(SOURCES["gfw-rst"], SOURCES["gfw-response"], SOURCES["gfw-dns"]),
    )


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
