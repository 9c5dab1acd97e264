"""Detection rates with their Wilson 95% intervals.

Example:
    >>> r = Rate.of(15, 15)
    >>> r.rate, round(r.low, 3), r.high
    (1.0, 0.796, 1.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from censorsim.errors import ParameterError

__all__ = ["Rate", "wilson_interval"]


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of ``k`` successes in ``n`` trials.

    Raises:
        ParameterError: ``k`` is not between 0 and ``n``.

    Example:
        >>> [round(x, 3) for x in wilson_interval(15, 15)]
        [0.796, 1.0]
    """
    if n <= 0:
        return (0.0, 1.0)
    if not 0 <= k <= n:
        raise ParameterError(f"need 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, slots=True)
class Rate:
    """A detection rate: ``detected`` of ``total``, with a Wilson 95% interval."""

    detected: int
    total: int
    low: float
    high: float

    @classmethod
    def of(cls, detected: int, total: int) -> Rate:
        """The rate of ``detected`` out of ``total``."""
        lo, hi = wilson_interval(detected, total)
        return cls(detected, total, lo, hi)

    @property
    def rate(self) -> float:
        """The share detected (0.0 when nothing was tested)."""
        return self.detected / self.total if self.total else 0.0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"detected": self.detected, "total": self.total, "rate": self.rate,
                "low": self.low, "high": self.high}
