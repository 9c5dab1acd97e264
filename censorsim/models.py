"""Shared vocabulary: the value objects and enums every layer passes around.

Rules and what they find in a text (:class:`Rule`, :class:`Match`, :class:`Hit`,
:class:`ScanResult`), and what a platform is sent and decides (:class:`Message`,
:class:`Decision`, :class:`Surface`, :class:`Region`, :class:`Action`, :class:`Reason`).
This module imports nothing above :mod:`censorsim.errors`.

Spans are half-open ``[start, end)`` in code points of the *original* text.

"Censored" has one definition, :attr:`Action.censors`: the action keeps the content from
its audience (``action > FLAG``: limited, hidden, deleted later, refused, blocked or
dropped). :attr:`ScanResult.censored` and :attr:`Decision.censored` both apply it to their
action; a hit on a ``deliver`` or ``flag`` rule is a hit (:attr:`ScanResult.fired`) but
does not censor.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Self

from censorsim.errors import RuleError, UnknownNameError

__all__ = [
    "Action",
    "Attachment",
    "Decision",
    "Hit",
    "Match",
    "Message",
    "Reason",
    "Region",
    "Rule",
    "RuleMode",
    "ScanResult",
    "Surface",
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

    @property
    def censors(self) -> bool:
        """Whether this action censors: it keeps the content from its audience.

        The one definition of "censored" in censorsim: true for ``LIMIT_RESULTS``,
        ``HIDE``, ``DELETE_LATER``, ``REFUSE``, ``BLOCK`` and ``DROP`` (``action > FLAG``);
        false for ``DELIVER`` and ``FLAG`` (delivered, maybe recorded for review).
        :attr:`ScanResult.censored`, :attr:`Decision.censored`, the decision log's
        ``censored`` column and every censored count derive from it.

        Example:
            >>> Action.HIDE.censors, Action.FLAG.censors
            (True, False)
        """
        return self > Action.FLAG

    @classmethod
    def parse(cls, value: str | int | Action) -> Action:
        """Parse an action from its name (any case, ``-`` or ``_``) or value.

        Raises:
            UnknownNameError: no action has that name or value (the message lists them).

        Example:
            >>> Action.parse("delete-later")
            <Action.DELETE_LATER: 4>
        """
        if isinstance(value, Action):
            return value
        try:
            if isinstance(value, int):
                return cls(value)
            return cls[value.strip().upper().replace("-", "_").replace(" ", "_")]
        except (KeyError, ValueError, AttributeError):
            names = tuple(a.name.lower() for a in cls)
            raise UnknownNameError("action", value, names) from None


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
            try:
                object.__setattr__(self, "mode", RuleMode(self.mode))
            except ValueError:
                modes = ", ".join(m.value for m in RuleMode)
                raise RuleError(
                    f"{what}: unknown mode {self.mode!r}; expected one of: {modes}"
                ) from None
        try:
            object.__setattr__(self, "action", Action.parse(self.action))
        except UnknownNameError as exc:
            raise RuleError(f"{what}: {exc}") from None
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

    def explain(self) -> str:
        """A readable, multi-line explanation of the decision."""
        if not self.hits:
            return "not censored: no rule fired"
        verdict = "censored" if self.censored else "not censored"
        lines = [f"{verdict} ({self.action.name.lower()}): {len(self.hits)} rule(s) fired"]
        lines.extend("  " + h.explain(self.text) for h in self.hits)
        return "\n".join(lines)


# ------------------------------------------------------------------------- messages


_ALIASES = {"cn": "mainland", "china": "mainland", "intl": "international"}
"""Other names users type for a member's value."""


class _Named(enum.Enum):
    """An enum chosen by name in files and on the command line (a surface, a region)."""

    # Members are singletons: identity hashing is exact and much faster than Enum's.
    __hash__ = object.__hash__

    @classmethod
    def parse(cls, value: str | Self) -> Self:
        """The member named ``value``: its value in any case, ``-`` or space for ``_``
        (``group-chat`` is ``group_chat``; ``cn`` is ``mainland``, ``intl``
        ``international``).

        Raises:
            UnknownNameError: no member has that name (the message lists them).

        Example:
            >>> Surface.parse("Group-Chat"), Region.parse("cn")
            (<Surface.GROUP_CHAT: 'group_chat'>, <Region.MAINLAND: 'mainland'>)
        """
        if isinstance(value, cls):
            return value
        key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(_ALIASES.get(key, key))
        except ValueError:
            kind = cls.__name__.lower()
            raise UnknownNameError(kind, value, tuple(str(m.value) for m in cls)) from None


class Surface(_Named):
    """Where a message is sent or shown."""

    CHAT = "chat"
    """One-to-one chat."""
    GROUP_CHAT = "group_chat"
    """Group chat."""
    FEED = "feed"
    """A friends' feed (WeChat Moments)."""
    POST = "post"
    """A public post (Weibo)."""
    SEARCH = "search"
    """A search query."""
    MAIL = "mail"
    """An e-mail."""
    WEB = "web"
    """A web request crossing a national firewall."""


