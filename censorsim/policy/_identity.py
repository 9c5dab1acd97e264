"""Rule identity under a normaliser, and per-rule surface scope observed in the data.

Two rules are *identical under a normaliser* when, once their keywords are normalised,
they fire on exactly the same texts with the same action on the same days: the same
mode, the same sets of normalised alternatives per component (in any order for ``ALL``
rules), the same gap settings, exceptions, action and dates. A rule set holding both
would attribute every censored message twice, so :func:`merge_identical` keeps the first
and warns with :class:`RuleIdentityWarning`.

Example:
    >>> import warnings
    >>> from censorsim.models import Rule
    >>> rules = [Rule.keyword("刘晓波", id="s"), Rule.keyword("劉曉波", id="t")]
    >>> [r.id for r in merge_identical(rules, "identity")]
    ['s', 't']
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     kept = merge_identical(rules, "default")
    >>> [r.id for r in kept], caught[0].category.__name__
    (['s'], 'RuleIdentityWarning')
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable
from dataclasses import replace

from censorsim.models import Rule, RuleMode, Surface
from censorsim.text.normalize import Normalizer

__all__ = ["RuleIdentityWarning", "identity_key", "merge_identical", "one_to_one_exempt"]


class RuleIdentityWarning(UserWarning):
    """Rules of one rule set are identical under its normaliser; only the first is kept."""


def identity_key(rule: Rule, normalizer: Normalizer | str | None) -> Hashable:
    """What decides where ``rule`` fires under ``normalizer`` (its id and notes left out)."""
    norm = Normalizer.from_spec(normalizer)
    comps = tuple(frozenset(norm.normalize(k) for k in comp) for comp in rule.components)
    comp_key: Hashable = frozenset(comps) if rule.mode is RuleMode.ALL else comps
    unless = frozenset(frozenset(norm.normalize(k) for k in combo) for combo in rule.unless)
    return (rule.mode, comp_key, rule.max_gap, rule.gap_allows_han, rule.whole_word,
            unless, rule.action, rule.added, rule.removed, rule.surfaces, rule.outcome)


def merge_identical(
    rules: Iterable[Rule], normalizer: Normalizer | str | None, *, where: str = "rule set"
) -> list[Rule]:
    """``rules`` with each group of rules identical under ``normalizer`` reduced to its first.

    The kept rule's ``note`` names the ids merged into it, so a report attributes a
    censored message once and still says which list entries it stands for.

    Warns:
        RuleIdentityWarning: once per call when rules were merged, naming them.
    """
    norm = Normalizer.from_spec(normalizer)
    first: dict[Hashable, int] = {}
    merged: dict[int, list[str]] = {}
    out: list[Rule] = []
    for rule in rules:
        key = identity_key(rule, norm)
        at = first.get(key)
        if at is None:
            first[key] = len(out)
            out.append(rule)
        else:
            merged.setdefault(at, []).append(rule.id)
    if merged:
        groups = [f"{', '.join(repr(i) for i in ids)} = {out[at].id!r}"
                  for at, ids in merged.items()]
        shown = "; ".join(groups[:3]) + (f"; and {len(groups) - 3} more" if len(groups) > 3
                                         else "")
        warnings.warn(
            f"{where}: {len(groups)} rule(s) identical to an earlier one under normaliser "
            f"{norm.name!r}, each counted once as the earlier rule: {shown}",
            RuleIdentityWarning,
            stacklevel=2,
        )
    for at, ids in merged.items():
        kept = out[at]
        note = f"also stands for {', '.join(ids)} (identical under {norm.name})"
        out[at] = replace(kept, note=f"{kept.note}; {note}" if kept.note else note)
    return out


def one_to_one_exempt(rule: Rule) -> bool:
    """Whether ``rule`` applies in group chat but not one-to-one (:attr:`Rule.surfaces`).

    Citizen Lab's WeChat CSVs (``wechat/lxb``) record per combination whether it was
    blocked in group chat and in one-to-one chat; the loader leaves the surfaces recorded
    "not blocked" out of the rule's ``surfaces``.

    Example:
        >>> one_to_one_exempt(Rule.keyword("刘", surfaces={Surface.GROUP_CHAT}))
        True
        >>> one_to_one_exempt(Rule.keyword("刘"))
        False
    """
    s = rule.surfaces
    return s is not None and Surface.GROUP_CHAT in s and Surface.CHAT not in s
