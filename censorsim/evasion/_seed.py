"""Seeding of transforms: one private, stable random generator per seed, transform and item."""

from __future__ import annotations

import random

__all__ = ["seeded_rng"]


def seeded_rng(seed: int | str, *parts: object) -> random.Random:
    """A private generator seeded from ``seed`` and ``parts`` (string seeds are stable).

    Example:
        >>> seeded_rng(0, "spaces").random() == seeded_rng("0", "spaces").random()
        True
    """
    return random.Random(":".join(str(p) for p in (seed, *parts)))
