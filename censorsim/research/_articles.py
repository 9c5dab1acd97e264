"""Synthetic articles: known rules planted in generated benign filler, the probing ground truth.

Example:
    >>> from censorsim.models import Rule
    >>> arts = make_articles([Rule.combination("六四+学生", id="r1")], 2, length=40)
    >>> [a.firing for a in arts]
    [('r1',), ('r1',)]
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from censorsim.errors import ParameterError, RuleError
from censorsim.models import Rule
from censorsim.text.normalize import Normalizer
from censorsim.text.rules import RuleSet
from censorsim.text.script import common_han

__all__ = ["Article", "filler_alphabet", "make_articles"]


@dataclass(frozen=True, slots=True)
class Article:
    """A generated article with planted rules.

    Attributes:
        text: the article.
        planted: ids of the rules whose components were embedded.
        firing: ids of the rules the full list fires on it (the ground truth).
    """

    text: str
    planted: tuple[str, ...]
    firing: tuple[str, ...]




def filler_alphabet(rules: Iterable[Rule], normalizer: Normalizer | str | None = None) -> list[str]:
    """Common Han characters (GB 2312 level 1) that occur in no keyword of ``rules``."""
    norm = Normalizer.from_spec(normalizer)
    used: set[str] = set()
    for r in rules:
        for k in r.keywords:
            used.update(k)
            used.update(norm.normalize(k))
    return [c for c in common_han() if c not in used]


def make_articles(
    rules: Sequence[Rule],
    n: int,
    *,
    seed: int = 0,
    length: int = 600,
    max_rules: int = 3,
    repeat: float = 0.3,
    adjacent: float = 0.0,
    normalizer: Normalizer | str | None = "default",
) -> list[Article]:
    """Generate ``n`` censored articles with known rules embedded in benign filler.

    Each article is ``length`` characters of filler (seeded words of characters that no
    keyword contains, with commas and full stops), into which the components of 1 to
    ``max_rules`` rules are inserted at random positions; each component is inserted
    twice with probability ``repeat``. With probability ``adjacent`` a rule's components
    are inserted as one run instead, next to each other in rule order (as the phrases of
    a real article often are). Only ``ALL``-mode rules are planted. Articles on
    which no rule fires (an exception switched the planted ones off) are redrawn.

    Raises:
        ParameterError: ``n`` or ``max_rules`` below 1, a negative ``length``, or
            ``repeat`` or ``adjacent`` not a probability (NaN included).
        RuleError: no plantable rule, no filler character left, or no censored article
            can be built from these rules.
    """
    for name, value, low in (("n", n, 1), ("length", length, 0), ("max_rules", max_rules, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ParameterError(f"{name} must be an integer >= {low}, got {value!r}")
    for name, prob in (("repeat", repeat), ("adjacent", adjacent)):
        if isinstance(prob, bool) or not isinstance(prob, int | float) or not 0 <= prob <= 1:
            raise ParameterError(f"{name} must be a probability in [0, 1], got {prob!r}")
    plantable = [r for r in rules if r.mode.value == "all" and not r.whole_word]
    if not plantable:
        raise RuleError("rules: no rule to plant (only ALL-mode, not whole-word rules are)")
    alphabet = filler_alphabet(rules, normalizer)
    if len(alphabet) < 10:
        raise RuleError("rules: almost every common character occurs in a keyword: no filler")
    full = RuleSet(rules, normalizer=normalizer)
    rng = random.Random(f"articles:{seed}")
    out: list[Article] = []
    attempts = 0
    while len(out) < n:
        attempts += 1
        if attempts > 20 * n + 100:
            raise RuleError("rules: could not build censored articles from these rules")
        chars: list[str] = []
        while len(chars) < length:
            chars.extend(rng.choices(alphabet, k=rng.randint(1, 4)))
            r = rng.random()
            chars.append("。" if r < 0.08 else "，" if r < 0.2 else "")
        pieces = [c for c in chars if c][:length]
        chosen = rng.sample(plantable, k=min(len(plantable), rng.randint(1, max_rules)))
        inserts = []
        for rule in chosen:
            kws = [rng.choice(comp) for comp in rule.components]
            if len(kws) > 1 and rng.random() < adjacent:
                inserts.append("".join(kws))
                continue
            for kw in kws:
                inserts.extend([kw] * (2 if rng.random() < repeat else 1))
        for kw in inserts:
            pieces.insert(rng.randint(0, len(pieces)), kw)
        text = "".join(pieces)
        result = full.check(text)
        if not result.censored:
            continue
        out.append(Article(text, tuple(r.id for r in chosen), result.rule_ids))
    return out
