"""Actions, keyword rules and their syntax: what a rule is and how it is written."""

from __future__ import annotations

import enum
import gc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, overload

from censorsim.errors import RuleError, UnknownNameError

if TYPE_CHECKING:
    from censorsim.models._messages import Surface

__all__ = ["Action", "KeywordRules", "Match", "Outcome", "Rule", "RuleMode", "keyword_rules"]


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


class Outcome(enum.Enum):
    """What the people involved can observe: one value per path a platform can take.

    Several outcomes share an action (:attr:`action`), because platforms take the same
    action in ways an author or a reader can tell apart: Weibo refuses some posts with
    an explicit notice and others with a "data error", and hides others from everyone
    but their author (Citizen Lab, "Tracing the Path of a Censored Weibo Post", 2014);
    Weibo's review keeps a share of the matching posts it could delete (Zhu et al.
    2013); LINE delivers a message with the listed words masked (Citizen Lab, "Asia
    Chats", 2013). A decision's outcome is its rule's (``Rule.outcome``) or the plain
    outcome of its action (:meth:`of`).

    Example:
        >>> Outcome.of(Action.REFUSE), Outcome.DATA_ERROR.action.name
        (<Outcome.REFUSED: 'refused'>, 'REFUSE')
    """

    DELIVERED = "delivered"
    """Delivered or shown; nothing happened."""
    FLAGGED = "flagged"
    """Delivered, recorded for review."""
    KEPT = "kept"
    """A rule marked it for later deletion, but review kept it (a platform's deletion
    share: ``Policy.deletion_share``)."""
    LIMITED = "limited"
    """Search: results only from authorised sources."""
    HIDDEN = "hidden"
    """Hidden from viewers in some regions (``Decision.hidden_from``)."""
    AUTHOR_ONLY = "author_only"
    """Camouflaged: shown to its author as published, hidden from everyone else."""
    MASKED = "masked"
    """Delivered with the matched words replaced by asterisks for the filtered
    recipients (``Decision.delivered_text``)."""
    DELETED_LATER = "deleted_later"
    """Published, then deleted after a delay."""
    REFUSED = "refused"
    """Refused with a notice that says why."""
    DATA_ERROR = "data_error"
    """Refused with an error that does not say why (Weibo's "data error")."""
    BLOCKED = "blocked"
    """Search: no results; web: connection reset."""
    DROPPED = "dropped"
    """Silently not delivered; the sender sees it as sent."""

    @property
    def action(self) -> Action:
        """The action this outcome is a path of."""
        return _OUTCOME_ACTIONS[self]

    @classmethod
    def of(cls, action: Action) -> Outcome:
        """The plain outcome of ``action`` (``HIDE``: :attr:`HIDDEN`)."""
        return _PLAIN_OUTCOMES[action]

    @classmethod
    def parse(cls, value: str | Outcome) -> Outcome:
        """Parse an outcome from its value (any case, ``-`` for ``_``).

        Raises:
            UnknownNameError: no outcome has that name (the message lists them).
        """
        if isinstance(value, Outcome):
            return value
        try:
            return cls(str(value).strip().lower().replace("-", "_").replace(" ", "_"))
        except ValueError:
            raise UnknownNameError("outcome", value, tuple(o.value for o in cls)) from None


