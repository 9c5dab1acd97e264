"""Shared vocabulary: frozen value objects and enums used across layers.

Spans are half-open ``[start, end)`` in code points of the *original* text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from censorsim.errors import RuleError

__all__ = [
    "Action",
    "Hit",
    "Match",
    "Rule",
    "RuleMode",
    "ScanResult",
]


class Action(enum.IntEnum):
    """What a platform does with content that a rule matched, ordered by severity.

    The order lets a decision take the most severe action of all its hits
    (``max(hit.rule.action for hit in hits)``).
    """

    DELIVER = 0
    """Nothing happens; the content is delivered or shown."""
    FLAG = 1
    """Delivered, but recorded for review."""
    LIMIT_RESULTS = 2
    """Search: results only from authorised sources ("soft" censorship)."""
    HIDE = 3
    """Visible to the author only, or hidden from some audiences."""
    DELETE_LATER = 4
    """Published, then deleted after a delay (post review)."""
    REFUSE = 5
    """Refused with an error the user sees (SMTP 550, "content violates rules")."""
    BLOCK = 6
    """Search: no results at all ("hard" censorship); web: connection reset."""
    DROP = 7
    """Silently not delivered; the sender sees it as sent (WeChat chat)."""

    @classmethod
    def parse(cls, value: str | int | Action) -> Action:
        """Parse an action from its name (any case, ``-`` or ``_``) or value."""
        if isinstance(value, Action):
            return value
        if isinstance(value, int):
            return cls(value)
        key = value.strip().upper().replace("-", "_").replace(" ", "_")
        try:
            return cls[key]
        except KeyError:
            names = ", ".join(a.name.lower() for a in cls)
            raise ValueError(f"unknown action {value!r}; expected one of: {names}") from None


@dataclass(frozen=True, slots=True, order=True)
class Match:
    """One occurrence of a keyword in a text.

    Attributes:
        start: first code point of the occurrence (inclusive).
        end: one past the last code point (exclusive).
        keyword: the keyword as the matcher was given it.
    """

    start: int
    end: int
    keyword: str


class RuleMode(enum.Enum):
    """How the components of a rule must occur for it to fire."""

    ALL = "all"
    """Every component anywhere in the text, in any order, overlaps allowed."""
    ORDERED = "ordered"
    """Components in order, without overlap, optionally with a maximum gap between them."""


def _as_component(value: str | tuple[str, ...] | list[str], what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        alts: tuple[str, ...] = (value,)
    else:
        alts = tuple(value)
    if not alts:
        raise RuleError(f"{what}: a component needs at least one keyword")
    for alt in alts:
        if not isinstance(alt, str):
            raise RuleError(f"{what}: keyword {alt!r} is not a string")
        if not alt:
            raise RuleError(f"{what}: empty keyword in a component")
    return alts


@dataclass(frozen=True, slots=True)
class Rule:
    """A censorship rule over keywords.

    A component is one keyword or a tuple of alternative keywords (any one of them
    satisfies the component). Strings passed as components are turned into
    one-keyword components.

    Attributes:
        id: a stable identifier, unique within a rule set.
        components: the components; a single-keyword rule has one.
        mode: ``ALL`` (anywhere, any order) or ``ORDERED``.
        max_gap: for ``ORDERED`` rules, the most code points allowed between one
            component's end and the next one's start (in the normalised text);
            ``None`` for no limit.
        gap_allows_han: for ``ORDERED`` rules with a gap limit, whether the gap may
            contain Han characters (LINE's ``海[^一-龥]{0,3}洛`` rules say no).
        whole_word: components must be bounded by non-word characters (for Latin script).
        unless: exception combinations (QQMail's "extenuating" combinations): when every
            keyword of any one of them is present, the rule does not fire.
        action: what the platform does when the rule fires.
        category, source, note: free-form metadata.
        added, removed: the dates between which the rule was observed in force.

    Example:
        >>> r = Rule.combination("六四+学生")
        >>> r.components
        (('六四',), ('学生',))
        >>> r.keywords
        ('六四', '学生')
    """

    id: str
    components: tuple[tuple[str, ...], ...]
    mode: RuleMode = RuleMode.ALL
    max_gap: int | None = None
    gap_allows_han: bool = True
    whole_word: bool = False
    unless: tuple[tuple[str, ...], ...] = ()
    action: Action = Action.DROP
    category: str | None = None
    source: str | None = None
    note: str | None = None
    added: date | None = None
    removed: date | None = None

    def __post_init__(self) -> None:
        what = f"rule {self.id!r}"
        if not isinstance(self.id, str) or not self.id:
            raise RuleError(f"rule id must be a non-empty string, got {self.id!r}")
        comps = self.components
        if isinstance(comps, str):
            comps = (comps,)
        norm = tuple(_as_component(c, what) for c in comps)
        if not norm:
            raise RuleError(f"{what}: a rule needs at least one component")
        object.__setattr__(self, "components", norm)
        unless = tuple(
            tuple(_as_component(k, f"{what} exception")[0] for k in combo)
            if not isinstance(combo, str)
            else (combo,)
            for combo in self.unless
        )
        for combo in unless:
            if not combo:
                raise RuleError(f"{what}: empty exception combination")
        object.__setattr__(self, "unless", unless)
        if not isinstance(self.mode, RuleMode):
            object.__setattr__(self, "mode", RuleMode(self.mode))
        object.__setattr__(self, "action", Action.parse(self.action))
        if self.max_gap is not None:
            if self.mode is not RuleMode.ORDERED:
                raise RuleError(f"{what}: max_gap needs mode=ORDERED")
            if self.max_gap < 0:
                raise RuleError(f"{what}: max_gap must be >= 0, got {self.max_gap}")
        if self.added and self.removed and self.removed < self.added:
            raise RuleError(f"{what}: removed {self.removed} is before added {self.added}")

    @classmethod
    def keyword(cls, keyword: str, *, id: str | None = None, **meta: object) -> Rule:
        """A rule that fires on a single keyword."""
        return cls(id=id or keyword, components=((keyword,),), **meta)  # type: ignore[arg-type]

    @classmethod
    def combination(
        cls, spec: str | list[str] | tuple[str, ...], *, id: str | None = None, **meta: object
    ) -> Rule:
        """An all-of rule from ``"A+B+C"`` (spaces around ``+`` trimmed) or a list."""
        if isinstance(spec, str):
            parts = [p.strip() for p in spec.split("+")]
        else:
            parts = [p.strip() for p in spec]
        if any(not p for p in parts):
            raise RuleError(f"combination {spec!r} has an empty component")
        rid = id or "+".join(parts)
        return cls(id=rid, components=tuple((p,) for p in parts), **meta)  # type: ignore[arg-type]

    @classmethod
    def ordered(
        cls,
        components: list[str | tuple[str, ...]] | tuple[str | tuple[str, ...], ...],
        *,
        id: str | None = None,
        max_gap: int | None = None,
        **meta: object,
    ) -> Rule:
        """An ordered rule: components in order, optionally at most ``max_gap`` apart."""
        comps = tuple((c,) if isinstance(c, str) else tuple(c) for c in components)
        rid = id or " .. ".join("|".join(c) for c in comps)
        return cls(
            id=rid, components=comps, mode=RuleMode.ORDERED, max_gap=max_gap, **meta  # type: ignore[arg-type]
        )

    @property
    def keywords(self) -> tuple[str, ...]:
        """Every keyword the rule mentions, components first, then exceptions."""
        seen: dict[str, None] = {}
        for comp in self.components:
            for k in comp:
                seen.setdefault(k, None)
        for combo in self.unless:
            for k in combo:
                seen.setdefault(k, None)
        return tuple(seen)

    def active_on(self, day: date | None) -> bool:
        """Whether the rule is in force on ``day`` (always, when ``day`` is None)."""
        if day is None:
            return True
        if self.added is not None and day < self.added:
            return False
        return not (self.removed is not None and day >= self.removed)

    def __str__(self) -> str:
        sep = " .. " if self.mode is RuleMode.ORDERED else "+"
        return sep.join("|".join(c) for c in self.components)


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule that fired on a text, with the evidence.

    Attributes:
        rule: the rule.
        spans: for each component, the span (in the original text) of the occurrence
            that satisfied it.
        matched: for each component, the keyword that satisfied it.
    """

    rule: Rule
    spans: tuple[tuple[int, int], ...]
    matched: tuple[str, ...]

    def explain(self, text: str) -> str:
        """A one-line explanation: rule id, and each component with where it was found."""
        parts = []
        for kw, (s, e) in zip(self.matched, self.spans, strict=True):
            found = text[s:e]
            shown = kw if found == kw else f"{kw} as {found!r}"
            parts.append(f"{shown} at [{s}, {e})")
        return f"rule {self.rule.id!r} ({self.rule.action.name.lower()}): " + "; ".join(parts)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a rule set found in one text.

    Attributes:
        text: the original text.
        hits: the rules that fired, in rule-set order.
        matches: every keyword occurrence found (original-text spans), sorted.
    """

    text: str
    hits: tuple[Hit, ...] = ()
    matches: tuple[Match, ...] = field(default=(), repr=False)

    @property
    def censored(self) -> bool:
        """Whether any rule fired."""
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

    def explain(self) -> str:
        """A readable, multi-line explanation of the decision."""
        if not self.hits:
            return "not censored: no rule fired"
        lines = [f"censored ({self.action.name.lower()}): {len(self.hits)} rule(s) fired"]
        lines.extend("  " + h.explain(self.text) for h in self.hits)
        return "\n".join(lines)
