"""Messages and decisions: surfaces, regions, attachments, and what a platform did."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any, Self

from censorsim.errors import UnknownNameError
from censorsim.models._results import (
    Hit,
)
from censorsim.models._rules import (
    Action,
    Outcome,
)

__all__ = ["Attachment", "Decision", "Direction", "Message", "Reason", "Region", "Surface"]


# ------------------------------------------------------------------------- messages


_ALIASES = {"cn": "mainland", "china": "mainland", "intl": "international",
            "hk": "hong_kong", "hongkong": "hong_kong"}
"""Other names users type for a member's value."""


class _Named(enum.Enum):
    """An enum chosen by name in files and on the command line (a surface, a region)."""

    # Members are singletons: identity hashing is exact and much faster than Enum's.
    __hash__ = object.__hash__

    @classmethod
    def parse(cls, value: str | Self) -> Self:
        """The member named ``value``: its value in any case, ``-`` or space for ``_``
        (``group-chat`` is ``group_chat``; ``cn`` is ``mainland``, ``intl``
        ``international``, ``hk`` and ``Hong Kong`` ``hong_kong``).

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
    """Where an account is registered (WeChat filters by the phone number's country).

    A platform profile says which regions each surface filters
    (:attr:`censorsim.policy.SurfacePolicy.regions`). Hong Kong is its own region
    because its law differs: the national security law (in force 2020-06-30) and its
    Article 43 implementation rules reach platforms serving Hong Kong users
    (:mod:`censorsim.legal`), while WeChat's keyword filter applies only to accounts
    registered with mainland (+86) numbers, so a Hong Kong (+852) account is filtered
    like an international one (Citizen Lab, "One App, Two Systems", 2016; Tencent to
    The Verge, 2019-11-25: any registration other than +86 uses the international
    WeChat, not Weixin).
    """

    MAINLAND = "mainland"
    """Registered with a mainland-China phone number (+86)."""
    INTERNATIONAL = "international"
    """Registered with any number outside mainland China and Hong Kong."""
    HONG_KONG = "hong_kong"
    """Registered with a Hong Kong number (+852): outside WeChat's mainland filter, inside
    the reach of Hong Kong's national security law (``censorsim.legal``)."""


class Direction(_Named):
    """Which way a message travels (the Great Firewall filters both ways)."""

    REQUEST = "request"
    """What the user sends: a chat message, a post, a query, an HTTP request."""
    RESPONSE = "response"
    """What comes back to the user: an HTTP response (a policy filters it only with
    ``SurfacePolicy.response_rulesets``)."""


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
    """Something a user sends: text, a surface, the sender's region, maybe an image.

    ``direction`` is :attr:`Direction.REQUEST` for what the user sends, or
    :attr:`Direction.RESPONSE` for what comes back to them (an HTTP response to a
    client in ``region``).
    """

    text: str
    surface: Surface = Surface.CHAT
    region: Region = Region.MAINLAND
    attachment: Attachment | None = None
    direction: Direction = Direction.REQUEST


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
        outcome: what the people involved observe (:class:`Outcome`); by default the
            plain outcome of ``action``. Weibo's explicit refusal and "data error" are
            both ``REFUSE``; a post its review kept is ``FLAG`` with ``KEPT``.
        delivered_text: the text as the filtered recipients receive it, when it differs
            from what was sent (LINE masks listed words with asterisks,
            :attr:`Outcome.MASKED`); None otherwise.
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
    outcome: Outcome = None  # type: ignore[assignment]  # filled from action
    delivered_text: str | None = None

    def __post_init__(self) -> None:
        if self.outcome is None:
            object.__setattr__(self, "outcome", Outcome.of(self.action))

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
        if self.outcome is not Outcome.of(self.action):
            lines.append(f"  outcome: {_OUTCOME_WORDS.get(self.outcome, self.outcome.value)}")
        if self.error:
            lines.append(f"  sender sees: {self.error}")
        if self.delivered_text is not None:
            lines.append(f"  recipients receive: {self.delivered_text}")
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
        if self.outcome is not Outcome.of(self.action):
            out += f", outcome={self.outcome.value}"
        if self.rule_ids:
            out += f", rules={self.rule_ids!r}"
        if self.image_ids:
            out += f", images={self.image_ids!r}"
        if self.hidden_from:
            out += f", hidden_from={sorted(r.value for r in self.hidden_from)!r}"
        if self.error:
            out += f", error={self.error!r}"
        return out + ")"


_OUTCOME_WORDS = {
    Outcome.KEPT: "kept (review did not delete it)",
    Outcome.AUTHOR_ONLY: "visible only to its author (camouflaged)",
    Outcome.MASKED: "delivered with the matched words masked",
    Outcome.DATA_ERROR: "refused with an error that does not say why",
}
"""How :meth:`Decision.explain` words an outcome other than its action's plain one."""

_CLEAN = {s: Decision(Action.DELIVER, s) for s in Surface}
"""The shared clean decision of each surface (see :meth:`Decision.clean`)."""
