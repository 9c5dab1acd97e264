"""Black-box isolation of the keyword combination that made a censor act on a text.

A researcher who only sees *censored or not* can still learn what is on a list: send
reduced versions of a censored text and watch which survive. An :class:`Oracle` wraps
anything that answers that question (a :class:`~censorsim.text.rules.RuleSet`, a
:class:`~censorsim.policy.Censor`, a function), counts the queries, enforces a budget,
and joins test fragments with a separator. The separator must keep fragments apart: a
character the censor's normaliser removes glues them back together, and one that a
keyword contains can complete a keyword across two fragments. Over a rule set or a
censor the oracle refuses such a separator (:class:`~censorsim.errors.ParameterError`)
and, when none is given, picks one (:func:`choose_separator`).

Two algorithms, both returning an :class:`Isolation` (the combination and the number of
queries):

- :func:`isolate_binary_split`: the component-aware binary split of Xiong and Knockel
  (FOCI 2019). Binary search for the latest start that still triggers together with the
  components found so far (where the next component starts), scan forward for where it
  ends, advance one character so overlapping components survive, and stop as soon as the
  collected components alone are censored.
- :func:`isolate_recursive_halving`: the older method it replaced. Recursively try to
  delete each half of the text (then each quarter, ...), keep a deletion when the rest is
  still censored, and report the runs of characters left as the components.

Example:
    >>> from censorsim.models import Rule
    >>> from censorsim.text.rules import RuleSet
    >>> rs = RuleSet([Rule.combination("习近平+三连任")], normalizer="identity")
    >>> oracle = Oracle(rs)
    >>> iso = isolate_binary_split(oracle, "今天天气很好，习近平说要三连任，我们去吃饭吧。")
    >>> iso.components, iso.confirmed
    (('习近平', '三连任'), True)
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from censorsim.errors import BudgetExhausted, ParameterError
from censorsim.registry import Registry
from censorsim.text.rules import RuleSet
from censorsim.text.script import common_han

__all__ = [
    "METHODS",
    "BudgetExhausted",
    "Isolation",
    "Oracle",
    "SupportsCheck",
    "check_separator",
    "choose_separator",
    "isolate",
    "isolate_binary_split",
    "isolate_recursive_halving",
]

Span = tuple[int, int]


class SupportsCheck(Protocol):
    """Anything with ``check(text)`` returning an object with a ``censored`` flag."""

    def check(self, text: str) -> Any:
        """Check one text."""




_KEYWORD_CHARS: weakref.WeakKeyDictionary[RuleSet, frozenset[str]] = weakref.WeakKeyDictionary()


def _keyword_chars(rs: RuleSet) -> frozenset[str]:
    """Every character of the rule set's normalised keywords (exceptions included)."""
    chars = _KEYWORD_CHARS.get(rs)
    if chars is None:
        chars = frozenset("".join(rs.keywords))
        _KEYWORD_CHARS[rs] = chars
    return chars


def _separator_problem(separator: str, rulesets: Sequence[RuleSet]) -> str | None:
    """Why ``separator`` cannot keep fragments apart for these rule sets, or None."""
    if not separator:
        return "must not be empty (fragments would run together)"
    for rs in rulesets:
        norm = rs.normalizer.normalize(separator)
        if not norm:
            return (f"the censor's normaliser {rs.normalizer.name!r} removes it, so the "
                    "fragments of a query would run together")
        shared = [c for c in dict.fromkeys(norm) if c in _keyword_chars(rs)]
        if shared:
            keyword = next(k for k in rs.keywords if shared[0] in k)
            via = "" if norm == separator else f" (normalised to {norm!r})"
            return (f"keyword {keyword!r} contains {shared[0]!r}{via}, so a query could "
                    "complete a keyword across two fragments")
    return None


