"""Policies and the censor that applies them.

A :class:`Policy` binds named rule sets, an image blacklist, and per-surface settings:
which rule sets apply on a surface, which account regions are filtered there, what
happens to a match (the rules' own actions or an override), the error a user sees, and
how images are checked. A :class:`Censor` applies a policy to :class:`Message` objects
and returns :class:`Decision` objects.

``Censor.check`` is pure: no I/O and no clock. What a platform *learns* (WeChat adds the
MD5 of an image it found sensitive after delivering it once) lives in an explicit
:class:`ImageMemory` that the caller owns and updates with :meth:`ImageMemory.learn`.

Image pipeline per surface (:class:`ImageCheck`):

- ``off``: images are not checked.
- ``md5``: the file MD5 is looked up in the blacklist and in the memory.
- ``learn``: as ``md5``; an unknown image is delivered, analysed (perceptual match, OCR
  text), and when found sensitive its MD5 is returned in ``Decision.learn_md5`` so the
  next send of the same file is blocked (WeChat chat, Knockel & Xiong 2019).
- ``visual``: as ``learn``, but the analysis blocks right away (WeChat Moments).

Example:
    >>> from datetime import datetime
    >>> from censorsim.models import Rule
    >>> from censorsim.text.rules import RuleSet
    >>> policy = Policy(
    ...     name="toy",
    ...     rulesets={"main": RuleSet([Rule.combination("六四+学生")])},
    ...     surfaces=(SurfacePolicy(Surface.CHAT, rulesets=("main",),
    ...                             regions=frozenset({Region.MAINLAND})),),
    ... )
    >>> censor, at = Censor(policy), datetime(2020, 2, 1)
    >>> censor.check(Message("六四的学生", Surface.CHAT, Region.MAINLAND), at=at).action.name
    'DROP'
    >>> censor.check(Message("六四的学生", Surface.CHAT, Region.INTERNATIONAL), at=at).reason.name
    'OUT_OF_SCOPE'
"""

from __future__ import annotations

import bisect
import enum
import hashlib
import itertools
import math
import os
import random
import sys
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from censorsim.errors import CensorsimError, PolicyError
from censorsim.models import Action, Hit, Rule, ScanResult
from censorsim.text.rules import RuleSet

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "Attachment",
    "Censor",
    "Decision",
    "DelayDistribution",
    "ImageBlacklist",
    "ImageCheck",
    "ImageMemory",
    "Message",
    "Policy",
    "Reason",
    "Region",
    "Scope",
    "Surface",
    "SurfacePolicy",
    "load_policy",
]


class Surface(enum.Enum):
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

    # Members are singletons: identity hashing is exact and much faster than Enum's.
    __hash__ = object.__hash__

    @classmethod
    def parse(cls, value: str | Surface) -> Surface:
        """Parse a surface from its name (``group_chat``, ``group-chat``, any case)."""
        if isinstance(value, Surface):
            return value
        key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(key)
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise PolicyError(f"unknown surface {value!r}; expected one of: {names}") from None


class Region(enum.Enum):
    """Where an account is registered (WeChat filters by the phone number's country)."""

    MAINLAND = "mainland"
    """Registered with a mainland-China phone number."""
    INTERNATIONAL = "international"
    """Registered with any other number."""

    # Members are singletons: identity hashing is exact and much faster than Enum's.
    __hash__ = object.__hash__

    @classmethod
    def parse(cls, value: str | Region) -> Region:
        """Parse a region from its name (``cn`` is ``mainland``, ``intl`` ``international``)."""
        if isinstance(value, Region):
            return value
        key = str(value).strip().lower()
        key = {"cn": "mainland", "china": "mainland", "intl": "international"}.get(key, key)
        try:
            return cls(key)
        except ValueError:
            names = ", ".join(r.value for r in cls)
            raise PolicyError(f"unknown region {value!r}; expected one of: {names}") from None


class Scope(enum.Enum):
    """Whose region decides whether a surface's filter applies."""

    SENDER = "sender"
    """The sender's account region (WeChat chat: only mainland accounts are filtered)."""
    VIEWER = "viewer"
    """The viewers' regions: content is hidden from viewers in the filtered regions
    (WeChat Moments: censored posts are hidden from mainland accounts)."""


class ImageCheck(enum.Enum):
    """How images are checked on a surface (see the module docstring)."""

    OFF = "off"
    MD5 = "md5"
    LEARN = "learn"
    VISUAL = "visual"


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