_OUTCOME_ACTIONS: dict[Outcome, Action] = {
    Outcome.DELIVERED: Action.DELIVER, Outcome.FLAGGED: Action.FLAG,
    Outcome.KEPT: Action.FLAG, Outcome.LIMITED: Action.LIMIT_RESULTS,
    Outcome.HIDDEN: Action.HIDE, Outcome.AUTHOR_ONLY: Action.HIDE,
    Outcome.MASKED: Action.HIDE, Outcome.DELETED_LATER: Action.DELETE_LATER,
    Outcome.REFUSED: Action.REFUSE, Outcome.DATA_ERROR: Action.REFUSE,
    Outcome.BLOCKED: Action.BLOCK, Outcome.DROPPED: Action.DROP,
}
_PLAIN_OUTCOMES: dict[Action, Outcome] = {
    Action.DELIVER: Outcome.DELIVERED, Action.FLAG: Outcome.FLAGGED,
    Action.LIMIT_RESULTS: Outcome.LIMITED, Action.HIDE: Outcome.HIDDEN,
    Action.DELETE_LATER: Outcome.DELETED_LATER, Action.REFUSE: Outcome.REFUSED,
    Action.BLOCK: Outcome.BLOCKED, Action.DROP: Outcome.DROPPED,
}


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
        surfaces: the surfaces on which the rule applies (``None``: every surface).
            Citizen Lab's Liu Xiaobo data record per rule whether it was blocked in
            group chat and in one-to-one chat; the loader leaves out the surfaces the
            data record as "not blocked". A censor ignores the rule's hits elsewhere.
        outcome: the observable outcome the rule triggers when it decides (``None``:
            the plain outcome of ``action``, :meth:`Outcome.of`); must be a path of
            ``action`` (Weibo: ``REFUSE`` with :attr:`Outcome.DATA_ERROR`).

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
    surfaces: frozenset[Surface] | None = None
    outcome: Outcome | None = None

    def __post_init__(self) -> None:
        comps = self.components
        # Fast path: one literal keyword, every other field at its default (the shape of
        # every rule in a plain list of 200,000 keywords). The checks below would change
        # nothing here; skipping them makes such a rule about 4x cheaper (measured).
        if (
            type(comps) is tuple and len(comps) == 1
            and type(comps[0]) is tuple and len(comps[0]) == 1
            and type(comps[0][0]) is str and comps[0][0]
            and type(self.id) is str and self.id
            and self.unless == () and type(self.unless) is tuple
            and self.mode is RuleMode.ALL and type(self.action) is Action
            and self.max_gap is None and self.surfaces is None and self.outcome is None
            and (self.added is None or self.removed is None)
        ):
            return
        self._validate()

    def _validate(self) -> None:
        """Parse and check every field (the general path of :meth:`__post_init__`)."""
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
        if self.surfaces is not None:
            from censorsim.models._messages import Surface

            try:
                surfaces = frozenset(
                    Surface.parse(s) for s in ((self.surfaces,) if isinstance(
                        self.surfaces, str) else self.surfaces))
            except (UnknownNameError, TypeError) as exc:
                raise RuleError(f"{what}: {exc}") from None
            object.__setattr__(self, "surfaces", surfaces)
        if self.outcome is not None:
            try:
                outcome = Outcome.parse(self.outcome)
            except UnknownNameError as exc:
                raise RuleError(f"{what}: {exc}") from None
            if outcome.action is not self.action:
                raise RuleError(
                    f"{what}: outcome {outcome.value!r} is a path of action "
                    f"{outcome.action.name.lower()!r}, not of {self.action.name.lower()!r}"
                )
            object.__setattr__(self, "outcome", outcome)

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

    def applies_on(self, surface: Surface) -> bool:
        """Whether the rule applies on ``surface`` (see :attr:`surfaces`)."""
        return self.surfaces is None or surface in self.surfaces

    def __str__(self) -> str:
        sep = " .. " if self.mode is RuleMode.ORDERED else "+"
        return sep.join("|".join(c) for c in self.components)




def keyword_rules(
    keywords: Iterable[str],
    *,
    ids: Iterable[str] | None = None,
    action: Action | str = Action.DROP,
) -> list[Rule]:
    """One single-keyword rule per keyword, in order: ``[Rule.keyword(k, id=i, action=a)]``
    made in bulk.

    For lists of 100,000 keywords and more: the rules are made without the general
    checks (a keyword and an id must be non-empty strings; nothing else can be wrong
    with such a rule) and with Python's cyclic garbage collector paused while they are
    made (they form no cycle; its passes over the growing heap cost more than making the
    rules: 0.35-0.45 s instead of 1.3-1.9 s for 200,000, measured). Every field is set
    here one by one, so a field added to :class:`Rule` must be added here too;
    :func:`_keyword_rules_reference` is the plain version, and a test holds the two equal.

    Args:
        keywords: the keywords, taken literally (no ``+`` syntax).
        ids: the rules' ids (default: each keyword is its own id); as many as keywords.
        action: every rule's action.

    Raises:
        RuleError: for a keyword or id that is not a non-empty string, or ids and
            keywords of different lengths.
    """
    words, names, act = _checked_keywords(keywords, ids, action)
    new = object.__new__
    s = {name: Rule.__dict__[name].__set__ for name in Rule.__slots__}
    set_id, set_comps, set_mode, set_gap, set_han = (
        s["id"], s["components"], s["mode"], s["max_gap"], s["gap_allows_han"])
    set_word, set_unless, set_action, set_cat, set_src = (
        s["whole_word"], s["unless"], s["action"], s["category"], s["source"])
    set_note, set_added, set_removed, set_surf, set_out = (
        s["note"], s["added"], s["removed"], s["surfaces"], s["outcome"])
    mode_all = RuleMode.ALL
    paused = gc.isenabled()
    gc.disable()
    try:
        out: list[Rule] = []
        append = out.append
        for word, rid in zip(words, names, strict=True):
            rule = new(Rule)
            set_id(rule, rid)
            set_comps(rule, ((word,),))
            set_mode(rule, mode_all)
            set_gap(rule, None)
            set_han(rule, True)
            set_word(rule, False)
            set_unless(rule, ())
            set_action(rule, act)
            set_cat(rule, None)
            set_src(rule, None)
            set_note(rule, None)
            set_added(rule, None)
            set_removed(rule, None)
            set_surf(rule, None)
            set_out(rule, None)
            append(rule)
    finally:
        if paused:
            gc.enable()
    return out