def check_separator(separator: str, rulesets: Iterable[RuleSet]) -> None:
    """Refuse a separator that cannot keep the fragments of a query apart.

    A separator is refused when it is empty, when a rule set's normaliser removes it
    entirely (the fragments would run together: ``"\\n"`` under the ``default``
    profile), or when a character of it, normalised, occurs in a normalised keyword
    (exception keywords included): a query could then complete a keyword across two
    fragments.

    Raises:
        ParameterError: naming the separator and the problem.

    Example:
        >>> from censorsim.models import Rule
        >>> rs = RuleSet([Rule.keyword("吧台")], normalizer="default")
        >>> check_separator("吧", [rs])
        Traceback (most recent call last):
        ...
        censorsim.errors.ParameterError: separator '吧': keyword '吧台' contains '吧', \
so a query could complete a keyword across two fragments
    """
    if not isinstance(separator, str):
        raise ParameterError(f"separator must be a string, got {type(separator).__name__}")
    problem = _separator_problem(separator, list(rulesets))
    if problem is not None:
        raise ParameterError(f"separator {separator!r}: {problem}")


def choose_separator(rulesets: Iterable[RuleSet]) -> str:
    """A separator that :func:`check_separator` accepts for every rule set.

    The first common Han character (GB 2312 level 1, in GB order) that every normaliser
    keeps and that no normalised keyword contains: Han characters are what Chinese
    platforms' normalisers keep.

    Raises:
        ParameterError: every common Han character occurs in a keyword.

    Example:
        >>> from censorsim.models import Rule
        >>> choose_separator([RuleSet([Rule.keyword("啊")])])
        '阿'
    """
    sets = list(rulesets)
    for c in common_han():
        if _separator_problem(c, sets) is None:
            return c
    raise ParameterError(
        "separator: every common Han character occurs in a keyword; give one explicitly")


def _count(value: object, name: str) -> int:
    """``value`` as an integer >= 0 (not a bool, a float or a string)."""
    try:
        if isinstance(value, bool):
            raise TypeError
        n = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise ParameterError(f"{name} must be an integer >= 0, got {value!r}") from None
    if n < 0:
        raise ParameterError(f"{name} must be >= 0, got {n}")
    return n


class Oracle:
    """A censored-or-not oracle that counts queries.

    Args:
        target: a :class:`~censorsim.text.rules.RuleSet` (or anything with
            ``check(text).censored``) or a function ``text -> bool``. For a
            :class:`~censorsim.policy.Censor` use :meth:`for_censor`.
        separator: what joins the fragments of one query. Over a ``RuleSet``, None
            (the default) picks one with :func:`choose_separator` and a given one is
            checked with :func:`check_separator`; over a function, which the oracle
            cannot inspect, None means ``"\\n"``.
        budget: the most queries allowed; None for no limit.
        check: check the separator against the rule sets (``False`` only to
            demonstrate what a bad separator does).

    Raises:
        ParameterError: an empty separator, one the rule set's normaliser removes or
            one a keyword contains, or a negative budget.
        TypeError: a target that is neither checkable nor callable.
    """

    __slots__ = ("_check", "budget", "queries", "separator")

    def __init__(
        self,
        target: SupportsCheck | Callable[[str], bool],
        *,
        separator: str | None = None,
        budget: int | None = None,
        check: bool = True,
    ) -> None:
        if budget is not None:
            budget = _count(budget, "budget")
        rulesets = [target] if isinstance(target, RuleSet) else []
        if separator is None:
            separator = choose_separator(rulesets) if rulesets else "\n"
        elif check or not separator:
            check_separator(separator, rulesets)
        if hasattr(target, "check"):
            checker = target.check
            self._check: Callable[[str], bool] = lambda text: bool(checker(text).censored)
        elif callable(target):
            self._check = lambda text: bool(target(text))
        else:
            raise TypeError(f"cannot query a {type(target).__name__}: no check() method")
        self.separator = separator
        self.budget = budget
        self.queries = 0

    @classmethod
    def for_censor(
        cls,
        censor: Any,
        *,
        at: datetime,
        surface: Any = None,
        region: Any = None,
        separator: str | None = None,
        budget: int | None = None,
        check: bool = True,
    ) -> Oracle:
        """An oracle over a :class:`~censorsim.policy.Censor`.

        Args:
            censor: the censor.
            at: the time every query is sent (a censor is pure; the clock is yours).
            surface: the :class:`~censorsim.policy.Surface` (default chat).
            region: the sender's :class:`~censorsim.policy.Region` (default mainland).
            separator: what joins the fragments of one query; checked against every
                rule set of the surface, or chosen for them when None.
            budget: the most queries allowed.
            check: check the separator (see :class:`Oracle`).

        Raises:
            ParameterError: a separator that cannot keep fragments apart (see
                :func:`check_separator`), or a negative budget.
            PolicyError: the policy has no such surface.
        """
        from censorsim.models import Message, Region, Surface

        sf = Surface.CHAT if surface is None else Surface.parse(surface)
        rg = Region.MAINLAND if region is None else Region.parse(region)
        policy = censor.policy
        rulesets = [policy.rulesets[name] for name in policy.surface(sf).rulesets]

        def query(text: str) -> bool:
            return bool(censor.check(Message(text, sf, rg), at=at).censored)

        if separator is None:
            separator = choose_separator(rulesets) if rulesets else "\n"
        elif check:
            check_separator(separator, rulesets)
        return cls(query, separator=separator, budget=budget)

    def query(self, fragments: str | Sequence[str]) -> bool:
        """Send one query: are the fragments, joined with the separator, censored?

        A single string is one fragment. Empty fragments are left out. Each call spends
        one query of the budget.

        Raises:
            BudgetExhausted: the budget is spent.

        Example:
            >>> oracle = Oracle(lambda text: "六四" in text, separator="|")
            >>> oracle.query(["六", "四"]), oracle.query("六四"), oracle.queries
            (False, True, 2)
        """
        if self.budget is not None and self.queries >= self.budget:
            raise BudgetExhausted(f"query budget of {self.budget} spent")
        self.queries += 1
        if isinstance(fragments, str):
            return self._check(fragments)
        return self._check(self.separator.join(f for f in fragments if f))

    def __repr__(self) -> str:
        return f"<Oracle {self.queries} queries, budget={self.budget}, sep={self.separator!r}>"


