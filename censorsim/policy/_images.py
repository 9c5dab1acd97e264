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


_OCR_MODES = ("plain", "wechat")
"""``censorsim.image.OCR_MODES`` (repeated so the policy layer loads without imaging)."""


@dataclass(frozen=True, slots=True, eq=False)
class ImageBlacklist:
    """Banned images: exact MD5s, a perceptual index with per-entry thresholds, and the
    keyword list the OCR stage checks the text in images against.

    WeChat Moments checks the text in images against a list of its own: only 309 of the
    876 chat keyword combinations tested also filtered images ("(Can't) Picture This",
    Knockel et al., FOCI 2018). ``ocr`` names that list among the policy's rule sets;
    empty, the text of an image (``Attachment.text``) is checked against the surface's
    own rule sets. A simulation reads the text of its images with ``ocr_engine`` in
    ``ocr_mode`` when ``ocr`` is set and the engine is installed.

    Attributes:
        md5: banned file MD5s (hex).
        perceptual: a ``HammingIndex`` of banned images, or None.
        radius: the default match radius, in bits.
        thresholds: per-entry radius overrides, by entry id.
        ocr: names of the policy's rule sets the text in images is checked against.
        ocr_engine: the OCR engine a simulation reads images with (``OCR_ENGINES``).
        ocr_mode: ``wechat`` (default: text broken into small blobs is not read, as
            WeChat's 2018 OCR behaved) or ``plain``.
        visual: the visual matcher's verdicts by image MD5: the ids of the blacklisted
            images each known image matched (``censorsim.image.VisualIndex``; a
            simulation with ``image_matcher = "visual"`` fills it from its image folder).
            When set, it replaces the ``perceptual`` lookup; an image it does not list
            matches nothing.
    """

    md5: frozenset[str] = frozenset()
    perceptual: Any = None
    radius: int = 10
    thresholds: Mapping[str, int] = field(default_factory=dict)
    ocr: tuple[str, ...] = ()
    ocr_engine: str = "rapidocr"
    ocr_mode: str = "wechat"
    visual: Mapping[str, tuple[str, ...]] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "md5", frozenset(m.lower() for m in self.md5))
        object.__setattr__(self, "thresholds", types.MappingProxyType(dict(self.thresholds)))
        object.__setattr__(self, "ocr", tuple(self.ocr))
        if self.visual is not None:
            object.__setattr__(self, "visual", types.MappingProxyType(
                {k.lower(): tuple(v) for k, v in self.visual.items()}))
        if self.radius < 0 or any(t < 0 for t in self.thresholds.values()):
            raise PolicyError("image match radii must be >= 0")
        if self.ocr_mode not in _OCR_MODES:
            raise PolicyError(
                f"image OCR mode must be one of {', '.join(_OCR_MODES)}, not {self.ocr_mode!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        # ``thresholds`` is a read-only proxy, which does not pickle: rebuild.
        return (ImageBlacklist, (self.md5, self.perceptual, self.radius, dict(self.thresholds),
                                 self.ocr, self.ocr_engine, self.ocr_mode,
                                 None if self.visual is None else dict(self.visual)))

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
