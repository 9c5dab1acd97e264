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
    "NearMiss",
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


_ESCAPABLE = frozenset("+|;#\\")


def _split_syntax(text: str, sep: str, what: str) -> list[str]:
    """Split ``text`` on unescaped ``sep``, trimming unescaped blanks around each part.

    The escapes of the rule files' combination syntax (``\\+ \\| \\; \\# \\\\`` and
    ``\\`` before a blank) keep a character literally.
    """
    parts: list[list[tuple[str, bool]]] = [[]]
    i = 0
    while i < len(text):
        ch, esc = text[i], False
        if ch == "\\":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if not nxt or (nxt not in _ESCAPABLE and not nxt.isspace()):
                raise RuleError(f"{what}: bad escape in {text!r} (escapes: \\+ \\| \\; "
                                "\\# \\\\ and '\\ ')")
            ch, esc = nxt, True
            i += 1
        i += 1
        if ch == sep and not esc:
            parts.append([])
        else:
            parts[-1].append((ch, esc))
    out = []
    for toks in parts:
        a, b = 0, len(toks)
        while a < b and toks[a][0].isspace() and not toks[a][1]:
            a += 1
        while b > a and toks[b - 1][0].isspace() and not toks[b - 1][1]:
            b -= 1
        out.append("".join(ch for ch, _ in toks[a:b]))
    return out


def _parse_components(spec: str, what: str) -> tuple[tuple[str, ...], ...]:
    """``"六四+学生|學生"``: components joined by ``+``, alternatives by ``|``."""
    comps = tuple(tuple(_split_syntax(c, "|", what)) for c in _split_components(spec, what))
    for comp in comps:
        if not all(comp):
            raise RuleError(f"{what}: empty keyword in {spec!r}")
    return comps


def _split_components(spec: str, what: str) -> list[str]:
    # Split on '+' keeping escapes for the '|' split that follows.
    parts: list[str] = [""]
    i = 0
    while i < len(spec):
        if spec[i] == "\\" and i + 1 < len(spec):
            parts[-1] += spec[i : i + 2]
            i += 2
            continue
        if spec[i] == "+":
            parts.append("")
        else:
            parts[-1] += spec[i]
        i += 1
    return parts


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
    satisfies the component).

    The ``+`` syntax has one meaning everywhere, "and": a **string** given as a
    component or as an exception combination is read in the rule files' combination
    syntax, ``+`` joining what must all occur and (in components) ``|`` joining
    alternatives, with ``\\+``, ``\\|`` and ``\\\\`` for the literal characters. So
    ``components=["六四+学生"]`` is ``Rule.combination("六四+学生")``, and
    ``unless=["名+单"]`` means "not when 名 and 单 both occur". A **tuple or list** holds
    literal keywords: alternatives in a component (``("学生", "學生")``: either), every
    one of them in an exception (``unless=[("名", "单")]`` is ``unless=["名+单"]``). The
    list of exception combinations means "any one of them": ``unless=["名", "单"]`` lets
    the text through when either keyword occurs.

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
            keyword of any one of them is present, the rule does not fire (``"名+单"`` or
            ``("名", "单")``: both keywords).
        action: what the platform does when the rule fires.
        category, source, note: free-form metadata.
        added, removed: the dates between which the rule was observed in force.

    Example:
        >>> r = Rule.combination("六四+学生")
        >>> r.components
        (('六四',), ('学生',))
        >>> r.keywords
        ('六四', '学生')
        >>> Rule("r", ["六四+学生|學生"], unless=["名+单"]).unless
        (('名', '单'),)
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
        # A string is in the combination syntax ("A+B|C": + joins components, | joins
        # alternatives); a tuple or list holds literal keywords (alternatives).
        norm = tuple(
            c for comp in comps for c in (
                _parse_components(comp, what) if isinstance(comp, str)
                else (_as_component(comp, what),))
        )
        if not norm:
            raise RuleError(f"{what}: a rule needs at least one component")
        object.__setattr__(self, "components", norm)
        # An exception combination: a string "名+单" (every keyword, + syntax) or a
        # tuple/list of literal keywords (every one of them); a bare string in place of
        # the list of combinations is one combination.
        raw_unless = (self.unless,) if isinstance(self.unless, str) else self.unless
        unless = tuple(
            tuple(_as_component(k, f"{what} exception")[0] for k in combo)
            if not isinstance(combo, str)
            else tuple(_split_syntax(combo, "+", f"{what} exception"))
            for combo in raw_unless
        )
        for combo in unless:
            if not combo:
                raise RuleError(f"{what}: empty exception combination")
            if not all(combo):
                raise RuleError(f"{what}: empty keyword in exception combination {combo!r}")
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

    def explain(self, text: str = "", *, rules: Any = None) -> str:
        """A readable explanation of the decision.

        The action by name (``DROP``, not 7), the surface and reason, what the sender
        sees, the viewer scope, and every keyword rule that fired by its text with the
        keywords as they appear in the original message (stored when the message was
        checked: ``text`` is not needed for them).

        Args:
            text: the message's text: with ``rules``, near misses and exceptions that
                saved it are listed too.
            rules: a ``RuleSet`` or several (e.g. ``policy.rulesets.values()``).

        Example:
            >>> print(Decision(Action.HIDE, Surface.FEED, Reason.KEYWORD,
            ...                hidden_from=frozenset({Region.MAINLAND})).explain())
            HIDE on feed (keyword)
              hidden from viewers in: mainland (others see it)
        """
        head = f"{self.action.name} on {self.surface.value} ({self.reason.value})"
        if self.reason is Reason.OUT_OF_SCOPE:
            head += ": a rule fired, but this account is not filtered on this surface"
        lines = [head]
        if self.error:
            lines.append(f"  sender sees: {self.error}")
        if self.hidden_from:
            regions = ", ".join(sorted(r.value for r in self.hidden_from))
            lines.append(f"  hidden from viewers in: {regions} (others see it)")
        lines.extend("  " + h.explain(text or None) for h in self.hits)
        lines.extend(f"  image matched {i}" for i in self.image_ids)
        if self.learn_md5:
            lines.append(f"  learned md5 {self.learn_md5}")
        if rules is not None and text:
            sets = [rules] if hasattr(rules, "near_misses") else list(rules)
            fired = set(self.rule_ids)
            for rs in sets:
                lines.extend("  " + m.explain() for m in rs.near_misses(text)
                             if m.rule.id not in fired)
        return "\n".join(lines)

    def __repr__(self) -> str:
        out = f"Decision({self.action.name} on {self.surface.value}, {self.reason.value}"
        if self.rule_ids:
            out += f", rules={self.rule_ids!r}"
        if self.image_ids:
            out += f", images={self.image_ids!r}"
        if self.hidden_from:
            out += f", hidden_from={sorted(r.value for r in self.hidden_from)!r}"
        if self.error:
            out += f", error={self.error!r}"
        return out + ")"


_CLEAN = {s: Decision(Action.DELIVER, s) for s in Surface}
"""The shared clean decision of each surface (see :meth:`Decision.clean`)."""
