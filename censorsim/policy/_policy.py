"""A platform's policy: its rule sets and how each surface is filtered."""

from __future__ import annotations

import enum
import hashlib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from typing import Any

from censorsim.errors import PolicyError
from censorsim.models import Action, Outcome, Region, Surface
from censorsim.policy._delays import DelayDistribution
from censorsim.policy._images import ImageBlacklist, ImageCheck
from censorsim.text.rules import RuleSet

__all__ = ["Policy", "Scope", "SurfacePolicy"]


class Scope(enum.Enum):
    """Whose region decides whether a surface's filter applies."""

    SENDER = "sender"
    """The sender's account region (WeChat chat: only mainland accounts are filtered)."""
    VIEWER = "viewer"
    """The viewers' regions: content is hidden from viewers in the filtered regions
    (WeChat Moments: censored posts are hidden from mainland accounts)."""


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
        learn_from: the sender regions whose images are analysed and learned (``learn``
            and ``visual`` checks); None for ``regions``. WeChat learns from every
            account's images and blocks them for mainland accounts ("We Chat, They
            Watch", Citizen Lab 2020).
        response_rulesets: the rule sets applied to messages travelling the other way
            (:attr:`Direction.RESPONSE`: what comes back to the user); none by default.
            The Great Firewall filtered HTTP responses as well as requests (Clayton et
            al. 2006; Park and Crandall 2010).
        errors: the error shown for a particular outcome, where a platform shows
            several (Weibo: "data error" for :attr:`Outcome.DATA_ERROR`); ``error``
            otherwise.
        mask_received: when a rule fires on a message from a sender outside
            ``regions``, deliver it with the matched words replaced by asterisks for
            the recipients in ``regions`` (:attr:`Outcome.MASKED`) instead of
            unfiltered: LINE's client for China numbers refuses to send listed words
            and masks them in what it receives (Citizen Lab, "Asia Chats", 2013).
    """

    surface: Surface
    rulesets: tuple[str, ...] = ()
    regions: frozenset[Region] = frozenset(Region)
    scope: Scope = Scope.SENDER
    action: Action | None = None
    error: str | None = None
    images: ImageCheck = ImageCheck.OFF
    learn_from: frozenset[Region] | None = None
    response_rulesets: tuple[str, ...] = ()
    errors: Mapping[Outcome, str] = field(default_factory=dict, hash=False)
    mask_received: bool = False

    def error_for(self, outcome: Outcome) -> str | None:
        """The error shown for ``outcome``: :attr:`errors`' entry, else :attr:`error`."""
        return self.errors.get(outcome, self.error)


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
        deletion_share: the probability that a post marked ``DELETE_LATER`` is in fact
            deleted; the others are kept (``FLAG``, :attr:`Outcome.KEPT`). Drawn per
            message by :meth:`Censor.settle` from the run's seed and the message's key,
            so a run is reproducible and resumable. 1 (every one deleted) by default.
        deletion_shares: per-rule deletion shares by rule id, overriding
            ``deletion_share``.
        description: what the policy models.
        sources: citations (URLs) of the facts it encodes.
        inputs: the files it was built from (a policy file, its rule and index files),
            as resolved paths; a simulation records their digests to refuse a resume
            after they change.

    A policy pickles (its rule sets and index as they pickle), so a :class:`Censor`
    can be sent to the workers of a ``spawn`` process pool.

    Raises:
        PolicyError: a surface listed twice or naming an unknown rule set.
    """

    name: str
    rulesets: Mapping[str, RuleSet]
    surfaces: tuple[SurfacePolicy, ...]
    images: ImageBlacklist = field(default_factory=ImageBlacklist)
    deletion: DelayDistribution = field(default_factory=DelayDistribution.zhu2013)
    analysis_delay: timedelta = timedelta(0)
    deletion_share: float = 1.0
    deletion_shares: Mapping[str, float] = field(default_factory=dict)
    description: str = ""
    sources: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "rulesets", types.MappingProxyType(dict(self.rulesets)))
        object.__setattr__(self, "surfaces", tuple(self.surfaces))
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "inputs", tuple(str(p) for p in self.inputs))
        shares = dict(self.deletion_shares)
        for key, share in [("deletion_share", self.deletion_share), *shares.items()]:
            if isinstance(share, bool) or not isinstance(share, int | float) or not (
                    0.0 <= share <= 1.0):
                raise PolicyError(f"policy {self.name!r}: {key}: a deletion share is a "
                                  f"probability from 0 to 1, got {share!r}")
        object.__setattr__(self, "deletion_share", float(self.deletion_share))
        object.__setattr__(self, "deletion_shares", types.MappingProxyType(
            {k: float(v) for k, v in shares.items()}))
        seen: set[Surface] = set()
        for sp in self.surfaces:
            if sp.surface in seen:
                raise PolicyError(f"policy {self.name!r}: surface {sp.surface.value!r} twice")
            seen.add(sp.surface)
            for name in (*sp.rulesets, *sp.response_rulesets):
                if name not in self.rulesets:
                    known = ", ".join(self.rulesets) or "none"
                    raise PolicyError(
                        f"policy {self.name!r}: surface {sp.surface.value!r} names unknown "
                        f"rule set {name!r} (known: {known})"
                    )
        for name in self.images.ocr:
            if name not in self.rulesets:
                known = ", ".join(self.rulesets) or "none"
                raise PolicyError(f"policy {self.name!r}: images.ocr names unknown rule set "
                                  f"{name!r} (known: {known})")

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

    def __reduce__(self) -> tuple[Any, ...]:
        # The rule-set mapping is a read-only proxy, which does not pickle: rebuild.
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["rulesets"] = dict(self.rulesets)
        values["deletion_shares"] = dict(self.deletion_shares)
        return (_rebuild, (Policy, values))

    def fingerprint(self) -> str:
        """A SHA-256 digest of everything that decides: rules, surfaces, images, delays.

        Equal for policies that decide alike whatever their name, description or
        backends; a simulation log records it and refuses a resume when it changed.
        """
        h = hashlib.sha256()

        def put(*parts: object) -> None:
            h.update(repr(parts).encode("utf-8", "surrogatepass"))
            h.update(b"\n")

        for name in sorted(self.rulesets):
            rs = self.rulesets[name]
            put("ruleset", name, tuple(rs.normalizer.steps), len(rs.rules))
            for rule in rs.rules:
                put(rule)
        for sp in sorted(self.surfaces, key=lambda sp: sp.surface.value):
            put("surface", sp.surface.value, sp.rulesets, sorted(r.value for r in sp.regions),
                sp.scope.value, None if sp.action is None else sp.action.name, sp.error,
                sp.images.value,
                *(() if sp.learn_from is None else (sorted(r.value for r in sp.learn_from),)),
                *((("response", sp.response_rulesets),) if sp.response_rulesets else ()),
                *((("errors", sorted((o.value, e) for o, e in sp.errors.items())),)
                  if sp.errors else ()),
                *((("mask_received",),) if sp.mask_received else ()))
        im = self.images
        index = im.perceptual
        put("images", sorted(im.md5), im.radius, sorted(im.thresholds.items()),
            None if index is None else len(index),
            *(() if not im.ocr else (("ocr", im.ocr, im.ocr_engine, im.ocr_mode),)),
            *(() if im.visual is None else (("visual", sorted(im.visual.items())),)))
        put("deletion", self.deletion.knots, self.analysis_delay.total_seconds())
        if self.deletion_share != 1.0 or self.deletion_shares:
            put("deletion share", self.deletion_share, sorted(self.deletion_shares.items()))
        return h.hexdigest()

    def deletion_share_of(self, rule_ids: tuple[str, ...]) -> float:
        """The deletion share of a post on which ``rule_ids`` fired: the largest of the
        rules' shares (:attr:`deletion_shares`, else :attr:`deletion_share`; taking the
        largest is an assumption, no source measures posts matching several rules)."""
        shares = self.deletion_shares
        if not shares or not rule_ids:
            return self.deletion_share
        return max(shares.get(r, self.deletion_share) for r in rule_ids)


def _rebuild(cls: Any, values: dict[str, Any]) -> Any:
    """``cls(**values)`` (unpickling a frozen dataclass holding read-only mappings)."""
    return cls(**values)
