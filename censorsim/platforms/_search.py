"""Chinese search platforms: hard and soft censorship, each platform its own list."""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike

from censorsim.errors import UnknownNameError
from censorsim.models import Rule, Surface
from censorsim.platforms._common import (
    _SEARCH,
    _WORDLISTS,
    SOURCES,
    _citizenlab,
    _normalizer,
    _ruleset,
    example_rules,
)
from censorsim.policy import (
    Policy,
    SurfacePolicy,
)

SEARCH_ENGINES: tuple[str, ...] = (
    "baidu", "weibo", "bing", "sogou", "baidu_zhidao", "bilibili", "douyin", "jingdong",
)
"""The eight search platforms of Knockel, Kato & Dirks 2023 ("Missing Links"), named as
Citizen Lab's ``search/rules/<name>[-soft].txt`` files name them."""



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