# ------------------------------------------------------------------------- messages


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

        One shared object per surface: :meth:`Censor.check_many` returns this very object
        for every such message, so a caller may test ``d is Decision.clean(d.surface)``
        instead of comparing fields.

        Example:
            >>> Decision.clean(Surface.CHAT) is Decision.clean(Surface.CHAT)
            True
        """
        return _CLEAN[surface]

    @property
    def censored(self) -> bool:
        """Whether anything beyond delivering (or flagging) happened."""
        return self.action > Action.FLAG

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


# ------------------------------------------------------------------------- policy parts


@dataclass(frozen=True, slots=True)
class SurfacePolicy:
    """How one surface is filtered.

    Attributes:
        surface: the surface.
        rulesets: names of the policy's rule sets that apply here.
        regions: the account regions filtered (sender scope) or shielded (viewer scope).
        scope: whose region counts.
        action: overrides the rules' actions when set.
        error: the error shown when the action is ``REFUSE`` or ``BLOCK``.
        images: how images are checked.
    """

    surface: Surface
    rulesets: tuple[str, ...] = ()
    regions: frozenset[Region] = frozenset(Region)
    scope: Scope = Scope.SENDER
    action: Action | None = None
    error: str | None = None
    images: ImageCheck = ImageCheck.OFF


@dataclass(frozen=True, slots=True)
class DelayDistribution:
    """A delay distribution given by points of its CDF, log-linear between them.

    Attributes:
        knots: ``(seconds, cumulative share)`` pairs, increasing in both; the last share
            must be 1. Below the first knot the CDF is 0.

    Example:
        >>> d = DelayDistribution.zhu2013()
        >>> round(d.cdf(1800) - d.cdf(300), 2), d.cdf(86400)
        (0.3, 0.9)
    """

    knots: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        knots = tuple((float(s), float(p)) for s, p in self.knots)
        if len(knots) < 2:
            raise PolicyError("a delay distribution needs at least two knots")
        for (s0, p0), (s1, p1) in itertools.pairwise(knots):
            if not (0 < s0 < s1) or not (0 <= p0 <= p1 <= 1):
                raise PolicyError(
                    f"delay knots must increase (seconds > 0, shares in [0, 1]): {knots}"
                )
        if knots[-1][1] != 1.0:
            raise PolicyError(f"the last delay knot's share must be 1, got {knots[-1][1]}")
        object.__setattr__(self, "knots", knots)

    @classmethod
    def zhu2013(cls) -> DelayDistribution:
        """Weibo post deletions (Zhu et al. 2013): ~30% in 5-30 min, ~90% within 24 h."""
        return cls(((60.0, 0.0), (300.0, 0.05), (1800.0, 0.35), (86400.0, 0.90),
                    (14 * 86400.0, 1.0)))

    def cdf(self, seconds: float) -> float:
        """The share of delays at most ``seconds``."""
        xs = [s for s, _ in self.knots]
        if seconds < xs[0]:
            return 0.0
        if seconds >= xs[-1]:
            return 1.0
        i = bisect.bisect_right(xs, seconds) - 1
        (s0, p0), (s1, p1) = self.knots[i], self.knots[i + 1]
        f = (math.log(seconds) - math.log(s0)) / (math.log(s1) - math.log(s0))
        return round(p0 + f * (p1 - p0), 12)

    def quantile(self, u: float) -> float:
        """The delay (seconds) below which a share ``u`` of delays fall."""
        knots = self.knots
        if u <= knots[0][1]:
            return knots[0][0]
        for (s0, p0), (s1, p1) in itertools.pairwise(knots):
            if u <= p1:
                f = 0.0 if p1 == p0 else (u - p0) / (p1 - p0)
                return math.exp(math.log(s0) + f * (math.log(s1) - math.log(s0)))
        return knots[-1][0]

    def sample(self, rng: random.Random) -> float:
        """One delay in seconds, drawn with ``rng``."""
        return self.quantile(rng.random())


@dataclass(frozen=True, slots=True, eq=False)
class ImageBlacklist:
    """Banned images: exact MD5s and a perceptual index with per-entry thresholds.

    Attributes:
        md5: banned file MD5s (hex).
        perceptual: a ``HammingIndex`` of banned images, or None.
        radius: the default match radius, in bits.
        thresholds: per-entry radius overrides, by entry id.
    """

    md5: frozenset[str] = frozenset()
    perceptual: Any = None
    radius: int = 10
    thresholds: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "md5", frozenset(m.lower() for m in self.md5))
        object.__setattr__(self, "thresholds", types.MappingProxyType(dict(self.thresholds)))
        if self.radius < 0 or any(t < 0 for t in self.thresholds.values()):
            raise PolicyError("image match radii must be >= 0")

    def match_many(self, values: Sequence[Any], on: date | None) -> list[tuple[str, ...]]:
        """Ids of the blacklisted images each perceptual hash matches (in force ``on``)."""
        if self.perceptual is None or not values:
            return [() for _ in values]
        top = max([self.radius, *self.thresholds.values()])
        out: list[tuple[str, ...]] = []
        for matches in self.perceptual.query_many(values, top):
            ids = tuple(
                m.entry.id
                for m in matches
                if m.distance <= self.thresholds.get(m.entry.id, self.radius)
                and (on is None or m.entry.added is None or m.entry.added <= on)
            )
            out.append(ids)
        return out


class ImageMemory:
    """What a platform has learned: image MD5s found sensitive, and when.

    The simulator owns it; :class:`Censor` only reads it.
    """

    __slots__ = ("_learned",)

    def __init__(self, learned: Mapping[str, datetime] | None = None) -> None:
        self._learned: dict[str, datetime] = dict(learned or {})

    def learn(self, md5: str, at: datetime) -> None:
        """Remember ``md5`` as sensitive from ``at`` on (the earliest time wins)."""
        known = self._learned.get(md5)
        if known is None or at < known:
            self._learned[md5] = at

    def knows(self, md5: str, at: datetime) -> bool:
        """Whether ``md5`` was learned at or before ``at``."""
        when = self._learned.get(md5)
        return when is not None and when <= at

    def learned(self) -> dict[str, datetime]:
        """A copy of everything learned."""
        return dict(self._learned)

    def __len__(self) -> int:
        return len(self._learned)


@dataclass(frozen=True, slots=True, eq=False)
class Policy:
    """A platform's censorship policy.

    Attributes:
        name: a short name.
        rulesets: named rule sets.
        surfaces: one :class:`SurfacePolicy` per surface the platform has.
        images: the image blacklist.
        deletion: the delay distribution of ``DELETE_LATER`` actions.
        analysis_delay: how long image analysis takes before a learned MD5 blocks.
        description: what the policy models.
        sources: citations (URLs) of the facts it encodes.

    Raises:
        PolicyError: a surface listed twice or naming an unknown rule set.
    """

    name: str
    rulesets: Mapping[str, RuleSet]
    surfaces: tuple[SurfacePolicy, ...]
    images: ImageBlacklist = field(default_factory=ImageBlacklist)
    deletion: DelayDistribution = field(default_factory=DelayDistribution.zhu2013)
    analysis_delay: timedelta = timedelta(0)
    description: str = ""
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "rulesets", types.MappingProxyType(dict(self.rulesets)))
        object.__setattr__(self, "surfaces", tuple(self.surfaces))
        object.__setattr__(self, "sources", tuple(self.sources))
        seen: set[Surface] = set()
        for sp in self.surfaces:
            if sp.surface in seen:
                raise PolicyError(f"policy {self.name!r}: surface {sp.surface.value!r} twice")
            seen.add(sp.surface)
            for name in sp.rulesets:
                if name not in self.rulesets:
                    known = ", ".join(self.rulesets) or "none"
                    raise PolicyError(
                        f"policy {self.name!r}: surface {sp.surface.value!r} names unknown "
                        f"rule set {name!r} (known: {known})"
                    )

    def surface(self, surface: Surface | str) -> SurfacePolicy:
        """The settings of ``surface``.

        Raises:
            PolicyError: the platform has no such surface.
        """
        s = Surface.parse(surface)
        for sp in self.surfaces:
            if sp.surface is s:
                return sp
        have = ", ".join(sp.surface.value for sp in self.surfaces)
        raise PolicyError(f"policy {self.name!r} has no surface {s.value!r} (it has: {have})")

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Policy:
        """Load a policy file (see ``docs/simulation.md``); paths are relative to it."""
        return load_policy(path)


# ------------------------------------------------------------------------- censor


_CLEAN = {s: Decision(Action.DELIVER, s) for s in Surface}
"""The shared clean decision of each surface (see :meth:`Decision.clean`)."""


class Censor:
    """Applies a :class:`Policy` to messages.

    Args:
        policy: the policy.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._surfaces = {sp.surface: sp for sp in policy.surfaces}

    def check(
        self, message: Message, *, at: datetime, memory: ImageMemory | None = None
    ) -> Decision:
        """The decision on one message at time ``at``; see :meth:`check_many`."""
        return self.check_many([message], at=[at], memory=memory)[0]

    def check_many(
        self,
        messages: Sequence[Message],
        *,
        at: datetime | Sequence[datetime],
        memory: ImageMemory | None = None,
    ) -> list[Decision]:
        """Decisions on many messages (the fast path).

        Pure: ``memory`` is only read. Images learned by an earlier message of the batch
        count for later ones once ``analysis_delay`` has passed, exactly as if the
        messages were checked one by one and each ``learn_md5`` applied in turn.

        Args:
            messages: the messages, in time order.
            at: one time for all, or one per message.
            memory: what the platform has learned so far.

        Raises:
            PolicyError: a message on a surface the policy does not have.
        """
        n = len(messages)
        times = [at] * n if isinstance(at, datetime) else list(at)
        if len(times) != n:
            raise ValueError(f"{n} messages but {len(times)} times")
        out: list[Decision] = [_CLEAN[m.surface] for m in messages]
        # Text: group by (surface, day) and run each rule set's batch path once.
        groups: dict[tuple[Surface, date], list[int]] = {}
        for i, m in enumerate(messages):
            key = (m.surface, times[i].date())
            group = groups.get(key)
            if group is None:
                if m.surface not in self._surfaces:
                    self.policy.surface(m.surface)  # raises naming the surface
                group = groups[key] = []
            group.append(i)
        for (surface, day), idx in groups.items():
            sp = self._surfaces[surface]
            if not sp.rulesets:
                continue
            hits_of: dict[int, list[Hit]] = {}
            texts = [messages[i].text for i in idx]
            for name in sp.rulesets:
                results = self.policy.rulesets[name].check_many(texts, on=day)
                for j, r in _censored(results):
                    hits_of.setdefault(idx[j], []).extend(r.hits)
            for i, hits in hits_of.items():
                out[i] = self._text_decision(sp, messages[i], tuple(hits))
        self._check_images(messages, times, out, memory)
        return out

    def _text_decision(
        self, sp: SurfacePolicy, message: Message, hits: tuple[Hit, ...]
    ) -> Decision:
        rule_ids = tuple(h.rule.id for h in hits)
        action = sp.action if sp.action is not None else max(h.rule.action for h in hits)
        return self._decide(sp, message, action, Reason.KEYWORD, rule_ids, (), hits)

    def _decide(
        self,
        sp: SurfacePolicy,
        message: Message,
        action: Action,
        reason: Reason,
        rule_ids: tuple[str, ...],
        image_ids: tuple[str, ...],
        hits: tuple[Hit, ...] = (),
    ) -> Decision:
        if sp.scope is Scope.SENDER and message.region not in sp.regions:
            return Decision(
                Action.DELIVER, sp.surface, Reason.OUT_OF_SCOPE, rule_ids, image_ids, hits=hits
            )
        hidden: frozenset[Region] = frozenset()
        if sp.scope is Scope.VIEWER:
            hidden = sp.regions
            action = Action.HIDE if action > Action.HIDE else action
        error = sp.error if action in (Action.REFUSE, Action.BLOCK) else None
        return Decision(action, sp.surface, reason, rule_ids, image_ids, error, hidden, hits=hits)

    def _check_images(
        self,
        messages: Sequence[Message],
        times: Sequence[datetime],
        out: list[Decision],
        memory: ImageMemory | None,
    ) -> None:
        todo = [
            i
            for i, m in enumerate(messages)
            if m.attachment is not None and self._surfaces[m.surface].images is not ImageCheck.OFF
        ]
        if not todo:
            return
        images = self.policy.images
        delay = self.policy.analysis_delay
        pending: dict[str, datetime] = {}  # learned earlier in this batch
        analyse = [
            i for i in todo if self._surfaces[messages[i].surface].images is not ImageCheck.MD5
        ]
        visual: dict[int, tuple[str, ...]] = {}
        with_hash = [i for i in analyse if messages[i].attachment.perceptual is not None]  # type: ignore[union-attr]
        if with_hash:
            for i, ids in zip(
                with_hash,
                images.match_many(
                    [messages[i].attachment.perceptual for i in with_hash],  # type: ignore[union-attr]
                    times[with_hash[0]].date(),
                ),
                strict=True,
            ):
                visual[i] = ids
        ocr: dict[int, tuple[Hit, ...]] = {}
        for i in analyse:
            att = messages[i].attachment
            assert att is not None
            if att.text:
                sp = self._surfaces[messages[i].surface]
                hits: list[Hit] = []
                for name in sp.rulesets:
                    hits.extend(self.policy.rulesets[name].check(att.text, on=times[i].date()).hits)
                if hits:
                    ocr[i] = tuple(hits)
        for i in todo:
            m = messages[i]
            att = m.attachment
            assert att is not None
            sp = self._surfaces[m.surface]
            known = att.md5 in images.md5 or (
                memory is not None and memory.knows(att.md5, times[i])
            )
            if not known and att.md5 in pending:
                known = pending[att.md5] <= times[i]
            current = out[i]
            if known:
                decision = self._decide(sp, m, Action.DROP if sp.action is None else sp.action,
                                        Reason.IMAGE_MD5, current.rule_ids, (f"md5:{att.md5}",))
            elif sp.images is ImageCheck.MD5 or not (visual.get(i) or i in ocr):
                continue
            else:
                reason = Reason.IMAGE_VISUAL if visual.get(i) else Reason.IMAGE_OCR
                ids = visual.get(i, ())
                ocr_hits = ocr.get(i, ())
                learn_at = times[i] + delay
                applies = sp.scope is Scope.VIEWER or m.region in sp.regions
                if sp.images is ImageCheck.VISUAL:
                    action = Action.DROP if sp.action is None else sp.action
                    if ocr_hits and not ids and sp.action is None:
                        action = max(h.rule.action for h in ocr_hits)
                    decision = self._decide(sp, m, action, reason,
                                            current.rule_ids + tuple(h.rule.id for h in ocr_hits),
                                            ids, current.hits)
                else:  # LEARN: delivered this time, learned for next time
                    decision = current
                if applies:
                    pending.setdefault(att.md5, learn_at)
                    decision = Decision(
                        decision.action, decision.surface,
                        decision.reason if decision.censored else reason,
                        decision.rule_ids, decision.image_ids or ids, decision.error,
                        decision.hidden_from, att.md5, decision.hits,
                    )
            if decision.action >= current.action or current.action is Action.DELIVER:
                out[i] = decision


