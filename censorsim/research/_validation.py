"""Validation of probing: isolation methods scored against the rules planted in articles.

Example:
    >>> from censorsim.models import Rule
    >>> v = validate_probing([Rule.combination("六四+学生", id="r1")], articles=3, length=60)
    >>> [(s.method, s.correct) for s in v.scores]
    [('binary-split', 3), ('recursive-halving', 3)]
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from censorsim.errors import ParameterError
from censorsim.models import Rule
from censorsim.probe import METHODS, Isolation, Oracle, check_separator, choose_separator
from censorsim.research._articles import make_articles
from censorsim.research._rates import Rate
from censorsim.text.normalize import Normalizer
from censorsim.text.rules import RuleSet

__all__ = ["MethodScore", "ProbeValidation", "validate_probing", "validation_table"]


@dataclass(frozen=True, slots=True)
class MethodScore:
    """How one isolation method did over the articles.

    Attributes:
        method: the method's name.
        articles: articles isolated.
        correct: isolations equal to the components of a rule that fires on the article.
        confirmed: isolations whose components alone were censored.
        mean_queries: mean queries per article (the first check included).
        median_queries: median queries per article.
        max_queries: most queries for one article.
    """

    method: str
    articles: int
    correct: int
    confirmed: int
    mean_queries: float
    median_queries: float
    max_queries: int

    @property
    def accuracy(self) -> Rate:
        """Share of correct isolations, with its Wilson interval."""
        return Rate.of(self.correct, self.articles)


@dataclass(frozen=True, slots=True)
class ProbeValidation:
    """Isolation methods scored against known rules.

    Attributes:
        name: a label for the rule list.
        rules: rules in the full list.
        scores: one per method.
        mean_length: mean article length in characters.
        mean_planted: mean number of rules planted per article.
        separator: the oracle's separator.
        normalizer: the censor's normaliser.
        seed: the seed.
        examples: a few wrong isolations, for the docs (rule ids and what was found).
    """

    name: str
    rules: int
    scores: tuple[MethodScore, ...]
    mean_length: float
    mean_planted: float
    separator: str
    normalizer: str
    seed: int
    examples: tuple[tuple[str, str, str], ...] = ()
    adjacent: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "name": self.name, "rules": self.rules, "mean_length": self.mean_length,
            "mean_planted": self.mean_planted, "separator": self.separator,
            "normalizer": self.normalizer, "seed": self.seed, "adjacent": self.adjacent,
            "scores": [
                {"method": s.method, "articles": s.articles, "correct": s.correct,
                 "accuracy": s.accuracy.to_json(), "confirmed": s.confirmed,
                 "mean_queries": s.mean_queries, "median_queries": s.median_queries,
                 "max_queries": s.max_queries}
                for s in self.scores
            ],
            "examples": [list(e) for e in self.examples],
        }

    def markdown_rows(self) -> list[str]:
        """Rows of the validation table (see :func:`validation_table`)."""
        return [
            f"| {self.name} | {self.rules} | {s.method} | {s.articles} | "
            f"{s.accuracy.rate:.1%} [{s.accuracy.low:.1%}, {s.accuracy.high:.1%}] | "
            f"{s.confirmed / s.articles:.1%} | {s.mean_queries:.1f} | "
            f"{s.median_queries:.0f} | {s.max_queries} |"
            for s in self.scores
        ]


def validation_table(validations: Sequence[ProbeValidation]) -> str:
    """A markdown table of several validations."""
    head = ("| list | rules | method | articles | correct [95% CI] | alone censored | "
            "mean queries | median | max |\n|---|---:|---|---:|---:|---:|---:|---:|---:|")
    return "\n".join([head, *(row for v in validations for row in v.markdown_rows())])


def _matches_rule(iso: Isolation, rule: Rule, norm: Normalizer) -> bool:
    found = [norm.normalize(c) for c in iso.components]
    comps = [{norm.normalize(a) for a in comp} for comp in rule.components]
    if len(found) != len(comps):
        return False
    if len(found) > 7:
        return sorted(found) == sorted(min(c) for c in comps)
    return any(all(f in c for f, c in zip(found, perm, strict=True))
               for perm in itertools.permutations(comps))


def validate_probing(
    rules: Sequence[Rule],
    *,
    articles: int = 100,
    seed: int = 0,
    methods: Sequence[str] = tuple(METHODS),
    normalizer: str = "default",
    separator: str | None = None,
    length: int = 600,
    max_rules: int = 3,
    adjacent: float = 0.0,
    budget: int | None = 100_000,
    name: str = "rules",
) -> ProbeValidation:
    """Score isolation methods on generated articles against the rules that fire.

    An isolation is correct when its components, normalised, are exactly the components
    of one rule that fires on the article (any one, also one that was not planted but
    formed by accident).

    Args:
        rules: the full list; the censor checks with all of it.
        articles: how many articles.
        seed: the seed of the articles.
        methods: isolation methods (see :data:`censorsim.probe.METHODS`).
        normalizer: the censor's normaliser profile.
        separator: the oracle's separator, refused when it cannot keep fragments apart
            (:func:`censorsim.probe.check_separator`); default, the one
            :func:`censorsim.probe.choose_separator` picks (a common Han character
            the normaliser keeps and no keyword contains).
        length: filler characters per article.
        max_rules: most rules planted per article.
        adjacent: probability that a rule's components are planted next to each other.
        budget: query budget per isolation.
        name: a label for tables.

    Raises:
        ParameterError: ``articles`` < 1, a bad ``length``, ``max_rules`` or
            ``adjacent`` (see :func:`make_articles`), a negative ``budget``, or a
            separator that cannot keep fragments apart.
        UnknownNameError: an unknown method.
        RuleError: no article can be built from these rules (see :func:`make_articles`).
    """
    if isinstance(articles, bool) or not isinstance(articles, int) or articles < 1:
        raise ParameterError(f"articles must be an integer >= 1, got {articles!r}")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int)
                               or budget < 0):
        raise ParameterError(f"budget must be an integer >= 0, got {budget!r}")
    isolators = [(m, METHODS.get(m)) for m in methods]
    rules = list(rules)
    norm = Normalizer.from_spec(normalizer)
    censor = RuleSet(rules, normalizer=norm)
    if separator is None:
        sep = choose_separator([censor])
    else:
        check_separator(separator, [censor])
        sep = separator
    arts = make_articles(rules, articles, seed=seed, length=length, max_rules=max_rules,
                         adjacent=adjacent, normalizer=norm)
    by_id = {r.id: r for r in rules}
    scores = []
    examples: list[tuple[str, str, str]] = []
    for method, isolator in isolators:
        correct = confirmed = 0
        queries: list[int] = []
        for art in arts:
            iso = isolator(Oracle(censor, separator=sep, budget=budget), art.text)
            queries.append(iso.queries)
            confirmed += iso.confirmed
            ok = iso.confirmed and any(_matches_rule(iso, by_id[r], norm) for r in art.firing)
            correct += ok
            if not ok and len(examples) < 6:
                examples.append((method, " | ".join(art.firing), "+".join(iso.components)))
        scores.append(MethodScore(method, len(arts), correct, confirmed,
                                  statistics.fmean(queries), statistics.median(queries),
                                  max(queries)))
    return ProbeValidation(
        name, len(rules), tuple(scores), statistics.fmean(len(a.text) for a in arts),
        statistics.fmean(len(a.planted) for a in arts), sep, norm.name, seed, tuple(examples),
        adjacent,
    )
