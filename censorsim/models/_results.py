"""Results of checking a text: hits, near misses and scan results, with explanations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from censorsim.models._rules import (
    Action,
    Match,
    Rule,
)

__all__ = ["Hit", "NearMiss", "ScanResult"]


def _rule_label(rule: Rule) -> str:
    """A rule by its text (``六四+学生``), with its id when that says something else.

    Citizen Lab rules are identified by ``file.csv:143``; a reader wants the keywords.
    """
    text = str(rule)
    return text if rule.id == text else f"{text} (rule {rule.id})"


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule that fired on a text, with the evidence.

    Attributes:
        rule: the rule.
        spans: for each component, the span (in the original text) of the occurrence
            that satisfied it.
        matched: for each component, the keyword that satisfied it.
        found: for each component, the original text of its span (``六 四`` for the
            keyword ``六四``), stored when the rule fired so that :meth:`explain` needs
            no text; empty for hits built by hand.
    """

    rule: Rule
    spans: tuple[tuple[int, int], ...]
    matched: tuple[str, ...]
    found: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def explain(self, text: str | None = None) -> str:
        """One line: the action's name, the rule by its text, each component and where.

        The original text of each occurrence comes from :attr:`found` (or from ``text``
        for a hit built without it).

        Example:
            >>> from censorsim.text import RuleSet
            >>> RuleSet([Rule.combination("六四+学生")]).check("六 四的學生").hits[0].explain()
            "DROP by 六四+学生: 六四 as '六 四' at [0, 3); 学生 as '學生' at [4, 6)"
        """
        found: tuple[str | None, ...] = self.found
        if not found:
            found = tuple(text[s:e] if text else None for s, e in self.spans)
        parts = []
        for kw, (s, e), seen in zip(self.matched, self.spans, found, strict=True):
            shown = kw if seen is None or seen == kw else f"{kw} as {seen!r}"
            parts.append(f"{shown} at [{s}, {e})")
        return f"{self.rule.action.name} by {_rule_label(self.rule)}: " + "; ".join(parts)

    def __repr__(self) -> str:
        found = self.found or self.matched
        return f"Hit({self.rule.id!r}, {self.rule.action.name}, found={found!r})"


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A rule that did not fire although some of it was in the text (for explanations).

    Attributes:
        rule: the rule.
        present: the components found, each as the keyword that satisfied it.
        missing: the components not found, each as ``a|b`` for alternatives.
        saved_by: when every component was present, the exception combination
            (``unless``) whose keywords were all present too, as ``名+单``; empty
            otherwise.
        note: why a rule whose components were all present did not fire otherwise
            (order, gap, whole words), or empty.
    """

    rule: Rule
    present: tuple[str, ...]
    missing: tuple[str, ...]
    saved_by: str = ""
    note: str = ""

    def explain(self) -> str:
        """One line, e.g. ``near miss 习近平+三连任+修宪: 2 of 3 components present,
        missing 修宪``."""
        label = _rule_label(self.rule)
        n = len(self.present) + len(self.missing)
        if self.saved_by:
            return (f"saved by an exception: {label} would {self.rule.action.name}, but "
                    f"its exception {self.saved_by} is present")
        if self.missing:
            return (f"near miss {label}: {len(self.present)} of {n} components present, "
                    f"missing {', '.join(self.missing)}")
        return f"near miss {label}: every component present, but {self.note}"


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a rule set found in one text.

    Attributes:
        text: the original text.
        hits: the rules that fired, in rule-set order.
        matches: every keyword occurrence found (original-text spans), sorted.
        rules: the rule set that checked the text (set by ``RuleSet.check_many``), used
            only to compute :meth:`near_misses` on request; not compared.
    """

    text: str
    hits: tuple[Hit, ...] = ()
    matches: tuple[Match, ...] = field(default=(), repr=False)
    rules: Any = field(default=None, compare=False, repr=False)

    @property
    def censored(self) -> bool:
        """Whether the rules that fired censor the text: :attr:`action` ``.censors``.

        The one definition of "censored" (:attr:`Action.censors`): a text whose only hits
        are ``deliver`` or ``flag`` rules fired (:attr:`fired`) but is not censored. What a
        platform does with the text (scope, surface, overrides) is a :class:`Decision`.
        """
        return self.action.censors

    @property
    def fired(self) -> bool:
        """Whether any rule fired on the text (whatever its action)."""
        return bool(self.hits)

    @property
    def action(self) -> Action:
        """The most severe action among the hits (``DELIVER`` when none)."""
        return max((h.rule.action for h in self.hits), default=Action.DELIVER)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Ids of the rules that fired."""
        return tuple(h.rule.id for h in self.hits)

    def spans(self) -> list[tuple[int, int]]:
        """Merged, sorted spans of everything that made a rule fire."""
        raw = sorted(s for h in self.hits for s in h.spans)
        merged: list[tuple[int, int]] = []
        for s, e in raw:
            if merged and s <= merged[-1][1]:
                if e > merged[-1][1]:
                    merged[-1] = (merged[-1][0], e)
            else:
                merged.append((s, e))
        return merged

    def masked(self, mask: str = "*") -> str:
        """The text with every span that made a rule fire replaced, character by character."""
        out = list(self.text)
        for s, e in self.spans():
            for i in range(s, e):
                out[i] = mask
        return "".join(out)

    def marked(self, left: str = "[", right: str = "]") -> str:
        """The original text with every span that made a rule fire between brackets.

        Example:
            >>> from censorsim.text import RuleSet
            >>> RuleSet([Rule.combination("六四+学生")]).check("六 四的學生們").marked()
            '[六 四]的[學生]們'
        """
        out: list[str] = []
        pos = 0
        for s, e in self.spans():
            out += [self.text[pos:s], left, self.text[s:e], right]
            pos = e
        out.append(self.text[pos:])
        return "".join(out)

    def near_misses(self, limit: int = 5) -> tuple[NearMiss, ...]:
        """Rules that almost fired, computed now (never during the check).

        Rules with some but not all components present (most present first), rules
        saved by an exception (``unless``), and rules whose components were all present
        without firing (order, gap, whole words). Empty when the result was not made by
        a rule set's ``check``/``check_many``.
        """
        if self.rules is None:
            return ()
        misses: tuple[NearMiss, ...] = self.rules.near_misses(self.text, limit=limit)
        return misses

    def explain(self) -> str:
        """A readable, multi-line explanation: the verdict by action name, every rule that
        fired (by its text) with the keywords as they appear in the original text, and
        the near misses and exceptions that saved the text (see :meth:`near_misses`).

        Example:
            >>> from censorsim.text import RuleSet
            >>> rs = RuleSet([Rule.combination("六四+学生+民主运动")])
            >>> print(rs.check("六四的学生").explain())
            not censored: no rule fired
              near miss 六四+学生+民主运动: 2 of 3 components present, missing 民主运动
        """
        if not self.hits:
            lines = ["not censored: no rule fired"]
        else:
            verdict = "censored" if self.censored else "not censored"
            n = len(self.hits)
            lines = [f"{verdict}: {self.action.name} ({n} rule{'s' if n > 1 else ''} fired)"]
            lines.extend("  " + h.explain(self.text) for h in self.hits)
        lines.extend("  " + m.explain() for m in self.near_misses())
        return "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled without its rule set (a whole compiled list): near misses need it only
        # in the process that checked the text.
        return (ScanResult, (self.text, self.hits, self.matches))

    def __repr__(self) -> str:
        text = self.text if len(self.text) <= 40 else self.text[:39] + "…"
        if not self.hits:
            return f"ScanResult({text!r}, DELIVER)"
        return f"ScanResult({text!r}, {self.action.name}, rules={self.rule_ids!r})"


