"""Delete-later delays: a distribution given by points of its CDF."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from dataclasses import dataclass

from censorsim.errors import PolicyError

__all__ = ["DelayDistribution"]

MAX_DELAY = 366 * 86400.0
"""The longest delete-later delay a distribution may give (seconds)."""


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
        try:
            knots = tuple((float(s), float(p)) for s, p in self.knots)
        except (TypeError, ValueError):
            raise PolicyError(
                f"delay knots must be (seconds, share) number pairs, got {self.knots!r}"
            ) from None
        if not all(math.isfinite(s) and math.isfinite(p) for s, p in knots):
            raise PolicyError(f"delay knots must be finite numbers, got {knots}")
        if knots and knots[-1][0] > MAX_DELAY:
            raise PolicyError(
                f"delay knots must stay within {MAX_DELAY:g} seconds (a year), got {knots[-1][0]:g}"
            )
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
        """Weibo post deletions (Zhu et al. 2013): ~30% in 5-30 min, ~90% within 24 h.

        Sourced: the share between 30 min and 24 h (0.35 to 0.90) and the 5-30 min
        share (0.30). Assumptions (no source): the 5-minute knot's 5%, the 1-minute
        start and the 14-day end of the distribution (Zhu et al. tracked deletions for
        a limited window; the tail past a day is not reported as a curve).
        """
        return cls(((60.0, 0.0), (300.0, 0.05), (1800.0, 0.35), (86400.0, 0.90),
                    (14 * 86400.0, 1.0)))

    @classmethod
    def picture_this(cls) -> DelayDistribution:
        """WeChat Moments image removal ("(Can't) Picture This", Citizen Lab 2018).

        Filtered images were visible for about 5-30 s (OCR-based filtering) or up to
        10 s (visual filtering) before removal. Sourced: every removal within 30 s,
        visual ones within 10 s. Assumptions: the half of removals by 10 s (the report
        gives no shares of OCR against visual) and the 1-second start.
        """
        return cls(((1.0, 0.0), (10.0, 0.5), (30.0, 1.0)))

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