def _censored(results: Any) -> list[tuple[int, ScanResult]]:
    """``(position, result)`` of the censored results of ``RuleSet.check_many``."""
    indices = getattr(results, "censored_indices", None)
    if indices is None:
        return [(j, r) for j, r in enumerate(results) if r.hits]
    if callable(indices):
        indices = indices()
    return [(j, results[j]) for j in indices]


# ------------------------------------------------------------------------- TOML


_POLICY_KEYS = {"policy", "rulesets", "surfaces", "images", "deletion"}
_META_KEYS = {"name", "description", "sources", "normalizer", "backend", "analysis_delay_seconds"}
_RULESET_KEYS = {"files", "rules", "default_action"}
_SURFACE_KEYS = {"rulesets", "regions", "scope", "action", "error", "images"}
_IMAGE_KEYS = {"md5", "index", "radius", "thresholds"}
_DELETION_KEYS = {"knots"}


def _table(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: [{key}] must be a table, got {type(value).__name__}")
    return value


def _check_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise PolicyError(
            f"{where}: unknown key(s) {', '.join(unknown)}; expected: {', '.join(sorted(allowed))}"
        )


def _str_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where}: expected a string or a list of strings, got {value!r}")
    return list(value)


def _parse_enum(parser: Any, value: Any, where: str) -> Any:
    try:
        return parser(value)
    except (ValueError, KeyError, CensorsimError) as exc:
        raise PolicyError(f"{where}: {exc}") from None


