"""The seeded random stream of requests: Poisson arrivals per platform, kinds and targets."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from censorsim.legal._facts import RULES_IN_FORCE, RequestKind, TargetKind
from censorsim.legal._model import Request
from censorsim.legal._scenario import Scenario

__all__ = ["draw_requests"]

_CONTENT_TARGETS: tuple[tuple[TargetKind, float], ...] = (
    (TargetKind.MESSAGE, 0.7), (TargetKind.ACCOUNT, 0.2), (TargetKind.URL, 0.1)
)
"""Targets of removal and restriction requests (assumption); a data request names an account."""


def draw_requests(
    scenario: Scenario, start: datetime, lo: float, hi: float, rng: Any
) -> list[tuple[float, Request]]:
    """Random requests made in ``[lo, hi)`` seconds after ``start``, sorted by time.

    Each platform receives requests as a Poisson process: ``requests_per_day`` before
    the Article 43 rules are in force, ``art43_requests_per_day`` after; none once it has
    left the market. Kinds follow ``scenario.kind_shares``; removal and restriction
    requests name a message, an account or a URL (70/20/10%, an assumption), data
    requests an account. The cost is proportional to the number of requests drawn.

    Args:
        scenario: the scenario.
        start: the run's start.
        lo, hi: the window, seconds since ``start``.
        rng: a ``numpy.random.Generator`` (seeded by the caller).

    Returns:
        ``(seconds since start, request)`` pairs.
    """
    import numpy as np

    if not scenario.random_requests or hi <= lo:
        return []
    kinds = [k for k, _ in scenario.kind_shares]
    weights = np.array([w for _, w in scenario.kind_shares], dtype=float)
    weights /= weights.sum()
    targets = [t for t, _ in _CONTENT_TARGETS]
    tweights = np.array([w for _, w in _CONTENT_TARGETS])
    cut = (RULES_IN_FORCE - start.replace(tzinfo=None)).total_seconds()
    out: list[tuple[float, Request]] = []
    for p in scenario.platforms:
        for a, b, rate in ((lo, min(hi, cut), p.requests_per_day),
                           (max(lo, cut), hi, p.art43_requests_per_day)):
            if b <= a or rate <= 0:
                continue
            n = int(rng.poisson(rate * (b - a) / 86400.0))
            times = np.round(np.sort(rng.uniform(a, b, n)), 3)
            ks = rng.choice(len(kinds), size=n, p=weights)
            ts = rng.choice(len(targets), size=n, p=tweights)
            for t, k, g in zip(times.tolist(), ks.tolist(), ts.tolist(), strict=True):
                at = start.replace(tzinfo=None) + timedelta(seconds=t)
                if scenario.has_left(p.name, at):
                    continue
                kind = kinds[k]
                target = (TargetKind.ACCOUNT if kind is RequestKind.PROVIDE_USER_DATA
                          else targets[g])
                out.append((t, Request(at, p.name, Scenario.basis_for(at, kind).id, kind,
                                       target, scenario.deadline)))
    out.sort(key=lambda tr: (tr[0], tr[1].platform))
    return out