@dataclass(frozen=True, slots=True)
class Isolation:
    """What an isolation found.

    Attributes:
        components: the isolated fragments of the text, in the order found.
        spans: where each fragment is in the text (half-open).
        queries: queries spent, the first check of the whole text included.
        confirmed: whether the components alone, joined, were censored.
        exhausted: whether the budget ran out before the end.
        method: the algorithm's name.
    """

    components: tuple[str, ...]
    spans: tuple[Span, ...]
    queries: int
    confirmed: bool
    exhausted: bool = False
    method: str = ""


def isolate_binary_split(oracle: Oracle, text: str, *, prune: bool = True) -> Isolation:
    """Isolate the combination by component-aware binary split (Xiong & Knockel 2019).

    With ``K`` the components found so far and ``f(j)`` = "``K`` plus ``text[j:]`` is
    censored", ``f`` only turns from true to false as ``j`` grows. A binary search finds
    the largest ``j`` with ``f(j)``: the next component starts there. Its end is the
    smallest ``e`` for which ``K``, ``text[j:e]`` and ``text[j+1:]`` are censored
    together; keeping ``text[j+1:]`` (one character on, not ``text[e:]``) lets a
    component that overlaps this one be found next. The search stops as soon as ``K``
    alone is censored.

    About ``log2(len(text)) + len(component) + 1`` queries per component, plus one.

    When rules overlap (a component of one rule contains a component of another, as
    ``cac+b`` and ``a+a``), the components found can be more than needed: ``b``, ``ca``,
    ``a`` where ``ca`` and ``a`` alone are censored. With ``prune`` (the default) a last
    pass drops each component the others do not need, one query per component, so the
    result is minimal: without any one component the rest is not censored.

    Args:
        oracle: the oracle (its count keeps running across calls).
        text: a text the oracle censors.
        prune: drop components the others do not need (one query per component).

    Returns:
        The isolation; not ``confirmed`` when ``text`` is not censored, the budget ran
        out, or the oracle is not monotone (a QQMail-style exception switched a rule off).
    """
    start = oracle.queries
    spans: list[Span] = []
    n = len(text)
    try:
        if not oracle.query([text]):
            return _result(text, spans, oracle, start, False, False, "binary-split")
        pos = 0
        while pos < n:
            frags = [text[s:e] for s, e in spans]
            if spans and oracle.query(frags):
                if prune:
                    spans = _prune(oracle, text, spans)
                return _result(text, spans, oracle, start, True, False, "binary-split")
            lo, hi = pos, n
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if oracle.query([*frags, text[mid:]]):
                    lo = mid
                else:
                    hi = mid
            j = lo
            rest = text[j + 1 :]
            e = j + 1
            while e < n and not oracle.query([*frags, text[j:e], rest]):
                e += 1
            spans.append((j, e))
            pos = j + 1
        confirmed = bool(spans) and oracle.query([text[s:e] for s, e in spans])
        if confirmed and prune:
            spans = _prune(oracle, text, spans)
        return _result(text, spans, oracle, start, confirmed, False, "binary-split")
    except BudgetExhausted:
        return _result(text, spans, oracle, start, False, True, "binary-split")