class Region(_Named):
    """Where an account is registered (WeChat filters by the phone number's country)."""

    MAINLAND = "mainland"
    """Registered with a mainland-China phone number."""
    INTERNATIONAL = "international"
    """Registered with any other number."""


class Reason(enum.Enum):
    """Why a decision was taken."""

    NONE = "none"
    """Nothing matched."""
    OUT_OF_SCOPE = "out_of_scope"
    """A rule matched, but the account is not filtered on this surface."""
    KEYWORD = "keyword"
    """A keyword rule matched the text."""
    IMAGE_MD5 = "image_md5"
    """The image's MD5 is blacklisted or was learned."""
    IMAGE_VISUAL = "image_visual"
    """The image is visually similar to a blacklisted one."""
    IMAGE_OCR = "image_ocr"
    """Text in the image matched a keyword rule."""




@dataclass(frozen=True, slots=True)
class Attachment:
    """An image sent with a message.

    Attributes:
        name: a label for logs (a file name).
        md5: the file's MD5, hex.
        perceptual: a perceptual hash of the image (for ``learn``/``visual`` checks).
        text: the text in the image, as OCR would read it (simulated).
    """

    name: str
    md5: str
    perceptual: Any = None
    text: str = ""

    @classmethod
    def from_bytes(
        cls, data: bytes, name: str, *, hasher: Any = None, text: str = ""
    ) -> Attachment:
        """An attachment from the file bytes, hashed with ``hasher`` (a ``Hasher``) if given."""
        perceptual = hasher.hash(data) if hasher is not None else None
        return cls(name, hashlib.md5(data).hexdigest(), perceptual, text)


@dataclass(frozen=True, slots=True)
class Message:
    """Something a user sends: text, a surface, the sender's region, maybe an image."""

    text: str
    surface: Surface = Surface.CHAT
    region: Region = Region.MAINLAND
    attachment: Attachment | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """What the platform did with one message.

    Attributes:
        action: the most severe action taken (``DELIVER`` when nothing).
        surface: the message's surface.
        reason: why.
        rule_ids: the keyword rules that fired (also when out of scope).
        image_ids: the blacklist entries the image matched (``md5:<hex>`` for MD5 hits).
        error: the error message the sender sees, if any.
        hidden_from: regions whose viewers do not see the content (viewer scope).
        learn_md5: the MD5 the platform learns from this message (deliver once, then block).
        hits: the keyword hits, for explanations (not compared).
    """

    action: Action
    surface: Surface
    reason: Reason = Reason.NONE
    rule_ids: tuple[str, ...] = ()
    image_ids: tuple[str, ...] = ()
    error: str | None = None
    hidden_from: frozenset[Region] = frozenset()
    learn_md5: str | None = None
    hits: tuple[Hit, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def clean(cls, surface: Surface) -> Decision:
        """The decision on a message nothing matched on ``surface``: delivered, no reason.

        One shared object per surface: ``Censor.check_many`` returns this very object
        for every such message, so a caller may test ``d is Decision.clean(d.surface)``
        instead of comparing fields.

        Example:
            >>> Decision.clean(Surface.CHAT) is Decision.clean(Surface.CHAT)
            True
        """
        return _CLEAN[surface]

    @property
    def censored(self) -> bool:
        """Whether the platform kept the content from its audience: ``action.censors``.

        The one definition of "censored" (:attr:`Action.censors`): true for
        ``LIMIT_RESULTS``, ``HIDE``, ``DELETE_LATER``, ``REFUSE``, ``BLOCK`` and ``DROP``;
        false for ``DELIVER`` and ``FLAG`` (delivered, maybe recorded), including a rule
        match from an account the surface does not filter (reason ``OUT_OF_SCOPE``).
        The decision log's ``censored`` column is this value.

        Example:
            >>> Decision(Action.HIDE, Surface.FEED).censored
            True
            >>> Decision(Action.FLAG, Surface.CHAT).censored
            False
        """
        return self.action.censors

    @property
    def sender_sees_sent(self) -> bool:
        """Whether the sender sees the message as sent (everything but an error)."""
        return self.action not in (Action.REFUSE, Action.BLOCK)

    def explain(self, text: str = "") -> str:
        """A readable explanation of the decision."""
        head = f"{self.action.name.lower()} on {self.surface.value} ({self.reason.value})"
        lines = [head]
        if self.error:
            lines.append(f"  sender sees: {self.error}")
        if self.hidden_from:
            regions = ", ".join(sorted(r.value for r in self.hidden_from))
            lines.append(f"  hidden from viewers in: {regions}")
        lines.extend("  " + h.explain(text) for h in self.hits)
        lines.extend(f"  image matched {i}" for i in self.image_ids)
        if self.learn_md5:
            lines.append(f"  learned md5 {self.learn_md5}")
        return "\n".join(lines)




_CLEAN = {s: Decision(Action.DELIVER, s) for s in Surface}
"""The shared clean decision of each surface (see :meth:`Decision.clean`)."""
