"""Images on a platform: how a surface checks them, the blacklist, and what was learned.

See :mod:`censorsim.policy` for the image pipeline each :class:`ImageCheck` stands for.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from censorsim.errors import PolicyError

__all__ = ["ImageBlacklist", "ImageCheck", "ImageMemory"]


class ImageCheck(enum.Enum):
    """How images are checked on a surface (see :mod:`censorsim.policy`)."""

    OFF = "off"
    MD5 = "md5"
    LEARN = "learn"
    VISUAL = "visual"


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

    def __reduce__(self) -> tuple[Any, ...]:
        # ``thresholds`` is a read-only proxy, which does not pickle: rebuild.
        return (ImageBlacklist, (self.md5, self.perceptual, self.radius, dict(self.thresholds)))

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

    The simulator owns it; ``Censor`` only reads it.
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
