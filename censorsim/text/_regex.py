"""Translation of regex-like keyword rules (LINE's lists) into ordered rules.

``.*`` separates components with no gap limit, ``(a|b)`` gives alternatives and
``[^一-龥]{0,n}`` separates components with ``max_gap=n`` and
``gap_allows_han=False`` (the gap may not hold U+4E00..U+9FA5, exactly the class;
other Han characters such as 〇 or 㐀 are allowed). Anything else raises
:class:`~censorsim.errors.RuleError`.
"""

from __future__ import annotations

import itertools
import re

from censorsim.errors import RuleError
from censorsim.models import Action, Rule, RuleMode

__all__ = ["LINE_REGEX_MARK", "line_regex_rule"]

LINE_REGEX_MARK = re.compile(r"\.\*|[()\[\]{}]")
_MAX_EXPANSION = 1000


def _line_items(pattern: str) -> tuple[list[str], list[int | None]]:
    """Split a LINE regex into component texts and the gaps between them.

    A gap is ``None`` for ``.*`` and ``n`` for ``[^一-龥]{0,n}``.
    """
    body = pattern
    while body.startswith(".*"):
        body = body[2:]
    while body.endswith(".*") and not body.endswith("\\.*"):
        body = body[:-2]
    items: list[str] = []
    gaps: list[int | None] = []
    pos = 0
    token = re.compile(r"\.\*|\[\^一-龥\]\{0,(\d+)\}")
    for m in token.finditer(body):
        items.append(body[pos : m.start()])
        gaps.append(int(m.group(1)) if m.group(1) is not None else None)
        pos = m.end()
    items.append(body[pos:])
    return items, gaps


def _expand_item(item: str) -> tuple[str, ...]:
    """Expand literal text with ``(a|b)`` groups into its alternatives."""
    pieces: list[tuple[str, ...]] = []
    pos = 0
    for m in re.finditer(r"\(([^()]*)\)", item):
        pieces.append((item[pos : m.start()],))
        alts = tuple(m.group(1).split("|"))
        if any(not a for a in alts):
            raise RuleError(f"empty alternative in group {m.group(0)!r}")
        pieces.append(alts)
        pos = m.end()
    pieces.append((item[pos:],))
    total = 1
    for p in pieces:
        total *= len(p)
    if total > _MAX_EXPANSION:
        raise RuleError(f"{item!r} expands to {total} alternatives (limit {_MAX_EXPANSION})")
    alts = tuple("".join(combo) for combo in itertools.product(*pieces))
    for alt in alts:
        bad = re.search(r"[.*+?()\[\]{}|^$\\]", alt)
        if bad:
            raise RuleError(f"cannot translate {bad.group(0)!r} in {item!r} exactly")
        if not alt:
            raise RuleError("empty component")
    return tuple(dict.fromkeys(alts))


def line_regex_rule(pattern: str, *, id: str, source: str) -> Rule:
    items, gaps = _line_items(pattern)
    comps = tuple(_expand_item(it) for it in items)
    kinds = set(gaps)
    if len(kinds) > 1:
        raise RuleError(f"mixed gaps {sorted(map(str, kinds))} cannot be one rule")
    gap = next(iter(kinds), None)
    return Rule(
        id=id,
        components=comps,
        mode=RuleMode.ORDERED,
        max_gap=gap,
        gap_allows_han=gap is None,
        action=Action.DROP,
        source=source,
        note=f"regex: {pattern}",
    )
