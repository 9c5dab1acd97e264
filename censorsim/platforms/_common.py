"""What every profile shares: citations, default normalisers, the example lists."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import replace
from os import PathLike
from pathlib import Path

from censorsim._data import data_dir
from censorsim.errors import PolicyError, WordlistError
from censorsim.models import Action, Rule
from censorsim.policy import (
    merge_identical,
)
from censorsim.text.rules import RuleSet

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



_SEARCH = (Action.BLOCK, Action.LIMIT_RESULTS)
"""The actions of search rules (hard and soft censorship)."""
