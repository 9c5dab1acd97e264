"""WeChat: chat, group chat and Moments, with group-only rules and image learning."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from os import PathLike
from typing import Any

from censorsim.errors import PolicyError
from censorsim.models import Action, Region, Rule, Surface
from censorsim.platforms._common import (
    SOURCES,
    _citizenlab,
    _normalizer,
    _rules,
    example_rules,
)
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
from censorsim.text.rules import RuleSet

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