def policy_from_dict(data: Mapping[str, Any], *, base: Path, where: str = "<policy>") -> Policy:
    """Build a policy from parsed TOML (``base`` resolves relative file names).

    Raises:
        PolicyError: naming ``where`` and the problem.
    """
    from censorsim.text import wordlists

    _check_keys(data, _POLICY_KEYS, where)
    meta = _table(data, "policy", where)
    _check_keys(meta, _META_KEYS, f"{where} [policy]")
    name = meta.get("name", Path(where).stem)
    normalizer = meta.get("normalizer")
    backend = meta.get("backend", "default")
    rulesets: dict[str, RuleSet] = {}
    for rs_name, spec in _table(data, "rulesets", where).items():
        here = f"{where} [rulesets.{rs_name}]"
        if not isinstance(spec, dict):
            raise PolicyError(f"{here}: must be a table")
        _check_keys(spec, _RULESET_KEYS, here)
        action = _parse_enum(Action.parse, spec.get("default_action", "drop"), here)
        rules: list[Rule] = []
        for f in _str_list(spec.get("files", []), f"{here} files"):
            path = base / f
            if not path.is_file():
                raise PolicyError(f"{here}: rule file {str(path)!r} not found")
            try:
                rules.extend(wordlists.load_rules(path, default_action=action))
            except CensorsimError as exc:
                raise PolicyError(f"{here}: {exc}") from exc
        for k, line in enumerate(_str_list(spec.get("rules", []), f"{here} rules")):
            try:
                rules.append(wordlists.parse_rule_line(line, action=action))
            except (CensorsimError, ValueError) as exc:
                raise PolicyError(f"{here} rules[{k}]: {exc}") from exc
        try:
            rulesets[rs_name] = RuleSet(rules, normalizer=normalizer, backend=backend)
        except CensorsimError as exc:
            raise PolicyError(f"{here}: {exc}") from exc
    surfaces: list[SurfacePolicy] = []
    for s_name, spec in _table(data, "surfaces", where).items():
        here = f"{where} [surfaces.{s_name}]"
        surface = _parse_enum(Surface.parse, s_name, here)
        if not isinstance(spec, dict):
            raise PolicyError(f"{here}: must be a table")
        _check_keys(spec, _SURFACE_KEYS, here)
        regions = frozenset(
            _parse_enum(Region.parse, r, here)
            for r in _str_list(spec.get("regions", [r.value for r in Region]), here)
        )
        action = spec.get("action")
        surfaces.append(
            SurfacePolicy(
                surface,
                tuple(_str_list(spec.get("rulesets", []), here)),
                regions,
                _parse_enum(Scope, spec.get("scope", "sender"), here),
                None if action is None else _parse_enum(Action.parse, action, here),
                spec.get("error"),
                _parse_enum(ImageCheck, spec.get("images", "off"), here),
            )
        )
    img = _table(data, "images", where)
    _check_keys(img, _IMAGE_KEYS, f"{where} [images]")
    index = None
    if "index" in img:
        from censorsim.image import HammingIndex

        ipath = base / str(img["index"])
        if not ipath.is_file():
            raise PolicyError(f"{where} [images]: index file {str(ipath)!r} not found")
        try:
            index = HammingIndex.load(ipath)
        except (CensorsimError, OSError) as exc:
            raise PolicyError(f"{where} [images]: {exc}") from exc
    thresholds = img.get("thresholds", {})
    if not isinstance(thresholds, dict) or not all(isinstance(v, int) for v in thresholds.values()):
        raise PolicyError(f"{where} [images]: thresholds must map entry ids to integers")
    images = ImageBlacklist(
        frozenset(_str_list(img.get("md5", []), f"{where} [images] md5")),
        index,
        int(img.get("radius", 10)),
        thresholds,
    )
    deletion = DelayDistribution.zhu2013()
    dele = _table(data, "deletion", where)
    _check_keys(dele, _DELETION_KEYS, f"{where} [deletion]")
    if "knots" in dele:
        knots = dele["knots"]
        if not isinstance(knots, list) or not all(
            isinstance(k, list) and len(k) == 2 for k in knots
        ):
            raise PolicyError(f"{where} [deletion]: knots must be [[seconds, share], ...]")
        deletion = _parse_enum(
            DelayDistribution, tuple((k[0], k[1]) for k in knots), f"{where} [deletion]"
        )
    try:
        return Policy(
            name=str(name),
            rulesets=rulesets,
            surfaces=tuple(surfaces),
            images=images,
            deletion=deletion,
            analysis_delay=timedelta(seconds=float(meta.get("analysis_delay_seconds", 0))),
            description=str(meta.get("description", "")),
            sources=tuple(_str_list(meta.get("sources", []), f"{where} [policy] sources")),
        )
    except PolicyError as exc:
        raise PolicyError(f"{where}: {exc}") from None


def load_policy(path: str | os.PathLike[str]) -> Policy:
    """Load a policy from a TOML file (format: ``docs/simulation.md``).

    Raises:
        PolicyError: the file is missing or malformed; the message names it and the problem.
    """
    p = Path(path)
    where = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{where}: policy file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{where}: cannot read policy file ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{where}: malformed TOML ({exc})") from None
    return policy_from_dict(data, base=p.parent, where=where)
