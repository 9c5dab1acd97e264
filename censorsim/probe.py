"""Black-box isolation of the keyword combination that made a censor act on a text.

A researcher who only sees *censored or not* can still learn what is on a list: send
reduced versions of a censored text and watch which survive. An :class:`Oracle` wraps
anything that answers that question (a :class:`~censorsim.text.rules.RuleSet`, a
:class:`~censorsim.policy.Censor`, a function), counts the queries, enforces a budget,
and joins test fragments with a separator (the platform decides what separates them:
choose a character that its normaliser keeps and that no keyword contains).

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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from censorsim.errors import BudgetExhausted, ParameterError
from censorsim.registry import Registry

__all__ = [
    "METHODS",
    "BudgetExhausted",
    "Isolation",
    "Oracle",
    "SupportsCheck",
    "isolate",
    "isolate_binary_split",
    "isolate_recursive_halving",
]

Span = tuple[int, int]


class SupportsCheck(Protocol):
    """Anything with ``check(text)`` returning an object with a ``censored`` flag."""

    def check(self, text: str) -> Any:
        """Check one text."""


class Oracle:
    """A censored-or-not oracle that counts queries.

    Args:
        target: a :class:`~censorsim.text.rules.RuleSet` (anything with
            ``check(text).censored``) or a function ``text -> bool``. For a
            :class:`~censorsim.policy.Censor` use :meth:`for_censor`.
        separator: what joins the fragments of one query.
        budget: the most queries allowed; None for no limit.

    Raises:
        ParameterError: an empty separator or a negative budget.
        TypeError: a target that is neither checkable nor callable.
    """

    __slots__ = ("_check", "budget", "queries", "separator")

    def __init__(
        self,
        target: SupportsCheck | Callable[[str], bool],
        *,
        separator: str = "\n",
        budget: int | None = None,
    ) -> None:
        if not separator:
            raise ParameterError("separator: must not be empty (fragments would run together)")
        if budget is not None and budget < 0:
            raise ParameterError(f"budget must be >= 0, got {budget}")
        if hasattr(target, "check"):
            check = target.check
            self._check: Callable[[str], bool] = lambda text: bool(check(text).censored)
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
        separator: str = "\n",
        budget: int | None = None,
    ) -> Oracle:
        """An oracle over a :class:`~censorsim.policy.Censor`.

        Args:
            censor: the censor.
            at: the time every query is sent (a censor is pure; the clock is yours).
            surface: the :class:`~censorsim.policy.Surface` (default chat).
            region: the sender's :class:`~censorsim.policy.Region` (default mainland).
            separator: what joins the fragments of one query.
            budget: the most queries allowed.
        """
        from censorsim.models import Message, Region, Surface

        sf = Surface.CHAT if surface is None else Surface.parse(surface)
        rg = Region.MAINLAND if region is None else Region.parse(region)

        def check(text: str) -> bool:
            return bool(censor.check(Message(text, sf, rg), at=at).censored)

        return cls(check, separator=separator, budget=budget)

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


def isolate_binary_split(oracle: Oracle, text: str) -> Isolation:
    """Isolate the combination by component-aware binary split (Xiong & Knockel 2019).

    With ``K`` the components found so far and ``f(j)`` = "``K`` plus ``text[j:]`` is
    censored", ``f`` only turns from true to false as ``j`` grows. A binary search finds
    the largest ``j`` with ``f(j)``: the next component starts there. Its end is the
    smallest ``e`` for which ``K``, ``text[j:e]`` and ``text[j+1:]`` are censored
    together; keeping ``text[j+1:]`` (one character on, not ``text[e:]``) lets a
    component that overlaps this one be found next. The search stops as soon as ``K``
    alone is censored.

    About ``log2(len(text)) + len(component) + 1`` queries per component, plus one.

    Args:
        oracle: the oracle (its count keeps running across calls).
        text: a text the oracle censors.

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
        return _result(text, spans, oracle, start, confirmed, False, "binary-split")
    except BudgetExhausted:
        return _result(text, spans, oracle, start, False, True, "binary-split")


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
