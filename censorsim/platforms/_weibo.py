"""Weibo: posts through automatic review (refused, data error, camouflaged, deleted later
or kept) and search."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from os import PathLike

from censorsim.models import Outcome, Rule, Surface
from censorsim.platforms._common import (
    _SEARCH,
    SOURCES,
    _citizenlab,
    _normalizer,
    _rules,
    _ruleset,
    example_rules,
)
from censorsim.policy import (
    DelayDistribution,
    Policy,
    SurfacePolicy,
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
about 3,500 users chosen for posting on sensitive topics (2.38 million posts over about
two months in 2012; the authors' summary of about 4,500 deletions a day gives about 11%).
The figure is a share of all those users' posts, not a measured probability per matching
post, so using it per matching post is an inference (docs/fidelity.md)."""


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



_REVIEW_PATHS = (Outcome.REFUSED, Outcome.DATA_ERROR, Outcome.AUTHOR_ONLY, Outcome.DELETED_LATER)
"""The outcomes of Weibo's automatic review of posts [weibo2014, zhu2013]."""
