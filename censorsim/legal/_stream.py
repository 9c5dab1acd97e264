"""The seeded random stream of requests: Poisson arrivals per platform, kinds and targets."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from censorsim.legal._facts import RULES_IN_FORCE, RequestKind, TargetKind
from censorsim.legal._model import Request, Response
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
    kind_cum = np.cumsum([w for _, w in scenario.kind_shares], dtype=float)
    targets = [t for t, _ in _CONTENT_TARGETS]
    target_cum = np.cumsum([w for _, w in _CONTENT_TARGETS], dtype=float)
    begin = start.replace(tzinfo=None)
    cut = (RULES_IN_FORCE - begin).total_seconds()
    # One Poisson draw per (platform, period) and one uniform draw per request: a few
    # numpy calls per window, whatever the number of platforms.
    spans: list[tuple[str, float, float]] = []
    rates: list[float] = []
    for p in scenario.platforms:
        for a, b, rate in ((lo, min(hi, cut), p.requests_per_day),
                           (max(lo, cut), hi, p.art43_requests_per_day)):
            spans.append((p.name, a, b))
            rates.append(rate * max(0.0, b - a) / 86400.0)
    counts = rng.poisson(np.asarray(rates))
    total = int(counts.sum())
    if total == 0:
        return []
    u = rng.random((3, total))
    owner = np.repeat(np.arange(len(spans)), counts)
    a_of = np.array([s[1] for s in spans])[owner]
    b_of = np.array([s[2] for s in spans])[owner]
    times = np.round(a_of + u[0] * (b_of - a_of), 3).tolist()
    ks = np.searchsorted(kind_cum, u[1] * kind_cum[-1], "right").tolist()
    ts = np.searchsorted(target_cum, u[2] * target_cum[-1], "right").tolist()
    left = _exits(scenario)
    out: list[tuple[float, Request]] = []
    for t, o, k, g in zip(times, owner.tolist(), ks, ts, strict=True):
        name = spans[o][0]
        if not lo <= t < hi:
            continue  # rounding up to the window's end
        at = begin + timedelta(seconds=t)
        if any(s <= at and (e is None or at < e) for s, e in left.get(name, ())):
            continue
        kind = kinds[min(k, len(kinds) - 1)]
        target = (TargetKind.ACCOUNT if kind is RequestKind.PROVIDE_USER_DATA
                  else targets[min(g, len(targets) - 1)])
        out.append((t, Request(at, name, Scenario.basis_for(at, kind).id, kind, target,
                               scenario.deadline)))
    out.sort(key=lambda tr: (tr[0], tr[1].platform))
    return out


def _exits(scenario: Scenario) -> dict[str, list[tuple[datetime, datetime | None]]]:
    """The periods each platform is out of the market (``exit_market`` policies)."""
    out: dict[str, list[tuple[datetime, datetime | None]]] = {}
    for p in scenario.policies:
        if p.response is Response.EXIT_MARKET:
            out.setdefault(p.platform, []).append((p.start, p.end))
    return out
