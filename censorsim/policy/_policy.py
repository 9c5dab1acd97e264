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
from censorsim.models import Action, Region, Surface
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
    """

    surface: Surface
    rulesets: tuple[str, ...] = ()
    regions: frozenset[Region] = frozenset(Region)
    scope: Scope = Scope.SENDER
    action: Action | None = None
    error: str | None = None
    images: ImageCheck = ImageCheck.OFF
    learn_from: frozenset[Region] | None = None


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
    description: str = ""
    sources: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "rulesets", types.MappingProxyType(dict(self.rulesets)))
        object.__setattr__(self, "surfaces", tuple(self.surfaces))
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "inputs", tuple(str(p) for p in self.inputs))
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
                *(() if sp.learn_from is None else (sorted(r.value for r in sp.learn_from),)))
        im = self.images
        index = im.perceptual
        put("images", sorted(im.md5), im.radius, sorted(im.thresholds.items()),
            None if index is None else len(index),
            *(() if not im.ocr else (("ocr", im.ocr, im.ocr_engine, im.ocr_mode),)))
        put("deletion", self.deletion.knots, self.analysis_delay.total_seconds())
        return h.hexdigest()


def _rebuild(cls: Any, values: dict[str, Any]) -> Any:
    """``cls(**values)`` (unpickling a frozen dataclass holding read-only mappings)."""
    return cls(**values)