def _keyword_rules_reference(
    keywords: Iterable[str], *, ids: Iterable[str] | None = None,
    action: Action | str = Action.DROP,
) -> list[Rule]:
    """The plain version of :func:`keyword_rules`: one ``Rule.keyword`` per keyword."""
    words, names, act = _checked_keywords(keywords, ids, action)
    return [Rule.keyword(w, id=i, action=act) for w, i in zip(words, names, strict=True)]


def _checked_keywords(
    keywords: Iterable[str], ids: Iterable[str] | None, action: Action | str,
) -> tuple[list[str], list[str], Action]:
    """Keywords, ids (the keywords when None) and the action, checked."""
    try:
        act = Action.parse(action)
    except UnknownNameError as exc:
        raise RuleError(str(exc)) from None
    words = list(keywords)
    names = words if ids is None else list(ids)
    if len(names) != len(words):
        raise RuleError(f"{len(names)} ids for {len(words)} keywords")
    for what, values in (("keyword", words), ("rule id", names)):
        if not all(type(v) is str and v for v in values):
            bad = next(v for v in values if not (isinstance(v, str) and v))
            raise RuleError(f"{what} must be a non-empty string, got {bad!r}")
    return words, names, act


class KeywordRules(Sequence[Rule]):
    """A plain keyword list as rules, each made when read.

    Rule ``i`` equals ``Rule.keyword(keywords[i], id=ids[i], action=action)``. A
    :class:`~censorsim.text.rules.RuleSet` built over it
    (:meth:`~censorsim.text.rules.RuleSet.from_keywords`) needs no ``Rule`` object at
    all: 200,000 of them hold about 50 MB and take a second to make.

    Args:
        keywords: the keywords, taken literally (no ``+`` syntax).
        ids: the rules' ids (default: each keyword is its own id).
        action: every rule's action.

    Raises:
        RuleError: as :func:`keyword_rules`.
    """

    __slots__ = ("_action", "_ids", "_words")

    def __init__(self, keywords: Iterable[str], *, ids: Iterable[str] | None = None,
                 action: Action | str = Action.DROP) -> None:
        words, names, act = _checked_keywords(keywords, ids, action)
        self._words: tuple[str, ...] = tuple(words)
        self._ids: tuple[str, ...] = self._words if ids is None else tuple(names)
        self._action = act

    @property
    def keywords(self) -> tuple[str, ...]:
        """The keywords, in order."""
        return self._words

    @property
    def ids(self) -> tuple[str, ...]:
        """The rules' ids, in order."""
        return self._ids

    @property
    def action(self) -> Action:
        """Every rule's action."""
        return self._action

    def __len__(self) -> int:
        return len(self._words)

    @overload
    def __getitem__(self, i: int) -> Rule: ...

    @overload
    def __getitem__(self, i: slice) -> list[Rule]: ...

    def __getitem__(self, i: int | slice) -> Rule | list[Rule]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return Rule(self._ids[i], ((self._words[i],),), action=self._action)

    def __iter__(self) -> Iterator[Rule]:
        act = self._action
        return (Rule(rid, ((w,),), action=act) for w, rid in zip(self._words, self._ids,
                                                                  strict=True))

    def materialize(self) -> list[Rule]:
        """Every rule at once (:func:`keyword_rules`: faster than iterating)."""
        return keyword_rules(self._words, ids=self._ids, action=self._action)

    def __repr__(self) -> str:
        return f"<KeywordRules {len(self)} keywords, action={self._action.name.lower()}>"