def _prune(oracle: Oracle, text: str, spans: list[Span]) -> list[Span]:
    """Drop, one at a time, each span the remaining ones do not need."""
    kept = list(spans)
    for span in spans:
        if len(kept) == 1:
            break
        rest = [sp for sp in kept if sp != span]
        if oracle.query([text[s:e] for s, e in rest]):
            kept = rest
    return kept


def isolate_recursive_halving(oracle: Oracle, text: str) -> Isolation:
    """Isolate the combination by recursive halving (the method before 2019).

    Try to delete the whole text, then each half, each quarter and so on, depth first:
    a deletion that leaves the rest censored is kept, a piece that cannot be deleted is
    split in two and each half tried again, down to single characters. The reduced text
    is sent as one message (deleting text closes the gap, as a person editing it would).
    The runs of characters left are reported as the components, and a last query checks
    them joined with the oracle's separator.

    Its weaknesses are structural: components next to each other come back as one run,
    overlapping components as one run, and a deletion can bring two pieces together
    into a keyword that was not in the text, so the runs left are not the rule.

    Args:
        oracle: the oracle.
        text: a text the oracle censors.
    """
    start = oracle.queries
    n = len(text)
    keep = [True] * n

    def spans_kept() -> list[Span]:
        out: list[Span] = []
        for i, k in enumerate(keep):
            if not k:
                continue
            if out and out[-1][1] == i:
                out[-1] = (out[-1][0], i + 1)
            else:
                out.append((i, i + 1))
        return out

    def reduce(lo: int, hi: int) -> None:
        if not any(keep[lo:hi]):
            return
        if any(keep[:lo]) or any(keep[hi:]):
            rest = "".join(text[i] for i in range(n) if keep[i] and not lo <= i < hi)
            if oracle.query([rest]):
                for i in range(lo, hi):
                    keep[i] = False
                return
        if hi - lo == 1:
            return
        mid = (lo + hi) // 2
        reduce(lo, mid)
        reduce(mid, hi)

    try:
        if not oracle.query([text]):
            return _result(text, [], oracle, start, False, False, "recursive-halving")
        reduce(0, n)
        spans = spans_kept()
        confirmed = oracle.query([text[s:e] for s, e in spans])
        return _result(text, spans, oracle, start, confirmed, False, "recursive-halving")
    except BudgetExhausted:
        return _result(text, spans_kept(), oracle, start, False, True, "recursive-halving")


def _result(
    text: str,
    spans: Sequence[Span],
    oracle: Oracle,
    start: int,
    confirmed: bool,
    exhausted: bool,
    method: str,
) -> Isolation:
    return Isolation(
        components=tuple(text[s:e] for s, e in spans),
        spans=tuple(spans),
        queries=oracle.queries - start,
        confirmed=confirmed,
        exhausted=exhausted,
        method=method,
    )


METHODS: Registry[Callable[[Oracle, str], Isolation]] = Registry("isolation method")
"""Isolation algorithms by name."""

METHODS.add("binary-split", isolate_binary_split,
            summary="component-aware binary split (Xiong & Knockel 2019)")
METHODS.add("recursive-halving", isolate_recursive_halving,
            summary="recursive halving (the method before 2019)")


def isolate(oracle: Oracle, text: str, method: str = "binary-split") -> Isolation:
    """Isolate with the algorithm called ``method`` (see :data:`METHODS`).

    Raises:
        UnknownNameError: an unknown method (the message lists the known ones).
    """
    return METHODS.get(method)(oracle, text)
